// The built-in `canonical` adapter: the body is a canonical dossier change (a dossier without revision/updatedAt)
// and what it is sent is the CloudEvent JSON of the change (amqp.md).
import type { Adapter, DecodeResult, InboundRequest, NativeMessage, OutboundEvent } from '../kit/contract.js';
import { AdapterError } from '../kit/contract.js';
import { parseJsonBody, isPlainObject } from '../kit/json.js';
import type { DossierChange } from '../../src/canonical/types.js';
import { toCloudEvent } from '../../src/canonical/cloudevent.js';

function decode(req: InboundRequest): DecodeResult {
  const value = parseJsonBody(req.body);
  if (!isPlainObject(value)) {
    throw new AdapterError('HUB_VALIDATION', 'The body must be a JSON object (one dossier)', [{ path: '', message: 'must be object' }]);
  }
  const change = value as DossierChange;
  const own = Array.isArray(change.altCodes) ? change.altCodes.find((a) => a && a.system === req.systemId) : undefined;
  const ref: { code?: string; localCode?: string } = {};
  if (typeof change.code === 'string') ref.code = change.code;
  if (own && typeof own.code === 'string') ref.localCode = own.code;
  return { batch: false, items: [{ index: 0, raw: req.body, op: { kind: 'change', ref, change } }] };
}

function encode(event: OutboundEvent): NativeMessage {
  return { contentType: 'application/cloudevents+json', body: JSON.stringify(toCloudEvent(event)) };
}

export const canonicalAdapter: Adapter = {
  name: 'canonical',
  version: '1.0.0',
  contentTypes: ['application/json'],
  answers: 'json',
  decode,
  encode,
  judgeReply(status) {
    if (status >= 200 && status < 300) return { ok: true };
    const transient = status >= 500 || status === 408 || status === 429;
    return { ok: false, permanent: !transient, reason: `HTTP ${status}` };
  },
};
