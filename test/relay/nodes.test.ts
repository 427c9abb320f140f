// AMQP_URL with several node URLs (api.md "Several instances"): parsed in order, validated, logged without
// credentials, and every node listed in the AsyncAPI document's servers.
import t from 'tap';
import { loadConfig } from '../../src/config.js';
import { amqpNodes, nodeName } from '../../src/relay/connection.js';
import { asyncApiDocument } from '../../src/relay/asyncapi.js';

const THREE = 'amqp://hub:pw@rabbit-1:5672/lgsp, amqp://hub:pw@rabbit-2:5672/lgsp,amqp://hub:pw@rabbit-3:5672/lgsp';

t.test('AMQP_URL takes comma-separated node URLs', async (t) => {
  t.equal(loadConfig({ AMQP_URL: THREE }).amqpUrl, THREE);
  t.same(amqpNodes(THREE), ['amqp://hub:pw@rabbit-1:5672/lgsp', 'amqp://hub:pw@rabbit-2:5672/lgsp', 'amqp://hub:pw@rabbit-3:5672/lgsp']);
  t.same(amqpNodes('amqp://one'), ['amqp://one']);
  t.throws(() => loadConfig({ AMQP_URL: 'amqp://a:5672,http://b:5672' }), /amqpUrl/, 'every node is an amqp(s) URL');
  t.throws(() => loadConfig({ AMQP_URL: 'amqp://a:5672,,amqp://b' }), /amqpUrl/, 'no empty node');
});

t.test('a node is logged without its credentials', async (t) => {
  t.equal(nodeName('amqp://hub:secret@rabbit-2:5672/lgsp'), 'amqp://rabbit-2:5672/lgsp');
  t.notMatch(nodeName('amqps://u:p@h'), /p@/);
});

t.test('the AsyncAPI document lists every node', async (t) => {
  const doc = asyncApiDocument({ amqpUrl: THREE, prefix: 'hub', retryDelaysMs: [1000] }) as { servers: Record<string, { host: string; pathname: string }> };
  t.same(Object.keys(doc.servers), ['broker', 'broker2', 'broker3']);
  t.same(Object.values(doc.servers).map((s) => s.host), ['rabbit-1:5672', 'rabbit-2:5672', 'rabbit-3:5672']);
  t.equal(doc.servers.broker3!.pathname, '/lgsp');
});
