// The `undp-motcua` adapter: the UNDP-funded shared one-stop software of districts and communes (legacy/undp.md).
// It answers in api.md's JSON, so it has no answer/answerError of its own.
import type { Adapter } from '../kit/contract.js';
import { decodeUndp } from './decode.js';
import { encodeUndp, judgeUndpReply } from './encode.js';

export const undpMotcuaAdapter: Adapter = {
  name: 'undp-motcua',
  version: '1.0.0',
  contentTypes: ['application/json', 'text/plain', 'application/x-www-form-urlencoded'],
  answers: 'json',
  decode: decodeUndp,
  encode: encodeUndp,
  judgeReply: (status) => judgeUndpReply(status),
};
