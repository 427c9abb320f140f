// Short version of a chaos scenario (bench/chaos-scenarios.ts; the long one: npm run chaos): the hub killed with SIGKILL under load and restarted on the same data.
// The count check: every 2xx dossier stored once, delivered at least once, nothing else; no 5xx but 503.
// Everything the scenario starts (hub process, target, own broker node) is stopped in its finally, even on failure.
import t from 'tap';
import { hubKilled } from '../bench/chaos-scenarios.js';

t.setTimeout(300_000); // a loaded 2-core machine: the scenario's own waits bound it
t.test('the hub killed with SIGKILL under load and restarted on the same data', async (t) => {
  const row = await hubKilled({ seconds: 4 });
  if (row.result === 'skipped') return t.skip(row.note);
  t.comment(JSON.stringify(row));
  t.equal(row.result, 'ok', row.note);
  t.ok(row.ok > 0, 'dossiers were accepted');
  t.equal(row.stored, row.ok, 'every 2xx stored');
  t.equal(row.delivered, row.ok, 'every 2xx delivered');
});
