import type { QueueConfig } from '../config/queues';
import type { SifLogger } from '../config/options';
import type { Coordinator } from '../coordination/coordinator';
import { InProcessCoordinator } from '../coordination/coordinator';
import { QuotaExceededError } from '../errors';
import type { SifEvents } from '../events';
import type { SifStore } from '../store/store';
import type { NewQueueMessage, QueueState } from '../store/queue-records';
import type { Clock } from '../util/clock';
import { newId } from '../util/ids';

/**
 * A LONG poll registered on one connection of a queue, from before its first look at the store
 * until it is answered (see `QueueBroker.holdPoll`).
 */
export interface WaitingPoll {
  /**
   * Resolves at the next wake-up of its queue (at once if one came since the last call: a message
   * that arrived while the store was being read is not missed), after `ms`, or when the poll ends.
   */
  next(ms: number): Promise<void>;
  /**
   * True once the poll must be answered empty at once: a newer poll on its connection superseded
   * it, its client went away, its queue was deleted, or the provider is closing.
   */
  readonly ended: boolean;
  /** Unregisters it; call once it is answered (idempotent). */
  release(): void;
}

/** A registered poll: woken by the broker, ended by it or by its client. */
class RegisteredPoll implements WaitingPoll {
  ended = false;
  private woken = false;
  private resolveWait: (() => void) | undefined;
  private timer: NodeJS.Timeout | undefined;
  private released = false;

  constructor(private readonly unregister: (poll: RegisteredPoll) => void) {}

  next(ms: number): Promise<void> {
    if (this.woken || this.ended) {
      this.woken = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      this.resolveWait = resolve;
      this.timer = setTimeout(() => this.settle(), Math.max(0, ms));
    });
  }

  wake(): void {
    this.woken = true;
    this.settle();
  }

  end(): void {
    this.ended = true;
    this.settle();
  }

  release(): void {
    this.end();
    if (this.released) return;
    this.released = true;
    this.unregister(this);
  }

  private settle(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    const resolve = this.resolveWait;
    this.resolveWait = undefined;
    if (!resolve) return;
    this.woken = false; // this wake-up is consumed by the wait it ends
    resolve();
  }
}

/**
 * Puts messages into queues and wakes the long polls waiting on them; keeps queues tidy (old
 * messages, unpolled queues); tells whoever holds work back for a full queue when it has room.
 * Queue contents live in the store; only the waiting polls are here, at most one per connection of
 * a queue and `limits.waitingPolls` in all, so that a consumer cannot make the provider hold open
 * more requests than that. With several instances on one store the coordinator carries wake-ups
 * and supersessions to the others (`wakeHere`, `supersede` apply theirs here).
 */
export class QueueBroker {
  /** Waiting polls by queue id, then connection id. */
  private readonly waiters = new Map<string, Map<string, RegisteredPoll>>();
  private waiting = 0;
  /** Until when (ms) each (queue, connection) may not poll again after an empty answer, for `minWaitTime`. */
  private readonly emptyAnswers = new Map<string, number>();
  private readonly roomListeners = new Set<(queueId: string | undefined) => void>();

  constructor(
    private readonly store: SifStore,
    private readonly config: QueueConfig,
    private readonly events: SifEvents,
    private readonly clock: Clock,
    private readonly logger: SifLogger,
    /** `limits.alertsPerEnvironment`: unpolled-queue alerts count against it like the consumer's own. */
    private readonly alertsPerEnvironment: number = Number.POSITIVE_INFINITY,
    private readonly coordinator: Coordinator = new InProcessCoordinator(),
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

  /** The depth no delayed answer may take a queue past (`queues.maxMessagesPerQueue`). */
  get maxMessagesPerQueue(): number {
    return this.config.maxMessagesPerQueue;
  }

  /** Wakes the long polls of these queues, here and on every other instance: something arrived. */
  wake(queueIds: Iterable<string>): void {
    for (const queueId of new Set(queueIds)) {
      this.wakeHere([queueId]);
      void this.coordinator.announce({ kind: 'queue', queueId });
    }
  }

  /** Wakes the long polls of these queues on this instance only (another instance said so). */
  wakeHere(queueIds: Iterable<string>): void {
    for (const id of queueIds) for (const poll of this.waiters.get(id)?.values() ?? []) poll.wake();
  }

  /** Wakes every long poll of this instance: signals of other instances may have been missed. */
  wakeAllHere(): void {
    this.wakeHere([...this.waiters.keys()]);
  }

  /**
   * Ends the poll waiting here on a connection of a queue, to be answered empty: a newer poll on
   * that connection arrived at another instance (§9.3.3, one waiting poll per connection).
   */
  supersede(queueId: string, connectionId: string): void {
    this.waiters.get(queueId)?.get(connectionId)?.end();
  }

  /**
   * Registers a LONG poll on a connection of a queue; do it before looking at the store, so that a
   * message arriving in between is not missed (a wake-up is a hint, the store is the truth). A poll
   * already waiting on that connection is superseded: it ends, to be answered empty at once, so a
   * consumer whose old TCP connection died silently gets its new poll served (§9.3.3: one stream
   * per connection). Otherwise, with `maxWaiting` polls waiting across all queues, 503 naming
   * `limits.waitingPolls`. `signal` (the client going away) ends the poll. Release it once answered.
   *
   * @example
   * const poll = broker.holdPoll(queue.id, connectionId, limits.waitingPolls, closed.signal);
   * try { ... await poll.next(ms) ... } finally { poll.release(); }
   */
  holdPoll(queueId: string, connectionId: string, maxWaiting: number, signal: AbortSignal): WaitingPoll {
    const older = this.waiters.get(queueId)?.get(connectionId);
    if (!older && this.waiting >= maxWaiting) {
      throw new QuotaExceededError(503, 'limits.waitingPolls', 'Service is busy: too many polls are waiting; poll again later', { scope: 'messages' });
    }
    older?.release();
    const onAbort = () => poll.end();
    const poll: RegisteredPoll = new RegisteredPoll((self) => {
      signal.removeEventListener('abort', onAbort);
      const polls = this.waiters.get(queueId);
      if (polls?.get(connectionId) !== self) return;
      polls.delete(connectionId);
      this.waiting--;
      if (polls.size === 0) this.waiters.delete(queueId);
    });
    // Read after releasing the older poll, which drops an emptied map.
    let byConnection = this.waiters.get(queueId);
    if (!byConnection) this.waiters.set(queueId, (byConnection = new Map()));
    byConnection.set(connectionId, poll);
    this.waiting++;
    if (signal.aborted) poll.end();
    else signal.addEventListener('abort', onAbort, { once: true });
    // A poll waiting on this connection at another instance is superseded too.
    void this.coordinator.announce({ kind: 'poll', queueId, connectionId });
    return poll;
  }

  /**
   * Removes a message (see `SifStore.removeMessage`) and, when it was there, tells the room
   * listeners: delayed answers held back for a full queue may go on.
   */
  async remove(queueId: string, messageId: string, connectionId?: string): Promise<boolean> {
    const removed = await this.store.removeMessage(queueId, messageId, connectionId);
    if (removed) this.madeRoom(queueId);
    return removed;
  }

  /**
   * Calls `listener` when messages leave a queue (with its id) and after each housekeeping (with
   * undefined: any queue may have room now).
   *
   * @example
   * broker.onRoom((queueId) => runner.resume(queueId));
   */
  onRoom(listener: (queueId: string | undefined) => void): void {
    this.roomListeners.add(listener);
  }

  /** Seconds an IMMEDIATE poller must still wait after its last empty answer (0 when it may poll). */
  waitLeft(queue: QueueState, connectionId: string): number {
    if (queue.minWaitTime === 0) return 0;
    const key = `${queue.id}/${connectionId}`;
    const until = this.emptyAnswers.get(key);
    if (until === undefined) return 0;
    const left = until - this.clock().getTime();
    if (left <= 0) this.emptyAnswers.delete(key);
    return Math.max(0, Math.ceil(left / 1000));
  }

  /** Records an empty answer on an IMMEDIATE queue with a `minWaitTime`. */
  answeredEmpty(queue: QueueState, connectionId: string): void {
    if (queue.minWaitTime > 0) this.emptyAnswers.set(`${queue.id}/${connectionId}`, this.clock().getTime() + queue.minWaitTime * 1000);
  }

  /**
   * Forgets what is kept in memory about a deleted queue, and ends its long polls; those waiting
   * at other instances are woken, find the queue gone, and end too.
   */
  forget(queueId: string): void {
    for (const key of this.emptyAnswers.keys()) if (key.startsWith(`${queueId}/`)) this.emptyAnswers.delete(key);
    for (const poll of this.waiters.get(queueId)?.values() ?? []) poll.end();
    void this.coordinator.announce({ kind: 'queue', queueId });
  }

  /** Ends every waiting poll, to be answered empty (on shutdown). */
  releaseAll(): void {
    for (const polls of this.waiters.values()) for (const poll of polls.values()) poll.end();
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
    // Deleting an environment deletes its queues without `forget`: drop waits that are over anyway.
    for (const [key, until] of this.emptyAnswers) if (until <= now.getTime()) this.emptyAnswers.delete(key);
    const silentSince = new Date(now.getTime() - this.config.unpolledAlertMinutes * 60_000).toISOString();
    for (const queue of await this.store.allQueues()) {
      if (queue.messageCount === 0 || queue.lastPolled >= silentSince) continue;
      if (queue.alertedAt !== undefined && queue.alertedAt >= queue.lastPolled) continue;
      await this.raiseUnpolled(queue, now.toISOString());
    }
    // A full queue may have been drained by another path (or another process): look again.
    this.madeRoom(undefined);
  }

  private madeRoom(queueId: string | undefined): void {
    for (const listener of this.roomListeners) listener(queueId);
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
    // A full alert list keeps what it has: the host still hears of it through the event.
    await this.store.createAlert({ id: alert['@id'], environmentId: queue.environmentId, createdAt: at, alert }, this.alertsPerEnvironment);
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
