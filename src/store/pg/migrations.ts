// Versioned migrations of the PostgreSQL store: a list of its own (the SQLite list's numbers mean nothing here).
// Append only. They run under a session advisory lock, so instances starting at the same moment apply each
// migration once: the first takes the lock and migrates, the others wait, then find nothing left to do.
// Epoch-millisecond instants are bigint; documents (dossiers, systems, audit detail, mapping documents) are text,
// not jsonb: key order matters to hashes (api.md "Audit log", mapping.md §13).
import type pg from 'pg';
import { LOCK } from './db.js';

export interface PgMigration { version: number; name: string; sql: string }

export const PG_MIGRATIONS: PgMigration[] = [
  {
    version: 1,
    name: 'schema',
    sql: `
CREATE TABLE systems (
  id text PRIMARY KEY,
  doc text NOT NULL,
  status text NOT NULL CHECK (status IN ('active', 'retired')),
  created_at text NOT NULL,
  updated_at text NOT NULL,
  retired_at text,
  last_seen_at text
);
CREATE TABLE system_agencies (agency text PRIMARY KEY, system_id text NOT NULL REFERENCES systems(id));
CREATE TABLE system_keys (
  key_hmac text PRIMARY KEY,
  system_id text NOT NULL REFERENCES systems(id),
  created_at text NOT NULL,
  valid_until text,
  key_id text UNIQUE,
  last_used_at text,
  ord bigserial                      -- insertion order (SQLite's rowid): keys list oldest first
);
CREATE INDEX system_keys_system ON system_keys(system_id);

CREATE TABLE dossiers (
  code text PRIMARY KEY,
  agency text NOT NULL,
  status integer NOT NULL,
  procedure text NOT NULL,
  received_at bigint NOT NULL,
  due_at bigint,
  finished_at bigint,
  updated_at bigint NOT NULL,
  revision integer NOT NULL,
  seq bigint NOT NULL,               -- the change sequence of its latest change (the feed's order)
  doc text NOT NULL,
  judged_due_at bigint,
  supplement_since bigint,
  extensions integer NOT NULL DEFAULT 0,
  due_provisional integer NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX dossiers_seq ON dossiers(seq);
CREATE INDEX dossiers_agency ON dossiers(agency, seq);
CREATE INDEX dossiers_status ON dossiers(status, seq);
CREATE INDEX dossiers_procedure ON dossiers(procedure, seq);
CREATE INDEX dossiers_updated ON dossiers(updated_at);
CREATE INDEX dossiers_ontime ON dossiers(received_at) INCLUDE (status, judged_due_at, finished_at, supplement_since, extensions, agency, procedure);
CREATE INDEX dossiers_ontime_agency ON dossiers(agency, received_at) INCLUDE (status, judged_due_at, finished_at, supplement_since, extensions, procedure);
CREATE INDEX dossiers_ontime_procedure ON dossiers(procedure, received_at) INCLUDE (status, judged_due_at, finished_at, supplement_since, extensions, agency);
CREATE INDEX dossiers_provisional ON dossiers(status) WHERE due_provisional = 1;

CREATE TABLE dossier_scope (agency text NOT NULL, code text NOT NULL REFERENCES dossiers(code), PRIMARY KEY (agency, code));

-- Positions are taken from change_seq only under the feed lock, so they are in commit order (index.ts).
CREATE SEQUENCE change_seq;
CREATE TABLE changes (
  seq bigint PRIMARY KEY,
  dossier_code text NOT NULL,
  revision integer NOT NULL,
  event_id text NOT NULL UNIQUE,
  type text NOT NULL,
  source_system text NOT NULL,
  previous_status integer,
  status integer NOT NULL,
  payload_sha256 text NOT NULL,
  canonical_sha256 text NOT NULL,
  receipt_id text NOT NULL,
  accepted_at text NOT NULL,
  correlation_id text NOT NULL,
  receipt text,
  signature text,
  UNIQUE (dossier_code, revision)
);
CREATE INDEX changes_by_source ON changes(dossier_code, source_system, seq);

CREATE TABLE alt_codes (system_id text NOT NULL, local_code text NOT NULL, dossier_code text NOT NULL, PRIMARY KEY (system_id, local_code));
-- One row per agency and local day, locked by the transaction that issues from it: gapless across instances.
CREATE TABLE code_sequences (agency text NOT NULL, day text NOT NULL, last integer NOT NULL, PRIMARY KEY (agency, day));

CREATE TABLE outbox (
  seq bigint PRIMARY KEY,            -- = changes.seq
  event_id text NOT NULL,
  dossier_code text NOT NULL,
  revision integer NOT NULL,
  type text NOT NULL,
  source_system text NOT NULL,
  correlation_id text NOT NULL,
  traceparent text,
  event text NOT NULL,
  created_at bigint NOT NULL,
  relayed_at bigint
);
CREATE INDEX outbox_pending ON outbox(seq) WHERE relayed_at IS NULL;

-- id is head + 1 under the audit lock, never a sequence: a rolled-back append leaves no hole the verifier would call "removed".
CREATE TABLE audit (
  id bigint PRIMARY KEY,
  at text NOT NULL,
  at_ms bigint NOT NULL,
  actor text NOT NULL,
  action text NOT NULL,
  target text,
  source_ip text,
  detail text,
  correlation_id text,
  prev_hash text NOT NULL,
  hash text NOT NULL
);
CREATE INDEX audit_at ON audit(at_ms);
CREATE INDEX audit_hash ON audit(hash);
CREATE INDEX audit_actor ON audit(actor, id);
CREATE INDEX audit_target ON audit(target, id);
CREATE TABLE audit_checkpoints (seq bigint PRIMARY KEY, hash text NOT NULL, at text NOT NULL, signature text);

CREATE TABLE admin_tokens (token_id text PRIMARY KEY, token_hmac text NOT NULL UNIQUE, created_at text NOT NULL, valid_until text);
CREATE TABLE hub_settings (key text PRIMARY KEY, value text NOT NULL);
CREATE TABLE rollout (
  id text PRIMARY KEY,
  ord integer NOT NULL UNIQUE,
  department text NOT NULL,
  origin text NOT NULL CHECK (origin IN ('seed', 'province')),
  successor text,
  system_id text,
  target_date text,
  note text,
  updated_at text NOT NULL
);
CREATE TABLE traffic (
  system_id text NOT NULL,
  day text NOT NULL,
  accepted integer NOT NULL DEFAULT 0,
  refused integer NOT NULL DEFAULT 0,
  duplicates integer NOT NULL DEFAULT 0,
  PRIMARY KEY (system_id, day)
);

CREATE TABLE deliveries (
  system_id text NOT NULL,
  event_id text NOT NULL,
  dossier_code text NOT NULL,
  revision integer NOT NULL,
  state text NOT NULL CHECK (state IN ('pending', 'delivered', 'dead')),
  updated_at bigint NOT NULL,
  PRIMARY KEY (system_id, event_id)
);
CREATE INDEX deliveries_pending ON deliveries(system_id, dossier_code, revision) WHERE state = 'pending';
CREATE TABLE mailbox (
  seq bigserial PRIMARY KEY,
  id text NOT NULL UNIQUE,
  system_id text NOT NULL,
  event_id text NOT NULL,
  type text NOT NULL,
  dossier_code text NOT NULL,
  revision integer NOT NULL,
  content_type text NOT NULL,
  body text NOT NULL,
  body_is_json boolean NOT NULL,
  visible_at bigint NOT NULL,
  handed_out integer NOT NULL DEFAULT 0,
  acked_at bigint,
  created_at bigint NOT NULL,
  UNIQUE (system_id, event_id)
);
CREATE INDEX mailbox_ready ON mailbox(system_id, visible_at) WHERE acked_at IS NULL;
CREATE TABLE dead_letters (
  id text PRIMARY KEY,
  system_id text NOT NULL,
  event_id text NOT NULL,
  dossier_code text NOT NULL,
  revision integer NOT NULL,
  reason text NOT NULL,
  attempts integer NOT NULL,
  last_response text,
  failed_at text NOT NULL,
  event text NOT NULL,
  state text NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'replayed', 'discarded')),
  resolved_at bigint
);
CREATE INDEX dead_letters_open ON dead_letters(system_id, id) WHERE state = 'open';

CREATE TABLE certificates (
  serial text PRIMARY KEY,
  system_id text NOT NULL REFERENCES systems(id),
  fingerprint_sha256 text NOT NULL UNIQUE,
  not_before text NOT NULL,
  not_after text NOT NULL,
  pem text NOT NULL,
  issued_at text NOT NULL,
  revoked_at text
);
CREATE INDEX certificates_system ON certificates(system_id);
`,
  },
  {
    version: 2,
    name: 'conformance-counters',
    sql: `
-- SQLite migration 10: the conformance report's per-day counters (api.md "Conformance report"): authentications,
-- the statuses seen in accepted changes (bit n = status n), and refused items by code and codeRules rule with the
-- last offending agency, dossier or procedure code (never personal data). Instants and codes compare as SQLite's
-- do (bytewise, COLLATE "C"), so "the later one wins" and the codes' order are the same on both stores.
ALTER TABLE traffic
  ADD COLUMN auth_ok integer NOT NULL DEFAULT 0,
  ADD COLUMN auth_failed integer NOT NULL DEFAULT 0,
  ADD COLUMN last_auth_at text COLLATE "C",
  ADD COLUMN last_auth_key text,
  ADD COLUMN last_failed_at text COLLATE "C",
  ADD COLUMN statuses integer NOT NULL DEFAULT 0;
CREATE TABLE traffic_codes (
  system_id text NOT NULL,
  day text NOT NULL,
  code text COLLATE "C" NOT NULL,     -- '' with rule knownProcedure: an accepted item whose procedure is unknown
  rule text COLLATE "C" NOT NULL,     -- '' when no codeRules rule watches the code
  count integer NOT NULL DEFAULT 0,
  example text,
  example_at text COLLATE "C",
  PRIMARY KEY (system_id, day, code, rule)
);
`,
  },
  {
    version: 3,
    name: 'mappings',
    sql: `
-- SQLite migration 9. Mapping versions (mapping.md §13): append-only, numbered 1, 2, 3 … per system; the
-- document is kept as received (the order of fields is meaningful and sha256 is over it).
CREATE TABLE mapping_versions (
  system_id text NOT NULL REFERENCES systems(id),
  version integer NOT NULL,
  sha256 text NOT NULL,
  document text NOT NULL,
  size integer NOT NULL,
  created_at text NOT NULL,
  created_by text NOT NULL,
  note text,
  PRIMARY KEY (system_id, version),
  UNIQUE (system_id, sha256)
);
-- The active pointer, moved only by activation in the same transaction as its audit entry.
CREATE TABLE mapping_active (
  system_id text PRIMARY KEY REFERENCES systems(id),
  version integer NOT NULL
);
-- Approved sample payloads (mapping.md §17), at most 50 per system; they hold personal data.
CREATE TABLE samples (
  id text PRIMARY KEY,
  system_id text NOT NULL REFERENCES systems(id),
  name text NOT NULL,
  content_type text NOT NULL,
  payload bytea NOT NULL,
  payload_sha256 text NOT NULL,
  expected text NOT NULL,
  approved_version text NOT NULL,
  created_at text NOT NULL,
  created_by text NOT NULL,
  UNIQUE (system_id, payload_sha256)
);
-- Provenance (mapping.md §13): which adapter/mapping version decoded a revision, encoded a delivery.
ALTER TABLE changes ADD COLUMN decoded_by text;
ALTER TABLE deliveries ADD COLUMN encoded_by text;
ALTER TABLE mailbox ADD COLUMN encoded_by text;
ALTER TABLE dead_letters ADD COLUMN encoded_by text;
`,
  },
  {
    version: 4,
    name: 'delivery-attempts',
    sql: `
-- PG migration 4, as SQLite's 11. Each try of a push delivery: when, the HTTP status (NULL without an answer),
-- the verdict, and which adapter or mapping version encoded it. The deliveries row keeps the outcome.
CREATE TABLE delivery_attempts (
  seq bigserial PRIMARY KEY,
  system_id text NOT NULL,
  event_id text NOT NULL,
  dossier_code text NOT NULL,
  at bigint NOT NULL,
  status integer,
  verdict text NOT NULL CHECK (verdict IN ('ok', 'retry', 'failed')),
  encoded_by text
);
CREATE INDEX delivery_attempts_dossier ON delivery_attempts(dossier_code, system_id, event_id, seq);
`,
  },
  {
    version: 5,
    name: 'shared limits',
    sql: `
-- PG migration 5 (PostgreSQL only). The failed-login and public look-up limits, counted once for the installation
-- (api.md "Several instances"):
-- one fixed window per key, counted by an atomic upsert (limits.ts); windows that ended are swept.
CREATE TABLE rate_windows (
  key text PRIMARY KEY,
  start_ms bigint NOT NULL,
  ends_ms bigint NOT NULL,
  count integer NOT NULL
);
CREATE INDEX rate_windows_ends ON rate_windows (ends_ms);
`,
  },
];

/** Applies the missing migrations, each in its own transaction, under the migrations lock (session level: held across them). */
export async function migrate(client: pg.ClientBase, list: readonly PgMigration[] = PG_MIGRATIONS): Promise<number[]> {
  await client.query('SELECT pg_advisory_lock($1)', [LOCK.migrations]);
  try {
    await client.query('CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at text NOT NULL)');
    const applied = new Set((await client.query<{ version: number }>('SELECT version FROM schema_migrations')).rows.map((r) => r.version));
    const done: number[] = [];
    for (const m of list.filter((x) => !applied.has(x.version))) {
      await client.query('BEGIN');
      try {
        await client.query(m.sql);
        await client.query('INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)', [m.version, m.name, new Date().toISOString()]);
        await client.query('COMMIT');
      } catch (err) {
        await client.query('ROLLBACK');
        throw err;
      }
      done.push(m.version);
    }
    return done;
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [LOCK.migrations]);
  }
}
