import type { SifLogger } from '../config/options';
import { BadRequestError, InternalServiceError } from '../errors';
import type { GoessnerObject } from '../payload/goessner';
import type { RegisteredService } from '../services/registry';
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
  const problems = service.model.check(object, 'full');
  if (problems.length === 0) return;
  const id = object[`@${service.idAttribute}`];
  logger.warn(`sif3-direct: the ${service.name} handlers returned an invalid ${service.objectName}${typeof id === 'string' ? ` (${id.slice(0, 80)})` : ''}`, problems);
  if (service.validateOutput === 'refuse') throw new InternalServiceError(`The ${service.name} handlers returned an invalid ${service.objectName}`);
}
