// `dead-letters …` and `audit verify`: failed deliveries and the audit chain.
import { UsageError, parseDuration } from '../args.js';
import { call } from '../client.js';
import { table } from '../table.js';
import { answer, enc, readJsonFile, type Command, type Json } from '../output.js';

export const OPERATION_COMMANDS: Record<string, Command> = {
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
