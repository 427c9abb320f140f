// Mapping versions, the active pointer, samples and provenance of the embedded store (migration 9,
// mapping.md §13, §17). Every change commits with its audit entry in one transaction: the active pointer never
// moves unaudited, and no entry describes an activation that failed.
import type Database from 'better-sqlite3';
import { auditedIn, type SqliteAuditLog } from './audit-chain.js';
import type {
  AuditEntry, MappingStore, MappingVersionInfo, MappingVersionInsert, Provenance, ProvenanceReport, SampleRecord,
} from '../types.js';

type VersionRow = { version: number; sha256: string; size: number; createdAt: string; createdBy: string; note: string | null; active: number };
type SampleRow = { id: string; systemId: string; name: string; contentType: string; payload: Buffer; payloadSha256: string;
  expected: string; approvedVersion: string; createdAt: string; createdBy: string };

const VERSION_COLS = `v.version, v.sha256, v.size, v.created_at AS createdAt, v.created_by AS createdBy, v.note,
  (a.version IS NOT NULL) AS active`;
const SAMPLE_COLS = `id, system_id AS systemId, name, content_type AS contentType, payload, payload_sha256 AS payloadSha256,
  expected, approved_version AS approvedVersion, created_at AS createdAt, created_by AS createdBy`;

const version = (r: VersionRow): MappingVersionInfo => ({ ...r, active: !!r.active });
const sample = (r: SampleRow): SampleRecord => ({ ...r, expected: JSON.parse(r.expected) as unknown });
const prov = (s: string | null): Provenance | null => (s ? JSON.parse(s) as Provenance : null);

export class SqliteMappingStore implements MappingStore {
  private readonly tx;

  constructor(private readonly db: Database.Database, private readonly log: SqliteAuditLog) {
    const audited = auditedIn(db, log);
    this.tx = {
      add: audited((v: MappingVersionInsert, activate: AuditEntry | null) => this.addIn(v, activate)),
      activate: audited((systemId: string, n: number) => this.activateIn(systemId, n)),
      addSample: audited((s: SampleRecord) => {
        db.prepare(`INSERT INTO samples (id, system_id, name, content_type, payload, payload_sha256, expected, approved_version, created_at, created_by)
          VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`).run(s.id, s.systemId, s.name, s.contentType, s.payload, s.payloadSha256,
          JSON.stringify(s.expected), s.approvedVersion, s.createdAt, s.createdBy);
      }),
      approve: audited((systemId: string, id: string, expected: unknown, approvedVersion: string) => {
        db.prepare('UPDATE samples SET expected = ?, approved_version = ? WHERE system_id = ? AND id = ?').run(JSON.stringify(expected), approvedVersion, systemId, id);
      }),
      remove: audited((systemId: string, id: string) => db.prepare('DELETE FROM samples WHERE system_id = ? AND id = ?').run(systemId, id).changes > 0),
    };
  }

  /** Inside a caller's transaction too (a registration stores its version 1 with the system). */
  addIn(v: MappingVersionInsert, activate: AuditEntry | null): { version: number; created: boolean; previous: number | null } {
    const db = this.db;
    const same = db.prepare('SELECT version FROM mapping_versions WHERE system_id = ? AND sha256 = ?').pluck().get(v.systemId, v.sha256) as number | undefined;
    let n = same;
    if (n === undefined) {
      n = ((db.prepare('SELECT MAX(version) FROM mapping_versions WHERE system_id = ?').pluck().get(v.systemId) as number | null) ?? 0) + 1;
      db.prepare(`INSERT INTO mapping_versions (system_id, version, sha256, document, size, created_at, created_by, note)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?)`).run(v.systemId, n, v.sha256, v.document, v.size, v.createdAt, v.createdBy, v.note);
    }
    let previous = this.activeOf(v.systemId);
    if (activate) {
      previous = this.activateIn(v.systemId, n);
      this.log.append(activate);
    }
    return { version: n, created: same === undefined, previous };
  }

  private activeOf(systemId: string): number | null {
    return (this.db.prepare('SELECT version FROM mapping_active WHERE system_id = ?').pluck().get(systemId) as number | undefined) ?? null;
  }

  private activateIn(systemId: string, n: number): number | null {
    const previous = this.activeOf(systemId);
    this.db.prepare('INSERT INTO mapping_active (system_id, version) VALUES (?, ?) ON CONFLICT (system_id) DO UPDATE SET version = excluded.version').run(systemId, n);
    return previous;
  }

  async addVersion(v: MappingVersionInsert, audit: AuditEntry, activate: AuditEntry | null) {
    return this.tx.add(audit, v, activate);
  }

  async activate(systemId: string, n: number, audit: AuditEntry): Promise<number | null> {
    return this.tx.activate(audit, systemId, n);
  }

  async listVersions(systemId: string) {
    const items = (this.db.prepare(`SELECT ${VERSION_COLS} FROM mapping_versions v
      LEFT JOIN mapping_active a ON a.system_id = v.system_id AND a.version = v.version WHERE v.system_id = ? ORDER BY v.version`).all(systemId) as VersionRow[]).map(version);
    return { active: this.activeOf(systemId), items };
  }

  async getVersion(systemId: string, n: number) {
    const r = this.db.prepare(`SELECT ${VERSION_COLS}, v.document FROM mapping_versions v
      LEFT JOIN mapping_active a ON a.system_id = v.system_id AND a.version = v.version WHERE v.system_id = ? AND v.version = ?`).get(systemId, n) as
      (VersionRow & { document: string }) | undefined;
    return r ? { ...version(r), document: r.document } : undefined;
  }

  async activeVersions() {
    return this.db.prepare(`SELECT v.system_id AS systemId, v.version, v.sha256, v.document FROM mapping_active a
      JOIN mapping_versions v ON v.system_id = a.system_id AND v.version = a.version`).all() as
      { systemId: string; version: number; sha256: string; document: string }[];
  }

  async addSample(s: SampleRecord, audit: AuditEntry): Promise<void> {
    this.tx.addSample(audit, s);
  }

  async listSamples(systemId: string): Promise<SampleRecord[]> {
    return (this.db.prepare(`SELECT ${SAMPLE_COLS} FROM samples WHERE system_id = ? ORDER BY created_at, id`).all(systemId) as SampleRow[]).map(sample);
  }

  async getSample(systemId: string, id: string) {
    const r = this.db.prepare(`SELECT ${SAMPLE_COLS} FROM samples WHERE system_id = ? AND id = ?`).get(systemId, id) as SampleRow | undefined;
    return r ? sample(r) : undefined;
  }

  async findSample(systemId: string, payloadSha256: string) {
    const r = this.db.prepare(`SELECT ${SAMPLE_COLS} FROM samples WHERE system_id = ? AND payload_sha256 = ?`).get(systemId, payloadSha256) as SampleRow | undefined;
    return r ? sample(r) : undefined;
  }

  async countSamples(systemId: string): Promise<number> {
    return this.db.prepare('SELECT COUNT(*) FROM samples WHERE system_id = ?').pluck().get(systemId) as number;
  }

  async approveSample(systemId: string, id: string, expected: unknown, approvedVersion: string, audit: AuditEntry): Promise<void> {
    this.tx.approve(audit, systemId, id, expected, approvedVersion);
  }

  async deleteSample(systemId: string, id: string, audit: AuditEntry): Promise<boolean> {
    return this.tx.remove(audit, systemId, id);
  }

  async provenance(code: string): Promise<ProvenanceReport> {
    const revisions = (this.db.prepare(`SELECT revision, type, source_system AS source, accepted_at AS at, receipt_id AS receiptId,
      payload_sha256 AS payloadSha256, decoded_by AS decodedBy FROM changes WHERE dossier_code = ? ORDER BY revision`).all(code) as
      (Omit<ProvenanceReport['revisions'][number], 'decodedBy'> & { decodedBy: string | null })[]).map((r) => ({ ...r, decodedBy: prov(r.decodedBy) }));
    // One row per (system, event) with its outcome; each push try is a row of delivery_attempts. A mailbox
    // message is one attempt (written to the mailbox; delivered once acknowledged).
    const tries = new Map<string, ProvenanceReport['deliveries'][number]['attempts']>();
    for (const a of this.db.prepare(`SELECT system_id AS system, event_id AS eventId, at, status, verdict, encoded_by AS encodedBy FROM delivery_attempts
      WHERE dossier_code = ? ORDER BY seq`).all(code) as { system: string; eventId: string; at: number; status: number | null; verdict: string; encodedBy: string | null }[]) {
      const k = `${a.system}\u0000${a.eventId}`;
      tries.set(k, [...(tries.get(k) ?? []), { at: new Date(a.at).toISOString(), status: a.status, verdict: a.verdict, encodedBy: prov(a.encodedBy) }]);
    }
    const rows = this.db.prepare(`SELECT system_id AS system, event_id AS eventId, revision, state, updated_at AS at, encoded_by AS encodedBy
      FROM deliveries WHERE dossier_code = ?
      UNION ALL SELECT system_id, event_id, revision, CASE WHEN acked_at IS NULL THEN 'pending' ELSE 'delivered' END, created_at, encoded_by
      FROM mailbox WHERE dossier_code = ? ORDER BY revision`).all(code, code) as
      { system: string; eventId: string; revision: number; state: string; at: number; encodedBy: string | null }[];
    const deliveries = rows.map((r) => ({
      system: r.system, eventId: r.eventId, revision: r.revision, state: r.state,
      attempts: tries.get(`${r.system}\u0000${r.eventId}`) ?? (r.state === 'pending' && r.encodedBy === null ? [] : [{
        at: new Date(r.at).toISOString(), status: null, verdict: r.state === 'delivered' ? 'ok' : r.state, encodedBy: prov(r.encodedBy),
      }]),
    }));
    return { revisions, deliveries };
  }
}
