// The `tnmt-xml` adapter: the Department of Natural Resources and Environment's XML gói tin (legacy/tnmt.md).
import type { Adapter } from '../kit/contract.js';
import { decodeTnmt } from './decode.js';
import { encodeTnmt, judgeTnmtReply, answerTnmt, answerTnmtError } from './encode.js';

export const tnmtXmlAdapter: Adapter = {
  name: 'tnmt-xml',
  version: '1.0.0',
  contentTypes: ['application/xml', 'text/xml'],
  answers: 'xml',
  decode: decodeTnmt,
  encode: (event) => encodeTnmt(event),
  judgeReply: judgeTnmtReply,
  answer: answerTnmt,
  answerError: answerTnmtError,
};
