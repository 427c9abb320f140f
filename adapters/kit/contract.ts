// The contract every adapter fills (style.md: undici's dispatcher — small, typed, self-describing).
// Mapping code is pure: decode and encode never touch the network, the disk or the clock.
// The pipeline around an adapter (auth, scope, validation, store, receipt) is shared: src/ingest/.
import type { Dossier, DossierChange, EventType } from '../../src/canonical/types.js';
import type { FieldError, ErrorCode } from '../../src/errors.js';

/** The inbound request as the adapter sees it: raw bytes, bounded by the body limit before it gets here. */
export interface InboundRequest {
  body: Buffer;
  /** Media type, lower case, without parameters (e.g. `application/json`). */
  contentType: string;
  /** Header names in lower case. */
  headers: Readonly<Record<string, string | undefined>>;
  /** The system whose endpoint was called. */
  systemId: string;
}

/** What one item of a request asks the hub to do. */
export type DecodedOp =
  | {
      kind: 'change';
      /** The dossier the change names: a national code, or the sender's local number, or both. */
      ref: { code?: string; localCode?: string };
      change: DossierChange;
      /** A liên thông transfer to apply after the change, in the same transaction (UNDP `lien_thong`). */
      transfer?: { toAgency: string; reason?: string };
    }
  | { kind: 'lookup'; ref: { code?: string; localCode?: string } };

/** One item of a decoded request: an operation, or the typed error that refused it. */
export interface DecodedItem {
  /** 0-based position in the request. */
  index: number;
  /** The item's own bytes (payloadSha256 is computed over them); the whole body for a single-item request. */
  raw: Buffer;
  op?: DecodedOp;
  error?: AdapterError;
  /** Maps a canonical JSON Pointer (from schema validation) to the native path the sender wrote. */
  nativePath?: (canonicalPointer: string) => string;
}

export interface DecodeResult {
  /** True when the format sends batches (the answer is then the batch form of api.md). */
  batch: boolean;
  /** The native operation, for formats with several (SOAP). */
  operation?: string;
  items: DecodedItem[];
}

/** A refusal naming the field at fault, with a catalogue code (HUB_VALIDATION, HUB_STATUS_UNKNOWN, HUB_DATE_INVALID…). */
export class AdapterError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly errors: FieldError[] = [],
  ) {
    super(message);
    this.name = 'AdapterError';
  }
}

/** What the hub holds on a decoded item once the pipeline is done with it (a lookup has a dossier and no receipt). */
export type ItemOutcome =
  | { index: number; ok: true; receipt?: Receipt; dossier?: Dossier }
  | { index: number; ok: false; code: ErrorCode; status: number; detail: string; errors: FieldError[] };

export interface Receipt {
  receiptId: string;
  dossierCode: string;
  revision: number;
  status: number;
  duplicate: boolean;
  payloadSha256: string;
  canonicalSha256: string;
  acceptedAt: string;
  signature?: string;
}

/** A native answer. */
export interface NativeMessage {
  status?: number;
  contentType: string;
  body: string | Buffer;
  headers?: Record<string, string>;
}

/** An event to send to a system, as the relay hands it to the adapter's encode. */
export interface OutboundEvent {
  eventId: string;
  type: EventType;
  /** The system whose input caused the change. */
  source: string;
  /** When the hub accepted the change (= the dossier's updatedAt). */
  time: string;
  correlationId?: string;
  revision: number;
  previousStatus: number | null;
  dossier: Dossier;
  transfer?: { at: string; fromAgency: string; toAgency: string; reason?: string };
}

/** The receiving system, as far as encoding needs it. */
export interface Target {
  systemId: string;
  /** The receiver's own number for the dossier (its altCode), when it has one. */
  localCode?: string;
}

/** How a target's reply to a push is judged; the delivery worker asks this, not a table of strings. */
export type ReplyVerdict = { ok: true } | { ok: false; permanent: boolean; reason: string };

export interface Adapter {
  readonly name: string;
  readonly version: string;
  /** Media types the inbound endpoint accepts for this adapter (anything else is 415). */
  readonly contentTypes: readonly string[];
  /** How the adapter answers: `json` (api.md), `xml` (its own XML, JSON on Accept: application/json) or `soap`. */
  readonly answers: 'json' | 'xml' | 'soap';
  /** Parse and map a request. Throws AdapterError when the body as a whole is unreadable. */
  decode(req: InboundRequest): DecodeResult;
  /** The native request that tells the system of a change. Throws AdapterError when it cannot be encoded. */
  encode(event: OutboundEvent, target: Target): NativeMessage;
  /** Judge the system's reply to a push (HTTP status and body). */
  judgeReply(status: number, body: string): ReplyVerdict;
  /**
   * The native answer to an inbound request, when the adapter answers in its own form (xml, soap).
   * `json` adapters leave it out: the shared pipeline answers api.md's JSON.
   */
  answer?(result: { decode: DecodeResult; outcomes: ItemOutcome[]; accept: string | undefined }): NativeMessage;
  /**
   * Credentials carried inside the payload (SOAP WS-Security UsernameToken), for the shared authentication step.
   * Adapters whose systems authenticate with HTTP headers only leave it out.
   */
  credentials?(req: InboundRequest): { username: string; password: string } | undefined;
  /** The service description (SOAP adapters: the WSDL) with the endpoint address given. */
  describe?(endpointUrl: string): { contentType: string; body: string };
  /** Answer to a request that could not be read at all, in the adapter's own form. */
  answerError?(err: { code: ErrorCode; status: number; detail: string; errors: FieldError[] }): NativeMessage;
}
