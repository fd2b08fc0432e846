import type { NextFunction, Request, Response } from 'express';
import type { AuthInput } from '../auth/authenticator';
import type { ProviderCore } from '../core';
import { getSifContext } from './context';
import { header, queryParam } from './params';
import { replayOf } from './replay';

/**
 * The authentication material of a request: the Authorization header, or, when the provider allows
 * it, `access_token` + `authenticationMethod` query parameters; and the `timestamp` header, else
 * the `timestamp` query parameter.
 */
export function authInput(req: Request, allowAccessTokenQuery: boolean): AuthInput {
  let authorization = header(req, 'authorization');
  if (!authorization && allowAccessTokenQuery) {
    const token = queryParam(req, 'access_token');
    if (token) authorization = `${queryParam(req, 'authenticationMethod') ?? 'Basic'} ${token}`;
  }
  return { authorization, timestamp: header(req, 'timestamp') ?? queryParam(req, 'timestamp') };
}

/**
 * Step: authenticates the request's session and puts it in the context; 401 otherwise. A delayed
 * request run by the provider carries the environment it was accepted for instead of credentials.
 */
export function authenticateSession(core: ProviderCore) {
  return async function authenticateSessionStep(req: Request, _res: Response, next: NextFunction): Promise<void> {
    const replay = replayOf(req);
    getSifContext(req).session = replay
      ? await core.authenticator.replaySession(replay.environmentId)
      : await core.authenticator.authenticateSession(authInput(req, core.config.allowAccessTokenQuery));
    next();
  };
}
