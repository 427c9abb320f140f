// The console's overview (issue 15) in one read: per system its state, last seen, today's traffic and error
// rate, deliveries pending and failed, mailbox depth; the store, the broker and the outbox backlog. One call, so
// the page that refreshes itself every few seconds costs one audit entry and a handful of indexed counts.
import type { FastifyInstance } from 'fastify';
import type { HubContext } from '../../context.js';
import { dayOf } from '../../systems/bookkeeping.js';
import { formatVn } from '../../util/time.js';
import { problemResponse } from '../schemas.js';
import { installAdmin } from './common.js';

const int = { type: 'integer', minimum: 0 } as const;
const nstr = { type: ['string', 'null'] } as const;
const systemRow = {
  type: 'object', additionalProperties: false,
  required: ['id', 'name', 'adapter', 'role', 'status', 'lastSeenAt', 'today', 'deliveries', 'mailbox'],
  properties: {
    id: { type: 'string' }, name: { type: 'string' }, adapter: { type: 'string' }, role: { type: 'string' },
    status: { enum: ['active', 'retired'] }, lastSeenAt: nstr,
    today: {
      type: 'object', additionalProperties: false, required: ['accepted', 'refused', 'duplicates', 'errorRate'],
      description: 'Items since 00:00 (+07:00): accepted (duplicates included), refused; errorRate = refused / (accepted + refused), null without items',
      properties: { accepted: int, refused: int, duplicates: int, errorRate: { type: ['number', 'null'] } },
    },
    deliveries: { type: 'object', additionalProperties: false, required: ['pending', 'failed'], properties: { pending: int, failed: { ...int, description: 'open dead letters' } } },
    mailbox: { ...int, description: 'unacknowledged mailbox messages (pull mode)' },
  },
} as const;
const overviewSchema = {
  description: 'The hub at a glance', type: 'object', additionalProperties: false,
  required: ['generatedAt', 'store', 'broker', 'outbox', 'systems'],
  properties: {
    generatedAt: { type: 'string' },
    store: { enum: ['up', 'down', 'full'] }, broker: { enum: ['up', 'down'] },
    outbox: { type: 'object', additionalProperties: false, required: ['count', 'oldestSeconds'], properties: { count: int, oldestSeconds: int } },
    systems: { type: 'array', items: systemRow },
  },
} as const;

export async function adminOverviewRoutes(app: FastifyInstance, { ctx }: { ctx: HubContext }): Promise<void> {
  installAdmin(app, ctx);

  app.get('/v1/admin/overview', {
    config: { action: 'overview.read' },
    schema: { operationId: 'getAdminOverview', summary: 'Per-system state and traffic of today, the store, the broker and the outbox backlog', tags: ['admin'], response: { 200: overviewSchema, '4xx': problemResponse } },
  }, async () => {
    const now = Date.now();
    let store: 'up' | 'down' | 'full' = 'up';
    let backlog = { count: 0, oldestCreatedAt: null as number | null };
    try {
      store = ctx.store.probeWrite ? await ctx.store.probeWrite() : (await ctx.store.ping(), 'up');
      backlog = await ctx.store.outboxBacklog();
    } catch {
      store = 'down';
    }
    const depths = (await ctx.store.relay.depths?.()) ?? { deadLetters: {}, mailbox: {} };
    const pending = (await ctx.store.relay.pendingDeliveries?.()) ?? {};
    const today = dayOf(now);
    const systems = [];
    for (const s of ctx.registry.list()) {
      const t = (await ctx.store.admin.traffic(s.id, today)).window;
      const p = ctx.bookkeeping.pendingTraffic(s.id);
      const accepted = t.accepted + p.accepted;
      const refused = t.refused + p.refused;
      systems.push({
        id: s.id, name: s.name, adapter: s.adapter, role: s.role, status: s.status,
        lastSeenAt: ctx.bookkeeping.pendingSeen(s.id) ?? (await ctx.store.admin.lastSeen(s.id)),
        today: { accepted, refused, duplicates: t.duplicates + p.duplicates, errorRate: accepted + refused ? refused / (accepted + refused) : null },
        deliveries: { pending: pending[s.id] ?? 0, failed: depths.deadLetters[s.id] ?? 0 },
        mailbox: depths.mailbox[s.id] ?? 0,
      });
    }
    return {
      generatedAt: formatVn(now), store, broker: ctx.broker.state(),
      outbox: { count: backlog.count, oldestSeconds: backlog.oldestCreatedAt === null ? 0 : Math.max(0, Math.round((now - backlog.oldestCreatedAt) / 1000)) },
      systems,
    };
  });
}
