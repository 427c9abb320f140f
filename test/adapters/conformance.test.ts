// One suite, every registered adapter (style.md: BullMQ conformance). An adapter without fixtures/ is reported, not
// silently passed: the `canonical` adapter's body IS the canonical change, so it has nothing to map.
import t, { type Test } from 'tap';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { allAdapters } from '../../adapters/registry.js';
import type { DecodedOp } from '../../adapters/kit/contract.js';
import {
  loadFixtures, request, withNoIo, tryDecode, asStored, eventFor, plain, FIXTURE_SYSTEM, ROUND_TRIP_EXEMPT, roundTripExpected,
} from '../../adapters/kit/conformance.js';
import { PROJECT_ROOT } from '../../src/paths.js';

const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => Ajv2020;
const ajv = new Ajv2020({ strict: false });
addFormats(ajv);
const validateDossier = ajv.compile(JSON.parse(readFileSync(path.join(PROJECT_ROOT, 'schemas/dossier.v1.schema.json'), 'utf8')));

const MIN_VALID_FIXTURES = 10;
type ChangeOp = Extract<DecodedOp, { kind: 'change' }>;

t.test('the no-I/O guard itself', async (t) => {
  const { readFileSync: named } = await import('node:fs');
  t.throws(() => withNoIo(() => named('/etc/hostname')), /touched fs\.readFileSync|I\/O in mapping code/);
  t.throws(() => withNoIo(() => { try { Date.now(); } catch { /* swallowed */ } }), /Date\.now/, 'a swallowed trap is still reported');
  t.throws(() => withNoIo(() => new Date()), /new Date/);
  t.equal(withNoIo(() => new Date(0).getTime()), 0, 'dates from values are fine');
  t.type(Date.now(), 'number', 'restored afterwards');
  t.type(named, 'function');
});

for (const adapter of allAdapters()) {
  t.test(`adapter ${adapter.name}`, async (t) => {
    const { valid, invalid } = loadFixtures(adapter.name);
    if (!valid.length && !invalid.length) {
      t.comment(`${adapter.name} has no fixtures/ directory`);
      return;
    }
    t.ok(valid.length >= MIN_VALID_FIXTURES, `at least ${MIN_VALID_FIXTURES} valid fixtures (${valid.length})`);

    for (const f of valid) {
      t.test(f.name, async (t) => {
        const { thrown, result } = tryDecode(adapter, request(f.body, f.contentType));
        if (thrown || !result) return t.fail(`refused: ${thrown?.code} ${thrown?.message}`);
        t.strictSame(result.items.filter((i) => i.error).map((i) => i.error!.message), [], 'no item error');
        t.strictSame(plain(result.items.map((i) => i.op)), f.expected, 'ops equal the expected file');
        result.items.forEach((item, i) => {
          t.equal(item.index, i, 'indexes are positions');
          t.ok(item.raw.length > 0 && f.body.includes(item.raw), 'raw is a slice of the body');
          t.type(item.nativePath?.('/receivedAt'), 'string', 'native paths');
        });
        for (const [i, op] of result.items.map((it) => it.op).entries()) {
          if (op?.kind !== 'change') continue;
          const dossier = asStored(op.change, FIXTURE_SYSTEM, i + 1);
          t.ok(validateDossier(dossier), `item ${i} validates: ${ajv.errorsText(validateDossier.errors)}`);
          roundTrip(t, op, dossier);
        }
      });
    }

    // decode(encode(event)) gives back what the fixture decoded to (+ the hub-issued code): a fixture's decode
    // only holds fields its format carries, so equality here is "the format keeps everything it can carry".
    function roundTrip(t: Test, op: ChangeOp, dossier: ReturnType<typeof asStored>) {
      const target = { systemId: FIXTURE_SYSTEM, ...(op.ref.localCode ? { localCode: op.ref.localCode } : {}) };
      const message = withNoIo(() => adapter.encode(eventFor(op, dossier), target));
      t.ok(message.body.length > 0, 'encodes');
      const exempt = ROUND_TRIP_EXEMPT.get(adapter.name);
      if (exempt) return t.comment(`round trip not checked: ${exempt}`);
      const contentType = message.contentType.split(';')[0]!.trim();
      const { thrown, result } = tryDecode(adapter, request(message.body, contentType));
      if (thrown || !result) return t.fail(`encoded message refused: ${thrown?.code} ${thrown?.message}`);
      const again = result.items[0]?.op;
      if (again?.kind !== 'change') return t.fail(`round trip gave ${JSON.stringify(result.items[0]?.error?.message)}`);
      // Fields the original change carried come back equal; anything else decoded must equal the stored dossier.
      const expected = roundTripExpected(op.change, dossier.code);
      const actual: Record<string, unknown> = plain(again.change);
      const stored = plain(dossier) as unknown as Record<string, unknown>;
      t.strictSame(actual, Object.fromEntries(Object.keys(actual).map((k) => [k, k in expected ? expected[k] : stored[k]])), 'round trip keeps the change');
      t.strictSame(Object.keys(expected).filter((k) => !(k in actual)), [], 'no field lost');
      t.strictSame(plain(again.transfer), plain(op.transfer), 'round trip keeps the transfer');
    }

    for (const f of invalid) {
      t.test(f.name, async (t) => {
        const { thrown, result } = tryDecode(adapter, request(f.body, f.contentType));
        const err = thrown ?? result?.items.find((i) => i.error)?.error;
        t.ok(err, 'refused');
        t.strictSame({ code: err?.code, path: err?.errors[0]?.path }, f.expected);
      });
    }
  });
}
