import type { Request, Response } from 'express';
import type { ProviderCore } from '../../core';
import { NotFoundError } from '../../errors';
import { getSifContext } from '../../http/context';
import { environmentObject } from '../../payload/environment';
import type { AuthenticatedSession } from '../../auth/authenticator';
import { environmentUrls } from './urls';

/** `GET {mount}/environments/{id}`: the caller's own environment; any other id is 404. */
export function readEnvironment(core: ProviderCore) {
  return async function readEnvironmentStep(req: Request, res: Response): Promise<void> {
    const session = ownSession(req);
    const env = session.environment;
    core.responder.payload(req, res, 200, 'environment', environmentObject(env, session.sessionToken, environmentUrls(core, req, env.id)));
  };
}

/**
 * The session, if the environment in the URL is the caller's own. Another consumer's environment is
 * reported as not found, so that ids cannot be probed.
 */
export function ownSession(req: Request): AuthenticatedSession {
  const session = getSifContext(req).session!;
  if (req.params.environmentId !== session.environment.id) {
    throw new NotFoundError('No such environment', { scope: 'environment' });
  }
  return session;
}
