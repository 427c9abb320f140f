// The relay's tables on PostgreSQL: planned deliveries, mailboxes, dead letters, keyed by (system, eventId) so a
// replanned or redelivered event changes nothing. Mailbox hand-outs lock the rows they hand out with
// `FOR UPDATE SKIP LOCKED`: two instances answering one system's long-polls at once never hand out one message
// twice. New mail is announced with NOTIFY, so a long-poll waiting on any instance wakes.
import type pg from 'pg';
import { ulid } from '../../util/id.js';
import { formatVn } from '../../util/time.js';
import type { DeadLetter, DeadLetterInsert, DeliveryAttempt, MailboxInsert, MailboxMessage, PlannedDelivery, Provenance, RelayStore } from '../types.js';
import type { Notifications } from './notify.js';
import { CHANNEL, one, rows, tx, type Db } from './db.js';

const json = (p: Provenance | null | undefined) => (p ? JSON.stringify(p) : null);
const DEAD_COLS = `id, system_id AS "systemId", event_id AS "eventId", dossier_code AS "dossierCode", revision, reason, attempts,
  last_response AS "lastResponse", failed_at AS "failedAt", event, encoded_by AS "encodedBy"`;
/** A dead letter as read back, with the `encodedBy` it recorded (mapping.md §13: a replay may use that version). */
type DeadRow = Omit<DeadLetter, 'encodedBy'> & { encodedBy: string | null };
const deadOf = ({ encodedBy, ...r }: DeadRow): DeadLetter => ({ ...r, encodedBy: encodedBy === null ? null : (JSON.parse(encodedBy) as Provenance) });
type State = 'pending' | 'delivered' | 'dead';

export class PgRelayStore implements RelayStore {
  constructor(private readonly pool: pg.Pool, private readonly notes: Notifications) {
    // After a reconnect a notification may have been missed: every mailbox with open messages looks again.
    notes.events.on('resync', () => {
      rows<{ s: string }>(pool, 'SELECT DISTINCT system_id AS s FROM mailbox WHERE acked_at IS NULL')
        .then((found) => { for (const r of found) notes.events.emit('mailbox', r.s); }, () => {});
    });
  }

  async plan(push: readonly PlannedDelivery[], mailbox: readonly MailboxInsert[], dead: readonly DeadLetterInsert[]): Promise<void> {
    if (!push.length && !mailbox.length && !dead.length) return;
    const now = Date.now();
    await tx(this.pool, async (c) => {
      for (const d of push) {
        await c.query(`INSERT INTO deliveries (system_id, event_id, dossier_code, revision, state, updated_at) VALUES ($1, $2, $3, $4, 'pending', $5)
          ON CONFLICT DO NOTHING`, [d.systemId, d.eventId, d.dossierCode, d.revision, now]);
      }
      const woken = new Set<string>();
      for (const m of mailbox) {
        const r = await c.query(`INSERT INTO mailbox (id, system_id, event_id, type, dossier_code, revision, content_type, body, body_is_json, visible_at,
          created_at, encoded_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10, $11) ON CONFLICT DO NOTHING`,
        [ulid(now), m.systemId, m.eventId, m.type, m.dossierCode, m.revision, m.contentType, m.body, m.bodyIsJson, now, json(m.encodedBy)]);
        if (r.rowCount) woken.add(m.systemId);
      }
      for (const d of dead) {
        const open = await one(c, "SELECT 1 FROM dead_letters WHERE system_id = $1 AND event_id = $2 AND state = 'open'", [d.systemId, d.eventId]);
        if (!open && (await this.stateIn(c, d.systemId, d.eventId)) !== 'dead') await this.insertDead(c, d, now);
      }
      for (const s of woken) await c.query('SELECT pg_notify($1, $2)', [CHANNEL.mailbox, s]);
    });
  }

  private async insertDead(c: Db, d: DeadLetterInsert, now: number): Promise<DeadLetter> {
    const row: DeadLetter = { ...d, id: ulid(now), failedAt: formatVn(now) };
    await c.query(`INSERT INTO dead_letters (id, system_id, event_id, dossier_code, revision, reason, attempts, last_response, failed_at, event, encoded_by)
      VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
    [row.id, d.systemId, d.eventId, d.dossierCode, d.revision, d.reason, d.attempts, d.lastResponse, row.failedAt, d.event, json(d.encodedBy)]);
    await this.setDelivery(c, d, 'dead', now, d.encodedBy);
    return row;
  }

  /** `encodedBy`: the attempt's adapter, kept when given (a replay keeps the last one). */
  private async setDelivery(c: Db, d: PlannedDelivery, state: State, now: number, encodedBy?: Provenance | null): Promise<void> {
    await c.query(`INSERT INTO deliveries (system_id, event_id, dossier_code, revision, state, updated_at, encoded_by) VALUES ($1, $2, $3, $4, $5, $6, $7)
      ON CONFLICT (system_id, event_id) DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at,
      encoded_by = COALESCE(excluded.encoded_by, deliveries.encoded_by)`,
    [d.systemId, d.eventId, d.dossierCode, d.revision, state, now, json(encodedBy)]);
  }

  private async stateIn(c: Db, systemId: string, eventId: string): Promise<State | undefined> {
    return (await one<{ state: State }>(c, 'SELECT state FROM deliveries WHERE system_id = $1 AND event_id = $2', [systemId, eventId]))?.state;
  }

  deliveryState(systemId: string, eventId: string) {
    return this.stateIn(this.pool, systemId, eventId);
  }

  async earlierPending(systemId: string, dossierCode: string, revision: number): Promise<boolean> {
    return !!(await one(this.pool, `SELECT 1 FROM deliveries WHERE system_id = $1 AND dossier_code = $2 AND revision < $3 AND state = 'pending' LIMIT 1`,
      [systemId, dossierCode, revision]));
  }

  async markDelivered(systemId: string, eventId: string, encodedBy?: Provenance | null): Promise<void> {
    await this.pool.query(`UPDATE deliveries SET state = 'delivered', updated_at = $1, encoded_by = COALESCE($4, encoded_by)
      WHERE system_id = $2 AND event_id = $3`, [Date.now(), systemId, eventId, json(encodedBy)]);
  }

  async recordAttempt(a: DeliveryAttempt): Promise<void> {
    await this.pool.query('INSERT INTO delivery_attempts (system_id, event_id, dossier_code, at, status, verdict, encoded_by) VALUES ($1, $2, $3, $4, $5, $6, $7)',
      [a.systemId, a.eventId, a.dossierCode, a.at, a.status, a.verdict, json(a.encodedBy)]);
  }

  addDeadLetter(d: DeadLetterInsert): Promise<DeadLetter> {
    return tx(this.pool, (c) => this.insertDead(c, d, Date.now()));
  }

  listDeadLetters(q: { system?: string; after?: string; limit: number }): Promise<DeadLetter[]> {
    return rows<DeadRow>(this.pool, `SELECT ${DEAD_COLS} FROM dead_letters WHERE state = 'open' AND id > $1 AND ($2::text IS NULL OR system_id = $2)
      ORDER BY id LIMIT $3`, [q.after ?? '', q.system ?? null, q.limit]).then((r) => r.map(deadOf));
  }

  getDeadLetter(id: string): Promise<DeadLetter | undefined> {
    return one<DeadRow>(this.pool, `SELECT ${DEAD_COLS} FROM dead_letters WHERE id = $1 AND state = 'open'`, [id]).then((r) => r && deadOf(r));
  }

  resolveDeadLetter(id: string, how: 'replayed' | 'discarded'): Promise<boolean> {
    return tx(this.pool, async (c) => {
      const d = await one<DeadRow>(c, `SELECT ${DEAD_COLS} FROM dead_letters WHERE id = $1 AND state = 'open' FOR UPDATE`, [id]);
      if (!d) return false;
      const now = Date.now();
      await c.query('UPDATE dead_letters SET state = $1, resolved_at = $2 WHERE id = $3', [how, now, id]);
      if (how === 'replayed') await this.setDelivery(c, d, 'pending', now);
      return true;
    });
  }

  mailboxTake(systemId: string, max: number, visibilityMs: number, now = Date.now()): Promise<MailboxMessage[]> {
    return tx(this.pool, async (c) => {
      const found = await rows<Omit<MailboxMessage, 'body'> & { seq: number; body: string; json: boolean }>(c, `UPDATE mailbox m
        SET visible_at = $3, handed_out = handed_out + 1
        FROM (SELECT seq FROM mailbox WHERE system_id = $1 AND acked_at IS NULL AND visible_at <= $2 ORDER BY seq LIMIT $4 FOR UPDATE SKIP LOCKED) picked
        WHERE m.seq = picked.seq
        RETURNING m.seq, m.id, m.event_id AS "eventId", m.type, m.dossier_code AS "dossierCode", m.revision, m.content_type AS "contentType", m.body, m.body_is_json AS json`,
      [systemId, now, now + visibilityMs, max]);
      // RETURNING keeps no order: oldest first, as the mailbox promises.
      return found.sort((a, b) => a.seq - b.seq).map(({ seq: _seq, json, body, ...r }) => ({ ...r, body: json ? JSON.parse(body) as unknown : body }));
    });
  }

  async mailboxAck(systemId: string, id: string): Promise<'acked' | 'already' | 'unknown'> {
    const r = await this.pool.query('UPDATE mailbox SET acked_at = $1 WHERE system_id = $2 AND id = $3 AND acked_at IS NULL', [Date.now(), systemId, id]);
    if (r.rowCount) return 'acked';
    return (await one(this.pool, 'SELECT 1 FROM mailbox WHERE system_id = $1 AND id = $2', [systemId, id])) ? 'already' : 'unknown';
  }

  async mailboxNextVisible(systemId: string): Promise<number | null> {
    return (await one<{ v: number | null }>(this.pool, 'SELECT MIN(visible_at) AS v FROM mailbox WHERE system_id = $1 AND acked_at IS NULL', [systemId]))?.v ?? null;
  }

  async depths(): Promise<{ deadLetters: Record<string, number>; mailbox: Record<string, number> }> {
    const count = async (sql: string) => Object.fromEntries((await rows<{ s: string; n: number }>(this.pool, sql)).map((r) => [r.s, r.n]));
    return {
      deadLetters: await count("SELECT system_id AS s, count(*) AS n FROM dead_letters WHERE state = 'open' GROUP BY system_id"),
      mailbox: await count('SELECT system_id AS s, count(*) AS n FROM mailbox WHERE acked_at IS NULL GROUP BY system_id'),
    };
  }

  onMailbox(listener: (systemId: string) => void): () => void {
    this.notes.events.on('mailbox', listener);
    return () => this.notes.events.off('mailbox', listener);
  }
}
