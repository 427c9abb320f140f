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
