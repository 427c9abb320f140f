// Shared pieces of the benchmarks: start a server as a child process, run autocannon, print ratios.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
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
