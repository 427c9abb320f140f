// Canonical → TN&MT XML: the GoiTin the hub posts to the department, the KetQua it answers with, and how the
// department's own KetQua is judged (legacy/tnmt.md, "The answer", "The hub calling back").
import type { DecodeResult, ItemOutcome, NativeMessage, OutboundEvent, ReplyVerdict, Target } from '../kit/contract.js';
import { AdapterError } from '../kit/contract.js';
import { el, renderXml, parseXmlText, attr, xmlSafeText, type XmlOut } from '../kit/xml.js';
import type { FieldError, ErrorCode } from '../../src/errors.js';
import { ERRORS } from '../../src/errors.js';
import { parseRfc3339, toLocalParts } from '../../src/util/time.js';
import { STATUS_IN, capOut, APPLICANT_IN, CHANNEL_IN } from './decode.js';

export const NS = 'urn:stnmt:motcua:v2';
const CONTENT_TYPE = 'application/xml';

// The inverse tables are derived from the decode tables so the two directions cannot drift.
const invert = <T extends string | number>(table: Readonly<Record<string, T>>): Map<T, string> =>
  new Map(Object.entries(table).map(([k, v]) => [v, k]));
const STATUS_OUT = invert(STATUS_IN);
const APPLICANT_OUT = invert(APPLICANT_IN);
const CHANNEL_OUT = invert(CHANNEL_IN);

const pad = (n: number) => String(n).padStart(2, '0');

/** RFC 3339 → local yyyy-MM-ddTHH:mm:ss (the format has no offset and no fractions). */
function local(value: string | null | undefined, field: string): string | undefined {
  if (value === null || value === undefined) return undefined;
  const ms = parseRfc3339(value);
  if (ms === null) throw new AdapterError('HUB_DATE_INVALID', `Cannot encode ${field}: "${value}"`, [{ path: field, message: 'not RFC 3339' }]);
  const p = toLocalParts(ms);
  return `${p.year}-${pad(p.month)}-${pad(p.day)}T${pad(p.hour)}:${pad(p.minute)}:${pad(p.second)}`;
}

/** Canonical status → trangThai (+ lyDo for 7, the only status the format spells with a reason). */
function statusOut(status: number, field: string): { trangThai: string; lyDo?: string } {
  if (status === 7) return { trangThai: '8', lyDo: 'rut' };
  const code = STATUS_OUT.get(status);
  if (code === undefined) throw new AdapterError('HUB_STATUS_UNKNOWN', `Status ${status} has no TN&MT code`, [{ path: field, message: 'no native code' }]);
  return { trangThai: code };
}

export function encodeTnmt(event: OutboundEvent): NativeMessage {
  const d = event.dossier;
  const st = statusOut(d.status, '/status');
  const applicant = d.applicant;
  const parcels = d.extensions?.tnmt?.parcels;
  const hoSo = el(
    'HoSo',
    {
      maHoSo: d.code, soBienNhan: d.receiptNumber, maThuTuc: d.procedure.code, ngayTiepNhan: local(d.receivedAt, '/receivedAt'),
      hanXuLy: local(d.dueAt, '/dueAt'), trangThai: st.trangThai, lyDo: st.lyDo, kenh: CHANNEL_OUT.get(d.channel),
    },
    d.procedure.name || d.procedure.sectorName || d.procedure.sectorCode
      ? el('ThuTuc', { ten: d.procedure.name, linhVuc: d.procedure.sectorName, maLinhVuc: d.procedure.sectorCode })
      : undefined,
    el('CoQuan', { ma: d.agency.code, ten: d.agency.name, cap: capOut(d.agency) }),
    el(
      'NguoiDeNghi', { loai: APPLICANT_OUT.get(applicant.type) },
      el('HoTen', {}, applicant.name),
      applicant.idNumber ? el('SoDinhDanh', {}, applicant.idNumber) : undefined,
      applicant.phone ? el('DienThoai', {}, applicant.phone) : undefined,
      applicant.address ? el('DiaChi', {}, applicant.address) : undefined,
    ),
    d.summary ? el('TrichYeu', {}, d.summary) : undefined,
    ...(Array.isArray(parcels) ? parcels : []).map((p: Record<string, unknown>) =>
      el('ThuaDat', { soTo: str(p.soTo), soThua: str(p.soThua), dienTich: str(p.dienTich), mucDich: str(p.mucDich), diaChi: str(p.diaChi) })),
    ...(d.documents ?? []).map((g) => el('GiayTo', { ten: g.name, url: g.url, maThanhPhan: g.componentCode, sha256: g.sha256 })),
    // A fee without a code travels under its name: the format has no other place for it.
    ...(d.fees ?? []).map((f) => el('NghiaVuTaiChinh', { loai: f.code ?? f.name, soTien: f.amount, daNop: f.paid })),
    d.steps?.length
      ? el('QuaTrinhXuLy', {}, ...d.steps.map((s, i) => {
        const ss = statusOut(s.status, `/steps/${i}/status`);
        return el('Buoc', { thoiDiem: local(s.at, `/steps/${i}/at`), nguoiXuLy: s.actor, phongBan: s.department, trangThai: ss.trangThai, lyDo: ss.lyDo }, s.note);
      }))
      : undefined,
  );
  const goiTin = el('GoiTin', { xmlns: NS, phienBan: '2.1', thoiGianGui: local(event.time, '/time') }, el('DanhSachHoSo', {}, hoSo));
  return { contentType: CONTENT_TYPE, body: renderXml(goiTin, { declaration: true }) };
}

const str = (v: unknown): string | undefined => (typeof v === 'string' || typeof v === 'number' ? String(v) : undefined);

export function judgeTnmtReply(status: number, body: string): ReplyVerdict {
  if (status >= 200 && status < 300) {
    let maLoi: string | undefined;
    try {
      const { root } = parseXmlText(body);
      maLoi = root.name === 'KetQua' ? attr(root, 'maLoi') : undefined;
    } catch {
      maLoi = undefined;
    }
    if (maLoi === '0') return { ok: true };
    return { ok: false, permanent: true, reason: maLoi === undefined ? `HTTP ${status} without a KetQua` : `KetQua maLoi="${maLoi}"` };
  }
  const transient = status >= 500 || status === 408 || status === 429;
  return { ok: false, permanent: !transient, reason: `HTTP ${status}` };
}

// The hub's own texts in an answer are made XML-safe (a refused character written `U+0001`): the answer is always well-formed.
const describe = (detail: string, errors: FieldError[]) => xmlSafeText(errors.length ? `${detail}: ${errors.map((e) => e.path).join(', ')}` : detail);

type Rejected = { index: number; code: ErrorCode; detail: string; errors: FieldError[] };

/** Outcomes in item order; items that failed to decode and have no outcome are rejected with their own error. */
function collect(decode: DecodeResult, outcomes: ItemOutcome[]): { accepted: Extract<ItemOutcome, { ok: true }>[]; rejected: Rejected[] } {
  const byIndex = new Map(outcomes.map((o) => [o.index, o]));
  const accepted: Extract<ItemOutcome, { ok: true }>[] = [];
  const rejected: Rejected[] = [];
  for (const item of decode.items) {
    const o = byIndex.get(item.index);
    if (o?.ok) accepted.push(o);
    else if (o) rejected.push({ index: o.index, code: o.code, detail: o.detail, errors: o.errors });
    else if (item.error) rejected.push({ index: item.index, code: item.error.code, detail: item.error.message, errors: item.error.errors });
  }
  return { accepted, rejected };
}

export function answerTnmt({ decode, outcomes, accept }: { decode: DecodeResult; outcomes: ItemOutcome[]; accept: string | undefined }): NativeMessage {
  const { accepted, rejected } = collect(decode, outcomes);
  const status = accepted.length ? 202 : 422;
  if (accept?.includes('application/json')) {
    const rejectedJson = rejected.map((r) => ({ index: r.index, code: r.code, errors: r.errors }));
    const receipts = accepted.flatMap((a) => (a.receipt ? [a.receipt] : []));
    if (status === 202) return { status, contentType: 'application/json', body: JSON.stringify({ accepted: receipts, rejected: rejectedJson }) };
    // api.md: 422 problem+json carrying the same members (the pipeline adds the correlation id header).
    const problem = {
      type: 'https://lgsp-hub.local/errors/HUB_BATCH_REJECTED', title: ERRORS.HUB_BATCH_REJECTED.title, status,
      detail: `None of the ${decode.items.length} items was accepted`, code: 'HUB_BATCH_REJECTED', accepted: receipts, rejected: rejectedJson,
    };
    return { status, contentType: 'application/problem+json', body: JSON.stringify(problem) };
  }
  const codeOf = (index: number) => {
    const op = decode.items.find((i) => i.index === index)?.op;
    return op?.ref.code;
  };
  const lines: XmlOut[] = [
    ...accepted.map((a) => ({ index: a.index, node: el('HoSo', { maHoSo: a.receipt?.dossierCode ?? codeOf(a.index), maLoi: '0', bienNhan: a.receipt?.receiptId }) })),
    ...rejected.map((r) => ({ index: r.index, node: el('HoSo', { viTri: r.index + 1, maHoSo: codeOf(r.index), maLoi: xmlSafeText(r.code), moTa: describe(r.detail, r.errors) }) })),
  ].sort((a, b) => a.index - b.index).map((l) => l.node);
  const ketQua = el('KetQua', { xmlns: NS, maLoi: accepted.length ? '0' : 'HUB_BATCH_REJECTED', soHoSoNhan: accepted.length, soHoSoLoi: rejected.length }, ...lines);
  return { status, contentType: CONTENT_TYPE, body: renderXml(ketQua, { declaration: true }) };
}

export function answerTnmtError(err: { code: ErrorCode; status: number; detail: string; errors: FieldError[] }): NativeMessage {
  const ketQua = el('KetQua', { xmlns: NS, maLoi: xmlSafeText(err.code), moTa: describe(err.detail, err.errors) });
  return { status: err.status, contentType: CONTENT_TYPE, body: renderXml(ketQua, { declaration: true }) };
}
