import type { SifLogger } from './config/options';
import type { GoessnerObject } from './payload/goessner';
import type { ChangeAction } from './services/types';

/** Events a provider emits, with their payloads. */
export interface SifEventMap {
  /** A consumer registered a new environment. */
  'environment.created': { environmentId: string; applicationKey: string; instanceId?: string; solutionId?: string };
  /** A consumer deleted its environment; everything it owned is gone. */
  'environment.deleted': { environmentId: string; applicationKey: string };
  /** A consumer reported an alert. `alert` is the stored alert in Goessner form. */
  'alert.created': { environmentId: string; applicationKey: string; alert: GoessnerObject };
  /**
   * A consumer made a provision request (Infrastructure Services §6): decided at once
   * (`completionStatus` ACCEPTED, MIXED or REJECTED) or PENDING, for an operator to decide.
   */
  'provisionRequest.created': { id: string; environmentId: string; applicationKey: string; completionStatus: 'ACCEPTED' | 'MIXED' | 'REJECTED' | 'PENDING' };
  /** A pending provision request was decided; approved rights are in the environment. */
  'provisionRequest.decided': { id: string; environmentId: string; completionStatus: 'ACCEPTED' | 'MIXED' | 'REJECTED' };
  /** Objects of a service changed, through the requests connector or as reported by the host. */
  'objects.changed': ObjectsChanged;
  /** A queue was full (`queues.maxMessagesPerQueue`): these messages were not queued. */
  'queue.overflowed': { queueId: string; dropped: number };
  /** Messages older than `queues.maxMessageAgeHours` were dropped from a queue. */
  'queue.expired': { queueId: string; dropped: number };
  /**
   * A queue holding messages has not been polled for `queues.unpolledAlertMinutes`: its consumer may
   * be offline (Utility Services §7.2.4). The alert is also stored among the consumer's alerts.
   */
  'queue.unpolled': { queueId: string; environmentId: string; messageCount: number; lastPolled: string; alert: GoessnerObject };
  /** A delayed request's answer (or error) was put into its queue. */
  'delayed.answered': { requestId: string | undefined; queueId: string; environmentId: string; messages: number };
  /**
   * A committed change could not be logged (`logged: false`) or queued to subscribers
   * (`published: false`), even after retries: the state store failed. The consumer that made it still
   * got its success answer. An unlogged change restarts the change log (`changes.restarted`).
   */
  'changes.unlogged': { serviceName: string; action: ChangeAction; ids: string[]; logged: boolean; published: boolean; error: unknown };
  /**
   * The change log was started afresh under a new epoch because a change could not be logged: every
   * earlier changes-since marker is now answered 409, and consumers resynchronise with a full query.
   */
  'changes.restarted': { epoch: string };
}

/** A change to objects of one service. */
export interface ObjectsChanged {
  serviceName: string;
  action: ChangeAction;
  /** The objects as they now are; for DELETE, at least their id attribute. */
  objects: GoessnerObject[];
  /** Their ids, in the same order. */
  ids: string[];
  /** Where the change came in: a consumer's request, or the host app itself. */
  source: 'connector' | 'host';
  /** Whether `objects` are whole (FULL) or only the changed elements (PARTIAL). */
  replacement?: 'FULL' | 'PARTIAL';
  /** Set when a consumer made the change. */
  zoneId?: string;
  contextId?: string;
  environmentId?: string;
  applicationKey?: string;
  /** Who made the change (the request's `generatorId`, or the host's). */
  generatorId?: string;
}

type Listener<K extends keyof SifEventMap> = (event: SifEventMap[K]) => void;

/**
 * Typed events for the host app. Listeners run after the change is stored; a listener that throws
 * is logged and never fails the consumer's request.
 *
 * @example
 * provider.events.on('alert.created', ({ alert }) => notifyAdmins(alert));
 */
export class SifEvents {
  private readonly listeners: { [K in keyof SifEventMap]?: Listener<K>[] } = {};

  constructor(private readonly logger: SifLogger) {}

  /** Adds a listener; returns a function that removes it. */
  on<K extends keyof SifEventMap>(name: K, listener: Listener<K>): () => void {
    const list = (this.listeners[name] ??= []) as Listener<K>[];
    list.push(listener);
    return () => this.off(name, listener);
  }

  /** Removes a listener. */
  off<K extends keyof SifEventMap>(name: K, listener: Listener<K>): void {
    const list = this.listeners[name] as Listener<K>[] | undefined;
    const i = list?.indexOf(listener) ?? -1;
    if (list && i >= 0) list.splice(i, 1);
  }

  /** Calls every listener of `name`. For the provider's own use. */
  emit<K extends keyof SifEventMap>(name: K, event: SifEventMap[K]): void {
    for (const listener of [...((this.listeners[name] as Listener<K>[] | undefined) ?? [])]) {
      try {
        listener(event);
      } catch (err) {
        this.logger.error(`sif3-direct: a listener of ${name} threw`, err);
      }
    }
  }
}
