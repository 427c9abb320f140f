// The parts every chaos scenario uses (npm run chaos, test-serial/chaos-*.test.ts): the hub as a child process on a
// data dir of its own, a push subscriber that counts event ids, a load of distinct dossiers, and the count check
// read from the SQLite file after the hub has stopped: every 2xx dossier stored once, delivered at least once.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import Database from 'better-sqlite3';
import { ADMIN_TOKEN, dossier } from '../test/helpers/hub.js';
import { codeFor, startTarget, waitFor } from '../test/relay/helpers.js';
import { freePort } from '../test/helpers/net.js';

const ROOT = path.resolve(import.meta.dirname, '..');

export interface Row {
  scenario: string; requests: number; ok: number; stored: number; delivered: number; duplicates: number;
  /** Dossiers in the store without a 2xx (their answer was lost to a kill): allowed only where stated. */
  unanswered: number; result: 'ok' | 'FAILED' | 'skipped'; note: string;
}

/** A push target that answers what `status()` says, and records the event ids it answered 2xx. */
export async function countingTarget(status: () => number = () => 200) {
  const delivered = new Map<string, number>(); // event id → times answered 2xx
  const codes = new Set<string>();
  const target = await startTarget((_n, hit) => {
    const s = status();
    if (s < 300) {
      const id = String(hit.headers['x-event-id']);
      delivered.set(id, (delivered.get(id) ?? 0) + 1);
      codes.add(String(hit.headers['x-dossier-code']));
    }
    return s;
  });
  return {
    url: target.url, codes, delivered, close: () => target.close(),
    duplicates: () => [...delivered.values()].reduce((a, n) => a + n - 1, 0),
  };
}

export interface HubProcessOptions { dir: string; targetUrl: string; amqpUrl?: string; env?: Record<string, string> }

/** The hub as `npm start` runs it (src/server.ts), with a source system and a push subscriber of the scenario's own. */
export class HubProcess {
  readonly dataDir: string;
  readonly configDir: string;
  readonly prefix = `chaos${randomBytes(4).toString('hex')}`;
  child: ChildProcess | undefined;
  port = 0;
  key = '';
  constructor(private readonly opts: HubProcessOptions) {
    this.dataDir = path.join(opts.dir, 'data');
    this.configDir = path.join(opts.dir, 'config');
    mkdirSync(path.join(this.configDir, 'systems'), { recursive: true });
    writeFileSync(path.join(this.configDir, 'systems', 'src.json'), JSON.stringify({
      id: 'src-sys', name: 'source', adapter: 'canonical', role: 'source', level: 'province', agencies: ['000.00.15.H12'],
      delivery: { mode: 'none' }, subscriptions: [], mapping: null,
    }));
    writeFileSync(path.join(this.configDir, 'systems', 'sub.json'), JSON.stringify({
      id: 'sub', name: 'subscriber', adapter: 'canonical', role: 'platform', level: 'province', agencies: [],
      delivery: { mode: 'push', url: opts.targetUrl, timeoutMs: 2000 }, subscriptions: [{ events: ['dossier.received'], scope: 'all' }], mapping: null,
    }));
  }

  get base() { return `http://127.0.0.1:${this.port}`; }

  async start(env: Record<string, string> = {}): Promise<void> {
    this.port ||= await freePort();
    this.child = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
      cwd: ROOT, stdio: ['ignore', 'ignore', process.env.CHAOS_VERBOSE ? 'inherit' : 'ignore'],
      env: {
        ...process.env, HUB_DATA_DIR: this.dataDir, HUB_CONFIG_DIR: this.configDir, PORT: String(this.port), AMQP_PREFIX: this.prefix,
        HUB_ADMIN_TOKEN: ADMIN_TOKEN, LOG_LEVEL: 'warn', HUB_RETRY_DELAYS: '200ms,500ms,1s', HUB_RETRY_ATTEMPTS: '100',
        ...(this.opts.amqpUrl ? { AMQP_URL: this.opts.amqpUrl } : {}), ...this.opts.env, ...env,
      },
    });
    const child = this.child;
    await waitFor('the hub to listen', async () => {
      if (child.exitCode !== null) throw new Error(`the hub exited with ${child.exitCode} while starting`);
      return (await fetch(`${this.base}/healthz`).catch(() => undefined))?.ok;
    }, 60_000, 100);
    this.key ||= readFileSync(path.join(this.dataDir, 'keys', 'src-sys.key'), 'utf8').trim();
  }

  alive(): boolean { return !!this.child && this.child.exitCode === null && this.child.signalCode === null; }

  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    const c = this.child;
    if (!c || c.exitCode !== null || c.signalCode !== null) return;
    const exited = new Promise((r) => c.once('exit', r));
    c.kill(signal);
    await exited;
  }

  async readyz(): Promise<{ status: number; body: { status: string; store: string; broker: string; outboxBacklog: number } }> {
    const res = await fetch(`${this.base}/readyz`);
    return { status: res.status, body: await res.json() as never };
  }
}

/** Distinct dossiers posted by `concurrency` clients until `until()`; records every answer. */
export class Load {
  requests = 0;
  readonly accepted = new Set<string>();
  readonly statuses = new Map<number, number>();
  readonly codes = new Map<string, number>(); // error code → count (non-2xx answers)
  retryAfterMissing = 0;
  private n: number;
  constructor(private readonly hub: HubProcess, start = 1) { this.n = start - 1; }

  async post(): Promise<number> {
    const code = codeFor(++this.n);
    this.requests++;
    try {
      const res = await fetch(`${this.hub.base}/v1/inbound/src-sys`, {
        method: 'POST', headers: { authorization: `Bearer ${this.hub.key}`, 'content-type': 'application/json' }, body: JSON.stringify(dossier({ code })),
      });
      const text = await res.text();
      this.statuses.set(res.status, (this.statuses.get(res.status) ?? 0) + 1);
      if (res.status >= 200 && res.status < 300) this.accepted.add(code);
      else {
        const c = String((JSON.parse(text) as { code?: string }).code);
        this.codes.set(c, (this.codes.get(c) ?? 0) + 1);
        if (res.status === 503 && !res.headers.get('retry-after')) this.retryAfterMissing++;
      }
      return res.status;
    } catch {
      this.statuses.set(0, (this.statuses.get(0) ?? 0) + 1); // no answer (the hub killed or restarting): no promise
      await new Promise((r) => setTimeout(r, 20));
      return 0;
    }
  }

  /** Runs until `until()` is true. */
  async run(until: () => boolean, concurrency = 8): Promise<void> {
    await Promise.all(Array.from({ length: concurrency }, async () => { while (!until()) await this.post(); }));
  }

  count(status: number): number { return this.statuses.get(status) ?? 0; }
  get ok(): number { return this.accepted.size; }
  get serverErrors(): number { return [...this.statuses].filter(([s]) => s >= 500 && s !== 503).reduce((a, [, n]) => a + n, 0); }
}

/** What the store holds, read after the hub has stopped. */
export function storeCounts(dataDir: string, accepted: Set<string>) {
  const db = new Database(path.join(dataDir, 'hub.sqlite'), { readonly: true, fileMustExist: true });
  try {
    const codes = db.prepare('SELECT code FROM dossiers').pluck().all() as string[];
    const changes = db.prepare('SELECT COUNT(*) FROM changes').pluck().get() as number;
    const pending = db.prepare('SELECT COUNT(*) FROM outbox WHERE relayed_at IS NULL').pluck().get() as number;
    const stored = codes.filter((c) => accepted.has(c)).length;
    return { stored, unanswered: codes.length - stored, extraRevisions: changes - codes.length, pending };
  } finally {
    db.close();
  }
}

/** The count check of every scenario: each 2xx dossier stored once and delivered at least once; nothing else. */
export function check(scenario: string, load: Load, hub: HubProcess, target: Awaited<ReturnType<typeof countingTarget>>,
  opts: { unansweredAllowed?: number; note?: string; extra?: string[] } = {}): Row {
  const s = storeCounts(hub.dataDir, load.accepted);
  const delivered = [...load.accepted].filter((c) => target.codes.has(c)).length;
  const problems = [...(opts.extra ?? [])];
  if (s.stored !== load.ok) problems.push(`${load.ok - s.stored} 2xx dossiers missing from the store`);
  if (s.extraRevisions !== 0) problems.push(`${s.extraRevisions} revisions beyond one per dossier`);
  if (s.unanswered > (opts.unansweredAllowed ?? 0)) problems.push(`${s.unanswered} dossiers stored without a 2xx`);
  if (delivered !== load.ok) problems.push(`${load.ok - delivered} 2xx dossiers never delivered`);
  if (target.codes.size - delivered > s.unanswered) problems.push('deliveries of dossiers that got no 2xx');
  if (load.serverErrors) problems.push(`${load.serverErrors} answers 5xx other than 503`);
  return {
    scenario, requests: load.requests, ok: load.ok, stored: s.stored, delivered, duplicates: target.duplicates(), unanswered: s.unanswered,
    result: problems.length ? 'FAILED' : 'ok',
    note: [opts.note, s.unanswered ? `${s.unanswered} stored whose answer was lost` : '', ...problems].filter(Boolean).join('; '),
  };
}

export function table(rows: Row[]): string {
  const head = ['scenario', 'requests', '2xx', 'stored', 'events delivered', 'duplicates at the target', 'result'];
  const lines = rows.map((r) => [r.scenario, r.requests, r.ok, r.stored, r.delivered, r.duplicates, r.result + (r.note ? ` (${r.note})` : '')].map(String));
  return [head, head.map(() => '---'), ...lines].map((l) => `| ${l.join(' | ')} |`).join('\n');
}
