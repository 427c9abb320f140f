// A restart of the process keeps everything that got a 2xx: the store is on disk before the answer.
import t from 'tap';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startHub, dossier } from '../helpers/hub.js';

t.test('dossiers, receipts, systems and keys survive a restart', async (t) => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'hub-restart-'));
  t.teardown(() => rmSync(dataDir, { recursive: true, force: true }));
  const first = await startHub({ dataDir });
  const key = await first.register({ id: 'tnmt', agencies: ['000.00.15.H12'] });
  const receipts = [];
  for (let i = 1; i <= 20; i++) {
    const res = await first.post('tnmt', key, dossier({ code: `000.00.15.H12-261127-${String(i).padStart(4, '0')}` }));
    t.equal(res.statusCode, 202);
    receipts.push(res.json());
  }
  await first.close();

  const second = await startHub({ dataDir });
  t.teardown(() => second.close());
  for (const r of receipts) {
    const d = await second.get(`/v1/dossiers/${r.dossierCode}`, key);
    t.equal(d.statusCode, 200, `${r.dossierCode} is still there with the same key`);
  }
  const again = await second.post('tnmt', key, dossier({ code: '000.00.15.H12-261127-0001' }));
  t.equal(again.json().duplicate, true);
  t.equal(again.json().receiptId, receipts[0].receiptId, 'the earlier receipt comes back after the restart');
  t.equal((await second.ctx.store.outboxBacklog()).count, 20, 'every accepted change still waits in the outbox');
});
