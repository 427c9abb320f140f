// Runs the activation suite off the event loop (mapping.md §17, api.md "Mapping versions"): one worker thread,
// started on first use, jobs answered in order. The thread is unref'd while idle, so it never keeps the process
// alive after its last run, and `close()` (from the hub's close) terminates it. Under tsx (tests, `npm start`) the worker's entry is TypeScript:
// a small bootstrap registers tsx's loader in the thread before importing it; a compiled build imports the .js.
import { Worker } from 'node:worker_threads';
import { rememberRuns, type SuiteInput, type SuiteReport } from './suite.js';

type Pending = { resolve: (r: SuiteReport) => void; reject: (e: Error) => void };

function startWorker(): Worker {
  const ts = import.meta.url.endsWith('.ts');
  const entry = new URL(ts ? './suite-worker.ts' : './suite-worker.js', import.meta.url);
  if (!ts) return new Worker(entry);
  const tsx = import.meta.resolve('tsx/esm/api');
  const boot = `import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(entry.href)}); })`;
  return new Worker(boot, { eval: true });
}

export class SuiteRunner {
  private worker: Worker | undefined;
  private pending = new Map<number, Pending>();
  private next = 1;
  private closed = false;

  /** The suite's report for a version, from the worker; its sample runs are remembered in this thread's cache. */
  run(input: SuiteInput): Promise<SuiteReport> {
    if (this.closed) return Promise.reject(new Error('the activation suite runner is closed'));
    const w = this.ensure();
    const id = this.next++;
    w.ref(); // while a run is pending, the thread holds the process (its answer is awaited)
    return new Promise<SuiteReport>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      w.postMessage({ id, input });
    }).finally(() => {
      if (!this.pending.size && this.worker === w) w.unref();
    }).then((report) => {
      rememberRuns(report.runs);
      return report;
    });
  }

  private ensure(): Worker {
    if (this.worker) return this.worker;
    const w = startWorker();
    w.on('message', (msg: { id: number; report?: SuiteReport; error?: { name: string; message: string; stack?: string } }) => {
      const p = this.pending.get(msg.id);
      if (!p) return;
      this.pending.delete(msg.id);
      if (msg.report) p.resolve(msg.report);
      else p.reject(Object.assign(new Error(`activation suite: ${msg.error?.message ?? 'failed'}`), { stack: msg.error?.stack }));
    });
    const fail = (err: Error) => {
      if (this.worker === w) this.worker = undefined;
      for (const p of this.pending.values()) p.reject(err);
      this.pending.clear();
    };
    w.on('error', fail);
    w.on('exit', (code) => fail(new Error(`the activation suite's worker exited (${code})`)));
    w.unref(); // after the listeners: adding a 'message' listener refs the worker again
    this.worker = w;
    return w;
  }

  /** Terminates the worker; pending runs are refused. */
  async close(): Promise<void> {
    this.closed = true;
    const w = this.worker;
    this.worker = undefined;
    if (w) await w.terminate();
  }
}
