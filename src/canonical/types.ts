// Types derived from the generated Dossier type (dossier.gen.ts, from the JSON Schema). Nothing here restates a field.
import type { Dossier } from './dossier.gen.js';

export type { Dossier } from './dossier.gen.js';

/** Fields that belong to the hub: a source that sends one gets 422 HUB_VALIDATION_HUB_OWNED (canonical.md). */
export const HUB_OWNED_FIELDS = [
  'revision', 'updatedAt', 'routing', 'dueAtSource', 'acceptedAt', 'dueAtProvisional', 'judgedDueAt', 'dueAtExtensions',
] as const;
type HubOwned = (typeof HUB_OWNED_FIELDS)[number];

/**
 * A change as a source sends it: any subset of the dossier's own fields (merge semantics: present replaces,
 * absent stays), never the hub-owned ones; `code` may be absent when `altCodes` carries the sender's number.
 * `reopenReason` and `extensionReason` are fields of the change only, never stored as dossier fields.
 */
export type DossierChange = Partial<Omit<Dossier, HubOwned>> & { reopenReason?: string; extensionReason?: string };

/** Fields a change may carry that are never stored as dossier fields (canonical.md, "Change-only fields"). */
export const CHANGE_ONLY_FIELDS = ['reopenReason', 'extensionReason'] as const;

export type Step = NonNullable<Dossier['steps']>[number];
export type Transfer = Dossier['routing'] extends infer R ? (R extends { transfers: (infer T)[] } ? T : never) : never;
export type Level = Dossier['agency']['level'];
export type ApplicantType = Dossier['applicant']['type'];
export type Channel = Dossier['channel'];

export const STATUS = {
  submitted: 1, accepted: 2, refused: 3, processing: 4, supplement_requested: 5,
  payment_requested: 6, withdrawn: 7, suspended: 8, finished: 9, returned: 10,
} as const;
export type StatusCode = (typeof STATUS)[keyof typeof STATUS];

/** Vietnamese status names (TrangThaiHoSo), for the citizen look-up and exports. */
export const STATUS_NAME_VI: Record<number, string> = {
  1: 'Mới đăng ký', 2: 'Được tiếp nhận', 3: 'Không được tiếp nhận', 4: 'Đang xử lý',
  5: 'Yêu cầu bổ sung giấy tờ', 6: 'Yêu cầu thực hiện nghĩa vụ tài chính', 7: 'Công dân yêu cầu rút hồ sơ',
  8: 'Dừng xử lý', 9: 'Đã xử lý xong', 10: 'Đã trả kết quả',
};

export const TERMINAL_STATUSES: ReadonlySet<number> = new Set([3, 7, 10]);

export const EVENT_TYPES = ['dossier.received', 'dossier.updated', 'dossier.status-changed', 'dossier.transferred'] as const;
export type EventType = (typeof EVENT_TYPES)[number];

// One pattern per identifier (canonical.md, "Codes"): the schema's. Linear in a backtracking engine: no nested
// quantifier, a dot only when a letter or digit follows, and the lookahead bounds the identifier to 35 characters.
export const AGENCY_CODE = /^(?=[0-9A-Z.]{1,35}$)[0-9A-Z](?:[0-9A-Z]|\.(?=[0-9A-Z]))*$/;
export const DOSSIER_CODE = /^(?=[0-9A-Z.]{1,35}-)([0-9A-Z](?:[0-9A-Z]|\.(?=[0-9A-Z]))*)-([0-9]{6})-([0-9]{4,7})$/;
