// The admin commands of `lgsp-hub` (api.md "Command line"): each calls the admin API and nothing else, prints a
// table (or, with --json, the answer as it is), and answers an exit code scripts can use.
import { readFileSync } from 'node:fs';
import { UsageError, parseDuration, type FlagKind, type Parsed } from './args.js';
import { call, type Answer, type Target } from './client.js';
import { table } from './table.js';

export interface Io { out: (s: string) => void; err: (s: string) => void }
export interface Command {
  usage: string;
  flags: Record<string, FlagKind>;
  /** Positional arguments it needs (after the command words). */
  args?: string[];
  run(p: Parsed, t: () => Target, io: Io): Promise<number>;
}

type Json = Record<string, unknown>;
const enc = encodeURIComponent;

/** Prints the answer: --json as it is on stdout, a problem on stderr; 1 for any 4xx/5xx. */
function answer(p: Parsed, io: Io, t: Target, a: Answer, render: (body: Json) => string): number {
  if (p.flags.json) io.out(a.text.trim() || 'null');
  if (a.status >= 400) {
    const b = (a.body ?? {}) as Json;
    io.err(`error ${a.status}${b.code ? ` ${b.code}` : ''}: ${b.detail ?? a.text.slice(0, 500)}`);
    for (const e of (b.errors as { path: string; message: string }[] | undefined) ?? []) io.err(`  ${e.path}: ${e.message}`);
    if (a.status === 401 && t.fromFile) io.err(`the token read from ${t.fromFile} was refused: the administrator token was probably rotated (the file is never rewritten); pass --token or set HUB_ADMIN_TOKEN`);
    return 1;
  }
  if (!p.flags.json) io.out(render((a.body ?? {}) as Json));
  return 0;
}

function readJsonFile(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new UsageError(`cannot read ${file}: ${(err as Error).message}`);
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new UsageError(`${file} is not JSON: ${(err as Error).message}`);
  }
}

const systemRow = (s: Json) => [s.id, s.name, s.adapter, s.status, ((s.agencies as { code: string }[]) ?? []).map((a) => a.code).join(','),
  (s.mapping as { activeVersion?: number } | null)?.activeVersion, s.lastSeenAt] as (string | null)[];
const SYSTEM_HEADERS = ['id', 'name', 'adapter', 'status', 'agencies', 'mapping', 'last seen'];
const record = (s: Json) => table(SYSTEM_HEADERS, [systemRow(s)]);
const entryRow = (e: Json) => [e.order, e.id, e.department, e.successor, e.systemId, e.targetDate, e.state, (e.traffic as Json | undefined)?.accepted, (e.traffic as Json | undefined)?.lastSeenAt] as (string | null)[];
const ENTRY_HEADERS = ['order', 'id', 'department', 'successor', 'system', 'target', 'state', 'accepted', 'last seen'];

export const COMMANDS: Record<string, Command> = {
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
  'rollout list': {
    usage: 'rollout list   the rollout registry with each entry\'s state',
    flags: {},
    async run(p, t, io) {
      const target = t();
      return answer(p, io, target, await call(target, 'GET', '/v1/admin/rollout'), (b) => table(ENTRY_HEADERS, (b.items as Json[]).map(entryRow)));
    },
  },
  'rollout set': {
    usage: 'rollout set <entryId> [--system id|none] [--successor id|none] [--target-date yyyy-MM-dd] [--order n] [--department text] [--note text]',
    flags: { system: 'string', successor: 'string', 'target-date': 'string', order: 'string', department: 'string', note: 'string' },
    args: ['entryId'],
    async run(p, t, io) {
      const id = p.positionals[0]!;
      const f = p.flags;
      const entry: Json = { id };
      const orNull = (v: string | boolean) => (v === 'none' ? null : String(v));
      if (f.system !== undefined) entry.systemId = orNull(f.system);
      if (f.successor !== undefined) entry.successor = orNull(f.successor);
      if (f['target-date'] !== undefined) entry.targetDate = String(f['target-date']);
      if (f.department !== undefined) entry.department = String(f.department);
      if (f.note !== undefined) entry.note = orNull(f.note);
      if (f.order !== undefined) {
        if (!/^\d{1,6}$/.test(String(f.order))) throw new UsageError('--order is a positive integer');
        entry.order = Number(f.order);
      }
      if (Object.keys(entry).length === 1) throw new UsageError('nothing to set: give at least one of --system, --successor, --target-date, --order, --department, --note');
      const target = t();
      const a = await call(target, 'PATCH', '/v1/admin/rollout', { entries: [entry] }, 'application/merge-patch+json');
      return answer(p, io, target, a, (b) => table(ENTRY_HEADERS, (b.items as Json[]).filter((e) => e.id === id).map(entryRow)));
    },
  },
  'dead-letters list': {
    usage: 'dead-letters list [--system id]   deliveries that failed for good',
    flags: { system: 'string' },
    async run(p, t, io) {
      const target = t();
      const q = typeof p.flags.system === 'string' ? `?system=${enc(p.flags.system)}&limit=1000` : '?limit=1000';
      return answer(p, io, target, await call(target, 'GET', `/v1/admin/dead-letters${q}`), (b) => table(['id', 'system', 'dossier', 'revision', 'attempts', 'failed at', 'reason'],
        (b.items as Json[]).map((d) => [d.id, d.system, d.dossierCode, d.revision, d.attempts, d.failedAt, d.reason] as (string | null)[])));
    },
  },
  'dead-letters replay': {
    usage: 'dead-letters replay <id> [--original]   send a dead letter again',
    flags: { original: 'boolean' },
    args: ['id'],
    async run(p, t, io) {
      const target = t();
      const a = await call(target, 'POST', `/v1/admin/dead-letters/${enc(p.positionals[0]!)}/replay`, { mapping: p.flags.original ? 'original' : 'active' });
      return answer(p, io, target, a, (b) => `replayed ${b.id}: event ${b.eventId} to ${b.system}`);
    },
  },
  'audit verify': {
    usage: 'audit verify   walk the audit hash chain',
    flags: {},
    async run(p, t, io) {
      const target = t();
      const a = await call(target, 'GET', '/v1/admin/audit/verify');
      const code = answer(p, io, target, a, (b) => (b.ok
        ? `ok: ${b.entries} entries, head ${(b.head as Json).seq}${b.checkpoint ? `, checkpoint ${(b.checkpoint as Json).seq}${(b.checkpoint as Json).signed ? ' (signed)' : ' (unsigned)'}` : ''}`
        : `BROKEN at entry ${(b.firstBad as Json).seq}: ${(b.firstBad as Json).problem} — ${(b.firstBad as Json).message} (${b.entries} entries)`));
      return code === 0 && (a.body as Json).ok !== true ? 1 : code;
    },
  },
};
