import { BadRequestError } from '../errors';
import { SERVICE_TYPES } from '../protocol/enums';
import type { ServiceType } from '../protocol/enums';
import type { SubscriptionRecord } from '../store/queue-records';
import type { DecodedPayload } from './codec';
import { textFields } from './fields';
import type { GoessnerObject } from './goessner';

/**
 * Service types a subscription may name: those of a service, and SIF 3.5's `SERVICE`
 * (Infrastructure Service Objects 3.5 §3.5.6), which stands for a service of any type.
 *
 * @example
 * SUBSCRIPTION_SERVICE_TYPES.includes('SERVICE'); // true
 */
export const SUBSCRIPTION_SERVICE_TYPES = [...SERVICE_TYPES, 'SERVICE'] as const;
export type SubscriptionServiceType = ServiceType | 'SERVICE';

/**
 * SIF 3.5 subscription `messageType` values: events of the service, or requests for it (its provider).
 *
 * @example
 * SUBSCRIPTION_MESSAGE_TYPES; // ['EVENT', 'REQUEST']
 */
export const SUBSCRIPTION_MESSAGE_TYPES = ['EVENT', 'REQUEST'] as const;

/**
 * SIF 3.5 subscription `serviceSubType` values.
 *
 * @example
 * SERVICE_SUB_TYPES; // ['adminDirective']
 */
export const SERVICE_SUB_TYPES = ['adminDirective'] as const;

/** What a consumer asks for when it subscribes; missing zone and context are filled in by the caller. */
export interface SubscriptionRequest {
  zoneId: string | undefined;
  contextId: string | undefined;
  serviceType: SubscriptionServiceType;
  serviceName: string;
  queueId: string;
  /** SIF 3.5; undefined when not given (then EVENT). */
  messageType: 'EVENT' | 'REQUEST' | undefined;
  /** SIF 3.5; undefined when not given. */
  serviceSubType: string | undefined;
}

// subscriptionName appears in the 3.2.1 text's example (§10.3) though not in the schema: accepted, ignored.
const KNOWN = ['zoneId', 'contextId', 'serviceType', 'serviceSubType', 'messageType', 'serviceName', 'queueId', 'subscriptionName'] as const;

/** Reads a subscription create payload (Infrastructure Services §10.2); 400 naming what is wrong. */
export function readSubscriptionRequest(payload: DecodedPayload): SubscriptionRequest {
  const fields = textFields(payload, 'subscription', KNOWN);
  for (const required of ['serviceName', 'queueId'] as const) {
    if (!fields[required]) throw new BadRequestError(`subscription ${required} is mandatory`);
  }
  const serviceType = (fields.serviceType || 'OBJECT').toUpperCase();
  if (!(SUBSCRIPTION_SERVICE_TYPES as readonly string[]).includes(serviceType)) {
    throw new BadRequestError(`subscription serviceType must be one of ${SUBSCRIPTION_SERVICE_TYPES.join(', ')}`);
  }
  const messageType = fields.messageType ? fields.messageType.toUpperCase() : undefined;
  if (messageType !== undefined && !(SUBSCRIPTION_MESSAGE_TYPES as readonly string[]).includes(messageType)) {
    throw new BadRequestError(`subscription messageType must be one of ${SUBSCRIPTION_MESSAGE_TYPES.join(', ')}`);
  }
  const serviceSubType = fields.serviceSubType || undefined;
  if (serviceSubType !== undefined && !(SERVICE_SUB_TYPES as readonly string[]).includes(serviceSubType)) {
    throw new BadRequestError(`subscription serviceSubType must be ${SERVICE_SUB_TYPES.join(' or ')}`);
  }
  return {
    zoneId: fields.zoneId || undefined,
    contextId: fields.contextId || undefined,
    serviceType: serviceType as SubscriptionServiceType,
    serviceName: fields.serviceName!,
    queueId: fields.queueId!,
    messageType: messageType as 'EVENT' | 'REQUEST' | undefined,
    serviceSubType,
  };
}

/**
 * The subscription object in schema order (3.5 §3.5.6: serviceSubType and messageType between
 * serviceType and serviceName, each only when the subscriber gave it, so that a 3.2.1 or 3.3
 * subscription reads back exactly as its schema has it).
 *
 * @example
 * subscriptionObject(record); // { '@id': '…', zoneId: 'District', contextId: 'DEFAULT', serviceType: 'OBJECT', messageType: 'REQUEST', … }
 */
export function subscriptionObject(s: SubscriptionRecord): GoessnerObject {
  const out: GoessnerObject = { '@id': s.id, zoneId: s.zoneId, contextId: s.contextId, serviceType: s.serviceType };
  if (s.serviceSubType !== undefined) out.serviceSubType = s.serviceSubType;
  if (s.messageType !== undefined) out.messageType = s.messageType;
  out.serviceName = s.serviceName;
  out.queueId = s.queueId;
  return out;
}
