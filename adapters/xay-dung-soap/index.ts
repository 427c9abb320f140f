// The `xay-dung-soap` adapter: the Department of Construction's ASMX-era one-stop software, SOAP 1.1
// (legacy/xay-dung.md). The hub must look to it like the web service its client was generated against.
import type { Adapter } from '../kit/contract.js';
import { credentials, decode } from './decode.js';
import { encode, judgeReply } from './encode.js';
import { answer, answerError } from './envelope.js';
import { describe } from './wsdl.js';

export const xayDungSoapAdapter: Adapter = {
  name: 'xay-dung-soap',
  version: '1.0.0',
  // SOAP 1.1 is text/xml; application/soap+xml (SOAP 1.2's type) is tolerated from stacks that send it.
  contentTypes: ['text/xml', 'application/soap+xml'],
  answers: 'soap',
  decode,
  encode,
  judgeReply,
  answer,
  answerError,
  credentials,
  describe,
};
