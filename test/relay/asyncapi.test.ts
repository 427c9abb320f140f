// GET /asyncapi.json. @asyncapi/parser is not installed here (no new dependencies), so the document is checked
// structurally against the AsyncAPI 3.0 rules the parser enforces: required fields, every $ref resolving,
// operations pointing at channels and at messages of those channels, and the canonical schema by reference.
import t from 'tap';
import { startHub } from '../helpers/hub.js';
import { dossierSchema } from '../../src/canonical/validate.js';

type Json = Record<string, any>;

function resolve(doc: Json, ref: string): unknown {
  if (!ref.startsWith('#/')) return undefined;
  return ref.slice(2).split('/').reduce<any>((node, part) => (node === undefined ? undefined : node[part.replace(/~1/g, '/').replace(/~0/g, '~')]), doc);
}

function refs(node: unknown, out: string[] = []): string[] {
  if (Array.isArray(node)) node.forEach((n) => refs(n, out));
  else if (node && typeof node === 'object') {
    for (const [k, v] of Object.entries(node)) {
      if (k === '$ref' && typeof v === 'string') out.push(v);
      else refs(v, out);
    }
  }
  return out;
}

t.test('the AsyncAPI 3.0 document describes the exchanges, routing keys and the event payload', async (t) => {
  const hub = await startHub({ config: { amqpUrl: 'amqp://user:secret@broker.example:5673/lgsp', amqpPrefix: 'tnh' } });
  t.teardown(() => hub.close());
  const res = await hub.app.inject({ method: 'GET', url: '/asyncapi.json' });
  t.equal(res.statusCode, 200);
  t.match(res.headers['content-type'], /application\/json/);
  t.notMatch(res.body, /secret|user:/, 'no broker credentials');
  const doc = res.json() as Json;

  t.equal(doc.asyncapi, '3.0.0');
  t.type(doc.info.title, 'string');
  t.type(doc.info.version, 'string');
  t.same(doc.servers.broker, { host: 'broker.example:5673', protocol: 'amqp', protocolVersion: '0-9-1', pathname: '/lgsp' });

  for (const ref of refs(doc).filter((r) => r.startsWith('#'))) t.ok(resolve(doc, ref) !== undefined, `${ref} resolves`);
  const external = refs(doc).filter((r) => !r.startsWith('#'));
  t.same(external, [], 'no reference outside the document: a saved copy is complete');
  t.equal(doc.components.messages.dossierEvent.payload.properties.data.properties.dossier.$ref, '#/components/schemas/dossier');
  t.same(Object.keys(doc.components.schemas.dossier.properties), Object.keys(dossierSchema.properties), 'the canonical schema, bundled from schemas/');

  const keys = ['dossier.received', 'dossier.updated', 'dossier.status-changed', 'dossier.transferred'];
  const addresses = Object.values<Json>(doc.channels).map((c) => c.address);
  for (const k of keys) t.ok(addresses.includes(k), `routing key ${k}`);
  for (const [id, c] of Object.entries<Json>(doc.channels)) {
    t.type(c.address, 'string', `${id}: address`);
    t.ok(c.messages && Object.keys(c.messages).length, `${id}: messages`);
    const amqp = c.bindings?.amqp;
    t.ok(amqp && ['routingKey', 'queue'].includes(amqp.is), `${id}: amqp binding`);
    if (amqp.is === 'routingKey') t.match(amqp.exchange, { name: /^tnh\.(events|deliver)$/, type: /^(topic|direct)$/, durable: true, vhost: 'lgsp' });
    for (const p of (c.address as string).match(/\{(\w+)\}/g) ?? []) t.ok(c.parameters?.[p.slice(1, -1)], `${id}: parameter ${p} declared`);
  }
  t.equal(doc.channels.dossierReceived.bindings.amqp.exchange.name, 'tnh.events');
  t.equal(doc.channels.delivery.bindings.amqp.exchange.name, 'tnh.deliver');
  t.equal(doc.channels.dead.address, 'tnh.dead');

  for (const [id, op] of Object.entries<Json>(doc.operations)) {
    t.ok(['send', 'receive'].includes(op.action), `${id}: action`);
    const channelRef = op.channel.$ref as string;
    t.match(channelRef, /^#\/channels\/[^/]+$/, `${id}: channel by reference`);
    for (const m of op.messages) t.ok(m.$ref.startsWith(`${channelRef}/messages/`), `${id}: a message of its own channel`);
  }
  const msg = doc.components.messages.dossierEvent;
  t.equal(msg.contentType, 'application/cloudevents+json');
  t.same(msg.payload.required, ['specversion', 'id', 'source', 'type', 'subject', 'time', 'datacontenttype', 'data']);
  t.same(msg.headers.required, ['x-dossier-code', 'x-agency', 'x-source-system', 'x-revision']);
});
