// The event envelope (amqp.md): CloudEvents 1.0, structured mode.
import type { OutboundEvent } from '../../adapters/kit/contract.js';
import type { Dossier } from './types.js';

export const CLOUDEVENT_TYPE_PREFIX = 'vn.gov.lgsp.';

export interface CloudEvent {
  specversion: '1.0';
  id: string;
  source: string;
  type: string;
  subject: string;
  time: string;
  datacontenttype: 'application/json';
  correlationid?: string;
  data: {
    revision: number;
    previousStatus: number | null;
    status: number;
    dossier: Dossier;
    transfer?: OutboundEvent['transfer'];
  };
}

export function toCloudEvent(e: OutboundEvent): CloudEvent {
  const ce: CloudEvent = {
    specversion: '1.0',
    id: e.eventId,
    source: `/lgsp-hub/systems/${e.source}`,
    type: `${CLOUDEVENT_TYPE_PREFIX}${e.type}`,
    subject: e.dossier.code,
    time: e.time,
    datacontenttype: 'application/json',
    data: { revision: e.revision, previousStatus: e.previousStatus, status: e.dossier.status, dossier: e.dossier },
  };
  if (e.correlationId) ce.correlationid = e.correlationId;
  if (e.transfer) ce.data.transfer = e.transfer;
  return ce;
}
