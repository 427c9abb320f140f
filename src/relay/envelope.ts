// From an outbox row to what travels: the AMQP properties of amqp.md, each event's recipients, and the
// native message a recipient's adapter makes of it. Pure functions; no I/O.
import type { Options } from 'amqplib';
import { CLOUDEVENT_TYPE_PREFIX, type CloudEvent } from '../canonical/cloudevent.js';
import type { EventType } from '../canonical/types.js';
import { inScope } from '../dossiers/rules.js';
import { scopeCodes } from '../dossiers/routing.js';
import type { OutboxRow, SystemRecord } from '../store/types.js';
import type { NativeMessage, OutboundEvent } from '../../adapters/kit/contract.js';
import type { ResolvedAdapter } from '../mappings/adapters.js';

export const CLOUDEVENTS_JSON = 'application/cloudevents+json';
const SOURCE_PREFIX = '/lgsp-hub/systems/';

/** Properties and headers of amqp.md, "Event envelope". */
export function eventProperties(row: OutboxRow, agency: string): Options.Publish {
  const headers: Record<string, string | number> = {
    'x-dossier-code': row.dossierCode,
    'x-agency': agency,
    'x-source-system': row.source,
    'x-revision': row.revision,
    'x-event-type': row.type,
  };
  if (row.traceparent) headers.traceparent = row.traceparent;
  return {
    messageId: row.eventId,
    contentType: CLOUDEVENTS_JSON,
    timestamp: Math.floor(row.createdAt / 1000),
    persistent: true,
    mandatory: true,
    correlationId: row.correlationId,
    type: row.type,
    appId: 'lgsp-hub',
    headers,
  };
}

/** `vn.gov.lgsp.dossier.received` → `dossier.received`. */
export function eventType(ce: Pick<CloudEvent, 'type'>): EventType {
  return ce.type.startsWith(CLOUDEVENT_TYPE_PREFIX) ? (ce.type.slice(CLOUDEVENT_TYPE_PREFIX.length) as EventType) : (ce.type as EventType);
}

export function fromCloudEvent(ce: CloudEvent): OutboundEvent {
  const e: OutboundEvent = {
    eventId: ce.id,
    type: eventType(ce),
    source: ce.source.startsWith(SOURCE_PREFIX) ? ce.source.slice(SOURCE_PREFIX.length) : ce.source,
    time: ce.time,
    revision: ce.data.revision,
    previousStatus: ce.data.previousStatus,
    dossier: ce.data.dossier,
  };
  if (ce.correlationid) e.correlationId = ce.correlationid;
  if (ce.data.transfer) e.transfer = ce.data.transfer;
  return e;
}

/**
 * The systems an event goes to (amqp.md): active, with a delivery mode, subscribed to the kind, whose scope holds
 * the dossier as of this revision (the dossier in the event is that revision's), and never the source.
 */
export function recipients(systems: readonly SystemRecord[], ce: CloudEvent, type: EventType, source: string): SystemRecord[] {
  const d = ce.data.dossier;
  return systems.filter((s) => s.status === 'active' && s.id !== source && s.delivery.mode !== 'none'
    && s.subscriptions.some((sub) => sub.events.includes(type)
      && (sub.scope === 'all' || inScope({ id: s.id, role: s.role, agencies: scopeCodes(s) }, d))));
}

/** The native message for a system, via its adapter, with its own number for the dossier. Throws when it cannot be made. */
export function encodeFor(system: SystemRecord, event: OutboundEvent, resolved: ResolvedAdapter | undefined): NativeMessage {
  if (!resolved) throw new Error(system.adapter === 'mapping' ? 'no active mapping version to encode with' : `no built-in adapter ${system.adapter} to encode with`);
  const adapter = resolved.adapter;
  const localCode = event.dossier.altCodes?.find((a) => a.system === system.id)?.code;
  return adapter.encode(event, { systemId: system.id, ...(localCode ? { localCode } : {}) });
}

/** A mailbox body: a JSON value for JSON formats, the text otherwise (api.md, "Mailbox"). */
export function mailboxBody(m: NativeMessage): { contentType: string; body: string; bodyIsJson: boolean } {
  const body = typeof m.body === 'string' ? m.body : m.body.toString('utf8');
  let bodyIsJson = /[/+]json\b/i.test(m.contentType);
  if (bodyIsJson) {
    try { JSON.parse(body); } catch { bodyIsJson = false; }
  }
  return { contentType: m.contentType, body, bodyIsJson };
}
