// SOAP 1.1 request → DecodedOp (legacy/xay-dung.md). The operation is the Body's first element, by local name:
// prefixes and the SOAPAction header never decide it (some builds send SOAPAction unquoted, empty or not at all).
import { AdapterError, type DecodeResult, type DecodedItem, type DecodedOp, type InboundRequest } from '../kit/contract.js';
import { attr, child, parseXml, type ParsedXml, type XmlElement } from '../kit/xml.js';
import type { DossierChange, Step } from '../../src/canonical/types.js';
import { DOSSIER_CODE } from '../../src/canonical/types.js';
import { digitsOnly } from '../../src/util/text.js';
import {
  APPLICANT_BY_CODE, CHANNEL_BY_CODE, lookupCode, NS, OPERATIONS, parseDecimalComma, parseInteger, parseMoney, SOAP12_ENV_NS, SOAP_ENV_NS,
  WSSE_NS, type Operation,
} from './codes.js';
import { compact, fail, Node } from './read.js';
import { nativePathFor } from './native-path.js';

/** The decode result of this adapter: it remembers the calling system, so that a look-up answers with its own number. */
export interface SoapDecodeResult extends DecodeResult {
  operation: Operation;
  systemId: string;
}

const PHONE = /^\+?[\d\s.\-()]+$/;

// The route reads WS-Security (credentials) before it knows the caller, then decodes: the body is parsed once and
// the result (or the refusal) reused, keyed by the request's own buffer.
const parsedBodies = new WeakMap<Buffer, ParsedXml | AdapterError>();

function parseOnce(body: Buffer): ParsedXml {
  let parsed = parsedBodies.get(body);
  if (parsed === undefined) {
    try {
      parsed = parseXml(body);
    } catch (err) {
      if (!(err instanceof AdapterError)) throw err;
      parsed = err;
    }
    parsedBodies.set(body, parsed);
  }
  if (parsed instanceof AdapterError) throw parsed;
  return parsed;
}

/**
 * SOAP 1.1 §4.4.1: an Envelope in another namespace (SOAP 1.2's, or none) is a VersionMismatch — the hub speaks 1.1
 * only and must not answer a 1.2 client as if it were one.
 */
function checkVersion(root: XmlElement): void {
  if (root.ns === SOAP_ENV_NS) return;
  const what = root.ns === SOAP12_ENV_NS ? 'a SOAP 1.2 envelope' : root.ns === '' ? 'an Envelope without a namespace' : `an Envelope in the namespace "${root.ns.slice(0, 100)}"`;
  throw new AdapterError('HUB_SOAP_VERSION_MISMATCH', `This endpoint speaks SOAP 1.1 (${SOAP_ENV_NS}); got ${what}`, [{ path: '/Envelope', message: `expected the namespace ${SOAP_ENV_NS}` }]);
}

/** SOAP 1.1 §4.2.3: a header entry with mustUnderstand="1" the hub does not process is a MustUnderstand Fault. */
function checkHeaders(header: Node | undefined): void {
  if (!header) return;
  for (const h of header.el.children) {
    const must = h.attrs.mustUnderstand !== undefined && h.attrNs.mustUnderstand === SOAP_ENV_NS ? h.attrs.mustUnderstand : undefined;
    if (must !== '1' && must !== 'true') continue;
    if (h.name === 'Security' && h.ns === WSSE_NS) continue; // read by credentials() before any decoding
    throw new AdapterError('HUB_SOAP_MUST_UNDERSTAND', `The header ${h.name} (${h.ns || 'no namespace'}) is marked mustUnderstand and the hub does not process it`, [
      { path: `${header.path}/${h.name}`, message: `header not understood (namespace "${h.ns.slice(0, 100)}")` },
    ]);
  }
}

/** The Envelope's Body and its first element; refusals name the element path. */
function bodyOf(root: XmlElement): { header: Node | undefined; op: Node } {
  if (root.name !== 'Envelope') fail('HUB_VALIDATION', `/${root.name}`, 'the root element must be a SOAP Envelope');
  checkVersion(root);
  const envelope = new Node(root, '/Envelope');
  checkHeaders(envelope.sub('Header'));
  const body = envelope.need('Body');
  const first = body.el.children[0];
  if (!first) fail('HUB_VALIDATION', body.path, 'the SOAP Body is empty');
  return { header: envelope.sub('Header'), op: new Node(first, `${body.path}/${first.name}`) };
}

/** A MaHoSo that is either the department's number or a national code. */
function refOf(value: string): { code?: string; localCode?: string } {
  return DOSSIER_CODE.test(value) ? { code: value } : { localCode: value };
}

function steps(list: Node[]): Step[] {
  return list.map((b) => compact({
    at: b.reqDate('ThoiGian', 'start'),
    status: b.status('TrangThai'),
    actor: b.opt('NguoiXuLy'),
    department: b.opt('PhongBan'),
    note: b.opt('NoiDung', true),
  }));
}

function applicant(n: Node): DossierChange['applicant'] {
  const kind = n.opt('LoaiDoiTuong');
  const type = kind === undefined ? 'citizen' : lookupCode(APPLICANT_BY_CODE, kind);
  if (!type) fail('HUB_VALIDATION', `${n.path}/LoaiDoiTuong`, `unknown applicant kind "${kind}" (CANHAN or TOCHUC)`);
  const phone = n.opt('DienThoai');
  if (phone !== undefined && !PHONE.test(phone)) fail('HUB_VALIDATION', `${n.path}/DienThoai`, `"${phone}" is not a phone number`);
  const idNumber = n.opt('SoGiayTo');
  return compact({
    type,
    name: n.req('HoTen'),
    idNumber: idNumber === undefined ? undefined : digitsOnly(idNumber),
    phone: phone === undefined ? undefined : digitsOnly(phone),
    email: n.opt('Email'),
    address: n.opt('DiaChi'),
  });
}

function building(n: Node): Record<string, unknown> {
  return compact({
    type: n.opt('LoaiCongTrinh'),
    location: n.opt('DiaDiem'),
    floorArea: n.parsed('DienTichSan', parseDecimalComma, 'a decimal with a comma (125,5)'),
    floors: n.parsed('SoTang', parseInteger, 'a whole number of floors'),
  });
}

function tiepNhanHoSo(op: Node, systemId: string): DecodedOp {
  const h = op.need('HoSo');
  const localCode = h.req('MaHoSo');
  const code = h.opt('MaHoSoQuocGia');
  const kenh = h.req('KenhNop');
  const channel = lookupCode(CHANNEL_BY_CODE, kenh) ?? fail('HUB_VALIDATION', `${h.path}/KenhNop`, `unknown channel "${kenh}" (TRUCTIEP, TRUCTUYEN or BUUCHINH)`);
  const congTrinh = h.sub('CongTrinh');
  const tep = h.sub('TepDinhKem');
  const phi = h.sub('PhiLePhi');
  const buoc = h.sub('QuaTrinhXuLy');
  const change: DossierChange = compact({
    code,
    altCodes: [{ system: systemId, code: localCode }],
    procedure: compact({ code: h.req('MaThuTuc'), name: h.opt('TenThuTuc') }),
    // The department is a provincial body: every agency it receives for is at province level.
    agency: compact({ code: h.req('MaDonVi'), name: h.opt('TenDonVi'), level: 'province' as const }),
    applicant: applicant(h.need('NguoiNop')),
    summary: h.opt('TrichYeu'),
    channel,
    receivedAt: h.reqDate('NgayNhan', 'start'),
    // Empty NgayHenTra: the desk gave no deadline, so the field stays absent (the hub may compute one).
    dueAt: h.date('NgayHenTra', 'endOfOfficeDay'),
    status: h.status('TrangThai'),
    documents: tep?.list('Tep').map((d) => compact({ name: d.req('TenTep'), url: d.opt('DuongDan'), componentCode: d.opt('MaThanhPhan') })),
    fees: phi?.list('Phi').map((f) => {
      const fee = compact({
        code: f.opt('MaPhi'),
        name: f.opt('TenPhi'),
        amount: f.parsed('SoTien', parseMoney, 'an integer amount of đồng (1.500.000)') ?? fail('HUB_VALIDATION', `${f.path}/SoTien`, 'required value is missing or empty'),
      });
      if (fee.code === undefined && fee.name === undefined) fail('HUB_VALIDATION', `${f.path}/TenPhi`, 'a fee needs a TenPhi or a MaPhi');
      return fee;
    }),
    steps: buoc ? steps(buoc.list('Buoc')) : undefined,
    extensions: congTrinh ? { xayDung: { building: building(congTrinh) } } : undefined,
  });
  return { kind: 'change', ref: compact({ code, localCode }), change };
}

function capNhatTrangThai(op: Node): DecodedOp {
  const ref = refOf(op.req('MaHoSo'));
  const status = op.status('TrangThai');
  const step: Step = compact({ at: op.reqDate('ThoiGian', 'start'), status, actor: op.opt('NguoiXuLy'), note: op.opt('NoiDung', true) });
  const change: DossierChange = compact({ status, steps: [step], dueAt: op.date('NgayHenTraMoi', 'endOfOfficeDay') });
  return { kind: 'change', ref, change };
}

const DECODERS: Record<Operation, (op: Node, systemId: string) => DecodedOp> = {
  TiepNhanHoSo: tiepNhanHoSo,
  CapNhatTrangThai: capNhatTrangThai,
  TraCuuHoSo: (op) => ({ kind: 'lookup', ref: refOf(op.req('MaHoSo')) }),
};

const isOperation = (name: string): name is Operation => (OPERATIONS as readonly string[]).includes(name);

/**
 * Parse and map one SOAP request. Unreadable XML, a DOCTYPE, a body that is no Envelope and an unknown operation
 * throw (the whole request is refused); a field the operation cannot accept is the item's error.
 */
export function decode(req: InboundRequest): SoapDecodeResult {
  const { root } = parseOnce(req.body);
  const { op } = bodyOf(root);
  const operation = op.el.name;
  if (!isOperation(operation)) {
    fail('HUB_VALIDATION', op.path, `unknown operation "${operation}" (TiepNhanHoSo, CapNhatTrangThai or TraCuuHoSo)`);
  }
  // The operations are qualified by the service's namespace (WSDL, document/literal); prefixes do not matter, the URI does.
  if (op.el.ns !== NS) fail('HUB_VALIDATION', op.path, `the operation must be in the namespace ${NS}, not "${op.el.ns.slice(0, 100)}"`);
  const item: DecodedItem = { index: 0, raw: req.body, nativePath: nativePathFor(operation) };
  try {
    item.op = DECODERS[operation](op, req.systemId);
  } catch (err) {
    if (!(err instanceof AdapterError)) throw err;
    item.error = err;
  }
  return { batch: false, operation, systemId: req.systemId, items: [item] };
}

const PASSWORD_DIGEST = /#PasswordDigest$/;

/** The WS-Security UsernameToken of the Header (PasswordText only); undefined when there is none or it cannot be read. */
export function credentials(req: InboundRequest): { username: string; password: string } | undefined {
  let root: XmlElement;
  try {
    root = parseOnce(req.body).root;
  } catch {
    return undefined; // decode reports why the body is unreadable
  }
  if (root.name !== 'Envelope') return undefined;
  const header = child(root, 'Header');
  const security = header && child(header, 'Security');
  const token = security && child(security, 'UsernameToken');
  const username = token && child(token, 'Username');
  const password = token && child(token, 'Password');
  if (!username || !password || username.text === '') return undefined;
  const type = attr(password, 'Type');
  if (type !== undefined && PASSWORD_DIGEST.test(type)) return undefined; // a digest cannot be checked against an HMAC-stored key
  return { username: username.text, password: password.text };
}
