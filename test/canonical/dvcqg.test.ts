// The DVCQG export (domain.md "DVCQG dossier item"): a full dossier, field by field against the spec's table, the
// sync envelope, the progress items, and the same forms over HTTP (one dossier and the change feed of a period).
import t from 'tap';
import type { Dossier } from '../../src/canonical/types.js';
import { toDvcqg, toDvcqgProgress, toDvcqgSync } from '../../src/dossiers/dvcqg.js';
import { startHub, dossier } from '../helpers/hub.js';

const doc = { name: 'Giấy chứng sinh', componentCode: 'TP01', url: 'https://dvc.example/a.pdf', digitised: true, reused: false, fromNationalStore: true, replacesResultCode: 'KQ.01' };
const full: Dossier = {
  code: '000.12.34.H12-261130-0012',
  receiptNumber: 'TA-2026-000131',
  procedure: { code: '1.001612', name: 'Đăng ký khai sinh', sectorCode: 'HT', sectorName: 'Hộ tịch' },
  agency: { code: '000.12.34.H12', name: 'UBND xã Tân An', level: 'commune', kind: 'xa' },
  applicant: {
    type: 'business', name: 'Lê Thị Mai', idNumber: '079195012345', phone: '0905111222', email: 'mai@example.vn', techId: 'dvcqg-42',
    identifiers: [{ type: 'cccd', number: '079195012345' }, { type: 'tax', number: '0312345678' }, { type: 'cmnd', number: '024123456' }], vneidVerified: true,
  },
  summary: 'x'.repeat(1200),
  channel: 'online',
  returnMethod: 'postal',
  submittedAt: '2026-11-29T21:05:00+07:00',
  receivedAt: '2026-11-30T08:40:00+07:00',
  acceptedAt: '2026-11-30T09:00:00+07:00',
  dueAt: '2026-12-07T08:40:00+07:00',
  finishedAt: '2026-12-04T10:00:00+07:00',
  returnedAt: '2026-12-04T15:00:00+07:00',
  status: 10,
  documents: [doc, { name: 'Tờ khai' }],
  fees: [
    { code: 'LP', name: 'Lệ phí', amount: 8000, kind: 'charge', method: 'online', onlinePaid: true, paid: true },
    { name: 'Phí', amount: 2000, kind: 'fee', method: 'direct' },
  ],
  supplements: [
    { requestedAt: '2026-11-30T10:00:00+07:00', reason: 'Thiếu tờ khai', requestedBy: 'Phạm Thị Hoa', resubmittedAt: '2026-12-01T08:00:00+07:00', receivedBy: 'Trần Văn Công', documents: [doc], previousDueAt: '2026-12-07T08:40:00+07:00', newDueAt: '2026-12-08T08:00:00+07:00' },
    { requestedAt: '2026-12-02T10:00:00+07:00' },
  ],
  results: [{ name: 'Giấy khai sinh', code: 'KQ01', url: 'https://dvc.example/kq.pdf', resultCode: 'KQ.1.001612', signed: true, electronic: true }],
  steps: [
    { at: '2026-11-30T08:40:00+07:00', status: 2, actor: 'Phạm Thị Hoa', title: 'Chuyên viên', department: 'Bộ phận một cửa', note: 'Tiếp nhận' },
    { at: '2026-11-30T08:50:00+07:00', status: 4, actor: 'N'.repeat(60), startedAt: '2026-11-30T08:50:00+07:00', dueAt: '2026-12-07T08:40:00+07:00' },
  ],
  revision: 3,
  updatedAt: '2026-12-04T15:00:00+07:00',
  routing: { origin: 'undp-xa-tan-an', holder: 'undp-xa-tan-an', transfers: [] },
} as Dossier;

const taiLieu = {
  TepDinhKemId: '', TenTepDinhKem: 'Giấy chứng sinh', MaThanhPhanHoSo: 'TP01', DuongDanTaiTepTin: 'https://dvc.example/a.pdf', IsDeleted: 'False',
  DuocSoHoa: '1', DuocTaiSuDung: '0', DuocLayTuKhoDMQG: '1', MaKetQuaThayThe: 'KQ.01',
};

t.test('a full dossier gives every field of the DongBoHoSoMC table', async (t) => {
  const item = toDvcqg(full);
  const expected: Record<string, unknown> = {
    MaHoSo: '000.12.34.H12-261130-0012', MaTTHC: '1.001612', TenTTHC: 'Đăng ký khai sinh', MaLinhVuc: 'HT', TenLinhVuc: 'Hộ tịch',
    SoBienNhan: 'TA-2026-000131', ChuHoSo: 'Lê Thị Mai', LoaiDoiTuong: '2', MaDoiTuong: 'dvcqg-42', SoGiayToChuHoSo: '079195012345',
    DinhDanhCHS: [{ LoaiDinhDanh: '1', SoDinhDanh: '079195012345' }, { LoaiDinhDanh: '2', SoDinhDanh: '024123456' }],
    TaiKhoanDuocXacThucVoiVNeID: '1', SoDienThoai: '0905111222', Email: 'mai@example.vn',
    ThongTinKhac: '', Fax: '', GhiChu: '', ThongTinTra: '',
    TrichYeuHoSo: `${'x'.repeat(997)}...`,
    NgayNopHoSo: '20261129210500', NgayTiepNhan: '20261130090000', NgayHenTra: '20261207084000',
    NgayKetThucXuLy: '20261204100000', NgayTra: '20261204150000', NgayTuChoi: '',
    TrangThaiHoSo: '10', HinhThuc: '1', KenhThucHien: '2', NoiNopHoSo: '2', DonViXuLy: 'UBND xã Tân An',
    HoSoCoThanhPhanSoHoa: '1', DuocThanhToanTrucTuyen: '1',
    TaiLieuNop: [taiLieu, { TepDinhKemId: '', TenTepDinhKem: 'Tờ khai', MaThanhPhanHoSo: '', DuongDanTaiTepTin: '', IsDeleted: 'False', DuocSoHoa: '0', DuocTaiSuDung: '0', DuocLayTuKhoDMQG: '0', MaKetQuaThayThe: '' }],
    DanhSachLePhi: [
      { TenPhiLePhi: 'Lệ phí', MaPhiLePhi: 'LP', Gia: '8000', HinhThucThu: '1', LoaiPhiLePhi: '1' },
      { TenPhiLePhi: 'Phí', MaPhiLePhi: '', Gia: '2000', HinhThucThu: '', LoaiPhiLePhi: '' },
    ],
    DanhSachHoSoBoSung: [
      {
        HoSoBoSungId: '1', NguoiYeuCauBoSung: 'Phạm Thị Hoa', NoiDungBoSung: 'Thiếu tờ khai', NgayBoSung: '20261130100000', NguoiTiepNhanBoSung: 'Trần Văn Công',
        ThongTinTiepNhan: '', NgayTiepNhanBoSung: '20261201080000', TrangThaiBoSung: '1', DanhSachGiayToBoSung: [taiLieu], DanhSachLePhiBoSung: [],
        NgayHenTraTruoc: '20261207084000', NgayHenTraMoi: '20261208080000',
      },
      {
        HoSoBoSungId: '2', NguoiYeuCauBoSung: '', NoiDungBoSung: '', NgayBoSung: '20261202100000', NguoiTiepNhanBoSung: '', ThongTinTiepNhan: '',
        NgayTiepNhanBoSung: '', TrangThaiBoSung: '0', DanhSachGiayToBoSung: [], DanhSachLePhiBoSung: [], NgayHenTraTruoc: '', NgayHenTraMoi: '',
      },
    ],
    DanhSachGiayToKetQua: [{ GiayToId: '', TenGiayTo: 'Giấy khai sinh', MaThanhPhanHoSo: 'KQ01', DuongDanTepTinKetQua: 'https://dvc.example/kq.pdf', MaGiayToKetQua: 'KQ.1.001612' }],
    DanhSachTepDinhKemKhac: [],
    DSKetNoiCSDL: [],
  };
  for (const [field, value] of Object.entries(expected)) t.same(item[field], value, field);
  t.same(Object.keys(item).sort(), Object.keys(expected).sort(), 'no field more, no field less');
  const strings = (v: unknown): boolean => (Array.isArray(v) ? v.every(strings) : v && typeof v === 'object' ? Object.values(v).every(strings) : typeof v === 'string');
  t.ok(strings(item), 'every value a string');
});

t.test('absent values: "" and []; defaults of the table', async (t) => {
  const bare = { ...full, summary: undefined, submittedAt: undefined, acceptedAt: undefined, documents: undefined, fees: undefined, supplements: undefined, results: undefined, returnMethod: 'electronic', outcome: 'refused', agency: { code: '000.12.34.H12', level: 'commune' }, applicant: { type: 'citizen', name: 'A', idNumber: '024123456' } } as unknown as Dossier;
  const item = toDvcqg(bare);
  t.match(item, {
    TrichYeuHoSo: '', NgayNopHoSo: '20261130084000', NgayTiepNhan: '20261130084000', HinhThuc: '', DonViXuLy: '000.12.34.H12', NgayTuChoi: '20261204100000',
    SoGiayToChuHoSo: '024123456', DinhDanhCHS: [{ LoaiDinhDanh: '2', SoDinhDanh: '024123456' }], TaiKhoanDuocXacThucVoiVNeID: '0', MaDoiTuong: '',
    HoSoCoThanhPhanSoHoa: '0', DuocThanhToanTrucTuyen: '0', TaiLieuNop: [], DanhSachLePhi: [], DanhSachHoSoBoSung: [], DanhSachGiayToKetQua: [],
  });
  const refused = toDvcqg({ ...bare, status: 3, steps: [{ at: '2026-11-30T08:45:00+07:00', status: 3 }] } as Dossier);
  t.equal(refused.NgayTuChoi, '20261130084500', 'the status time of the move to 3');
});

t.test('the sync envelope and the progress items', async (t) => {
  t.same(Object.keys(toDvcqgSync(full)), ['service', 'isUpdating', 'madonvi', 'data']);
  t.match(toDvcqgSync(full), { service: 'DongBoHoSoMC', isUpdating: 'True', madonvi: '000.12.34.H12', data: [{ MaHoSo: full.code }] });
  t.equal(toDvcqgSync({ ...full, revision: 1 }).isUpdating, 'False', 'revision 1');
  const p = toDvcqgProgress(full);
  t.match(p, { service: 'CapNhatTienDoHoSoMC', madonvi: '000.12.34.H12' });
  t.same(p.data, [
    { MaHoSo: full.code, NguoiXuLy: 'Phạm Thị Hoa', ChucDanh: 'Chuyên viên', PhongBanXuLy: 'Bộ phận một cửa', NoiDungXuLy: 'Tiếp nhận', ThoiDiemXuLy: '20261130084000', TrangThai: '2', NgayBatDau: '', NgayKetThucTheoQuyDinh: '' },
    { MaHoSo: full.code, NguoiXuLy: 'N'.repeat(50), ChucDanh: '', PhongBanXuLy: '', NoiDungXuLy: '', ThoiDiemXuLy: '20261130085000', TrangThai: '4', NgayBatDau: '20261130085000', NgayKetThucTheoQuyDinh: '20261207084000' },
  ]);
});

t.test('over HTTP: ?format= on one dossier and on the change feed (a period\'s export)', async (t) => {
  const hub = await startHub();
  t.teardown(() => hub.close());
  const key = await hub.register({ id: 'tnmt', agencies: ['000.00.15.H12'] });
  t.equal((await hub.post('tnmt', key, dossier())).statusCode, 202);
  const code = '000.00.15.H12-261127-0007';
  t.equal((await hub.get(`/v1/dossiers/${code}?format=dvcqg`, key)).json().MaHoSo, code);
  t.match((await hub.get(`/v1/dossiers/${code}?format=dvcqg-sync`, key)).json(), { service: 'DongBoHoSoMC', isUpdating: 'False', madonvi: '000.00.15.H12', data: [{ MaHoSo: code }] });
  t.match((await hub.get(`/v1/dossiers/${code}?format=dvcqg-progress`, key)).json(), { service: 'CapNhatTienDoHoSoMC', data: [{ MaHoSo: code, TrangThai: '2' }] });
  const feed = (await hub.get('/v1/dossiers?updatedSince=2026-01-01T00:00:00%2B07:00&format=dvcqg-sync', key)).json();
  t.match(feed.items, [{ service: 'DongBoHoSoMC', data: [{ MaHoSo: code }] }]);
  t.type(feed.nextCursor, 'string');
  t.equal((await hub.get('/v1/dossiers?format=xml', key)).statusCode, 400);
});
