// `mapping …`: dry-run a payload, push a version, list versions, activate one (api.md "Mapping versions",
// "Dry-run"; mapping.md §16). The dry-run always sends the payload's exact bytes (`payloadBase64`).
import { UsageError, type Parsed } from '../args.js';
import { call, type Answer } from '../client.js';
import { table } from '../table.js';
import { answer, cell, contentTypeOf, enc, need, readJsonFile, readLocal, type Command, type Io, type Json } from '../output.js';

type Item = { index: number; ok: boolean; change?: unknown; errors?: Json[]; trace?: Json[]; unread?: string[]; roundTrip?: { equal: boolean; lost?: string[]; diff?: Json[] } };

/** The leaves of a change as (pointer, value) rows: the fields when no trace was asked for. */
function leaves(v: unknown, at = ''): [string, unknown][] {
  if (v === null || typeof v !== 'object') return [[at || '/', v]];
  const entries = Array.isArray(v) ? v.map((x, i) => [String(i), x] as const) : Object.entries(v);
  return entries.flatMap(([k, x]) => leaves(x, `${at}/${k}`));
}

/** One row per field (item · canonical · native · raw · value · error), then warnings, unread, round trip, samples. */
export function renderDryRun(b: Json): string {
  const out: string[] = [];
  const refused = b.refused as Json | undefined;
  if (refused) out.push(`refused whole: ${refused.status} ${refused.code}: ${refused.detail ?? ''}`);
  const items = (b.items as Item[] | undefined) ?? [];
  const rows: (string | number | null)[][] = [];
  for (const it of items) {
    const fields: (string | number | null)[][] = it.trace?.length
      ? it.trace.map((r) => [it.index, cell(r.canonical), cell(r.native), cell(r.raw), cell(r.value), null])
      : leaves(it.change ?? {}).map(([p, v]) => [it.index, p, null, null, cell(v), null]);
    rows.push(...fields);
    for (const e of it.errors ?? []) rows.push([it.index, cell(e.canonical), cell(e.native ?? e.path), null, cell(e.value), `${e.code}: ${e.message}`]);
  }
  out.push(table(['item', 'canonical', 'native', 'raw', 'value', 'error'], rows));
  const m = (b.mapping as Json | undefined) ?? {};
  const warnings = (m.warnings as unknown[] | undefined) ?? [];
  out.push('', `warnings: ${warnings.length ? '' : 'none'}`, ...warnings.map((w) => `  ${cell(w)}`));
  const unread = items.flatMap((it) => (it.unread ?? []).map((u) => `  item ${it.index}: ${u}`));
  out.push(`unread leaves: ${unread.length ? '' : 'none'}`, ...unread);
  out.push('round trip:', ...items.map((it) => (it.roundTrip
    ? `  item ${it.index}: ${it.roundTrip.equal ? 'equal' : 'DIFFERS'}${it.roundTrip.lost?.length ? `, lost ${it.roundTrip.lost.join(', ')}` : ''}${it.roundTrip.diff?.length ? `, diff ${JSON.stringify(it.roundTrip.diff)}` : ''}`
    : `  item ${it.index}: —`)));
  const samples = b.samples as Json[] | undefined;
  if (samples) out.push('samples:', table(['id', 'name', 'reproduces'], samples.map((s) => [cell(s.id), cell(s.name), s.reproduces ? 'yes' : 'NO'])));
  return out.join('\n');
}

/** A dry-run fails on a refused payload, an item with errors, a sample that does not reproduce. */
const dryRunFailed = (b: Json) => !!b.refused || ((b.items as Item[] | undefined) ?? []).some((i) => !i.ok) || ((b.samples as Json[] | undefined) ?? []).some((s) => !s.reproduces);

function checksTable(checks: Json[] | undefined): string {
  return checks?.length ? table(['check', 'state', 'detail'], checks.map((c) => [cell(c.check), cell(c.state), cell(c.detail)])) : '';
}

/** The activation suite's 409: its failures, on stderr, after the problem line. */
function suiteFailures(io: Io, a: Answer): void {
  const failures = ((a.body as Json | null)?.failures as Json[] | undefined) ?? [];
  if (failures.length) io.err(table(['check', 'sample', 'message'], failures.map((f) => [cell(f.check), cell((f.sample as Json | undefined)?.name ?? (f.sample as Json | undefined)?.id), cell(f.message)])));
}

const systemOf = (p: Parsed) => enc(need(p, 'system'));

export const MAPPING_COMMANDS: Record<string, Command> = {
  'mapping dry-run': {
    usage: 'mapping dry-run --mapping m.json --payload p.xml [--system id] [--content-type t] [--trace]   decode a payload, store nothing (exit 1 on any error)',
    flags: { mapping: 'string', payload: 'string', system: 'string', 'content-type': 'string', trace: 'boolean' },
    async run(p, t, io) {
      const file = need(p, 'payload');
      if (typeof p.flags.mapping !== 'string' && typeof p.flags.system !== 'string') throw new UsageError('give --mapping, --system, or both');
      const body: Json = {
        ...(typeof p.flags.mapping === 'string' ? { adapter: 'mapping', mapping: readJsonFile(p.flags.mapping) } : {}),
        ...(typeof p.flags.system === 'string' ? { system: p.flags.system } : {}),
        contentType: contentTypeOf(p, file), payloadBase64: readLocal(file).toString('base64'),
        options: { trace: !!p.flags.trace, encode: true },
      };
      const target = t();
      const a = await call(target, 'POST', '/v1/admin/adapters/dry-run', body);
      const code = answer(p, io, target, a, renderDryRun);
      return code === 0 && dryRunFailed(a.body as Json) ? 1 : code;
    },
  },
  'mapping push': {
    usage: 'mapping push --system id --file m.json [--note t] [--no-activate] [--force]   store a new mapping version (and activate it)',
    flags: { system: 'string', file: 'string', note: 'string', 'no-activate': 'boolean', force: 'boolean' },
    async run(p, t, io) {
      const id = systemOf(p);
      const body: Json = { mapping: readJsonFile(need(p, 'file')), activate: !p.flags['no-activate'], force: !!p.flags.force, ...(typeof p.flags.note === 'string' ? { note: p.flags.note } : {}) };
      const target = t();
      const a = await call(target, 'PUT', `/v1/admin/systems/${id}/mapping`, body);
      const code = answer(p, io, target, a, (b) => [`version ${b.version} (${cell(b.sha256)})${b.active ? ', active' : ', not active'}`,
        ...((b.warnings as unknown[] | undefined) ?? []).map((w) => `warning: ${cell(w)}`), checksTable(b.checks as Json[] | undefined)].filter(Boolean).join('\n'));
      if (a.status === 409) suiteFailures(io, a);
      return code;
    },
  },
  'mapping list': {
    usage: 'mapping list --system id   the system\'s mapping versions',
    flags: { system: 'string' },
    async run(p, t, io) {
      const target = t();
      const a = await call(target, 'GET', `/v1/admin/systems/${systemOf(p)}/mappings`);
      return answer(p, io, target, a, (b) => table(['version', 'active', 'sha256', 'size', 'created', 'by', 'note'],
        ((b.items as Json[] | undefined) ?? []).map((v) => [cell(v.version), v.active ? 'yes' : '', cell(v.sha256)?.slice(0, 12) ?? null, cell(v.size), cell(v.createdAt), cell(v.createdBy), cell(v.note)])));
    },
  },
  'mapping activate': {
    usage: 'mapping activate --system id --version n [--force]   activate a version (roll back or forward)',
    flags: { system: 'string', version: 'string', force: 'boolean' },
    async run(p, t, io) {
      const id = systemOf(p);
      const version = need(p, 'version');
      if (!/^[1-9]\d{0,6}$/.test(version)) throw new UsageError('--version is a version number (1, 2, …)');
      const target = t();
      const a = await call(target, 'POST', `/v1/admin/systems/${id}/mappings/${version}/activate`, { force: !!p.flags.force });
      const code = answer(p, io, target, a, (b) => [`active: version ${b.active} (previous ${b.previous ?? '—'})`, checksTable(b.checks as Json[] | undefined)].filter(Boolean).join('\n'));
      if (a.status === 409) suiteFailures(io, a);
      return code;
    },
  },
};
