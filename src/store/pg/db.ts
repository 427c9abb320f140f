// The PostgreSQL store's plumbing: one pool per instance (HUB_DB_POOL), transactions on one client, named
// parameters (`@name`, as the SQLite statements write them) turned into `$n`, and the errors that map to the
// hub's codes (a full disk, SQLSTATE 53100, is 503 HUB_STORE_FULL as on SQLite).
import pg from 'pg';
import { storeFullError } from '../sqlite/space.js';

export type Db = pg.Pool | pg.PoolClient;

/** bigint (epoch ms, counts, sequences) and numeric (SUM) come back as numbers: every value the hub stores fits in 2^53. */
export function numberTypes(): pg.CustomTypesConfig {
  const types = new pg.TypeOverrides();
  types.setTypeParser(pg.types.builtins.INT8, (v) => Number(v));
  types.setTypeParser(pg.types.builtins.NUMERIC, (v) => Number(v));
  return types;
}

/** `@name` → `$n` with the values in order; a name used twice is one parameter. */
export function named(sql: string, params: Record<string, unknown>): { text: string; values: unknown[] } {
  const order: string[] = [];
  const text = sql.replace(/(?<![:@\w])@([a-zA-Z]\w*)/g, (_m, name: string) => {
    if (!(name in params)) throw new Error(`no value for @${name}`);
    let i = order.indexOf(name);
    if (i < 0) i = order.push(name) - 1;
    return `$${i + 1}`;
  });
  return { text, values: order.map((n) => params[n]) };
}

export async function rows<T>(db: Db, sql: string, values: unknown[] = []): Promise<T[]> {
  return (await db.query(sql, values)).rows as T[];
}

export async function one<T>(db: Db, sql: string, values: unknown[] = []): Promise<T | undefined> {
  return (await db.query(sql, values)).rows[0] as T | undefined;
}

/** Runs fn in a transaction on one client of the pool: committed when it resolves, rolled back when it throws. */
export async function tx<T>(pool: pg.Pool, fn: (c: pg.PoolClient) => Promise<T>): Promise<T> {
  const c = await pool.connect();
  try {
    await c.query('BEGIN');
    const r = await fn(c);
    await c.query('COMMIT');
    return r;
  } catch (err) {
    await c.query('ROLLBACK').catch(() => {});
    throw classify(err);
  } finally {
    c.release();
  }
}

/** PostgreSQL's disk-full (53100) is the hub's HUB_STORE_FULL; everything else passes through. */
export function classify(err: unknown): unknown {
  return (err as { code?: unknown } | null)?.code === '53100' ? storeFullError() : err;
}

/**
 * Keys of the advisory locks (the first of the two-int form). Transaction-level ones are released at commit,
 * after the commit is visible to new snapshots: what the feed's ordering relies on (index.ts).
 */
export const LOCK = {
  migrations: 7_140_001,
  feed: 7_140_002,
  audit: 7_140_003,
  /** Second key: hashtext of a dossier code. */
  dossier: 7_140_004,
  /** Second key: hashtext of the JSON of [system, localCode] (text holds no NUL). */
  localCode: 7_140_005,
  relay: 7_140_006,
  /** Second key: hashtext of a system id (its mapping versions are numbered one at a time). */
  mapping: 7_140_007,
  /** Registered client-certificate fingerprints are claimed one transaction at a time. */
  certificates: 7_140_008,
} as const;

/** Notification channels (LISTEN/NOTIFY): the cross-instance form of onCommitted, onMailbox, onKeysChanged and the limits' blocks. */
export const CHANNEL = { committed: 'hub_committed', mailbox: 'hub_mailbox', keys: 'hub_keys', limits: 'hub_limits' } as const;
