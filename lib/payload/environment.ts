import type { ProvisionedZone } from '../config/consumers';
import { BadRequestError, QuotaExceededError } from '../errors';
import { RIGHT_TYPES } from '../protocol/enums';
import { provisionedZones } from '../protocol/rights';
import type { EnvironmentRecord } from '../store/store';
import type { DecodedPayload } from './codec';
import { requireInfrastructureRoot } from './fields';
import type { GoessnerObject } from './goessner';
import { isElement, textOf } from './goessner';

/** The fields of an environment-create request (Infrastructure Services §4.3.1). */
export interface EnvironmentRequest {
  solutionId?: string;
  authenticationMethod?: string;
  instanceId?: string;
  userToken?: string;
  consumerName?: string;
  applicationKey?: string;
  supportedInfrastructureVersion?: string;
  dataModelNamespace?: string;
  transport?: string;
  applicationProduct?: GoessnerObject;
  adapterProduct?: GoessnerObject;
}

const TOP_FIELDS = ['solutionId', 'authenticationMethod', 'instanceId', 'userToken', 'consumerName'] as const;
const APP_FIELDS = ['applicationKey', 'supportedInfrastructureVersion', 'dataModelNamespace', 'transport'] as const;
const PRODUCT_FIELDS = ['vendorName', 'productName', 'productVersion', 'iconURI'] as const;

/**
 * Reads an environment-create payload. The root must be `environment`, in a SIF 3.x infrastructure
 * namespace when XML names one. Empty elements count as absent (some consumers send `<instanceId/>`).
 */
export function environmentRequestFromPayload(payload: DecodedPayload, maxLength: number): EnvironmentRequest {
  requireInfrastructureRoot(payload, 'environment');
  const env = payload.value;
  const request: EnvironmentRequest = {};
  const setText = textSetter(maxLength);
  for (const field of TOP_FIELDS) setText(request, field, env[field]);
  const info = env.applicationInfo;
  if (info !== undefined && !isElement(info)) throw new BadRequestError('applicationInfo must be an element');
  if (info) {
    // Some consumers put instanceId and userToken inside applicationInfo (the 3.0 layout).
    for (const field of [...APP_FIELDS, 'instanceId', 'userToken'] as const) {
      if (request[field] === undefined) setText(request, field, info[field]);
    }
    request.applicationProduct = product(info.applicationProduct, 'applicationProduct', maxLength);
    request.adapterProduct = product(info.adapterProduct, 'adapterProduct', maxLength);
  }
  return request;
}

/** Reads an environment-create request sent without a body, from headers or query parameters. */
export function environmentRequestFromParams(param: (name: string) => string | undefined, maxLength: number): EnvironmentRequest {
  const request: EnvironmentRequest = {};
  const setText = textSetter(maxLength);
  for (const field of [...TOP_FIELDS, ...APP_FIELDS]) setText(request, field, param(field));
  return request;
}

/** Sets a text field of the request, trimmed, refusing one longer than `maxLength` (`limits.maxFieldLength`). */
function textSetter(maxLength: number) {
  return function setText(target: EnvironmentRequest, field: keyof EnvironmentRequest, value: unknown): void {
    if (value === undefined) return;
    const text = textOf(value);
    if (text === undefined) throw new BadRequestError(`${field} must be a simple value`);
    const trimmed = limitedText(text.trim(), field, maxLength);
    if (trimmed !== '') (target as Record<string, string>)[field] = trimmed;
  };
}

function limitedText(text: string, path: string, maxLength: number): string {
  if (text.length > maxLength) {
    throw new QuotaExceededError(400, 'limits.maxFieldLength', `${path} is longer than ${maxLength} characters`);
  }
  return text;
}

function product(value: unknown, name: string, maxLength: number): GoessnerObject | undefined {
  if (value === undefined || value === '') return undefined;
  if (!isElement(value)) throw new BadRequestError(`${name} must be an element`);
  const out: GoessnerObject = {};
  for (const field of PRODUCT_FIELDS) {
    const text = textOf(value[field])?.trim();
    if (text) out[field] = limitedText(text, `${name}/${field}`, maxLength);
  }
  // productName is mandatory in productIdentityType: without it the element is left out.
  return out.productName ? out : undefined;
}

/** URLs of the infrastructure services an environment lists. */
export interface InfrastructureUrls {
  environment: string;
  requestsConnector: string;
  /** Where consumers ask for more rights (Infrastructure Services §6). */
  provisionRequests?: string;
  /** Present only when queues are on; so are SUBSCRIBE rights. */
  queues?: string;
  subscriptions?: string;
  /** Present only when a service is FUNCTIONAL (jobs). */
  servicesConnector?: string;
}

/**
 * The environment object in schema order (interop.md §2): `@id`, `@type`, fingerprint, sessionToken,
 * solutionId, defaultZone, authenticationMethod, instanceId, userToken, consumerName, applicationInfo,
 * infrastructureServices, provisionedZones.
 */
export function environmentObject(
  env: EnvironmentRecord,
  sessionToken: string | undefined,
  urls: InfrastructureUrls,
): GoessnerObject {
  const out: GoessnerObject = { '@id': env.id, '@type': 'DIRECT', fingerprint: env.fingerprint };
  if (sessionToken) out.sessionToken = sessionToken;
  if (env.solutionId) out.solutionId = env.solutionId;
  out.defaultZone = zoneObject(env.defaultZone);
  out.authenticationMethod = env.authenticationMethod;
  if (env.instanceId) out.instanceId = env.instanceId;
  if (env.userToken) out.userToken = env.userToken;
  if (env.consumerName) out.consumerName = env.consumerName;
  out.applicationInfo = env.applicationInfo;
  out.infrastructureServices = {
    infrastructureService: [
      { '@name': 'environment', '#text': urls.environment },
      { '@name': 'requestsConnector', '#text': urls.requestsConnector },
      ...(urls.provisionRequests ? [{ '@name': 'provisionRequests', '#text': urls.provisionRequests }] : []),
      ...(urls.queues ? [{ '@name': 'queues', '#text': urls.queues }] : []),
      ...(urls.subscriptions ? [{ '@name': 'subscriptions', '#text': urls.subscriptions }] : []),
      ...(urls.servicesConnector ? [{ '@name': 'servicesConnector', '#text': urls.servicesConnector }] : []),
    ],
  };
  const subscribable = urls.subscriptions !== undefined;
  out.provisionedZones = { provisionedZone: provisionedZones(env).map((zone) => provisionedZoneObject(zone, subscribable)) };
  return out;
}

/**
 * A `zoneType` element: `@id`, description, properties (an environment's defaultZone, a zones registry entry).
 *
 * @example
 * zoneObject(env.defaultZone); // { "@id": "District", description: "…" }
 */
export function zoneObject(zone: ProvisionedZone): GoessnerObject {
  const out: GoessnerObject = { '@id': zone.id };
  if (zone.description) out.description = zone.description;
  const properties = Object.entries(zone.properties);
  if (properties.length > 0) {
    out.properties = { property: properties.map(([name, value]) => ({ '@name': name, '#text': value })) };
  }
  return out;
}

/** A provisioned zone; SUBSCRIBE rights only when subscriptions are offered. */
function provisionedZoneObject(zone: ProvisionedZone, subscribable: boolean): GoessnerObject {
  const out: GoessnerObject = { '@id': zone.id };
  if (zone.services.length === 0) return out;
  out.services = {
    service: zone.services.map((s) => ({
      '@type': s.type,
      '@name': s.name,
      '@contextId': s.contextId,
      rights: {
        right: RIGHT_TYPES.filter((t) => s.rights[t] && (subscribable || t !== 'SUBSCRIBE')).map((t) => ({ '@type': t, '#text': s.rights[t]! })),
      },
    })),
  };
  return out;
}

/** The `applicationInfo` element for a new environment, in schema order. */
export function applicationInfoObject(
  applicationKey: string,
  request: EnvironmentRequest,
  infrastructureVersion: string,
): GoessnerObject {
  const out: GoessnerObject = {
    applicationKey,
    supportedInfrastructureVersion: request.supportedInfrastructureVersion ?? infrastructureVersion,
  };
  if (request.dataModelNamespace) out.dataModelNamespace = request.dataModelNamespace;
  out.transport = 'REST';
  if (request.applicationProduct) out.applicationProduct = request.applicationProduct;
  if (request.adapterProduct) out.adapterProduct = request.adapterProduct;
  return out;
}
