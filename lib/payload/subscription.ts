import { BadRequestError } from '../errors';
import { SERVICE_TYPES } from '../protocol/enums';
import type { ServiceType } from '../protocol/enums';
import type { SubscriptionRecord } from '../store/queue-records';
import type { DecodedPayload } from './codec';
import { textFields } from './fields';
import type { GoessnerObject } from './goessner';

/** What a consumer asks for when it subscribes; missing zone and context are filled in by the caller. */
export interface SubscriptionRequest {
  zoneId: string | undefined;
  contextId: string | undefined;
  serviceType: ServiceType;
  serviceName: string;
  queueId: string;
}

// subscriptionName appears in the 3.2.1 text's example (§10.3) though not in the schema: accepted, ignored.
const KNOWN = ['zoneId', 'contextId', 'serviceType', 'serviceName', 'queueId', 'subscriptionName'] as const;

/** Reads a subscription create payload (Infrastructure Services §10.2); 400 naming what is wrong. */
export function readSubscriptionRequest(payload: DecodedPayload): SubscriptionRequest {
  const fields = textFields(payload, 'subscription', KNOWN);
  for (const required of ['serviceName', 'queueId'] as const) {
    if (!fields[required]) throw new BadRequestError(`subscription ${required} is mandatory`);
  }
  const serviceType = (fields.serviceType || 'OBJECT').toUpperCase();
  if (!(SERVICE_TYPES as readonly string[]).includes(serviceType)) {
    throw new BadRequestError(`subscription serviceType must be one of ${SERVICE_TYPES.join(', ')}`);
  }
  return {
    zoneId: fields.zoneId || undefined,
    contextId: fields.contextId || undefined,
    serviceType: serviceType as ServiceType,
    serviceName: fields.serviceName!,
    queueId: fields.queueId!,
  };
}

/** The subscription object in schema order. */
export function subscriptionObject(s: SubscriptionRecord): GoessnerObject {
  return {
    '@id': s.id,
    zoneId: s.zoneId,
    contextId: s.contextId,
    serviceType: s.serviceType,
    serviceName: s.serviceName,
    queueId: s.queueId,
  };
}
