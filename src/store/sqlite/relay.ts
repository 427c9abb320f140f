// The relay's tables in the embedded store (migration 2): planned deliveries, mailboxes, dead letters.
// Every write here is keyed by (system, eventId) so a replanned or redelivered event changes nothing.
import { EventEmitter } from 'node:events';
import type Database from 'better-sqlite3';
import { ulid } from '../../util/id.js';
import { formatVn } from '../../util/time.js';
import type { DeadLetter, DeadLetterInsert, DeliveryAttempt, MailboxInsert, MailboxMessage, PlannedDelivery, Provenance, RelayStore } from '../types.js';

interface DeadRow {
  id: string; systemId: string; eventId: string; dossierCode: string; revision: number; reason: string;
  attempts: number; lastResponse: string | null; failedAt: string; event: string; encodedBy: string | null;
}

/** A dead letter as read back, with the `encodedBy` it recorded (mapping.md §13: a replay may use that version). */
const deadOf = ({ encodedBy, ...r }: DeadRow): DeadLetter => ({ ...r, encodedBy: encodedBy === null ? null : (JSON.parse(encodedBy) as Provenance) });

export class SqliteRelayStore implements RelayStore {
  private readonly events = new EventEmitter();
  private readonly q;

  constructor(private readonly db: Database.Database) {
    this.events.setMaxListeners(0); // one per waiting long-poll
    const p = (sql: string) => db.prepare(sql);
    const deadCols = `id, system_id AS systemId, event_id AS eventId, dossier_code AS dossierCode, revision, reason, attempts,
      last_response AS lastResponse, failed_at AS failedAt, event, encoded_by AS encodedBy`;
    this.q = {
      planPush: p(`INSERT INTO deliveries (system_id, event_id, dossier_code, revision, state, updated_at) VALUES (?, ?, ?, ?, 'pending', ?)
        ON CONFLICT DO NOTHING`),
      planMail: p(`INSERT INTO mailbox (id, system_id, event_id, type, dossier_code, revision, content_type, body, body_is_json, visible_at, created_at)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`),
      deadExists: p("SELECT 1 FROM dead_letters WHERE system_id = ? AND event_id = ? AND state = 'open'").pluck(),
      insertDead: p(`INSERT INTO dead_letters (id, system_id, event_id, dossier_code, revision, reason, attempts, last_response, failed_at, event)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
      upsertDelivery: p(`INSERT INTO deliveries (system_id, event_id, dossier_code, revision, state, updated_at) VALUES (?, ?, ?, ?, ?, ?)
        ON CONFLICT (system_id, event_id) DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at`),
      state: p('SELECT state FROM deliveries WHERE system_id = ? AND event_id = ?').pluck(),
      earlier: p(`SELECT 1 FROM deliveries WHERE system_id = ? AND dossier_code = ? AND revision < ? AND state = 'pending' LIMIT 1`).pluck(),
      setState: p('UPDATE deliveries SET state = ?, updated_at = ? WHERE system_id = ? AND event_id = ?'),
      setEncodedBy: p('UPDATE deliveries SET encoded_by = ? WHERE system_id = ? AND event_id = ?'),
      attempt: p('INSERT INTO delivery_attempts (system_id, event_id, dossier_code, at, status, verdict, encoded_by) VALUES (?, ?, ?, ?, ?, ?, ?)'),
      deadEncodedBy: p('UPDATE dead_letters SET encoded_by = ? WHERE id = ?'),
      mailEncodedBy: p('UPDATE mailbox SET encoded_by = ? WHERE system_id = ? AND event_id = ?'),
      getDead: p(`SELECT ${deadCols} FROM dead_letters WHERE id = ? AND state = 'open'`),
      resolveDead: p("UPDATE dead_letters SET state = ?, resolved_at = ? WHERE id = ? AND state = 'open'"),
      ready: p(`SELECT id, event_id AS eventId, type, dossier_code AS dossierCode, revision, content_type AS contentType, body, body_is_json AS json
        FROM mailbox WHERE system_id = ? AND acked_at IS NULL AND visible_at <= ? ORDER BY seq LIMIT ?`),
      hide: p('UPDATE mailbox SET visible_at = ?, handed_out = handed_out + 1 WHERE id = ?'),
      mailRow: p('SELECT acked_at AS ackedAt FROM mailbox WHERE system_id = ? AND id = ?'),
      ack: p('UPDATE mailbox SET acked_at = ? WHERE id = ? AND acked_at IS NULL'),
      nextVisible: p('SELECT MIN(visible_at) FROM mailbox WHERE system_id = ? AND acked_at IS NULL').pluck(),
    };
  }

  async plan(push: readonly PlannedDelivery[], mailbox: readonly MailboxInsert[], dead: readonly DeadLetterInsert[]): Promise<void> {
    if (!push.length && !mailbox.length && !dead.length) return;
    const now = Date.now();
    const woken = new Set<string>();
    this.db.transaction(() => {
      for (const d of push) this.q.planPush.run(d.systemId, d.eventId, d.dossierCode, d.revision, now);
      for (const m of mailbox) {
        const r = this.q.planMail.run(ulid(now), m.systemId, m.eventId, m.type, m.dossierCode, m.revision, m.contentType, m.body, m.bodyIsJson ? 1 : 0, now, now);
        if (r.changes && m.encodedBy) this.q.mailEncodedBy.run(JSON.stringify(m.encodedBy), m.systemId, m.eventId);
        if (r.changes) woken.add(m.systemId);
      }
      for (const d of dead) if (!this.q.deadExists.get(d.systemId, d.eventId) && this.q.state.get(d.systemId, d.eventId) !== 'dead') this.insertDead(d, now);
    })();
    for (const s of woken) this.events.emit('mailbox', s);
  }

  private insertDead(d: DeadLetterInsert, now: number): DeadLetter {
    const row: DeadLetter = { ...d, id: ulid(now), failedAt: formatVn(now) };
    this.q.insertDead.run(row.id, d.systemId, d.eventId, d.dossierCode, d.revision, d.reason, d.attempts, d.lastResponse, row.failedAt, d.event);
    this.q.upsertDelivery.run(d.systemId, d.eventId, d.dossierCode, d.revision, 'dead', now);
    if (d.encodedBy) {
      this.q.deadEncodedBy.run(JSON.stringify(d.encodedBy), row.id);
      this.q.setEncodedBy.run(JSON.stringify(d.encodedBy), d.systemId, d.eventId);
    }
    return row;
  }

  async deliveryState(systemId: string, eventId: string) {
    return this.q.state.get(systemId, eventId) as 'pending' | 'delivered' | 'dead' | undefined;
  }

  async earlierPending(systemId: string, dossierCode: string, revision: number): Promise<boolean> {
    return !!this.q.earlier.get(systemId, dossierCode, revision);
  }

  async markDelivered(systemId: string, eventId: string, encodedBy?: Provenance | null): Promise<void> {
    this.q.setState.run('delivered', Date.now(), systemId, eventId);
    if (encodedBy) this.q.setEncodedBy.run(JSON.stringify(encodedBy), systemId, eventId);
  }

  async recordAttempt(a: DeliveryAttempt): Promise<void> {
    this.q.attempt.run(a.systemId, a.eventId, a.dossierCode, a.at, a.status, a.verdict, a.encodedBy ? JSON.stringify(a.encodedBy) : null);
  }

  async addDeadLetter(d: DeadLetterInsert): Promise<DeadLetter> {
    return this.db.transaction(() => this.insertDead(d, Date.now()))();
  }

  async listDeadLetters(q: { system?: string; after?: string; limit: number }): Promise<DeadLetter[]> {
    const where = ["state = 'open'", 'id > @after'];
    if (q.system) where.push('system_id = @system');
    const rows = this.db.prepare(`SELECT id, system_id AS systemId, event_id AS eventId, dossier_code AS dossierCode, revision, reason, attempts,
      last_response AS lastResponse, failed_at AS failedAt, event, encoded_by AS encodedBy FROM dead_letters WHERE ${where.join(' AND ')} ORDER BY id LIMIT @limit`)
      .all({ after: q.after ?? '', system: q.system ?? null, limit: q.limit }) as DeadRow[];
    return rows.map(deadOf);
  }

  async getDeadLetter(id: string): Promise<DeadLetter | undefined> {
    const r = this.q.getDead.get(id) as DeadRow | undefined;
    return r && deadOf(r);
  }

  async resolveDeadLetter(id: string, how: 'replayed' | 'discarded'): Promise<boolean> {
    return this.db.transaction(() => {
      const d = this.q.getDead.get(id) as DeadRow | undefined;
      if (!d) return false;
      const now = Date.now();
      this.q.resolveDead.run(how, now, id);
      if (how === 'replayed') this.q.upsertDelivery.run(d.systemId, d.eventId, d.dossierCode, d.revision, 'pending', now);
      return true;
    })();
  }

  async mailboxTake(systemId: string, max: number, visibilityMs: number, now = Date.now()): Promise<MailboxMessage[]> {
    return this.db.transaction(() => {
      const rows = this.q.ready.all(systemId, now, max) as (Omit<MailboxMessage, 'body'> & { body: string; json: number })[];
      for (const r of rows) this.q.hide.run(now + visibilityMs, r.id);
      return rows.map(({ json, body, ...r }) => ({ ...r, body: json ? JSON.parse(body) : body }));
    })();
  }

  async mailboxAck(systemId: string, id: string): Promise<'acked' | 'already' | 'unknown'> {
    const row = this.q.mailRow.get(systemId, id) as { ackedAt: number | null } | undefined;
    if (!row) return 'unknown';
    if (row.ackedAt !== null) return 'already';
    this.q.ack.run(Date.now(), id);
    return 'acked';
  }

  async mailboxNextVisible(systemId: string): Promise<number | null> {
    return (this.q.nextVisible.get(systemId) as number | null) ?? null;
  }

  async depths(): Promise<{ deadLetters: Record<string, number>; mailbox: Record<string, number> }> {
    // Both counts read only the partial indexes of open rows (dead_letters_open, mailbox_ready).
    const rows = (sql: string) => Object.fromEntries((this.db.prepare(sql).raw().all() as [string, number][]));
    return {
      deadLetters: rows("SELECT system_id, count(*) FROM dead_letters WHERE state = 'open' GROUP BY system_id"),
      mailbox: rows('SELECT system_id, count(*) FROM mailbox WHERE acked_at IS NULL GROUP BY system_id'),
    };
  }

  async pendingDeliveries(): Promise<Record<string, number>> {
    // Reads only the partial index of pending rows (deliveries_pending).
    return Object.fromEntries(this.db.prepare("SELECT system_id, count(*) FROM deliveries WHERE state = 'pending' GROUP BY system_id").raw().all() as [string, number][]);
  }

  onMailbox(listener: (systemId: string) => void): () => void {
    this.events.on('mailbox', listener);
    return () => this.events.off('mailbox', listener);
  }
}
