// Command-line parsing of `lgsp-hub`: flags are declared per command, so an unknown flag or a missing value is a
// usage error (exit 2) found before any call.
export class UsageError extends Error {}

export type FlagKind = 'string' | 'boolean';
export interface Parsed { positionals: string[]; flags: Record<string, string | boolean> }

export const GLOBAL_FLAGS: Record<string, FlagKind> = { url: 'string', token: 'string', json: 'boolean', help: 'boolean' };

export function parseArgs(argv: readonly string[], declared: Record<string, FlagKind>): Parsed {
  const kinds = { ...GLOBAL_FLAGS, ...declared };
  const out: Parsed = { positionals: [], flags: {} };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (!a.startsWith('--') || a === '--') {
      out.positionals.push(a);
      continue;
    }
    const eq = a.indexOf('=');
    const name = a.slice(2, eq < 0 ? undefined : eq);
    const kind = kinds[name];
    if (!kind) throw new UsageError(`unknown flag --${name}`);
    if (kind === 'boolean') {
      if (eq >= 0) throw new UsageError(`--${name} takes no value`);
      out.flags[name] = true;
      continue;
    }
    const value = eq >= 0 ? a.slice(eq + 1) : argv[++i];
    if (value === undefined || (eq < 0 && value.startsWith('--'))) throw new UsageError(`--${name} needs a value`);
    out.flags[name] = value;
  }
  return out;
}

/** `90s`, `30m`, `24h`, `7d` or plain seconds → seconds. */
export function parseDuration(v: string): number {
  const m = /^(\d{1,7})(s|m|h|d)?$/.exec(v.trim());
  if (!m) throw new UsageError(`not a duration: ${v} (use 90s, 30m, 24h, 7d or seconds)`);
  return Number(m[1]) * { s: 1, m: 60, h: 3600, d: 86_400 }[(m[2] ?? 's') as 's'];
}
