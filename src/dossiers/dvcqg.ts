// The national portal's DongBoHoSoMC item (domain.md): every value a string, "" when absent,
// dates yyyyMMddHHmmss in Asia/Ho_Chi_Minh.
import type { Dossier } from '../canonical/types.js';
import { formatCompact, parseRfc3339 } from '../util/time.js';

const APPLICANT_TYPE = { citizen: '1', business: '2', agency: '3', other: '4' } as const;
const CHANNEL = { in_person: '1', online: '2', postal: '3' } as const;
// No code for an electronic return is confirmed (domain.md): it goes out as "".
const RETURN_METHOD = { direct: '0', postal: '1', electronic: '' } as const;

const s = (v: unknown) => (v === undefined || v === null ? '' : String(v));
const date = (v: string | null | undefined) => {
  const t = v ? parseRfc3339(v) : null;
  return t === null ? '' : formatCompact(t);
};

export function toDvcqg(d: Dossier): Record<string, unknown> {
  return {
    MaHoSo: d.code,
    MaTTHC: d.procedure.code,
    TenTTHC: s(d.procedure.name),
    MaLinhVuc: s(d.procedure.sectorCode),
    TenLinhVuc: s(d.procedure.sectorName),
    SoBienNhan: s(d.receiptNumber),
    ChuHoSo: d.applicant.name,
    LoaiDoiTuong: APPLICANT_TYPE[d.applicant.type],
    SoGiayToChuHoSo: s(d.applicant.idNumber),
    SoDienThoai: s(d.applicant.phone),
    Email: s(d.applicant.email),
    TrichYeuHoSo: s(d.summary),
    NgayTiepNhan: date(d.receivedAt),
    NgayHenTra: date(d.dueAt),
    NgayKetThucXuLy: date(d.finishedAt),
    NgayTra: date(d.returnedAt),
    TrangThaiHoSo: String(d.status),
    HinhThuc: d.returnMethod ? RETURN_METHOD[d.returnMethod] : '',
    KenhThucHien: CHANNEL[d.channel],
    DonViXuLy: s(d.agency.name),
    TaiLieuNop: (d.documents ?? []).map((x) => ({
      TenTepDinhKem: x.name, MaThanhPhanHoSo: s(x.componentCode), DuongDanTaiTepTin: s(x.url), IsDeleted: 'False',
    })),
    DanhSachLePhi: (d.fees ?? []).map((f) => ({ TenPhiLePhi: s(f.name), MaPhiLePhi: s(f.code), Gia: String(f.amount) })),
    DanhSachHoSoBoSung: (d.supplements ?? []).map((x) => ({
      NgayBoSung: date(x.requestedAt), NoiDungBoSung: s(x.reason), NgayTiepNhanBoSung: date(x.resubmittedAt),
      NgayHenTraTruoc: date(x.previousDueAt), NgayHenTraMoi: date(x.newDueAt),
    })),
    DanhSachGiayToKetQua: (d.results ?? []).map((r) => ({ TenGiayTo: r.name, MaThanhPhanHoSo: s(r.code), DuongDanTepTinKetQua: s(r.url) })),
  };
}
