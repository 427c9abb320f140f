// A canonical dossier written back in the department's HoSo shape (TraCuuHoSo), in the WSDL's element order.
import { AdapterError } from '../kit/contract.js';
import { el, type XmlOut } from '../kit/xml.js';
import type { Dossier } from '../../src/canonical/types.js';
import { parseRfc3339 } from '../../src/util/time.js';
import { CODE_BY_CHANNEL, CODE_BY_STATUS, codeOfApplicant, formatDecimalComma, formatSoapDate } from './codes.js';

/** An element with text, or nothing when the value is absent (minOccurs="0"). */
export const leaf = (name: string, value: string | number | undefined | null): XmlOut | undefined =>
  value === undefined || value === null ? undefined : el(name, undefined, String(value));

export function statusCode(status: number): string {
  const code = CODE_BY_STATUS[status];
  if (code === undefined) throw new AdapterError('HUB_STATUS_UNKNOWN', `Status ${status} has no code in the department's table`);
  return code;
}

/** An RFC 3339 value as `dd/MM/yyyy HH:mm:ss` local time. */
export function soapDate(value: string): string {
  const t = parseRfc3339(value);
  if (t === null) throw new AdapterError('HUB_DATE_INVALID', `"${value}" is not an RFC 3339 date-time`);
  return formatSoapDate(t);
}

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

function congTrinh(d: Dossier): XmlOut | undefined {
  const b = d.extensions?.['xayDung']?.['building'];
  if (b === null || typeof b !== 'object') return undefined;
  const r = b as Record<string, unknown>;
  const area = num(r['floorArea']);
  return el('CongTrinh', undefined,
    leaf('LoaiCongTrinh', str(r['type'])),
    leaf('DiaDiem', str(r['location'])),
    leaf('DienTichSan', area === undefined ? undefined : formatDecimalComma(area)),
    leaf('SoTang', num(r['floors'])),
  );
}

/** The dossier as HoSo; `ownNumber` is the department's own MaHoSo (the national code when it has none). */
export function hoSoOf(d: Dossier, ownNumber: string | undefined): XmlOut {
  const a = d.applicant;
  return el('HoSo', undefined,
    leaf('MaHoSo', ownNumber ?? d.code),
    leaf('MaHoSoQuocGia', d.code),
    leaf('MaThuTuc', d.procedure.code),
    leaf('TenThuTuc', d.procedure.name),
    leaf('MaDonVi', d.agency.code),
    leaf('TenDonVi', d.agency.name),
    leaf('NgayNhan', soapDate(d.receivedAt)),
    leaf('NgayHenTra', d.dueAt ? soapDate(d.dueAt) : undefined),
    leaf('TrangThai', statusCode(d.status)),
    leaf('KenhNop', CODE_BY_CHANNEL[d.channel]),
    el('NguoiNop', undefined,
      leaf('HoTen', a.name), leaf('SoGiayTo', a.idNumber), leaf('DienThoai', a.phone), leaf('Email', a.email),
      leaf('DiaChi', a.address), leaf('LoaiDoiTuong', codeOfApplicant(a.type))),
    leaf('TrichYeu', d.summary),
    congTrinh(d),
    d.documents && el('TepDinhKem', undefined, ...d.documents.map((t) =>
      el('Tep', undefined, leaf('TenTep', t.name), leaf('DuongDan', t.url), leaf('MaThanhPhan', t.componentCode)))),
    d.fees && el('PhiLePhi', undefined, ...d.fees.map((f) =>
      el('Phi', undefined, leaf('MaPhi', f.code), leaf('TenPhi', f.name), leaf('SoTien', f.amount)))),
    d.steps && el('QuaTrinhXuLy', undefined, ...d.steps.map((s) =>
      el('Buoc', undefined, leaf('ThoiGian', soapDate(s.at)), leaf('NguoiXuLy', s.actor), leaf('PhongBan', s.department),
        leaf('TrangThai', statusCode(s.status)), leaf('NoiDung', s.note)))),
  );
}

/** The department's number for a dossier: its altCode of that system, when it has one. */
export function ownNumberOf(d: Dossier, systemId: string | undefined): string | undefined {
  if (systemId === undefined) return undefined;
  return d.altCodes?.find((a) => a.system === systemId)?.code;
}
