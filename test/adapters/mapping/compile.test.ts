// mapping.md §14: every kind of refusal with its JSON Pointer into the mapping, the stages, the limits of §18,
// the warnings, and the plan's provenance (sha256 over the compact form, §13), cache and immutability.
import t, { type Test } from 'tap';
import { compileMapping, MAX_MAPPING_BYTES } from '../../../adapters/kit/mapping/compile.js';
import { sha256Hex } from '../../../src/util/canonical-json.js';
import { compiled, edited, mappingDoc, minimal, refusal } from './helpers.js';

const at = (doc: unknown) => refusal(doc).errors;
const one = (t: Test, doc: unknown, path: string, message: string | RegExp) => {
  const errs = at(doc);
  const hit = errs.find((e) => e.path === path);
  t.ok(hit, `an error at ${path} (got ${JSON.stringify(errs)})`);
  if (hit) t.match(hit.message, message);
};

t.test('unknown transforms, keys and targets are refused at the pointer of the unknown key', async (t) => {
  one(t, edited('so-khdt', (d) => { d.fields.receivedAt.regex = '^\\d+$'; }), '/fields/receivedAt/regex', '"regex" is not a key of a rule');
  one(t, edited('so-khdt', (d) => { d.fields['applicant.nam'] = { from: 'x' }; }), '/fields/applicant.nam', '"applicant.nam" is not a canonical target');
  one(t, edited('so-khdt', (d) => { d.tables.kenh.regex = 'x'; }), '/tables/kenh/regex', '"regex" is not a key of a table');
  one(t, edited('so-khdt', (d) => { d.source.script = 'x'; }), '/source/script', '"script" is not a key of source');
  one(t, edited('so-khdt', (d) => { d.fields.fees.fields.currency = { from: 'x' }; }), '/fields/fees/fields/currency', '"currency" is not a field of fees');
  one(t, edited('so-khdt', (d) => { d.fields.status.lookup = 'statusName'; delete d.fields.status.table; }), '/fields/status/lookup', 'must be one of');
});

t.test('hub-owned targets belong to the hub', async (t) => {
  for (const owned of ['routing', 'revision', 'updatedAt', 'acceptedAt', 'code', 'altCodes', 'dueAtSource']) {
    one(t, edited('so-khdt', (d) => { d.fields[owned] = { from: 'x' }; }), `/fields/${owned}`, `"${owned}" belongs to the hub`);
  }
});

t.test('nesting beyond the allowed depth: each inside a list element, a fallback inside a fallback', async (t) => {
  one(t, edited('so-khdt', (d) => { d.fields.fees.fields.name = { each: 'x', fields: { name: { from: 'y' } } }; }), '/fields/fees/fields/name/each', 'each is allowed only at the top level of fields');
  one(t, edited('so-khdt', (d) => { d.fields.summary.fallback = { from: 'a', fallback: { from: 'b' } }; }), '/fields/summary/fallback/fallback', '"fallback" is not a key of');
  one(t, edited('so-khdt', (d) => { d.fields.summary = { each: 'x', fields: {} }; }), '/fields/summary/each', 'is not a key of a rule');
});

t.test('oversized mappings: 64 KiB compact is the limit, checked before anything else; caps of §18', async (t) => {
  const big = edited('so-khdt', (d) => { d.description = 'x'.repeat(1990); d.fields.summary.note = 'n'.repeat(400); d.junk = Array.from({ length: 40 }, () => 'y'.repeat(2000)); });
  const errs = at(big);
  t.equal(errs.length, 1, 'only the size error: no schema stage on an oversized document');
  t.equal(errs[0]!.path, '');
  t.match(errs[0]!.message, new RegExp(`^the mapping is ${Buffer.byteLength(JSON.stringify(big))} bytes; at most 65,536$`));
  t.ok(Buffer.byteLength(JSON.stringify(big)) > MAX_MAPPING_BYTES);
  t.same(at('x'.repeat(2_000_000))[0], { path: '', message: 'the mapping is 2000000 bytes; at most 65536' }, 'a huge raw body is refused without parsing');
  const manyFields = minimal(Object.fromEntries(Array.from({ length: 150 }, (_, i) => [`extensions.x.f${i}`, { from: `f${i}` }])));
  one(t, manyFields, '/fields', 'at most 150 fields');
  one(t, edited('so-khdt', (d) => { for (let i = 0; i < 51; i++) d.tables[`t${i}`] = { entries: [['a', 'b']] }; }), '/tables', 'at most 50 tables');
  one(t, edited('so-khdt', (d) => { d.tables.kenh.entries = Array.from({ length: 501 }, (_, i) => [`K${i}`, 'online']); }), '/tables/kenh/entries', 'at most 500 entries');
  one(t, edited('so-khdt', (d) => { d.tables.kenh.entries[0][0] = 'k'.repeat(201); }), '/tables/kenh/entries/0/0', 'at most 200 characters');
  one(t, edited('so-khdt', (d) => { d.fields.summary = { value: 'v'.repeat(2001) }; }), '/fields/summary/value', /has none of the allowed forms|at most/);
  one(t, edited('so-khdt', (d) => { d.fields.receivedAt.date = ['dd/MM/yyyy', 'd/M/yyyy', 'yyyy-MM-dd', 'dd.MM.yyyy', 'dd-MM-yyyy', 'yyyy/MM/dd']; }), '/fields/receivedAt/date', 'at most 5 patterns');
  one(t, edited('so-khdt', (d) => { d.fields.summary = { firstOf: ['a', 'b', 'c', 'd', 'e', 'f'] }; }), '/fields/summary/firstOf', 'at most 5 paths');
  one(t, edited('so-khdt', (d) => { d.fields.summary.from = Array.from({ length: 17 }, () => 'a').join('/'); }), '/fields/summary/from', 'a path is up to 16 names');
  one(t, edited('so-khdt', (d) => { d.fields.summary.from = `a/${'b'.repeat(65)}`; }), '/fields/summary/from', 'a path is up to 16 names');
  one(t, edited('so-khdt', (d) => { d.source.ignore = Array.from({ length: 51 }, (_, i) => `x${i}`); }), '/source/ignore', 'at most 50 paths');
  one(t, edited('so-khdt', (d) => { d.encode.write = Object.fromEntries(Array.from({ length: 21 }, (_, i) => [`w${i}`, { value: '1' }])); }), '/encode/write', 'at most 20');
  one(t, edited('so-khdt', (d) => { d.source.maxItems = 501; d.source.items = 'x'; delete d.source.item; }), '/source/maxItems', 'must be at most 500');
});

t.test('prototype keys: in a path a schema error at the path; as a key of the document a 400 for the whole request', async (t) => {
  for (const p of ['__proto__', 'a/constructor', 'prototype/b', 'a/@__proto__']) {
    one(t, edited('so-khdt', (d) => { d.fields.summary.from = p; }), '/fields/summary/from', 'a path may not name __proto__, constructor or prototype');
  }
  const r = compileMapping('{"language":"lgsp-mapping/1","fields":{"__proto__":{"from":"x"}}}');
  t.equal(r.ok, false);
  if (!r.ok) { t.equal(r.code, 'HUB_REQUEST_FORBIDDEN_KEY'); t.equal(r.status, 400); t.equal(r.errors[0]!.path, '/fields/__proto__'); }
  const deep = compileMapping(`${'{"a":'.repeat(40)}1${'}'.repeat(40)}`);
  t.equal(!deep.ok && deep.code, 'HUB_REQUEST_MALFORMED', 'nesting deeper than 32 is refused by the safe parser');
  one(t, edited('so-khdt', (d) => { d.fields.summary.from = 'a/../b'; }), '/fields/summary/from', 'may not use ..');
  one(t, edited('so-khdt', (d) => { d.fields['extensions.constructor.x'] = { from: 'a' }; }), '/fields/extensions.constructor.x', 'may not name __proto__, constructor or prototype');
  const free = compileMapping(edited('so-khdt', (d) => { d.fields['extensions.khdt.list'] = { each: 'a', fields: { prototype: { from: 'b' } } }; }));
  t.same(free.ok ? null : [free.code, free.errors[0]!.path], ['HUB_REQUEST_FORBIDDEN_KEY', '/fields/extensions.khdt.list/fields/prototype'], 'a free element name that is a prototype key: the whole document refused');
});

t.test('compile checks (§14 stage 3), each at its pointer', async (t) => {
  one(t, edited('so-khdt', (d) => { d.fields.status.table = 'trangThaiHoSo'; }), '/fields/status/table', 'no table "trangThaiHoSo"');
  one(t, edited('so-khdt', (d) => { d.fields.summary = { from: 'a', value: 'b' }; }), '/fields/summary', 'exactly one source');
  one(t, edited('so-khdt', (d) => { d.fields.summary = { note: 'no source' }; }), '/fields/summary', 'exactly one source');
  one(t, edited('so-khdt', (d) => { d.fields['applicant.idNumber'].table = 'kenh'; }), '/fields/applicant.idNumber', 'at most one conversion');
  one(t, edited('so-khdt', (d) => { d.fields.receivedAt.date = ['dd/MM/yyyy HH:mm', 'dd/MM/yy']; }), '/fields/receivedAt/date/1', 'neither a token');
  one(t, edited('so-khdt', (d) => { d.fields.receivedAt.date = ['MM/yyyy']; }), '/fields/receivedAt/date/0', 'a pattern holds a year, a month and a day');
  one(t, edited('so-khdt', (d) => { d.fields.receivedAt.date[0] = 'dMyyyy'; }), '/fields/receivedAt/date/0', 'followed by a separator');
  one(t, edited('so-khdt', (d) => { d.fields.receivedAt.date[0] = 'dd/MM/yyyy HH'; }), '/fields/receivedAt/date/0', 'an hour needs minutes');
  one(t, edited('so-khdt', (d) => { d.fields.receivedAt.date[0] = 'dd/MM/yyyy hh:mm'; }), '/fields/receivedAt/date/0', 'neither a token');
  one(t, edited('so-khdt', (d) => { d.fields.fees.fields.amount.number = { group: '.', decimal: '.', integer: true }; }), '/fields/fees/fields/amount/number', 'group and decimal must differ');
  one(t, edited('so-khdt', (d) => { d.fields.fees.fields.amount.number = { group: '.' }; }), '/fields/fees/fields/amount/number/integer', 'needs integer: true');
  one(t, edited('so-khdt', (d) => { d.fields.summary.date = ['dd/MM/yyyy']; }), '/fields/summary/date', 'date is for date-time targets');
  one(t, edited('so-khdt', (d) => { delete d.fields.dueAt.date; delete d.fields.dueAt.dateOnly; }), '/fields/dueAt', 'the rule needs date');
  one(t, edited('so-khdt', (d) => { d.fields.summary.split = ';'; }), '/fields/summary/split', 'extension targets only');
  one(t, edited('so-khdt', (d) => { d.fields.status = { from: 'x', digits: true }; }), '/fields/status/digits', 'digits is for text targets');
  one(t, edited('so-khdt', (d) => { d.fields['agency.name'].lookup = 'agencyLevel'; }), '/fields/agency.name/lookup', 'agencyLevel is for the *.level targets');
  one(t, edited('so-khdt', (d) => { d.fields.status = { value: 11 }; }), '/fields/status/value', 'status must be an integer 1–10');
  one(t, edited('so-khdt', (d) => { d.fields.channel.default = 'bus'; }), '/fields/channel/default', 'channel must be one of');
  one(t, edited('so-khdt', (d) => { d.tables.kenh.entries[1][1] = 'web'; }), '/tables/kenh/entries/1/1', 'channel must be one of');
  one(t, edited('so-khdt', (d) => { d.tables.trangThai.otherwise = { value: 0 }; }), '/tables/trangThai/otherwise/value', 'status must be an integer');
  one(t, edited('so-khdt', (d) => { delete d.fields['applicant.name']; }), '/fields', 'needs a rule for applicant.name');
  one(t, edited('so-khdt', (d) => { d.fields.summary.from = 'x/@y'; }), '/fields/summary/from', '@ names an XML attribute: not in a JSON mapping');
  one(t, edited('so-tu-phap', (d) => { d.fields.summary.jsonType = 'number'; }), '/fields/summary/jsonType', 'jsonType is for JSON mappings');
  one(t, edited('so-tu-phap', (d) => { d.source.namespaceOf.HoSo = 'hs'; }), '/source/namespaceOf/HoSo', 'no prefix "hs" in namespaces');
  one(t, edited('so-khdt', (d) => { d.fields.fees.keepIf = 'kind'; }), '/fields/fees/keepIf', '"kind" is not a field of this list rule');
  one(t, edited('so-khdt', (d) => { d.fields.fees.keepIf = 'colour'; }), '/fields/fees/keepIf', 'must be one of');
  one(t, edited('so-khdt', (d) => { d.fields['agency.level'].encode = { value: 'tinh' }; }), '/fields/agency.level/encode', 'needs a rule with a path');
  one(t, edited('so-khdt', (d) => { d.encode.notCarried.push('/agency/colour'); }), '/encode/notCarried/6', '"/agency/colour" names no canonical target');
  one(t, edited('so-khdt', (d) => { d.source.contentTypes = ['application/xml']; }), '/source/contentTypes/0', 'for json');
  one(t, edited('so-tu-phap', (d) => { delete d.source.root; }), '/source', 'needs root');
  one(t, edited('so-tu-phap', (d) => { d.fields.fees.each = 'LePhi/@ma'; }), '/fields/fees/each', 'each names repeated elements');
  one(t, edited('so-tu-phap', (d) => { d.source.item = 'HoSo'; }), '/source/items', 'item and items exclude each other');
  one(t, edited('so-khdt', (d) => { delete d.ref.localCode; }), '/ref', 'needs localCode');
  t.ok(compiled(edited('so-khdt', (d) => { d.source.partial = true; delete d.ref.localCode; delete d.fields['applicant.name']; })), 'partial: required targets and localCode may be left out');
});

t.test('stages stop: a schema error hides compile errors; errors are sorted by position in the document, at most 50', async (t) => {
  const errs = at(edited('so-khdt', (d) => { d.fields.status.table = 'nope'; d.fields.receivedAt.regex = 1; }));
  t.same(errs.map((e) => e.path), ['/fields/receivedAt/regex'], 'the compile check of the table does not run');
  const sorted = at(edited('so-khdt', (d) => { d.fields.status.table = 'nope'; d.fields['applicant.type'].table = 'nada'; d.fields.receivedAt.date[0] = 'x'; }));
  t.same(sorted.map((e) => e.path), ['/fields/applicant.type/table', '/fields/receivedAt/date/0', '/fields/status/table']);
  const many = at(minimal(Object.fromEntries(Array.from({ length: 80 }, (_, i) => [`extensions.x.f${i}`, { from: 'a', table: `t${i}` }]))));
  t.equal(many.length, 50);
});

t.test('warnings never refuse: not written on encode, empty joinOf with, table collisions, status table gaps, unused tables', async (t) => {
  const m = compiled(edited('so-khdt', (d) => {
    d.encode.notCarried = d.encode.notCarried.filter((p: string) => p !== '/agency/level');
    d.fields['applicant.address'] = { joinOf: { paths: ['a', 'b'], with: '' } };
    d.tables.kenh.entries.push(['truc_tuyen', 'online']);
    d.tables.trangThai.entries = d.tables.trangThai.entries.slice(0, 9);
    d.tables.spare = { entries: [['x', 'y']] };
  }));
  const w = m.warnings.map((x) => x.path);
  t.ok(w.includes('/fields/agency.level'), 'a value rule not in notCarried');
  t.ok(w.includes('/fields/applicant.address/joinOf/with'));
  t.ok(w.includes('/tables/kenh/entries/3'), 'a collision after upper-case normalisation');
  t.ok(m.warnings.some((x) => x.path === '/tables/trangThai' && /no native value for 10/.test(x.message)));
  t.ok(w.includes('/tables/spare'));
  t.same(compiled(mappingDoc('so-khdt')).warnings, [], 'the shipped mapping has none');
});

t.test('sha256 over the compact form in the given order, cached by hash, immutable plan', async (t) => {
  const doc = mappingDoc('so-khdt');
  const a = compiled(doc);
  t.equal(a.sha256, sha256Hex(JSON.stringify(doc)));
  t.equal(a.size, Buffer.byteLength(JSON.stringify(doc)));
  t.equal(compiled(JSON.stringify(doc, null, 2)), a, 'the same document in another layout hits the cache');
  const reordered = { ...doc, fields: Object.fromEntries(Object.entries(doc.fields).reverse()) };
  t.not(compiled(reordered).sha256, a.sha256, 'the order of fields is meaningful (encode order)');
  t.ok(Object.isFrozen(a.plan) && Object.isFrozen(a.plan.fields) && Object.isFrozen(a.plan.fields[0]));
  t.throws(() => { (a.plan as any).format = 'xml'; });
});
