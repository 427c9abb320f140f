// A mapping document as the store keeps it: compiled first (a bad one is refused with pointers into it, and
// nothing is stored), then kept compact with its keys in the given order, which is what sha256 is over (§13).
import { compileMapping } from '../../adapters/kit/mapping/compile.js';
import type { CompiledMapping } from '../../adapters/kit/mapping/plan.js';
import { HubError, type ErrorCode } from '../errors.js';
import type { MappingVersionInsert } from '../store/types.js';

export function compileOrThrow(mapping: unknown): { compiled: CompiledMapping; document: string } {
  if (mapping === null || mapping === undefined) {
    throw new HubError('HUB_MAPPING_INVALID', 'A system with adapter "mapping" needs an lgsp-mapping/1 document', [{ path: '/mapping', message: 'is required with adapter mapping' }]);
  }
  const c = compileMapping(mapping);
  if (!c.ok) {
    const first = c.errors[0];
    throw new HubError(c.code as ErrorCode, `The mapping is refused: ${first ? `${first.path || '/'} ${first.message}` : c.code}`, [...c.errors]);
  }
  const document = typeof mapping === 'string' ? JSON.stringify(JSON.parse(mapping)) : JSON.stringify(mapping);
  return { compiled: c.compiled, document };
}

export function versionInsert(systemId: string, mapping: unknown, createdBy: string, createdAt: string, note: string | null = null): { insert: MappingVersionInsert; compiled: CompiledMapping } {
  const { compiled, document } = compileOrThrow(mapping);
  return { insert: { systemId, sha256: compiled.sha256, document, size: compiled.size, createdAt, createdBy, note }, compiled };
}
