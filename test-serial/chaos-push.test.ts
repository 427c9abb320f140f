// Short version of a chaos scenario (bench/chaos-scenarios.ts; the long one: npm run chaos): a push target answering 503, then 200.
// The count check: every 2xx dossier stored once, delivered at least once, nothing else; no 5xx but 503.
// Everything the scenario starts (hub process, target, own broker node) is stopped in its finally, even on failure.
import t from 'tap';
import { pushTarget503 } from '../bench/chaos-scenarios.js';

t.setTimeout(300_000); // a loaded 2-core machine: the scenario's own waits bound it
t.test('a push target answering 503, then 200', async (t) => {
  const row = await pushTarget503({ seconds: 4 });
  if (row.result === 'skipped') return t.skip(row.note);
  t.comment(JSON.stringify(row));
  t.equal(row.result, 'ok', row.note);
  t.ok(row.ok > 0, 'dossiers were accepted');
  t.equal(row.stored, row.ok, 'every 2xx stored');
  t.equal(row.delivered, row.ok, 'every 2xx delivered');
});
