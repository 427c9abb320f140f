// Vietnamese by default, English second; numbers and dates the Vietnamese way in both (vi-VN formats).
export type Lang = 'vi' | 'en';
const VI = {
  title: 'Bảng điều khiển LGSP', signIn: 'Đăng nhập', signOut: 'Đăng xuất', token: 'Mã quản trị (admin token)',
  overview: 'Tổng quan', systems: 'Hệ thống', system: 'Hệ thống', state: 'Trạng thái', lastSeen: 'Lần cuối kết nối',
  today: 'Hồ sơ hôm nay', errorRate: 'Tỷ lệ lỗi', pending: 'Chờ gửi', failed: 'Gửi lỗi', mailbox: 'Hộp thư',
  store: 'Kho dữ liệu', broker: 'Máy chủ hàng đợi', outbox: 'Hàng đợi outbox', oldest: 'cũ nhất', seconds: 'giây',
  refreshed: 'Cập nhật lúc', language: 'English', name: 'Tên', adapter: 'Bộ chuyển đổi', error: 'Lỗi', never: 'chưa',
  sessionEnded: 'Phiên làm việc đã kết thúc, vui lòng đăng nhập lại.',
  keyOnce: 'Khóa API chỉ hiển thị một lần, hãy sao chép ngay cho hệ thống', copy: 'Sao chép', rotate: 'Đổi khóa', retire: 'Ngừng hoạt động',
  register: 'Đăng ký hệ thống', agencies: 'Mã đơn vị (cách nhau bởi dấu phẩy)', deadLetters: 'Thư lỗi', replay: 'Gửi lại', discard: 'Hủy bỏ',
  dossier: 'Hồ sơ', reason: 'Lý do', attempts: 'Số lần thử', lastResponse: 'Phản hồi cuối', failedAt: 'Thời điểm lỗi', pick: 'Chọn',
  audit: 'Nhật ký', chainOk: 'Chuỗi băm hợp lệ', chainBad: 'Chuỗi băm bị hỏng', actor: 'Người thực hiện', action: 'Hành động', time: 'Thời gian', target: 'Đối tượng', from: 'Địa chỉ',
  stats: 'Thống kê', groupBy: 'Nhóm theo', byAgency: 'Theo đơn vị', byMonth: 'Theo tháng', byProcedure: 'Theo thủ tục', fromDate: 'Từ ngày', toDate: 'Đến ngày',
  agencyCode: 'Mã đơn vị', procedureCode: 'Mã thủ tục', csv: 'Tải CSV', total: 'Tổng số',
  early: 'Trước hạn', onTime: 'Đúng hạn', late: 'Trễ hạn', inProgress: 'Đang xử lý', overdue: 'Quá hạn',
  mapping: 'Ánh xạ', mappingEditor: 'Trình soạn ánh xạ', newMappingSystem: 'Hệ thống ánh xạ mới', mappingDoc: 'Tài liệu ánh xạ (JSON)',
  payload: 'Dữ liệu mẫu', contentType: 'Kiểu nội dung', dryRun: 'Chạy thử', dryRunResult: 'Kết quả chạy thử', valid: 'Hợp lệ theo lược đồ',
  invalidJson: 'JSON không hợp lệ', schemaErrors: 'Lỗi theo lược đồ', itemOk: 'Mục hợp lệ', itemErrors: 'Mục có lỗi', item: 'Mục',
  code: 'Mã lỗi', canonicalField: 'Trường chuẩn', nativePath: 'Đường dẫn gốc', rule: 'Quy tắc', message: 'Thông báo', value: 'Giá trị',
  change: 'Thay đổi chuẩn hóa', unread: 'Trường gốc chưa đọc', none: 'không có', encoded: 'Bản mã hóa lại', roundTrip: 'Khứ hồi',
  refused: 'Bị từ chối toàn bộ', warnings: 'Cảnh báo', note: 'Ghi chú', saveVersion: 'Lưu thành phiên bản mới', versions: 'Các phiên bản',
  version: 'Phiên bản', active: 'đang dùng', activate: 'Kích hoạt', rollBack: 'Quay lại phiên bản này', createdAt: 'Tạo lúc', createdBy: 'Người tạo',
  diff: 'So sánh phiên bản', compare: 'So sánh', samples: 'Mẫu đã duyệt', sampleName: 'Tên mẫu', approveSample: 'Duyệt mẫu', reapprove: 'Duyệt lại',
  reproduces: 'Tái lập', yes: 'có', no: 'không', saved: 'Đã lưu', registered: 'Đã đăng ký', level: 'Cấp', role: 'Vai trò',
  province: 'Tỉnh', commune: 'Xã', source: 'Nguồn', platform: 'Nền tảng', delivery: 'Phương thức gửi', url: 'Địa chỉ nhận (URL)',
  openEditor: 'Mở trình soạn ánh xạ', edit: 'Sửa', editSystem: 'Sửa hệ thống', save: 'Lưu', mergePatch: 'Bản vá JSON (merge patch)', apply: 'Áp dụng',
  confirmRetire: 'Xác nhận ngừng hoạt động', overlap: 'Thời gian chồng lấn (giây)', keys: 'Khóa API', validUntil: 'Hiệu lực đến', lastUsed: 'Dùng lần cuối',
  certificates: 'Chứng thư số', csr: 'Yêu cầu cấp chứng thư (CSR, PEM)', validDays: 'Số ngày hiệu lực', issue: 'Cấp chứng thư', revoke: 'Thu hồi',
  serial: 'Số hiệu', notBefore: 'Từ', notAfter: 'Đến', fingerprint: 'Dấu vân tay SHA-256', revokedAt: 'Thu hồi lúc', certOnce: 'Chứng thư vừa cấp',
  dossiers: 'Tra cứu hồ sơ', lookup: 'Tra cứu', lookupLabel: 'Mã hồ sơ hoặc số hồ sơ của đơn vị', anySystem: 'mọi hệ thống', canonical: 'Hồ sơ chuẩn',
  timeline: 'Dòng thời gian', revision: 'Lần sửa', type: 'Loại', at: 'Thời điểm', decodedBy: 'Giải mã bởi', deliveries: 'Lượt gửi', verdict: 'Kết quả',
  dvcqg: 'Dạng Cổng DVC quốc gia (DongBoHoSoMC)', receipt: 'Biên nhận', procedure: 'Thủ tục', agency: 'Đơn vị', applicant: 'Người nộp', status: 'Trạng thái hồ sơ',
  rollout: 'Lộ trình kết nối', order: 'Thứ tự', department: 'Sở, ban, ngành', targetDate: 'Hạn kết nối (ngày/tháng/năm)', successor: 'Đơn vị kế thừa', traffic: 'Lưu lượng',
  accepted: 'nhận', refusedN: 'từ chối', conformance: 'Báo cáo tuân thủ', check: 'Tiêu chí', result: 'Kết quả', pass: 'Đạt', fail: 'Không đạt', pendingState: 'Chờ',
  updateEntry: 'Cập nhật mục', systemId: 'Mã hệ thống', windowDays: 'ngày gần nhất', close: 'Đóng',
  refresh: 'Làm mới', confirmRetireOf: 'Ngừng hoạt động hệ thống', statusActive: 'đang hoạt động', statusRetired: 'đã ngừng',
};
const EN: typeof VI = {
  title: 'LGSP console', signIn: 'Sign in', signOut: 'Sign out', token: 'Administrator token',
  overview: 'Overview', systems: 'Systems', system: 'System', state: 'State', lastSeen: 'Last seen',
  today: 'Dossiers today', errorRate: 'Error rate', pending: 'Pending', failed: 'Failed', mailbox: 'Mailbox',
  store: 'Store', broker: 'Broker', outbox: 'Outbox backlog', oldest: 'oldest', seconds: 's',
  refreshed: 'Refreshed at', language: 'Tiếng Việt', name: 'Name', adapter: 'Adapter', error: 'Error', never: 'never',
  sessionEnded: 'The session has ended: sign in again.',
  keyOnce: 'The API key is shown this once: copy it now for the system', copy: 'Copy', rotate: 'Rotate key', retire: 'Retire',
  register: 'Register a system', agencies: 'Agency codes (comma-separated)', deadLetters: 'Dead letters', replay: 'Replay', discard: 'Discard',
  dossier: 'Dossier', reason: 'Reason', attempts: 'Attempts', lastResponse: 'Last response', failedAt: 'Failed at', pick: 'Select',
  audit: 'Audit', chainOk: 'Hash chain verified', chainBad: 'Hash chain broken', actor: 'Actor', action: 'Action', time: 'Time', target: 'Target', from: 'From',
  stats: 'Statistics', groupBy: 'Group by', byAgency: 'By agency', byMonth: 'By month', byProcedure: 'By procedure', fromDate: 'From', toDate: 'To',
  agencyCode: 'Agency code', procedureCode: 'Procedure code', csv: 'Download CSV', total: 'Total',
  early: 'Early', onTime: 'On time', late: 'Late', inProgress: 'In progress', overdue: 'Overdue',
  mapping: 'Mapping', mappingEditor: 'Mapping editor', newMappingSystem: 'New mapping system', mappingDoc: 'Mapping document (JSON)',
  payload: 'Sample payload', contentType: 'Content type', dryRun: 'Dry-run', dryRunResult: 'Dry-run result', valid: 'Valid against the schema',
  invalidJson: 'Not valid JSON', schemaErrors: 'Schema errors', itemOk: 'Item ok', itemErrors: 'Item with errors', item: 'Item',
  code: 'Code', canonicalField: 'Canonical field', nativePath: 'Native path', rule: 'Rule', message: 'Message', value: 'Value',
  change: 'Canonical change', unread: 'Unread native fields', none: 'none', encoded: 'Re-encoded preview', roundTrip: 'Round trip',
  refused: 'Refused as a whole', warnings: 'Warnings', note: 'Note', saveVersion: 'Save as a new version', versions: 'Versions',
  version: 'Version', active: 'active', activate: 'Activate', rollBack: 'Roll back to this version', createdAt: 'Created at', createdBy: 'Created by',
  diff: 'Diff between versions', compare: 'Compare', samples: 'Approved samples', sampleName: 'Sample name', approveSample: 'Approve sample', reapprove: 'Re-approve',
  reproduces: 'Reproduces', yes: 'yes', no: 'no', saved: 'Saved', registered: 'Registered', level: 'Level', role: 'Role',
  province: 'Province', commune: 'Commune', source: 'Source', platform: 'Platform', delivery: 'Delivery', url: 'Delivery URL',
  openEditor: 'Open the mapping editor', edit: 'Edit', editSystem: 'Edit system', save: 'Save', mergePatch: 'JSON merge patch', apply: 'Apply',
  confirmRetire: 'Confirm retirement', overlap: 'Overlap (seconds)', keys: 'API keys', validUntil: 'Valid until', lastUsed: 'Last used',
  certificates: 'Certificates', csr: 'Certificate signing request (CSR, PEM)', validDays: 'Days valid', issue: 'Issue certificate', revoke: 'Revoke',
  serial: 'Serial', notBefore: 'From', notAfter: 'To', fingerprint: 'SHA-256 fingerprint', revokedAt: 'Revoked at', certOnce: 'Certificate issued',
  dossiers: 'Dossier lookup', lookup: 'Look up', lookupLabel: 'Dossier code or the department\'s local number', anySystem: 'any system', canonical: 'Canonical dossier',
  timeline: 'Timeline', revision: 'Revision', type: 'Type', at: 'At', decodedBy: 'Decoded by', deliveries: 'Deliveries', verdict: 'Verdict',
  dvcqg: 'National portal view (DongBoHoSoMC)', receipt: 'Receipt', procedure: 'Procedure', agency: 'Agency', applicant: 'Applicant', status: 'Dossier status',
  rollout: 'Rollout', order: 'Order', department: 'Department', targetDate: 'Target date', successor: 'Successor', traffic: 'Traffic',
  accepted: 'accepted', refusedN: 'refused', conformance: 'Conformance report', check: 'Check', result: 'Result', pass: 'Pass', fail: 'Fail', pendingState: 'Pending',
  updateEntry: 'Update entry', systemId: 'System id', windowDays: 'last days', close: 'Close',
  refresh: 'Refresh', confirmRetireOf: 'Retire the system', statusActive: 'active', statusRetired: 'retired',
};
export type Key = keyof typeof VI;
export const texts = (lang: Lang) => (lang === 'vi' ? VI : EN);

const num = new Intl.NumberFormat('vi-VN');
export const formatNumber = (n: number) => num.format(n);
export const formatPercent = (r: number | null) => (r === null ? '—' : `${new Intl.NumberFormat('vi-VN', { maximumFractionDigits: 1 }).format(r * 100)} %`);
/** `27/11/2026 08:15`, in the hub's time zone whatever the browser's. */
export function formatDateTime(iso: string | null): string {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const p = new Intl.DateTimeFormat('vi-VN', { timeZone: 'Asia/Ho_Chi_Minh', day: '2-digit', month: '2-digit', year: 'numeric', hour: '2-digit', minute: '2-digit', hour12: false }).formatToParts(d);
  const g = (t: string) => p.find((x) => x.type === t)?.value ?? '';
  return `${g('day')}/${g('month')}/${g('year')} ${g('hour')}:${g('minute')}`;
}
/** `2015-07-31` → `31/07/2015`. */
export function formatDate(ymd: string | null): string {
  if (!ymd) return '—';
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(ymd);
  return m ? `${m[3]}/${m[2]}/${m[1]}` : ymd;
}
/** A system's status in the page's language. */
export const statusText = (lang: Lang, s: string) => (s === 'active' ? texts(lang).statusActive : s === 'retired' ? texts(lang).statusRetired : s);
/** dd/mm/yyyy (what the forms take) → yyyy-MM-dd (what the API takes); anything else as typed, for the API to name. */
export function isoDate(vn: string): string {
  const m = /^\s*(\d{1,2})\/(\d{1,2})\/(\d{4})\s*$/.exec(vn);
  return m ? `${m[3]}-${m[2]!.padStart(2, '0')}-${m[1]!.padStart(2, '0')}` : vn.trim();
}
