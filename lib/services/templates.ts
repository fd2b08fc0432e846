import { SifConfigError } from '../errors';
import { UTILITY_ZONE } from '../protocol/utility-zone';
import { oneOf, optionalBoolean, optionalString, rejectUnknownKeys, requireObject, requireString } from '../util/validate';
import type { RegisteredService } from './registry';
import type { QueryResult, SifRequestContext } from './types';

/**
 * A named query (an XQuery template, Base Architecture §5.6.2, Utility Services §6) the host
 * answers with its own code: `GET {requestsConnector}/{templateId}?param=value…` runs `handler`
 * with the parameters, one page at a time, and answers with objects of `service`.
 *
 * @example
 * const StudentsByGrade: XQueryTemplateDefinition = {
 *   service: 'xStudents',
 *   description: 'The students of one school in one grade',
 *   parameters: [{ name: 'schoolRefId' }, { name: 'gradeLevel', description: 'e.g. 09' }],
 *   handler: async (ctx, { schoolRefId, gradeLevel }, page) => db.studentsByGrade(schoolRefId, gradeLevel, page),
 * };
 */
export interface XQueryTemplateDefinition {
  /** The registered service whose objects it returns, e.g. `xStudents` (element names, namespace, repeats). */
  service: string;
  /** What it returns, for consumers reading the xQueryTemplates registry (at most 1024 characters). */
  description?: string;
  /** Its parameters: every one is required unless `required: false` or it has a `default`. Default: none. */
  parameters?: XQueryParameter[];
  /** Its form (Utility Services §6.2). Default SINGULAR: objects of one type, filtered. */
  type?: 'SINGULAR' | 'FORMULA' | 'EXTENDED';
  /** The XQuery script, for consumers that read it: the handler is what runs. Default: empty. */
  script?: string;
  /** Answers one page: objects of `service`, with `totalCount` when known (paging headers). */
  handler: XQueryHandler;
}

/** One parameter of a named query, passed as a URL query parameter of the same name. */
export interface XQueryParameter {
  name: string;
  description?: string;
  /** Default true (as the XSD says of an omitted `required`), unless a `default` is given. */
  required?: boolean;
  /** The value used when the consumer gives none. */
  default?: string;
  /** A type name consumers may read, e.g. `xs:token`. */
  type?: string;
}

/** Runs a named query for one page; `parameters` holds every declared parameter that has a value. */
export type XQueryHandler = (
  ctx: SifRequestContext,
  parameters: Readonly<Record<string, string>>,
  page: { readonly page: number; readonly pageSize: number; readonly offset: number },
) => Promise<QueryResult>;

/** A named query's parameter after validation: `required` decided. */
export interface RegisteredParameter {
  readonly name: string;
  readonly description: string | undefined;
  readonly required: boolean;
  readonly default: string | undefined;
  readonly type: string | undefined;
}

/** A named query after validation. */
export interface RegisteredTemplate {
  readonly id: string;
  readonly service: RegisteredService;
  readonly description: string | undefined;
  readonly parameters: readonly RegisteredParameter[];
  readonly type: 'SINGULAR' | 'FORMULA' | 'EXTENDED';
  readonly script: string;
  readonly handler: XQueryHandler;
}

/**
 * Query parameters of the protocol itself (paging, authentication): never a named query's, so a
 * template may not declare them, and a request may carry them beside its template's.
 *
 * @example
 * PROTOCOL_QUERY_PARAMETERS.has('navigationPage'); // true
 */
export const PROTOCOL_QUERY_PARAMETERS: ReadonlySet<string> = new Set([
  'navigationPage', 'navigationPageSize', 'navigationId', 'queryIntention', 'access_token', 'authenticationMethod', 'timestamp',
]);

/**
 * Validates the `xQueryTemplates` option against the registered services: each id must be a plain
 * name (it is a URL segment) that no service, service path or utility uses, and return a service
 * with an `objectName` and `namespace`.
 *
 * @example
 * const templates = resolveTemplates(options.xQueryTemplates, services, servicePaths);
 */
export function resolveTemplates(
  value: unknown,
  services: ReadonlyMap<string, RegisteredService>,
  servicePathNames: ReadonlySet<string>,
): ReadonlyMap<string, RegisteredTemplate> {
  const templates = new Map<string, RegisteredTemplate>();
  if (value === undefined) return templates;
  const utilities = new Set(UTILITY_ZONE.services.map((s) => s.name));
  for (const [id, def] of Object.entries(requireObject(value, 'xQueryTemplates'))) {
    const path = `xQueryTemplates.${id}`;
    if (!/^[A-Za-z][\w-]*$/.test(id)) throw new SifConfigError(path, 'must be a plain name (letters, digits, _ and -): it is a URL segment');
    if (services.has(id) || utilities.has(id) || [...servicePathNames].some((p) => p.split('/{}/')[0] === id)) {
      throw new SifConfigError(path, `is the name of a service or utility: ${id} would answer both`);
    }
    const d = requireObject(def, path);
    rejectUnknownKeys(d, ['service', 'description', 'parameters', 'type', 'script', 'handler'], path);
    const serviceName = requireString(d.service, `${path}.service`);
    const service = services.get(serviceName);
    if (!service) throw new SifConfigError(`${path}.service`, `names service "${serviceName}", which is not in the services option`);
    if (!service.objectName || !service.namespace) {
      throw new SifConfigError(`${path}.service`, `names service "${serviceName}", which needs objectName and namespace (its objects are the answer)`);
    }
    if (typeof d.handler !== 'function') throw new SifConfigError(`${path}.handler`, 'must be a function');
    const description = optionalString(d.description, `${path}.description`);
    if (description !== undefined && description.length > 1024) throw new SifConfigError(`${path}.description`, 'must be at most 1024 characters');
    const script = d.script === undefined ? '' : typeof d.script === 'string' ? d.script : undefined;
    if (script === undefined) throw new SifConfigError(`${path}.script`, 'must be a string');
    templates.set(id, Object.freeze({
      id,
      service,
      description,
      parameters: resolveParameters(d.parameters, `${path}.parameters`),
      type: d.type === undefined ? 'SINGULAR' : oneOf(d.type, ['SINGULAR', 'FORMULA', 'EXTENDED'] as const, `${path}.type`),
      script,
      handler: d.handler as XQueryHandler,
    }));
  }
  return templates;
}

function resolveParameters(value: unknown, path: string): RegisteredTemplate['parameters'] {
  if (value === undefined) return Object.freeze([]);
  if (!Array.isArray(value)) throw new SifConfigError(path, 'must be an array');
  const names = new Set<string>();
  return Object.freeze(value.map((p, i) => {
    const at = `${path}[${i}]`;
    const o = requireObject(p, at);
    rejectUnknownKeys(o, ['name', 'description', 'required', 'default', 'type'], at);
    const name = requireString(o.name, `${at}.name`);
    if (!/^[A-Za-z][\w.-]*$/.test(name)) throw new SifConfigError(`${at}.name`, 'must be a plain name (letters, digits, _, . and -)');
    if (PROTOCOL_QUERY_PARAMETERS.has(name)) throw new SifConfigError(`${at}.name`, `"${name}" is a query parameter of the protocol itself`);
    if (names.has(name)) throw new SifConfigError(`${at}.name`, `repeats "${name}"`);
    names.add(name);
    const fallback = o.default === undefined ? undefined : typeof o.default === 'string' ? o.default : null;
    if (fallback === null || (fallback !== undefined && !isParameterValue(fallback))) {
      throw new SifConfigError(`${at}.default`, 'must be a string of letters, digits, spaces, . and -');
    }
    return Object.freeze({
      name,
      description: optionalString(o.description, `${at}.description`),
      required: optionalBoolean(o.required, `${at}.required`) ?? fallback === undefined,
      default: fallback,
      type: optionalString(o.type, `${at}.type`),
    });
  }));
}

/**
 * Whether a value may be a named query's parameter: "only alphanumeric values (including floating
 * point numbers) with spaces or the empty string" (Utility Services §6.2.4); `-` is allowed too,
 * for negative numbers and the UUIDs that refIds are.
 *
 * @example
 * isParameterValue('09'); // true
 * isParameterValue('a" or "1'); // false
 */
export function isParameterValue(value: string): boolean {
  return /^[\p{L}\p{N} .-]*$/u.test(value);
}
