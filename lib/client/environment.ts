import { asArray, isElement, textOf } from '../payload/goessner';
import { SifClientError } from './errors';
import type { AuthMethod, SifObject } from './types';

/**
 * The parts of a registered environment the client works with, and the whole object as `raw`.
 *
 * @example
 * const { id, defaultZoneId, urls } = client.environment;
 */
export interface Environment {
  id: string;
  sessionToken: string;
  fingerprint: string | undefined;
  defaultZoneId: string | undefined;
  authenticationMethod: string | undefined;
  /** Infrastructure service URLs by name: `environment`, `requestsConnector`, `queues`, `subscriptions`… */
  urls: Record<string, string>;
  raw: SifObject;
}

/**
 * Who registers: what `POST environments/environment` carries. Empty fields are left out.
 *
 * @example
 * environmentRequest({ applicationKey: 'DemoApp', authMethod: 'Basic', instanceId: 'ipad-1' });
 */
export function environmentRequest(who: {
  applicationKey: string;
  authMethod: AuthMethod;
  instanceId?: string | undefined;
  userToken?: string | undefined;
  solutionId?: string | undefined;
  consumerName?: string | undefined;
}): SifObject {
  // Schema order: solutionId, authenticationMethod, instanceId, userToken, consumerName, applicationInfo.
  const env: SifObject = {};
  if (who.solutionId) env.solutionId = who.solutionId;
  env.authenticationMethod = who.authMethod;
  if (who.instanceId) env.instanceId = who.instanceId;
  if (who.userToken) env.userToken = who.userToken;
  env.consumerName = who.consumerName ?? who.applicationKey;
  env.applicationInfo = { applicationKey: who.applicationKey, supportedInfrastructureVersion: '3.2.1', transport: 'REST' };
  return env;
}

/**
 * Reads an environment the provider returned (201, or 409 for one that exists).
 *
 * @example
 * const env = parseEnvironment(decoded.value); // env.sessionToken, env.urls.requestsConnector
 */
export function parseEnvironment(value: SifObject): Environment {
  const id = textOf(value['@id']);
  const sessionToken = textOf(value.sessionToken);
  if (!id || !sessionToken) throw new SifClientError(0, 'The environment the provider returned has no @id or sessionToken');
  const urls: Record<string, string> = {};
  const services = isElement(value.infrastructureServices) ? value.infrastructureServices.infrastructureService : undefined;
  for (const service of asArray(services)) {
    if (!isElement(service)) continue;
    const name = textOf(service['@name']);
    const url = textOf(service);
    if (name && url) urls[name] = url;
  }
  if (!urls.requestsConnector) throw new SifClientError(0, 'The environment the provider returned names no requestsConnector URL');
  const defaultZone = value.defaultZone;
  return {
    id,
    sessionToken,
    fingerprint: textOf(value.fingerprint),
    defaultZoneId: isElement(defaultZone) ? textOf(defaultZone['@id']) : undefined,
    authenticationMethod: textOf(value.authenticationMethod),
    urls,
    raw: value,
  };
}
