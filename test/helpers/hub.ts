// Builds a hub on a fresh temporary data dir for one test file, with helpers to register systems and post.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, mkdirSync, cpSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { buildApp } from '../../src/app.js';
import { loadConfig, type HubConfig } from '../../src/config.js';
import type { HubContext } from '../../src/context.js';
import type { Hub } from '../../src/hub.js';
import type { SystemRegistration } from '../../src/store/types.js';
import { freePort } from './net.js';

export const ADMIN_TOKEN = 'test-admin-token-0123456789abcdef0123456789';

export interface TestHub {
  app: FastifyInstance;
  ctx: HubContext;
  /** The services behind `app` (a second listener, such as the HTTPS one, serves the same set). */
  services: Hub;
  dataDir: string;
  logs: string[];
  register(reg: Partial<SystemRegistration> & { id: string }): Promise<string>;
  post(systemId: string, key: string, body: unknown, headers?: Record<string, string>): Promise<LightMyRequestResponse>;
  get(url: string, key: string): Promise<LightMyRequestResponse>;
  close(): Promise<void>;
}

export interface HubOptions {
  config?: Partial<HubConfig>;
  /** Keep this data dir (restart tests). */
  dataDir?: string;
  /** A config dir; default: an empty one (no bootstrap systems). */
  configDir?: string;
  /** Run the relay against the local RabbitMQ, isolated by an AMQP prefix (default: a random `t…`) or a vhost URL. */
  relay?: boolean | { prefix?: string; amqpUrl?: string };
  /** Copy the shipped calendar, holidays and procedure catalogue into the test's config dir (due dates on). */
  calendar?: boolean;
}

const SHIPPED_CONFIG = new URL('../../config/', import.meta.url).pathname;

export async function startHub(opts: HubOptions = {}): Promise<TestHub> {
  const dataDir = opts.dataDir ?? mkdtempSync(path.join(tmpdir(), 'hub-test-'));
  const configDir = opts.configDir ?? path.join(dataDir, 'config');
  mkdirSync(configDir, { recursive: true });
  if (opts.calendar) {
    for (const part of ['calendar.json', 'holidays', 'procedures']) cpSync(path.join(SHIPPED_CONFIG, part), path.join(configDir, part), { recursive: true });
  }
  const logs: string[] = [];
  const logStream = new Writable({ write(chunk, _enc, cb) { logs.push(String(chunk)); cb(); } });
  const relay = opts.relay ? (opts.relay === true ? {} : opts.relay) : undefined;
  const relayConfig: Partial<HubConfig> = relay
    ? { relay: true, amqpPrefix: relay.prefix ?? `t${randomBytes(5).toString('hex')}`, ...(relay.amqpUrl ? { amqpUrl: relay.amqpUrl } : {}) }
    : { relay: false };
  const config = loadConfig({}, { dataDir, configDir, adminToken: ADMIN_TOKEN, logLevel: 'info', ...relayConfig, ...opts.config });
  const { app, ctx, hub: services } = await buildApp({ config, logStream });
  await app.ready();
  const hub: TestHub = {
    app, ctx, services, dataDir, logs,
    async register(reg) {
      const res = await app.inject({
        method: 'POST', url: '/v1/admin/systems', headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
        payload: {
          name: reg.id, adapter: 'canonical', role: 'source', level: 'province', agencies: [],
          delivery: { mode: 'none' }, subscriptions: [], mapping: null, ...reg,
        },
      });
      if (res.statusCode !== 201) throw new Error(`register ${reg.id}: ${res.statusCode} ${res.body}`);
      return res.json().apiKey as string;
    },
    post(systemId, key, body, headers = {}) {
      return app.inject({
        method: 'POST', url: `/v1/inbound/${systemId}`,
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', ...headers },
        payload: typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body),
      });
    },
    get(url, key) {
      return app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${key}` } });
    },
    async close() {
      await app.close();
      if (!opts.dataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return hub;
}

/** One system of each built-in adapter, by the short name the tests use for its key. */
export const ONE_OF_EACH_ADAPTER: Record<string, Partial<SystemRegistration> & { id: string }> = {
  canon: { id: 'canon', agencies: ['000.00.16.H12'] },
  sxd: { id: 'so-xay-dung', adapter: 'xay-dung-soap', agencies: ['000.00.11.H12'] },
  tnmt: { id: 'so-tnmt', adapter: 'tnmt-xml', agencies: ['000.00.15.H12'] },
  xa: { id: 'undp-xa', adapter: 'undp-motcua', level: 'commune', agencies: ['000.12.34.H12'] },
};

/** A hub listening on a free loopback port (tests over real sockets), with systems registered first; keys by short name. */
export async function listeningHub(systems: Record<string, Partial<SystemRegistration> & { id: string }>, opts: HubOptions = {}): Promise<{ hub: TestHub; base: string; keys: Record<string, string> }> {
  const port = await freePort();
  const hub = await startHub({ ...opts, config: { port, publicUrl: `http://127.0.0.1:${port}`, ...opts.config } });
  const keys: Record<string, string> = {};
  for (const [name, reg] of Object.entries(systems)) keys[name] = await hub.register(reg);
  await hub.app.listen({ port, host: '127.0.0.1' });
  return { hub, base: `http://127.0.0.1:${port}`, keys };
}

/** A canonical dossier change: the bench payload with a distinct code per call. */
export function dossier(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    code: '000.00.15.H12-261127-0007',
    receiptNumber: 'VPDK-0007',
    procedure: { code: '1.004227', name: 'Đăng ký biến động quyền sử dụng đất', sectorCode: 'DD', sectorName: 'Đất đai' },
    agency: { code: '000.00.15.H12', name: 'Văn phòng Đăng ký đất đai tỉnh', level: 'province' },
    applicant: { type: 'citizen', name: 'Lê Văn Cường', idNumber: '079085001122', phone: '0903111222', address: '45 Nguyễn Huệ, phường 1' },
    summary: 'Chuyển nhượng quyền sử dụng đất',
    channel: 'in_person',
    returnMethod: 'direct',
    receivedAt: '2026-11-27T08:15:00+07:00',
    dueAt: '2026-12-18T17:00:00+07:00',
    status: 2,
    steps: [{ at: '2026-11-27T08:15:00+07:00', status: 2, actor: 'Phạm Thị Hoa', note: 'Tiếp nhận hồ sơ' }],
    ...overrides,
  };
}
