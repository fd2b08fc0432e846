import type { Request, Response } from 'express';
import type { ProvisionedZone } from '../config/consumers';
import type { ProviderCore } from '../core';
import { NotFoundError } from '../errors';
import { getSifContext } from '../http/context';
import { checkServiceType } from '../http/request-headers';
import { header, headerOrQuery } from '../http/params';
import type { GoessnerObject } from '../payload/goessner';
import { zoneObject } from '../payload/environment';
import { providerEntries, providerObject, xqueryObject } from '../payload/registries';
import { ENVIRONMENT_GLOBAL_ZONE } from '../protocol/enums';
import { pageOffset, pagingHeaders, parsePaging } from '../protocol/paging';
import { provisionedZones, requireUtilityRight } from '../protocol/rights';
import { offeredServices } from '../services/offered';
import type { EnvironmentRecord } from '../store/store';

// The read-only registries of a Direct provider (Utility Services §2, §3, §6): zones, providers
// and xQueryTemplates, reached as {requestsConnector}/{utility} and granted in environment-global.
// Create, update and delete are not supported (the route table answers them with 405).

/**
 * `GET {rc}/zones` → the zones of the caller's environment (one, when the request names a zone).
 *
 * @example
 * router.get(path, authenticateSession(core), queryZones(core));
 */
export function queryZones(core: ProviderCore) {
  return async function queryZonesStep(req: Request, res: Response): Promise<void> {
    const environment = authorized(req, 'zones');
    sendRegistry(core, req, res, 'zones', 'zone', scopedZones(req, environment, 'all').map(zoneObject));
  };
}

/**
 * `GET {rc}/zones/{zoneId}` → one zone of the caller's environment, or 404.
 *
 * @example
 * router.get(path, authenticateSession(core), readZone(core));
 */
export function readZone(core: ProviderCore) {
  return async function readZoneStep(req: Request, res: Response): Promise<void> {
    const environment = authorized(req, 'zones');
    const zone = provisionedZones(environment).find((z) => z.id === req.params.zoneId);
    if (!zone) throw new NotFoundError('No such zone in this environment', { scope: 'zones' });
    core.responder.payload(req, res, 200, 'zone', zoneObject(zone));
  };
}

/**
 * `GET {rc}/providers` → the services offered in the caller's default zone, or in the zone the
 * request names; in environment-global, in every zone, utilities included (§1.2.2).
 *
 * @example
 * router.get(path, authenticateSession(core), queryProviders(core));
 */
export function queryProviders(core: ProviderCore) {
  return async function queryProvidersStep(req: Request, res: Response): Promise<void> {
    const environment = authorized(req, 'providers');
    sendRegistry(core, req, res, 'providers', 'provider', providers(core, scopedZones(req, environment, 'default')));
  };
}

/**
 * `GET {rc}/providers/{id}` → one entry of the caller's providers registry, or 404.
 *
 * @example
 * router.get(path, authenticateSession(core), readProvider(core));
 */
export function readProvider(core: ProviderCore) {
  return async function readProviderStep(req: Request, res: Response): Promise<void> {
    const environment = authorized(req, 'providers');
    const entry = providers(core, provisionedZones(environment)).find((p) => p['@id'] === req.params.providerId);
    if (!entry) throw new NotFoundError('No such provider entry in this environment', { scope: 'providers' });
    core.responder.payload(req, res, 200, 'provider', entry);
  };
}

/**
 * `GET {rc}/xQueryTemplates` → the named queries the host registered (the same for every consumer, §6.1.2).
 *
 * @example
 * router.get(path, authenticateSession(core), queryTemplates(core));
 */
export function queryTemplates(core: ProviderCore) {
  return async function queryTemplatesStep(req: Request, res: Response): Promise<void> {
    authorized(req, 'xQueryTemplates');
    sendRegistry(core, req, res, 'xquerys', 'xquery', [...core.config.xQueryTemplates.values()].map(xqueryObject));
  };
}

/**
 * `GET {rc}/xQueryTemplates/{id}` → one named query, or 404.
 *
 * @example
 * router.get(path, authenticateSession(core), readTemplate(core));
 */
export function readTemplate(core: ProviderCore) {
  return async function readTemplateStep(req: Request, res: Response): Promise<void> {
    authorized(req, 'xQueryTemplates');
    const template = core.config.xQueryTemplates.get(String(req.params.templateId));
    if (!template) throw new NotFoundError('No such XQuery template', { scope: 'xQueryTemplates' });
    core.responder.payload(req, res, 200, 'xquery', xqueryObject(template));
  };
}

function authorized(req: Request, utility: string): EnvironmentRecord {
  const context = getSifContext(req);
  const environment = context.session!.environment;
  context.serviceType = checkServiceType(req, utility, 'UTILITY', ['UTILITY']);
  requireUtilityRight(environment, utility, 'QUERY');
  return environment;
}

/**
 * The zones a registry query covers (Utility Services §1.2.2): environment-global means all; a
 * zone of the environment means that one; none named means all (`'all'`, the zones registry) or
 * the default zone (`'default'`, the providers registry, as §1.2.2 says of it). 404 for a zone
 * the environment does not have.
 */
function scopedZones(req: Request, environment: EnvironmentRecord, unscoped: 'all' | 'default'): readonly ProvisionedZone[] {
  const zoneId = getSifContext(req).matrix.zoneId || header(req, 'zoneId');
  const zones = provisionedZones(environment);
  if (!zoneId) return unscoped === 'all' ? zones : zones.filter((z) => z.id === environment.defaultZone.id);
  if (zoneId === ENVIRONMENT_GLOBAL_ZONE) return zones;
  const zone = zones.find((z) => z.id === zoneId);
  if (!zone) throw new NotFoundError(`No zone ${zoneId.slice(0, 80)} in this environment`);
  return [zone];
}

function providers(core: ProviderCore, zones: readonly ProvisionedZone[]): GoessnerObject[] {
  const offered = offeredServices(core.config);
  return zones.flatMap((zone) => providerEntries(zone, offered)).map((e) => providerObject(e, core.config.providerName, core.config.paging.maxPageSize));
}

/**
 * A registry's entries: all of them (a bulk query, the only one registries must support), or the
 * page asked for with `navigationPage`/`navigationPageSize` and its paging headers; 204 when none.
 */
function sendRegistry(core: ProviderCore, req: Request, res: Response, root: string, element: string, items: GoessnerObject[]): void {
  const pageText = headerOrQuery(req, 'navigationPage');
  const sizeText = headerOrQuery(req, 'navigationPageSize');
  let shown = items;
  let headers: Record<string, number> = {};
  if (pageText !== undefined || sizeText !== undefined) {
    const page = parsePaging(pageText, sizeText, core.config.paging);
    shown = items.slice(pageOffset(page), pageOffset(page) + page.pageSize);
    headers = pagingHeaders(page, shown.length, items.length);
  }
  if (shown.length === 0) {
    core.responder.empty(req, res, 204, { headers });
    return;
  }
  core.responder.payload(req, res, 200, root, { [element]: shown }, { headers });
}
