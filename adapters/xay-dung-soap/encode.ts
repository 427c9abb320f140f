// The hub calling the department back: NhanCapNhatTuLGSP, and how its reply is judged (legacy/xay-dung.md).
// Replies are read with the kit's safe parser, never with the soap package (it pollutes Object.prototype on id="__proto__").
import type { NativeMessage, OutboundEvent, ReplyVerdict, Target } from '../kit/contract.js';
import { child, el, parseXmlText, type XmlElement } from '../kit/xml.js';
import type { Step } from '../../src/canonical/types.js';
import { parseRfc3339 } from '../../src/util/time.js';
import { NS, OUTBOUND_OPERATION, soapAction } from './codes.js';
import { CONTENT_TYPE, soapEnvelope } from './envelope.js';
import { leaf, ownNumberOf, soapDate, statusCode } from './hoso.js';

/** The newest step (latest `at`; the later one in the list on a tie), or undefined when there is none. */
function newestStep(steps: readonly Step[] | undefined): Step | undefined {
  let best: Step | undefined;
  let bestAt = -Infinity;
  for (const s of steps ?? []) {
    const at = parseRfc3339(s.at) ?? -Infinity;
    if (at >= bestAt) {
      best = s;
      bestAt = at;
    }
  }
  return best;
}

export function encode(event: OutboundEvent, target: Target): NativeMessage {
  const d = event.dossier;
  const step = newestStep(d.steps);
  const body = soapEnvelope(el(OUTBOUND_OPERATION, { xmlns: NS },
    leaf('MaHoSo', target.localCode ?? ownNumberOf(d, target.systemId) ?? d.code),
    leaf('MaHoSoQuocGia', d.code),
    leaf('TrangThai', statusCode(d.status)),
    leaf('ThoiGian', soapDate(step?.at ?? d.updatedAt)),
    leaf('NoiDung', step?.note),
  ));
  return {
    contentType: CONTENT_TYPE,
    body,
    // Quoted, as the department's .NET stack sends and expects it.
    headers: { SOAPAction: `"${soapAction(OUTBOUND_OPERATION)}"` },
  };
}

const transientHttp = (status: number): boolean => status >= 500 || status === 408 || status === 429;

/** Depth-first search for the first element of this local name. */
function find(elm: XmlElement, name: string, depth = 0): XmlElement | undefined {
  if (elm.name === name) return elm;
  if (depth > 16) return undefined;
  for (const c of elm.children) {
    const hit = find(c, name, depth + 1);
    if (hit) return hit;
  }
  return undefined;
}

/**
 * A Fault's faultcode decides, not the HTTP status it travels with: Client (and VersionMismatch, MustUnderstand) is
 * permanent, Server transient. Without a Fault: 408/429/5xx transient, other non-2xx permanent, then MaLoi 0 is ok
 * and any other MaLoi permanent.
 */
export function judgeReply(status: number, body: string): ReplyVerdict {
  let root: XmlElement | undefined;
  let unreadable = '';
  try {
    root = body.trim() === '' ? undefined : parseXmlText(body).root;
    if (!root) unreadable = 'empty body';
  } catch (err) {
    unreadable = (err as Error).message;
  }
  const soapBody = root && root.name === 'Envelope' ? child(root, 'Body') : undefined;
  const fault = soapBody && child(soapBody, 'Fault');
  if (fault) {
    const code = child(fault, 'faultcode')?.text ?? '';
    // SOAP 1.1 codes may be refined with dots (`Client.Authentication`): the class before the first dot decides.
    const local = code.slice(code.indexOf(':') + 1).split('.')[0];
    const reason = `SOAP Fault ${code}: ${child(fault, 'faultstring')?.text ?? ''}`.trim();
    if (local === 'Server') return { ok: false, permanent: false, reason };
    if (local === 'Client' || local === 'VersionMismatch' || local === 'MustUnderstand') return { ok: false, permanent: true, reason };
    return { ok: false, permanent: !transientHttp(status), reason };
  }
  if (transientHttp(status)) return { ok: false, permanent: false, reason: `HTTP ${status}` };
  if (status < 200 || status >= 300) return { ok: false, permanent: true, reason: `HTTP ${status}` };
  if (!soapBody) {
    return { ok: false, permanent: true, reason: `HTTP ${status} with an unreadable reply: ${unreadable || 'not a SOAP envelope'}` };
  }
  const maLoi = find(soapBody, 'MaLoi');
  if (!maLoi) return { ok: false, permanent: true, reason: 'The reply carries no MaLoi' };
  if (maLoi.text === '0') return { ok: true };
  const moTa = maLoi && find(soapBody, 'MoTa')?.text;
  return { ok: false, permanent: true, reason: `MaLoi ${maLoi.text}${moTa ? `: ${moTa}` : ''}` };
}
