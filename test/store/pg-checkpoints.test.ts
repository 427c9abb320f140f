// Signed audit checkpoints on PostgreSQL (api.md "Audit log"), as on SQLite (test/trust/checkpoints.test.ts): a
// detached CMS by the hub's signing key over the JCS form of {seq, hash, at}, checked by openssl against
// /v1/trust/ca.pem; verify says `signed`, refuses a forged signature, and sees a cut below the latest checkpoint
// with the checkpoint rows deleted while the mirror file survives.
import t from 'tap';
import path from 'node:path';
import { readFileSync } from 'node:fs';
import pg from 'pg';
import { checkpointBytes } from '../../src/store/audit-checkpoint.js';
import { startHub, ADMIN_TOKEN } from '../helpers/hub.js';
import { tempDatabase } from '../helpers/pg.js';
import { opensslVerify } from '../trust/helpers.js';
import { waitFor } from '../relay/helpers.js';

t.test('on PostgreSQL checkpoints are signed; verify checks them and sees a cut below one', async (t) => {
  const url = await tempDatabase(t);
  const hub = await startHub({ config: { databaseUrl: url, dbPool: 3 } });
  t.teardown(() => hub.close());
  await hub.ctx.trust.ready();
  const admin = (u: string) => hub.app.inject({ method: 'GET', url: u, headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
  for (let i = 0; i < 5; i++) await admin('/v1/admin/systems');
  const cp = await hub.ctx.store.auditCheckpoint();
  t.ok(cp, 'a checkpoint of the head');
  const listed = await waitFor('the checkpoint signed', async () => {
    const items = (await admin('/v1/admin/audit/checkpoints')).json().items as { seq: number; signed: boolean }[];
    return items[0]?.signed ? items : undefined;
  }, 30_000, 50);
  t.equal(listed[0]!.seq, cp!.seq);

  const [stored] = await hub.ctx.store.auditCheckpoints(1);
  const caPem = (await hub.app.inject({ method: 'GET', url: '/v1/trust/ca.pem' })).body;
  t.ok(opensslVerify(stored!.signature!, checkpointBytes(stored!), caPem), 'openssl cms -verify accepts it against ca.pem');
  t.notOk(opensslVerify(stored!.signature!, checkpointBytes({ ...stored!, seq: stored!.seq + 1 }), caPem), 'and refuses other bytes');
  const mirror = JSON.parse(readFileSync(path.join(hub.dataDir, 'audit-checkpoint.json'), 'utf8'));
  t.equal(mirror.signature, stored!.signature, 'the mirror file carries the signature');

  let v = (await admin('/v1/admin/audit/verify')).json();
  t.equal(v.ok, true);
  t.same(v.checkpoint, { seq: cp!.seq, hash: cp!.hash, at: cp!.at, signed: true });

  const db = new pg.Client({ connectionString: url });
  await db.connect();
  t.teardown(() => db.end());
  await db.query('UPDATE audit_checkpoints SET at = $1 WHERE seq = $2', ['2020-01-01T00:00:00.000+07:00', cp!.seq]);
  v = (await admin('/v1/admin/audit/verify')).json();
  t.equal(v.ok, false, 'a checkpoint whose signature does not hold');
  t.equal(v.firstBad.problem, 'altered');
  t.match(v.firstBad.message, /signature/);
  await db.query('UPDATE audit_checkpoints SET at = $1 WHERE seq = $2', [stored!.at, cp!.seq]);

  await db.query('DELETE FROM audit_checkpoints');
  await db.query('DELETE FROM audit WHERE id >= $1', [cp!.seq - 1]);
  v = await hub.ctx.store.verifyAudit();
  t.equal(v.ok, false);
  t.match(v, { firstBad: { problem: 'removed', seq: cp!.seq - 1 } });
  t.match((v as { firstBad: { message: string } }).firstBad.message, /mirror file/);
});
