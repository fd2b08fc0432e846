import type { ProvisionedZone } from '../config/consumers';
import { DEFAULT_CONTEXT, ENVIRONMENT_GLOBAL_ZONE } from './enums';

/** A utility that consumers may only query (Utility Services §2.3, §3.1, §6.3: a Direct provider's registries). */
const READ_ONLY = Object.freeze({ QUERY: 'APPROVED', CREATE: 'UNSUPPORTED', UPDATE: 'UNSUPPORTED', DELETE: 'UNSUPPORTED' } as const);

/**
 * The environment-global zone every environment gets: the utility services the provider itself
 * offers. Alerts may be created and queried (own alerts only); update and delete are prohibited by
 * Utility Services §7.1, hence UNSUPPORTED. The zones, providers and xQueryTemplates registries are
 * read-only.
 */
export const UTILITY_ZONE: ProvisionedZone = Object.freeze({
  id: ENVIRONMENT_GLOBAL_ZONE,
  description: 'Utility services of this environment',
  properties: Object.freeze({}),
  services: Object.freeze([
    Object.freeze({
      name: 'alerts',
      type: 'UTILITY' as const,
      contextId: DEFAULT_CONTEXT,
      rights: Object.freeze({ QUERY: 'APPROVED', CREATE: 'APPROVED', UPDATE: 'UNSUPPORTED', DELETE: 'UNSUPPORTED' } as const),
    }),
    ...['zones', 'providers', 'xQueryTemplates'].map((name) =>
      Object.freeze({ name, type: 'UTILITY' as const, contextId: DEFAULT_CONTEXT, rights: READ_ONLY }),
    ),
  ]),
});
