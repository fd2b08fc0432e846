import { SifConfigError } from '../errors';
import type { ServiceType } from '../protocol/enums';
import { SERVICE_TYPES } from '../protocol/enums';
import {
  oneOf,
  optionalString,
  optionalStringList,
  rejectUnknownKeys,
  requireObject,
  requireString,
} from '../config/validate';
import type { RepeatableTree } from '../payload/objects';
import { compileRepeatable } from '../payload/objects';
import type { ServiceDefinition, ServiceHandlers } from './types';

/** A registered service after validation. */
export interface RegisteredService {
  readonly name: string;
  readonly type: ServiceType;
  /** Undefined for a service registered without handlers (listed in environments only). */
  readonly objectName: string | undefined;
  readonly idAttribute: string;
  readonly namespace: string | undefined;
  readonly repeatable: RepeatableTree;
  readonly handlers: Readonly<ServiceHandlers>;
}

const HANDLER_NAMES = ['query', 'read', 'create', 'update', 'delete'] as const;

/** Validates the `services` option into a frozen map by service name. */
export function resolveServices(value: unknown): ReadonlyMap<string, RegisteredService> {
  const services = new Map<string, RegisteredService>();
  if (value === undefined) return services;
  for (const [name, def] of Object.entries(requireObject(value, 'services'))) {
    const path = `services.${name}`;
    if (name === 'alerts') throw new SifConfigError(path, 'is built in: the alerts utility is always provided');
    if (!/^[A-Za-z][\w-]*$/.test(name)) throw new SifConfigError(path, 'must be a plain name (letters, digits, _ and -)');
    const d = requireObject(def, path) as Record<string, unknown> & ServiceDefinition;
    rejectUnknownKeys(d, ['type', 'objectName', 'idAttribute', 'namespace', 'repeatable', 'handlers'], path);
    const handlers = d.handlers === undefined ? {} : requireObject(d.handlers, `${path}.handlers`);
    rejectUnknownKeys(handlers, HANDLER_NAMES, `${path}.handlers`);
    for (const h of HANDLER_NAMES) {
      if (handlers[h] !== undefined && typeof handlers[h] !== 'function') {
        throw new SifConfigError(`${path}.handlers.${h}`, 'must be a function');
      }
    }
    const hasHandlers = Object.keys(handlers).length > 0;
    const objectName = hasHandlers ? requireString(d.objectName, `${path}.objectName`) : optionalString(d.objectName, `${path}.objectName`);
    if (objectName === name) throw new SifConfigError(`${path}.objectName`, 'must differ from the service name');
    services.set(
      name,
      Object.freeze({
        name,
        type: d.type === undefined ? 'OBJECT' : oneOf(d.type, SERVICE_TYPES, `${path}.type`),
        objectName,
        idAttribute: optionalString(d.idAttribute, `${path}.idAttribute`) ?? 'refId',
        namespace: hasHandlers ? requireString(d.namespace, `${path}.namespace`) : optionalString(d.namespace, `${path}.namespace`),
        repeatable: compileRepeatable(optionalStringList(d.repeatable, `${path}.repeatable`) ?? []),
        handlers: Object.freeze({ ...(handlers as ServiceHandlers) }),
      }),
    );
  }
  return services;
}
