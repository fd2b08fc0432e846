import type { Request, Response } from 'express';
import type { ProviderCore } from '../../core';
import { BadRequestError, ConflictError, NotFoundError } from '../../errors';
import { getSifContext } from '../../http/context';
import { readPayload } from '../../http/payload';
import { DEFAULT_CONTEXT } from '../../protocol/enums';
import { findProvisioned, requireGranted } from '../../protocol/rights';
import { readSubscriptionRequest, subscriptionObject } from '../../payload/subscription';
import type { SubscriptionRecord } from '../../store/queue-records';
import { requireProvider } from '../../remote/rights';
import { newId } from '../../util/ids';

// The subscriptions service (Infrastructure Services §10): a consumer joins a service's events in a
// zone and context to one of its own queues. Subscriptions are immutable; others' are a 404.

/**
 * `POST {subscriptions}` (or `{subscriptions}/subscription`) → 201. The queue must be the caller's
 * (404), the service provisioned for it in that zone and context (404) with SUBSCRIBE approved
 * (403); a second subscription to the same service, zone and context is a 409.
 */
export function createSubscription(core: ProviderCore) {
  return async function createSubscriptionStep(req: Request, res: Response): Promise<void> {
    const env = getSifContext(req).session!.environment;
    const payload = await readPayload(req, core.config.limits);
    if (!payload) throw new BadRequestError('A subscription create request needs a subscription payload');
    const asked = readSubscriptionRequest(payload);
    const where = { zoneId: asked.zoneId ?? env.defaultZone.id, serviceName: asked.serviceName, contextId: asked.contextId ?? DEFAULT_CONTEXT };
    if (!(await core.config.store.getQueue(env.id, asked.queueId))) {
      throw new NotFoundError(`No queue ${asked.queueId.slice(0, 80)} of this consumer`, { scope: 'subscriptions' });
    }
    const provisioned = findProvisioned(env, where);
    const service = core.config.services.get(where.serviceName);
    if (!provisioned || !service) {
      throw new NotFoundError(`No service ${where.serviceName.slice(0, 80)} in zone ${where.zoneId.slice(0, 80)}, context ${where.contextId.slice(0, 80)}`, {
        scope: 'subscriptions',
      });
    }
    if (service.type !== asked.serviceType && asked.serviceType !== 'SERVICE') {
      throw new BadRequestError(`${service.name} is a ${service.type} service, not ${asked.serviceType}`);
    }
    // messageType REQUEST: the caller provides the service (SIF 3.5 pull mode, lib/remote).
    if (asked.messageType === 'REQUEST') requireProvider(service, env, where);
    else requireGranted(provisioned, where, 'SUBSCRIBE');
    const record: SubscriptionRecord = {
      id: newId(),
      environmentId: env.id,
      queueId: asked.queueId,
      ...where,
      // SERVICE is kept as asked: the subscriber reads back what it sent.
      serviceType: asked.serviceType === 'SERVICE' ? 'SERVICE' : service.type,
      createdAt: core.config.clock().toISOString(),
      ...(asked.messageType !== undefined ? { messageType: asked.messageType } : {}),
      ...(asked.serviceSubType !== undefined ? { serviceSubType: asked.serviceSubType } : {}),
    };
    const outcome = await core.config.store.createSubscription(record);
    core.queues!.publisher.subscriptionsChanged();
    if (!outcome.created && outcome.existing.environmentId !== env.id) {
      // Another environment's: say nothing of it but that the service has its provider there.
      throw new ConflictError(`${where.serviceName} already has a provider subscribed in this zone and context`, { scope: 'subscriptions' });
    }
    if (!outcome.created) {
      throw new ConflictError(`Already subscribed to ${where.serviceName} in this zone and context`, {
        scope: 'subscriptions',
        description: `subscription ${outcome.existing.id}`,
      });
    }
    core.responder.payload(req, res, 201, 'subscription', subscriptionObject(record), {
      headers: { Location: `${core.responder.baseUrl(req)}/subscriptions/${record.id}` },
    });
  };
}

/** `GET {subscriptions}` → the caller's subscriptions (204 when it has none). */
export function querySubscriptions(core: ProviderCore) {
  return async function querySubscriptionsStep(req: Request, res: Response): Promise<void> {
    const env = getSifContext(req).session!.environment;
    const subscriptions = await core.config.store.listSubscriptions(env.id);
    if (subscriptions.length === 0) {
      core.responder.empty(req, res, 204);
      return;
    }
    core.responder.payload(req, res, 200, 'subscriptions', { subscription: subscriptions.map(subscriptionObject) });
  };
}

/** `GET {subscriptions}/{id}` → the subscription, if it is the caller's. */
export function readSubscription(core: ProviderCore) {
  return async function readSubscriptionStep(req: Request, res: Response): Promise<void> {
    const env = getSifContext(req).session!.environment;
    const subscription = await core.config.store.getSubscription(env.id, String(req.params.subscriptionId));
    if (!subscription) throw new NotFoundError('No such subscription', { scope: 'subscriptions' });
    core.responder.payload(req, res, 200, 'subscription', subscriptionObject(subscription));
  };
}

/** `DELETE {subscriptions}/{id}` → 204; messages already queued stay. */
export function deleteSubscription(core: ProviderCore) {
  return async function deleteSubscriptionStep(req: Request, res: Response): Promise<void> {
    const env = getSifContext(req).session!.environment;
    if (!(await core.config.store.deleteSubscription(env.id, String(req.params.subscriptionId)))) {
      throw new NotFoundError('No such subscription', { scope: 'subscriptions' });
    }
    core.queues!.publisher.subscriptionsChanged();
    core.responder.empty(req, res, 204);
  };
}
