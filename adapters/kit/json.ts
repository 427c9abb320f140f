// Safe JSON for untrusted bodies: strict UTF-8, bounded depth, and no key that could reach an object's prototype.
import { AdapterError } from './contract.js';
import { decodeUtf8 } from './bytes.js';

const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);
export const MAX_JSON_DEPTH = 32;

/**
 * Parse JSON text; 400 HUB_REQUEST_MALFORMED when it is not JSON or an object repeats a key (JSON.parse would keep
 * the last silently, and two readers of the same body could disagree), HUB_REQUEST_FORBIDDEN_KEY for prototype keys.
 */
export function parseJsonText(text: string): unknown {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new AdapterError('HUB_REQUEST_MALFORMED', `The body is not valid JSON: ${(err as Error).message}`, [{ path: '', message: 'not valid JSON' }]);
  }
  checkKeys(value, [], 0);
  refuseDuplicateKeys(text);
  return value;
}

/** The keys of one object: a small array (most objects have a few keys), a Set past 16. Linear either way. */
class Keys {
  private list: string[] = [];
  private set: Set<string> | undefined;

  has(key: string): boolean {
    return this.set ? this.set.has(key) : this.list.includes(key);
  }

  add(key: string): void {
    if (this.set) this.set.add(key);
    else if (this.list.push(key) > 16) this.set = new Set(this.list);
  }
}

const pointer = (segments: string[]) => segments.map((k) => `/${k.replace(/~/g, '~0').replace(/\//g, '~1')}`).join('');

/**
 * One linear pass over text JSON.parse accepted (so it is well-formed): every object's keys in a Set, strings
 * skipped with their escapes. The path of the repeated key is a JSON Pointer, as everywhere else.
 */
export function refuseDuplicateKeys(text: string): void {
  type Frame = { keys: Keys | null; index: number; key: string | undefined };
  const stack: Frame[] = [];
  let expectKey = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22 /* " */) {
      const start = i;
      let escaped = false;
      for (i++; i < text.length; i++) {
        const d = text.charCodeAt(i);
        if (d === 0x5c) {
          escaped = true;
          i++;
        } else if (d === 0x22) break;
      }
      const top = stack[stack.length - 1];
      if (expectKey && top?.keys) {
        const raw = text.slice(start, i + 1);
        const key = escaped ? (JSON.parse(raw) as string) : raw.slice(1, -1);
        if (top.keys.has(key)) {
          const at = pointer(keyPath(stack).concat(key));
          throw new AdapterError('HUB_REQUEST_MALFORMED', `The key ${at} appears twice in one object`, [{ path: at, message: 'duplicate key' }]);
        }
        top.keys.add(key);
        top.key = key;
        expectKey = false;
      }
    } else if (c === 0x7b /* { */) {
      stack.push({ keys: new Keys(), index: 0, key: undefined });
      expectKey = true;
    } else if (c === 0x5b /* [ */) {
      stack.push({ keys: null, index: 0, key: undefined });
    } else if (c === 0x7d || c === 0x5d) {
      stack.pop();
    } else if (c === 0x2c /* , */) {
      const top = stack[stack.length - 1];
      if (top?.keys) expectKey = true;
      else if (top) top.index++;
    }
  }
}

/** The path segments down to (not including) the innermost object's next key. */
function keyPath(stack: { keys: Keys | null; index: number; key: string | undefined }[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < stack.length - 1; i++) {
    const f = stack[i]!;
    out.push(f.keys ? f.key ?? '' : String(f.index));
  }
  return out;
}

export function parseJsonBody(body: Buffer): unknown {
  return parseJsonText(decodeUtf8(body));
}

// JSON.parse decodes escapes (`"__pro\u0074o__"`), so the check runs on the parsed keys, not on the text. The path
// is kept as segments and written only for a refusal (building a pointer per key doubled the cost of a large body).
function checkKeys(value: unknown, segments: string[], depth: number): void {
  if (value === null || typeof value !== 'object') return;
  if (depth > MAX_JSON_DEPTH) {
    throw new AdapterError('HUB_REQUEST_MALFORMED', `The body nests deeper than ${MAX_JSON_DEPTH} levels`, [{ path: pointer(segments), message: 'nested too deep' }]);
  }
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      segments.push(String(i));
      checkKeys(value[i], segments, depth + 1);
      segments.pop();
    }
    return;
  }
  for (const key of Object.keys(value)) {
    segments.push(key);
    if (FORBIDDEN_KEYS.has(key)) {
      throw new AdapterError('HUB_REQUEST_FORBIDDEN_KEY', `The key "${key}" is not allowed`, [{ path: pointer(segments), message: 'forbidden key' }]);
    }
    checkKeys((value as Record<string, unknown>)[key], segments, depth + 1);
    segments.pop();
  }
}

export const isPlainObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
