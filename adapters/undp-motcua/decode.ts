// UNDP shared one-stop JSON → one canonical change (legacy/undp.md). Loose PHP JSON: numbers where strings are
// expected are read as their decimal text; empty strings and null mean absent for optional fields.
import type { DecodeResult, DecodedItem, InboundRequest } from '../kit/contract.js';
import { AdapterError } from '../kit/contract.js';
import { parseJsonBody, parseJsonText, isPlainObject } from '../kit/json.js';
import { decodeUtf8 } from '../kit/bytes.js';
import type { Dossier, DossierChange, Level, ApplicantType } from '../../src/canonical/types.js';
import type { ErrorCode } from '../../src/errors.js';
import { digitsOnly, foldForMatch, normaliseText } from '../../src/util/text.js';
import { fromLocalParts, parseClock, formatVn } from '../../src/util/time.js';
import { forbiddenCharErrors } from '../../src/dossiers/normalise.js';

/** Status rows: the first text of each row is the one the hub writes (encode). */
export const STATUS_ROWS: ReadonlyArray<readonly [number, readonly string[]]> = [
  [1, ['Mới tiếp nhận']], [2, ['Đã tiếp nhận']], [3, ['Không tiếp nhận', 'Từ chối']],
  [4, ['Đang giải quyết', 'Đang xử lý']], [5, ['Chờ bổ sung', 'Bổ sung hồ sơ']],
  [6, ['Chờ nộp phí', 'Chờ thực hiện nghĩa vụ tài chính']], [7, ['Công dân rút hồ sơ', 'Rút hồ sơ']],
  [8, ['Tạm dừng', 'Dừng xử lý']], [9, ['Đã giải quyết', 'Có kết quả']], [10, ['Đã trả kết quả']],
];
const STATUS_BY_TEXT = new Map(STATUS_ROWS.flatMap(([code, texts]) => texts.map((t) => [foldForMatch(t), code] as const)));

type Kind = NonNullable<Dossier['agency']['kind']>;
/** `don_vi.cap` (undp.md): a province, a commune-level unit of each kind, or a district of the three-tier past. */
export const CAP_IN: Readonly<Record<string, { level: Level; kind?: Kind }>> = {
  tinh: { level: 'province' }, xa: { level: 'commune', kind: 'xa' }, phuong: { level: 'commune', kind: 'phuong' },
  dac_khu: { level: 'commune', kind: 'dac_khu' }, huyen: { level: 'district' },
};
/** What the hub writes in `cap`: the commune's kind (`xa` when it has none), `tinh`, or `huyen` for a pre-2025 district. */
export const capOut = (a: { level: Level; kind?: Kind }): string => (a.level === 'province' ? 'tinh' : a.level === 'district' ? 'huyen' : a.kind ?? 'xa');
export const APPLICANT_IN: Readonly<Record<string, ApplicantType>> = { cong_dan: 'citizen', doanh_nghiep: 'business', to_chuc: 'other', co_quan: 'agency' };
export const FEE_NAME = 'Lệ phí';

const own = <T>(table: Readonly<Record<string, T>>, key: string): T | undefined => (Object.hasOwn(table, key) ? table[key] : undefined);

const fail = (code: ErrorCode, path: string, message: string): never => {
  throw new AdapterError(code, `${message}: ${path}`, [{ path, message }]);
};

/** A text field: string or number → string; null, absent or blank → undefined; anything else is refused. */
function str(obj: Record<string, unknown>, key: string, path: string): string | undefined {
  const v = obj[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  if (typeof v !== 'string') return fail('HUB_VALIDATION', path, `${key} must be a string`);
  return normaliseText(v) === '' ? undefined : v;
}
const req = (obj: Record<string, unknown>, key: string, path: string): string =>
  str(obj, key, path) ?? fail('HUB_VALIDATION', path, `required field ${key} is missing`);

/** d/M/yyyy plus an optional HH:mm; `hour` is used when the time is absent. */
function date(day: string, path: string, clock: { hour: number; minute: number }): string {
  const m = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(day.trim());
  const ms = m ? fromLocalParts({ day: +m[1]!, month: +m[2]!, year: +m[3]!, hour: clock.hour, minute: clock.minute, second: 0, ms: 0 }) : null;
  return ms === null ? fail('HUB_DATE_INVALID', path, `"${day}" is not a valid d/M/yyyy date`) : formatVn(ms);
}

/** `don_vi.cap` absent: commune (the software runs only at communes now); the registry gives its kind. */
function levelOf(cap: string | undefined): { level: Level; kind?: Kind } {
  if (cap === undefined) return { level: 'commune' };
  return own(CAP_IN, foldForMatch(cap).replace(/\s+/g, '_')) ?? fail('HUB_VALIDATION', '/don_vi/cap', `cap "${cap}" is not tinh, xa, phuong, dac_khu or huyen`);
}

function fee(value: unknown): number | undefined {
  if (value === undefined || value === null || value === '' || value === 0) return undefined;
  const text = typeof value === 'number' ? String(value) : typeof value === 'string' ? value.trim() : '';
  if (!/^\d{1,16}$/.test(text)) return fail('HUB_VALIDATION', '/le_phi', `le_phi "${String(value)}" is not a whole number of đồng`);
  const amount = Number(text);
  return amount === 0 ? undefined : amount;
}

function mapBody(v: Record<string, unknown>, systemId: string): NonNullable<DecodedItem['op']> {
  const localCode = req(v, 'so_ho_so', '/so_ho_so');
  const national = str(v, 'ma_ho_so_qg', '/ma_ho_so_qg');
  const change: DossierChange = {};
  if (national) change.code = national;
  change.altCodes = [{ system: systemId, code: localCode }];

  change.procedure = { code: req(v, 'ma_tthc', '/ma_tthc') };
  const procName = str(v, 'ten_tthc', '/ten_tthc');
  if (procName) change.procedure.name = procName;

  const donVi = v.don_vi;
  if (!isPlainObject(donVi)) fail('HUB_VALIDATION', '/don_vi', 'required object don_vi is missing');
  const dv = donVi as Record<string, unknown>;
  const agencyCode = req(dv, 'ma', '/don_vi/ma');
  change.agency = { code: agencyCode, ...levelOf(str(dv, 'cap', '/don_vi/cap')) };
  const agencyName = str(dv, 'ten', '/don_vi/ten');
  if (agencyName) change.agency.name = agencyName;

  const kind = str(v, 'loai_doi_tuong', '/loai_doi_tuong');
  const type = kind === undefined ? 'citizen' : own(APPLICANT_IN, foldForMatch(kind)) ?? fail('HUB_VALIDATION', '/loai_doi_tuong', `loai_doi_tuong "${kind}" is unknown`);
  change.applicant = { type, name: req(v, 'nguoi_nop', '/nguoi_nop') };
  const cmnd = str(v, 'cmnd', '/cmnd');
  if (cmnd !== undefined) {
    // Separators typed at the desk are dropped; letters are not, so "A12345678" is refused rather than shortened.
    const id = normaliseText(cmnd).replace(/[\s.-]/g, '');
    if (!/^(\d{9}|\d{12})$/.test(id)) fail('HUB_VALIDATION', '/cmnd', `cmnd must have 9 or 12 digits`);
    change.applicant.idNumber = id;
    change.applicant.identifiers = [{ type: id.length === 12 ? 'cccd' : 'cmnd', number: id }];
  }
  const phone = str(v, 'dien_thoai', '/dien_thoai');
  if (phone !== undefined) change.applicant.phone = digitsOnly(phone);
  const address = str(v, 'dia_chi', '/dia_chi');
  if (address) change.applicant.address = address;

  const summary = str(v, 'trich_yeu', '/trich_yeu');
  if (summary) change.summary = summary;
  change.channel = 'in_person'; // the format has no channel (undp.md)

  const gio = str(v, 'gio_nhan', '/gio_nhan');
  const clock = gio === undefined ? { hour: 0, minute: 0 } : parseClock(gio) ?? fail('HUB_DATE_INVALID', '/gio_nhan', `"${gio}" is not a valid HH:mm time`);
  change.receivedAt = date(req(v, 'ngay_nhan', '/ngay_nhan'), '/ngay_nhan', clock);
  const hen = str(v, 'ngay_hen', '/ngay_hen');
  if (hen) change.dueAt = date(hen, '/ngay_hen', { hour: 17, minute: 0 }); // end of the office day

  const statusText = req(v, 'tinh_trang', '/tinh_trang');
  change.status = STATUS_BY_TEXT.get(foldForMatch(statusText)) ?? fail('HUB_STATUS_UNKNOWN', '/tinh_trang', `unknown tinh_trang "${statusText}"`);

  const attachments = v.ho_so_dinh_kem;
  if (attachments !== undefined && attachments !== null) {
    if (!Array.isArray(attachments)) fail('HUB_VALIDATION', '/ho_so_dinh_kem', 'ho_so_dinh_kem must be an array');
    const documents = (attachments as unknown[]).map((a, i) => {
      if (!isPlainObject(a)) return fail('HUB_VALIDATION', `/ho_so_dinh_kem/${i}`, 'an attachment must be an object');
      const doc: NonNullable<DossierChange['documents']>[number] = { name: req(a, 'ten', `/ho_so_dinh_kem/${i}/ten`) };
      const link = str(a, 'link', `/ho_so_dinh_kem/${i}/link`);
      if (link) doc.url = link.trim();
      return doc;
    });
    if (documents.length) change.documents = documents;
  }
  const amount = fee(v.le_phi);
  if (amount !== undefined) change.fees = [{ name: FEE_NAME, amount, kind: 'charge' }];

  const op: NonNullable<DecodedItem['op']> = { kind: 'change', ref: national ? { code: national, localCode } : { localCode }, change };
  const lt = v.lien_thong;
  if (lt !== undefined && lt !== null && lt !== '') {
    if (!isPlainObject(lt)) fail('HUB_VALIDATION', '/lien_thong', 'lien_thong must be null or an object');
    const l = lt as Record<string, unknown>;
    const transfer: { toAgency: string; reason?: string } = { toAgency: req(l, 'chuyen_den', '/lien_thong/chuyen_den').trim() };
    const reason = str(l, 'ly_do', '/lien_thong/ly_do');
    if (reason) transfer.reason = reason;
    if (op.kind === 'change') op.transfer = transfer;
  }
  return op;
}

const POINTERS: Readonly<Record<string, string>> = {
  '/code': '/ma_ho_so_qg', '/altCodes': '/so_ho_so', '/procedure/code': '/ma_tthc', '/procedure/name': '/ten_tthc',
  '/agency/code': '/don_vi/ma', '/agency/name': '/don_vi/ten', '/agency/level': '/don_vi/cap', '/applicant/type': '/loai_doi_tuong',
  '/applicant/name': '/nguoi_nop', '/applicant/idNumber': '/cmnd', '/applicant/phone': '/dien_thoai', '/applicant/address': '/dia_chi',
  '/summary': '/trich_yeu', '/receivedAt': '/ngay_nhan', '/dueAt': '/ngay_hen', '/status': '/tinh_trang', '/fees': '/le_phi', '/documents': '/ho_so_dinh_kem',
};

export function nativePath(pointer: string): string {
  const doc = /^\/documents\/(\d+)(?:\/(name|url))?/.exec(pointer);
  if (doc) return `/ho_so_dinh_kem/${doc[1]}${doc[2] ? (doc[2] === 'name' ? '/ten' : '/link') : ''}`;
  for (const [prefix, native] of Object.entries(POINTERS)) if (pointer === prefix || pointer.startsWith(`${prefix}/`)) return native;
  return '';
}

/** The JSON value of the body: JSON as is, or the `data` field of a form (URLSearchParams decodes it). */
function bodyValue(req: InboundRequest): unknown {
  if (req.contentType !== 'application/x-www-form-urlencoded') return parseJsonBody(req.body);
  const form = decodeUtf8(req.body);
  const data = new URLSearchParams(form).get('data');
  if (data === null) throw new AdapterError('HUB_REQUEST_MALFORMED', 'The form has no data field', [{ path: 'data', message: 'missing' }]);
  // URLSearchParams turns bad %-escapes into U+FFFD silently; a replacement character the sender did not write is an encoding error.
  if (data.includes('\uFFFD') && !form.includes('\uFFFD') && !/%EF%BF%BD/i.test(form)) {
    throw new AdapterError('HUB_REQUEST_ENCODING', 'The data field is not valid percent-encoded UTF-8', [{ path: 'data', message: 'invalid UTF-8 escape' }]);
  }
  return parseJsonText(data);
}

export function decodeUndp(req: InboundRequest): DecodeResult {
  const value = bodyValue(req);
  if (!isPlainObject(value)) throw new AdapterError('HUB_VALIDATION', 'The body must be a JSON object (one dossier)', [{ path: '', message: 'must be object' }]);
  const item: DecodedItem = { index: 0, raw: req.body, nativePath };
  // Control characters are refused before any mapping or normalisation (digitsOnly would silently drop them),
  // at the path the sender wrote (canonical.md "Unicode").
  const refused = forbiddenCharErrors(value);
  if (refused.length) {
    item.error = new AdapterError('HUB_VALIDATION', `${refused[0]!.message}: ${refused[0]!.path}`, refused);
    return { batch: false, items: [item] };
  }
  try {
    item.op = mapBody(value, req.systemId);
  } catch (err) {
    if (!(err instanceof AdapterError)) throw err;
    item.error = err;
  }
  return { batch: false, items: [item] };
}
