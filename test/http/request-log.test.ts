// One log line per request (issue 13): when it completes, with the method, the URL, the status, the time taken
// and the correlation id; no separate "incoming request" line.
import t from 'tap';
import { startHub, dossier } from '../helpers/hub.js';

t.test('a request writes one line, on completion, with what the two default lines carried', async (t) => {
  const hub = await startHub({ config: { logLevel: 'info' } });
  t.teardown(() => hub.close());
  const key = await hub.register({ id: 'tnmt', agencies: ['000.00.15.H12'] });
  await hub.post('tnmt', key, dossier(), { 'x-correlation-id': 'corr-one-line' });
  const lines = hub.logs.map((l) => JSON.parse(l) as Record<string, any>).filter((l) => l.correlationId === 'corr-one-line');
  t.equal(lines.length, 1, 'one line');
  t.equal(lines[0]!.msg, 'request completed');
  t.equal(lines[0]!.req?.method, 'POST');
  t.equal(lines[0]!.req?.url, '/v1/inbound/tnmt');
  t.equal(lines[0]!.res?.statusCode, 202);
  t.type(lines[0]!.responseTime, 'number');
});
