import { SifConfigError } from '../errors';
import type { ServiceOffer } from './consistency';
import { checkGrant } from './consistency';
import type { AuthMethod, RightType, RightValue, ServiceType } from '../protocol/enums';
import {
  AUTH_METHODS,
  DEFAULT_CONTEXT,
  ENVIRONMENT_GLOBAL_ZONE,
  RIGHT_TYPES,
  RIGHT_VALUES,
  SERVICE_TYPES,
  canonicalAuthMethod,
} from '../protocol/enums';
import {
  isPlainObject,
  oneOf,
  optionalString,
  optionalStringList,
  rejectUnknownKeys,
  requireObject,
  requireString,
} from '../util/validate';

/**
 * One application allowed to register as a SIF consumer, and the environment it gets.
 *
 * @example
 * const demo: ConsumerEntry = {
 *   applicationKey: 'DemoApp',
 *   secret: 'DemoSecret',
 *   authenticationMethods: ['Basic', 'SIF_HMACSHA256'],
 *   environment: {
 *     defaultZone: { id: 'District', services: [{ name: 'xStudents', rights: ['QUERY', 'CREATE'] }] },
 *   },
 * };
 */
export interface ConsumerEntry {
  /** The application key the consumer authenticates with. */
  applicationKey: string;
  /** The shared secret. Required unless the only method allowed is Bearer. Never logged. */
  secret?: string;
  /** Methods this consumer may use. Default: Basic and SIF_HMACSHA256. */
  authenticationMethods?: AuthMethod[];
  /** When set, the only instanceIds this consumer may register with ('' allows none given). */
  instanceIds?: string[];
  /** When set, the only userTokens this consumer may register with ('' allows none given). */
  userTokens?: string[];
  /** When set, the only solutionIds this consumer may register with ('' allows none given). */
  solutionIds?: string[];
  /** Used as the environment's consumerName when the request gives none. */
  consumerName?: string;
  /** The environment this consumer receives. */
  environment: EnvironmentTemplate;
}

/** What an environment contains for a consumer: its zones and, per zone, its services and rights. */
export interface EnvironmentTemplate {
  /** The zone used whenever a request names none. Always provisioned. */
  defaultZone: ZoneTemplate;
  /** Further provisioned zones. */
  zones?: ZoneTemplate[];
}

/** A zone in an environment template. */
export interface ZoneTemplate {
  id: string;
  description?: string;
  /** Zone properties, written as `<property name="…">value</property>`. */
  properties?: Record<string, string>;
  /** The services the consumer may use in this zone. */
  services?: ServiceGrant[];
}

/** Rights on one service: a list of approved rights, or each right with its value. */
export type RightsGrant = RightType[] | Partial<Record<RightType, RightValue>>;

/** A service in a zone, with the consumer's rights on it. */
export interface ServiceGrant {
  /** The service name, e.g. `xStudents` or the service path `xSchools/{}/xStudents`. */
  name: string;
  /** Default: the type the service was registered with, else OBJECT. */
  type?: ServiceType;
  /** Default: DEFAULT. */
  contextId?: string;
  /** `['QUERY', 'CREATE']` approves those; `{ QUERY: 'APPROVED', DELETE: 'REJECTED' }` states each. */
  rights: RightsGrant;
}

/**
 * Where consumers come from: a fixed list, or a lookup so that a host can keep them in its own
 * database. The lookup is called on environment creation and on every authenticated request.
 */
export type ConsumerRegistry = ConsumerEntry[] | ConsumerLookup;

/** Finds the consumer with this application key, or returns undefined. */
export type ConsumerLookup = (applicationKey: string) => ConsumerEntry | undefined | Promise<ConsumerEntry | undefined>;

/** A consumer after validation: frozen, with defaults applied and rights made explicit. */
export interface Consumer {
  readonly applicationKey: string;
  readonly secret: string | undefined;
  readonly authenticationMethods: readonly AuthMethod[];
  readonly instanceIds: readonly string[] | undefined;
  readonly userTokens: readonly string[] | undefined;
  readonly solutionIds: readonly string[] | undefined;
  readonly consumerName: string | undefined;
  readonly defaultZone: ProvisionedZone;
  readonly zones: readonly ProvisionedZone[];
}

/** A zone as it will be written into an environment. */
export interface ProvisionedZone {
  readonly id: string;
  readonly description: string | undefined;
  readonly properties: Readonly<Record<string, string>>;
  readonly services: readonly ProvisionedService[];
}

/** A service as it will be written into an environment. */
export interface ProvisionedService {
  readonly name: string;
  readonly type: ServiceType;
  readonly contextId: string;
  /** Rights in canonical order; rights the template does not mention are absent. */
  readonly rights: Readonly<Partial<Record<RightType, RightValue>>>;
}

/**
 * Validates a consumer entry and returns its frozen normal form. `path` names it in errors, e.g.
 * `consumers[2]`. Every granted service must be offered, and every right stated APPROVED or
 * SUPPORTED must be servable: a handler for the operation, queues for SUBSCRIBE (`offer` knows).
 *
 * @example
 * const consumer = normalizeConsumer(entry, 'consumers[0]', serviceOffer(services, servicePaths, true));
 */
export function normalizeConsumer(entry: unknown, path: string, offer: ServiceOffer): Consumer {
  const e = requireObject(entry, path);
  rejectUnknownKeys(
    e,
    ['applicationKey', 'secret', 'authenticationMethods', 'instanceIds', 'userTokens', 'solutionIds', 'consumerName', 'environment'],
    path,
  );
  const applicationKey = requireString(e.applicationKey, `${path}.applicationKey`);
  const methods = normalizeMethods(e.authenticationMethods, `${path}.authenticationMethods`);
  const secret = methods.some((m) => m !== 'Bearer')
    ? requireString(e.secret, `${path}.secret`)
    : optionalString(e.secret, `${path}.secret`);
  const env = requireObject(e.environment, `${path}.environment`);
  rejectUnknownKeys(env, ['defaultZone', 'zones'], `${path}.environment`);
  const defaultZone = normalizeZone(env.defaultZone, `${path}.environment.defaultZone`, offer);
  const others = env.zones === undefined ? [] : env.zones;
  if (!Array.isArray(others)) throw new SifConfigError(`${path}.environment.zones`, 'must be an array');
  const zones = [defaultZone];
  others.forEach((z, i) => {
    const zone = normalizeZone(z, `${path}.environment.zones[${i}]`, offer);
    if (zones.some((known) => known.id === zone.id)) {
      throw new SifConfigError(`${path}.environment.zones[${i}].id`, `repeats the zone id "${zone.id}"`);
    }
    zones.push(zone);
  });
  return Object.freeze({
    applicationKey,
    secret,
    authenticationMethods: methods,
    instanceIds: optionalStringList(e.instanceIds, `${path}.instanceIds`),
    userTokens: optionalStringList(e.userTokens, `${path}.userTokens`),
    solutionIds: optionalStringList(e.solutionIds, `${path}.solutionIds`),
    consumerName: optionalString(e.consumerName, `${path}.consumerName`),
    defaultZone,
    zones: Object.freeze(zones),
  });
}

function normalizeMethods(value: unknown, path: string): readonly AuthMethod[] {
  if (value === undefined) return Object.freeze(['Basic', 'SIF_HMACSHA256'] as AuthMethod[]);
  if (!Array.isArray(value) || value.length === 0) throw new SifConfigError(path, 'must be a non-empty array');
  return Object.freeze(
    value.map((m, i) => {
      const method = typeof m === 'string' ? canonicalAuthMethod(m) : undefined;
      if (!method) throw new SifConfigError(`${path}[${i}]`, `must be one of ${AUTH_METHODS.join(', ')}`);
      return method;
    }),
  );
}

function normalizeZone(value: unknown, path: string, offer: ServiceOffer): ProvisionedZone {
  const z = requireObject(value, path);
  rejectUnknownKeys(z, ['id', 'description', 'properties', 'services'], path);
  const id = requireString(z.id, `${path}.id`);
  if (id === ENVIRONMENT_GLOBAL_ZONE) {
    throw new SifConfigError(`${path}.id`, `must not be "${ENVIRONMENT_GLOBAL_ZONE}": that zone holds the utility services and is added by the provider`);
  }
  const properties: Record<string, string> = {};
  if (z.properties !== undefined) {
    for (const [name, v] of Object.entries(requireObject(z.properties, `${path}.properties`))) {
      properties[name] = requireString(v, `${path}.properties.${name}`);
    }
  }
  const rawServices = z.services === undefined ? [] : z.services;
  if (!Array.isArray(rawServices)) throw new SifConfigError(`${path}.services`, 'must be an array');
  const services = rawServices.map((s, i) => normalizeGrant(s, `${path}.services[${i}]`, offer));
  services.forEach((s, i) => {
    if (services.findIndex((o) => o.name === s.name && o.contextId === s.contextId) !== i) {
      throw new SifConfigError(`${path}.services[${i}]`, `repeats service "${s.name}" in context "${s.contextId}"`);
    }
  });
  return Object.freeze({
    id,
    description: optionalString(z.description, `${path}.description`),
    properties: Object.freeze(properties),
    services: Object.freeze(services),
  });
}

function normalizeGrant(value: unknown, path: string, offer: ServiceOffer): ProvisionedService {
  const g = requireObject(value, path);
  rejectUnknownKeys(g, ['name', 'type', 'contextId', 'rights'], path);
  const name = requireString(g.name, `${path}.name`);
  const registered = offer.type(name);
  if (registered === undefined) {
    throw new SifConfigError(`${path}.name`, `names service "${name}", which is not in the services option`);
  }
  const type = g.type === undefined ? registered : oneOf(g.type, SERVICE_TYPES, `${path}.type`);
  if (type !== registered) {
    throw new SifConfigError(`${path}.type`, `is ${type}, but service "${name}" is registered as ${registered}`);
  }
  const rights = normalizeRights(g.rights, `${path}.rights`);
  checkGrant(offer, name, rights, `${path}.rights`);
  return Object.freeze({
    name,
    type,
    contextId: optionalString(g.contextId, `${path}.contextId`) ?? DEFAULT_CONTEXT,
    rights,
  });
}

function normalizeRights(value: unknown, path: string): Readonly<Partial<Record<RightType, RightValue>>> {
  const rights: Partial<Record<RightType, RightValue>> = {};
  if (Array.isArray(value)) {
    value.forEach((r, i) => {
      rights[oneOf(r, RIGHT_TYPES, `${path}[${i}]`)] = 'APPROVED';
    });
  } else if (isPlainObject(value)) {
    for (const [type, v] of Object.entries(value)) {
      rights[oneOf(type, RIGHT_TYPES, `${path} key`)] = oneOf(v, RIGHT_VALUES, `${path}.${type}`);
    }
  } else {
    throw new SifConfigError(path, 'must be an array of right types or an object of right values');
  }
  if (Object.keys(rights).length === 0) throw new SifConfigError(path, 'must grant or state at least one right');
  // Canonical order, whatever order the template used.
  const ordered: Partial<Record<RightType, RightValue>> = {};
  for (const type of RIGHT_TYPES) if (rights[type]) ordered[type] = rights[type];
  return Object.freeze(ordered);
}
