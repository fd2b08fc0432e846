import type { ResolvedConfig } from '../config/resolve';
import type { ServiceType } from '../protocol/enums';

/** What the providers registry tells about one service the provider offers (Utility Services §3.2 querySupport). */
export interface OfferedService {
  readonly name: string;
  readonly type: ServiceType;
  /** `where` clauses (dynamic query). */
  readonly dynamicQuery: boolean;
  readonly queryByExample: boolean;
  readonly changesSinceMarker: boolean;
  /** Whether it answers paged queries (a query handler, a service path, a named query). */
  readonly paged: boolean;
}

/**
 * Every service the provider offers, of whatever kind, derived from the resolved configuration:
 * the registered services with the type they were registered with (OBJECT, FUNCTIONAL…), the
 * service paths (SERVICEPATH) and the named queries (XQUERYTEMPLATE). A feature that adds a kind
 * of service adds its source here, and the providers registry lists it.
 *
 * @example
 * offeredServices(core.config).map((s) => `${s.type} ${s.name}`); // ['OBJECT xStudents', 'SERVICEPATH xSchools/{}/xStudents', …]
 */
export function offeredServices(config: Pick<ResolvedConfig, 'services' | 'servicePaths' | 'xQueryTemplates'>): OfferedService[] {
  const offered: OfferedService[] = [];
  for (const s of config.services.values()) {
    offered.push({
      name: s.name,
      type: s.type,
      dynamicQuery: s.supports.where,
      queryByExample: s.supports.queryByExample,
      changesSinceMarker: s.changeTracking,
      paged: s.handlers.query !== undefined,
    });
  }
  for (const p of config.servicePaths.values()) {
    offered.push({ name: p.name, type: 'SERVICEPATH', dynamicQuery: p.service.supports.where, queryByExample: false, changesSinceMarker: false, paged: true });
  }
  for (const t of config.xQueryTemplates.values()) {
    offered.push({ name: t.id, type: 'XQUERYTEMPLATE', dynamicQuery: false, queryByExample: false, changesSinceMarker: false, paged: true });
  }
  return offered;
}
