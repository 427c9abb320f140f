// What every CLI command shares: the command contract, printing an answer (--json as it is, a problem on stderr,
// exit 1 for any 4xx/5xx), and reading local files as usage errors (exit 2) before any call.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { UsageError, type FlagKind, type Parsed } from './args.js';
import type { Answer, Target } from './client.js';

export interface Io { out: (s: string) => void; err: (s: string) => void }
export interface Command {
  usage: string;
  flags: Record<string, FlagKind>;
  /** Positional arguments it needs (after the command words). */
  args?: string[];
  run(p: Parsed, t: () => Target, io: Io): Promise<number>;
}

export type Json = Record<string, unknown>;
export const enc = encodeURIComponent;
/** A table cell of any JSON value. */
export const cell = (v: unknown): string | null => (v === undefined || v === null ? null : typeof v === 'string' ? v : JSON.stringify(v));

/** Prints the answer: --json as it is on stdout, a problem on stderr; 1 for any 4xx/5xx. */
export function answer(p: Parsed, io: Io, t: Target, a: Answer, render: (body: Json) => string): number {
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

export function readLocal(file: string): Buffer {
  try {
    return readFileSync(file);
  } catch (err) {
    throw new UsageError(`cannot read ${file}: ${(err as Error).message}`);
  }
}

export function readJsonFile(file: string): unknown {
  const text = readLocal(file).toString('utf8');
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new UsageError(`${file} is not JSON: ${(err as Error).message}`);
  }
}

/** A required string flag, or a usage error. */
export function need(p: Parsed, name: string): string {
  const v = p.flags[name];
  if (typeof v !== 'string' || !v) throw new UsageError(`--${name} is required`);
  return v;
}

const TYPES: Readonly<Record<string, string>> = { '.json': 'application/json', '.xml': 'application/xml' };

/** A payload's media type: --content-type, else from its extension (api.md "Command line"). */
export function contentTypeOf(p: Parsed, file: string): string {
  if (typeof p.flags['content-type'] === 'string') return p.flags['content-type'];
  const t = TYPES[path.extname(file).toLowerCase()];
  if (!t) throw new UsageError(`cannot tell the content type of ${file} from its extension: pass --content-type`);
  return t;
}
