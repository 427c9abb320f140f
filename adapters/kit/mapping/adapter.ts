// `createMappingAdapter`: a compiled mapping as an Adapter (kit/contract.ts), one per mapping system and version.
// It answers api.md's JSON; decodedBy / encodedBy are {adapter: "mapping", version, sha256} (mapping.md §13).
import type { Adapter, DecodeResult, DecodedItem, InboundRequest, NativeMessage, OutboundEvent, ReplyVerdict, Target } from '../contract.js';
import type { CompiledMapping } from './plan.js';
import { decodeDocument, MappingItemError, type ItemRun } from './decode.js';
import { encodeDossier } from './encode.js';
import { judgeMappingReply } from './reply.js';
import { nativeFor } from './canonical-check.js';
import type { Catalogues } from './evaluate.js';

export interface MappingAdapterOptions {
  /** The mapping version (1, 2, 3 … per system, §13); written as text into Adapter.version. */
  version: string | number;
  /** In-memory snapshots for `lookup` rules (§5.5). */
  catalogues?: Catalogues;
}

export interface MappingAdapter extends Adapter {
  readonly sha256: string;
  readonly compiled: CompiledMapping;
  /** What every decoded revision and delivery attempt records (§13). */
  readonly provenance: { readonly adapter: 'mapping'; readonly version: string; readonly sha256: string };
}

/** The DecodedItem of an item run: the change, or a MappingItemError whose errors name native paths. */
export function toDecodedItem(run: ItemRun): DecodedItem {
  const nativePath = (pointer: string) => nativeFor(run.provenance, pointer, run.node.path);
  if (run.errors.length) return { index: run.index, raw: run.raw, error: new MappingItemError(run.errors), nativePath };
  return {
    index: run.index, raw: run.raw, nativePath,
    op: { kind: 'change', ref: run.ref, change: run.change, ...(run.transfer ? { transfer: run.transfer } : {}) },
  };
}

export function createMappingAdapter(compiled: CompiledMapping, options: MappingAdapterOptions): MappingAdapter {
  const version = String(options.version);
  const catalogues = options.catalogues ?? {};
  return Object.freeze({
    name: 'mapping',
    version,
    sha256: compiled.sha256,
    compiled,
    provenance: Object.freeze({ adapter: 'mapping' as const, version, sha256: compiled.sha256 }),
    contentTypes: compiled.plan.contentTypes,
    answers: 'json' as const,
    decode(req: InboundRequest): DecodeResult {
      const run = decodeDocument(compiled, req.body, { catalogues, canonicalCheck: 'onError' });
      return { batch: run.batch, items: run.items.map(toDecodedItem) };
    },
    encode(event: OutboundEvent, target: Target): NativeMessage {
      return encodeDossier(compiled, event.dossier, target);
    },
    judgeReply(status: number, body: string): ReplyVerdict {
      return judgeMappingReply(compiled, status, body);
    },
  });
}
