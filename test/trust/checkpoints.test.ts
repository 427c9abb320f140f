// Signed audit checkpoints (api.md "Audit log"): a detached CMS by the hub's signing key over the JCS form of
// {seq, hash, at}, checked by openssl against /v1/trust/ca.pem; verify says `signed`, refuses a forged signature,
// and sees a log cut below the latest checkpoint, also with the checkpoint rows deleted while the mirror survives.
import t from 'tap';
import path from 'node:path';
import { readFileSync } from 'node:fs';
import Database from 'better-sqlite3';
import { checkpointBytes } from '../../src/store/audit-checkpoint.js';
import { startHub, ADMIN_TOKEN } from '../helpers/hub.js';
import { opensslVerify } from './helpers.js';

t.test('checkpoints are signed; verify checks them and sees a cut below one', async (t) => {
  const hub = await startHub();
  t.teardown(() => hub.close());
  await hub.ctx.trust.ready(); // as the process does before it listens
  const admin = (url: string) => hub.app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
  for (let i = 0; i < 5; i++) await admin('/v1/admin/systems'); // audited reads
  const cp = await hub.ctx.store.auditCheckpoint();
  t.ok(cp, 'a checkpoint of the head');
  // Signed after its transaction: poll with a generous deadline.
  const deadline = Date.now() + 30_000;
  let listed: { seq: number; signed: boolean }[] = [];
  while (Date.now() < deadline) {
    listed = (await admin('/v1/admin/audit/checkpoints')).json().items;
    if (listed[0]?.signed) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  t.equal(listed[0]?.seq, cp!.seq);
  t.equal(listed[0]?.signed, true, 'the listing says signed');

  const [stored] = await hub.ctx.store.auditCheckpoints(1);
  const caPem = (await hub.app.inject({ method: 'GET', url: '/v1/trust/ca.pem' })).body;
  t.ok(opensslVerify(stored!.signature!, checkpointBytes(stored!), caPem), 'openssl cms -verify accepts it against ca.pem');
  t.notOk(opensslVerify(stored!.signature!, checkpointBytes({ ...stored!, seq: stored!.seq + 1 }), caPem), 'and refuses other bytes');
  const mirror = JSON.parse(readFileSync(path.join(hub.dataDir, 'audit-checkpoint.json'), 'utf8'));
  t.equal(mirror.signature, stored!.signature, 'the mirror file carries the signature');

  let v = (await admin('/v1/admin/audit/verify')).json();
  t.equal(v.ok, true);
  t.same(v.checkpoint, { seq: cp!.seq, hash: cp!.hash, at: cp!.at, signed: true });

  const db = new Database(path.join(hub.dataDir, 'hub.sqlite'));
  t.teardown(() => db.close());
  // A forged checkpoint: its signature no longer covers what it says.
  const realAt = stored!.at;
  db.prepare('UPDATE audit_checkpoints SET at = ? WHERE seq = ?').run('2020-01-01T00:00:00.000+07:00', cp!.seq);
  v = (await admin('/v1/admin/audit/verify')).json();
  t.equal(v.ok, false, 'a checkpoint whose signature does not hold');
  t.equal(v.firstBad.problem, 'altered');
  t.match(v.firstBad.message, /signature/);
  db.prepare('UPDATE audit_checkpoints SET at = ? WHERE seq = ?').run(realAt, cp!.seq);

  // The log cut below the checkpoint, with the checkpoint rows deleted too: the mirror file still tells.
  db.prepare('DELETE FROM audit_checkpoints').run();
  db.prepare('DELETE FROM audit WHERE id >= ?').run(cp!.seq - 1);
  v = (await hub.ctx.store.verifyAudit());
  t.equal(v.ok, false);
  t.match(v, { firstBad: { problem: 'removed', seq: cp!.seq - 1 } });
  t.match((v as { firstBad: { message: string } }).firstBad.message, /mirror file/);
});
