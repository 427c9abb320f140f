// Issue 11: the new `lgsp-hub` commands as a child process against a hub on a free port: conformance (0 when the
// report passes, 1 when not), verify-receipt offline against a hub that signs receipts (valid 0, one byte changed
// 1, a missing file 2), the mapping and samples commands' usage errors and unreachable hub, --json and --help.
import t from 'tap';
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ADMIN_TOKEN, dossier, startHub } from '../helpers/hub.js';
import { freePort } from '../helpers/net.js';

const BIN = new URL('../../bin/lgsp-hub.js', import.meta.url).pathname;
const base = mkdtempSync(path.join(tmpdir(), 'hub-cli-conf-'));
mkdirSync(path.join(base, 'config'), { recursive: true });
// Criteria a built-in system can meet without samples: none needed, no status group, judged from the first item.
writeFileSync(path.join(base, 'config', 'conformance.json'), JSON.stringify({ minSamples: 0, statuses: [], errorRate: { max: 0.05, minRequests: 0 } }));
const dataDir = path.join(base, 'data');
const hub = await startHub({ dataDir, configDir: path.join(base, 'config'), config: { signReceipts: true } });
const port = await freePort();
await hub.app.listen({ port, host: '127.0.0.1' });
const URL_ = `http://127.0.0.1:${port}`;
const secrets = path.join(dataDir, 'secrets');
t.teardown(async () => { await hub.close(); rmSync(base, { recursive: true, force: true }); });

function cli(args: string[], env: Record<string, string> = {}): Promise<{ code: number; out: string; err: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { env: { PATH: process.env.PATH ?? '', HUB_DATA_DIR: path.join(base, 'nowhere'), HUB_URL: URL_, HUB_ADMIN_TOKEN: ADMIN_TOKEN, ...env }, timeout: 60_000 }, (error, out, err) => {
      resolve({ code: error ? ((error as { code?: number }).code ?? -1) : 0, out: String(out), err: String(err) });
    });
  });
}

const sxdKey = await hub.register({ id: 'so-xay-dung', adapter: 'xay-dung-soap', agencies: ['000.00.11.H12'] });
const vpdkKey = await hub.register({ id: 'vpdk', agencies: ['000.00.15.H12'] });

t.test('conformance: a table of checks; 0 when it passes, 1 when not, 2 without --system, 3 unreachable', async (t) => {
  const pending = await cli(['conformance', '--system', 'so-xay-dung']);
  t.equal(pending.code, 1, 'auth pending: not passing');
  t.match(pending.out, /^so-xay-dung \(xay-dung-soap\), .*NOT PASSING/m);
  t.match(pending.out, /^auth\s+pending\s+no authentication attempt/m);
  t.match(pending.out, /^roundTrip\s+pass\s+exempt/m);
  // Any authenticated request counts for auth.
  t.equal((await hub.get('/v1/dossiers/000.00.11.H12-261127-0001', sxdKey)).statusCode, 404);
  const ok = await cli(['conformance', '--system', 'so-xay-dung']);
  t.equal(ok.code, 0, ok.out + ok.err);
  t.match(ok.out, /PASS$/m);
  t.match(ok.out, /^check\s+state\s+detail/m);
  t.match(ok.out, /^auth\s+pass\s+last authenticated .*\+07:00 \(key [0-9a-f]+\)/m);
  t.match(ok.out, /^mapping\s+pass\s+xay-dung-soap /m);
  t.match(ok.out, /^codeRules\s+pass\s+no violation/m);
  const json = await cli(['conformance', '--system', 'so-xay-dung', '--json']);
  t.equal(json.code, 0);
  t.match(JSON.parse(json.out), { system: 'so-xay-dung', pass: true, checks: [{ id: 'auth', state: 'pass' }] }, '--json: the answer as it is');

  t.equal((await hub.post('vpdk', vpdkKey, dossier({ code: '000.00.16.H12-261127-0002' }))).statusCode, 403);
  const bad = await cli(['conformance', '--system', 'vpdk']);
  t.equal(bad.code, 1);
  t.match(bad.out, /^codeRules\s+fail\s+codeForeign ×1 \(000\.00\.16\.H12-261127-0002\)/m);
  t.match(bad.out, /^errorRate\s+fail\s+0 accepted, 1 refused, rate 1/m);
  const badJson = await cli(['conformance', '--system', 'vpdk', '--json']);
  t.equal(badJson.code, 1, '--json keeps the exit code');
  t.equal(JSON.parse(badJson.out).pass, false);
  const unknown = await cli(['conformance', '--system', 'nobody']);
  t.equal(unknown.code, 1);
  t.match(unknown.err, /404 HUB_NOT_FOUND/);
  t.equal((await cli(['conformance'])).code, 2, 'no --system');
  t.equal((await cli(['conformance', '--system', 'vpdk', '--url', `http://127.0.0.1:${await freePort()}`])).code, 3);
  const help = await cli(['conformance', '--help']);
  t.equal(help.code, 0);
  t.match(help.out, /conformance --system id/);
});

t.test('verify-receipt, offline: valid 0, one byte changed 1, a missing file 2', async (t) => {
  const res = await hub.post('vpdk', vpdkKey, dossier());
  t.equal(res.statusCode, 202);
  t.ok(res.json().signature, 'the hub signs receipts');
  const file = path.join(base, 'receipt.json');
  writeFileSync(file, res.body);
  const ca = path.join(secrets, 'ca.pem');
  const valid = await cli(['verify-receipt', '--receipt', file, '--ca', ca], { HUB_URL: 'http://127.0.0.1:1' });
  t.equal(valid.code, 0, valid.out + valid.err);
  t.match(valid.out, /^valid: signed .* by /);
  const byDefault = await cli(['verify-receipt', '--receipt', file, '--json'], { HUB_SECRETS_DIR: secrets, HUB_ADMIN_TOKEN: '' });
  t.equal(byDefault.code, 0, 'the default CA is $HUB_SECRETS_DIR/ca.pem; no token needed');
  t.match(JSON.parse(byDefault.out), { valid: true });
  const text = readFileSync(file, 'utf8');
  const at = text.indexOf('-0007');
  t.ok(at > 0);
  const altered = path.join(base, 'altered.json');
  writeFileSync(altered, `${text.slice(0, at + 4)}8${text.slice(at + 5)}`);
  const broken = await cli(['verify-receipt', '--receipt', altered, '--ca', ca]);
  t.equal(broken.code, 1, 'one byte changed');
  t.match(broken.out, /^NOT valid: /);
  t.equal((await cli(['verify-receipt', '--receipt', path.join(base, 'missing.json'), '--ca', ca])).code, 2, 'a missing receipt');
  t.equal((await cli(['verify-receipt', '--receipt', file, '--ca', path.join(base, 'missing.pem')])).code, 2, 'a missing CA');
  t.equal((await cli(['verify-receipt'])).code, 2, 'no --receipt');
});

t.test('mapping and samples commands: usage (2) before any call, unreachable (3), --help', async (t) => {
  const m = path.join(base, 'm.json');
  writeFileSync(m, JSON.stringify({ language: 'lgsp-mapping/1' }));
  const p = path.join(base, 'p.xml');
  writeFileSync(p, '<HoSo/>');
  const down = `http://127.0.0.1:${await freePort()}`;
  const cases: [string[], number, string][] = [
    [['mapping', 'dry-run', '--payload', p], 2, 'neither --mapping nor --system'],
    [['mapping', 'dry-run', '--mapping', m], 2, 'no --payload'],
    [['mapping', 'dry-run', '--mapping', m, '--payload', path.join(base, 'p.bin')], 2, 'an unreadable payload'],
    [['mapping', 'dry-run', '--mapping', path.join(base, 'nope.json'), '--payload', p], 2, 'an unreadable mapping'],
    [['mapping', 'dry-run', '--mapping', m, '--payload', p, '--url', down], 3, 'dry-run: unreachable'],
    [['mapping', 'push', '--system', 'vpdk'], 2, 'push: no --file'],
    [['mapping', 'push', '--system', 'vpdk', '--file', p], 2, 'push: not JSON'],
    [['mapping', 'push', '--system', 'vpdk', '--file', m, '--url', down], 3, 'push: unreachable'],
    [['mapping', 'list'], 2, 'list: no --system'],
    [['mapping', 'list', '--system', 'vpdk', '--url', down], 3, 'list: unreachable'],
    [['mapping', 'activate', '--system', 'vpdk', '--version', 'two'], 2, 'activate: not a number'],
    [['mapping', 'activate', '--system', 'vpdk', '--version', '2', '--url', down], 3, 'activate: unreachable'],
    [['samples', 'add', '--system', 'vpdk'], 2, 'samples add: no --payload'],
    [['samples', 'add', '--system', 'vpdk', '--payload', path.join(base, 'x.txt'), '--url', down], 2, 'samples add: unreadable payload'],
    [['samples', 'add', '--system', 'vpdk', '--payload', p, '--expected', path.join(base, 'nope.json')], 2, 'samples add: unreadable expected'],
    [['samples', 'add', '--system', 'vpdk', '--payload', p, '--url', down], 3, 'samples add: unreachable'],
    [['samples', 'list'], 2, 'samples list: no --system'],
    [['samples', 'list', '--system', 'vpdk', '--url', down], 3, 'samples list: unreachable'],
    [['dead-letters', 'replay', '01JNOSUCHDEADLETTER0000000', '--original', '--url', down], 3, 'replay --original: unreachable'],
  ];
  for (const [args, code, what] of cases) {
    const r = await cli(args);
    t.equal(r.code, code, `${what}: ${r.err.split('\n')[0]}`);
  }
  for (const c of ['mapping dry-run', 'mapping push', 'mapping list', 'mapping activate', 'samples add', 'samples list', 'verify-receipt']) {
    const h = await cli([...c.split(' '), '--help']);
    t.equal(h.code, 0, `${c} --help`);
    t.match(h.out, new RegExp(`^lgsp-hub ${c} `), `${c}: its usage`);
  }
  const replay = await cli(['dead-letters', 'replay', '01JNOSUCHDEADLETTER0000000', '--original']);
  t.equal(replay.code, 1, 'the hub answered 404');
  t.match(replay.err, /404/);
});
