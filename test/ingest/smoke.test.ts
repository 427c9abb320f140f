import t from 'tap';
import { startHub, dossier } from '../helpers/hub.js';

t.test('a canonical dossier is accepted, stored and read back', async (t) => {
  const hub = await startHub();
  t.teardown(() => hub.close());
  const key = await hub.register({ id: 'tnmt', agencies: ['000.00.15.H12'] });
  const res = await hub.post('tnmt', key, dossier());
  t.equal(res.statusCode, 202, res.body);
  const receipt = res.json();
  t.equal(receipt.dossierCode, '000.00.15.H12-261127-0007');
  t.equal(receipt.revision, 1);
  const again = await hub.post('tnmt', key, dossier());
  t.equal(again.json().duplicate, true);
  t.equal(again.json().receiptId, receipt.receiptId);
  const read = await hub.get('/v1/dossiers/000.00.15.H12-261127-0007', key);
  t.equal(read.statusCode, 200, read.body);
  t.same(read.json().routing, { origin: 'tnmt', holder: 'tnmt', returnTo: 'tnmt', transfers: [] });
  console.log(read.body);
});
