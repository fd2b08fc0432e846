import type { Request, Response } from 'express';
import type { ProviderCore } from '../../core';
import { NotFoundError } from '../../errors';
import { ownSession } from './read';

/**
 * `DELETE {mount}/environments/{id}`: unregisters the consumer. The environment, its session and
 * everything it owns go in one store operation; the session cache forgets it first and for good,
 * and the other instances on the store are told before the answer (after the delete, so that
 * none of them can look it up and cache it again).
 */
export function deleteEnvironment(core: ProviderCore) {
  return async function deleteEnvironmentStep(req: Request, res: Response): Promise<void> {
    const { environment } = ownSession(req);
    core.authenticator.forgetEnvironment(environment.id, true);
    const queues = core.queues ? await core.config.store.listQueues(environment.id) : [];
    // Its jobs' services are told (their `deleted` hooks) before the store drops the rest with it.
    await core.jobs?.removeEnvironmentJobs(environment.id);
    if (!(await core.config.store.deleteEnvironment(environment.id))) {
      throw new NotFoundError('No such environment', { scope: 'environment' });
    }
    await core.coordinator.announce({ kind: 'env', environmentId: environment.id, deleted: true });
    if (core.queues) {
      // Long polls on its queues end now rather than at their timeout; its subscriptions went with it.
      for (const queue of queues) core.queues.broker.forget(queue.id);
      core.queues.publisher.subscriptionsChanged();
    }
    core.events.emit('environment.deleted', { environmentId: environment.id, applicationKey: environment.applicationKey });
    core.responder.empty(req, res, 204);
  };
}
