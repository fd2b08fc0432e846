import type { QueueConfig } from '../config/queues';
import type { SifLogger } from '../config/options';
import type { SifEvents } from '../events';
import type { SifStore } from '../store/store';
import type { NewQueueMessage, QueueState } from '../store/queue-records';
import type { Clock } from '../util/clock';
import { newId } from '../util/ids';

type Waiter = () => void;

/**
 * Puts messages into queues and wakes the long polls waiting on them; keeps queues tidy (old
 * messages, unpolled queues). Queue contents live in the store; only the waiting polls are here.
 */
export class QueueBroker {
  private readonly waiters = new Map<string, Set<Waiter>>();
  /** When each (queue, connection) last got an empty answer, for `minWaitTime`. */
  private readonly emptyAnswers = new Map<string, number>();

  constructor(
    private readonly store: SifStore,
    private readonly config: QueueConfig,
    private readonly events: SifEvents,
    private readonly clock: Clock,
    private readonly logger: SifLogger,
  ) {}

  /**
   * Appends messages to their queues, in order, and wakes their pollers. A full queue drops what
   * does not fit, and the host hears of it (`queue.overflowed`).
   */
  async publish(messages: NewQueueMessage[]): Promise<void> {
    if (messages.length === 0) return;
    const refused = await this.store.enqueue(messages, this.config.maxMessagesPerQueue);
    const dropped = new Map<string, number>();
    for (const m of refused) dropped.set(m.queueId, (dropped.get(m.queueId) ?? 0) + 1);
    // A queue deleted meanwhile also refuses; only a full one is worth telling.
    const live = dropped.size > 0 ? new Set((await this.store.allQueues()).map((q) => q.id)) : new Set<string>();
    for (const [queueId, n] of dropped) {
      if (live.has(queueId)) {
        this.logger.warn(`sif3-direct: queue ${queueId} is full; ${n} message(s) dropped`);
        this.events.emit('queue.overflowed', { queueId, dropped: n });
      }
    }
    this.wake(new Set(messages.map((m) => m.queueId)));
  }

  /** Wakes the long polls of these queues: something arrived. */
  wake(queueIds: Iterable<string>): void {
    for (const id of queueIds) {
      const set = this.waiters.get(id);
      if (!set) continue;
      this.waiters.delete(id);
      for (const waiter of set) waiter();
    }
  }

  /**
   * Starts waiting, at once, for a message in the queue: `arrived` resolves on a wake-up, after
   * `ms`, when `signal` aborts, or on `cancel()`. Register before looking at the store, so that a
   * message arriving in between is not missed; a wake-up is a hint, the store is the truth.
   */
  waitForMessage(queueId: string, ms: number, signal: AbortSignal): { arrived: Promise<void>; cancel: () => void } {
    let done = () => {};
    const arrived = new Promise<void>((resolve) => {
      done = () => {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        const set = this.waiters.get(queueId);
        set?.delete(done);
        if (set?.size === 0) this.waiters.delete(queueId);
        resolve();
      };
      const timer = setTimeout(done, Math.max(0, ms));
      signal.addEventListener('abort', done, { once: true });
      let set = this.waiters.get(queueId);
      if (!set) this.waiters.set(queueId, (set = new Set()));
      set.add(done);
    });
    return { arrived, cancel: () => done() };
  }

  /** Seconds an IMMEDIATE poller must still wait after its last empty answer (0 when it may poll). */
  waitLeft(queue: QueueState, connectionId: string): number {
    if (queue.minWaitTime === 0) return 0;
    const last = this.emptyAnswers.get(`${queue.id}/${connectionId}`);
    if (last === undefined) return 0;
    return Math.max(0, Math.ceil((last + queue.minWaitTime * 1000 - this.clock().getTime()) / 1000));
  }

  /** Records an empty answer on an IMMEDIATE queue with a `minWaitTime`. */
  answeredEmpty(queue: QueueState, connectionId: string): void {
    if (queue.minWaitTime > 0) this.emptyAnswers.set(`${queue.id}/${connectionId}`, this.clock().getTime());
  }

  /** Forgets what is kept in memory about a deleted queue, and ends its long polls. */
  forget(queueId: string): void {
    for (const key of this.emptyAnswers.keys()) if (key.startsWith(`${queueId}/`)) this.emptyAnswers.delete(key);
    this.wake([queueId]);
  }

  /** Releases every waiting poll (on shutdown). */
  releaseAll(): void {
    this.wake([...this.waiters.keys()]);
  }

  /**
   * Drops messages older than `maxMessageAgeHours`, and raises an alert for each queue that holds
   * messages but has not been polled for `unpolledAlertMinutes` (once per silence).
   */
  async housekeeping(): Promise<void> {
    const now = this.clock();
    const oldest = new Date(now.getTime() - this.config.maxMessageAgeHours * 3_600_000).toISOString();
    for (const [queueId, dropped] of await this.store.pruneMessages(oldest)) {
      this.logger.warn(`sif3-direct: ${dropped} message(s) older than ${this.config.maxMessageAgeHours} h dropped from queue ${queueId}`);
      this.events.emit('queue.expired', { queueId, dropped });
    }
    const silentSince = new Date(now.getTime() - this.config.unpolledAlertMinutes * 60_000).toISOString();
    for (const queue of await this.store.allQueues()) {
      if (queue.messageCount === 0 || queue.lastPolled >= silentSince) continue;
      if (queue.alertedAt !== undefined && queue.alertedAt >= queue.lastPolled) continue;
      await this.raiseUnpolled(queue, now.toISOString());
    }
  }

  private async raiseUnpolled(queue: QueueState, at: string): Promise<void> {
    const alert = {
      '@id': newId(),
      reporter: 'sif3-direct queues',
      cause: queue.environmentId,
      exchange: 'TIMEOUT',
      level: 'WARNING',
      description:
        `Queue ${queue.id}${queue.name ? ` (${queue.name})` : ''} holds ${queue.messageCount} message(s) and was last polled ` +
        `at ${queue.lastPolled}: the consumer may be offline`,
    };
    await this.store.createAlert({ id: alert['@id'], environmentId: queue.environmentId, createdAt: at, alert });
    await this.store.markQueueAlerted(queue.id, at);
    this.events.emit('queue.unpolled', {
      queueId: queue.id,
      environmentId: queue.environmentId,
      messageCount: queue.messageCount,
      lastPolled: queue.lastPolled,
      alert,
    });
  }
}
