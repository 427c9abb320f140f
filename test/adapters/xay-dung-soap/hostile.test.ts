// Hostile XML, inbound (decode, and over HTTP) and in a department's reply (judgeReply): refused or ignored,
// never expanded, never fetched, never reaching Object.prototype.
import t from 'tap';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AdapterError, type InboundRequest } from '../../../adapters/kit/contract.js';
import { xayDungSoapAdapter as adapter } from '../../../adapters/xay-dung-soap/index.js';
import { ERRORS } from '../../../src/errors.js';
import { dossier, startSoapHub, SYSTEM_ID } from './fixtures/helpers.js';

const FIXTURES = new URL('../../../adapters/xay-dung-soap/fixtures/', import.meta.url);
const SAMPLE = readFileSync(new URL('tiep-nhan.xml', FIXTURES), 'utf8');
const ENV = (body: string, header = '') =>
  `<?xml version="1.0"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/">${header}<soap:Body>${body}</soap:Body></soap:Envelope>`;

const request = (body: string): InboundRequest => ({ body: Buffer.from(body), contentType: 'text/xml', headers: {}, systemId: SYSTEM_ID });

function codeOf(body: string): string | undefined {
  try {
    return adapter.decode(request(body)).items[0]?.error?.code;
  } catch (err) {
    if (err instanceof AdapterError) return err.code;
    throw err;
  }
}

const protoKeys = () => Object.getOwnPropertyNames(Object.prototype).sort();
const before = protoKeys();

const DOCTYPES: Record<string, string> = {
  'billion laughs': `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;"><!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">]>${ENV('<TraCuuHoSo xmlns="urn:sxd:motcua:v1"><MaHoSo>&lol2;</MaHoSo></TraCuuHoSo>').replace('<?xml version="1.0"?>', '')}`,
  'external entity': `<?xml version="1.0"?><!DOCTYPE r [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>${ENV('<TraCuuHoSo xmlns="urn:sxd:motcua:v1"><MaHoSo>&xxe;</MaHoSo></TraCuuHoSo>').replace('<?xml version="1.0"?>', '')}`,
  'external DTD': `<?xml version="1.0"?><!DOCTYPE soap:Envelope SYSTEM "http://127.0.0.1:9/evil.dtd">${ENV('<TraCuuHoSo xmlns="urn:sxd:motcua:v1"><MaHoSo>1</MaHoSo></TraCuuHoSo>').replace('<?xml version="1.0"?>', '')}`,
  'parameter entity': `<!DOCTYPE r [<!ENTITY % p SYSTEM "http://127.0.0.1:9/x"> %p;]>${ENV('<TraCuuHoSo xmlns="urn:sxd:motcua:v1"><MaHoSo>1</MaHoSo></TraCuuHoSo>').replace('<?xml version="1.0"?>', '')}`,
  'lower-case doctype': `<!doctype r>${ENV('<TraCuuHoSo xmlns="urn:sxd:motcua:v1"><MaHoSo>1</MaHoSo></TraCuuHoSo>').replace('<?xml version="1.0"?>', '')}`,
};

t.test('DOCTYPE, entity declarations and external references are refused before parsing: 400 HUB_REQUEST_DOCTYPE', async (t) => {
  t.equal(ERRORS.HUB_REQUEST_DOCTYPE.status, 400);
  for (const [name, body] of Object.entries(DOCTYPES)) t.equal(codeOf(body), 'HUB_REQUEST_DOCTYPE', name);
  t.equal(adapter.credentials!(request(DOCTYPES['external entity']!)), undefined, 'credentials do not read a refused body either');
});

t.test('over HTTP a refused body is a soap:Client Fault naming HUB_REQUEST_DOCTYPE', async (t) => {
  const hub = await startSoapHub();
  t.teardown(() => hub.close());
  const res = await fetch(hub.url, { method: 'POST', headers: { 'content-type': 'text/xml; charset=utf-8' }, body: DOCTYPES['billion laughs'] });
  const body = await res.text();
  t.equal(res.status, 500, 'SOAP 1.1 Fault');
  t.equal(res.headers.get('content-type'), 'text/xml; charset=utf-8');
  t.match(body, /<faultcode>soap:Client<\/faultcode>/);
  t.match(body, /<MaLoi>HUB_REQUEST_DOCTYPE<\/MaLoi>/);
  t.notMatch(body, /lollol/, 'nothing expanded');
  t.equal(hub.seen.length, 0);
});

t.test('prototype names inbound: id="__proto__", __proto__ elements and attributes are refused; href="#__proto__" is inert', async (t) => {
  const polluting = {
    'id on HoSo': SAMPLE.replace('<HoSo>', '<HoSo id="__proto__">'),
    'id on a field': SAMPLE.replace('<MaThuTuc>', '<MaThuTuc id="__proto__">'),
    'prefixed id': SAMPLE.replace('<HoSo>', '<HoSo xmlns:x="urn:x" x:id="__proto__">'),
    'multiRef': ENV('<TraCuuHoSo xmlns="urn:sxd:motcua:v1"><MaHoSo href="#__proto__"/></TraCuuHoSo><multiRef id="__proto__"><polluted>yes</polluted></multiRef>'),
    'element named __proto__': SAMPLE.replace('<TrichYeu>', '<__proto__><polluted>yes</polluted></__proto__><TrichYeu>'),
    'element named constructor': SAMPLE.replace('<TrichYeu>', '<constructor><prototype><polluted>yes</polluted></prototype></constructor><TrichYeu>'),
    'attribute named __proto__': SAMPLE.replace('<HoSo>', '<HoSo __proto__="x">'),
    'in the header': ENV('<TraCuuHoSo xmlns="urn:sxd:motcua:v1"><MaHoSo>1</MaHoSo></TraCuuHoSo>', '<soap:Header><Security id="__proto__"><UsernameToken><Username>a</Username><Password>b</Password></UsernameToken></Security></soap:Header>'),
  };
  for (const [name, body] of Object.entries(polluting)) t.equal(codeOf(body), 'HUB_REQUEST_FORBIDDEN_KEY', name);
  const hrefOnly = SAMPLE.replace('<MaHoSo>', '<MaHoSo href="#__proto__">');
  const r = adapter.decode(request(hrefOnly));
  t.equal(r.items[0]?.op?.kind, 'change', 'an href alone is an ordinary attribute that nothing dereferences');
  t.equal(({} as Record<string, unknown>)['polluted'], undefined);
});

t.test("prototype names in a department's reply: judged unreadable, never parsed into objects", async (t) => {
  const replies: Record<string, string> = {
    'id="__proto__" result': ENV('<NhanCapNhatTuLGSPResponse xmlns="urn:sxd:motcua:v1"><NhanCapNhatTuLGSPResult id="__proto__"><MaLoi>0</MaLoi><polluted>yes</polluted></NhanCapNhatTuLGSPResult></NhanCapNhatTuLGSPResponse>'),
    'multiRef href="#__proto__"': ENV('<NhanCapNhatTuLGSPResponse xmlns="urn:sxd:motcua:v1"><NhanCapNhatTuLGSPResult href="#__proto__"/></NhanCapNhatTuLGSPResponse><multiRef id="__proto__"><MaLoi>0</MaLoi><polluted>yes</polluted></multiRef>'),
    'element __proto__': ENV('<NhanCapNhatTuLGSPResponse xmlns="urn:sxd:motcua:v1"><__proto__><polluted>yes</polluted></__proto__><NhanCapNhatTuLGSPResult><MaLoi>0</MaLoi></NhanCapNhatTuLGSPResult></NhanCapNhatTuLGSPResponse>'),
    'billion laughs': DOCTYPES['billion laughs']!,
  };
  // A real department server that answers hostile XML, so the reply goes the way a push would.
  let reply = '';
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'text/xml; charset=utf-8' });
      res.end(reply);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/sxd`;
  const msg = adapter.encode({ eventId: 'e', type: 'dossier.status-changed', source: 'platform', time: '2026-11-28T10:05:01+07:00', revision: 2, previousStatus: 2, dossier: dossier() }, { systemId: SYSTEM_ID });
  for (const [name, body] of Object.entries(replies)) {
    reply = body;
    const res = await fetch(url, { method: 'POST', headers: { 'content-type': msg.contentType, ...msg.headers }, body: String(msg.body) });
    const verdict = adapter.judgeReply(res.status, await res.text());
    t.match(verdict, { ok: false, permanent: true, reason: /unreadable/ }, `${name}: never taken for MaLoi 0`);
  }
  t.equal(({} as Record<string, unknown>)['polluted'], undefined);
});

t.test('deep nesting is refused without a stack overflow', async (t) => {
  const deep = ENV(`<TraCuuHoSo xmlns="urn:sxd:motcua:v1">${'<a>'.repeat(20000)}${'</a>'.repeat(20000)}</TraCuuHoSo>`);
  t.equal(codeOf(deep), 'HUB_REQUEST_MALFORMED');
  t.match(adapter.judgeReply(200, deep), { ok: false, permanent: true });
});

t.test('afterwards Object.prototype is untouched and a normal decode still works', async (t) => {
  t.equal(({} as Record<string, unknown>)['polluted'], undefined);
  t.strictSame(protoKeys(), before);
  t.equal(Object.getPrototypeOf({}), Object.prototype);
  const r = adapter.decode(request(SAMPLE));
  t.equal(r.items[0]?.op?.kind, 'change');
  t.equal(r.items[0]?.op?.kind === 'change' ? r.items[0].op.change.applicant?.name : undefined, 'Công ty TNHH Xây dựng Hoàng Phát');
});

t.test('issue 8: SOAP 1.1 only, mustUnderstand, namespaces, characters XML cannot carry, backtracking shapes', async (t) => {
  const op = '<TraCuuHoSo xmlns="urn:sxd:motcua:v1"><MaHoSo>SXD-1</MaHoSo></TraCuuHoSo>';
  t.equal(codeOf(ENV(op)), undefined, 'the plain request decodes');
  t.equal(codeOf(ENV(op).replaceAll('http://schemas.xmlsoap.org/soap/envelope/', 'http://www.w3.org/2003/05/soap-envelope')), 'HUB_SOAP_VERSION_MISMATCH', 'SOAP 1.2');
  t.equal(codeOf(`<Envelope><Body>${op}</Body></Envelope>`), 'HUB_SOAP_VERSION_MISMATCH', 'an Envelope without a namespace');
  t.equal(codeOf(ENV(op, '<soap:Header><x:Tx xmlns:x="urn:x" soap:mustUnderstand="1"/></soap:Header>')), 'HUB_SOAP_MUST_UNDERSTAND', 'an unknown mustUnderstand header');
  t.equal(codeOf(ENV(op, '<soap:Header><x:Tx xmlns:x="urn:x" soap:mustUnderstand="0"/></soap:Header>')), undefined, 'mustUnderstand="0" is ignored');
  t.equal(codeOf(ENV(op.replace('urn:sxd:motcua:v1', 'urn:evil:v1'))), 'HUB_VALIDATION', 'an operation in a foreign namespace');
  t.equal(codeOf(ENV('<TraCuuHoSo><MaHoSo>SXD-1</MaHoSo></TraCuuHoSo>')), 'HUB_VALIDATION', 'an unqualified operation');
  t.equal(codeOf(ENV(op.replace('<MaHoSo>', '<p:MaHoSo>').replace('</MaHoSo>', '</p:MaHoSo>'))), 'HUB_REQUEST_MALFORMED', 'an undeclared prefix');
  t.equal(codeOf(ENV(op.replace('SXD-1', 'SXD\u00021'))), 'HUB_REQUEST_MALFORMED', 'a raw control character');
  t.equal(codeOf(ENV(op.replace('SXD-1', 'SXD&#x2;1'))), 'HUB_REQUEST_MALFORMED', 'a control character reference');
  t.equal(codeOf(ENV(op).replace('<?xml version="1.0"?>', '<?xml version="1.0" encoding="windows-1258"?>')), 'HUB_REQUEST_ENCODING', 'windows-1258 declared');
  const started = performance.now();
  t.equal(codeOf('<a' + '<a'.repeat(4095)), 'HUB_REQUEST_MALFORMED', "8 KB of '<a<a'");
  t.ok(performance.now() - started < 200, `refused in ${(performance.now() - started).toFixed(1)} ms (the old scan took 47 s)`);
});
