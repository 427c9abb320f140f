import t from 'tap';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigError, loadCalendar } from '../../src/calendar/calendar.js';
import { loadProcedures } from '../../src/calendar/catalogue.js';
import { computeDueAt } from '../../src/calendar/deadline.js';
import { formatVn, parseRfc3339 } from '../../src/util/time.js';

const CONFIG_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../config');
const ok = { code: '1.004227', name: 'Đăng ký biến động', processingTime: { value: 15, unit: 'working_days' } };

/** A configuration directory under the OS temp dir with the given procedure files; removed after the test. */
function fixture(t: { teardown(fn: () => void): void }, files: Record<string, unknown>): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'lgsp-procedures-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  mkdirSync(path.join(dir, 'procedures'));
  for (const [name, content] of Object.entries(files)) {
    writeFileSync(path.join(dir, 'procedures', name), typeof content === 'string' ? content : JSON.stringify(content));
  }
  return dir;
}

function refusal(dir: string): ConfigError {
  try {
    loadProcedures(dir);
  } catch (e) {
    if (e instanceof ConfigError) return e;
    throw e;
  }
  throw new Error('expected a ConfigError');
}

t.test('the shipped catalogue holds the five spec samples and the starter set, sample markers dropped', async (t) => {
  const cat = loadProcedures(CONFIG_DIR);
  for (const code of ['1.004227', '1.004203', '1.009794', '2.000889', '1.001612']) t.ok(cat.has(code), code);
  t.ok(cat.size >= 20);
  t.same(cat.get('1.009794')?.processingTime, { value: 20, unit: 'working_days' });
  t.notOk('sample' in cat.get('1.004227')!, 'the sample marker is not part of the procedure');
  t.notOk('note' in cat.get('1.004227')!);
  for (const f of readdirSync(path.join(CONFIG_DIR, 'procedures'))) {
    const text = readFileSync(path.join(CONFIG_DIR, 'procedures', f), 'utf8');
    t.equal(text, text.normalize('NFC'), `${f} is NFC`);
    for (const p of JSON.parse(text) as { sample?: boolean }[]) t.equal(p.sample, true, `${f}: every entry is marked as sample data`);
  }
});

t.test("the spec samples' desk deadlines agree with the catalogue: 1.009794 received 27/11/2026 08:30 + 20 working days → 25/12/2026", async (t) => {
  const cal = loadCalendar(CONFIG_DIR);
  const cat = loadProcedures(CONFIG_DIR);
  const due = computeDueAt(cal, parseRfc3339('2026-11-27T08:30:00+07:00')!, cat.get('1.009794')!.processingTime);
  t.equal(formatVn(due), '2026-12-25T08:30:00+07:00', 'same day as the desk promise (25/12/2026 17:00)');
  const due2 = computeDueAt(cal, parseRfc3339('2026-11-27T08:15:00+07:00')!, cat.get('1.004227')!.processingTime);
  t.equal(formatVn(due2), '2026-12-18T08:15:00+07:00', '1.004227: same day as hanXuLy 18/12/2026');
});

t.test('a single-procedure file and an array file both load', async (t) => {
  const dir = fixture(t, { 'a.json': ok, 'b.json': [{ code: '2.000889', name: 'Chứng thực', sectorCode: 'CT', processingTime: { value: 4, unit: 'hours' }, sample: true, note: 'x' }] });
  const cat = loadProcedures(dir);
  t.same([...cat.keys()].sort(), ['1.004227', '2.000889']);
  t.same(cat.get('2.000889'), { code: '2.000889', name: 'Chứng thực', sectorCode: 'CT', processingTime: { value: 4, unit: 'hours' }, clock: 'restart', excludeFinancialObligation: false });
});

t.test('a malformed code 1.00422 is refused naming the file and the entry', async (t) => {
  const err = refusal(fixture(t, { 'bad.json': [ok, { ...ok, code: '1.00422' }] }));
  t.equal(err.file, 'procedures/bad.json');
  t.match(err.message, /^procedures\/bad\.json: \[1\] 1\.00422 code: must match pattern/);
});

t.test('a processing time of 0 is refused', async (t) => {
  const err = refusal(fixture(t, { 'zero.json': { ...ok, processingTime: { value: 0, unit: 'days' } } }));
  t.match(err.message, /^procedures\/zero\.json: 1\.004227 processingTime\.value: must be > 0/);
});

t.test('an unknown unit "months" is refused', async (t) => {
  const err = refusal(fixture(t, { 'unit.json': { ...ok, processingTime: { value: 1, unit: 'months' } } }));
  t.match(err.message, /processingTime\.unit: "months" is unknown \(expected "working_days" or "days" or "hours"\)/);
});

t.test('a duplicate code across two files is refused naming both files', async (t) => {
  const err = refusal(fixture(t, { 'a.json': ok, 'b.json': [{ ...ok, name: 'again' }] }));
  t.equal(err.file, 'procedures/b.json');
  t.match(err.message, /\[0\] 1\.004227: duplicate procedure code, already in procedures\/a\.json/);
});

t.test('malformed JSON is refused naming the file', async (t) => {
  const err = refusal(fixture(t, { 'broken.json': '[{"code": "1.004227",' }));
  t.match(err.message, /^procedures\/broken\.json: malformed JSON/);
});

t.test('no procedures folder: an empty catalogue', async (t) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'lgsp-procedures-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  t.equal(loadProcedures(dir).size, 0);
});

t.test('clock and excludeFinancialObligation: defaults restart/false, values kept, unknown values refused naming the entry', async (t) => {
  const cat = loadProcedures(fixture(t, { 'a.json': [ok, { ...ok, code: '1.000001', clock: 'pause', excludeFinancialObligation: true }] }));
  t.same([cat.get('1.004227')?.clock, cat.get('1.004227')?.excludeFinancialObligation], ['restart', false]);
  t.same([cat.get('1.000001')?.clock, cat.get('1.000001')?.excludeFinancialObligation], ['pause', true]);
  const bad = refusal(fixture(t, { 'bad.json': [{ ...ok, clock: 'stop' }] }));
  t.match(bad.message, /procedures\/bad\.json: \[0\] 1\.004227 clock: "stop" is unknown/);
  const badFlag = refusal(fixture(t, { 'bad.json': { ...ok, excludeFinancialObligation: 'yes' } }));
  t.match(badFlag.message, /excludeFinancialObligation/);
});

t.test('the shipped land procedures exclude the time of financial obligations (domain.md "Deadlines")', async (t) => {
  const cat = loadProcedures(CONFIG_DIR);
  t.equal(cat.get('1.004227')?.excludeFinancialObligation, true);
  t.equal(cat.get('1.012753')?.excludeFinancialObligation, true);
  t.equal(cat.get('2.000889')?.excludeFinancialObligation, false, 'certification has no financial obligation');
});
