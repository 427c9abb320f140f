// Client certificates issued by the hub CA (migration 7). Reads go to the table every time, so a revocation
// on any instance is seen at once by the next check (api.md "Trust": refused at once).
import type Database from 'better-sqlite3';
import type { CertificateRecord, CertificateStore } from '../types.js';

const COLS = `serial, system_id AS systemId, fingerprint_sha256 AS fingerprintSha256, not_before AS notBefore, not_after AS notAfter,
  pem, issued_at AS issuedAt, revoked_at AS revokedAt`;

export class SqliteCertificateStore implements CertificateStore {
  private readonly q;

  constructor(db: Database.Database) {
    const p = (sql: string) => db.prepare(sql);
    this.q = {
      insert: p(`INSERT INTO certificates (serial, system_id, fingerprint_sha256, not_before, not_after, pem, issued_at, revoked_at)
        VALUES (@serial, @systemId, @fingerprintSha256, @notBefore, @notAfter, @pem, @issuedAt, NULL)`),
      list: p(`SELECT ${COLS} FROM certificates WHERE system_id = ? ORDER BY issued_at, serial`),
      get: p(`SELECT ${COLS} FROM certificates WHERE serial = ?`),
      revoke: p('UPDATE certificates SET revoked_at = ? WHERE serial = ? AND revoked_at IS NULL'),
    };
  }

  async insert(c: Omit<CertificateRecord, 'revokedAt'>): Promise<void> {
    this.q.insert.run(c);
  }

  async list(systemId: string): Promise<CertificateRecord[]> {
    return this.q.list.all(systemId) as CertificateRecord[];
  }

  async get(serial: string): Promise<CertificateRecord | undefined> {
    return this.q.get.get(serial) as CertificateRecord | undefined;
  }

  async revoke(serial: string, at: string): Promise<CertificateRecord | undefined> {
    this.q.revoke.run(at, serial);
    return this.get(serial);
  }
}
