// The activation suite's worker thread (mapping.md §17 "Where and how it runs"): it runs `runSuite` for each message,
// one at a time, and answers with the report. Its caches live as long as the thread.
import { parentPort, threadId } from 'node:worker_threads';
import { runSuite, type SuiteInput } from './suite.js';

parentPort!.on('message', (msg: { id: number; input: SuiteInput }) => {
  try {
    parentPort!.postMessage({ id: msg.id, report: runSuite(msg.input, threadId) });
  } catch (err) {
    parentPort!.postMessage({ id: msg.id, error: { name: (err as Error).name, message: (err as Error).message, stack: (err as Error).stack } });
  }
});
