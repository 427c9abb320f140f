// The Construction department's vocabulary (legacy/xay-dung.md): namespace, status, channel and applicant codes,
// its date form and its number forms. Shared by decode (native → canonical) and encode (canonical → native).
import type { ApplicantType, Channel } from '../../src/canonical/types.js';
import { formatDmy, parseLocal } from '../../src/util/time.js';

export const NS = 'urn:sxd:motcua:v1';
export const SOAP_ENV_NS = 'http://schemas.xmlsoap.org/soap/envelope/';
export const SOAP12_ENV_NS = 'http://www.w3.org/2003/05/soap-envelope';
/** WS-Security 1.0/1.1 header namespace (OASIS): the one header the hub understands (it reads the UsernameToken). */
export const WSSE_NS = 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd';
export const OPERATIONS = ['TiepNhanHoSo', 'CapNhatTrangThai', 'TraCuuHoSo'] as const;
export type Operation = (typeof OPERATIONS)[number];
export const OUTBOUND_OPERATION = 'NhanCapNhatTuLGSP';
export const soapAction = (operation: string): string => `${NS}/${operation}`;

export const STATUS_BY_CODE: Readonly<Record<string, number>> = {
  MOI: 1, TIEPNHAN: 2, TUCHOI: 3, DANGXULY: 4, BOSUNG: 5,
  NGHIAVUTC: 6, RUTHOSO: 7, DUNGXULY: 8, COKETQUA: 9, DATRA: 10,
};
export const CODE_BY_STATUS: Readonly<Record<number, string>> = Object.fromEntries(
  Object.entries(STATUS_BY_CODE).map(([code, n]) => [n, code]),
);

export const CHANNEL_BY_CODE: Readonly<Record<string, Channel>> = { TRUCTIEP: 'in_person', TRUCTUYEN: 'online', BUUCHINH: 'postal' };
export const CODE_BY_CHANNEL: Readonly<Record<string, string>> = { in_person: 'TRUCTIEP', online: 'TRUCTUYEN', postal: 'BUUCHINH' };

export const APPLICANT_BY_CODE: Readonly<Record<string, ApplicantType>> = { CANHAN: 'citizen', TOCHUC: 'business' };
/** The department knows two kinds of applicant: a person, or an organisation (business, agency, other). */
export const codeOfApplicant = (type: string): string => (type === 'citizen' ? 'CANHAN' : 'TOCHUC');

/** Codes are matched on their upper-case form: `tiepnhan` names the same status, anything else is not guessed. */
export const lookupCode = <T>(table: Readonly<Record<string, T>>, value: string): T | undefined =>
  Object.hasOwn(table, value.toUpperCase()) ? table[value.toUpperCase()] : undefined;

/** `dd/MM/yyyy HH:mm:ss` local (a date alone and HH:mm are tolerated); null when malformed or impossible. */
export function parseSoapDate(value: string, dateOnly: 'start' | 'endOfOfficeDay'): number | null {
  if (!/^\d{1,2}\/\d{1,2}\/\d{4}(?: \d{1,2}:\d{2}(?::\d{2})?)?$/.test(value)) return null;
  return parseLocal(value, dateOnly);
}

/** An RFC 3339 instant as the department writes it: `dd/MM/yyyy HH:mm:ss` in local time. */
export function formatSoapDate(epochMs: number): string {
  const d = formatDmy(epochMs);
  return `${d.date} ${d.time}:${d.seconds}`;
}

/** SoTien: integer đồng, plain (`150000`) or with thousands dots (`1.500.000`); null otherwise. */
export function parseMoney(value: string): number | null {
  if (!/^(?:\d+|\d{1,3}(?:\.\d{3})+)$/.test(value)) return null;
  const n = Number(value.replace(/\./g, ''));
  return Number.isSafeInteger(n) ? n : null;
}

/** DienTichSan: a decimal with a comma (`4250,5`), thousands dots tolerated (`4.250,5`); null otherwise. */
export function parseDecimalComma(value: string): number | null {
  if (!/^(?:\d+|\d{1,3}(?:\.\d{3})+)(?:,\d+)?$/.test(value)) return null;
  const n = Number(value.replace(/\./g, '').replace(',', '.'));
  return Number.isFinite(n) ? n : null;
}

export const formatDecimalComma = (n: number): string => String(n).replace('.', ',');

export function parseInteger(value: string): number | null {
  if (!/^\d{1,6}$/.test(value)) return null;
  return Number(value);
}
