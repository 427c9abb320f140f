// TN&MT gói tin → canonical changes (legacy/tnmt.md). One DecodedItem per HoSo; an item that fails to map carries
// its own error and the others still decode. Native paths use 1-based positions for repeated elements, as XPath
// and the answer's `viTri` do: /GoiTin/DanhSachHoSo/HoSo/3 is the third HoSo.
import type { DecodeResult, DecodedItem, InboundRequest } from '../kit/contract.js';
import { AdapterError } from '../kit/contract.js';
import { parseXml, child, childrenNamed, attr, type XmlElement } from '../kit/xml.js';
import type { Dossier, DossierChange, Level, ApplicantType, Channel, Step } from '../../src/canonical/types.js';
import type { ErrorCode } from '../../src/errors.js';
import { digitsOnly } from '../../src/util/text.js';
import { parseLocal, formatVn } from '../../src/util/time.js';

export const MAX_BATCH_ITEMS = 500;
export const GOI_TIN_NS = 'urn:stnmt:motcua:v2';
export const ITEMS_PATH = '/GoiTin/DanhSachHoSo/HoSo';

/** trangThai → canonical; `8` is resolved with lyDo (rut → 7). */
export const STATUS_IN: Readonly<Record<string, number>> = { 0: 1, 1: 2, 2: 4, 3: 5, 4: 6, 5: 9, 6: 10, 8: 8, 9: 3 };
type Kind = NonNullable<Dossier['agency']['kind']>;
/** `cap` (tnmt.md): a province, a commune-level unit of each kind, or a district of the three-tier past. */
export const CAP_IN: Readonly<Record<string, { level: Level; kind?: Kind }>> = {
  tinh: { level: 'province' }, xa: { level: 'commune', kind: 'xa' }, phuong: { level: 'commune', kind: 'phuong' },
  dac_khu: { level: 'commune', kind: 'dac_khu' }, huyen: { level: 'district' },
};
export const capOut = (a: { level: Level; kind?: Kind }): string => (a.level === 'province' ? 'tinh' : a.level === 'district' ? 'huyen' : a.kind ?? 'xa');
/** The kind of a financial obligation from its code (tnmt.md); an unknown code has none. */
export const FEE_KINDS: Readonly<Record<string, 'fee' | 'charge' | 'tax' | 'levy'>> = { LPTB: 'charge', TSDD: 'levy', TNCN: 'tax' };
export const APPLICANT_IN: Readonly<Record<string, ApplicantType>> = { 1: 'citizen', 2: 'business', 3: 'agency', 4: 'other' };
export const CHANNEL_IN: Readonly<Record<string, Channel>> = { 1: 'in_person', 2: 'online', 3: 'postal' };
export const FEE_NAMES: Readonly<Record<string, string>> = { LPTB: 'Lệ phí trước bạ', TSDD: 'Tiền sử dụng đất', TNCN: 'Thuế thu nhập cá nhân' };

const own = <T>(table: Readonly<Record<string, T>>, key: string | undefined): T | undefined =>
  key !== undefined && Object.hasOwn(table, key) ? table[key] : undefined;

const fail = (code: ErrorCode, path: string, message: string): never => {
  throw new AdapterError(code, `${message}: ${path}`, [{ path, message }]);
};

/** Attribute value with empty strings treated as absent (canonical text fields are never empty). */
const opt = (el: XmlElement | undefined, name: string): string | undefined => {
  const v = el ? attr(el, name) : undefined;
  return v === undefined || v === '' ? undefined : v;
};
const text = (el: XmlElement | undefined): string | undefined => (el && el.text !== '' ? el.text : undefined);

function required(el: XmlElement, name: string, path: string): string {
  return opt(el, name) ?? fail('HUB_VALIDATION', `${path}/@${name}`, `required attribute ${name} is missing`);
}

function date(value: string, path: string, dateOnly: 'start' | 'endOfOfficeDay'): string {
  // The format writes yyyy-MM-ddTHH:mm:ss; a date alone is read as canonical.md says (start / end of office day).
  const ms = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}:\d{2})?$/.test(value) ? parseLocal(value, dateOnly) : null;
  return ms === null ? fail('HUB_DATE_INVALID', path, `"${value}" is not a valid yyyy-MM-ddTHH:mm:ss date`) : formatVn(ms);
}

function status(code: string, lyDo: string | undefined, path: string): number {
  const s = own(STATUS_IN, code) ?? fail('HUB_STATUS_UNKNOWN', path, `unknown trangThai "${code}"`);
  return s === 8 && lyDo === 'rut' ? 7 : s;
}

function mapHoSo(h: XmlElement, base: string): DossierChange {
  const code = required(h, 'maHoSo', base);
  const change: DossierChange = { code };
  const soBienNhan = opt(h, 'soBienNhan');
  if (soBienNhan) change.receiptNumber = soBienNhan;

  const thuTuc = child(h, 'ThuTuc');
  change.procedure = { code: required(h, 'maThuTuc', base) };
  const [pName, sName, sCode] = [opt(thuTuc, 'ten'), opt(thuTuc, 'linhVuc'), opt(thuTuc, 'maLinhVuc')];
  if (pName) change.procedure.name = pName;
  if (sCode) change.procedure.sectorCode = sCode;
  if (sName) change.procedure.sectorName = sName;

  const coQuan = child(h, 'CoQuan') ?? fail('HUB_VALIDATION', `${base}/CoQuan`, 'required element CoQuan is missing');
  const cap = required(coQuan, 'cap', `${base}/CoQuan`);
  const level = own(CAP_IN, cap) ?? fail('HUB_VALIDATION', `${base}/CoQuan/@cap`, `cap "${cap}" is not tinh, xa, phuong, dac_khu or huyen`);
  change.agency = { code: required(coQuan, 'ma', `${base}/CoQuan`), ...level };
  const agencyName = opt(coQuan, 'ten');
  if (agencyName) change.agency.name = agencyName;

  const nguoi = child(h, 'NguoiDeNghi') ?? fail('HUB_VALIDATION', `${base}/NguoiDeNghi`, 'required element NguoiDeNghi is missing');
  const loai = required(nguoi, 'loai', `${base}/NguoiDeNghi`);
  const type = own(APPLICANT_IN, loai) ?? fail('HUB_VALIDATION', `${base}/NguoiDeNghi/@loai`, `loai "${loai}" is not 1, 2, 3 or 4`);
  const name = text(child(nguoi, 'HoTen')) ?? fail('HUB_VALIDATION', `${base}/NguoiDeNghi/HoTen`, 'required element HoTen is missing');
  change.applicant = { type, name };
  const [id, phone, address] = [text(child(nguoi, 'SoDinhDanh')), text(child(nguoi, 'DienThoai')), text(child(nguoi, 'DiaChi'))];
  if (id) change.applicant.idNumber = digitsOnly(id);
  if (phone) change.applicant.phone = digitsOnly(phone);
  if (address) change.applicant.address = address;

  const summary = text(child(h, 'TrichYeu'));
  if (summary) change.summary = summary;
  const kenh = opt(h, 'kenh');
  change.channel = kenh === undefined ? 'in_person' : own(CHANNEL_IN, kenh) ?? fail('HUB_VALIDATION', `${base}/@kenh`, `kenh "${kenh}" is not 1, 2 or 3`);
  change.receivedAt = date(required(h, 'ngayTiepNhan', base), `${base}/@ngayTiepNhan`, 'start');
  const han = opt(h, 'hanXuLy');
  if (han) change.dueAt = date(han, `${base}/@hanXuLy`, 'endOfOfficeDay');
  change.status = status(required(h, 'trangThai', base), opt(h, 'lyDo'), `${base}/@trangThai`);

  const documents = childrenNamed(h, 'GiayTo').map((g, i) => {
    const p = `${base}/GiayTo/${i + 1}`;
    const doc: NonNullable<DossierChange['documents']>[number] = { name: required(g, 'ten', p) };
    const [component, url, sha] = [opt(g, 'maThanhPhan'), opt(g, 'url'), opt(g, 'sha256')];
    if (component) doc.componentCode = component;
    if (url) doc.url = url;
    if (sha) doc.sha256 = sha.toLowerCase();
    return doc;
  });
  if (documents.length) change.documents = documents;

  const fees = childrenNamed(h, 'NghiaVuTaiChinh').map((n, i) => {
    const p = `${base}/NghiaVuTaiChinh/${i + 1}`;
    const loaiPhi = required(n, 'loai', p);
    const soTien = required(n, 'soTien', p);
    if (!/^\d{1,16}$/.test(soTien)) fail('HUB_VALIDATION', `${p}/@soTien`, `soTien "${soTien}" is not a whole number of đồng`);
    const fee: NonNullable<DossierChange['fees']>[number] = { code: loaiPhi, name: own(FEE_NAMES, loaiPhi) ?? loaiPhi, amount: Number(soTien) };
    const kind = own(FEE_KINDS, loaiPhi);
    if (kind) fee.kind = kind;
    const daNop = opt(n, 'daNop');
    if (daNop === 'true' || daNop === '1') fee.paid = true;
    else if (daNop === 'false' || daNop === '0') fee.paid = false;
    else if (daNop !== undefined) fail('HUB_VALIDATION', `${p}/@daNop`, `daNop "${daNop}" is not true or false`);
    return fee;
  });
  if (fees.length) change.fees = fees;

  const steps = childrenNamed(child(h, 'QuaTrinhXuLy') ?? h, 'Buoc').map((b, i): Step => {
    const p = `${base}/QuaTrinhXuLy/Buoc/${i + 1}`;
    const step: Step = { at: date(required(b, 'thoiDiem', p), `${p}/@thoiDiem`, 'start'), status: status(required(b, 'trangThai', p), opt(b, 'lyDo'), `${p}/@trangThai`) };
    const [actor, department, note] = [opt(b, 'nguoiXuLy'), opt(b, 'phongBan'), text(b)];
    if (actor) step.actor = actor;
    if (department) step.department = department;
    if (note) step.note = note;
    return step;
  });
  if (child(h, 'QuaTrinhXuLy') && steps.length) change.steps = steps;

  const parcels = childrenNamed(h, 'ThuaDat').map((t, i) => {
    const parcel: Record<string, string | number> = {};
    for (const key of ['soTo', 'soThua', 'mucDich', 'diaChi'] as const) {
      const v = opt(t, key);
      if (v !== undefined) parcel[key] = v;
    }
    const area = opt(t, 'dienTich');
    if (area !== undefined) {
      if (!/^\d+(\.\d+)?$/.test(area)) fail('HUB_VALIDATION', `${base}/ThuaDat/${i + 1}/@dienTich`, `dienTich "${area}" is not a number`);
      parcel.dienTich = Number(area);
    }
    return parcel;
  });
  if (parcels.length) change.extensions = { tnmt: { parcels } };
  return change;
}

// Canonical pointer (without the array index part) → native path relative to the item.
const SIMPLE: Readonly<Record<string, string>> = {
  '/code': '/@maHoSo', '/receiptNumber': '/@soBienNhan', '/procedure/code': '/@maThuTuc', '/procedure/name': '/ThuTuc/@ten',
  '/procedure/sectorName': '/ThuTuc/@linhVuc', '/procedure/sectorCode': '/ThuTuc/@maLinhVuc', '/agency/code': '/CoQuan/@ma',
  '/agency/name': '/CoQuan/@ten', '/agency/level': '/CoQuan/@cap', '/applicant/type': '/NguoiDeNghi/@loai',
  '/applicant/name': '/NguoiDeNghi/HoTen', '/applicant/idNumber': '/NguoiDeNghi/SoDinhDanh', '/applicant/phone': '/NguoiDeNghi/DienThoai',
  '/applicant/address': '/NguoiDeNghi/DiaChi', '/summary': '/TrichYeu', '/channel': '/@kenh', '/receivedAt': '/@ngayTiepNhan',
  '/dueAt': '/@hanXuLy', '/status': '/@trangThai',
};
const LISTS: Readonly<Record<string, [string, Record<string, string>]>> = {
  documents: ['/GiayTo', { name: '@ten', url: '@url', componentCode: '@maThanhPhan', sha256: '@sha256' }],
  fees: ['/NghiaVuTaiChinh', { code: '@loai', name: '@loai', amount: '@soTien', paid: '@daNop' }],
  steps: ['/QuaTrinhXuLy/Buoc', { at: '@thoiDiem', status: '@trangThai', actor: '@nguoiXuLy', department: '@phongBan', note: '' }],
  parcels: ['/ThuaDat', { soTo: '@soTo', soThua: '@soThua', dienTich: '@dienTich', mucDich: '@mucDich', diaChi: '@diaChi' }],
};

export function nativePathFor(base: string): (pointer: string) => string {
  return (pointer) => {
    const simple = own(SIMPLE, pointer);
    if (simple) return base + simple;
    const m = /^\/(?:extensions\/tnmt\/)?(documents|fees|steps|parcels)(?:\/(\d+)(?:\/(\w+))?)?$/.exec(pointer);
    const list = m ? own(LISTS, m[1]!) : undefined;
    if (!m || !list) return base;
    if (m[2] === undefined) return base + list[0];
    const field = m[3] === undefined ? undefined : own(list[1], m[3]);
    return `${base}${list[0]}/${Number(m[2]) + 1}${field ? `/${field}` : ''}`;
  };
}

export function decodeTnmt(req: InboundRequest): DecodeResult {
  const { root, text: body } = parseXml(req.body);
  if (root.name !== 'GoiTin') fail('HUB_VALIDATION', `/${root.name}`, 'the root element must be GoiTin');
  // The format's namespace, or none (older builds write no xmlns; legacy/tnmt.md's fixtures keep that accepted);
  // a GoiTin of another vocabulary is not this format, whatever its local name.
  if (root.ns !== '' && root.ns !== GOI_TIN_NS) fail('HUB_VALIDATION', '/GoiTin', `the document element must be in the namespace ${GOI_TIN_NS} (or none), not "${root.ns.slice(0, 100)}"`);
  const list = child(root, 'DanhSachHoSo') ?? fail('HUB_VALIDATION', '/GoiTin/DanhSachHoSo', 'required element DanhSachHoSo is missing');
  const hoSo = childrenNamed(list, 'HoSo');
  if (hoSo.length === 0) fail('HUB_VALIDATION', ITEMS_PATH, 'the batch holds no HoSo');
  if (hoSo.length > MAX_BATCH_ITEMS) {
    throw new AdapterError('HUB_BATCH_TOO_LARGE', `The batch holds ${hoSo.length} HoSo; at most ${MAX_BATCH_ITEMS} are allowed`, [
      { path: ITEMS_PATH, message: `${hoSo.length} items, at most ${MAX_BATCH_ITEMS}` },
    ]);
  }
  const items = hoSo.map((h, index): DecodedItem => {
    const base = `${ITEMS_PATH}/${index + 1}`;
    // The item's bytes as sent: valid UTF-8 re-encodes to exactly the bytes it was decoded from.
    const item: DecodedItem = { index, raw: Buffer.from(body.slice(h.start, h.end), 'utf8'), nativePath: nativePathFor(base) };
    try {
      const change = mapHoSo(h, base);
      item.op = { kind: 'change', ref: { code: change.code! }, change };
    } catch (err) {
      if (!(err instanceof AdapterError)) throw err;
      item.error = err;
    }
    return item;
  });
  return { batch: true, items };
}
