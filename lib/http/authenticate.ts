import type { NextFunction, Request, Response } from 'express';
import type { AuthenticatedSession, AuthInput } from '../auth/authenticator';
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
 * Synchronous when the authenticator can answer at once (a cached session: the hot path), so that
 * such a request takes no promise here; a refusal is thrown, which the router turns into `next(err)`.
 */
export function authenticateSession(core: ProviderCore) {
  return function authenticateSessionStep(req: Request, _res: Response, next: NextFunction): void | Promise<void> {
    const context = getSifContext(req);
    const replay = replayOf(req);
    const session = replay
      ? core.authenticator.replaySession(replay.environmentId)
      : core.authenticator.session(authInput(req, core.config.allowAccessTokenQuery));
    if (!(session instanceof Promise)) {
      context.session = session;
      next();
      return;
    }
    return session.then((s: AuthenticatedSession) => {
      context.session = s;
      next();
    });
  };
}
