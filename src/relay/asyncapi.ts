// The AMQP contract (amqp.md) as an AsyncAPI 3.0 document, built from the configuration (prefix, broker
// address without credentials, retry tiers). The canonical dossier schema (schemas/dossier.v1.schema.json, read at
// boot) is bundled into components.schemas, so that a saved copy of the document validates on its own: a
// root-relative reference only resolved when the document was fetched from the hub.
import { EVENT_TYPES } from '../canonical/types.js';
import { CLOUDEVENT_TYPE_PREFIX } from '../canonical/cloudevent.js';
import { tierName, topologyNames } from './topology.js';
import { amqpNodes } from './connection.js';
import { dossierSchema } from '../canonical/validate.js';

export const DOSSIER_SCHEMA_REF = '#/components/schemas/dossier';

/** The canonical schema as a component: its own `$defs` stay inside it, reached by a pointer from the root. */
function bundledDossierSchema(): Record<string, unknown> {
  const { $schema: _s, $id: id, ...rest } = dossierSchema;
  const bundled = JSON.parse(JSON.stringify(rest).replaceAll('"#/$defs/', `"${DOSSIER_SCHEMA_REF}/$defs/`));
  return { ...bundled, description: `${bundled.description ?? 'The canonical dossier'} (${id}; also served at /schemas/dossier.v1.json)` };
}
const AMQP_BINDING = '0.3.0';

const camel = (routingKey: string) => routingKey.replace(/[.-](\w)/g, (_m, c: string) => c.toUpperCase());

export function asyncApiDocument(opts: { amqpUrl: string; prefix: string; retryDelaysMs: readonly number[]; version?: string }): Record<string, unknown> {
  const n = topologyNames(opts.prefix);
  const nodes = amqpNodes(opts.amqpUrl).map((u) => new URL(u));
  const url = nodes[0]!;
  const vhost = decodeURIComponent(url.pathname.replace(/^\//, '')) || '/';
  const exchange = (name: string, type: 'topic' | 'direct') => ({ name, type, durable: true, autoDelete: false, vhost });

  const headers = {
    type: 'object',
    required: ['x-dossier-code', 'x-agency', 'x-source-system', 'x-revision'],
    properties: {
      'x-dossier-code': { type: 'string', description: 'The national dossier code (= subject)' },
      'x-agency': { type: 'string', description: "The dossier's agency as of this revision" },
      'x-source-system': { type: 'string', description: 'The system whose input caused the change' },
      'x-revision': { type: 'integer', minimum: 1 },
      'x-event-type': { type: 'string', enum: [...EVENT_TYPES] },
      traceparent: { type: 'string', description: 'W3C trace context, when the request carried one' },
      'x-attempt': { type: 'integer', description: 'Deliveries only: attempts made so far' },
    },
  };

  const cloudEvent = {
    type: 'object',
    required: ['specversion', 'id', 'source', 'type', 'subject', 'time', 'datacontenttype', 'data'],
    properties: {
      specversion: { const: '1.0' },
      id: { type: 'string', description: 'Unique per change; also the AMQP message-id. Deduplicate by it.' },
      source: { type: 'string', pattern: '^/lgsp-hub/systems/[a-z0-9][a-z0-9-]{1,62}$' },
      type: { type: 'string', enum: EVENT_TYPES.map((t) => `${CLOUDEVENT_TYPE_PREFIX}${t}`) },
      subject: { type: 'string', description: 'The dossier code' },
      time: { type: 'string', format: 'date-time', description: 'When the hub accepted the change (= dossier.updatedAt)' },
      datacontenttype: { const: 'application/json' },
      correlationid: { type: 'string' },
      data: {
        type: 'object',
        required: ['revision', 'previousStatus', 'status', 'dossier'],
        properties: {
          revision: { type: 'integer', minimum: 1 },
          previousStatus: { type: ['integer', 'null'], description: 'null on dossier.received' },
          status: { type: 'integer', minimum: 1, maximum: 10 },
          dossier: { $ref: DOSSIER_SCHEMA_REF },
          transfer: {
            type: 'object', required: ['at', 'fromAgency', 'toAgency'],
            properties: { at: { type: 'string', format: 'date-time' }, fromAgency: { type: 'string' }, toAgency: { type: 'string' }, reason: { type: 'string' } },
            description: 'dossier.transferred only',
          },
        },
      },
    },
  };

  // Persistence and `mandatory` are properties of the publish (operation bindings), not of the message.
  const messageBindings = { amqp: { contentEncoding: 'utf-8', messageType: 'cloudevent', bindingVersion: AMQP_BINDING } };
  const publishBindings = { amqp: { deliveryMode: 2, mandatory: true, timestamp: true, bindingVersion: AMQP_BINDING } };
  const channels: Record<string, unknown> = {};
  const operations: Record<string, unknown> = {};
  for (const t of EVENT_TYPES) {
    const id = camel(t);
    channels[id] = {
      address: t,
      title: `${n.events} · ${t}`,
      description: `Routing key ${t} on the topic exchange ${n.events}. Bind a queue with ${t} or dossier.# to receive it.`,
      messages: { dossierEvent: { $ref: '#/components/messages/dossierEvent' } },
      bindings: { amqp: { is: 'routingKey', exchange: exchange(n.events, 'topic'), bindingVersion: AMQP_BINDING } },
    };
    operations[`publish${id[0]!.toUpperCase()}${id.slice(1)}`] = {
      action: 'send',
      channel: { $ref: `#/channels/${id}` },
      summary: `The hub publishes every ${t} change once (confirmed, persistent, mandatory).`,
      messages: [{ $ref: `#/channels/${id}/messages/dossierEvent` }],
      bindings: publishBindings,
    };
  }
  channels.delivery = {
    address: '{systemId}',
    title: `${n.deliver} · <systemId>`,
    description: `One delivery per push-mode recipient on the direct exchange ${n.deliver}, routed to the quorum queue ${n.deliverQueue('<systemId>')}. `
      + `Retry tiers ${[...new Set(opts.retryDelaysMs)].map((ms) => n.retry(tierName(ms))).join(', ')} dead-letter back here with the same key.`,
    parameters: { systemId: { description: 'The recipient system id' } },
    messages: { dossierEvent: { $ref: '#/components/messages/dossierEvent' } },
    bindings: { amqp: { is: 'routingKey', exchange: exchange(n.deliver, 'direct'), bindingVersion: AMQP_BINDING } },
  };
  channels.dead = {
    address: n.dead,
    description: 'A copy of each delivery that failed for good (headers x-system, x-reason, x-attempts, x-dead-letter-id); the admin API lists and replays them.',
    messages: { dossierEvent: { $ref: '#/components/messages/dossierEvent' } },
    bindings: { amqp: { is: 'queue', queue: { name: n.dead, durable: true, exclusive: false, autoDelete: false, vhost }, bindingVersion: AMQP_BINDING } },
  };
  operations.deliver = {
    action: 'send', channel: { $ref: '#/channels/delivery' },
    summary: 'Deliveries to push-mode systems, consumed by the hub\'s own workers', messages: [{ $ref: '#/channels/delivery/messages/dossierEvent' }],
  };
  operations.deadLetter = {
    action: 'send', channel: { $ref: '#/channels/dead' },
    summary: 'Copies of failed deliveries, for observers', messages: [{ $ref: '#/channels/dead/messages/dossierEvent' }],
  };

  return {
    asyncapi: '3.0.0',
    info: {
      title: 'lgsp-hub events',
      version: opts.version ?? '1.0.0',
      description: 'Every accepted change to a dossier, as a CloudEvent 1.0 (structured mode), at least once; one event id per change, in revision order per dossier.',
    },
    defaultContentType: 'application/cloudevents+json',
    servers: {
      // A cluster's nodes (AMQP_URL comma-separated): broker, broker2, broker3 …
      ...Object.fromEntries(nodes.map((u, i) => [i ? `broker${i + 1}` : 'broker',
        { host: u.port ? `${u.hostname}:${u.port}` : u.hostname, protocol: u.protocol.replace(':', ''), protocolVersion: '0-9-1', pathname: `/${vhost === '/' ? '' : vhost}` }])),
    },
    channels,
    operations,
    components: {
      schemas: { dossier: bundledDossierSchema() },
      messages: {
        dossierEvent: {
          name: 'dossierEvent',
          title: 'Dossier change (CloudEvent)',
          contentType: 'application/cloudevents+json',
          headers,
          payload: cloudEvent,
          correlationId: { location: '$message.payload#/correlationid' },
          bindings: messageBindings,
        },
      },
    },
  };
}
