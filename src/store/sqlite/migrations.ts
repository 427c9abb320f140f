// Versioned migrations of the embedded store. Append only: a released migration is never edited.
import type Database from 'better-sqlite3';
import { claimedIdentity } from '../../trust/failures.js';
import { chainExisting } from './audit-chain.js';

/** `sql` runs first, then `up` (for what SQL alone cannot compute), in one transaction. */
export interface Migration {
  version: number;
  name: string;
  sql: string;
  up?: (db: Database.Database) => void;
}

/**
 * Earlier versions audited a failed login as `{actor: "client:<ip>", target: <path>, detail: {claimed}}`, where
 * `claimed` could be a whole key typed into the Basic user name. Rewritten to today's shape (api.md "Audit log"):
 * a claimed id that is not id-shaped becomes its fingerprint, the address moves to `source_ip`.
 */
function scrubAuthFailures(db: Database.Database): void {
  const rows = db.prepare("SELECT id, actor, target, detail FROM audit WHERE action = 'auth.failed'").all() as
    { id: number; actor: string; target: string | null; detail: string | null }[];
  const update = db.prepare('UPDATE audit SET actor = ?, target = ?, source_ip = COALESCE(source_ip, ?), detail = ? WHERE id = ?');
  for (const r of rows) {
    let old: Record<string, unknown> = {};
    try {
      const parsed: unknown = r.detail ? JSON.parse(r.detail) : {};
      if (parsed && typeof parsed === 'object') old = parsed as Record<string, unknown>;
    } catch {
      // unreadable detail: nothing of it is kept
    }
    if (!('claimed' in old)) continue; // already today's shape
    const claimed = claimedIdentity(typeof old.claimed === 'string' ? old.claimed : undefined);
    const from = r.actor.startsWith('client:') ? r.actor.slice('client:'.length) : null;
    const detail = { path: r.target, scheme: 'unknown', ...(claimed.fingerprint ? { claimedFingerprint: claimed.fingerprint } : {}), count: 1 };
    update.run('anonymous', claimed.target, from, JSON.stringify(detail), r.id);
  }
}

export const MIGRATIONS: Migration[] = [
  {
    version: 1,
    name: 'spine',
    sql: `
CREATE TABLE systems (
  id TEXT PRIMARY KEY,
  doc TEXT NOT NULL,                 -- the SystemRecord as JSON
  status TEXT NOT NULL CHECK (status IN ('active', 'retired')),
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
-- One active system per agency: "the system serving an agency" is one system or none.
CREATE TABLE system_agencies (
  agency TEXT PRIMARY KEY,
  system_id TEXT NOT NULL REFERENCES systems(id)
);
CREATE TABLE system_keys (
  key_hmac TEXT PRIMARY KEY,         -- HMAC-SHA-256 of the key under the server secret; never the key
  system_id TEXT NOT NULL REFERENCES systems(id),
  created_at TEXT NOT NULL,
  valid_until TEXT                   -- NULL: valid until rotated or retired
);
CREATE INDEX system_keys_system ON system_keys(system_id);

CREATE TABLE dossiers (
  code TEXT PRIMARY KEY,
  agency TEXT NOT NULL,
  status INTEGER NOT NULL,
  procedure TEXT NOT NULL,
  received_at INTEGER NOT NULL,      -- epoch ms
  due_at INTEGER,
  finished_at INTEGER,
  updated_at INTEGER NOT NULL,
  revision INTEGER NOT NULL,
  seq INTEGER NOT NULL,              -- the change sequence of its latest change (the feed's order)
  doc TEXT NOT NULL                  -- the current canonical document
);
CREATE UNIQUE INDEX dossiers_seq ON dossiers(seq);
CREATE INDEX dossiers_agency ON dossiers(agency, seq);
CREATE INDEX dossiers_status ON dossiers(status, seq);
CREATE INDEX dossiers_procedure ON dossiers(procedure, seq);
CREATE INDEX dossiers_updated ON dossiers(updated_at);
CREATE INDEX dossiers_received ON dossiers(received_at);

-- Agencies whose systems may read and write a dossier: current, origin, and every transfer's target.
CREATE TABLE dossier_scope (
  agency TEXT NOT NULL,
  code TEXT NOT NULL REFERENCES dossiers(code),
  PRIMARY KEY (agency, code)
) WITHOUT ROWID;

CREATE TABLE changes (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  dossier_code TEXT NOT NULL,
  revision INTEGER NOT NULL,
  event_id TEXT NOT NULL UNIQUE,
  type TEXT NOT NULL,
  source_system TEXT NOT NULL,
  previous_status INTEGER,
  status INTEGER NOT NULL,
  payload_sha256 TEXT NOT NULL,
  canonical_sha256 TEXT NOT NULL,
  receipt_id TEXT NOT NULL,
  accepted_at TEXT NOT NULL,
  correlation_id TEXT NOT NULL,
  receipt TEXT,                      -- the receipt JSON, on the last revision of a commit
  UNIQUE (dossier_code, revision)
);
CREATE INDEX changes_by_source ON changes(dossier_code, source_system, seq);

CREATE TABLE alt_codes (
  system_id TEXT NOT NULL,
  local_code TEXT NOT NULL,
  dossier_code TEXT NOT NULL,
  PRIMARY KEY (system_id, local_code)
) WITHOUT ROWID;

CREATE TABLE code_sequences (
  agency TEXT NOT NULL,
  day TEXT NOT NULL,                 -- yyMMdd
  last INTEGER NOT NULL,
  PRIMARY KEY (agency, day)
) WITHOUT ROWID;

CREATE TABLE outbox (
  seq INTEGER PRIMARY KEY,           -- = changes.seq
  event_id TEXT NOT NULL,
  dossier_code TEXT NOT NULL,
  revision INTEGER NOT NULL,
  type TEXT NOT NULL,
  source_system TEXT NOT NULL,
  correlation_id TEXT NOT NULL,
  traceparent TEXT,
  event TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  relayed_at INTEGER
);
CREATE INDEX outbox_pending ON outbox(seq) WHERE relayed_at IS NULL;

CREATE TABLE audit (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  at TEXT NOT NULL,
  at_ms INTEGER NOT NULL,
  actor TEXT NOT NULL,
  action TEXT NOT NULL,
  target TEXT NOT NULL,
  detail TEXT,
  correlation_id TEXT
);
CREATE INDEX audit_at ON audit(at_ms);
`,
  },
  {
    version: 2,
    name: 'relay',
    sql: `
-- One row per (push-mode system, event) the relay planned: the delivery workers' dedup (delivered) and the
-- per-target, per-dossier order (a later revision waits while an earlier one is pending).
CREATE TABLE deliveries (
  system_id TEXT NOT NULL,
  event_id TEXT NOT NULL,
  dossier_code TEXT NOT NULL,
  revision INTEGER NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('pending', 'delivered', 'dead')),
  updated_at INTEGER NOT NULL,        -- epoch ms
  PRIMARY KEY (system_id, event_id)
) WITHOUT ROWID;
CREATE INDEX deliveries_pending ON deliveries(system_id, dossier_code, revision) WHERE state = 'pending';

-- Mailboxes of pull-mode systems (api.md, "Mailbox").
CREATE TABLE mailbox (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  id TEXT NOT NULL UNIQUE,            -- ULID, stable across hand-outs
  system_id TEXT NOT NULL,
  event_id TEXT NOT NULL,
  type TEXT NOT NULL,
  dossier_code TEXT NOT NULL,
  revision INTEGER NOT NULL,
  content_type TEXT NOT NULL,
  body TEXT NOT NULL,                 -- the adapter's native payload
  body_is_json INTEGER NOT NULL,
  visible_at INTEGER NOT NULL,        -- epoch ms; hidden until then after a hand-out
  handed_out INTEGER NOT NULL DEFAULT 0,
  acked_at INTEGER,
  created_at INTEGER NOT NULL,
  UNIQUE (system_id, event_id)
);
CREATE INDEX mailbox_ready ON mailbox(system_id, visible_at) WHERE acked_at IS NULL;

CREATE TABLE dead_letters (
  id TEXT PRIMARY KEY,                -- ULID: the listing's order and cursor
  system_id TEXT NOT NULL,
  event_id TEXT NOT NULL,
  dossier_code TEXT NOT NULL,
  revision INTEGER NOT NULL,
  reason TEXT NOT NULL,
  attempts INTEGER NOT NULL,
  last_response TEXT,
  failed_at TEXT NOT NULL,
  event TEXT NOT NULL,                -- the CloudEvent JSON, for replay
  state TEXT NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'replayed', 'discarded')),
  resolved_at INTEGER
);
CREATE INDEX dead_letters_open ON dead_letters(system_id, id) WHERE state = 'open';
`,
  },
  {
    version: 3,
    name: 'ontime-indexes',
    sql: `
-- Covering indexes of the on-time report (src/store/sqlite/stats.ts): a report reads only these, never the
-- dossier rows. By receipt instant (province-wide, by month: one range scan per month), and by agency and by
-- procedure (groupBy and filters: one range scan per key, so no GROUP BY sorts a million rows).
CREATE INDEX dossiers_ontime ON dossiers(received_at, status, due_at, finished_at, agency, procedure);
CREATE INDEX dossiers_ontime_agency ON dossiers(agency, received_at, status, due_at, finished_at, procedure);
CREATE INDEX dossiers_ontime_procedure ON dossiers(procedure, received_at, status, due_at, finished_at, agency);
`,
  },
  {
    version: 4,
    name: 'drop-redundant-received-index',
    sql: `
-- dossiers_ontime leads with received_at, so this one only cost every dossier write an index update.
DROP INDEX IF EXISTS dossiers_received;
`,
  },
  {
    version: 5,
    name: 'audit-scrub-presented-secrets',
    sql: `
-- target becomes nullable (an auth failure names no system when the claim is not id-shaped) and the client
-- address gets its column (api.md "Audit log": source_ip). SQLite cannot drop NOT NULL in place: rebuilt.
CREATE TABLE audit_v5 (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  at TEXT NOT NULL,
  at_ms INTEGER NOT NULL,
  actor TEXT NOT NULL,
  action TEXT NOT NULL,
  target TEXT,
  source_ip TEXT,
  detail TEXT,
  correlation_id TEXT
);
INSERT INTO audit_v5 (id, at, at_ms, actor, action, target, detail, correlation_id)
  SELECT id, at, at_ms, actor, action, target, detail, correlation_id FROM audit ORDER BY id;
DROP TABLE audit;
ALTER TABLE audit_v5 RENAME TO audit;
CREATE INDEX audit_at ON audit(at_ms);
`,
    up: scrubAuthFailures,
  },
  {
    version: 6,
    name: 'clock-columns',
    sql: `
-- The on-time report of the December 2026 rules (domain.md "On time"): judged against judgedDueAt, status 5 past
-- 15 days apart, extensions counted. Existing rows: judged against their dueAt (what the report did), the open
-- round's requestedAt (else the newest move to 5) read from the stored document, no extension, not provisional.
-- The documents themselves are not rewritten.
ALTER TABLE dossiers ADD COLUMN judged_due_at INTEGER;
ALTER TABLE dossiers ADD COLUMN supplement_since INTEGER;
ALTER TABLE dossiers ADD COLUMN extensions INTEGER NOT NULL DEFAULT 0;
ALTER TABLE dossiers ADD COLUMN due_provisional INTEGER NOT NULL DEFAULT 0;
UPDATE dossiers SET judged_due_at = due_at;
UPDATE dossiers SET supplement_since = COALESCE(
  (SELECT CAST(unixepoch(json_extract(r.value, '$.requestedAt'), 'subsec') * 1000 AS INTEGER) FROM json_each(doc, '$.supplements') r
    WHERE json_extract(r.value, '$.resubmittedAt') IS NULL ORDER BY r.key DESC LIMIT 1),
  (SELECT MAX(CAST(unixepoch(json_extract(s.value, '$.at'), 'subsec') * 1000 AS INTEGER)) FROM json_each(doc, '$.steps') s
    WHERE json_extract(s.value, '$.status') = 5))
WHERE status = 5;
DROP INDEX IF EXISTS dossiers_ontime;
DROP INDEX IF EXISTS dossiers_ontime_agency;
DROP INDEX IF EXISTS dossiers_ontime_procedure;
CREATE INDEX dossiers_ontime ON dossiers(received_at, status, judged_due_at, finished_at, supplement_since, extensions, agency, procedure);
CREATE INDEX dossiers_ontime_agency ON dossiers(agency, received_at, status, judged_due_at, finished_at, supplement_since, extensions, procedure);
CREATE INDEX dossiers_ontime_procedure ON dossiers(procedure, received_at, status, judged_due_at, finished_at, supplement_since, extensions, agency);
-- /readyz and /metrics count the open dossiers with a provisional due date (a handful): a partial index.
CREATE INDEX dossiers_provisional ON dossiers(status) WHERE due_provisional = 1;
`,
  },
  {
    version: 7,
    name: 'admin-audit-chain-rollout',
    sql: `
-- The audit hash chain (api.md "Audit log"): rows written before it are chained by up(), in id order, after
-- migration 5 scrubbed them. The index on hash lets verify tell a reordered entry from a rewritten one.
ALTER TABLE audit ADD COLUMN prev_hash TEXT NOT NULL DEFAULT '';
ALTER TABLE audit ADD COLUMN hash TEXT NOT NULL DEFAULT '';
CREATE INDEX audit_hash ON audit(hash);
CREATE INDEX audit_actor ON audit(actor, id);
CREATE INDEX audit_target ON audit(target, id);
CREATE TABLE audit_checkpoints (
  seq INTEGER PRIMARY KEY,
  hash TEXT NOT NULL,
  at TEXT NOT NULL,
  signature TEXT                      -- NULL: unsigned (the trust work signs them)
);

-- Keys and systems: bookkeeping flushed at most once a second, the instant a system was retired.
ALTER TABLE system_keys ADD COLUMN key_id TEXT;
ALTER TABLE system_keys ADD COLUMN last_used_at TEXT;
ALTER TABLE systems ADD COLUMN retired_at TEXT;
ALTER TABLE systems ADD COLUMN last_seen_at TEXT;
UPDATE system_keys SET key_id = lower(hex(randomblob(8))) WHERE key_id IS NULL;
CREATE UNIQUE INDEX system_keys_id ON system_keys(key_id);

-- Rotated administrator tokens: only an HMAC of each is kept. The bootstrap token's end is a setting.
CREATE TABLE admin_tokens (
  token_id TEXT PRIMARY KEY,
  token_hmac TEXT NOT NULL UNIQUE,
  created_at TEXT NOT NULL,
  valid_until TEXT
);
CREATE TABLE hub_settings (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL
);

-- The rollout registry (api.md "Rollout registry"); state is derived on read, never stored.
CREATE TABLE rollout (
  id TEXT PRIMARY KEY,
  ord INTEGER NOT NULL UNIQUE,
  department TEXT NOT NULL,
  origin TEXT NOT NULL CHECK (origin IN ('seed', 'province')),
  successor TEXT,
  system_id TEXT,
  target_date TEXT,
  note TEXT,
  updated_at TEXT NOT NULL
);

-- Per-system, per-day counters of inbound items (local date, yyyy-MM-dd).
CREATE TABLE traffic (
  system_id TEXT NOT NULL,
  day TEXT NOT NULL,
  accepted INTEGER NOT NULL DEFAULT 0,
  refused INTEGER NOT NULL DEFAULT 0,
  duplicates INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (system_id, day)
) WITHOUT ROWID;
`,
    up: chainExisting,
  },
  {
    version: 8,
    name: 'trust',
    sql: `
-- Client certificates issued by the hub CA (api.md "Trust"); a revoked one keeps its row with revoked_at.
CREATE TABLE certificates (
  serial TEXT PRIMARY KEY,
  system_id TEXT NOT NULL REFERENCES systems(id),
  fingerprint_sha256 TEXT NOT NULL UNIQUE,
  not_before TEXT NOT NULL,
  not_after TEXT NOT NULL,
  pem TEXT NOT NULL,
  issued_at TEXT NOT NULL,
  revoked_at TEXT
);
CREATE INDEX certificates_system ON certificates(system_id);
-- An accepted X-Signature, kept with the change it came with: {cms, signedAt, signer}.
ALTER TABLE changes ADD COLUMN signature TEXT;
`,
  },
  {
    version: 9,
    name: 'mappings',
    sql: `
-- Mapping versions (mapping.md §13): append-only, numbered 1, 2, 3 … per system; the document is kept as
-- received (compact, keys in the given order: the order of fields is meaningful and sha256 is over it).
CREATE TABLE mapping_versions (
  system_id TEXT NOT NULL REFERENCES systems(id),
  version INTEGER NOT NULL,
  sha256 TEXT NOT NULL,
  document TEXT NOT NULL,
  size INTEGER NOT NULL,
  created_at TEXT NOT NULL,
  created_by TEXT NOT NULL,
  note TEXT,
  PRIMARY KEY (system_id, version),
  UNIQUE (system_id, sha256)
) WITHOUT ROWID;
-- The active pointer, moved only by activation in the same transaction as its audit entry.
CREATE TABLE mapping_active (
  system_id TEXT PRIMARY KEY REFERENCES systems(id),
  version INTEGER NOT NULL
) WITHOUT ROWID;
-- Approved sample payloads (mapping.md §17), at most 50 per system; they hold personal data.
CREATE TABLE samples (
  id TEXT PRIMARY KEY,
  system_id TEXT NOT NULL REFERENCES systems(id),
  name TEXT NOT NULL,
  content_type TEXT NOT NULL,
  payload BLOB NOT NULL,
  payload_sha256 TEXT NOT NULL,
  expected TEXT NOT NULL,
  approved_version TEXT NOT NULL,
  created_at TEXT NOT NULL,
  created_by TEXT NOT NULL,
  UNIQUE (system_id, payload_sha256)
);
-- Provenance (mapping.md §13): which adapter/mapping version decoded a revision, encoded a delivery.
ALTER TABLE changes ADD COLUMN decoded_by TEXT;
ALTER TABLE deliveries ADD COLUMN encoded_by TEXT;
ALTER TABLE mailbox ADD COLUMN encoded_by TEXT;
ALTER TABLE dead_letters ADD COLUMN encoded_by TEXT;
`,
  },
  {
    version: 10,
    name: 'conformance-counters',
    sql: `
-- The conformance report's per-day counters (api.md "Conformance report"), beside the rollout's: authentications,
-- the statuses seen in accepted changes (bit n = status n), and refused items by code and codeRules rule with
-- the last offending agency, dossier or procedure code (never personal data).
ALTER TABLE traffic ADD COLUMN auth_ok INTEGER NOT NULL DEFAULT 0;
ALTER TABLE traffic ADD COLUMN auth_failed INTEGER NOT NULL DEFAULT 0;
ALTER TABLE traffic ADD COLUMN last_auth_at TEXT;
ALTER TABLE traffic ADD COLUMN last_auth_key TEXT;
ALTER TABLE traffic ADD COLUMN last_failed_at TEXT;
ALTER TABLE traffic ADD COLUMN statuses INTEGER NOT NULL DEFAULT 0;
CREATE TABLE traffic_codes (
  system_id TEXT NOT NULL,
  day TEXT NOT NULL,
  code TEXT NOT NULL,                 -- '' with rule knownProcedure: an accepted item whose procedure is unknown
  rule TEXT NOT NULL,                 -- '' when no codeRules rule watches the code
  count INTEGER NOT NULL DEFAULT 0,
  example TEXT,
  example_at TEXT,
  PRIMARY KEY (system_id, day, code, rule)
) WITHOUT ROWID;
`,
  },
  {
    version: 11,
    name: 'delivery-attempts',
    sql: `
-- Each try of a push delivery (api.md "Mapping versions", provenance): when, the HTTP status (NULL without an
-- answer), the verdict, and which adapter or mapping version encoded it. The deliveries row keeps the outcome.
CREATE TABLE delivery_attempts (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  system_id TEXT NOT NULL,
  event_id TEXT NOT NULL,
  dossier_code TEXT NOT NULL,
  at INTEGER NOT NULL,                -- epoch ms
  status INTEGER,
  verdict TEXT NOT NULL CHECK (verdict IN ('ok', 'retry', 'failed')),
  encoded_by TEXT
);
CREATE INDEX delivery_attempts_dossier ON delivery_attempts(dossier_code, system_id, event_id, seq);
`,
  },
];
