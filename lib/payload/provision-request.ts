import { BadRequestError, QuotaExceededError } from '../errors';
import type { RightType, ServiceType } from '../protocol/enums';
import { DEFAULT_CONTEXT, RIGHT_TYPES, SERVICE_TYPES } from '../protocol/enums';
import type { AssertionValue, ProvisionAssertion } from '../protocol/provisioning';
import { completionStatus, inCanonicalOrder } from '../protocol/provisioning';
import type { ProvisionRequestRecord } from '../store/store';
import type { DecodedPayload } from './codec';
import { requireInfrastructureRoot } from './fields';
import type { GoessnerObject, GoessnerValue } from './goessner';
import { asArray, isElement, textOf } from './goessner';

/** A service asked for, as the consumer wrote it: its type may be left to the provider. */
export interface AskedService {
  zoneId: string;
  serviceName: string;
  /** Undefined when the consumer gave none (the registered type is taken). */
  serviceType: ServiceType | undefined;
  contextId: string;
  rights: RightType[];
}

/** How much one provision request may ask for (limits.maxObjectsPerRequest, limits.maxFieldLength). */
export interface AskLimits {
  maxServices: number;
  maxFieldLength: number;
}

/**
 * Reads a provisionRequest create payload (Infrastructure Services §6.1): zones, in them services,
 * in them the rights asked for (each right's text, REQUESTED by the spec, is not looked at). Zones
 * may sit in `provisionedZones` (the XSD) or straight under the root (the §6.2.1 example). A
 * service named twice in one zone and context has its rights joined. 400 naming the first problem.
 *
 * @example
 * parseProvisionRequest(payload, { maxServices: 1000, maxFieldLength: 256 });
 * // [{ zoneId: 'District', serviceName: 'xStudents', serviceType: 'OBJECT', contextId: 'DEFAULT', rights: ['CREATE'] }]
 */
export function parseProvisionRequest(payload: DecodedPayload, limits: AskLimits): AskedService[] {
  requireInfrastructureRoot(payload, 'provisionRequest');
  const root = payload.value;
  for (const key of Object.keys(root)) {
    if (!key.startsWith('@') && key !== 'provisionedZones' && key !== 'provisionedZone') {
      throw new BadRequestError(`${key.slice(0, 40)} is not a provisionRequest element`, { description: 'expected provisionedZones' });
    }
  }
  const wrapper = root.provisionedZones;
  if (wrapper !== undefined && wrapper !== '' && !isElement(wrapper)) throw new BadRequestError('provisionedZones must be an element');
  const zones = [...asArray(isElement(wrapper) ? wrapper.provisionedZone : undefined), ...asArray(root.provisionedZone)];
  const asked: AskedService[] = [];
  zones.forEach((zone, z) => {
    const where = `provisionedZone ${z + 1}`;
    const element = requireElement(zone, where);
    const zoneId = token(element['@id'], `${where} @id`, limits.maxFieldLength);
    const services = element.services;
    if (services !== undefined && services !== '' && !isElement(services)) throw new BadRequestError(`${where}: services must be an element`);
    asArray(isElement(services) ? services.service : undefined).forEach((service, s) => {
      const at = `${where}, service ${s + 1}`;
      const item = readService(requireElement(service, at), zoneId, at, limits.maxFieldLength);
      const same = asked.find((a) => a.zoneId === zoneId && a.serviceName === item.serviceName && a.contextId === item.contextId);
      if (same) same.rights = RIGHT_TYPES.filter((r) => same.rights.includes(r) || item.rights.includes(r));
      else asked.push(item);
      if (asked.length > limits.maxServices) {
        throw new QuotaExceededError(413, 'limits.maxObjectsPerRequest', `A provision request may ask for at most ${limits.maxServices} services`);
      }
    });
  });
  if (asked.length === 0) throw new BadRequestError('A provisionRequest must ask for rights on at least one service');
  return asked;
}

function readService(service: GoessnerObject, zoneId: string, at: string, maxLength: number): AskedService {
  const serviceName = token(service['@name'], `${at} @name`, maxLength);
  const typeText = service['@type'] === undefined ? undefined : token(service['@type'], `${at} @type`, maxLength);
  if (typeText !== undefined && !(SERVICE_TYPES as readonly string[]).includes(typeText)) {
    throw new BadRequestError(`${at}: @type must be one of ${SERVICE_TYPES.join(', ')}`);
  }
  const contextId = service['@contextId'] === undefined ? DEFAULT_CONTEXT : token(service['@contextId'], `${at} @contextId`, maxLength);
  const rightsElement = service.rights;
  if (!isElement(rightsElement)) throw new BadRequestError(`${at}: rights must list the rights asked for`);
  const rights = new Set<RightType>();
  for (const right of asArray(rightsElement.right)) {
    const type = isElement(right) ? textOf(right['@type'])?.trim() : undefined;
    if (!type || !(RIGHT_TYPES as readonly string[]).includes(type)) {
      throw new BadRequestError(`${at}: each right needs a @type, one of ${RIGHT_TYPES.join(', ')}`);
    }
    rights.add(type as RightType);
  }
  if (rights.size === 0) throw new BadRequestError(`${at}: rights must list the rights asked for`);
  return { zoneId, serviceName, serviceType: typeText as ServiceType | undefined, contextId, rights: RIGHT_TYPES.filter((r) => rights.has(r)) };
}

function requireElement(value: GoessnerValue, where: string): GoessnerObject {
  if (!isElement(value)) throw new BadRequestError(`${where} must be an element`);
  return value;
}

function token(value: unknown, where: string, maxLength: number): string {
  const text = textOf(value)?.trim();
  if (!text) throw new BadRequestError(`${where} is mandatory`);
  if (text.length > maxLength) throw new QuotaExceededError(400, 'limits.maxFieldLength', `${where} is longer than ${maxLength} characters`);
  return text;
}

/**
 * The provisionRequest element of a stored request: `@id`, `@completionStatus` once decided, and
 * its zones, services and rights (REQUESTED while pending, then APPROVED or REJECTED).
 *
 * @example
 * responder.payload(req, res, 200, 'provisionRequest', provisionRequestObject(record));
 */
export function provisionRequestObject(record: ProvisionRequestRecord): GoessnerObject {
  const out: GoessnerObject = { '@id': record.id };
  const status = record.decidedAt === undefined ? undefined : completionStatus(record.assertions);
  if (status) out['@completionStatus'] = status;
  const zoneIds = [...new Set(record.assertions.map((a) => a.zoneId))];
  out.provisionedZones = {
    provisionedZone: zoneIds.map((zoneId) => ({
      '@id': zoneId,
      services: { service: record.assertions.filter((a) => a.zoneId === zoneId).map(serviceObject) },
    })),
  };
  return out;
}

function serviceObject(a: ProvisionAssertion): GoessnerObject {
  const rights = Object.entries(inCanonicalOrder(a.rights)) as [RightType, AssertionValue][];
  return {
    '@type': a.serviceType,
    '@name': a.serviceName,
    '@contextId': a.contextId,
    rights: { right: rights.map(([type, value]) => ({ '@type': type, '#text': value })) },
  };
}
