// The admin API client of the CLI: the base URL and token from the flags, the environment or the secrets file;
// an unreachable hub (refused, DNS, TLS, no answer in 30 s) is exit 3, any 4xx/5xx exit 1.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { UsageError } from './args.js';
import { trimTrailing } from '../util/pem.js';

export class Unreachable extends Error {}
const TIMEOUT_MS = 30_000;

export interface Target { url: string; token: string; fromFile: string | undefined }

export function target(flags: Record<string, string | boolean>, env: NodeJS.ProcessEnv = process.env): Target {
  const url = trimTrailing(String(flags.url ?? env.HUB_URL ?? 'http://127.0.0.1:8080'), '/');
  if (!/^https?:\/\//.test(url)) throw new UsageError(`--url must start with http:// or https:// (${url})`);
  if (typeof flags.token === 'string') return { url, token: flags.token, fromFile: undefined };
  if (env.HUB_ADMIN_TOKEN) return { url, token: env.HUB_ADMIN_TOKEN, fromFile: undefined };
  const secrets = env.HUB_SECRETS_DIR || path.join(env.HUB_DATA_DIR || './data', 'secrets');
  const file = path.resolve(secrets, 'admin-token');
  try {
    return { url, token: readFileSync(file, 'utf8').trim(), fromFile: file };
  } catch {
    throw new UsageError(`no token: pass --token, set HUB_ADMIN_TOKEN, or make ${file} readable`);
  }
}

export interface Answer { status: number; body: unknown; text: string }

export async function call(t: Target, method: string, route: string, body?: unknown, contentType = 'application/json'): Promise<Answer> {
  let res: Response;
  try {
    res = await fetch(`${t.url}${route}`, {
      method,
      headers: { authorization: `Bearer ${t.token}`, accept: 'application/json', ...(body === undefined ? {} : { 'content-type': contentType }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
  } catch (err) {
    const e = err as Error & { cause?: { code?: string; message?: string } };
    throw new Unreachable(`the hub at ${t.url} cannot be reached: ${e.name === 'TimeoutError' ? 'no answer within 30 s' : e.cause?.code ?? e.cause?.message ?? e.message}`);
  }
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    // not JSON: kept as text
  }
  return { status: res.status, body: parsed, text };
}
