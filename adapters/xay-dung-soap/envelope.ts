// SOAP 1.1 answers: `<Op>Response/<Op>Result` with MaLoi 0, or a Fault (legacy/xay-dung.md).
// SOAP 1.1 sends every Fault with HTTP 500, except failed authentication, which the department's stack expects as 401.
import { AdapterError, type DecodeResult, type ItemOutcome, type NativeMessage } from '../kit/contract.js';
import { el, renderXml, xmlSafeText, type XmlOut } from '../kit/xml.js';
import { ERRORS, type ErrorCode, type FieldError } from '../../src/errors.js';
import { NS, SOAP_ENV_NS } from './codes.js';
import { hoSoOf, leaf, ownNumberOf } from './hoso.js';

export const CONTENT_TYPE = 'text/xml; charset=utf-8';

export function soapEnvelope(body: XmlOut): string {
  return renderXml(
    el('soap:Envelope', {
      'xmlns:soap': SOAP_ENV_NS,
      'xmlns:xsi': 'http://www.w3.org/2001/XMLSchema-instance',
      'xmlns:xsd': 'http://www.w3.org/2001/XMLSchema',
    }, el('soap:Body', undefined, body)),
    { declaration: true },
  );
}

/** `<OpResponse xmlns="urn:sxd:motcua:v1"><OpResult>…</OpResult></OpResponse>` (children qualified by the default namespace). */
export function resultEnvelope(operation: string, fields: (XmlOut | undefined)[]): string {
  return soapEnvelope(el(`${operation}Response`, { xmlns: NS }, el(`${operation}Result`, undefined, ...fields)));
}

export interface FaultInput {
  code: ErrorCode;
  status: number;
  detail: string;
  errors: FieldError[];
}

const AUTH_FAILED = new Set<string>(['HUB_AUTH_MISSING', 'HUB_AUTH_INVALID']);
const TRY_LATER = new Set<string>(['HUB_AUTH_RATE_LIMITED', 'HUB_RATE_LIMITED']);

/**
 * soap:Client for what the sender must change, soap:Server for what may succeed later, SOAP 1.1's own VersionMismatch
 * and MustUnderstand (§4.4.1); the HTTP status to send it with.
 */
export function faultKind(code: ErrorCode, status: number): { faultcode: 'Client' | 'Server' | 'VersionMismatch' | 'MustUnderstand'; http: number } {
  if (code === 'HUB_SOAP_VERSION_MISMATCH') return { faultcode: 'VersionMismatch', http: 500 };
  if (code === 'HUB_SOAP_MUST_UNDERSTAND') return { faultcode: 'MustUnderstand', http: 500 };
  if (AUTH_FAILED.has(code) || status === 401) return { faultcode: 'Client', http: 401 };
  // Retry-worthy refusals keep 429 so that a client (and a proxy) can back off.
  if (TRY_LATER.has(code) || status === 429) return { faultcode: 'Server', http: 429 };
  const catalogued = Object.hasOwn(ERRORS, code) ? ERRORS[code].status : 500;
  // The 403-class refusals (HUB_CODE_FOREIGN, HUB_AUTHZ_AGENCY_SCOPE, another system's path) travel with 403 (xay-dung.md).
  if (status === 403 || catalogued === 403) return { faultcode: 'Client', http: 403 };
  if (status >= 500 || catalogued >= 500) return { faultcode: 'Server', http: 500 };
  return { faultcode: 'Client', http: 500 };
}

/**
 * A SOAP Fault with `<detail><MaLoi>HUB_…</MaLoi><TruongLoi>path</TruongLoi>…</detail>`. Every text is made
 * XML-safe first (a refused character is written `U+0001`): the Fault itself must always be well-formed.
 */
export function faultMessage(f: FaultInput): NativeMessage {
  const { faultcode, http } = faultKind(f.code, f.status);
  const paths = f.errors.map((e) => xmlSafeText(e.path)).filter((p) => p !== '');
  const body = soapEnvelope(el('soap:Fault', undefined,
    leaf('faultcode', `soap:${faultcode}`),
    leaf('faultstring', xmlSafeText(f.detail || (Object.hasOwn(ERRORS, f.code) ? ERRORS[f.code].title : f.code))),
    el('detail', undefined,
      leaf('MaLoi', xmlSafeText(f.code)),
      ...(paths.length ? paths : ['']).map((p) => el('TruongLoi', undefined, p)),
      ...f.errors.map((e) => el('MoTa', undefined, xmlSafeText(e.message))),
    ),
  ));
  const headers: Record<string, string> = {};
  if (http === 401) headers['www-authenticate'] = 'Basic realm="lgsp-hub", charset="UTF-8"';
  return { status: http, contentType: CONTENT_TYPE, body, headers };
}

const ok = (body: string): NativeMessage => ({ status: 200, contentType: CONTENT_TYPE, body });

const internal = (detail: string): NativeMessage => faultMessage({ code: 'HUB_INTERNAL', status: 500, detail, errors: [] });

/** The native answer to a decoded request, from the pipeline's outcome of its single item. */
export function answer(result: { decode: DecodeResult; outcomes: ItemOutcome[] }): NativeMessage {
  const { decode, outcomes } = result;
  const outcome = outcomes[0];
  const operation = decode.operation;
  if (!outcome || !operation) return internal('The request produced no outcome');
  if (!outcome.ok) return faultMessage(outcome);
  if (operation === 'TraCuuHoSo') {
    if (!outcome.dossier) return internal('The look-up produced no dossier');
    // The caller's own number: its altCode (the decode result remembers the caller), else the number it asked with.
    const systemId = (decode as { systemId?: unknown }).systemId;
    const op = decode.items[0]?.op;
    const asked = op?.kind === 'lookup' ? op.ref.localCode : undefined;
    try {
      const hoSo = hoSoOf(outcome.dossier, ownNumberOf(outcome.dossier, typeof systemId === 'string' ? systemId : undefined) ?? asked);
      return ok(resultEnvelope(operation, [leaf('MaLoi', '0'), leaf('MoTa', 'Tra cứu thành công'), hoSo]));
    } catch (err) {
      if (err instanceof AdapterError) return internal(err.message);
      throw err;
    }
  }
  const r = outcome.receipt;
  if (!r) return internal('The change produced no receipt');
  return ok(resultEnvelope(operation, [
    leaf('MaLoi', '0'),
    leaf('MoTa', r.duplicate ? 'Hồ sơ đã được tiếp nhận trước đó (gửi trùng)' : 'Tiếp nhận thành công'),
    leaf('MaHoSoQuocGia', r.dossierCode),
    leaf('MaBienNhan', r.receiptId),
  ]));
}

/** The answer to a request that could not be read at all. */
export function answerError(err: FaultInput): NativeMessage {
  return faultMessage(err);
}
