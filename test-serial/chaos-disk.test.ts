// The data dir's disk full, with the real hub process on a small tmpfs (bench/chaos-disk.ts): 503 HUB_STORE_FULL
// with Retry-After below HUB_MIN_FREE_MB and on a completely full disk, never a 500 or a crash; /readyz full;
// every 2xx stored once and delivered; ingest resumes when space returns. The file system is unmounted in any case.
import t from 'tap';
import { diskFull } from '../bench/chaos-disk.js';

t.setTimeout(300_000); // a loaded 2-core machine: the scenario's own waits bound it
t.test('data dir disk full: refused cleanly, nothing acknowledged lost, resumes', async (t) => {
  const row = await diskFull({ seconds: 6, concurrency: 6 });
  if (row.result === 'skipped') return t.skip(row.note);
  t.comment(JSON.stringify(row));
  t.equal(row.result, 'ok', row.note);
  t.ok(row.ok > 0 && row.stored === row.ok && row.delivered === row.ok, 'every 2xx stored and delivered');
  t.match(row.note, /\d+ × 503 HUB_STORE_FULL/);
});
