// One validated, frozen configuration, read from the environment once (api.md, "Configuration").
// Every option has its default and unit here; each part of the hub receives only its slice.
import path from 'node:path';
import { Ajv } from 'ajv';
import { AGENCY_CODE } from './canonical/types.js';

export interface HubConfig {
  /** HTTP listener. */
  port: number;
  host: string;
  /** The address clients use (WSDL soap:address, links), behind a reverse proxy. */
  publicUrl: string;
  /** Embedded store and one-time secrets. */
  dataDir: string;
  /** Systems, calendar, holidays and procedure catalogue. */
  configDir: string;
  /** `postgres://…` selects PostgreSQL; unset → SQLite in dataDir. */
  databaseUrl: string | undefined;
  /** HUB_DB_POOL: PostgreSQL connections per instance (default 10); unused on SQLite. */
  dbPool: number;
  amqpUrl: string;
  /** Prefix of every exchange and queue name. */
  amqpPrefix: string;
  /** Bearer token of the built-in administrator; unset → generated at first start into dataDir. */
  adminToken: string | undefined;
  /** Largest request body, bytes. */
  bodyLimit: number;
  /** Longest a request may take to arrive and be answered, ms. */
  requestTimeoutMs: number;
  /** How long graceful shutdown waits for in-flight requests, ms. */
  shutdownGraceMs: number;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** Mailbox visibility timeout, seconds. */
  mailboxVisibilityS: number;
  /** Delivery retry tiers, ms, and attempts in all. */
  retryDelaysMs: number[];
  retryAttempts: number;
  /** Whether the relay runs in this process (off for tests of ingest alone). */
  relay: boolean;
  /**
   * Addresses of the reverse proxies whose X-Forwarded-For is believed (comma-separated IPs or CIDRs), so that
   * rate limits and audit see the client's address, not the proxy's. Empty: no proxy is trusted.
   */
  trustProxy: string[];
  /** Origins (scheme://host[:port]) whose pages may call the citizen look-up from the browser (CORS). Empty: none. */
  corsOrigins: string[];
  /** Who issues national dossier codes (canonical.md "Codes"): the hub, or the sources (a new dossier must carry one). */
  codeIssuer: 'hub' | 'source';
  /** Agency identifiers any system may use in a new dossier's code (DVCQG's, on online liên thông groups). */
  nationalIssuers: string[];
  /** Below this much free space (MB) where the SQLite store writes, dossier changes are 503 HUB_STORE_FULL. */
  minFreeMb: number;
  /** HUB_SECRETS_DIR: the hub CA's and signing keys (0600 files in a 0700 folder); default `<dataDir>/secrets`. */
  secretsDir: string;
  /** HUB_SIGN_RECEIPTS=on: every JSON receipt carries the hub's CMS signature (api.md "Trust"). */
  signReceipts: boolean;
  /** TLS_PORT: the HTTPS listener that asks for client certificates (mTLS); unset → none. Same host as HTTP. */
  tlsPort?: number;
  /** HUB_TLS_CERT / HUB_TLS_KEY: PEM files of the HTTPS listener; unset → issued by the hub CA into secretsDir. */
  tlsCert?: string;
  tlsKey?: string;
  /** HUB_CONSOLE_IDLE_S: a console session unused this long (seconds) ends; it ends after 8 h of use in any case. */
  consoleIdleS: number;
}

const schema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    port: { type: 'integer', minimum: 0, maximum: 65535 },
    host: { type: 'string', minLength: 1 },
    publicUrl: { type: 'string', pattern: '^https?://' },
    dataDir: { type: 'string', minLength: 1 },
    configDir: { type: 'string', minLength: 1 },
    databaseUrl: { type: 'string', pattern: '^postgres(ql)?://' },
    dbPool: { type: 'integer', minimum: 1, maximum: 1000 },
    // One node URL, or a cluster's node URLs comma-separated (tried in turn, src/relay/connection.ts).
    amqpUrl: { type: 'string', pattern: '^\\s*amqps?://[^,\\s]+(\\s*,\\s*amqps?://[^,\\s]+)*\\s*$' },
    amqpPrefix: { type: 'string', pattern: '^[a-z][a-z0-9_.-]{0,40}$' },
    adminToken: { type: 'string', minLength: 32 },
    bodyLimit: { type: 'integer', minimum: 1024, maximum: 104857600 },
    requestTimeoutMs: { type: 'integer', minimum: 1000 },
    shutdownGraceMs: { type: 'integer', minimum: 0 },
    logLevel: { enum: ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] },
    mailboxVisibilityS: { type: 'integer', minimum: 1, maximum: 43200 },
    retryDelaysMs: { type: 'array', minItems: 1, items: { type: 'integer', minimum: 0 } },
    retryAttempts: { type: 'integer', minimum: 1, maximum: 100 },
    relay: { type: 'boolean' },
    trustProxy: { type: 'array', items: { type: 'string', pattern: '^[0-9a-fA-F.:]+(/[0-9]{1,3})?$' } },
    corsOrigins: { type: 'array', items: { type: 'string', pattern: '^https?://[^/\\s]+$' } },
    codeIssuer: { enum: ['hub', 'source'] },
    nationalIssuers: { type: 'array', items: { type: 'string', pattern: AGENCY_CODE.source } },
    minFreeMb: { type: 'number', minimum: 0 },
    secretsDir: { type: 'string', minLength: 1 },
    signReceipts: { type: 'boolean' },
    tlsPort: { type: 'integer', minimum: 0, maximum: 65535 },
    tlsCert: { type: 'string', minLength: 1 },
    tlsKey: { type: 'string', minLength: 1 },
    consoleIdleS: { type: 'integer', minimum: 1, maximum: 28800 },
  },
  // A certificate without its key (or the reverse) is a mistake, not a request for a generated pair.
  dependencies: { tlsCert: ['tlsKey'], tlsKey: ['tlsCert'] },
  required: ['port', 'host', 'publicUrl', 'dataDir', 'configDir', 'amqpUrl', 'amqpPrefix', 'bodyLimit', 'requestTimeoutMs', 'logLevel'],
} as const;

const validate = new Ajv({ allErrors: true }).compile(schema);

const int = (v: string | undefined, fallback: number) => (v === undefined || v === '' ? fallback : Number(v));

/** Parse `1s,5s,30s,2m,10m` (or plain milliseconds) into milliseconds. */
export function parseDelays(v: string): number[] {
  return v.split(',').map((part) => {
    // Trimmed first: `\s*` on both sides of an optional unit is quadratic on a long run of white space (recheck).
    const m = /^(\d+)\s*(ms|s|m|h)?$/.exec(part.trim());
    if (!m) return NaN;
    const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[(m[2] ?? 'ms') as 'ms'];
    return Number(m[1]) * unit;
  });
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env, overrides: Partial<HubConfig> = {}): Readonly<HubConfig> {
  const port = int(env.PORT, 8080);
  const host = env.HOST || '127.0.0.1';
  const cfg: HubConfig = {
    port,
    host,
    publicUrl: (env.HUB_PUBLIC_URL || `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${port}`).replace(/\/$/, ''),
    dataDir: path.resolve(env.HUB_DATA_DIR || './data'),
    configDir: path.resolve(env.HUB_CONFIG_DIR || './config'),
    databaseUrl: env.DATABASE_URL || undefined,
    dbPool: int(env.HUB_DB_POOL, 10),
    amqpUrl: env.AMQP_URL || 'amqp://guest:guest@127.0.0.1:5672',
    amqpPrefix: env.AMQP_PREFIX || 'hub',
    adminToken: env.HUB_ADMIN_TOKEN || undefined,
    bodyLimit: int(env.HUB_BODY_LIMIT, 1_048_576),
    requestTimeoutMs: int(env.HUB_REQUEST_TIMEOUT_MS, 30_000),
    shutdownGraceMs: int(env.HUB_SHUTDOWN_GRACE_MS, 10_000),
    logLevel: (env.LOG_LEVEL || 'info') as HubConfig['logLevel'],
    mailboxVisibilityS: int(env.HUB_MAILBOX_VISIBILITY_S, 30),
    retryDelaysMs: parseDelays(env.HUB_RETRY_DELAYS || '1s,5s,30s,2m,10m'),
    retryAttempts: int(env.HUB_RETRY_ATTEMPTS, 10),
    relay: env.HUB_RELAY !== 'off',
    trustProxy: (env.HUB_TRUST_PROXY ?? '').split(',').map((x) => x.trim()).filter(Boolean),
    corsOrigins: (env.HUB_CORS_ORIGINS ?? '').split(',').map((x) => x.trim().replace(/\/$/, '')).filter(Boolean),
    codeIssuer: (env.HUB_CODE_ISSUER || 'hub') as HubConfig['codeIssuer'],
    nationalIssuers: (env.HUB_NATIONAL_ISSUERS ?? '').split(',').map((x) => x.trim()).filter(Boolean),
    minFreeMb: int(env.HUB_MIN_FREE_MB, 100),
    secretsDir: '',
    signReceipts: env.HUB_SIGN_RECEIPTS === 'on',
    tlsPort: env.TLS_PORT ? Number(env.TLS_PORT) : undefined,
    tlsCert: env.HUB_TLS_CERT ? path.resolve(env.HUB_TLS_CERT) : undefined,
    tlsKey: env.HUB_TLS_KEY ? path.resolve(env.HUB_TLS_KEY) : undefined,
    consoleIdleS: int(env.HUB_CONSOLE_IDLE_S, 1800),
    ...overrides,
  };
  // After the overrides: a test's dataDir decides the default secrets folder.
  if (!cfg.secretsDir) cfg.secretsDir = path.resolve(env.HUB_SECRETS_DIR || path.join(cfg.dataDir, 'secrets'));
  for (const k of Object.keys(cfg) as (keyof HubConfig)[]) if (cfg[k] === undefined) delete cfg[k];
  if (!validate(cfg)) {
    const why = (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message}`).join('; ');
    throw new Error(`Invalid configuration: ${why}. See README "Configuration".`);
  }
  return Object.freeze({ ...cfg, retryDelaysMs: Object.freeze([...cfg.retryDelaysMs]) as number[], trustProxy: Object.freeze([...cfg.trustProxy]) as string[], corsOrigins: Object.freeze([...(cfg.corsOrigins ?? [])]) as string[], nationalIssuers: Object.freeze([...cfg.nationalIssuers]) as string[] });
}
