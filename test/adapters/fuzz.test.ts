// Mutation fuzzing of every registered adapter's decoder, seeded from its fixtures. A decode must return a
// DecodeResult or throw an AdapterError whose catalogue status is 4xx — never another exception, never slow.
// FUZZ_CASES (default 3000) is the total, shared between the adapters; FUZZ_SEED replays a run.
import t from 'tap';
import { allAdapters } from '../../adapters/registry.js';
import { loadFixtures, request } from '../../adapters/kit/conformance.js';
import { AdapterError } from '../../adapters/kit/contract.js';
import { ERRORS } from '../../src/errors.js';
import { prng } from '../helpers/prng.js';

const TOTAL = Number(process.env.FUZZ_CASES ?? 3000);
const SEED = Number(process.env.FUZZ_SEED ?? 20261127);
const BUDGET_MS = 200;


const TOKENS = ['<', '>', '&', '"', "'", '/', '<!DOCTYPE x>', '<![CDATA[', ']]>', '&amp;', '&#0;', '&#xD800;', '__proto__', '{', '}', '[', ']',
  ':', ',', 'null', '0', '-1', '31/02/2026', '25:00', '\u0301', '\uFEFF', '\r\n', '%', '%ZZ', '=', '\\u0000', 'constructor', 'x:'];

function mutate(body: Buffer, rand: () => number): Buffer {
  const at = () => Math.floor(rand() * (body.length + 1));
  let out = body;
  const rounds = 1 + Math.floor(rand() * 4);
  for (let r = 0; r < rounds; r++) {
    const i = at();
    const op = Math.floor(rand() * 6);
    if (op === 0 && out.length) { out = Buffer.from(out); out[Math.min(i, out.length - 1)] = Math.floor(rand() * 256); } // random byte
    else if (op === 1) out = Buffer.concat([out.subarray(0, i), out.subarray(Math.min(out.length, i + 1 + Math.floor(rand() * 40)))]); // delete a run
    else if (op === 2) out = Buffer.concat([out.subarray(0, i), Buffer.from(TOKENS[Math.floor(rand() * TOKENS.length)]!), out.subarray(i)]); // insert a token
    else if (op === 3) { const j = at(); const [a, b] = i < j ? [i, j] : [j, i]; out = Buffer.concat([out.subarray(0, b), out.subarray(a, b), out.subarray(b)]); } // duplicate a slice
    else if (op === 4) out = out.subarray(0, i); // truncate
    else { const j = at(); const [a, b] = i < j ? [i, j] : [j, i]; out = Buffer.concat([out.subarray(0, a), out.subarray(b)]); } // cut a slice
  }
  return out;
}

const targets = allAdapters().map((a) => ({ adapter: a, fixtures: loadFixtures(a.name) })).filter((x) => x.fixtures.valid.length + x.fixtures.invalid.length > 0);
const perAdapter = Math.max(1, Math.ceil(TOTAL / Math.max(1, targets.length)));

for (const { adapter, fixtures } of targets) {
  t.test(`fuzz ${adapter.name} (${perAdapter} cases, seed ${SEED})`, async (t) => {
    const rand = prng(SEED ^ adapter.name.length);
    const seeds = [...fixtures.valid, ...fixtures.invalid];
    const outcomes = new Map<string, number>();
    let failures = 0;
    for (let n = 0; n < perAdapter && failures < 5; n++) {
      const seed = seeds[Math.floor(rand() * seeds.length)]!;
      const body = mutate(seed.body, rand);
      const t0 = performance.now();
      let label: string;
      try {
        const result = adapter.decode(request(body, seed.contentType));
        if (!result || !Array.isArray(result.items)) throw new Error('not a DecodeResult');
        for (const item of result.items) if (item.error && !(item.error instanceof AdapterError)) throw new Error('item error is not an AdapterError');
        label = 'decoded';
      } catch (err) {
        const status = err instanceof AdapterError ? ERRORS[err.code]?.status : undefined;
        label = err instanceof AdapterError ? err.code : 'other';
        if (status === undefined || status < 400 || status >= 500) {
          failures++;
          t.fail(`case ${n} from ${seed.name}: ${(err as Error).stack}`, { body: body.toString('base64') });
        }
      }
      const ms = performance.now() - t0;
      if (ms > BUDGET_MS) {
        failures++;
        t.fail(`case ${n} from ${seed.name} took ${ms.toFixed(0)} ms`, { body: body.toString('base64') });
      }
      outcomes.set(label, (outcomes.get(label) ?? 0) + 1);
    }
    t.comment(JSON.stringify(Object.fromEntries(outcomes)));
    t.equal(failures, 0, 'every case decoded or was refused with a 4xx code, in time');
  });
}
