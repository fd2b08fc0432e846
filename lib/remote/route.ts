import { QuotaExceededError, ServiceUnavailableError } from '../errors';
import type { QueueBroker } from '../queues/broker';
import type { Deferred } from '../queues/deferred';
import type { RegisteredService } from '../services/registry';
import type { SifRequestContext } from '../services/types';
import type { DelayedRequestRecord, RemoteRoute, SubscriptionRecord } from '../store/queue-records';
import type { SifStore } from '../store/store';
import type { Clock } from '../util/clock';
import { newId } from '../util/ids';
import { requestMessage } from './message';
import { requireProvider } from './rights';

/** Where and by whom a routed request was asked: what its REQUEST message says of the consumer. */
export type RouteAsked = Pick<SifRequestContext, 'zoneId' | 'contextId' | 'applicationKey'>;

/**
 * Routes DELAYED requests for remote services (SIF 3.5 pull mode) to the queue of the provider
 * environment subscribed to the service, zone and context with `messageType: REQUEST`. The request
 * stays in the store, deferred, with its route, until the provider's last answer (remote/answers.ts)
 * or the age-out error (`queues.maxMessageAgeHours`, as for asynchronous providers in process).
 *
 * @example
 * const deferrals = new Deferrals(config, broker, new RemoteRouting(config.store, broker, config.clock, config.limits));
 */
export class RemoteRouting {
  constructor(
    private readonly store: SifStore,
    private readonly broker: QueueBroker,
    private readonly clock: Clock,
    /** `maxBulkQueryObjects`: what a bulk request's REQUEST message tells its provider. */
    private readonly limits: { maxBulkQueryObjects: number },
  ) {}

  /**
   * Marks the request deferred with its route and puts its REQUEST message into the provider's
   * queue, in one store transaction: a restart never leaves a request routed without its message,
   * or queued twice. No provider subscribed there (or one no longer allowed): 503, try again
   * later; its queue full: 503 naming `queues.maxMessagesPerQueue`. Either reaches the consumer as
   * the ERROR answer of its request.
   *
   * @example
   * await routing.route(record, { serviceName: 'xStaffs', operation: 'query' }, service, ctx);
   */
  async route(record: DelayedRequestRecord, deferred: Deferred, service: RegisteredService, ctx: RouteAsked): Promise<void> {
    const subscription = await this.providerOf(service, ctx);
    const queue = subscription && (await this.store.getQueue(subscription.environmentId, subscription.queueId));
    if (!subscription || !queue) {
      throw new ServiceUnavailableError(`No provider of ${service.name} is connected in zone ${ctx.zoneId}, context ${ctx.contextId}`, {
        description: 'The remote provider has not subscribed to its requests: send the request again later',
      });
    }
    if (queue.messageCount >= this.broker.maxMessagesPerQueue) {
      throw new QuotaExceededError(503, 'queues.maxMessagesPerQueue', `The queue of the provider of ${service.name} is full: send the request again later`);
    }
    const remote: RemoteRoute = { environmentId: subscription.environmentId, queueId: queue.id, zoneId: ctx.zoneId, contextId: ctx.contextId };
    const bulk = deferred.bulk ? this.limits.maxBulkQueryObjects : undefined;
    const message = requestMessage(record, service, ctx, deferred.operation, queue.id, newId(), this.clock().toISOString(), bulk);
    const outcome = await this.store.advanceDelayedRequest(record.id, { progress: { ...record.progress, deferred: { ...deferred, remote } }, state: 'deferred' }, [message]);
    if (outcome === 'advanced') this.broker.wake([queue.id]);
  }

  /**
   * Requests routed to a provider whose queue is gone (it deleted the queue, or its environment,
   * before answering): nobody would ever answer them. Scans the deferred requests without their
   * bodies, looks each provider queue up once, and reads in full only the orphans.
   *
   * @example
   * for (const record of await routing.orphans()) await routing.route(record, deferred, service, asked);
   */
  async orphans(): Promise<DelayedRequestRecord[]> {
    const queues = new Map<string, Promise<boolean>>();
    const exists = (route: RemoteRoute): Promise<boolean> => {
      const key = `${route.environmentId} ${route.queueId}`;
      let found = queues.get(key);
      if (!found) queues.set(key, (found = this.store.getQueue(route.environmentId, route.queueId).then((q) => q !== undefined)));
      return found;
    };
    const orphans: DelayedRequestRecord[] = [];
    for (const summary of await this.store.deferredRequestSummaries()) {
      const route = summary.progress.deferred?.remote;
      if (!route || (await exists(route))) continue;
      // Answered or ended meanwhile: gone, or no longer deferred.
      const record = await this.store.getDelayedRequest(summary.id);
      if (record?.state === 'deferred') orphans.push(record);
    }
    return orphans;
  }

  /** The REQUEST subscription to the service in the request's zone and context, if its environment may still provide it. */
  private async providerOf(service: RegisteredService, ctx: RouteAsked): Promise<SubscriptionRecord | undefined> {
    const subscription = (await this.store.subscriptionsTo(service.name)).find(
      (s) => s.messageType === 'REQUEST' && s.zoneId === ctx.zoneId && s.contextId === ctx.contextId,
    );
    if (!subscription) return undefined;
    const environment = await this.store.getEnvironment(subscription.environmentId);
    if (!environment) return undefined;
    try {
      requireProvider(service, environment, { serviceName: service.name, zoneId: ctx.zoneId, contextId: ctx.contextId });
    } catch {
      return undefined; // its grant was withdrawn (the configuration changed since it subscribed)
    }
    return subscription;
  }
}
