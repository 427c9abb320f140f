// The mapping editor's pure parts (console/src/locate.ts, the generated standalone validator): a native path
// found in the payload's text, the line diff, and the as-you-type schema check agreeing with the hub's compiler.
import t from 'tap';
import { existsSync, readFileSync } from 'node:fs';
import { locate, lineDiff } from '../../console/src/locate.js';
import { translateAjv } from '../../adapters/kit/mapping/ajv-messages.js';
import { compileMapping } from '../../adapters/kit/mapping/compile.js';

const GENERATED = new URL('../../console/src/generated/mapping-validate.js', import.meta.url);

t.test('locate: JSON pointers and XML paths in the payload text', async (t) => {
  const json = JSON.stringify({ hoSo: { nguoiNop: { hoTen: '' }, phiLePhi: [{ soTien: '1' }, { soTien: '100,000' }] } }, null, 2);
  const at = (p: string) => { const s = locate(json, p); return s && json.slice(s[0], s[1]); };
  t.equal(at('/hoSo/nguoiNop/hoTen'), '"hoTen": ""', 'a member: its key and value');
  t.equal(at('/hoSo/phiLePhi/1/soTien'), '"soTien": "100,000"', 'list indexes are 0-based');
  t.equal(at('/hoSo/nguoiNop/email'), '"nguoiNop": {\n      "hoTen": ""\n    }', 'a missing leaf: where the rule looked');
  t.equal(locate('{ not json', '/a'), null);
  const xml = '<GoiTin><HoSo><Ma>1</Ma></HoSo><HoSo><Ma>2</Ma><Buoc trangThai="X"/></HoSo></GoiTin>';
  const x = (p: string) => { const s = locate(xml, p); return s && xml.slice(s[0], s[1]); };
  t.equal(x('/GoiTin/HoSo/2/Ma'), '<Ma>', 'XML: the second item (1-based)');
  t.equal(x('/GoiTin/HoSo/2/Buoc/@trangThai'), 'trangThai="X"', 'an attribute');
});

t.test('lineDiff: lines kept, removed, added', async (t) => {
  t.same(lineDiff('a\nb\nc', 'a\nc\nd'), [{ op: ' ', line: 'a' }, { op: '-', line: 'b' }, { op: ' ', line: 'c' }, { op: '+', line: 'd' }]);
  t.same(lineDiff('x', 'x'), [{ op: ' ', line: 'x' }]);
});

t.test('the standalone validator gives the compiler\'s schema errors', { skip: existsSync(GENERATED) ? false : 'console not built' }, async (t) => {
  const { default: validate } = await import(GENERATED.href) as { default: ((d: unknown) => boolean) & { errors?: unknown[] | null } };
  const shipped = JSON.parse(readFileSync(new URL('../../config/systems/so-khdt/mapping.json', import.meta.url), 'utf8'));
  t.ok(validate(shipped), 'the shipped mapping passes');
  const bad = [
    { ...shipped, fields: { ...shipped.fields, 'applicant.name': { fromm: 'x' } } },
    { ...shipped, fields: { ...shipped.fields, routing: { from: 'x' } } },
    { ...shipped, source: { format: 'yaml' } },
    { language: 'lgsp-mapping/1' },
  ];
  for (const doc of bad) {
    t.notOk(validate(doc));
    const local = translateAjv((validate.errors ?? []) as never).map((e) => `${e.path} ${e.message}`).sort();
    const hub = compileMapping(doc);
    t.equal(hub.ok, false);
    if (!hub.ok) t.same(local, hub.errors.map((e) => `${e.path} ${e.message}`).sort(), `the same errors as the hub: ${local[0]}`);
  }
});
