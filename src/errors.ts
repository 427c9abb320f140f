// The one catalogue of error codes (style.md: fastify lib/errors.js). Callers match on `code`, never on classes.
// Every code here must have a line in docs/errors.md; test/errors.test.ts fails otherwise.

export interface ErrorDef {
  status: number;
  title: string;
  /** Worth retrying the same request later (true) or not (false). */
  retry: boolean;
}

export const ERRORS = {
  // Authentication and authorisation
  HUB_AUTH_MISSING: { status: 401, title: 'Credentials are required', retry: false },
  HUB_AUTH_INVALID: { status: 401, title: 'Credentials are invalid, unknown or retired', retry: false },
  HUB_AUTH_RATE_LIMITED: { status: 429, title: 'Too many failed authentication attempts', retry: true },
  HUB_CONSOLE_SESSION_ENDED: { status: 401, title: 'The console session has ended (signed out, idle or too old)', retry: false },
  HUB_CONSOLE_CSRF: { status: 403, title: 'The console request lacks its CSRF token', retry: false },
  HUB_AUTHZ_SYSTEM: { status: 403, title: "Credentials of another system", retry: false },
  HUB_AUTHZ_ROLE: { status: 403, title: 'The system role does not allow this operation', retry: false },
  HUB_AUTHZ_AGENCY_SCOPE: { status: 403, title: "The dossier's agency is outside the system's scope", retry: false },
  HUB_SIGNATURE_REQUIRED: { status: 401, title: 'This system must sign its requests (X-Signature)', retry: false },
  HUB_SIGNATURE_INVALID: { status: 401, title: 'The request signature (X-Signature) does not verify', retry: false },
  // Request form
  HUB_REQUEST_MALFORMED: { status: 400, title: 'The body cannot be parsed', retry: false },
  HUB_REQUEST_FORBIDDEN_KEY: { status: 400, title: 'The body carries a forbidden key (__proto__, constructor, prototype)', retry: false },
  HUB_REQUEST_DOCTYPE: { status: 400, title: 'XML with a DOCTYPE, entity declaration or external reference is refused', retry: false },
  HUB_REQUEST_ENCODING: { status: 400, title: 'The body is not valid UTF-8', retry: false },
  HUB_SOAP_VERSION_MISMATCH: { status: 400, title: 'The envelope is not a SOAP 1.1 envelope', retry: false },
  HUB_SOAP_MUST_UNDERSTAND: { status: 400, title: 'A SOAP header marked mustUnderstand is not understood', retry: false },
  HUB_REQUEST_TOO_LARGE: { status: 413, title: 'The body is larger than the configured limit', retry: false },
  HUB_REQUEST_TIMEOUT: { status: 408, title: 'The request took too long to arrive', retry: true },
  HUB_MEDIA_TYPE: { status: 415, title: 'Unsupported content type', retry: false },
  HUB_NOT_FOUND: { status: 404, title: 'Not found', retry: false },
  HUB_METHOD_NOT_ALLOWED: { status: 405, title: 'Method not allowed on this resource', retry: false },
  HUB_QUERY_INVALID: { status: 400, title: 'A query parameter is invalid', retry: false },
  // Content
  HUB_VALIDATION: { status: 422, title: 'The dossier is invalid', retry: false },
  HUB_VALIDATION_HUB_OWNED: { status: 422, title: 'The change sets a field owned by the hub', retry: false },
  HUB_DATE_INVALID: { status: 422, title: 'A date or time is malformed or impossible', retry: false },
  HUB_DATE_OUT_OF_RANGE: { status: 422, title: 'A time lies outside what the hub can have seen (1990 to a few minutes ahead; due dates to 10 years ahead)', retry: false },
  HUB_LEVEL_RETIRED: { status: 422, title: 'Level district is only for dossiers received before 1 July 2025 and never for registrations', retry: false },
  HUB_CODE_REQUIRED: { status: 422, title: 'The hub issues no codes (HUB_CODE_ISSUER=source): a new dossier needs its national code', retry: false },
  HUB_STATUS_UNKNOWN: { status: 422, title: 'Unknown status code or text', retry: false },
  HUB_BATCH_TOO_LARGE: { status: 422, title: 'A batch carries more items than allowed (500)', retry: false },
  HUB_BATCH_REJECTED: { status: 422, title: 'No item of the batch was accepted', retry: false },
  // Domain rules
  HUB_STATUS_TERMINAL: { status: 409, title: 'The dossier is in a terminal status', retry: false },
  HUB_CODE_CONFLICT: { status: 409, title: 'The local number is already mapped to another dossier code', retry: false },
  HUB_CODE_EXHAUSTED: { status: 409, title: 'No dossier number is left for this agency and day (past 9999999)', retry: false },
  HUB_CODE_FOREIGN: { status: 403, title: "The code's agency identifier belongs to neither the sender, the dossier's agencies nor a national issuer", retry: false },
  HUB_TRANSFER_NO_SYSTEM: { status: 422, title: 'No active system serves the target agency', retry: false },
  // Administration
  HUB_SYSTEM_EXISTS: { status: 409, title: 'A system with this id is already registered', retry: false },
  HUB_SYSTEM_AGENCY_TAKEN: { status: 409, title: 'Another active system already serves this agency', retry: false },
  HUB_SYSTEM_CERTIFICATE_TAKEN: { status: 409, title: 'The client certificate is registered to another active system', retry: false },
  HUB_SYSTEM_ADAPTER_UNKNOWN: { status: 422, title: 'No adapter with this name', retry: false },
  HUB_MAPPING_INVALID: { status: 422, title: 'The lgsp-mapping/1 document is invalid', retry: false },
  HUB_MAPPING_LIMIT: { status: 422, title: 'The item took the mapping past its node-visit limit', retry: false },
  HUB_MAPPING_CONFORMANCE: { status: 409, title: 'The mapping version failed the activation suite', retry: false },
  HUB_SAMPLE_MISMATCH: { status: 422, title: 'The sample does not decode to the expected result', retry: false },
  HUB_SYSTEM_RETIRED: { status: 409, title: 'The system is retired: it cannot be changed', retry: false },
  HUB_CSR_INVALID: { status: 400, title: 'The certificate signing request cannot be read', retry: false },
  HUB_CSR_WEAK: { status: 422, title: 'The certificate signing request uses a key or hash the hub does not accept', retry: false },
  // Relay and delivery
  HUB_BROKER_UNAVAILABLE: { status: 503, title: 'The message broker is not connected; try again when /readyz says broker up', retry: true },
  HUB_MAILBOX_NOT_PULL: { status: 409, title: "The system's delivery mode is not pull: it has no mailbox", retry: false },
  HUB_DEAD_LETTER_TARGET: { status: 409, title: 'The system of this dead letter takes no deliveries now (retired, or delivery mode none)', retry: false },
  // Hub side
  HUB_RATE_LIMITED: { status: 429, title: 'Too many requests', retry: true },
  HUB_STORE_FULL: { status: 503, title: 'The store has no room for changes (free space below HUB_MIN_FREE_MB, or the disk is full); retry after Retry-After', retry: true },
  HUB_UNAVAILABLE: { status: 503, title: 'The hub cannot accept this now (shutting down or store unavailable)', retry: true },
  HUB_INTERNAL: { status: 500, title: 'Internal error', retry: true },
} as const satisfies Record<string, ErrorDef>;

export type ErrorCode = keyof typeof ERRORS;

export interface FieldError {
  /** JSON Pointer (or XML element/attribute path) into the payload as the sender wrote it. */
  path: string;
  message: string;
}

/** An error the hub answers with: a catalogue code, a human detail, and the fields at fault. */
export class HubError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly errors: FieldError[];
  readonly extra: Record<string, unknown>;

  constructor(code: ErrorCode, detail?: string, errors: FieldError[] = [], extra: Record<string, unknown> = {}) {
    super(detail ?? ERRORS[code].title);
    this.name = 'HubError';
    this.code = code;
    this.status = ERRORS[code].status;
    this.errors = errors;
    this.extra = extra;
  }

  get retry(): boolean {
    return ERRORS[this.code].retry;
  }
}

/** RFC 9457 problem details body. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: ErrorCode;
  errors?: FieldError[];
  correlationId: string;
  [extra: string]: unknown;
}

export function toProblem(err: HubError, correlationId: string): Problem {
  const body: Problem = {
    type: `https://lgsp-hub.local/errors/${err.code}`,
    title: ERRORS[err.code].title,
    status: err.status,
    detail: err.message,
    code: err.code,
    correlationId,
    ...err.extra,
  };
  if (err.errors.length) body.errors = err.errors;
  return body;
}
