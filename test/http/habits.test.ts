// HTTP habits over a real socket: compression (the Swagger bundle), ETag and 304 on a dossier (weak when
// compressed), Cache-Control: no-store on authenticated reads, security headers with a CSP that Swagger UI lives
// with, CORS for the citizen look-up only and only from HUB_CORS_ORIGINS, Link rel="next" on the change feed.
import t from 'tap';
import http from 'node:http';
import { gunzipSync } from 'node:zlib';
import { startHub, dossier } from '../helpers/hub.js';

interface Raw { status: number; headers: http.IncomingHttpHeaders; body: Buffer }
function raw(base: string, method: string, path: string, headers: Record<string, string> = {}): Promise<Raw> {
  return new Promise((resolve, reject) => {
    const req = http.request(`${base}${path}`, { method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end();
  });
}

const PORTAL = 'https://dichvucong.example.gov.vn';

t.test('compression, ETag/304, no-store, Link, security headers, CORS', async (t) => {
  const hub = await startHub({ config: { corsOrigins: [PORTAL] } });
  t.teardown(() => hub.close());
  const base = await hub.app.listen({ port: 0, host: '127.0.0.1' });
  const key = await hub.register({ id: 'vpdk', agencies: ['000.00.15.H12'] });
  // A summary long enough for the answer to pass the compression threshold (1 KiB).
  const summary = 'Chuyển nhượng quyền sử dụng đất, thửa số 12, tờ bản đồ số 3. '.repeat(25);
  t.equal((await hub.post('vpdk', key, dossier({ summary }))).statusCode, 202);
  const code = '000.00.15.H12-261127-0007';
  const auth = { authorization: `Bearer ${key}` };

  // Compression of the big static bundle of /docs.
  const bundle = await raw(base, 'GET', '/docs/static/swagger-ui-bundle.js', { 'accept-encoding': 'gzip' });
  t.equal(bundle.status, 200);
  t.equal(bundle.headers['content-encoding'], 'gzip', 'the Swagger bundle is compressed');
  t.ok(bundle.body.length < gunzipSync(bundle.body).length / 2, `${bundle.body.length} bytes on the wire for ${gunzipSync(bundle.body).length}`);

  // ETag, 304, Vary, weak when compressed.
  const plain = await raw(base, 'GET', `/v1/dossiers/${code}`, auth);
  t.equal(plain.status, 200);
  t.equal(plain.headers.etag, '"1-canonical"', 'strong ETag "<revision>-<format>"');
  t.match(String(plain.headers.vary), /accept-encoding/i);
  t.equal(plain.headers['cache-control'], 'no-store', 'an authenticated read is not stored');
  const dvcqg = await raw(base, 'GET', `/v1/dossiers/${code}?format=dvcqg`, auth);
  t.equal(dvcqg.headers.etag, '"1-dvcqg"');
  const gz = await raw(base, 'GET', `/v1/dossiers/${code}`, { ...auth, 'accept-encoding': 'gzip' });
  t.equal(gz.headers['content-encoding'], 'gzip');
  t.equal(gz.headers.etag, 'W/"1-canonical"', 'weak when compressed');
  t.same(JSON.parse(gunzipSync(gz.body).toString()), JSON.parse(plain.body.toString()));
  for (const inm of ['"1-canonical"', 'W/"1-canonical"', '"0-x", "1-canonical"']) {
    const nm = await raw(base, 'GET', `/v1/dossiers/${code}`, { ...auth, 'if-none-match': inm });
    t.equal(nm.status, 304, `If-None-Match: ${inm}`);
    t.equal(nm.body.length, 0);
  }
  t.equal((await raw(base, 'GET', `/v1/dossiers/${code}`, { ...auth, 'if-none-match': '"1-dvcqg"' })).status, 200, 'another format is another representation');
  t.equal((await hub.post('vpdk', key, dossier({ summary, status: 4, steps: [{ at: '2026-11-27T09:00:00+07:00', status: 4 }] }))).statusCode, 202);
  t.equal((await raw(base, 'GET', `/v1/dossiers/${code}`, { ...auth, 'if-none-match': '"1-canonical"' })).status, 200, 'a new revision is a new ETag');

  // The change feed: Link rel="next" carrying the cursor and the filters.
  const feed = await raw(base, 'GET', '/v1/dossiers?limit=1&agency=000.00.15.H12', auth);
  const next = JSON.parse(feed.body.toString()).nextCursor as string;
  t.equal(feed.headers.link, `<${hub.ctx.config.publicUrl}/v1/dossiers?agency=000.00.15.H12&limit=1&cursor=${next}>; rel="next"`);
  t.equal(feed.headers['cache-control'], 'no-store');

  // Security headers, and a CSP that lets Swagger UI load from the hub and set its inline styles.
  const docs = await raw(base, 'GET', '/docs/static/index.html');
  const csp = String(docs.headers['content-security-policy']);
  t.match(csp, /script-src 'self'/);
  t.match(csp, /style-src 'self' 'unsafe-inline'/);
  t.notMatch(csp, /upgrade-insecure-requests/, 'a plain-HTTP hub keeps working from /docs');
  for (const src of docs.body.toString().matchAll(/<script src="([^"]+)"/g)) t.notMatch(src[1]!, /^https?:/, `${src[1]} from the hub itself`);
  t.equal(docs.headers['x-content-type-options'], 'nosniff');
  t.ok(docs.headers['x-frame-options'], 'X-Frame-Options');

  // CORS: the look-up, from a configured origin; preflight 204; nothing for other origins or other routes.
  const look = `/v1/public/dossiers/${code}?verifier=1222`;
  const ok = await raw(base, 'GET', look, { origin: PORTAL });
  t.equal(ok.status, 200);
  t.equal(ok.headers['access-control-allow-origin'], PORTAL);
  const pre = await raw(base, 'OPTIONS', look, { origin: PORTAL, 'access-control-request-method': 'GET' });
  t.equal(pre.status, 204, 'preflight answers 204');
  t.equal(pre.headers['access-control-allow-origin'], PORTAL);
  t.match(String(pre.headers['access-control-allow-methods']), /GET/);
  t.notOk((await raw(base, 'GET', look, { origin: 'https://evil.example' })).headers['access-control-allow-origin'], 'another origin gets no CORS header');
  t.notOk((await raw(base, 'GET', `/v1/dossiers/${code}`, { ...auth, origin: PORTAL })).headers['access-control-allow-origin'], 'authenticated routes are not for browsers of other origins');

  // The whole security header set, the same on every route and answer (ingest, docs, 404, preflight).
  const SECURITY = {
    'content-security-policy': "default-src 'self';base-uri 'self';connect-src 'self';font-src 'self' data:;form-action 'self';frame-ancestors 'none';img-src 'self' data:;object-src 'none';script-src 'self';script-src-attr 'none';style-src 'self' 'unsafe-inline'",
    'cross-origin-opener-policy': 'same-origin', 'cross-origin-resource-policy': 'same-origin', 'origin-agent-cluster': '?1',
    'referrer-policy': 'no-referrer', 'x-content-type-options': 'nosniff', 'x-dns-prefetch-control': 'off', 'x-download-options': 'noopen',
    'x-frame-options': 'SAMEORIGIN', 'x-permitted-cross-domain-policies': 'none', 'x-xss-protection': '0',
  };
  const ingest = await new Promise<Raw>((resolve, reject) => {
    const req = http.request(`${base}/v1/inbound/vpdk`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' } }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.alloc(0) }));
    });
    req.on('error', reject);
    req.end(JSON.stringify(dossier({ summary })));
  });
  t.equal(ingest.status, 202);
  for (const r of [ingest, docs, await raw(base, 'GET', '/nope'), pre]) {
    t.match(r.headers, SECURITY);
    t.notOk(r.headers['strict-transport-security'], 'no HSTS: TLS is the proxy\'s');
  }
  // Answers vary by Origin everywhere, also without one; no Access-Control-* without a configured Origin.
  t.equal(ingest.headers.vary, 'Origin');
  t.notOk(Object.keys(ingest.headers).some((h) => h.startsWith('access-control-')));
  t.equal(ok.headers['access-control-expose-headers'], 'Retry-After, X-Correlation-Id');
  t.equal(ok.headers.vary, 'Origin');
  t.same(
    { methods: pre.headers['access-control-allow-methods'], maxAge: pre.headers['access-control-max-age'], length: pre.headers['content-length'], expose: pre.headers['access-control-expose-headers'], vary: pre.headers.vary },
    { methods: 'GET', maxAge: '600', length: '0', expose: 'Retry-After, X-Correlation-Id', vary: 'Origin, Access-Control-Request-Headers' },
  );
  const withHeaders = await raw(base, 'OPTIONS', look, { origin: PORTAL, 'access-control-request-method': 'GET', 'access-control-request-headers': 'x-foo' });
  t.equal(withHeaders.headers['access-control-allow-headers'], 'x-foo', 'requested headers are echoed');
  const notPreflight = await raw(base, 'OPTIONS', look, { origin: PORTAL });
  t.equal(notPreflight.status, 400, 'an OPTIONS from the origin without Access-Control-Request-Method');
  t.equal(notPreflight.body.toString(), 'Invalid Preflight Request');
  t.equal((await raw(base, 'OPTIONS', look, { origin: 'https://evil.example', 'access-control-request-method': 'GET' })).status, 405, 'no preflight for other origins (OPTIONS is no method of the route)');
  t.equal((await raw(base, 'OPTIONS', '/v1/inbound/vpdk', { origin: PORTAL, 'access-control-request-method': 'POST' })).status, 405, 'no preflight off the CORS paths');
});

t.test('HUB_CORS_ORIGINS is read and validated', async (t) => {
  const { loadConfig } = await import('../../src/config.js');
  t.same(loadConfig({ HUB_CORS_ORIGINS: 'https://a.example, http://b.example:8080/' }).corsOrigins, ['https://a.example', 'http://b.example:8080']);
  t.same(loadConfig({}).corsOrigins, []);
  t.throws(() => loadConfig({ HUB_CORS_ORIGINS: 'a.example' }), /corsOrigins/);
});
