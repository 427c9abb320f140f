// What an audit checkpoint's signature covers (api.md "Audit log"): the UTF-8 JCS form of `{seq, hash, at}`.
// Shared by every store (which writes checkpoints) and the trust work (which signs and checks them).
import { canonicalJson } from '../util/canonical-json.js';
import type { AuditCheckpoint } from './types.js';

export const checkpointBytes = (c: Pick<AuditCheckpoint, 'seq' | 'hash' | 'at'>): Buffer => Buffer.from(canonicalJson({ seq: c.seq, hash: c.hash, at: c.at }), 'utf8');
