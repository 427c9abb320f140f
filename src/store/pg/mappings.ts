// Mapping versions, the active pointer, samples and provenance on PostgreSQL (PG migration 3, as SQLite's 9;
// mapping.md §13, §17). Every change commits with its audit entry in one transaction, as on SQLite; a system's
// versions are numbered under a per-system advisory lock, so two instances adding at once get 1, 2, not 1, 1.
import type pg from 'pg';
import type {
  AuditEntry, MappingStore, MappingVersionInfo, MappingVersionInsert, Provenance, ProvenanceReport, SampleRecord,
} from '../types.js';
import type { AuditAppend, PgAuditLog } from './audit.js';
import { CHANNEL, LOCK, one, rows, type Db } from './db.js';

const VERSION_COLS = `v.version, v.sha256, v.size, v.created_at AS "createdAt", v.created_by AS "createdBy", v.note,
  (a.version IS NOT NULL) AS active`;
const SAMPLE_COLS = `id, system_id AS "systemId", name, content_type AS "contentType", payload, payload_sha256 AS "payloadSha256",
  expected, approved_version AS "approvedVersion", created_at AS "createdAt", created_by AS "createdBy"`;

type SampleRow = Omit<SampleRecord, 'expected'> & { expected: string };
const sample = (r: SampleRow): SampleRecord => ({ ...r, expected: JSON.parse(r.expected) as unknown });
const prov = (s: string | null): Provenance | null => (s ? JSON.parse(s) as Provenance : null);

export class PgMappingStore implements MappingStore {
  /** `changed` tells this instance's registry after a commit that moved an active pointer (the others hear NOTIFY). */
  constructor(private readonly pool: pg.Pool, private readonly log: PgAuditLog, private readonly changed: () => void = () => {}) {}

  /** Inside a caller's transaction too (a registration stores its version 1 with the system). */
  async addIn(c: pg.PoolClient, v: MappingVersionInsert, activate: AuditEntry | null, append: AuditAppend) {
    await c.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [LOCK.mapping, v.systemId]);
    const same = (await one<{ version: number }>(c, 'SELECT version FROM mapping_versions WHERE system_id = $1 AND sha256 = $2', [v.systemId, v.sha256]))?.version;
    let n = same;
    if (n === undefined) {
      n = ((await one<{ n: number | null }>(c, 'SELECT MAX(version) AS n FROM mapping_versions WHERE system_id = $1', [v.systemId]))?.n ?? 0) + 1;
      await c.query(`INSERT INTO mapping_versions (system_id, version, sha256, document, size, created_at, created_by, note)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, [v.systemId, n, v.sha256, v.document, v.size, v.createdAt, v.createdBy, v.note]);
    }
    let previous = await this.activeOf(c, v.systemId);
    if (activate) {
      previous = await this.activateIn(c, v.systemId, n);
      await append(activate);
    }
    return { version: n, created: same === undefined, previous };
  }

  private async activeOf(db: Db, systemId: string): Promise<number | null> {
    return (await one<{ version: number }>(db, 'SELECT version FROM mapping_active WHERE system_id = $1', [systemId]))?.version ?? null;
  }

  private async activateIn(c: pg.PoolClient, systemId: string, n: number): Promise<number | null> {
    const previous = (await one<{ version: number }>(c, 'SELECT version FROM mapping_active WHERE system_id = $1 FOR UPDATE', [systemId]))?.version ?? null;
    await c.query('INSERT INTO mapping_active (system_id, version) VALUES ($1, $2) ON CONFLICT (system_id) DO UPDATE SET version = excluded.version', [systemId, n]);
    // Delivered at commit: every instance reloads its registry, so the new version decodes there within 1 s
    // (mapping.md §13), as for a registration or key change.
    await c.query('SELECT pg_notify($1, $2)', [CHANNEL.keys, '']);
    return previous;
  }

  async addVersion(v: MappingVersionInsert, audit: AuditEntry, activate: AuditEntry | null) {
    const r = await this.log.audited(audit, (c, append) => this.addIn(c, v, activate, append));
    if (activate) this.changed();
    return r;
  }

  async activate(systemId: string, n: number, audit: AuditEntry): Promise<number | null> {
    const previous = await this.log.audited(audit, (c) => this.activateIn(c, systemId, n));
    this.changed();
    return previous;
  }

  async listVersions(systemId: string) {
    const items = await rows<MappingVersionInfo>(this.pool, `SELECT ${VERSION_COLS} FROM mapping_versions v
      LEFT JOIN mapping_active a ON a.system_id = v.system_id AND a.version = v.version WHERE v.system_id = $1 ORDER BY v.version`, [systemId]);
    return { active: await this.activeOf(this.pool, systemId), items };
  }

  getVersion(systemId: string, n: number) {
    return one<MappingVersionInfo & { document: string }>(this.pool, `SELECT ${VERSION_COLS}, v.document FROM mapping_versions v
      LEFT JOIN mapping_active a ON a.system_id = v.system_id AND a.version = v.version WHERE v.system_id = $1 AND v.version = $2`, [systemId, n]);
  }

  activeVersions() {
    return rows<{ systemId: string; version: number; sha256: string; document: string }>(this.pool, `SELECT v.system_id AS "systemId", v.version,
      v.sha256, v.document FROM mapping_active a JOIN mapping_versions v ON v.system_id = a.system_id AND v.version = a.version`);
  }

  async addSample(s: SampleRecord, audit: AuditEntry): Promise<void> {
    await this.log.audited(audit, (c) => c.query(`INSERT INTO samples (id, system_id, name, content_type, payload, payload_sha256, expected,
      approved_version, created_at, created_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
    [s.id, s.systemId, s.name, s.contentType, s.payload, s.payloadSha256, JSON.stringify(s.expected), s.approvedVersion, s.createdAt, s.createdBy]));
  }

  async listSamples(systemId: string): Promise<SampleRecord[]> {
    // COLLATE "C": the order SQLite's BINARY gives.
    return (await rows<SampleRow>(this.pool, `SELECT ${SAMPLE_COLS} FROM samples WHERE system_id = $1 ORDER BY created_at COLLATE "C", id COLLATE "C"`, [systemId])).map(sample);
  }

  async getSample(systemId: string, id: string) {
    const r = await one<SampleRow>(this.pool, `SELECT ${SAMPLE_COLS} FROM samples WHERE system_id = $1 AND id = $2`, [systemId, id]);
    return r ? sample(r) : undefined;
  }

  async findSample(systemId: string, payloadSha256: string) {
    const r = await one<SampleRow>(this.pool, `SELECT ${SAMPLE_COLS} FROM samples WHERE system_id = $1 AND payload_sha256 = $2`, [systemId, payloadSha256]);
    return r ? sample(r) : undefined;
  }

  async countSamples(systemId: string): Promise<number> {
    return (await one<{ n: number }>(this.pool, 'SELECT count(*) AS n FROM samples WHERE system_id = $1', [systemId]))!.n;
  }

  async approveSample(systemId: string, id: string, expected: unknown, approvedVersion: string, audit: AuditEntry): Promise<void> {
    await this.log.audited(audit, (c) => c.query('UPDATE samples SET expected = $1, approved_version = $2 WHERE system_id = $3 AND id = $4',
      [JSON.stringify(expected), approvedVersion, systemId, id]));
  }

  deleteSample(systemId: string, id: string, audit: AuditEntry): Promise<boolean> {
    return this.log.audited(audit, async (c) => !!(await c.query('DELETE FROM samples WHERE system_id = $1 AND id = $2', [systemId, id])).rowCount);
  }

  async provenance(code: string): Promise<ProvenanceReport> {
    const revisions = (await rows<Omit<ProvenanceReport['revisions'][number], 'decodedBy'> & { decodedBy: string | null }>(this.pool, `SELECT revision, type,
      source_system AS source, accepted_at AS at, receipt_id AS "receiptId", payload_sha256 AS "payloadSha256", decoded_by AS "decodedBy"
      FROM changes WHERE dossier_code = $1 ORDER BY revision`, [code])).map((r) => ({ ...r, decodedBy: prov(r.decodedBy) }));
    // One row per (system, event) with its outcome; each push try is a row of delivery_attempts. A mailbox
    // message is one attempt (written to the mailbox; delivered once acknowledged).
    const tries = new Map<string, ProvenanceReport['deliveries'][number]['attempts']>();
    for (const a of await rows<{ system: string; eventId: string; at: string; status: number | null; verdict: string; encodedBy: string | null }>(this.pool,
      `SELECT system_id AS system, event_id AS "eventId", at, status, verdict, encoded_by AS "encodedBy" FROM delivery_attempts WHERE dossier_code = $1 ORDER BY seq`, [code])) {
      const k = `${a.system}\u0000${a.eventId}`;
      tries.set(k, [...(tries.get(k) ?? []), { at: new Date(Number(a.at)).toISOString(), status: a.status, verdict: a.verdict, encodedBy: prov(a.encodedBy) }]);
    }
    const found = await rows<{ system: string; eventId: string; revision: number; state: string; at: number; encodedBy: string | null }>(this.pool,
      `SELECT system_id AS system, event_id AS "eventId", revision, state, updated_at AS at, encoded_by AS "encodedBy" FROM deliveries WHERE dossier_code = $1
      UNION ALL SELECT system_id, event_id, revision, CASE WHEN acked_at IS NULL THEN 'pending' ELSE 'delivered' END, created_at, encoded_by
      FROM mailbox WHERE dossier_code = $1 ORDER BY revision`, [code]);
    const deliveries = found.map((r) => ({
      system: r.system, eventId: r.eventId, revision: r.revision, state: r.state,
      attempts: tries.get(`${r.system}\u0000${r.eventId}`) ?? (r.state === 'pending' && r.encodedBy === null ? [] : [{
        at: new Date(Number(r.at)).toISOString(), status: null, verdict: r.state === 'delivered' ? 'ok' : r.state, encodedBy: prov(r.encodedBy),
      }]),
    }));
    return { revisions, deliveries };
  }
}
