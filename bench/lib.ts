// Shared pieces of the benchmarks: start a server as a child process, run autocannon, print ratios.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import amqp from 'amqplib';
import autocannon from 'autocannon';

export const SHARED_BENCH = new URL('../../shared/bench/', import.meta.url).pathname;

/** Start a process and wait until its output matches `ready`, or until `ready` (a URL) answers 200. */
export async function startProcess(cmd: string, args: string[], env: NodeJS.ProcessEnv, ready: RegExp | string): Promise<ChildProcess> {
  const child = spawn(cmd, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let seen = '';
  await new Promise<void>((resolve, reject) => {
    const onData = (b: Buffer) => {
      seen += b.toString();
      if (ready instanceof RegExp && ready.test(seen)) resolve();
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`${cmd} exited with ${code}: ${seen.slice(-2000)}`)));
    if (typeof ready === 'string') {
      const poll = async () => {
        for (let i = 0; i < 600 && child.exitCode === null; i++) {
          if (await fetch(ready).then((r) => r.ok, () => false)) return resolve();
          await new Promise((r) => setTimeout(r, 100));
        }
      };
      void poll();
    }
  });
  child.stdout!.resume();
  child.stderr!.resume();
  return child;
}

export async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  child.kill('SIGTERM');
  await once(child, 'exit');
}

export interface LoadResult { rps: number; p50: number; p99: number; non2xx: number; errors: number; total: number }

export async function load(opts: autocannon.Options): Promise<LoadResult> {
  const r = await autocannon(opts);
  return { rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, non2xx: r.non2xx, errors: r.errors, total: r.requests.total };
}

export function row(name: string, r: LoadResult, ref?: LoadResult): string {
  const ratio = ref ? `  ratio ${(r.rps / ref.rps).toFixed(2)}` : '';
  return `${name.padEnd(34)} ${r.rps.toFixed(0).padStart(7)} req/s  p50 ${String(r.p50).padStart(4)} ms  p99 ${String(r.p99).padStart(4)} ms  non-2xx ${r.non2xx}  errors ${r.errors}${ratio}`;
}

/** A distinct, well-formed national code per request number: the date part moves on every 9999 numbers. */
export function codeFor(i: number): string {
  const day = new Date(Date.UTC(2026, 0, 1) + Math.floor(i / 9999) * 86_400_000);
  const yymmdd = `${String(day.getUTCFullYear() % 100).padStart(2, '0')}${String(day.getUTCMonth() + 1).padStart(2, '0')}${String(day.getUTCDate()).padStart(2, '0')}`;
  return `000.00.15.H12-${yymmdd}-${String((i % 9999) + 1).padStart(4, '0')}`;
}

/** A subscriber: a quorum queue of ours bound to <p>.events (what amqp-limit.cjs publishes to is a quorum queue too). */
export async function subscriber(prefix: string) {
  const conn = await amqp.connect((process.env.AMQP_URL || 'amqp://guest:guest@127.0.0.1:5672'));
  const ch = await conn.createChannel();
  const queue = `${prefix}.bench-subscriber`;
  await ch.assertExchange(`${prefix}.events`, 'topic', { durable: true });
  await ch.assertQueue(queue, { durable: true, arguments: { 'x-queue-type': 'quorum' } });
  await ch.purgeQueue(queue);
  await ch.bindQueue(queue, `${prefix}.events`, 'dossier.#');
  return {
    count: async () => (await ch.checkQueue(queue)).messageCount,
    purge: async () => { await ch.purgeQueue(queue); },
    async remove() {
      // One channel per deletion: a refused one closes its channel, not the clean-up.
      const quietly = async (f: (c: typeof ch) => Promise<unknown>) => {
        const c = await conn.createChannel();
        c.on('error', () => {});
        await f(c).catch(() => {});
        await c.close().catch(() => {});
      };
      const tiers = ['1s', '5s', '30s', '2m', '10m'].map((t) => `${prefix}.retry.${t}`);
      for (const q of [queue, `${prefix}.dead`, ...tiers]) await quietly((c) => c.deleteQueue(q));
      for (const x of [`${prefix}.events`, `${prefix}.deliver`, ...tiers]) await quietly((c) => c.deleteExchange(x));
      await conn.close().catch(() => {});
    },
  };
}


export const ADMIN = 'bench-admin-token-0123456789abcdef0123456789';
export const payload = JSON.parse(readFileSync(path.join(SHARED_BENCH, 'dossier.json'), 'utf8')) as Record<string, unknown>;

let built = false;
/** `npm start`'s build (prestart): the hub compiled into dist/, once per bench process. */
export function buildHub(): void {
  if (built) return;
  execFileSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { stdio: 'inherit' });
  built = true;
}

/**
 * The hub as `npm start` runs it (the compiled dist/src/server.js, default log level, relay on unless `env` says
 * otherwise), ready once /healthz answers.
 */
export function startHub(o: { port: number; dataDir: string; env?: NodeJS.ProcessEnv; nodeArgs?: string[] }): Promise<ChildProcess> {
  buildHub();
  return startProcess('node', [...(o.nodeArgs ?? []), 'dist/src/server.js'], {
    PORT: String(o.port), HUB_DATA_DIR: o.dataDir, HUB_ADMIN_TOKEN: ADMIN, HUB_CONFIG_DIR: path.join(o.dataDir, 'config'),
    AMQP_PREFIX: `bench${process.pid}p${o.port}`, ...o.env,
  }, `http://127.0.0.1:${o.port}/healthz`);
}

/** Registers a system through the admin API; returns its key. */
export async function registerSource(port: number, id: string, adapter: string, agencies = ['000.00.15.H12'], role: 'source' | 'platform' = 'source'): Promise<string> {
  const res = await fetch(`http://127.0.0.1:${port}/v1/admin/systems`, {
    method: 'POST', headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' },
    body: JSON.stringify({ id, name: id, adapter, role, level: 'province', agencies, delivery: { mode: 'none' }, subscriptions: [], mapping: null }),
  });
  if (!res.ok) throw new Error(`registering ${id}: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { apiKey: string }).apiKey;
}

/** Canonical ingest requests, a distinct dossier code per request (`offset` keeps runs on one store apart). */
export function ingestRequests(pathname: string, headers: Record<string, string>, offset = 0): autocannon.Request[] {
  let i = offset;
  return [{
    method: 'POST', path: pathname, headers: { 'content-type': 'application/json', ...headers },
    setupRequest: (req: autocannon.Request) => ({ ...req, body: JSON.stringify({ ...payload, code: codeFor(i++) }) }),
  }];
}

/** The highest resident set size of a process (Linux /proc), sampled every 200 ms until `stop()` is called. */
export function rssSampler(pid: number): { stop(): number } {
  let max = 0;
  const read = () => {
    try {
      const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
      if (m) max = Math.max(max, Number(m[1]) * 1024);
    } catch { /* gone */ }
  };
  const t = setInterval(read, 200);
  return { stop() { clearInterval(t); read(); return max; } };
}
