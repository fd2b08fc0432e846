import type { Request, Response } from 'express';
import type { AuthenticatedApplication } from '../../auth/authenticator';
import { deriveSessionToken, hashSessionToken, newTokenSalt } from '../../auth/session-token';
import type { Consumer } from '../../config/consumers';
import type { ProviderCore } from '../../core';
import { BadRequestError, QuotaExceededError, UnauthorizedError } from '../../errors';
import { authInput } from '../../http/authenticate';
import { headerOrQuery } from '../../http/params';
import { readPayload } from '../../http/payload';
import type { EnvironmentRequest } from '../../payload/environment';
import {
  applicationInfoObject,
  environmentObject,
  environmentRequestFromParams,
  environmentRequestFromPayload,
} from '../../payload/environment';
import type { AuthMethod } from '../../protocol/enums';
import { canonicalAuthMethod } from '../../protocol/enums';
import { identityKey } from '../../protocol/identity';
import type { EnvironmentRecord } from '../../store/store';
import { newId } from '../../util/ids';
import { environmentUrls } from './urls';

/**
 * `POST {mount}/environments/environment`: registers a consumer (Infrastructure Services §4).
 * 201 with the new environment; 409 with the existing one, and its session token, when this
 * consumer identity is already registered (interop.md §2).
 */
export function createEnvironment(core: ProviderCore) {
  return async function createEnvironmentStep(req: Request, res: Response): Promise<void> {
    const app = await core.authenticator.authenticateApplication(authInput(req, core.config.allowAccessTokenQuery));
    const payload = await readPayload(req, core.config.limits);
    const maxLength = core.config.limits.maxFieldLength;
    const request = payload
      ? environmentRequestFromPayload(payload, maxLength)
      : environmentRequestFromParams((name) => headerOrQuery(req, name), maxLength);
    const record = newEnvironmentRecord(core, app, request);
    const sessionToken = app.secret ? deriveSessionToken(app.secret, record.id, record.tokenSalt) : undefined;
    record.sessionTokenHash = sessionToken ? hashSessionToken(sessionToken) : null;

    const limit = core.config.limits.environmentsPerApplication;
    const result = await core.config.store.createEnvironment(record, limit);
    if (!result.created && 'limitReached' in result) {
      throw new QuotaExceededError(409, 'limits.environmentsPerApplication', `This application may have at most ${limit} environments`, {
        scope: 'Create environment',
        description: 'Delete environments it no longer uses (DELETE {environmentURI}) before registering more',
      });
    }
    if (!result.created) {
      const existing = result.existing;
      const token = await reissueToken(core, app, existing);
      const urls = environmentUrls(core, req, existing.id);
      core.responder.payload(req, res, 409, 'environment', environmentObject(existing, token, urls), { headers: environmentHeaders(existing, urls.environment) });
      return;
    }
    core.events.emit('environment.created', {
      environmentId: record.id,
      applicationKey: record.applicationKey,
      ...(record.instanceId ? { instanceId: record.instanceId } : {}),
      ...(record.solutionId ? { solutionId: record.solutionId } : {}),
    });
    const urls = environmentUrls(core, req, record.id);
    core.responder.payload(req, res, 201, 'environment', environmentObject(record, sessionToken, urls), {
      headers: { Location: urls.environment, ...environmentHeaders(record, urls.environment) },
    });
  };
}

/**
 * The headers every later answer of the environment carries (Base Architecture §4.3.2), on the
 * create answer too: the consumer learns its environment's URL and fingerprint from the headers
 * as well as from the body.
 */
function environmentHeaders(record: EnvironmentRecord, environmentUrl: string): Record<string, string> {
  return { environmentURI: environmentUrl, fingerprint: record.fingerprint };
}

function newEnvironmentRecord(core: ProviderCore, app: AuthenticatedApplication, request: EnvironmentRequest): EnvironmentRecord {
  const consumer = app.consumer;
  if (request.applicationKey !== undefined && request.applicationKey !== consumer.applicationKey) {
    throw new UnauthorizedError('The applicationKey in the payload is not the one that authenticated');
  }
  if (request.supportedInfrastructureVersion !== undefined && !/^3(\.[0-9x*]+)*$/i.test(request.supportedInfrastructureVersion)) {
    throw new BadRequestError(`Infrastructure version ${request.supportedInfrastructureVersion.slice(0, 20)} is not supported`, {
      description: `This provider speaks SIF ${core.config.infrastructureVersion} and accepts any 3.x consumer`,
    });
  }
  if (request.transport !== undefined && request.transport.toUpperCase() !== 'REST') {
    throw new BadRequestError(`Transport ${request.transport.slice(0, 20)} is not supported; use REST`);
  }
  // Bearer identities come from the verified token; the payload cannot widen them.
  const identity = app.bearer
    ? { applicationKey: consumer.applicationKey, instanceId: app.bearer.instanceId, userToken: app.bearer.userToken, solutionId: app.bearer.solutionId ?? request.solutionId }
    : { applicationKey: consumer.applicationKey, instanceId: request.instanceId, userToken: request.userToken, solutionId: request.solutionId };
  checkAllowed(consumer.instanceIds, identity.instanceId, 'instanceId');
  checkAllowed(consumer.userTokens, identity.userToken, 'userToken');
  checkAllowed(consumer.solutionIds, identity.solutionId, 'solutionId');

  return {
    id: newId(),
    fingerprint: newId(),
    sessionTokenHash: null,
    tokenSalt: newTokenSalt(),
    identityKey: identityKey(identity),
    applicationKey: consumer.applicationKey,
    instanceId: identity.instanceId,
    userToken: identity.userToken,
    solutionId: identity.solutionId,
    authenticationMethod: sessionMethod(consumer, app.method, request.authenticationMethod),
    consumerName: request.consumerName ?? consumer.consumerName ?? consumer.applicationKey,
    applicationInfo: applicationInfoObject(consumer.applicationKey, request, core.config.infrastructureVersion),
    defaultZone: consumer.defaultZone,
    zones: [...consumer.zones],
    createdAt: core.config.clock().toISOString(),
  };
}

/** The method the consumer will use from now on: the one it names, else the one it used. */
function sessionMethod(consumer: Consumer, used: AuthMethod, named: string | undefined): AuthMethod {
  if (named === undefined) return used;
  const method = canonicalAuthMethod(named);
  if (!method || !consumer.authenticationMethods.includes(method)) {
    throw new UnauthorizedError(`Authentication method ${named.slice(0, 40)} is not allowed for this consumer`);
  }
  return method;
}

function checkAllowed(allowed: readonly string[] | undefined, value: string | undefined, name: string): void {
  if (allowed && !allowed.includes(value ?? '')) {
    throw new UnauthorizedError(`This consumer may not register with this ${name}`);
  }
}

/**
 * The session token of an existing environment, derived again from the secret this request proved.
 * If the secret changed since, the derived token differs: the stored hash is replaced, so the old
 * token stops working and the consumer gets the one that now does.
 */
async function reissueToken(core: ProviderCore, app: AuthenticatedApplication, existing: EnvironmentRecord): Promise<string | undefined> {
  if (!app.secret) return undefined;
  const token = deriveSessionToken(app.secret, existing.id, existing.tokenSalt);
  const hash = hashSessionToken(token);
  if (hash !== existing.sessionTokenHash) {
    core.authenticator.forgetEnvironment(existing.id, false);
    await core.config.store.replaceSessionHash(existing.id, hash);
    // The old token stops working on every instance: they forget the session and look it up again.
    await core.coordinator.announce({ kind: 'env', environmentId: existing.id, deleted: false });
    existing.sessionTokenHash = hash;
  }
  return token;
}
