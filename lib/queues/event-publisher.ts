import type { Coordinator } from '../coordination/coordinator';
import { InProcessCoordinator } from '../coordination/coordinator';
import type { ObjectsChanged } from '../events';
import type { GoessnerObject } from '../payload/goessner';
import { shapeForOutput } from '../payload/objects';
import type { RegisteredService } from '../services/registry';
import type { NewQueueMessage, SubscriptionRecord } from '../store/queue-records';
import type { SifStore } from '../store/store';
import type { Clock } from '../util/clock';
import { newId } from '../util/ids';
import type { QueueBroker } from './broker';

/**
 * Turns changes into events (Base Architecture §4.2.2): one EVENT message per batch of objects in
 * the queue of every subscription to the service in the change's zone and context (every zone and
 * context when the host reports a change without them).
 */
export class EventPublisher {
  /**
   * The subscriptions to each service, read from the store once and kept until they may have
   * changed (`subscriptionsChanged`): every change is published, and subscriptions rarely change.
   * Kept as promises so that concurrent changes share one read.
   */
  private readonly subscriptions = new Map<string, Promise<SubscriptionRecord[]>>();

  constructor(
    private readonly store: SifStore,
    private readonly broker: QueueBroker,
    private readonly batchSize: number,
    private readonly clock: Clock,
    private readonly coordinator: Coordinator = new InProcessCoordinator(),
  ) {}

  /** Queues the events of one change; resolves once they are stored. */
  async publish(change: ObjectsChanged, service: RegisteredService): Promise<void> {
    if (change.objects.length === 0) return;
    const subscriptions = (await this.subscriptionsTo(service.name)).filter((s) => matches(s, change, service));
    if (subscriptions.length === 0) return;
    const at = this.clock().toISOString();
    const batches: ObjectsChanged['objects'][] = [];
    for (let i = 0; i < change.objects.length; i += this.batchSize) batches.push(change.objects.slice(i, i + this.batchSize));
    const messages: NewQueueMessage[] = [];
    for (const s of subscriptions) {
      for (const batch of batches) {
        messages.push({
          id: newId(),
          queueId: s.queueId,
          createdAt: at,
          headers: eventHeaders(change, s, service),
          body: {
            kind: 'payload',
            root: service.name,
            namespace: service.namespace,
            value: { [service.objectName!]: batch.map((o) => shapeForOutput(o, service.repeatable)) },
          },
        });
      }
    }
    await this.broker.publish(messages);
  }

  /**
   * Queues one EVENT message with `body` in the queue of each subscription to `serviceName` that
   * `to` accepts: for events that are not object changes, such as the job events of a functional
   * service (jobs/events.ts). Resolves once they are stored.
   *
   * @example
   * await publisher.publishTo('RolloverStudents', (s) => s.environmentId === owner, headers, { root: 'jobs', namespace, value });
   */
  async publishTo(
    serviceName: string,
    to: (s: SubscriptionRecord) => boolean,
    headers: Record<string, string>,
    body: { root: string; namespace: string; value: GoessnerObject },
  ): Promise<void> {
    const subscriptions = (await this.subscriptionsTo(serviceName)).filter(to);
    if (subscriptions.length === 0) return;
    const at = this.clock().toISOString();
    await this.broker.publish(
      subscriptions.map((s) => ({ id: newId(), queueId: s.queueId, createdAt: at, headers: { ...headers }, body: { kind: 'payload', ...body } })),
    );
  }

  /**
   * Forgets the subscriptions kept in memory, here and on every other instance. Call it once a
   * subscription has been created or deleted, or a queue or an environment (which take their
   * subscriptions with them) deleted.
   *
   * @example
   * await store.deleteSubscription(environmentId, id);
   * publisher.subscriptionsChanged();
   */
  subscriptionsChanged(): void {
    this.forgetSubscriptions();
    void this.coordinator.announce({ kind: 'subs' });
  }

  /** Forgets the subscriptions kept in memory on this instance only (another instance said so). */
  forgetSubscriptions(): void {
    this.subscriptions.clear();
  }

  private subscriptionsTo(serviceName: string): Promise<SubscriptionRecord[]> {
    const kept = this.subscriptions.get(serviceName);
    if (kept) return kept;
    const read = this.store.subscriptionsTo(serviceName);
    this.subscriptions.set(serviceName, read);
    // A failed read is not kept: the next change reads again.
    read.catch(() => {
      if (this.subscriptions.get(serviceName) === read) this.subscriptions.delete(serviceName);
    });
    return read;
  }
}

function matches(s: SubscriptionRecord, change: ObjectsChanged, service: RegisteredService): boolean {
  // A REQUEST subscription carries a provider's requests (lib/remote), never events.
  if (s.messageType === 'REQUEST') return false;
  // SIF 3.5's serviceType SERVICE stands for the service whatever its type.
  if (s.serviceType !== service.type && s.serviceType !== 'SERVICE') return false;
  if (change.zoneId !== undefined && s.zoneId !== change.zoneId) return false;
  return change.contextId === undefined || s.contextId === change.contextId;
}

/** The headers of an event (Base Architecture §4.3, Infrastructure Services §8.3). */
function eventHeaders(change: ObjectsChanged, s: SubscriptionRecord, service: RegisteredService): Record<string, string> {
  const headers: Record<string, string> = {
    messageType: 'EVENT',
    eventAction: change.action,
    serviceName: service.name,
    serviceType: service.type,
    zoneId: s.zoneId,
    contextId: s.contextId,
  };
  if (change.action !== 'DELETE') headers.replacement = change.replacement ?? (change.action === 'CREATE' ? 'FULL' : 'PARTIAL');
  if (change.generatorId) headers.generatorId = change.generatorId;
  return headers;
}
