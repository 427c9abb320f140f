// Shared by the xay-dung-soap tests: a full dossier, receipts, and a tiny HTTP server that runs the adapter
// the way the hub's SOAP route does (WSDL on ?wsdl, decode → outcomes → answer on POST).
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { DecodedOp, ItemOutcome, NativeMessage, Receipt } from '../../../adapters/kit/contract.js';
import { AdapterError } from '../../../adapters/kit/contract.js';
import { xayDungSoapAdapter as adapter } from '../../../adapters/xay-dung-soap/index.js';
import type { Dossier } from '../../../src/canonical/types.js';
import { ERRORS } from '../../../src/errors.js';

export const SYSTEM_ID = 'test-system';

export function receipt(over: Partial<Receipt> = {}): Receipt {
  return {
    receiptId: 'rcpt-0001', dossierCode: '000.00.11.H12-261127-0031', revision: 1, status: 2, duplicate: false,
    payloadSha256: 'a'.repeat(64), canonicalSha256: 'b'.repeat(64), acceptedAt: '2026-11-27T08:30:01.000+07:00', ...over,
  };
}

export function dossier(over: Partial<Dossier> = {}): Dossier {
  return {
    code: '000.00.11.H12-261127-0031',
    altCodes: [{ system: 'other-system', code: 'X-1' }, { system: SYSTEM_ID, code: 'SXD-2026-004512' }],
    procedure: { code: '1.009794', name: 'Cấp giấy phép xây dựng mới' },
    agency: { code: '000.00.11.H12', name: 'Sở Xây dựng', level: 'province' },
    applicant: { type: 'business', name: 'Công ty TNHH Xây dựng Hoàng Phát', idNumber: '0312345678', phone: '02838123456' },
    summary: 'Xin cấp phép xây dựng trụ sở văn phòng 9 tầng',
    channel: 'in_person',
    receivedAt: '2026-11-27T01:30:00Z',
    dueAt: '2026-12-25T17:00:00+07:00',
    status: 4,
    documents: [{ name: 'Đơn đề nghị', url: 'https://motcua-sxd.example/files/4512/don.pdf', componentCode: 'TP01' }],
    fees: [{ code: 'LP-GPXD', name: 'Lệ phí cấp giấy phép xây dựng', amount: 1500000 }],
    steps: [
      { at: '2026-11-27T08:30:00+07:00', status: 2, actor: 'Nguyễn Thị Lan', department: 'Bộ phận một cửa', note: 'Tiếp nhận hồ sơ' },
      { at: '2026-11-28T10:05:00+07:00', status: 4, actor: 'Trần Văn Minh', note: 'Chuyển phòng thẩm định' },
    ],
    extensions: { xayDung: { building: { type: 'Công trình dân dụng cấp II', location: 'Lô A3', floorArea: 4250.5, floors: 9 } } },
    revision: 2,
    updatedAt: '2026-11-28T10:05:01.000+07:00',
    ...over,
  };
}

export async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

export interface SoapHub {
  url: string;
  /** Every op the server decoded, in order, with the SOAPAction header it came with. */
  seen: { operation: string; op?: DecodedOp; soapAction: string | undefined }[];
  close(): Promise<void>;
}

export interface HubOptions {
  /** When set, WS-Security credentials must be these (else a 401 Fault). */
  credentials?: { username: string; password: string };
  /** The outcome for a decoded op (default: a receipt, or the dossier for a look-up). */
  outcome?: (op: DecodedOp) => ItemOutcome;
}

function send(res: import('node:http').ServerResponse, m: NativeMessage): void {
  res.writeHead(m.status ?? 200, { 'content-type': m.contentType, ...m.headers });
  res.end(m.body);
}

/** A real HTTP server on 127.0.0.1:0 that does what the hub's SOAP route does with this adapter. */
export async function startSoapHub(opts: HubOptions = {}): Promise<SoapHub> {
  const seen: SoapHub['seen'] = [];
  let url = '';
  const server: Server = createServer(async (req, res) => {
    if (req.method === 'GET' && req.url?.endsWith('?wsdl')) {
      const d = adapter.describe!(url);
      res.writeHead(200, { 'content-type': d.contentType });
      res.end(d.body);
      return;
    }
    const body = await readBody(req);
    const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(', ') : v]));
    const inbound = { body, contentType: (headers['content-type'] ?? '').split(';')[0]!.trim(), headers, systemId: SYSTEM_ID };
    if (opts.credentials) {
      const c = adapter.credentials!(inbound);
      if (!c || c.username !== opts.credentials.username || c.password !== opts.credentials.password) {
        const code = c ? 'HUB_AUTH_INVALID' : 'HUB_AUTH_MISSING';
        send(res, adapter.answerError!({ code, status: 401, detail: ERRORS[code].title, errors: [] }));
        return;
      }
    }
    try {
      const decoded = adapter.decode(inbound);
      const item = decoded.items[0]!;
      seen.push({ operation: decoded.operation!, op: item.op, soapAction: headers['soapaction'] });
      const outcome: ItemOutcome = item.error
        ? { index: 0, ok: false, code: item.error.code, status: ERRORS[item.error.code].status, detail: item.error.message, errors: item.error.errors }
        : (opts.outcome ?? defaultOutcome)(item.op!);
      send(res, adapter.answer!({ decode: decoded, outcomes: [outcome], accept: undefined }));
    } catch (err) {
      if (!(err instanceof AdapterError)) throw err;
      send(res, adapter.answerError!({ code: err.code, status: ERRORS[err.code].status, detail: err.message, errors: err.errors }));
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/soap/${SYSTEM_ID}`;
  return { url, seen, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

function defaultOutcome(op: DecodedOp): ItemOutcome {
  if (op.kind === 'lookup') return { index: 0, ok: true, dossier: dossier() };
  return { index: 0, ok: true, receipt: receipt({ status: op.change.status ?? 2 }) };
}
