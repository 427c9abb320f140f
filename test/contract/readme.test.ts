// The README's examples work when pasted from the project root after `npm ci && npm start`: the block between
// the readme-examples markers runs as written, in bash with the real curl, against the real server process
// (src/server.ts) on a free port and a fresh data dir. Only what a reader's machine would differ in is
// substituted: localhost:8080 becomes the test's port, and `data/` the test's HUB_DATA_DIR. Every curl must get
// a 2xx answer. Systems, keys and sample paths come from the README itself, config/systems and the spec samples,
// so a change of the bootstrap systems only needs the README lines updated.
import t from 'tap';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort } from '../helpers/net.js';

const ROOT = new URL('../../', import.meta.url).pathname;

/** The sh block between `<!-- readme-examples:start -->` and `<!-- readme-examples:end -->`. */
export function examplesBlock(readme: string): string {
  const m = /<!-- readme-examples:start -->\s*```sh\n([\s\S]*?)```\s*<!-- readme-examples:end -->/.exec(readme);
  if (!m) throw new Error('README.md has no readme-examples block');
  return m[1]!;
}

/** Each curl command of the block (continuation lines inside quotes joined), as the reader sees it. */
export function curlCommands(block: string): string[] {
  return [...block.matchAll(/(?:^|\$\()\s*curl\s[^\n]*(?:\n(?!curl\b|#|\n|[A-Z]+=)[^\n]*)*/gm)].map((m) => m[0].trim().split('\n')[0]!);
}

t.test('every curl example of the README answers 2xx', async (t) => {
  t.ok(spawnSync('curl', ['--version']).status === 0, 'curl is installed');
  const dir = mkdtempSync(path.join(tmpdir(), 'hub-readme-'));
  const dataDir = path.join(dir, 'data');
  const port = await freePort();
  const server = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
    cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'],
    // No broker needed for the examples: the relay is off, everything else is as `npm start` runs it.
    env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', HUB_DATA_DIR: dataDir, HUB_RELAY: 'off', LOG_LEVEL: 'warn', HUB_ADMIN_TOKEN: '' },
  });
  let stderr = '';
  server.stderr!.on('data', (c) => { stderr += String(c); });
  const exited = new Promise((r) => server.once('exit', r));
  t.teardown(async () => {
    if (server.exitCode === null) { server.kill('SIGTERM'); await exited; }
    rmSync(dir, { recursive: true, force: true });
  });
  for (let i = 0; ; i++) {
    if (await fetch(`http://127.0.0.1:${port}/healthz`).then((r) => r.ok, () => false)) break;
    if (i > 300 || server.exitCode !== null) throw new Error(`the hub did not start: ${stderr}`);
    await new Promise((r) => setTimeout(r, 100));
  }

  const block = examplesBlock(readFileSync(path.join(ROOT, 'README.md'), 'utf8'));
  const commands = curlCommands(block);
  t.ok(commands.length >= 15, `${commands.length} curl examples`);
  const script = block.replaceAll('localhost:8080', `127.0.0.1:${port}`).replace(/(?<![\w./-])data\//g, `${dataDir}/`);
  // Each curl reports its status on stderr (curl's own write-out), so $(…) captures and pipes stay as written.
  const wrapped = `curl() { command curl -w '%{stderr}@@status %{http_code} %{url_effective}\\n' "$@"; }\n${script}`;
  const run = spawnSync('bash', ['-c', wrapped], { cwd: ROOT, encoding: 'utf8', timeout: 90_000 });
  const statuses = [...run.stderr.matchAll(/^@@status (\d{3}) (\S+)$/gm)].map((m) => ({ status: Number(m[1]), url: m[2]! }));
  t.equal(statuses.length, commands.length, `one answer per example${run.stderr.replace(/^@@status.*\n/gm, '') ? `; stderr: ${run.stderr}` : ''}`);
  statuses.forEach((s, i) => t.ok(s.status >= 200 && s.status < 300, `${s.status} for: ${commands[i]}`));
  t.match(run.stdout, /"duplicate":false/, 'the dossier was accepted');
  t.match(run.stdout, /<KetQua[^>]*maLoi="0"/, 'the TN&MT batch was accepted');
  t.match(run.stdout, /TiepNhanHoSoResponse/, 'the SOAP operation answered');
  t.match(run.stdout, /"statusName"/, 'the citizen look-up found the dossier');
});
