// Concurrent writers: code issuing never duplicates, revisions are gapless, the feed never skips or repeats.
import t from 'tap';
import { startHub, dossier, type TestHub } from '../helpers/hub.js';

let hub: TestHub;
let key: string;
t.before(async () => {
  hub = await startHub();
  key = await hub.register({ id: 'undp', agencies: ['000.12.34.H12'] });
});
t.teardown(() => hub.close());

const agency = { code: '000.12.34.H12', level: 'commune' };

t.test('50 concurrent first submissions with local numbers get 50 distinct consecutive codes', async (t) => {
  const results = await Promise.all(Array.from({ length: 50 }, (_, i) =>
    hub.post('undp', key, dossier({ code: undefined, agency, altCodes: [{ system: 'undp', code: `HS-${i}` }], receivedAt: '2026-11-28T09:00:00+07:00' }))));
  t.ok(results.every((r) => r.statusCode === 202), 'all accepted');
  const codes = results.map((r) => r.json().dossierCode as string).sort();
  t.same(codes, Array.from({ length: 50 }, (_, i) => `000.12.34.H12-261128-${String(i + 1).padStart(4, '0')}`));
});

t.test('50 concurrent submissions of one local number map to one code', async (t) => {
  const results = await Promise.all(Array.from({ length: 50 }, (_, i) =>
    hub.post('undp', key, dossier({ code: undefined, agency, altCodes: [{ system: 'undp', code: 'HS-SAME' }], summary: `version ${i}`, receivedAt: '2026-11-29T09:00:00+07:00' }))));
  t.ok(results.every((r) => r.statusCode === 202));
  t.same(new Set(results.map((r) => r.json().dossierCode)), new Set(['000.12.34.H12-261129-0001']));
  t.same(results.map((r) => r.json().revision).sort((a, b) => a - b), Array.from({ length: 50 }, (_, i) => i + 1), 'revisions 1..50, gapless');
});

t.test('50 concurrent updates of one dossier make revisions 2..51 with no gap', async (t) => {
  const code = '000.12.34.H12-261130-0001';
  await hub.post('undp', key, dossier({ code, agency, receivedAt: '2026-11-30T08:00:00+07:00', steps: [] }));
  const results = await Promise.all(Array.from({ length: 50 }, (_, i) =>
    hub.post('undp', key, { code, steps: [{ at: `2026-11-30T09:${String(i).padStart(2, '0')}:00+07:00`, status: 2, actor: `A${i}` }] })));
  t.ok(results.every((r) => r.statusCode === 202));
  const revisions = results.map((r) => r.json().revision).sort((a, b) => a - b);
  t.same(revisions, Array.from({ length: 50 }, (_, i) => i + 2));
  const events = (await hub.get(`/v1/dossiers/${code}/events`, key)).json().items as { revision: number }[];
  t.same(events.map((e) => e.revision), Array.from({ length: 51 }, (_, i) => i + 1));
  const d = (await hub.get(`/v1/dossiers/${code}`, key)).json();
  t.equal(d.steps.length, 51, 'every step kept (50 + the first)');
});

t.test('the change feed pages through concurrent writes without skipping or repeating a change', async (t) => {
  // Real HTTP on a socket, so reads and writes interleave as they do in production.
  const base = await hub.app.listen({ port: 0, host: '127.0.0.1' });
  const http = {
    get: async (url: string) => ({ json: async () => (await fetch(base + url, { headers: { authorization: `Bearer ${key}` } })).json() }),
    post: async (body: unknown) => fetch(`${base}/v1/inbound/undp`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify(body) }),
  };
  const before = await hub.ctx.store.headSeq();
  const start = await (await http.get('/v1/dossiers?limit=1000')).json();
  let cursor: string = start.nextCursor;
  let pageCount = 0;
  const seen: string[] = [];
  let writing = true;
  const statuses: number[] = [];
  const writer = (async () => {
    try {
      for (let i = 0; i < 120; i++) {
        const code = `000.12.34.H12-261201-${String((i % 40) + 1).padStart(4, '0')}`;
        statuses.push((await http.post(dossier({ code, agency, receivedAt: '2026-12-01T08:00:00+07:00', summary: `write ${i}` }))).status);
      }
    } finally {
      writing = false;
    }
  })();
  while (pageCount < 20_000) {
    const page = await (await http.get(`/v1/dossiers?limit=7&cursor=${cursor}`)).json();
    t.type(page.nextCursor, 'string', 'nextCursor is always present');
    for (const d of page.items) seen.push(`${d.code}#${d.revision}`);
    cursor = page.nextCursor;
    pageCount++;
    if (!writing && page.items.length === 0) break;
  }
  await writer;
  t.ok(statuses.every((s) => s === 202), 'every write accepted');
  t.equal(new Set(seen).size, seen.length, 'no change seen twice');
  const head = await hub.ctx.store.headSeq();
  t.equal(head - before, 120, '120 changes were written');
  const finals = new Map<string, number>();
  for (const s of seen) {
    const [code, rev] = s.split('#');
    finals.set(code!, Math.max(finals.get(code!) ?? 0, Number(rev)));
  }
  t.equal(finals.size, 40, 'every dossier seen');
  t.ok([...finals.values()].every((r) => r === 3), 'each dossier seen at its latest revision (3 writes each)');
  const since = (await hub.get(`/v1/dossiers?limit=1000&updatedSince=${encodeURIComponent('2000-01-01T00:00:00+07:00')}&agency=000.12.34.H12&status=2`, key)).json();
  t.ok(since.items.length >= 40, 'updatedSince starts a feed; filters apply to the current state');
});
