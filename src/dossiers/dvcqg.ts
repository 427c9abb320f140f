// The national portal's forms (domain.md "DVCQG dossier item"): the DongBoHoSoMC item, its sync envelope and the
// CapNhatTienDoHoSoMC progress items. Every value a string, "" when absent, [] for an empty list, dates
// yyyyMMddHHmmss in Asia/Ho_Chi_Minh.
import type { Dossier } from '../canonical/types.js';
import { formatCompact, parseRfc3339 } from '../util/time.js';

const APPLICANT_TYPE = { citizen: '1', business: '2', agency: '3', other: '4' } as const;
const CHANNEL = { in_person: '1', online: '2', postal: '3' } as const;
// No code for an electronic return is confirmed (domain.md): it goes out as "".
const RETURN_METHOD = { direct: '0', postal: '1', electronic: '' } as const;
// DVCQG's identifier types; other types are left out until its code list is known.
const IDENTIFIER_TYPE: Readonly<Record<string, string>> = { cccd: '1', cmnd: '2' };
const SUMMARY_MAX = 1000;

// The fields of each form, in one place: the builders below are typed by them (a field added to or dropped from a
// builder without its list fails to compile) and the OpenAPI components (src/http/openapi.ts) are built from them.
export const DOCUMENT_FIELDS = ['TepDinhKemId', 'TenTepDinhKem', 'MaThanhPhanHoSo', 'DuongDanTaiTepTin', 'IsDeleted', 'DuocSoHoa', 'DuocTaiSuDung', 'DuocLayTuKhoDMQG', 'MaKetQuaThayThe'] as const;
export const IDENTIFIER_FIELDS = ['LoaiDinhDanh', 'SoDinhDanh'] as const;
export const FEE_FIELDS = ['TenPhiLePhi', 'MaPhiLePhi', 'Gia', 'HinhThucThu', 'LoaiPhiLePhi'] as const;
export const SUPPLEMENT_STRING_FIELDS = ['HoSoBoSungId', 'NguoiYeuCauBoSung', 'NoiDungBoSung', 'NgayBoSung', 'NguoiTiepNhanBoSung', 'ThongTinTiepNhan',
  'NgayTiepNhanBoSung', 'TrangThaiBoSung', 'NgayHenTraTruoc', 'NgayHenTraMoi'] as const;
export const RESULT_FIELDS = ['GiayToId', 'TenGiayTo', 'MaThanhPhanHoSo', 'DuongDanTepTinKetQua', 'MaGiayToKetQua'] as const;
export const ITEM_STRING_FIELDS = ['MaHoSo', 'MaTTHC', 'TenTTHC', 'MaLinhVuc', 'TenLinhVuc', 'SoBienNhan', 'ChuHoSo', 'LoaiDoiTuong', 'MaDoiTuong',
  'SoGiayToChuHoSo', 'TaiKhoanDuocXacThucVoiVNeID', 'SoDienThoai', 'Email', 'ThongTinKhac', 'Fax', 'GhiChu', 'ThongTinTra', 'TrichYeuHoSo',
  'NgayNopHoSo', 'NgayTiepNhan', 'NgayHenTra', 'NgayKetThucXuLy', 'NgayTra', 'NgayTuChoi', 'TrangThaiHoSo', 'HinhThuc', 'KenhThucHien',
  'NoiNopHoSo', 'DonViXuLy', 'HoSoCoThanhPhanSoHoa', 'DuocThanhToanTrucTuyen'] as const;
/** Lists the hub always sends empty (no source of their content yet). */
export const ITEM_EMPTY_LISTS = ['DanhSachTepDinhKemKhac', 'DSKetNoiCSDL'] as const;
export const PROGRESS_FIELDS = ['MaHoSo', 'NguoiXuLy', 'ChucDanh', 'PhongBanXuLy', 'NoiDungXuLy', 'ThoiDiemXuLy', 'TrangThai', 'NgayBatDau', 'NgayKetThucTheoQuyDinh'] as const;

type Fields<T extends readonly string[]> = Record<T[number], string>;
type Supplement = Fields<typeof SUPPLEMENT_STRING_FIELDS> & { DanhSachGiayToBoSung: Fields<typeof DOCUMENT_FIELDS>[]; DanhSachLePhiBoSung: never[] };
export type DvcqgItem = Fields<typeof ITEM_STRING_FIELDS> & Record<(typeof ITEM_EMPTY_LISTS)[number], never[]> & {
  DinhDanhCHS: Fields<typeof IDENTIFIER_FIELDS>[];
  TaiLieuNop: Fields<typeof DOCUMENT_FIELDS>[];
  DanhSachLePhi: Fields<typeof FEE_FIELDS>[];
  DanhSachHoSoBoSung: Supplement[];
  DanhSachGiayToKetQua: Fields<typeof RESULT_FIELDS>[];
};

type Document = NonNullable<Dossier['documents']>[number];
type Step = NonNullable<Dossier['steps']>[number];

const s = (v: unknown) => (v === undefined || v === null ? '' : String(v));
const flag = (v: boolean | undefined) => (v ? '1' : '0');
const date = (v: string | null | undefined) => {
  const t = v ? parseRfc3339(v) : null;
  return t === null ? '' : formatCompact(t);
};

function identifiers(a: Dossier['applicant']): Fields<typeof IDENTIFIER_FIELDS>[] {
  const list = (a.identifiers ?? []) as { type: string; number: string }[];
  if (list.length) return list.flatMap((i) => (Object.hasOwn(IDENTIFIER_TYPE, i.type) ? [{ LoaiDinhDanh: IDENTIFIER_TYPE[i.type]!, SoDinhDanh: i.number }] : []));
  if (a.idNumber && /^\d{12}$/.test(a.idNumber)) return [{ LoaiDinhDanh: '1', SoDinhDanh: a.idNumber }];
  if (a.idNumber && /^\d{9}$/.test(a.idNumber)) return [{ LoaiDinhDanh: '2', SoDinhDanh: a.idNumber }];
  return [];
}

function summary(v: string | undefined): string {
  if (!v) return '';
  const chars = [...v];
  return chars.length > SUMMARY_MAX ? `${chars.slice(0, SUMMARY_MAX - 3).join('')}...` : v;
}

/** The status time of the move to 3 (the newest step with status 3); else finishedAt when the outcome is a refusal. */
function refusedAt(d: Dossier): string {
  const refusals = (d.steps ?? []).filter((x) => x.status === 3);
  if (refusals.length) return date(refusals.reduce((a, b) => ((parseRfc3339(b.at) ?? 0) >= (parseRfc3339(a.at) ?? 0) ? b : a)).at);
  return d.outcome === 'refused' ? date(d.finishedAt) : '';
}

const document = (x: Document): Fields<typeof DOCUMENT_FIELDS> => ({
  TepDinhKemId: '', TenTepDinhKem: x.name, MaThanhPhanHoSo: s(x.componentCode), DuongDanTaiTepTin: s(x.url), IsDeleted: 'False',
  DuocSoHoa: flag(x.digitised), DuocTaiSuDung: flag(x.reused), DuocLayTuKhoDMQG: flag(x.fromNationalStore), MaKetQuaThayThe: s(x.replacesResultCode),
});

/** The DongBoHoSoMC item. */
export function toDvcqg(d: Dossier): Record<string, unknown> {
  return item(d);
}

function item(d: Dossier): DvcqgItem {
  const a = d.applicant;
  return {
    MaHoSo: d.code,
    MaTTHC: d.procedure.code,
    TenTTHC: s(d.procedure.name),
    MaLinhVuc: s(d.procedure.sectorCode),
    TenLinhVuc: s(d.procedure.sectorName),
    SoBienNhan: s(d.receiptNumber),
    ChuHoSo: a.name,
    LoaiDoiTuong: APPLICANT_TYPE[a.type],
    MaDoiTuong: s(a.techId),
    SoGiayToChuHoSo: s(a.idNumber ?? (a.identifiers?.[0] as { number?: string } | undefined)?.number),
    DinhDanhCHS: identifiers(a),
    TaiKhoanDuocXacThucVoiVNeID: flag(a.vneidVerified),
    SoDienThoai: s(a.phone),
    Email: s(a.email),
    ThongTinKhac: '',
    Fax: '',
    GhiChu: '',
    ThongTinTra: '',
    TrichYeuHoSo: summary(d.summary),
    NgayNopHoSo: date(d.submittedAt ?? d.receivedAt),
    NgayTiepNhan: date(d.acceptedAt ?? d.receivedAt),
    NgayHenTra: date(d.dueAt),
    NgayKetThucXuLy: date(d.finishedAt),
    NgayTra: date(d.returnedAt),
    NgayTuChoi: refusedAt(d),
    TrangThaiHoSo: String(d.status),
    HinhThuc: d.returnMethod ? RETURN_METHOD[d.returnMethod] : '',
    KenhThucHien: CHANNEL[d.channel],
    NoiNopHoSo: '2',
    DonViXuLy: d.agency.name || d.agency.code,
    HoSoCoThanhPhanSoHoa: flag((d.documents ?? []).some((x) => x.digitised)),
    DuocThanhToanTrucTuyen: flag((d.fees ?? []).some((f) => f.onlinePaid)),
    TaiLieuNop: (d.documents ?? []).map(document),
    DanhSachLePhi: (d.fees ?? []).map((f): Fields<typeof FEE_FIELDS> => ({
      TenPhiLePhi: s(f.name), MaPhiLePhi: s(f.code), Gia: String(f.amount),
      // No public code list: "1" for online / lệ phí as the one implementation seen, "" otherwise (domain.md).
      HinhThucThu: f.method === 'online' ? '1' : '', LoaiPhiLePhi: f.kind === 'charge' ? '1' : '',
    })),
    DanhSachHoSoBoSung: (d.supplements ?? []).map((x, i): Supplement => ({
      HoSoBoSungId: String(i + 1), NguoiYeuCauBoSung: s(x.requestedBy), NoiDungBoSung: s(x.reason), NgayBoSung: date(x.requestedAt),
      NguoiTiepNhanBoSung: s(x.receivedBy), ThongTinTiepNhan: '', NgayTiepNhanBoSung: date(x.resubmittedAt), TrangThaiBoSung: x.resubmittedAt ? '1' : '0',
      DanhSachGiayToBoSung: (x.documents ?? []).map(document), DanhSachLePhiBoSung: [],
      NgayHenTraTruoc: date(x.previousDueAt), NgayHenTraMoi: date(x.newDueAt),
    })),
    DanhSachGiayToKetQua: (d.results ?? []).map((r): Fields<typeof RESULT_FIELDS> => ({
      GiayToId: '', TenGiayTo: r.name, MaThanhPhanHoSo: s(r.code), DuongDanTepTinKetQua: s(r.url), MaGiayToKetQua: s(r.resultCode),
    })),
    DanhSachTepDinhKemKhac: [],
    DSKetNoiCSDL: [],
  };
}

/** `?format=dvcqg-sync`: the item as the national call sends it; "False" at revision 1, "True" after. */
export function toDvcqgSync(d: Dossier): Record<string, unknown> {
  return { service: 'DongBoHoSoMC', isUpdating: d.revision > 1 ? 'True' : 'False', madonvi: d.agency.code, data: [toDvcqg(d)] };
}

const progress = (d: Dossier, x: Step): Fields<typeof PROGRESS_FIELDS> => ({
  MaHoSo: d.code, NguoiXuLy: [...s(x.actor)].slice(0, 50).join(''), ChucDanh: s(x.title), PhongBanXuLy: s(x.department), NoiDungXuLy: s(x.note),
  ThoiDiemXuLy: date(x.at), TrangThai: String(x.status), NgayBatDau: date(x.startedAt), NgayKetThucTheoQuyDinh: date(x.dueAt ?? x.deadlineAt),
});

/** `?format=dvcqg-progress`: one CapNhatTienDoHoSoMC item per step, oldest first. */
export function toDvcqgProgress(d: Dossier): Record<string, unknown> {
  return { service: 'CapNhatTienDoHoSoMC', madonvi: d.agency.code, data: (d.steps ?? []).map((x) => progress(d, x)) };
}

export const DVCQG_FORMATS = ['dvcqg', 'dvcqg-sync', 'dvcqg-progress'] as const;
export type DvcqgFormat = (typeof DVCQG_FORMATS)[number];

/** A dossier in a DVCQG form (the single read, and each item of the change feed for a period's export). */
export function dvcqgForm(format: DvcqgFormat, d: Dossier): Record<string, unknown> {
  if (format === 'dvcqg-sync') return toDvcqgSync(d);
  if (format === 'dvcqg-progress') return toDvcqgProgress(d);
  return toDvcqg(d);
}
