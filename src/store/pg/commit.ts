// One commit on PostgreSQL, correct with several instances writing at once. Each commit is its own transaction
// (READ COMMITTED), in two phases:
//
// 1. Decide, under locks that serialise only what must be: a transaction-level advisory lock on the sender's
//    local number (two first sends of one local number make one dossier, not two) and on the dossier's code, taken
//    before the dossier is read, so two instances updating one dossier decide one after the other and its
//    revisions stay gapless (the lock works also for a code no row holds yet). A new code comes from the agency's
//    counter row of that day, locked by `INSERT … ON CONFLICT DO UPDATE` until commit: numbers are unique and
//    gapless across instances (a rolled-back commit rolls its number back).
// 2. Append, under the feed lock: positions are taken from change_seq only while holding it, and it is released
//    only once the transaction's commit is visible. So positions are handed out in commit order: when a reader
//    sees position n, every transaction with a smaller position had committed before n was taken, and its rows are
//    in the reader's snapshot too. A page of the feed therefore never skips a change that commits later with a
//    smaller position, whatever order instances commit in. The lock is held for the inserts and the commit only;
//    deciding and validating happen before it.
//
// Locks are always taken in this order (local number, code, counter row, issued code, feed), so no two commits
// wait on each other in a cycle.
import type pg from 'pg';
import type { Dossier } from '../../canonical/types.js';
import { scopeAgencies, type Revision } from '../../dossiers/rules.js';
import { asServed } from '../../dossiers/steps.js';
import { parseRfc3339 } from '../../util/time.js';
import {
  MAX_SEQUENCE, codePrefix, codesExhausted, duplicateReceipt, issuedCode, localCodeConflict, planCommit, spellings, validateAfterIssue, validateBeforeIssue,
} from '../commit-plan.js';
import { clockColumns } from '../sqlite/stats.js';
import type { CommitItem, CommitResult } from '../types.js';
import { CHANNEL, LOCK, one } from './db.js';

const ms = (iso: string | null | undefined) => (iso ? parseRfc3339(iso) : null);
const lock = (c: pg.PoolClient, space: number, key: string) => c.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [space, key]);

export async function applyCommit(c: pg.PoolClient, item: CommitItem): Promise<CommitResult> {
  if (item.ref.localCode) await lock(c, LOCK.localCode, JSON.stringify([item.source, item.ref.localCode]));
  const mapped = item.ref.localCode
    ? (await one<{ code: string }>(c, 'SELECT dossier_code AS code FROM alt_codes WHERE system_id = $1 AND local_code = $2', [item.source, item.ref.localCode]))?.code
    : undefined;
  if (mapped && item.ref.code && mapped !== item.ref.code) throw localCodeConflict(item.ref.localCode!, item.source, mapped, '/code');
  const code = item.ref.code ?? mapped;
  if (code) await lock(c, LOCK.dossier, code);
  const doc = code ? (await one<{ doc: string }>(c, 'SELECT doc FROM dossiers WHERE code = $1', [code]))?.doc : undefined;
  const current: Dossier | null = doc ? asServed(JSON.parse(doc) as Dossier) : null;
  if (current) {
    const last = await one<{ sha: string; receipt: string }>(c, `SELECT canonical_sha256 AS sha, receipt FROM changes
      WHERE dossier_code = $1 AND source_system = $2 AND receipt IS NOT NULL ORDER BY seq DESC LIMIT 1`, [current.code, item.source]);
    if (last && last.sha === item.canonicalSha256) return { receipt: duplicateReceipt(last.receipt), dossier: current, revisions: [] };
  }
  const revisions = item.decide(current);
  const first = revisions[0]!.dossier;
  if (!current && first.code && first.code !== code) await lock(c, LOCK.dossier, first.code);
  const issued = validateBeforeIssue(item, revisions) ? await issueCode(c, first.agency.code, first.receivedAt) : undefined;
  validateAfterIssue(item, revisions, issued);
  const plan = planCommit(item, revisions);

  // The feed lock is taken by the first revision's statement (APPEND).
  for (const row of plan.rows) await appendRevision(c, item, row.revision, row, plan);
  return { receipt: plan.receipt, dossier: revisions[revisions.length - 1]!.dossier, revisions };
}

/**
 * One revision's rows in one statement (issue 13): the position, the change, the outbox row, the dossier and its
 * scope. Every round trip here happens under the feed lock, and under load each one also waits for this process's
 * event loop, so the lock was held for nine of them (the lock itself, nextval, five inserts, the NOTIFY, COMMIT); it is two
 * now, this statement (which also takes the lock) and COMMIT, plus two per alternative code.
 */
const APPEND = `WITH l AS MATERIALIZED (SELECT pg_advisory_xact_lock($32)),
  -- The position is drawn from a row of l: only once the feed lock is held.
  s AS (SELECT nextval('change_seq') AS seq FROM l),
  c AS (INSERT INTO changes (seq, dossier_code, revision, event_id, type, source_system, previous_status, status, payload_sha256,
      canonical_sha256, receipt_id, accepted_at, correlation_id, receipt, signature, decoded_by)
    SELECT s.seq, $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15 FROM s),
  o AS (INSERT INTO outbox (seq, event_id, dossier_code, revision, type, source_system, correlation_id, traceparent, event, created_at)
    SELECT s.seq, $3, $1, $2, $4, $5, $12, $16, $17, $18 FROM s),
  d AS (INSERT INTO dossiers (code, agency, status, procedure, received_at, due_at, finished_at, updated_at, revision, seq, doc,
      judged_due_at, supplement_since, extensions, due_provisional)
    SELECT $1, $19, $7, $20, $21, $22, $23, $24, $2, s.seq, $25, $26, $27, $28, $29 FROM s
    ON CONFLICT (code) DO UPDATE SET agency = excluded.agency, status = excluded.status, procedure = excluded.procedure,
      received_at = excluded.received_at, due_at = excluded.due_at, finished_at = excluded.finished_at, updated_at = excluded.updated_at,
      revision = excluded.revision, seq = excluded.seq, doc = excluded.doc, judged_due_at = excluded.judged_due_at,
      supplement_since = excluded.supplement_since, extensions = excluded.extensions, due_provisional = excluded.due_provisional
    RETURNING code),
  sc AS (INSERT INTO dossier_scope (agency, code) SELECT unnest($30::text[]), code FROM d ON CONFLICT DO NOTHING)
-- The instances' wake-up (LISTEN hub_committed), sent at commit; one per transaction whatever the revisions.
SELECT seq, pg_notify($31, '') FROM s`;

async function appendRevision(c: pg.PoolClient, item: CommitItem, r: Revision, row: { eventId: string; receipt: string | null; doc: string; event: string },
  plan: { receiptId: string; acceptedAt: string }): Promise<void> {
  const d = r.dossier;
  const k = clockColumns(d);
  await c.query(APPEND, [
    d.code, d.revision, row.eventId, r.type, item.source, r.previousStatus, d.status, item.payloadSha256, item.canonicalSha256,
    plan.receiptId, plan.acceptedAt, item.correlationId, row.receipt, item.signature ? JSON.stringify(item.signature) : null,
    item.decodedBy ? JSON.stringify(item.decodedBy) : null, item.traceparent ?? null, row.event, item.now,
    d.agency.code, d.procedure.code, ms(d.receivedAt), ms(d.dueAt), ms(d.finishedAt ?? d.returnedAt), ms(d.updatedAt), row.doc,
    k.judged_due_at, k.supplement_since, k.extensions, k.due_provisional, scopeAgencies(d), CHANNEL.committed, LOCK.feed,
  ]);
  for (const alt of d.altCodes ?? []) {
    await c.query('INSERT INTO alt_codes (system_id, local_code, dossier_code) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING', [alt.system, alt.code, d.code]);
    const owner = (await one<{ code: string }>(c, 'SELECT dossier_code AS code FROM alt_codes WHERE system_id = $1 AND local_code = $2', [alt.system, alt.code]))!.code;
    if (owner !== d.code) throw localCodeConflict(alt.code, alt.system, owner, '/altCodes');
  }
}

/**
 * The next number for the agency and the local date of receipt (canonical.md "Codes"), skipping numbers a dossier
 * already holds in any spelling; the counter row stays locked until commit, and the issued code's lock is taken
 * before it is checked, so a sender creating that very code on another instance is seen.
 */
async function issueCode(c: pg.PoolClient, agency: string, receivedAt: string): Promise<string> {
  const { prefix, day } = codePrefix(agency, receivedAt);
  const { last } = (await one<{ last: number }>(c, `INSERT INTO code_sequences (agency, day, last) VALUES ($1, $2, 0)
    ON CONFLICT (agency, day) DO UPDATE SET last = code_sequences.last RETURNING last`, [agency, day]))!;
  for (let n = last + 1; n <= MAX_SEQUENCE; n++) {
    const code = issuedCode(prefix, n);
    await lock(c, LOCK.dossier, code);
    const held = await one(c, 'SELECT 1 FROM dossiers WHERE code = ANY($1::text[])', [spellings(prefix, n)]);
    if (held) continue;
    await c.query('UPDATE code_sequences SET last = $3 WHERE agency = $1 AND day = $2', [agency, day, n]);
    return code;
  }
  throw codesExhausted(agency, day);
}
