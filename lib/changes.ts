import type { ResolvedConfig } from './config/resolve';
import type { ObjectsChanged, SifEvents } from './events';
import { checkReportedChange } from './models/hooks';
import type { GoessnerObject } from './payload/goessner';
import { textOf } from './payload/goessner';
import type { RegisteredService } from './services/registry';
import type { ChangeAction } from './services/types';
import type { EventPublisher } from './queues/event-publisher';
import type { ChangeEntry } from './store/store';

/** Changes waiting for the next write of the log, and the reports waiting on that write. */
interface PendingAppend {
  entries: ChangeEntry[];
  waiting: { done: () => void; fail: (err: unknown) => void }[];
}

/** What the host may say about a change it reports. */
export interface HostChangeOptions {
  /** The zone and context the change belongs to. Default: every zone and context subscribed to. */
  zoneId?: string;
  contextId?: string;
  /** Who made it (e.g. the clerk's id): sent to subscribers as `generatorId`. */
  generatorId?: string;
  /** Whether the objects are whole (FULL) or only what changed (PARTIAL, the default for updates). */
  replacement?: 'FULL' | 'PARTIAL';
}

const ACTIONS: readonly ChangeAction[] = ['CREATE', 'UPDATE', 'DELETE'];

/** Tries of a store write for a committed change before it counts as failed. */
const TRIES = 3;
/** How long to wait between attempts to restart the change log while the store keeps failing. */
const REPAIR_INTERVAL_MS = 1000;

/**
 * Where every change to objects goes: the connector's own creates, updates and deletes, and the
 * changes the host app reports for what happened outside SIF. Logged for changes-since, queued as
 * events for subscribers (when queues are on), then emitted as `objects.changed`: by the time the
 * request that made the change is answered, all three are done.
 *
 * A change the host has committed is never answered with an error: when the log cannot be
 * written even after retries, the log is restarted under a new epoch (every earlier marker is then a
 * 409, and consumers resynchronise) rather than trusted with a hole in it. Until the restart is
 * stored, changes-since is refused with the same 409.
 */
export class ChangeReporter {
  /** False while a change could not be logged and the restart of the log is not yet stored. */
  private logTrusted = true;
  private repairing: Promise<void> | undefined;
  private closed = false;
  /** The changes reported since the log was last written; written together at the next turn. */
  private pending: PendingAppend | undefined;

  constructor(
    private readonly events: SifEvents,
    private readonly config: ResolvedConfig,
    private readonly publisher: EventPublisher | undefined,
  ) {}

  /** Reports changes made through the requests connector: logged, then emitted. */
  async fromConnector(change: Omit<ObjectsChanged, 'source' | 'ids'>, service: RegisteredService): Promise<void> {
    if (change.objects.length === 0) return;
    const ids = change.objects.map((o) => idOf(o, service));
    await this.record({ ...change, ids, source: 'connector' }, service);
  }

  /**
   * Reports changes made outside SIF (the host's own screens, imports). Objects must carry their id
   * attribute; for DELETE the id is enough.
   *
   * @example
   * provider.changed('xStudents', 'UPDATE', [student]);
   */
  async fromHost(serviceName: string, action: ChangeAction, objects: GoessnerObject[], options: HostChangeOptions = {}): Promise<void> {
    const service = this.config.services.get(serviceName);
    if (!service) throw new TypeError(`sif3-direct: changed(): no service ${serviceName}`);
    if (!ACTIONS.includes(action)) throw new TypeError(`sif3-direct: changed(): action must be one of ${ACTIONS.join(', ')}`);
    if (!Array.isArray(objects)) throw new TypeError('sif3-direct: changed(): objects must be an array');
    if (options.replacement !== undefined && options.replacement !== 'FULL' && options.replacement !== 'PARTIAL') {
      throw new TypeError('sif3-direct: changed(): replacement must be FULL or PARTIAL');
    }
    const ids = objects.map((o) => {
      const id = idOf(o, service);
      if (!id) throw new TypeError(`sif3-direct: changed(): every object needs its @${service.idAttribute}`);
      return id;
    });
    if (objects.length === 0) return;
    checkReportedChange(service, action, objects, options.replacement, this.config.logger);
    const { zoneId, contextId, generatorId, replacement } = options;
    await this.record({ serviceName, action, objects, ids, source: 'host', zoneId, contextId, generatorId, replacement }, service);
  }

  /** Whether changes-since may be answered: false while a lost change's log restart is pending. */
  get trusted(): boolean {
    return this.logTrusted;
  }

  /** Stops retrying a log restart (on provider close). */
  close(): void {
    this.closed = true;
  }

  private async record(change: ObjectsChanged, service: RegisteredService): Promise<void> {
    let failure: unknown;
    const logged = await this.withRetries(() => this.log(service, change.action, change.ids), (err) => (failure = err));
    const published = await this.withRetries(async () => this.publisher?.publish(change, service), (err) => (failure ??= err));
    if (!logged || !published) {
      this.config.logger.error(
        `sif3-direct: a committed ${change.action} of ${change.ids.length} ${change.serviceName} object(s) could not be ${logged ? 'queued to subscribers' : 'logged'}`,
        failure,
      );
      this.events.emit('changes.unlogged', { serviceName: change.serviceName, action: change.action, ids: change.ids, logged, published, error: failure });
      if (!logged) this.distrustLog();
    }
    this.events.emit('objects.changed', change);
  }

  private async withRetries(work: () => Promise<void>, onFailure: (err: unknown) => void): Promise<boolean> {
    for (let attempt = 1; ; attempt++) {
      try {
        await work();
        return true;
      } catch (err) {
        if (attempt >= TRIES) {
          onFailure(err);
          return false;
        }
      }
    }
  }

  /** Refuses changes-since until the log is restarted under a new epoch; keeps trying to restart it. */
  private distrustLog(): void {
    this.logTrusted = false;
    this.repairing ??= this.repair().finally(() => (this.repairing = undefined));
  }

  private async repair(): Promise<void> {
    while (!this.closed) {
      try {
        const state = await this.config.store.restartChangeLog();
        this.logTrusted = true;
        this.config.logger.warn(`sif3-direct: the change log was restarted (epoch ${state.epoch}); consumers of changes since will resynchronise`);
        this.events.emit('changes.restarted', { epoch: state.epoch });
        return;
      } catch (err) {
        this.config.logger.error('sif3-direct: the change log could not be restarted; retrying', err);
        await new Promise((resolve) => setTimeout(resolve, REPAIR_INTERVAL_MS).unref());
      }
    }
  }

  /**
   * Logs a change: resolves once it is in the log. Group commit: the changes of every request that
   * reaches here in one turn of the event loop go to the store in one `appendChanges` (one
   * transaction), written at the turn's end (`setImmediate`, after the sockets that were readable
   * together have all been served). With the SQLite store at `synchronous = FULL` each transaction
   * costs an fsync of the log, the largest part of a DELETE's CPU beyond the baseline's; under load
   * the requests that arrived while the last fsync blocked the loop now share the next one. Order
   * is kept (entries in the order reported); a failed write fails every report in it, and each is
   * retried on its own (`withRetries`), so a change is answered only once it is logged, as before.
   */
  private log(service: RegisteredService, action: ChangeAction, ids: string[]): Promise<void> {
    if (!service.changeTracking) return Promise.resolve();
    return new Promise<void>((done, fail) => {
      let pending = this.pending;
      if (!pending) {
        pending = this.pending = { entries: [], waiting: [] };
        setImmediate(() => this.flush());
      }
      for (const objectId of ids) pending.entries.push({ serviceName: service.name, objectId, action });
      pending.waiting.push({ done, fail });
    });
  }

  /** Writes the pending changes in one append and settles every report waiting on them. */
  private flush(): void {
    const pending = this.pending;
    this.pending = undefined;
    if (!pending) return;
    const now = this.config.clock();
    const retention = { maxEntries: this.config.changeLog.maxEntries, olderThan: new Date(now.getTime() - this.config.changeLog.maxAgeMs).toISOString() };
    let written: Promise<void>;
    try {
      written = this.config.store.appendChanges(pending.entries, now.toISOString(), retention);
    } catch (err) {
      // A store that throws instead of rejecting.
      written = Promise.reject(err);
    }
    written.then(
      () => {
        for (const w of pending.waiting) w.done();
      },
      (err: unknown) => {
        for (const w of pending.waiting) w.fail(err);
      },
    );
  }
}

/** The id of an object of a service, or '' when it has none. */
export function idOf(object: GoessnerObject, service: RegisteredService): string {
  return textOf(object[`@${service.idAttribute}`]) ?? '';
}
