// Safe JSON for untrusted bodies: strict UTF-8, bounded depth, and no key that could reach an object's prototype.
import { AdapterError } from './contract.js';
import { decodeUtf8 } from './bytes.js';

const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);
export const MAX_JSON_DEPTH = 32;

/** Parse JSON text; 400 HUB_REQUEST_MALFORMED when it is not JSON, HUB_REQUEST_FORBIDDEN_KEY for prototype keys. */
export function parseJsonText(text: string): unknown {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new AdapterError('HUB_REQUEST_MALFORMED', `The body is not valid JSON: ${(err as Error).message}`, [{ path: '', message: 'not valid JSON' }]);
  }
  checkKeys(value, '', 0);
  return value;
}

export function parseJsonBody(body: Buffer): unknown {
  return parseJsonText(decodeUtf8(body));
}

// JSON.parse decodes escapes (`"__pro\u0074o__"`), so the check runs on the parsed keys, not on the text.
function checkKeys(value: unknown, path: string, depth: number): void {
  if (value === null || typeof value !== 'object') return;
  if (depth > MAX_JSON_DEPTH) {
    throw new AdapterError('HUB_REQUEST_MALFORMED', `The body nests deeper than ${MAX_JSON_DEPTH} levels`, [{ path, message: 'nested too deep' }]);
  }
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) checkKeys(value[i], `${path}/${i}`, depth + 1);
    return;
  }
  for (const key of Object.keys(value)) {
    const keyPath = `${path}/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`;
    if (FORBIDDEN_KEYS.has(key)) {
      throw new AdapterError('HUB_REQUEST_FORBIDDEN_KEY', `The key "${key}" is not allowed`, [{ path: keyPath, message: 'forbidden key' }]);
    }
    checkKeys((value as Record<string, unknown>)[key], keyPath, depth + 1);
  }
}

export const isPlainObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
