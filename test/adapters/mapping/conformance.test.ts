// The mapping adapter under the kit's no-I/O trap, the hostile corpus (bounded by the node-visit backstop, §17 check 4),
// a byte-mutation fuzz like test/adapters/fuzz.test.ts and §17's leaf-mutation fuzz (drop, blank, retype).
import t, { type Test } from 'tap';
import { createMappingAdapter } from '../../../adapters/kit/mapping/adapter.js';
import { MappingItemError } from '../../../adapters/kit/mapping/decode.js';
import { dryRun } from '../../../adapters/kit/mapping/dry-run.js';
import { AdapterError } from '../../../adapters/kit/contract.js';
import { request, withNoIo, runHostile, asStored, eventFor, firstRefusal, type HostileCase } from '../../../adapters/kit/conformance.js';
import { ERRORS } from '../../../src/errors.js';
import { prng } from '../../helpers/prng.js';
import { compiled, mappingDoc, MAPPING_SYSTEMS, sample, samples } from './helpers.js';

const CT = (f: string) => (f.endsWith('.xml') ? 'application/xml' : 'application/json');
const adapters = Object.fromEntries(MAPPING_SYSTEMS.map((id) => [id, createMappingAdapter(compiled(mappingDoc(id)), { version: 1 })]));

t.test('decode, encode, judgeReply and the dry-run touch no I/O and no clock', async (t) => {
  for (const id of MAPPING_SYSTEMS) {
    const adapter = adapters[id]!;
    for (const file of samples(id)) {
      const req = request(sample(id, file), CT(file));
      const result = withNoIo(() => adapter.decode(req));
      for (const item of result.items) {
        if (item.op?.kind !== 'change') { t.type(item.error, MappingItemError, `${id}/${file}`); continue; }
        const op = item.op;
        const msg = withNoIo(() => adapter.encode(eventFor(op, asStored(op.change)), { systemId: id }));
        t.ok(String(msg.body).length > 0, `${id}/${file} encodes`);
      }
      const d = withNoIo(() => dryRun(adapter.compiled, req.body, req.contentType, { trace: true }));
      t.ok(d.ok, `${id}/${file} dry-run`);
    }
    t.same(withNoIo(() => adapter.judgeReply(200, id === 'so-khdt' ? '{"maLoi":"0"}' : '<KetQua maLoi="0"/>')), { ok: true });
  }
});

const JSON_CT = 'application/json';
const khdt = JSON.parse(sample('so-khdt', 'khdt.json').toString());
const withHoSo = (over: Record<string, unknown>) => JSON.stringify({ ...khdt, hoSo: { ...khdt.hoSo, ...over } });
const stp = sample('so-tu-phap', 'stp.xml').toString();
const XML_CT = 'application/xml';

const hostile: Record<string, HostileCase[]> = {
  'so-khdt': [
    { name: '__proto__ key', body: withHoSo({ __proto__: { polluted: 1 } }).replace('"soHoSo"', '"__proto__":{"x":1},"soHoSo"'), contentType: JSON_CT, code: 'HUB_REQUEST_FORBIDDEN_KEY' },
    { name: 'constructor key', body: withHoSo({ constructor: { prototype: {} } }), contentType: JSON_CT, code: 'HUB_REQUEST_FORBIDDEN_KEY' },
    { name: 'deep nesting', body: withHoSo({ x: JSON.parse(`${'['.repeat(100)}${']'.repeat(100)}`) }), contentType: JSON_CT, code: 'HUB_REQUEST_MALFORMED', withinMs: 200 },
    { name: '20,000 steps', body: withHoSo({ quaTrinh: Array.from({ length: 20_000 }, () => ({ thoiDiem: 'x', trangThai: 'y' })) }), contentType: JSON_CT, code: 'HUB_VALIDATION', path: '/hoSo/quaTrinh', withinMs: 1000 },
    { name: 'wrong types', body: withHoSo({ thuTuc: 'x', nguoiNop: [1, 2], thanhPhan: 'abc' }), contentType: JSON_CT, code: 'HUB_VALIDATION' },
    { name: 'blank values', body: withHoSo({ soHoSo: '  ', ngayNop: '\u200B' }), contentType: JSON_CT, code: 'HUB_VALIDATION', path: '/hoSo/soHoSo' },
    { name: '1 MiB string', body: withHoSo({ trichYeu: 'a'.repeat(1 << 20) }), contentType: JSON_CT, code: 'HUB_VALIDATION', path: '/hoSo/trichYeu', withinMs: 1000 },
    { name: 'not an object', body: '[1,2,3]', contentType: JSON_CT, code: 'HUB_VALIDATION' },
  ],
  'so-tu-phap': [
    { name: 'DOCTYPE', body: `<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>${stp.slice(stp.indexOf('<stp:GoiTinHoSo'))}`, contentType: XML_CT, code: 'HUB_REQUEST_DOCTYPE' },
    { name: 'deep nesting', body: stp.replace('<stp:NhatKy>', `<stp:NhatKy>${'<a>'.repeat(5000)}${'</a>'.repeat(5000)}`), contentType: XML_CT, code: 'HUB_REQUEST_MALFORMED', withinMs: 500 },
    { name: '__proto__ element', body: stp.replace('<stp:NhatKy>', '<stp:NhatKy><__proto__/>'), contentType: XML_CT, code: 'HUB_REQUEST_FORBIDDEN_KEY' },
    { name: '20,000 steps', body: stp.replace('<stp:NhatKy>', `<stp:NhatKy>${'<stp:Buoc thoiDiem="x"/>'.repeat(20_000)}`), contentType: XML_CT, code: 'HUB_VALIDATION', path: '/GoiTinHoSo/HoSo/1/NhatKy/Buoc', withinMs: 8000 }, // ~1 s is the kit's parser on a busy machine
    { name: 'blank values', body: stp.replace('soHoSo="LLTP-2026-00871"', 'soHoSo=" "'), contentType: XML_CT, code: 'HUB_VALIDATION', path: '/GoiTinHoSo/HoSo/1/@soHoSo' },
    { name: '1 MiB attribute', body: stp.replace('mucDich="', `mucDich="${'a'.repeat(1 << 20)}`), contentType: XML_CT, code: 'HUB_VALIDATION', path: '/GoiTinHoSo/HoSo/1/YeuCau/@mucDich', withinMs: 2000 },
    { name: '201 items', body: stp.replace(/<stp:HoSo [\s\S]*<\/stp:HoSo>/, '<stp:HoSo/>'.repeat(201)), contentType: XML_CT, code: 'HUB_BATCH_TOO_LARGE', path: '/GoiTinHoSo/HoSo' },
  ],
};

t.test('hostile payloads are refused cheaply with the right code and path', async (t) => {
  for (const id of MAPPING_SYSTEMS) {
    for (const r of runHostile(adapters[id]!, hostile[id]!)) {
      t.equal(r.got?.code, r.expected.code, `${id} ${r.name}: ${r.got?.message ?? 'accepted'}`);
      if (r.expected.path !== undefined) t.equal(r.got?.path, r.expected.path, `${id} ${r.name}: path`);
      t.ok(r.ms < (r.expected.withinMs ?? 1000), `${id} ${r.name}: ${r.ms.toFixed(1)} ms`);
    }
  }
});

t.test('the node-visit backstop fails one item with HUB_MAPPING_LIMIT; the other items go on', async (t) => {
  const one = stp.slice(stp.indexOf('<stp:HoSo '), stp.indexOf('</stp:HoSo>') + 11);
  const wide = one.replace('<stp:NhatKy>', `${'<x/>'.repeat(20_000)}<stp:NhatKy>`);
  const body = stp.replace(one, `${one}${wide}`);
  const req = request(body, XML_CT);
  const result = withNoIo(() => adapters['so-tu-phap']!.decode(req));
  t.ok(result.items[0]!.op, 'the first item decodes');
  t.equal(result.items[1]!.error?.code, 'HUB_MAPPING_LIMIT');
  t.equal(result.items[1]!.error?.errors[0]?.path, '/GoiTinHoSo/HoSo/2');
});

function mutate(body: Buffer, rand: () => number): Buffer {
  const TOKENS = ['<', '>', '&', '"', '/', '<!DOCTYPE x>', '__proto__', '{', '}', '[', ']', ':', ',', 'null', '0', '31/02/2026', '25:00', '\uFEFF', 'x:'];
  let out = body;
  for (let r = 0; r < 1 + Math.floor(rand() * 3); r++) {
    const i = Math.floor(rand() * (out.length + 1));
    const op = Math.floor(rand() * 4);
    if (op === 0 && out.length) { out = Buffer.from(out); out[Math.min(i, out.length - 1)] = Math.floor(rand() * 256); }
    else if (op === 1) out = Buffer.concat([out.subarray(0, i), out.subarray(Math.min(out.length, i + 1 + Math.floor(rand() * 40)))]);
    else if (op === 2) out = Buffer.concat([out.subarray(0, i), Buffer.from(TOKENS[Math.floor(rand() * TOKENS.length)]!), out.subarray(i)]);
    else out = out.subarray(0, i);
  }
  return out;
}

const onlyAdapterErrors = (t: Test, fn: () => unknown, label: string) => {
  try { fn(); return true; } catch (err) {
    const status = err instanceof AdapterError ? ERRORS[err.code]?.status : undefined;
    if (status === undefined || status < 400 || status >= 500) { t.fail(`${label}: ${(err as Error).stack}`); return false; }
    return true;
  }
};

t.test('byte-mutation fuzz: a DecodeResult or a 4xx AdapterError, nothing else', async (t) => {
  const rand = prng(Number(process.env.FUZZ_SEED ?? 20261201));
  let failures = 0;
  for (const id of MAPPING_SYSTEMS) {
    const seeds = samples(id).map((f) => ({ body: sample(id, f), ct: CT(f) }));
    for (let n = 0; n < 300 && failures < 5; n++) {
      const s = seeds[Math.floor(rand() * seeds.length)]!;
      const body = mutate(s.body, rand);
      if (!onlyAdapterErrors(t, () => withNoIo(() => adapters[id]!.decode(request(body, s.ct))), `${id} case ${n}`)) failures++;
    }
  }
  t.equal(failures, 0);
});

t.test('§17 leaf-mutation fuzz (JSON): drop, blank, retype each leaf; error paths exist in the payload or are where a value was looked for', async (t) => {
  const base = JSON.parse(sample('so-khdt', 'khdt.json').toString());
  const leaves: string[][] = [];
  const walk = (v: unknown, p: string[]) => {
    if (v !== null && typeof v === 'object') for (const [k, c] of Object.entries(v)) walk(c, [...p, k]);
    else leaves.push(p);
  };
  walk(base, []);
  const cases: { path: string[]; op: 'drop' | 'blank' | 'retype' }[] = leaves.flatMap((p) => (['drop', 'blank', 'retype'] as const).map((op) => ({ path: p, op }))).slice(0, 300);
  let checked = 0;
  for (const c of cases) {
    const doc = structuredClone(base);
    const holder = c.path.slice(0, -1).reduce((o: any, k) => o[k], doc);
    const key = c.path[c.path.length - 1]!;
    if (c.op === 'drop') { if (Array.isArray(holder)) holder.splice(Number(key), 1); else delete holder[key]; }
    else if (c.op === 'blank') holder[key] = '';
    else holder[key] = typeof holder[key] === 'string' ? 12 : 'x';
    const req = request(JSON.stringify(doc), JSON_CT);
    const r = firstRefusal(adapters['so-khdt']!, req);
    if (!r) continue;
    const result = (() => { try { return adapters['so-khdt']!.decode(req); } catch { return undefined; } })();
    for (const item of result?.items ?? []) {
      for (const e of (item.error as MappingItemError | undefined)?.details ?? []) {
        const segs = e.native.split('/').slice(1);
        const parent = segs.slice(0, -1).reduce((o: any, k) => (o && typeof o === 'object' ? o[k] : undefined), doc);
        t.ok(parent !== undefined || segs.length === 0, `${c.op} /${c.path.join('/')}: ${e.native} exists or is where a value was looked for`);
        checked++;
      }
    }
  }
  t.ok(checked > 30, `${checked} error paths checked`);
});
