import type { Request, Response } from 'express';
import { parse } from 'node:querystring';
import type { ProviderCore } from '../core';
import { BadRequestError, NotFoundError, QuotaExceededError } from '../errors';
import { getSifContext } from '../http/context';
import { checkServiceType } from '../http/request-headers';
import { header, headerOrQuery } from '../http/params';
import { DEFAULT_CONTEXT } from '../protocol/enums';
import { pageOffset, parsePaging } from '../protocol/paging';
import { findProvisioned, requireGranted } from '../protocol/rights';
import type { RegisteredTemplate } from '../services/templates';
import { PROTOCOL_QUERY_PARAMETERS, isParameterValue } from '../services/templates';
import { sendPage } from './requests/query';

/**
 * `GET {rc}/{templateId}?param=value…` (Base Architecture §5.6.2): runs a named query the host
 * registered, one page at a time, and answers with its service's collection (204 past the last
 * page). The template must be provisioned in the zone and context of the request (404) with QUERY
 * (403); a missing, repeated, undeclared or malformed parameter is a 400 that names it.
 *
 * @example
 * router.get(path, authenticateSession(core), runNamedQuery(core));
 */
export function runNamedQuery(core: ProviderCore) {
  return async function runNamedQueryStep(req: Request, res: Response): Promise<void> {
    const context = getSifContext(req);
    const environment = context.session!.environment;
    const template = core.config.xQueryTemplates.get(String(req.params.templateId));
    if (!template) throw new NotFoundError('No such service or named query');
    context.serviceType = checkServiceType(req, template.id, 'XQUERYTEMPLATE', ['XQUERYTEMPLATE']);
    const zoneId = context.matrix.zoneId || header(req, 'zoneId') || environment.defaultZone.id;
    const contextId = context.matrix.contextId || header(req, 'contextId') || DEFAULT_CONTEXT;
    const where = { zoneId, serviceName: template.id, contextId };
    const provisioned = findProvisioned(environment, where);
    if (!provisioned) throw new NotFoundError(`No named query ${template.id} in zone ${zoneId.slice(0, 80)}, context ${contextId.slice(0, 80)}`);
    requireGranted(provisioned, where, 'QUERY');

    const parameters = parametersOf(req, template, core.config.limits.maxFieldLength);
    const page = parsePaging(headerOrQuery(req, 'navigationPage'), headerOrQuery(req, 'navigationPageSize'), core.config.paging);
    const ctx = Object.freeze({
      serviceName: template.id,
      zoneId,
      contextId,
      applicationKey: environment.applicationKey,
      environmentId: environment.id,
      fingerprint: environment.fingerprint,
      instanceId: environment.instanceId,
      userToken: environment.userToken,
      solutionId: environment.solutionId,
      generatorId: header(req, 'generatorId'),
      requestId: header(req, 'requestId'),
    });
    // The answer is a page of the template's service, written as a query of it is.
    context.target = { service: template.service, operation: 'query', itemId: undefined, servicePath: undefined, ctx };
    const query = { ...page, offset: pageOffset(page) };
    sendPage(core, req, res, await template.handler(ctx, parameters, query), query);
  };
}

/**
 * The template's parameters from the query string: each declared one given at most once, with a
 * value Utility Services §6.2.4 allows, else its default; 400 for one missing, repeated, undeclared
 * (the protocol's own, such as navigationPage, aside) or malformed.
 */
function parametersOf(req: Request, template: RegisteredTemplate, maxLength: number): Record<string, string> {
  const q = req.url.indexOf('?');
  const given = q < 0 ? {} : parse(req.url.slice(q + 1));
  const declared = new Map(template.parameters.map((p) => [p.name, p]));
  const values: Record<string, string> = {};
  for (const [name, value] of Object.entries(given)) {
    if (PROTOCOL_QUERY_PARAMETERS.has(name)) continue;
    if (!declared.has(name)) {
      throw new BadRequestError(`${template.id} has no parameter ${JSON.stringify(name.slice(0, 60))}`, {
        description: `its parameters: ${template.parameters.map((p) => p.name).join(', ') || 'none'}`,
      });
    }
    if (Array.isArray(value)) throw new BadRequestError(`Parameter ${name} of ${template.id} is given more than once`);
    const text = value ?? '';
    if (text.length > maxLength) throw new QuotaExceededError(400, 'limits.maxFieldLength', `Parameter ${name} of ${template.id} is longer than ${maxLength} characters`);
    if (!isParameterValue(text)) {
      throw new BadRequestError(`Parameter ${name} of ${template.id} must be letters, digits, spaces, . and - (Utility Services §6.2.4)`);
    }
    values[name] = text;
  }
  for (const p of template.parameters) {
    if (values[p.name] !== undefined) continue;
    if (p.default !== undefined) values[p.name] = p.default;
    else if (p.required) throw new BadRequestError(`${template.id} needs the parameter ${p.name}`, { description: p.description });
  }
  return values;
}
