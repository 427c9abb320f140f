// PATCH of a system registration (api.md "Systems"): an RFC 7396 JSON merge patch of the registration's members
// except `id`, and the before/after of what changed for the audit entry.
import { isDeepStrictEqual } from 'node:util';
import type { SystemRecord, SystemRegistration } from '../store/types.js';

const isObject = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);

/** RFC 7396: objects merge member by member, `null` removes, anything else replaces. */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isObject(patch)) return patch;
  const out: Record<string, unknown> = isObject(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

/** The registration a record was made from (its members, agencies with their resolved levels). */
export function registrationOf(s: SystemRecord): SystemRegistration {
  const { status: _s, createdAt: _c, updatedAt: _u, ...reg } = s;
  return reg;
}

/** The top-level members whose value differs, with their values before and after. */
export function changedMembers(before: object, after: object): { before: Record<string, unknown>; after: Record<string, unknown> } {
  const b = before as Record<string, unknown>;
  const a = after as Record<string, unknown>;
  const out = { before: {} as Record<string, unknown>, after: {} as Record<string, unknown> };
  for (const k of new Set([...Object.keys(b), ...Object.keys(a)])) {
    if (k === 'updatedAt' || k === 'createdAt' || k === 'status') continue;
    if (!isDeepStrictEqual(b[k], a[k])) {
      out.before[k] = b[k] ?? null;
      out.after[k] = a[k] ?? null;
    }
  }
  return out;
}
