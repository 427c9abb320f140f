// Issue 8 item 8: a stalled header block or body is answered 408 (or closed) within 1.5× HUB_REQUEST_TIMEOUT_MS,
// over a raw TCP socket (Node's checks only run on a real connection; inject() has none).
import t from 'tap';
import net from 'node:net';
import { startHub, type TestHub } from '../helpers/hub.js';
import { freePort } from '../helpers/net.js';

const TIMEOUT_MS = 1000;
let hub: TestHub;
let port: number;
t.before(async () => {
  port = await freePort();
  hub = await startHub({ config: { port, requestTimeoutMs: TIMEOUT_MS } });
  await hub.app.listen({ port, host: '127.0.0.1' });
});
t.teardown(() => hub.close());

/** Sends `head`, then nothing more; resolves with what came back and when the server answered or closed. */
function stall(head: string): Promise<{ ms: number; answer: string }> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    let answer = '';
    let start = 0;
    let first = 0;
    const guard = setTimeout(() => { socket.destroy(); reject(new Error('no answer within 10 s')); }, 10_000);
    socket.on('connect', () => { start = performance.now(); socket.write(head); });
    socket.on('data', (d) => { first ||= performance.now(); answer += String(d); });
    socket.on('error', () => {}); // a reset counts as closing
    socket.on('close', () => { clearTimeout(guard); resolve({ ms: (first || performance.now()) - start, answer }); });
  });
}

t.test('a stalled header block is cut within 1.5× the timeout', async (t) => {
  const { ms, answer } = await stall('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ');
  t.comment(`cut after ${Math.round(ms)} ms (timeout ${TIMEOUT_MS} ms)`);
  t.ok(ms >= TIMEOUT_MS * 0.9, 'not before the timeout');
  t.ok(ms <= TIMEOUT_MS * 1.5, `within ${TIMEOUT_MS * 1.5} ms`);
  t.match(answer, /^(HTTP\/1\.1 408|)/, '408 or a plain close');
});

t.test('a stalled body is answered 408 within 1.5× the timeout', async (t) => {
  const { ms, answer } = await stall('POST /v1/inbound/x HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"a":');
  t.comment(`answered after ${Math.round(ms)} ms (timeout ${TIMEOUT_MS} ms)`);
  t.ok(ms >= TIMEOUT_MS * 0.9, 'not before the timeout');
  t.ok(ms <= TIMEOUT_MS * 1.5, `within ${TIMEOUT_MS * 1.5} ms`);
  t.match(answer, /^HTTP\/1\.1 408/);
});

t.test('at the default 30 s, Node checks often enough to cut within 1.5× (headers and body alike)', async (t) => {
  const { serverTimeouts } = await import('../../src/http/timeouts.js');
  const o = serverTimeouts(30_000);
  t.equal(o.headersTimeout, 30_000);
  t.equal(o.requestTimeout, 30_000);
  t.ok(o.requestTimeout! + o.connectionsCheckingInterval! <= 45_000, `worst case ${o.requestTimeout! + o.connectionsCheckingInterval!} ms`);
});
