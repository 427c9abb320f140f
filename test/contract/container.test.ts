// The container set-up, checked statically (this machine has no Docker engine): compose gives the hub longer to
// stop than the hub gives its in-flight requests, and package.json's engines promise no Node the installed
// dependencies refuse.
import t from 'tap';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { parse } from 'yaml';
import { loadConfig } from '../../src/config.js';

const ROOT = new URL('../../', import.meta.url).pathname;
const semver = createRequire(import.meta.url)('semver') as { subset(a: string, b: string): boolean };

/** A compose duration (`1m30s`, `20s`, `1500ms`) in ms. */
export function composeDurationMs(v: string): number {
  const parts = [...v.matchAll(/(\d+(?:\.\d+)?)(h|ms|m|s|us)/g)];
  if (!parts.length || parts.map((p) => p[0]).join('') !== v) throw new Error(`not a compose duration: ${v}`);
  const unit = { h: 3_600_000, m: 60_000, s: 1000, ms: 1, us: 0.001 } as const;
  return parts.reduce((ms, p) => ms + Number(p[1]) * unit[p[2] as keyof typeof unit], 0);
}

t.test('compose stops the hub later than the hub stops itself', async (t) => {
  const compose = parse(readFileSync(`${ROOT}compose.yaml`, 'utf8')) as { services: Record<string, { stop_grace_period?: string; environment?: Record<string, string> }> };
  const hub = compose.services.hub!;
  t.type(hub.stop_grace_period, 'string', 'the hub service sets stop_grace_period (Docker defaults to 10 s)');
  const env = hub.environment ?? {};
  const hubGrace = loadConfig(env.HUB_SHUTDOWN_GRACE_MS ? { HUB_SHUTDOWN_GRACE_MS: env.HUB_SHUTDOWN_GRACE_MS } : {}).shutdownGraceMs;
  const dockerGrace = composeDurationMs(hub.stop_grace_period!);
  t.ok(dockerGrace > hubGrace, `Docker waits ${dockerGrace} ms, the hub ${hubGrace} ms`);
  t.equal(composeDurationMs('1m30s'), 90_000);
});

t.test('engines.node is within what every installed dependency declares', async (t) => {
  const ours = (JSON.parse(readFileSync(`${ROOT}package.json`, 'utf8')) as { engines: { node: string } }).engines.node;
  const lock = JSON.parse(readFileSync(`${ROOT}package-lock.json`, 'utf8')) as { packages: Record<string, { version?: string; engines?: { node?: string } | string[]; optional?: boolean }> };
  const refusing: string[] = [];
  for (const [where, p] of Object.entries(lock.packages)) {
    const theirs = !where || Array.isArray(p.engines) ? undefined : p.engines?.node;
    if (theirs && !p.optional && !semver.subset(ours, theirs)) refusing.push(`${where.replace(/^.*node_modules\//, '')}@${p.version} wants node ${theirs}`);
  }
  t.same(refusing, [], `engines.node ${ours} satisfies every dependency`);
});
