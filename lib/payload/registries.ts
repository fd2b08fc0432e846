import { createHash } from 'node:crypto';
import type { ProvisionedZone } from '../config/consumers';
import { DEFAULT_CONTEXT, ENVIRONMENT_GLOBAL_ZONE } from '../protocol/enums';
import type { ServiceType } from '../protocol/enums';
import type { OfferedService } from '../services/offered';
import type { RegisteredTemplate } from '../services/templates';
import type { GoessnerObject } from './goessner';

// The registries of Utility Services §2, §3 and §6 as a Direct provider answers them.

/** One entry of the providers registry (Utility Services §3.2): a service in a zone and context. */
export interface ProviderEntry {
  readonly id: string;
  readonly zoneId: string;
  readonly contextId: string;
  readonly service: OfferedService;
}

/**
 * The providers registry entries of one zone: every offered service in context DEFAULT and in each
 * other context the zone grants it in; in the environment-global zone, the utilities. Entry ids are
 * derived from zone, type, name and context, so they are the same on every request and instance.
 *
 * @example
 * providerEntries(zone, offeredServices(config)); // [{ id, zoneId: 'District', contextId: 'DEFAULT', service: { name: 'xStudents', … } }, …]
 */
export function providerEntries(zone: ProvisionedZone, offered: readonly OfferedService[]): ProviderEntry[] {
  const services = zone.id === ENVIRONMENT_GLOBAL_ZONE ? zone.services.map(utilityOffer) : offered;
  return services.flatMap((service) => {
    const contexts =
      zone.id === ENVIRONMENT_GLOBAL_ZONE
        ? [DEFAULT_CONTEXT]
        : [...new Set([DEFAULT_CONTEXT, ...zone.services.filter((s) => s.name === service.name).map((s) => s.contextId)])];
    return contexts.map((contextId) => ({ id: entryId(zone.id, service.type, service.name, contextId), zoneId: zone.id, contextId, service }));
  });
}

/** A utility as the providers registry describes it: only alerts pages its answers. */
function utilityOffer(utility: { name: string; type: ServiceType }): OfferedService {
  return { name: utility.name, type: utility.type, dynamicQuery: false, queryByExample: false, changesSinceMarker: false, paged: utility.name === 'alerts' };
}

/** A version 4 shaped UUID (the 3.x schemas accept no other) drawn from the entry's key. */
function entryId(...key: string[]): string {
  const hex = createHash('sha256').update(key.join('\u0000')).digest('hex');
  const variant = ((parseInt(hex[16]!, 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/**
 * A `provider` element in schema order (serviceType, serviceName, contextId, zoneId, providerName,
 * querySupport, mimeTypes). Both media types are listed: any but application/xml obliges the list.
 *
 * @example
 * providerObject(entry, 'RamseySIS', 1000);
 */
export function providerObject(entry: ProviderEntry, providerName: string, maxPageSize: number): GoessnerObject {
  const s = entry.service;
  const querySupport: GoessnerObject = {
    dynamicQuery: String(s.dynamicQuery),
    queryByExample: String(s.queryByExample),
    changesSinceMarker: String(s.changesSinceMarker),
    paged: String(s.paged),
  };
  if (s.paged) querySupport.maxPageSize = String(maxPageSize);
  return {
    '@id': entry.id,
    serviceType: s.type,
    serviceName: s.name,
    contextId: entry.contextId,
    zoneId: entry.zoneId,
    providerName,
    querySupport,
    mimeTypes: { mediaType: ['application/xml', 'application/json'] },
  };
}

/**
 * An `xquery` element (Utility Services §6.4) in schema order: type, status (always APPROVED: the
 * host registered it), description, script, parameters, returnType (`{namespace}:{plural}`).
 *
 * @example
 * xqueryObject(template); // { '@id': 'StudentsByGrade', type: 'SINGULAR', status: 'APPROVED', … }
 */
export function xqueryObject(template: RegisteredTemplate): GoessnerObject {
  const out: GoessnerObject = { '@id': template.id, type: template.type, status: 'APPROVED' };
  if (template.description !== undefined) out.description = template.description;
  out.script = template.script;
  out.parameters = {
    parameter: template.parameters.map((p) => {
      const parameter: GoessnerObject = { name: p.name };
      if (p.type !== undefined) parameter.type = p.type;
      if (p.default !== undefined) parameter.default = p.default;
      if (p.description !== undefined) parameter.description = p.description;
      parameter.required = String(p.required);
      return parameter;
    }),
  };
  out.returnType = `${template.service.namespace}:${template.service.name}`;
  return out;
}
