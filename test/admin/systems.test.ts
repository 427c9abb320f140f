// Issue 11, admin API: systems list, read (never a key), patch, retire, key rotation, admin token rotation,
// manual-credential bootstrap systems; every request audited with its actor.
import t from 'tap';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ADMIN_TOKEN, dossier, startHub, type TestHub } from '../helpers/hub.js';

const admin = (hub: TestHub, method: string, url: string, payload?: unknown, headers: Record<string, string> = {}, token = ADMIN_TOKEN) =>
  hub.app.inject({ method: method as 'GET', url, headers: { authorization: `Bearer ${token}`, ...headers }, ...(payload === undefined ? {} : { payload: payload as object }) });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const AGENCY = '000.00.15.H12';

t.test('list, read, patch, keys, retire', async (t) => {
  const hub = await startHub();
  t.teardown(() => hub.close());
  const key = await hub.register({ id: 'so-tnmt', agencies: [AGENCY], name: 'Sở Tài nguyên và Môi trường' });
  await hub.register({ id: 'undp-a', adapter: 'undp-motcua', level: 'commune' });
  await hub.register({ id: 'old-one' });
  t.equal((await admin(hub, 'DELETE', '/v1/admin/systems/old-one')).statusCode, 200);

  // ---- list: status and adapter filters, limit and cursor
  const active = (await admin(hub, 'GET', '/v1/admin/systems')).json();
  t.same(active.items.map((s: { id: string }) => s.id), ['so-tnmt', 'undp-a'], 'active by default, by id');
  t.type(active.nextCursor, 'string');
  t.same((await admin(hub, 'GET', '/v1/admin/systems?status=retired')).json().items.map((s: { id: string }) => s.id), ['old-one']);
  t.same((await admin(hub, 'GET', '/v1/admin/systems?status=all&adapter=undp-motcua')).json().items.map((s: { id: string }) => s.id), ['undp-a']);
  const p1 = (await admin(hub, 'GET', '/v1/admin/systems?status=all&limit=2')).json();
  const p2 = (await admin(hub, 'GET', `/v1/admin/systems?status=all&limit=2&cursor=${p1.nextCursor}`)).json();
  t.same([...p1.items, ...p2.items].map((s: { id: string }) => s.id), ['old-one', 'so-tnmt', 'undp-a'], 'pages neither skip nor repeat');
  t.equal((await admin(hub, 'GET', '/v1/admin/systems?cursor=bogus')).json().code, 'HUB_QUERY_INVALID');

  // ---- read: the record, keys without secrets, lastSeenAt after a successful authentication
  t.equal((await hub.post('so-tnmt', key, dossier())).statusCode, 202);
  await sleep(1300); // bookkeeping is flushed at most once a second
  const read = await admin(hub, 'GET', '/v1/admin/systems/so-tnmt');
  const rec = read.json();
  t.match(rec, { id: 'so-tnmt', status: 'active', retiredAt: null, mapping: null, createdAt: String, updatedAt: String, lastSeenAt: String });
  t.equal(rec.keys.length, 1);
  t.match(rec.keys[0], { keyId: /^[0-9a-f]{16}$/, createdAt: String, validUntil: null, lastUsedAt: String });
  t.notOk(read.body.includes(key.split('.')[1]!), 'never the key');
  t.notOk(/[0-9a-f]{64}/.test(read.body), 'never an HMAC');

  // ---- patch: merge patch, validated as a whole, 409 for a taken agency, audited before/after
  const patched = await admin(hub, 'PATCH', '/v1/admin/systems/undp-a', JSON.stringify({ name: 'UBND xã A', delivery: { mode: 'pull' } }), { 'content-type': 'application/merge-patch+json' });
  t.equal(patched.statusCode, 200, patched.body);
  t.match(patched.json(), { name: 'UBND xã A', delivery: { mode: 'pull' }, adapter: 'undp-motcua' });
  const taken = await admin(hub, 'PATCH', '/v1/admin/systems/undp-a', { agencies: [AGENCY] });
  t.equal(taken.statusCode, 409);
  t.equal(taken.json().code, 'HUB_SYSTEM_AGENCY_TAKEN');
  const bad = await admin(hub, 'PATCH', '/v1/admin/systems/undp-a', { delivery: { mode: 'push' } });
  t.equal(bad.statusCode, 422, 'push without a url: the result is validated as a whole');
  t.equal(bad.json().errors[0].path, '/delivery/url');
  t.equal((await admin(hub, 'PATCH', '/v1/admin/systems/undp-a', { role: 'nobody' })).statusCode, 422);
  t.equal((await admin(hub, 'PATCH', '/v1/admin/systems/undp-a', { id: 'x' })).statusCode, 422);
  const proto = await admin(hub, 'PATCH', '/v1/admin/systems/undp-a', '{"name": "y", "__proto__": {"role": "platform"}}', { 'content-type': 'application/merge-patch+json' });
  t.equal(proto.json().code, 'HUB_REQUEST_FORBIDDEN_KEY', 'a merge patch is parsed as strictly as any JSON body');
  const noAuth = await hub.app.inject({ method: 'PATCH', url: '/v1/admin/systems/undp-a', headers: { 'content-type': 'application/json' }, payload: '{"__proto__": 1}' });
  t.equal(noAuth.statusCode, 401, 'credentials are checked before the body is read');
  t.equal((await admin(hub, 'GET', '/v1/admin/systems/undp-a')).json().name, 'UBND xã A', 'refused patches changed nothing');
  const updates = (await admin(hub, 'GET', '/v1/admin/audit?action=system.update&target=undp-a')).json().items;
  t.equal(updates.length, 6, 'every patch audited, the refused ones too');
  t.same(updates[0].detail, { before: { name: 'undp-a', delivery: { mode: 'none' } }, after: { name: 'UBND xã A', delivery: { mode: 'pull' } } }, 'before/after of what changed');
  t.match(updates[1].detail, { status: 409, code: 'HUB_SYSTEM_AGENCY_TAKEN' });

  // ---- key rotation with an overlap, then with none
  const rot = await admin(hub, 'POST', '/v1/admin/systems/so-tnmt/keys', { overlapSeconds: 3600 });
  t.equal(rot.statusCode, 201);
  const { apiKey: key2, keyId, previousKeyValidUntil } = rot.json();
  t.match(key2, /^so-tnmt\./);
  t.match(previousKeyValidUntil, /\+07:00$/);
  t.equal((await hub.get('/v1/dossiers?limit=1', key)).statusCode !== 401, true, 'the old key works during the overlap');
  t.equal((await hub.post('so-tnmt', key2, dossier({ summary: 'x2' }))).statusCode, 202, 'the new key works at once');
  const rot0 = (await admin(hub, 'POST', '/v1/admin/systems/so-tnmt/keys', { overlapSeconds: 0 })).json();
  t.equal((await hub.post('so-tnmt', key2, dossier({ summary: 'x3' }))).statusCode, 401, 'overlap 0: earlier keys stop at once');
  t.equal((await hub.post('so-tnmt', key, dossier({ summary: 'x3' }))).statusCode, 401);
  t.equal((await admin(hub, 'POST', '/v1/admin/systems/so-tnmt/keys', { overlapSeconds: 2592001 })).statusCode, 422, 'overlap at most 30 days');
  const keyAudit = (await admin(hub, 'GET', '/v1/admin/audit?action=key.rotate')).json();
  t.same(keyAudit.items.map((e: { detail: unknown }) => e.detail), [{ keyId, overlapSeconds: 3600 }, { keyId: rot0.keyId, overlapSeconds: 0 }, { status: 422, code: 'HUB_VALIDATION' }], 'the refused one too');
  t.notOk(JSON.stringify(keyAudit).includes(key2.split('.')[1]), 'the audit never holds a key');

  // ---- retire: keys stop, agencies freed, history kept, changes refused, retiring again answers the same
  const ret = await admin(hub, 'DELETE', '/v1/admin/systems/so-tnmt');
  t.equal(ret.statusCode, 200);
  t.match(ret.json(), { status: 'retired', retiredAt: String });
  t.equal((await hub.post('so-tnmt', rot0.apiKey, dossier({ summary: 'x4' }))).statusCode, 401, 'its keys stop at once');
  t.equal((await admin(hub, 'PATCH', '/v1/admin/systems/so-tnmt', { name: 'x' })).json().code, 'HUB_SYSTEM_RETIRED');
  t.equal((await admin(hub, 'POST', '/v1/admin/systems/so-tnmt/keys', {})).statusCode, 409);
  t.match((await admin(hub, 'DELETE', '/v1/admin/systems/so-tnmt')).json(), { status: 'retired', retiredAt: ret.json().retiredAt }, 'again: the same');
  await hub.register({ id: 'so-nnmt', agencies: [AGENCY] }); // 201: the agency is free again
  t.equal((await hub.register({ id: 'so-tnmt' }).catch((e: Error) => e.message)).slice(0, 16), 'register so-tnmt', 'an id is never reused');
  const platform = await hub.register({ id: 'platform', role: 'platform' });
  t.equal((await hub.get('/v1/dossiers/000.00.15.H12-261127-0007', platform)).statusCode, 200, 'its dossiers stay readable');
});

t.test('every admin request is audited with its actor; filters', async (t) => {
  const hub = await startHub();
  t.teardown(() => hub.close());
  await hub.register({ id: 'so-a' });
  await admin(hub, 'GET', '/v1/admin/systems/so-a');
  await admin(hub, 'GET', '/v1/admin/systems/nope');
  await admin(hub, 'GET', '/v1/admin/systems');
  const all = (await admin(hub, 'GET', '/v1/admin/audit?actor=admin')).json().items;
  t.same(all.map((e: { action: string }) => e.action), ['system.register', 'system.read', 'system.read', 'system.list']);
  t.match(all[1], { actor: 'admin', target: 'so-a', from: '127.0.0.1', correlationId: String, prevHash: /^[0-9a-f]{64}$/ });
  t.match(all[2], { target: 'nope', detail: { status: 404, code: 'HUB_NOT_FOUND' } }, 'a refused read too');
  t.same((await admin(hub, 'GET', '/v1/admin/audit?action=system.*&target=so-a')).json().items.map((e: { action: string }) => e.action), ['system.register', 'system.read']);
  t.same((await admin(hub, 'GET', '/v1/admin/audit?action=system')).json().items, [], 'without * the action matches exactly');
  const reads = (await admin(hub, 'GET', '/v1/admin/audit?action=audit.*')).json().items;
  t.ok(reads.length >= 3 && reads.every((e: { action: string }) => e.action === 'audit.read'), 'the audit reads are audited');
  t.same((await admin(hub, 'GET', '/v1/admin/audit?since=2999-01-01T00:00:00%2B07:00')).json().items, []);
  t.equal((await admin(hub, 'GET', '/v1/admin/audit?since=yesterday')).statusCode, 400);
  const page = (await admin(hub, 'GET', '/v1/admin/audit?limit=2')).json();
  const next = (await admin(hub, 'GET', `/v1/admin/audit?limit=2&cursor=${page.nextCursor}`)).json();
  t.equal(next.items[0].seq, page.items[1].seq + 1, 'the cursor resumes after the last entry');
  const v = (await admin(hub, 'GET', '/v1/admin/audit/verify')).json();
  t.match(v, { ok: true, head: { seq: Number } });
  t.equal((await admin(hub, 'GET', '/v1/admin/audit?action=audit.verify')).json().items.length, 1, 'the verification is audited');
  t.same((await admin(hub, 'GET', '/v1/admin/audit/checkpoints')).json(), { items: [] }, 'no checkpoint before 100 entries');
  const key = await hub.register({ id: 'so-b' });
  t.equal((await admin(hub, 'GET', '/v1/admin/systems', undefined, {}, key)).statusCode, 403, 'a system key on an admin route');
});

t.test('admin token rotation: the store keeps an HMAC, actor admin:<tokenId>, the bootstrap token ends', async (t) => {
  const hub = await startHub();
  t.teardown(() => hub.close());
  const r1 = await admin(hub, 'POST', '/v1/admin/token', { overlapSeconds: 600 });
  t.equal(r1.statusCode, 201);
  const { token, tokenId, previousTokenValidUntil } = r1.json();
  t.ok(token.length >= 32);
  t.match(previousTokenValidUntil, /\+07:00$/);
  t.equal((await admin(hub, 'GET', '/v1/admin/systems')).statusCode, 200, 'the bootstrap token works during the overlap');
  t.equal((await admin(hub, 'GET', '/v1/admin/systems', undefined, {}, token)).statusCode, 200, 'the new one works at once');
  const mine = (await admin(hub, 'GET', `/v1/admin/audit?actor=admin:${tokenId}`, undefined, {}, token)).json().items;
  t.same(mine.map((e: { action: string }) => e.action), ['system.list']);
  t.ok((await admin(hub, 'GET', '/v1/admin/audit?actor=admin', undefined, {}, token)).json().items.some((e: { actor: string }) => e.actor === `admin:${tokenId}`), 'actor=admin matches rotated tokens');
  const r2 = (await admin(hub, 'POST', '/v1/admin/token', { overlapSeconds: 0 }, {}, token)).json();
  t.equal((await admin(hub, 'GET', '/v1/admin/systems')).statusCode, 401, 'the bootstrap token is ignored after the rotation');
  t.equal((await admin(hub, 'GET', '/v1/admin/systems', undefined, {}, token)).statusCode, 401);
  t.equal((await admin(hub, 'GET', '/v1/admin/systems', undefined, {}, r2.token)).statusCode, 200);
  t.ok(hub.logs.some((l) => l.includes('bootstrap administrator token was presented')), 'with a warning');
  const stored = JSON.stringify((await admin(hub, 'GET', '/v1/admin/audit?action=token.rotate', undefined, {}, r2.token)).json());
  t.notOk(stored.includes(token) || stored.includes(r2.token), 'never a token in the audit');
});

t.test('"credentials": "manual" bootstrap systems get no key until POST …/keys', async (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'hub-manual-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  mkdirSync(path.join(dir, 'config', 'systems'), { recursive: true });
  writeFileSync(path.join(dir, 'config', 'systems', 'so-khdt.json'), JSON.stringify({
    id: 'so-khdt', name: 'Sở Kế hoạch và Đầu tư', adapter: 'canonical', role: 'source', level: 'province', credentials: 'manual',
    agencies: ['000.00.10.H12'], delivery: { mode: 'none' }, subscriptions: [], mapping: null,
  }));
  const hub = await startHub({ dataDir: path.join(dir, 'data'), configDir: path.join(dir, 'config') });
  t.teardown(() => hub.close());
  t.notOk(existsSync(path.join(dir, 'data', 'keys', 'so-khdt.key')), 'no key file');
  t.same((await admin(hub, 'GET', '/v1/admin/systems/so-khdt')).json().keys, [], 'no key');
  const seeded = (await admin(hub, 'GET', '/v1/admin/audit?actor=hub')).json().items;
  t.match(seeded[0], { actor: 'hub', action: 'system.register', target: 'so-khdt', detail: { credentials: 'manual' } });
  const { apiKey } = (await admin(hub, 'POST', '/v1/admin/systems/so-khdt/keys')).json();
  t.equal((await hub.post('so-khdt', apiKey, dossier({ code: '000.00.10.H12-261127-0001', agency: { code: '000.00.10.H12', name: 'Sở KH&ĐT', level: 'province' } }))).statusCode, 202, 'switched on by its first key');
});
