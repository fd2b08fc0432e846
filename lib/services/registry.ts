import { InternalServiceError, SifConfigError } from '../errors';
import type { ServiceType } from '../protocol/enums';
import { SERVICE_TYPES } from '../protocol/enums';
import {
  oneOf,
  optionalBoolean,
  optionalString,
  optionalStringList,
  rejectUnknownKeys,
  requireObject,
  requireString,
} from '../util/validate';
import type { GoessnerObject } from '../payload/goessner';
import { UTILITY_ZONE } from '../protocol/utility-zone';
import type { ModelBinding } from '../models/binding';
import { withRepeatable } from '../models/plan';
import type { RepeatableTree } from '../payload/objects';
import { compileRepeatable } from '../payload/objects';
import type { RegisteredJob } from '../jobs/definition';
import { resolveJob } from '../jobs/definition';
import { remoteHandlers, resolveRemote } from '../remote/service';
import type { DelayedHandlers, QueryFeatures, RemoteProvision, ServiceDefinition, ServiceHandlers, ServicePathHandler } from './types';

/** A registered service after validation. */
export interface RegisteredService {
  readonly name: string;
  readonly type: ServiceType;
  /** Undefined for a service registered without handlers (listed in environments only). */
  readonly objectName: string | undefined;
  readonly idAttribute: string;
  readonly namespace: string | undefined;
  readonly repeatable: RepeatableTree;
  /** Attribute paths (`name/@type`) as a tree whose leaves are `@name`: for PESC JSON input. */
  readonly attributes: RepeatableTree;
  readonly handlers: Readonly<ServiceHandlers>;
  /** Handlers of an asynchronous provider, for DELAYED requests. */
  readonly delayed: Readonly<DelayedHandlers>;
  readonly supports: Readonly<Required<QueryFeatures>>;
  /** Whether the provider keeps a change log for this service (changes since). */
  readonly changeTracking: boolean;
  /** A FUNCTIONAL service's job definition; undefined for other types. */
  readonly job: RegisteredJob | undefined;
  /** Set when another application provides the service by pulling its requests (lib/remote). */
  readonly remote: Readonly<RemoteProvision> | undefined;
  /** The object's data model, when the service declares one. */
  readonly model: ModelBinding | undefined;
  /** Check incoming objects against the model (400 naming every bad path). */
  readonly validate: boolean;
  /** Check handlers' objects against the model: warn, or refuse with a 500. */
  readonly validateOutput: 'log' | 'refuse' | undefined;
}

/** A service path (`xSchools/{}/xStudents`), the service whose objects it returns, and its handler. */
export interface RegisteredServicePath {
  readonly name: string;
  /** The service names along the path: `['xSchools', 'xStudents']`. */
  readonly steps: readonly string[];
  readonly service: RegisteredService;
  readonly handler: ServicePathHandler;
}

/** The validated `services` option. */
export interface ServiceRegistry {
  readonly services: ReadonlyMap<string, RegisteredService>;
  readonly paths: ReadonlyMap<string, RegisteredServicePath>;
}

const HANDLER_NAMES = ['query', 'queryIds', 'read', 'create', 'update', 'delete', 'createMany', 'updateMany', 'deleteMany'] as const;
const DELAYED_HANDLER_NAMES = ['query', 'createMany', 'updateMany', 'deleteMany'] as const;

/** Validates the `services` option into frozen maps of services and service paths by name. */
export function resolveServices(value: unknown): ServiceRegistry {
  const services = new Map<string, RegisteredService>();
  const paths = new Map<string, RegisteredServicePath>();
  if (value === undefined) return { services, paths };
  for (const [name, def] of Object.entries(requireObject(value, 'services'))) {
    const path = `services.${name}`;
    const service = resolveService(name, def, path);
    services.set(name, service);
    const d = def as ServiceDefinition;
    if (d.paths !== undefined) {
      for (const [pathName, handler] of Object.entries(requireObject(d.paths, `${path}.paths`))) {
        if (paths.has(pathName)) throw new SifConfigError(`${path}.paths.${pathName}`, 'is declared twice');
        paths.set(pathName, resolveServicePath(pathName, handler, service, `${path}.paths.${pathName}`));
      }
    }
  }
  return { services, paths };
}

function resolveService(name: string, def: unknown, path: string): RegisteredService {
  if (UTILITY_ZONE.services.some((u) => u.name === name)) throw new SifConfigError(path, `is built in: the ${name} utility is always provided`);
  if (!/^[A-Za-z][\w-]*$/.test(name)) throw new SifConfigError(path, 'must be a plain name (letters, digits, _ and -)');
  const d = requireObject(def, path) as Record<string, unknown> & ServiceDefinition;
  rejectUnknownKeys(d, ['type', 'objectName', 'idAttribute', 'namespace', 'repeatable', 'attributes', 'handlers', 'delayed', 'supports', 'paths', 'changeTracking', 'job', 'remote', 'model', 'validate', 'validateOutput'], path);
  const type = d.type === undefined ? 'OBJECT' : oneOf(d.type, SERVICE_TYPES, `${path}.type`);
  if (type === 'FUNCTIONAL') return resolveFunctional(name, d, path);
  if (d.job !== undefined) throw new SifConfigError(`${path}.job`, "belongs to a functional service: give type 'FUNCTIONAL' too");
  const model = modelOf(d, path);
  const remote = resolveRemote(d, path);
  const given = remote ? remoteHandlers(name) : functions(d.handlers, HANDLER_NAMES, `${path}.handlers`);
  const handlers = withSingleFallbacks(name, given as ServiceHandlers);
  const delayed = functions(d.delayed, DELAYED_HANDLER_NAMES, `${path}.delayed`);
  if (delayed.query && !handlers.query) throw new SifConfigError(`${path}.delayed.query`, 'needs handlers.query too (for immediate queries)');
  for (const [name, immediate] of [['createMany', 'create'], ['updateMany', 'update'], ['deleteMany', 'delete']] as const) {
    // Either handler serves the immediate requests (a batch handler alone also serves single ones).
    if (delayed[name] && !handlers[immediate] && !handlers[name]) {
      throw new SifConfigError(`${path}.delayed.${name}`, `needs handlers.${immediate} or handlers.${name} too (for immediate requests)`);
    }
  }
  const hasHandlers = Object.keys(handlers).length > 0;
  const objectName = hasHandlers && !model ? requireString(d.objectName, `${path}.objectName`) : optionalString(d.objectName, `${path}.objectName`) ?? model?.objectName;
  if (objectName === name) throw new SifConfigError(`${path}.objectName`, 'must differ from the service name');
  const supports = d.supports === undefined ? {} : requireObject(d.supports, `${path}.supports`);
  rejectUnknownKeys(supports, ['where', 'order', 'queryByExample'], `${path}.supports`);
  const changeTracking = optionalBoolean(d.changeTracking, `${path}.changeTracking`) ?? handlers.read !== undefined;
  if (changeTracking && handlers.read === undefined) {
    throw new SifConfigError(`${path}.changeTracking`, 'needs a read handler: changes are answered with the objects as they now are');
  }
  return Object.freeze({
    name,
    type,
    objectName,
    idAttribute: optionalString(d.idAttribute, `${path}.idAttribute`) ?? model?.idAttribute ?? 'refId',
    namespace: hasHandlers && !model ? requireString(d.namespace, `${path}.namespace`) : optionalString(d.namespace, `${path}.namespace`) ?? model?.namespace,
    repeatable: model
      ? withRepeatable(model.tree, optionalStringList(d.repeatable, `${path}.repeatable`) ?? [])
      : compileRepeatable(optionalStringList(d.repeatable, `${path}.repeatable`) ?? []),
    attributes: compileRepeatable(attributePaths(d.attributes, `${path}.attributes`)),
    handlers: Object.freeze({ ...handlers }),
    delayed: Object.freeze({ ...(delayed as DelayedHandlers) }),
    supports: Object.freeze({
      where: optionalBoolean(supports.where, `${path}.supports.where`) ?? false,
      order: optionalBoolean(supports.order, `${path}.supports.order`) ?? false,
      queryByExample: optionalBoolean(supports.queryByExample, `${path}.supports.queryByExample`) ?? false,
    }),
    changeTracking,
    model,
    validate: optionalBoolean(d.validate, `${path}.validate`) ?? false,
    validateOutput: d.validateOutput === undefined ? undefined : oneOf(d.validateOutput, ['log', 'refuse'] as const, `${path}.validateOutput`),
    job: undefined,
    remote,
  });
}

/** A FUNCTIONAL service: a job definition and nothing of an object service's. */
function resolveFunctional(name: string, d: Record<string, unknown>, path: string): RegisteredService {
  const misplaced = Object.keys(d).find((key) => key !== 'type' && key !== 'job');
  if (misplaced) throw new SifConfigError(`${path}.${misplaced}`, 'does not apply to a FUNCTIONAL service (it has a job, not objects)');
  if (d.job === undefined) throw new SifConfigError(`${path}.job`, 'is required for a FUNCTIONAL service: its name and phases');
  return Object.freeze({
    name,
    type: 'FUNCTIONAL',
    objectName: undefined,
    idAttribute: 'id',
    namespace: undefined,
    repeatable: compileRepeatable([]),
    attributes: compileRepeatable([]),
    handlers: Object.freeze({}),
    delayed: Object.freeze({}),
    supports: Object.freeze({ where: false, order: false, queryByExample: false }),
    changeTracking: false,
    model: undefined,
    validate: false,
    validateOutput: undefined,
    job: resolveJob(d.job, `${path}.job`),
    remote: undefined,
  });
}

/** The service's model, checked against what the service declares beside it. */
function modelOf(d: ServiceDefinition, path: string): ModelBinding | undefined {
  const model = d.model;
  if (model === undefined) {
    if (d.validate) throw new SifConfigError(`${path}.validate`, 'needs a model (e.g. dataModel(\'au-3.4.8\').service(...))');
    if (d.validateOutput !== undefined) throw new SifConfigError(`${path}.validateOutput`, 'needs a model');
    return undefined;
  }
  if (typeof model !== 'object' || model === null || typeof model.check !== 'function' || typeof model.objectName !== 'string') {
    throw new SifConfigError(`${path}.model`, 'must come from dataModel(...).object(name)');
  }
  if (d.objectName !== undefined && d.objectName !== model.objectName) {
    throw new SifConfigError(`${path}.objectName`, `is ${d.objectName} but the model is of ${model.objectName}`);
  }
  if (d.namespace !== undefined && d.namespace !== model.namespace) {
    throw new SifConfigError(`${path}.namespace`, `differs from the model's namespace ${model.namespace}`);
  }
  return model;
}

/**
 * The handlers with a single-object handler made from each batch handler that has none: a service
 * that only writes in batches still serves `POST {plural}/{singular}`, `PUT` and `DELETE {plural}/{id}`
 * (as a batch of one), and every check that asks "is there a create handler" (405, Allow, rights)
 * sees one.
 */
function withSingleFallbacks(serviceName: string, given: ServiceHandlers): ServiceHandlers {
  const handlers = { ...given };
  const { createMany, updateMany, deleteMany } = given;
  if (createMany && !handlers.create) {
    handlers.create = async (ctx, object, options) => onlyResult(serviceName, 'createMany', await createMany(ctx, [object], options)) as GoessnerObject;
  }
  if (updateMany && !handlers.update) {
    handlers.update = async (ctx, id, partial) => onlyResult(serviceName, 'updateMany', await updateMany(ctx, [{ id, partial }])) as boolean;
  }
  if (deleteMany && !handlers.delete) {
    handlers.delete = async (ctx, id) => onlyResult(serviceName, 'deleteMany', await deleteMany(ctx, [id])) as boolean;
  }
  return handlers;
}

/**
 * The one result of a batch of one, unchecked (the endpoint checks it as a single handler's); an
 * Error result is thrown, as a single handler would have thrown it.
 */
function onlyResult(serviceName: string, handler: string, results: unknown): unknown {
  if (!Array.isArray(results) || results.length !== 1) {
    throw new InternalServiceError(`The ${serviceName} ${handler} handler must return one result per item`);
  }
  if (results[0] instanceof Error) throw results[0];
  return results[0];
}

/** An object of optional functions with known names. */
function functions(value: unknown, names: readonly string[], path: string): Record<string, unknown> {
  const o = value === undefined ? {} : requireObject(value, path);
  rejectUnknownKeys(o, names, path);
  for (const name of names) {
    if (o[name] !== undefined && typeof o[name] !== 'function') throw new SifConfigError(`${path}.${name}`, 'must be a function');
  }
  return o;
}

/** A service path such as `xSchools/{}/xStudents`, which must end in the name of its service. */
function resolveServicePath(name: string, handler: unknown, service: RegisteredService, path: string): RegisteredServicePath {
  const steps = name.split('/{}/');
  if (steps.length < 2 || steps.some((step) => !/^[A-Za-z][\w-]*$/.test(step)) || steps[steps.length - 1] !== service.name) {
    throw new SifConfigError(path, `must look like "parent/{}/${service.name}" (ending in this service's name)`);
  }
  if (typeof handler !== 'function') throw new SifConfigError(path, 'must be a function');
  return Object.freeze({ name, steps: Object.freeze(steps), service, handler: handler as ServicePathHandler });
}

/** The `attributes` option: paths whose last step is `@name` (`name/@type`, or `@code` on the object). */
function attributePaths(value: unknown, path: string): readonly string[] {
  const paths = optionalStringList(value, path) ?? [];
  for (const p of paths) {
    if (!/^(?:[^/@]+\/)*@[^/@]+$/.test(p)) throw new SifConfigError(path, `"${p.slice(0, 60)}" must be a path ending in an attribute, e.g. name/@type`);
  }
  return paths;
}
