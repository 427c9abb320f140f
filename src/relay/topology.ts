// The RabbitMQ topology of amqp.md under the configured prefix, declared idempotently at every (re)connect.
//
// One addition the contract leaves open: each retry tier queue `<p>.retry.<tier>` is fed through a fanout
// exchange of the same name. A message must reach the tier queue with its routing key still the system id,
// so that when its TTL expires it dead-letters back to `<p>.deliver` under that key; publishing to the queue
// through the default exchange would make the queue name its routing key and lose the way back.
import type { Channel } from 'amqplib';

export interface Names {
  events: string;
  deliver: string;
  dead: string;
  deliverQueue(systemId: string): string;
  retry(tier: string): string;
}

export function topologyNames(prefix: string): Names {
  return {
    events: `${prefix}.events`,
    deliver: `${prefix}.deliver`,
    dead: `${prefix}.dead`,
    deliverQueue: (id) => `${prefix}.deliver.${id}`,
    retry: (tier) => `${prefix}.retry.${tier}`,
  };
}

/** `1000` → `1s`, `120000` → `2m`, `250` → `250ms`: the tier's name (amqp.md names tiers by their delay). */
export function tierName(ms: number): string {
  if (ms % 3_600_000 === 0 && ms > 0) return `${ms / 3_600_000}h`;
  if (ms % 60_000 === 0 && ms > 0) return `${ms / 60_000}m`;
  if (ms % 1000 === 0 && ms > 0) return `${ms / 1000}s`;
  return `${ms}ms`;
}

const QUORUM = { 'x-queue-type': 'quorum' } as const;

/** Exchanges, retry tiers and the dead queue. */
export async function declareBase(ch: Channel, n: Names, delaysMs: readonly number[]): Promise<void> {
  await ch.assertExchange(n.events, 'topic', { durable: true });
  await ch.assertExchange(n.deliver, 'direct', { durable: true });
  for (const ms of new Set(delaysMs)) {
    const name = n.retry(tierName(ms));
    await ch.assertExchange(name, 'fanout', { durable: true });
    await ch.assertQueue(name, {
      durable: true,
      arguments: {
        ...QUORUM,
        'x-message-ttl': ms,
        'x-dead-letter-exchange': n.deliver,
        // No x-dead-letter-routing-key: the message keeps its own (the recipient system id).
        'x-dead-letter-strategy': 'at-least-once',
        'x-overflow': 'reject-publish',
      },
    });
    await ch.bindQueue(name, name, '');
  }
  await ch.assertQueue(n.dead, { durable: true, arguments: { ...QUORUM } });
}

/** The delivery queue of one push-mode system, bound to `<p>.deliver` with its id. */
export async function declareSystemQueue(ch: Channel, n: Names, systemId: string): Promise<void> {
  const q = n.deliverQueue(systemId);
  await ch.assertQueue(q, { durable: true, arguments: { ...QUORUM } });
  await ch.bindQueue(q, n.deliver, systemId);
}
