// Canonical → the UNDP JSON shape, for pushes and the pull mailbox (legacy/undp.md, "What the hub sends to it").
import type { NativeMessage, OutboundEvent, ReplyVerdict, Target } from '../kit/contract.js';
import { AdapterError } from '../kit/contract.js';
import { parseRfc3339, formatDmy } from '../../src/util/time.js';
import { STATUS_ROWS, APPLICANT_IN, capOut } from './decode.js';

// Inverse tables derived from the decode tables, so the two directions cannot drift.
const invert = <T extends string>(table: Readonly<Record<string, T>>): Map<T, string> => new Map(Object.entries(table).map(([k, v]) => [v, k]));
const APPLICANT_OUT = invert(APPLICANT_IN);
const STATUS_TEXT = new Map(STATUS_ROWS.map(([code, texts]) => [code, texts[0]!]));

function dmy(value: string, field: string): { date: string; time: string } {
  const ms = parseRfc3339(value);
  if (ms === null) throw new AdapterError('HUB_DATE_INVALID', `Cannot encode ${field}: "${value}"`, [{ path: field, message: 'not RFC 3339' }]);
  return formatDmy(ms);
}

export function encodeUndp(event: OutboundEvent, target: Target): NativeMessage {
  const d = event.dossier;
  const tinhTrang = STATUS_TEXT.get(d.status);
  if (tinhTrang === undefined) throw new AdapterError('HUB_STATUS_UNKNOWN', `Status ${d.status} has no UNDP text`, [{ path: '/status', message: 'no native text' }]);
  const received = dmy(d.receivedAt, '/receivedAt');
  const amount = (d.fees ?? []).reduce((sum, f) => sum + f.amount, 0); // the format has one fee field: the total
  const body = {
    so_ho_so: target.localCode ?? d.code,
    ma_ho_so_qg: d.code,
    ma_tthc: d.procedure.code,
    ten_tthc: d.procedure.name,
    don_vi: { ma: d.agency.code, ten: d.agency.name, cap: capOut(d.agency) },
    nguoi_nop: d.applicant.name,
    loai_doi_tuong: APPLICANT_OUT.get(d.applicant.type),
    cmnd: d.applicant.idNumber,
    dien_thoai: d.applicant.phone,
    dia_chi: d.applicant.address,
    ngay_nhan: received.date,
    gio_nhan: received.time,
    ngay_hen: d.dueAt ? dmy(d.dueAt, '/dueAt').date : '',
    tinh_trang: tinhTrang,
    trich_yeu: d.summary,
    ho_so_dinh_kem: (d.documents ?? []).map((doc) => ({ ten: doc.name, link: doc.url })),
    le_phi: amount,
    lien_thong: event.transfer ? { chuyen_den: event.transfer.toAgency, ly_do: event.transfer.reason } : null,
  };
  // JSON.stringify drops undefined members: optional fields the dossier lacks are simply absent.
  return { contentType: 'application/json', body: JSON.stringify(body) };
}

export function judgeUndpReply(status: number): ReplyVerdict {
  if (status >= 200 && status < 300) return { ok: true };
  const transient = status >= 500 || status === 408 || status === 429;
  return { ok: false, permanent: !transient, reason: `HTTP ${status}` };
}
