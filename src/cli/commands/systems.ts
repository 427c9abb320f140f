// `systems …`: register, list, rotate a key, retire (api.md "Systems").
import { UsageError, parseDuration } from '../args.js';
import { call } from '../client.js';
import { table } from '../table.js';
import { answer, enc, readJsonFile, type Command, type Json } from '../output.js';

const systemRow = (s: Json) => [s.id, s.name, s.adapter, s.status, ((s.agencies as { code: string }[]) ?? []).map((a) => a.code).join(','),
  (s.mapping as { activeVersion?: number } | null)?.activeVersion, s.lastSeenAt] as (string | null)[];
const SYSTEM_HEADERS = ['id', 'name', 'adapter', 'status', 'agencies', 'mapping', 'last seen'];
const record = (s: Json) => table(SYSTEM_HEADERS, [systemRow(s)]);


export const SYSTEM_COMMANDS: Record<string, Command> = {
  'systems list': {
    usage: 'systems list [--status active|retired|all]   list the registered systems',
    flags: { status: 'string' },
    async run(p, t, io) {
      const status = p.flags.status ?? 'active';
      if (!['active', 'retired', 'all'].includes(String(status))) throw new UsageError('--status is active, retired or all');
      const target = t();
      const items: Json[] = [];
      let cursor = '';
      // Every page (a province has tens of systems, not thousands).
      for (;;) {
        const a = await call(target, 'GET', `/v1/admin/systems?status=${status}&limit=1000${cursor ? `&cursor=${enc(cursor)}` : ''}`);
        if (a.status >= 400 || p.flags.json) return answer(p, io, target, a, () => '');
        const page = a.body as { items: Json[]; nextCursor: string };
        items.push(...page.items);
        if (page.items.length < 1000) break;
        cursor = page.nextCursor;
      }
      io.out(table(SYSTEM_HEADERS, items.map(systemRow)));
      return 0;
    },
  },
  'systems add': {
    usage: 'systems add --file reg.json   register a system; prints its API key this once',
    flags: { file: 'string' },
    async run(p, t, io) {
      if (typeof p.flags.file !== 'string') throw new UsageError('--file is required');
      const reg = readJsonFile(p.flags.file);
      const target = t();
      return answer(p, io, target, await call(target, 'POST', '/v1/admin/systems', reg), (s) => `${record(s)}\n\napiKey: ${s.apiKey}\n(shown this once: hand it over now)`);
    },
  },
  'systems rotate-key': {
    usage: 'systems rotate-key <id> [--overlap 24h]   issue a new API key; earlier keys end after the overlap',
    flags: { overlap: 'string' },
    args: ['id'],
    async run(p, t, io) {
      const overlapSeconds = p.flags.overlap === undefined ? 86_400 : parseDuration(String(p.flags.overlap));
      const target = t();
      const a = await call(target, 'POST', `/v1/admin/systems/${enc(p.positionals[0]!)}/keys`, { overlapSeconds });
      return answer(p, io, target, a, (b) => `apiKey: ${b.apiKey}\nkeyId: ${b.keyId}\npreviousKeyValidUntil: ${b.previousKeyValidUntil ?? '—'}\n(shown this once)`);
    },
  },
  'systems retire': {
    usage: 'systems retire <id> --yes   retire a system (its keys stop at once; history is kept)',
    flags: { yes: 'boolean' },
    args: ['id'],
    async run(p, t, io) {
      if (!p.flags.yes) throw new UsageError('retiring cannot be undone: add --yes');
      const target = t();
      return answer(p, io, target, await call(target, 'DELETE', `/v1/admin/systems/${enc(p.positionals[0]!)}`), record);
    },
  },
};
