// `rollout …`: the registry of the 19 departments (api.md "Rollout registry").
import { UsageError, parseDuration } from '../args.js';
import { call } from '../client.js';
import { table } from '../table.js';
import { answer, enc, readJsonFile, type Command, type Json } from '../output.js';

const entryRow = (e: Json) => [e.order, e.id, e.department, e.successor, e.systemId, e.targetDate, e.state, (e.traffic as Json | undefined)?.accepted, (e.traffic as Json | undefined)?.lastSeenAt] as (string | null)[];
const ENTRY_HEADERS = ['order', 'id', 'department', 'successor', 'system', 'target', 'state', 'accepted', 'last seen'];

export const ROLLOUT_COMMANDS: Record<string, Command> = {
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
};
