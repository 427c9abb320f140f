// Client certificates issued by the hub CA, on PostgreSQL. Reads go to the table every time, so a revocation on
// any instance is seen at once by the next check on every other (api.md "Trust": refused at once).
import type pg from 'pg';
import type { CertificateRecord, CertificateStore } from '../types.js';
import { one, rows } from './db.js';

const COLS = `serial, system_id AS "systemId", fingerprint_sha256 AS "fingerprintSha256", not_before AS "notBefore", not_after AS "notAfter",
  pem, issued_at AS "issuedAt", revoked_at AS "revokedAt"`;

export class PgCertificateStore implements CertificateStore {
  constructor(private readonly pool: pg.Pool) {}

  async insert(c: Omit<CertificateRecord, 'revokedAt'>): Promise<void> {
    await this.pool.query(`INSERT INTO certificates (serial, system_id, fingerprint_sha256, not_before, not_after, pem, issued_at, revoked_at)
      VALUES ($1, $2, $3, $4, $5, $6, $7, NULL)`, [c.serial, c.systemId, c.fingerprintSha256, c.notBefore, c.notAfter, c.pem, c.issuedAt]);
  }

  list(systemId: string): Promise<CertificateRecord[]> {
    return rows<CertificateRecord>(this.pool, `SELECT ${COLS} FROM certificates WHERE system_id = $1 ORDER BY issued_at, serial COLLATE "C"`, [systemId]);
  }

  get(serial: string): Promise<CertificateRecord | undefined> {
    return one<CertificateRecord>(this.pool, `SELECT ${COLS} FROM certificates WHERE serial = $1`, [serial]);
  }

  async revoke(serial: string, at: string): Promise<CertificateRecord | undefined> {
    await this.pool.query('UPDATE certificates SET revoked_at = $1 WHERE serial = $2 AND revoked_at IS NULL', [at, serial]);
    return this.get(serial);
  }
}
