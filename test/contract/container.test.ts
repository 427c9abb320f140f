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

interface Service {
  image?: string; build?: string; hostname?: string; ports?: string[]; volumes?: string[]; stop_grace_period?: string;
  environment?: Record<string, string>; depends_on?: Record<string, { condition: string }>; configs?: { source: string; target: string }[];
}
interface Compose { services: Record<string, Service>; volumes: Record<string, unknown>; configs?: Record<string, { content?: string }> }
const compose = () => parse(readFileSync(`${ROOT}compose.yaml`, 'utf8'), { merge: true }) as Compose;
const HUBS = ['hub-1', 'hub-2'];
const NODES = ['rabbitmq-1', 'rabbitmq-2', 'rabbitmq-3'];

t.test('compose: two hub instances, PostgreSQL, a three-node RabbitMQ cluster', async (t) => {
  const c = compose();
  t.same(Object.keys(c.services).sort(), [...HUBS, 'postgres', ...NODES].sort());
  const named = (s: Service) => (s.volumes ?? []).map((v) => v.split(':')[0]!);
  for (const s of Object.values(c.services)) for (const v of named(s)) t.ok(v in c.volumes, `volume ${v} is declared`);
  const hostPorts = Object.values(c.services).flatMap((s) => (s.ports ?? []).map((p) => p.split(':')[0]));
  t.equal(new Set(hostPorts).size, hostPorts.length, 'no host port published twice');
  t.match(c.services.postgres, { image: /^postgres:/, environment: { POSTGRES_DB: 'lgsp_hub' } });
  t.ok(named(c.services.postgres!).length === 1, 'the database on a volume');
});

t.test('compose: the hub instances share the database, the broker nodes and the secrets', async (t) => {
  const c = compose();
  const dataVolumes = new Set<string>();
  for (const id of HUBS) {
    const hub = c.services[id]!;
    t.equal(hub.build, '.', `${id} is built from the Dockerfile`);
    const env = hub.environment ?? {};
    const config = loadConfig(env); // validates every variable the way the hub will
    const db = new URL(config.databaseUrl!);
    t.equal(db.hostname, 'postgres', `${id}: DATABASE_URL names the postgres service`);
    t.equal(db.pathname, '/lgsp_hub');
    const nodes = config.amqpUrl.split(',').map((u) => new URL(u.trim()));
    t.same(nodes.map((u) => u.hostname), NODES, `${id}: AMQP_URL lists the three nodes`);
    t.ok(nodes.every((u) => u.pathname === '/lgsp' && u.port === '5672'));
    t.equal(config.secretsDir, '/secrets');
    t.ok(hub.volumes?.includes('hub-secrets:/secrets'), `${id} mounts the shared secrets volume at HUB_SECRETS_DIR`);
    const data = hub.volumes!.find((v) => v.endsWith(':/data'));
    t.ok(data, `${id} has a data volume`);
    dataVolumes.add(data!.split(':')[0]!);
    t.ok(hub.ports?.some((p) => p.endsWith(':8080')), `${id} publishes its port`);
    t.same(Object.keys(hub.depends_on ?? {}).sort(), ['postgres', ...NODES].sort(), `${id} waits for the database and every node`);
    t.ok(Object.values(hub.depends_on!).every((d) => d.condition === 'service_healthy'));
    t.match(env.HUB_PUBLIC_URL, /^http:\/\/localhost:808\d$/);
  }
  t.equal(dataVolumes.size, HUBS.length, 'each instance its own data volume');
  t.equal(new Set(HUBS.map((id) => c.services[id]!.environment!.DATABASE_URL)).size, 1, 'one database for both');
});

t.test('compose: the RabbitMQ nodes form one cluster', async (t) => {
  const c = compose();
  const cookies = new Set<string>();
  for (const id of NODES) {
    const node = c.services[id]!;
    t.match(node.image, /^rabbitmq:3\.13/);
    t.equal(node.hostname, id, `${id}: its host name is its node name's host`);
    const cookie = node.environment?.RABBITMQ_ERLANG_COOKIE;
    t.ok(cookie, `${id} has the Erlang cookie`);
    cookies.add(cookie!);
    t.same(node.configs?.map((x) => x.source), ['rabbitmq-cluster'], `${id} reads the cluster formation config`);
    t.ok(node.volumes?.some((v) => v.endsWith(':/var/lib/rabbitmq')), `${id} keeps its data on a volume`);
    t.match(node.environment, { RABBITMQ_DEFAULT_VHOST: 'lgsp' });
  }
  t.equal(cookies.size, 1, 'one shared Erlang cookie');
  const conf = c.configs?.['rabbitmq-cluster']?.content ?? '';
  t.match(conf, /^cluster_formation\.peer_discovery_backend = classic_config$/m);
  const listed = [...conf.matchAll(/^cluster_formation\.classic_config\.nodes\.\d+ = rabbit@(\S+)$/gm)].map((m) => m[1]);
  t.same(listed, NODES, 'the formation config lists the three nodes by host name');
});

t.test('compose stops each hub later than the hub stops itself', async (t) => {
  for (const id of HUBS) {
    const hub = compose().services[id]!;
    t.type(hub.stop_grace_period, 'string', `${id} sets stop_grace_period (Docker defaults to 10 s)`);
    const env = hub.environment ?? {};
    const hubGrace = loadConfig(env.HUB_SHUTDOWN_GRACE_MS ? { HUB_SHUTDOWN_GRACE_MS: env.HUB_SHUTDOWN_GRACE_MS } : {}).shutdownGraceMs;
    const dockerGrace = composeDurationMs(hub.stop_grace_period!);
    t.ok(dockerGrace > hubGrace, `Docker waits ${dockerGrace} ms, the hub ${hubGrace} ms`);
  }
  t.equal(composeDurationMs('1m30s'), 90_000);
});

t.test('the image has the shared secrets folder, owned by the hub\'s user', async (t) => {
  t.match(readFileSync(`${ROOT}Dockerfile`, 'utf8'), /mkdir -p \/data \/secrets && chown node:node \/data \/secrets/);
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
