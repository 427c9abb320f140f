// Issue 11: the `lgsp-hub` CLI as a child process against a hub listening on a free port: tables, --json, and the
// exit codes of api.md (0 success, 1 refused or failed check, 2 usage, 3 unreachable).
import t from 'tap';
import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { ADMIN_TOKEN, startHub } from '../helpers/hub.js';
import { freePort } from '../helpers/net.js';

const BIN = new URL('../../bin/lgsp-hub.js', import.meta.url).pathname;
const base = mkdtempSync(path.join(tmpdir(), 'hub-cli-'));
mkdirSync(path.join(base, 'config'), { recursive: true });
copyFileSync(new URL('../../config/rollout.json', import.meta.url).pathname, path.join(base, 'config', 'rollout.json'));
const hub = await startHub({ dataDir: path.join(base, 'data'), configDir: path.join(base, 'config') });
const port = await freePort();
await hub.app.listen({ port, host: '127.0.0.1' });
const URL_ = `http://127.0.0.1:${port}`;
t.teardown(async () => { await hub.close(); rmSync(base, { recursive: true, force: true }); });

function cli(args: string[], env: Record<string, string> = { HUB_URL: URL_, HUB_ADMIN_TOKEN: ADMIN_TOKEN }): Promise<{ code: number; out: string; err: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { env: { PATH: process.env.PATH ?? '', HUB_DATA_DIR: path.join(base, 'nowhere'), ...env }, timeout: 60_000 }, (error, out, err) => {
      resolve({ code: error ? ((error as { code?: number }).code ?? -1) : 0, out: String(out), err: String(err) });
    });
  });
}

t.test('systems: add, list, rotate-key, retire', async (t) => {
  const reg = path.join(base, 'reg.json');
  writeFileSync(reg, JSON.stringify({ id: 'so-tu-phap', name: 'Sở Tư pháp — một cửa', adapter: 'canonical', role: 'source', level: 'province', agencies: ['000.00.12.H12'], delivery: { mode: 'none' }, subscriptions: [], mapping: null }));
  const add = await cli(['systems', 'add', '--file', reg]);
  t.equal(add.code, 0, add.err);
  t.match(add.out, /apiKey: so-tu-phap\.[A-Za-z0-9_-]{43}/, 'the key, this once');
  const list = await cli(['systems', 'list']);
  t.equal(list.code, 0);
  t.match(list.out, /^id\s+name\s+adapter\s+status\s+agencies\s+mapping\s+last seen/m, 'a table');
  t.match(list.out, /so-tu-phap\s+Sở Tư pháp — một cửa\s+canonical\s+active\s+000\.00\.12\.H12/, 'Vietnamese text as is');
  const json = await cli(['systems', 'list', '--json', '--status', 'all']);
  t.same(JSON.parse(json.out).items.map((s: { id: string }) => s.id), ['so-tu-phap'], '--json: the answer as it is');
  const rot = await cli(['systems', 'rotate-key', 'so-tu-phap', '--overlap', '90s', '--json']);
  t.equal(rot.code, 0);
  t.match(JSON.parse(rot.out), { apiKey: /^so-tu-phap\./, previousKeyValidUntil: /\+07:00$/ });
  t.equal((await cli(['systems', 'rotate-key', 'so-tu-phap', '--overlap', 'soon'])).code, 2, 'a bad duration is usage');
  t.equal((await cli(['systems', 'retire', 'so-tu-phap'])).code, 2, 'retire without --yes');
  const retire = await cli(['systems', 'retire', 'so-tu-phap', '--yes']);
  t.equal(retire.code, 0);
  t.match(retire.out, /so-tu-phap.*retired/);
  const refused = await cli(['systems', 'rotate-key', 'so-tu-phap']);
  t.equal(refused.code, 1, 'the hub refused: 409');
  t.match(refused.err, /409 HUB_SYSTEM_RETIRED/);
  t.equal((await cli(['systems', 'add', '--file', path.join(base, 'missing.json')])).code, 2, 'an unreadable file is usage');
});

t.test('rollout, dead letters', async (t) => {
  const list = await cli(['rollout', 'list']);
  t.equal(list.code, 0);
  t.match(list.out, /^1\s+so-khdt\s+Sở Kế hoạch và Đầu tư\s+—\s+so-khdt\s+2015-07-31\s+planned/m);
  const set = await cli(['rollout', 'set', 'so-ldtbxh', '--successor', 'so-noi-vu']);
  t.equal(set.code, 0, set.err);
  t.match(set.out, /4\s+so-ldtbxh\s+Sở Lao động – Thương binh và Xã hội\s+so-noi-vu/);
  const fixed = await cli(['rollout', 'set', 'so-khdt', '--order', '30']);
  t.equal(fixed.code, 1);
  t.match(fixed.err, /\/entries\/0\/order/, 'the field at fault');
  t.equal((await cli(['rollout', 'set', 'so-khdt'])).code, 2, 'nothing to set');
  const dl = await cli(['dead-letters', 'list']);
  t.equal(dl.code, 0);
  t.match(dl.out, /^id\s+system\s+dossier/);
});

t.test('audit verify: ok, then broken (exit 1)', async (t) => {
  const ok = await cli(['audit', 'verify']);
  t.equal(ok.code, 0);
  t.match(ok.out, /^ok: \d+ entries/);
  const db = new Database(path.join(base, 'data', 'hub.sqlite'));
  db.prepare("UPDATE audit SET actor = 'someone' WHERE id = 2").run();
  db.close();
  const bad = await cli(['audit', 'verify']);
  t.equal(bad.code, 1, 'a broken chain');
  t.match(bad.out, /BROKEN at entry 2: altered/);
  const badJson = await cli(['audit', 'verify', '--json']);
  t.equal(badJson.code, 1);
  t.match(JSON.parse(badJson.out), { ok: false, firstBad: { seq: 2, problem: 'altered' } });
});

t.test('usage, tokens and an unreachable hub', async (t) => {
  t.equal((await cli(['frobnicate'])).code, 2, 'unknown command');
  t.equal((await cli(['mapping', 'push'])).code, 2, 'a missing --system');
  t.equal((await cli(['systems', 'list', '--colour'])).code, 2, 'unknown flag');
  t.equal((await cli(['systems', 'rotate-key'])).code, 2, 'missing argument');
  const help = await cli(['systems', 'list', '--help']);
  t.equal(help.code, 0);
  t.match(help.out, /systems list \[--status/);
  const none = await cli(['systems', 'list'], { HUB_URL: URL_ });
  t.equal(none.code, 2, 'no token');
  t.match(none.err, /no token/);
  const secrets = path.join(base, 'secrets');
  mkdirSync(secrets, { recursive: true });
  writeFileSync(path.join(secrets, 'admin-token'), 'an-old-token-that-was-rotated-long-ago-0000\n', { mode: 0o600 });
  const stale = await cli(['systems', 'list'], { HUB_URL: URL_, HUB_SECRETS_DIR: secrets });
  t.equal(stale.code, 1);
  t.match(stale.err, /rotated/, 'a 401 with the file token says it was probably rotated');
  const closed = await freePort();
  const down = await cli(['systems', 'list', '--url', `http://127.0.0.1:${closed}`]);
  t.equal(down.code, 3, 'connection refused');
  t.match(down.err, /cannot be reached/);
});
