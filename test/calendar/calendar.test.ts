import t from 'tap';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigError, loadCalendar } from '../../src/calendar/calendar.js';
import { isWorkingDay } from '../../src/calendar/deadline.js';

const CONFIG_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../config');
const DEFAULT = { timezone: 'Asia/Ho_Chi_Minh', workdays: [1, 2, 3, 4, 5], hours: [['07:30', '11:30'], ['13:00', '17:00']] };

/** The part of a tap subtest the helpers use. */
interface TestT {
  teardown(fn: () => void): void;
  ok(value: unknown, ...message: any[]): boolean;
  equal(found: unknown, wanted: unknown, ...message: any[]): boolean;
  match(found: unknown, pattern: RegExp, ...message: any[]): boolean;
  fail(...message: any[]): boolean;
}

/** A configuration directory under the OS temp dir with the given files (objects are written as JSON). */
function fixture(t: TestT, files: Record<string, unknown>): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'lgsp-calendar-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    writeFileSync(path.join(dir, name), typeof content === 'string' ? content : JSON.stringify(content));
  }
  return dir;
}

function refused(t: TestT, files: Record<string, unknown>, file: string, entry: string | undefined, pattern: RegExp): void {
  const dir = fixture(t, files);
  try {
    loadCalendar(dir);
    t.fail('expected a ConfigError');
  } catch (e) {
    t.ok(e instanceof ConfigError, 'a ConfigError');
    const err = e as ConfigError;
    t.equal(err.file, file, 'names the file');
    t.equal(err.entry, entry, 'names the entry');
    t.match(err.message, pattern);
    t.ok(err.message.startsWith(`${file}: `), err.message);
  }
}

const year = (days: unknown[], y = 2026) => ({ year: y, days });

t.test('the shipped config loads: 8 office hours, 2026 and 2027 files, every entry named and sourced', async (t) => {
  const cal = loadCalendar(CONFIG_DIR);
  t.equal(cal.dayMinutes, 480);
  t.same(cal.years, [2026, 2027]);
  for (const [date, d] of cal.holidays) {
    t.ok(d.name && d.note, `${date} has a name and a note`);
  }
  t.notOk(isWorkingDay(cal, '2026-02-17'), 'Tết 2026 (lunar 1/1 Bính Ngọ)');
  t.notOk(isWorkingDay(cal, '2026-04-27'), 'compensatory day for Hùng Kings on Sunday 26/4/2026');
  t.ok(isWorkingDay(cal, '2026-01-10'), 'make-up Saturday');
  t.notOk(isWorkingDay(cal, '2027-04-16'), 'Hùng Kings 2027 (lunar 10/3 Đinh Mùi)');
  t.notOk(isWorkingDay(cal, '2027-05-03'), 'compensatory day for 1/5/2027, a Saturday');
  const offs = (y: number) => [...cal.holidays.values()].filter((d) => d.type === 'off' && d.date.startsWith(String(y))).length;
  t.equal(offs(2026), 13, '11 statutory days, minus Hùng Kings on a Sunday (compensated), plus the 2/1 and 31/8 swaps');
  t.equal(offs(2027), 11, '11 statutory days: Tết and 1/5 weekend days compensated');
});

t.test('the shipped config files are Unicode NFC', async (t) => {
  const files = ['calendar.json', ...readdirSync(path.join(CONFIG_DIR, 'holidays')).map((n) => `holidays/${n}`)];
  for (const f of files) {
    const text = readFileSync(path.join(CONFIG_DIR, f), 'utf8');
    t.equal(text, text.normalize('NFC'), f);
  }
});

t.test('malformed JSON in calendar.json is refused naming the file', async (t) => {
  refused(t, { 'calendar.json': '{ "timezone": "Asia/Ho_Chi_Minh", ' }, 'calendar.json', undefined, /malformed JSON/);
});

t.test('malformed JSON in holidays/2026.json is refused naming the file', async (t) => {
  refused(t, { 'calendar.json': DEFAULT, 'holidays/2026.json': '{ "year": 2026, "days": [ { "date": "2026-01-01", } ] }' },
    'holidays/2026.json', undefined, /malformed JSON/);
});

t.test('a missing calendar.json is refused naming the file', async (t) => {
  refused(t, {}, 'calendar.json', undefined, /cannot be read \(ENOENT\)/);
});

t.test('overlapping office hours 07:30–11:30 and 11:00–17:00 are refused naming hours[1]', async (t) => {
  refused(t, { 'calendar.json': { ...DEFAULT, hours: [['07:30', '11:30'], ['11:00', '17:00']] } }, 'calendar.json', 'hours[1] 11:00–17:00', /overlaps the previous interval/);
});

t.test('unordered office hours 13:00–17:00 then 07:30–11:30 are refused naming hours[1]', async (t) => {
  refused(t, { 'calendar.json': { ...DEFAULT, hours: [['13:00', '17:00'], ['07:30', '11:30']] } }, 'calendar.json', 'hours[1] 07:30–11:30', /not in order/);
});

t.test('an interval that ends before it starts (11:30–07:30) is refused', async (t) => {
  refused(t, { 'calendar.json': { ...DEFAULT, hours: [['11:30', '07:30']] } }, 'calendar.json', 'hours[0] 11:30–07:30', /ends before it starts/);
});

t.test('an impossible clock time 25:00 is refused', async (t) => {
  refused(t, { 'calendar.json': { ...DEFAULT, hours: [['07:30', '25:00']] } }, 'calendar.json', 'hours[0] 07:30–25:00', /HH:mm/);
});

t.test('another time zone is refused', async (t) => {
  refused(t, { 'calendar.json': { ...DEFAULT, timezone: 'Asia/Bangkok' } }, 'calendar.json', 'timezone', /must be "Asia\/Ho_Chi_Minh"/);
});

t.test('a date outside the file year (2027-01-01 in holidays/2026.json) is refused naming the entry', async (t) => {
  refused(t, { 'calendar.json': DEFAULT, 'holidays/2026.json': year([{ date: '2026-01-01', type: 'off' }, { date: '2027-01-01', type: 'off' }]) },
    'holidays/2026.json', 'days[1] (2027-01-01)', /outside the file's year 2026/);
});

t.test('an unknown type "holiday" is refused naming the entry by index and date', async (t) => {
  refused(t, { 'calendar.json': DEFAULT, 'holidays/2026.json': year([{ date: '2026-01-01', type: 'off' }, { date: '2026-04-30', type: 'holiday' }]) },
    'holidays/2026.json', 'days[1] (2026-04-30).type', /"holiday" is unknown \(expected "off" or "work"\)/);
});

t.test('a duplicate date (2026-01-01 twice) is refused naming the second entry', async (t) => {
  refused(t, { 'calendar.json': DEFAULT, 'holidays/2026.json': year([{ date: '2026-01-01', type: 'off' }, { date: '2026-01-01', type: 'off', name: 'again' }]) },
    'holidays/2026.json', 'days[1] (2026-01-01)', /duplicate date/);
});

t.test('a "work" day on Tuesday 2026-03-10, already a working weekday, is refused saying so', async (t) => {
  refused(t, { 'calendar.json': DEFAULT, 'holidays/2026.json': year([{ date: '2026-03-10', type: 'work' }]) },
    'holidays/2026.json', 'days[0] (2026-03-10)', /"work" day .*Tuesday, already a working day/);
});

t.test('an "off" day on Saturday 2026-04-25, a weekend day, is refused saying so', async (t) => {
  refused(t, { 'calendar.json': DEFAULT, 'holidays/2026.json': year([{ date: '2026-04-25', type: 'off' }]) },
    'holidays/2026.json', 'days[0] (2026-04-25)', /"off" day .*Saturday, already a weekend day/);
});

t.test('an impossible date 2026-02-30 is refused naming the entry', async (t) => {
  refused(t, { 'calendar.json': DEFAULT, 'holidays/2026.json': year([{ date: '2026-02-30', type: 'off' }]) },
    'holidays/2026.json', 'days[0] (2026-02-30)', /not a valid date/);
});

t.test('a year that does not match the file name (2027 in holidays/2026.json) is refused', async (t) => {
  refused(t, { 'calendar.json': DEFAULT, 'holidays/2026.json': year([], 2027) }, 'holidays/2026.json', 'year', /2027 does not match the file name/);
});

t.test('an unknown property in a holiday entry is refused naming the entry', async (t) => {
  refused(t, { 'calendar.json': DEFAULT, 'holidays/2026.json': year([{ date: '2026-01-01', type: 'off', kind: 'x' }]) },
    'holidays/2026.json', 'days[0] (2026-01-01)', /unknown property "kind"/);
});

t.test('a holiday file not named <year>.json is refused', async (t) => {
  refused(t, { 'calendar.json': DEFAULT, 'holidays/tet.json': year([]) }, 'holidays/tet.json', undefined, /named <year>\.json/);
});

t.test('no holidays folder: weekday-only calendar', async (t) => {
  const cal = loadCalendar(fixture(t, { 'calendar.json': DEFAULT }));
  t.equal(cal.holidays.size, 0);
  t.ok(isWorkingDay(cal, '2026-01-01'));
});
