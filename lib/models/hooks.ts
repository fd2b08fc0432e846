import type { SifLogger } from '../config/options';
import { BadRequestError, InternalServiceError } from '../errors';
import type { GoessnerObject } from '../payload/goessner';
import { shapeForOutput } from '../payload/objects';
import type { RegisteredService } from '../services/registry';
import type { ChangeAction } from '../services/types';
import type { CheckMode } from './check';

// The steps a service's model adds to the payload path (see lib/endpoints/requests/common.ts):
// each is a no-op for a service that did not ask for it, so hand-written services pay nothing.

/**
 * With `validate: true`, throws a 400 naming every offending path of an incoming object (`full`
 * for a create, `partial` for an update). `label` names the object among several (`StudentPersonal
 * number 3`).
 *
 * @example
 * assertValidInput(service, object, 'full');
 */
export function assertValidInput(service: RegisteredService, object: GoessnerObject, mode: CheckMode, label?: string): void {
  if (!service.validate || !service.model) return;
  const problems = service.model.check(object, mode);
  if (problems.length === 0) return;
  throw new BadRequestError(`${label ?? `The ${service.objectName}`} is not valid (${service.model.modelName}): ${problems.join('; ')}`, {
    description: problems.join('\n'),
  });
}

/**
 * With `validateOutput`, checks an object a handler returned: `'log'` warns and lets it through,
 * `'refuse'` also warns and then answers 500 instead of sending it.
 *
 * @example
 * checkOutput(service, object, core.config.logger);
 */
export function checkOutput(service: RegisteredService, object: GoessnerObject, logger: SifLogger): void {
  if (!service.validateOutput || !service.model) return;
  if (warned(service, object, 'full', logger, `the ${service.name} handlers returned`) && service.validateOutput === 'refuse') {
    throw new InternalServiceError(`The ${service.name} handlers returned an invalid ${service.objectName}`);
  }
}

/**
 * With `validateOutput`, checks one page of an asynchronous provider's answer to a delayed query
 * (in process or remote, SIF 3.5), shaped as it will be queued. `'log'` warns and lets the page
 * through; `'refuse'` also warns and returns the error to queue in its place: the consumer gets an
 * ERROR 500, as an immediate query would get a 500, and the request ends.
 *
 * @example
 * const refused = refusedAnswer(service, shaped, logger);
 * if (refused) return this.failAt(ref, refused);
 */
export function refusedAnswer(service: RegisteredService, objects: readonly GoessnerObject[], logger: SifLogger): { statusCode: number; message: string } | undefined {
  if (!service.validateOutput || !service.model) return undefined;
  const invalid = objects.filter((o) => warned(service, o, 'full', logger, `the provider of ${service.name} answered with`)).length;
  if (invalid === 0 || service.validateOutput !== 'refuse') return undefined;
  return { statusCode: 500, message: `The provider of ${service.name} answered with ${invalid} invalid ${service.objectName} object(s)` };
}

/**
 * With `validateOutput`, checks the objects of a change the host reports (`provider.changed`),
 * shaped as subscribers will get them in their events: a CREATE or a FULL replacement as whole
 * objects, a PARTIAL update as a partial one; a DELETE carries only ids. `'log'` warns; `'refuse'`
 * throws a TypeError naming the problems, before the change is logged or queued to anyone.
 *
 * @example
 * checkReportedChange(service, 'UPDATE', objects, 'PARTIAL', config.logger);
 */
export function checkReportedChange(
  service: RegisteredService,
  action: ChangeAction,
  objects: readonly GoessnerObject[],
  replacement: 'FULL' | 'PARTIAL' | undefined,
  logger: SifLogger,
): void {
  if (!service.validateOutput || !service.model || action === 'DELETE') return;
  const mode: CheckMode = replacement === 'FULL' || (replacement === undefined && action === 'CREATE') ? 'full' : 'partial';
  const refused: string[] = [];
  for (const object of objects) {
    const problems = warned(service, shapeForOutput(object, service.repeatable, service.objectName), mode, logger, 'changed() reported');
    if (problems && service.validateOutput === 'refuse') refused.push(...problems);
  }
  if (refused.length > 0) {
    throw new TypeError(`sif3-direct: changed(): an invalid ${service.objectName} (${service.model.modelName}): ${refused.slice(0, 10).join('; ')}`);
  }
}

/** The problems of an object about to be sent (shaped as it will be), warned about; undefined when it is valid. */
function warned(service: RegisteredService, object: GoessnerObject, mode: CheckMode, logger: SifLogger, who: string): string[] | undefined {
  const problems = service.model!.check(object, mode);
  if (problems.length === 0) return undefined;
  const id = object[`@${service.idAttribute}`];
  logger.warn(`sif3-direct: ${who} an invalid ${service.objectName}${typeof id === 'string' ? ` (${id.slice(0, 80)})` : ''}`, problems);
  return problems;
}
