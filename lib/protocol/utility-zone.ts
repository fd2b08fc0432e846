import type { ProvisionedZone } from '../config/consumers';
import { DEFAULT_CONTEXT, ENVIRONMENT_GLOBAL_ZONE } from './enums';

/**
 * The environment-global zone every environment gets: the utility services the provider itself
 * offers. Alerts may be created and queried (own alerts only); update and delete are prohibited by
 * Utility Services §7.1, hence UNSUPPORTED.
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
  ]),
});
