// Canonical JSON Pointer (from schema validation) → the element the department wrote, so a 422 names its own field.
import type { Operation } from './codes.js';

const ENVELOPE_BODY = '/Envelope/Body';

const HOSO: Readonly<Record<string, string>> = {
  '/code': 'MaHoSoQuocGia',
  '/altCodes': 'MaHoSo',
  '/procedure': 'MaThuTuc',
  '/procedure/code': 'MaThuTuc',
  '/procedure/name': 'TenThuTuc',
  '/agency': 'MaDonVi',
  '/agency/code': 'MaDonVi',
  '/agency/name': 'TenDonVi',
  '/agency/level': 'MaDonVi',
  '/applicant': 'NguoiNop',
  '/applicant/type': 'NguoiNop/LoaiDoiTuong',
  '/applicant/name': 'NguoiNop/HoTen',
  '/applicant/idNumber': 'NguoiNop/SoGiayTo',
  '/applicant/phone': 'NguoiNop/DienThoai',
  '/applicant/email': 'NguoiNop/Email',
  '/applicant/address': 'NguoiNop/DiaChi',
  '/summary': 'TrichYeu',
  '/channel': 'KenhNop',
  '/receivedAt': 'NgayNhan',
  '/dueAt': 'NgayHenTra',
  '/status': 'TrangThai',
  '/documents': 'TepDinhKem',
  '/fees': 'PhiLePhi',
  '/steps': 'QuaTrinhXuLy',
  '/extensions': 'CongTrinh',
  '/extensions/xayDung': 'CongTrinh',
  '/extensions/xayDung/building': 'CongTrinh',
  '/extensions/xayDung/building/type': 'CongTrinh/LoaiCongTrinh',
  '/extensions/xayDung/building/location': 'CongTrinh/DiaDiem',
  '/extensions/xayDung/building/floorArea': 'CongTrinh/DienTichSan',
  '/extensions/xayDung/building/floors': 'CongTrinh/SoTang',
};

/** Canonical lists and the container/item/fields the department writes them with. */
const LISTS: Readonly<Record<string, [container: string, item: string, fields: Readonly<Record<string, string>>]>> = {
  documents: ['TepDinhKem', 'Tep', { name: 'TenTep', url: 'DuongDan', componentCode: 'MaThanhPhan' }],
  fees: ['PhiLePhi', 'Phi', { code: 'MaPhi', name: 'TenPhi', amount: 'SoTien' }],
  steps: ['QuaTrinhXuLy', 'Buoc', { at: 'ThoiGian', status: 'TrangThai', actor: 'NguoiXuLy', department: 'PhongBan', note: 'NoiDung' }],
};

const CAP_NHAT: Readonly<Record<string, string>> = {
  '/code': 'MaHoSo',
  '/altCodes': 'MaHoSo',
  '/status': 'TrangThai',
  '/dueAt': 'NgayHenTraMoi',
  '/steps': 'ThoiGian',
  '/steps/0': 'ThoiGian',
  '/steps/0/at': 'ThoiGian',
  '/steps/0/status': 'TrangThai',
  '/steps/0/actor': 'NguoiXuLy',
  '/steps/0/note': 'NoiDung',
};

const LIST_POINTER = /^\/(documents|fees|steps)\/(\d+)(?:\/([^/]+))?/;

/** The longest mapped prefix of the pointer, or '' (the operation's own element) when none is mapped. */
function lookup(table: Readonly<Record<string, string>>, pointer: string): string {
  for (let p = pointer; p !== ''; p = p.slice(0, p.lastIndexOf('/'))) {
    const hit = table[p];
    if (hit !== undefined && Object.hasOwn(table, p)) return `/${hit}`;
  }
  return '';
}

function hoSoPath(pointer: string): string {
  const m = LIST_POINTER.exec(pointer);
  if (m) {
    const [container, item, fields] = LISTS[m[1]!]!;
    const field = m[3] !== undefined && Object.hasOwn(fields, m[3]) ? `/${fields[m[3]]}` : '';
    return `/${container}/${item}/${m[2]}${field}`;
  }
  return lookup(HOSO, pointer);
}

export function nativePathFor(operation: Operation): (pointer: string) => string {
  const base = `${ENVELOPE_BODY}/${operation}`;
  switch (operation) {
    case 'TiepNhanHoSo':
      return (pointer) => `${base}/HoSo${hoSoPath(pointer)}`;
    case 'CapNhatTrangThai':
      return (pointer) => `${base}${lookup(CAP_NHAT, pointer)}`;
    case 'TraCuuHoSo':
      return () => `${base}/MaHoSo`;
  }
}
