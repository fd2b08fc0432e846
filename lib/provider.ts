import type { Router } from 'express';
import { Authenticator } from './auth/authenticator';
import { ChangeReporter } from './changes';
import type { HostChangeOptions } from './changes';
import type { GoessnerObject } from './payload/goessner';
import type { ChangeAction } from './services/types';
import { ReplayCache } from './auth/replay-cache';
import { applySignal } from './coordination/apply';
import { coordinatorOf } from './coordination/of-store';
import { CoordinatedSessionCache } from './coordination/session-cache';
import type { SifProviderOptions } from './config/options';
import { resolveOptions } from './config/resolve';
import type { ProviderCore } from './core';
import { SifEvents } from './events';
import { Responder } from './http/respond';
import { AlertValidator } from './payload/alert';
import { createRouter } from './router';
import type { DeferredPart } from './queues/deferred';
import { createQueueServices } from './queues/services';
import { MAX_WALKS, WalkPositions } from './endpoints/requests/walks';
import type { SifStore } from './store/store';

/** A mounted-anywhere SIF 3 Direct Environments Provider. */
export interface SifProvider {
  /** The Express router: mount it where the provider should live, e.g. `app.use('/sif3', router)`. */
  readonly router: Router;
  /** The protocol state store. */
  readonly store: SifStore;
  /** Typed events: environment.*, alert.created, objects.changed, queue.*, delayed.answered. */
  readonly events: SifEvents;
  /**
   * Reports changes the host app made outside SIF (its own screens, imports), so that change
   * tracking and subscribers' events see them. Objects carry their id attribute; for DELETE the id
   * is enough. Resolves once the changes are logged and their events queued.
   *
   * @example
   * await provider.changed('xStudents', 'UPDATE', [{ '@refId': id, name: { familyName: 'Smith' } }]);
   */
  changed(serviceName: string, action: ChangeAction, objects: readonly object[], options?: HostChangeOptions): Promise<void>;
  /**
   * Asynchronous providers: queues one part of the answer to a delayed request that a `delayed`
   * handler took (`ref` is what it received). Resolves false when the request is gone (its queue
   * or environment was deleted). Call in sequence: parts are queued in the order of the calls.
   *
   * @example
   * await provider.respond(ref, { results: [{ id, advisoryId, statusCode: 201 }] });
   */
  respond(ref: string, part: DeferredPart): Promise<boolean>;
  /** Queues the last part (if given) and ends the delayed request. */
  complete(ref: string, part?: DeferredPart): Promise<boolean>;
  /** Ends the delayed request with an ERROR message in the consumer's queue. */
  fail(ref: string, error: { statusCode: number; message: string }): Promise<boolean>;
  /**
   * Resolves when no delayed request is being run (pending ones included). For tests and orderly
   * shutdown.
   */
  idle(): Promise<void>;
  /** Stops queue housekeeping and delayed work, ends long polls, and closes the store if the provider opened it. */
  close(): Promise<void>;
}

/**
 * Creates a SIF 3 Direct Environments Provider. Options are validated here, once; an invalid one
 * throws a `SifConfigError` that names it.
 *
 * @example
 * import express from 'express';
 * import { createSifProvider } from 'sif3-direct';
 *
 * const sif = createSifProvider({
 *   database: './data/sif-state.db',
 *   services: { xStudents: {} },
 *   consumers: [{
 *     applicationKey: 'DemoApp',
 *     secret: process.env.DEMO_SECRET!,
 *     environment: { defaultZone: { id: 'District', services: [{ name: 'xStudents', rights: ['QUERY'] }] } },
 *   }],
 * });
 * const app = express();
 * app.use('/sif3', sif.router);
 * app.listen(3000);
 */
export function createSifProvider(options: SifProviderOptions): SifProvider {
  const config = resolveOptions(options);
  // Several instances on one store (a PostgresStore) keep their memory in step through it.
  const coordinator = coordinatorOf(config.store);
  const events = new SifEvents(config.logger);
  const queues = createQueueServices(config, events, coordinator);
  const changes = new ChangeReporter(events, config, queues?.publisher);
  const sessions = new CoordinatedSessionCache(config.sessionCacheSize, config.limits.sessionCacheBytes);
  const authenticator = new Authenticator(config, sessions, config.rejectReplays ? new ReplayCache() : undefined);
  const core: ProviderCore = Object.freeze({
    config,
    coordinator,
    authenticator,
    responder: new Responder(config),
    events,
    alertValidator: new AlertValidator(config.infrastructureVersion),
    changes,
    queues,
    walks: new WalkPositions(MAX_WALKS, config.paging.snapshotTtlMs),
  });
  const router = createRouter(core);
  const stopListening = coordinator.listen((signal) => applySignal(signal, { authenticator, sessions, queues }), config.logger);
  // Delayed requests run through this same router; pending ones (from before a restart) resume now.
  queues?.delayed.attach(router);
  queues?.start();
  const deferrals = () => {
    if (!queues) throw new TypeError('sif3-direct: delayed answers need the queues option');
    return queues.deferrals;
  };
  return Object.freeze({
    router,
    store: config.store,
    events,
    // Typed objects (a data model's StudentPersonal) are Goessner objects without an index signature.
    changed: (serviceName: string, action: ChangeAction, objects: readonly object[], options?: HostChangeOptions) =>
      changes.fromHost(serviceName, action, objects as GoessnerObject[], options),
    respond: (ref: string, part: DeferredPart) => deferrals().respond(ref, part),
    complete: (ref: string, part?: DeferredPart) => deferrals().complete(ref, part),
    fail: (ref: string, error: { statusCode: number; message: string }) => deferrals().fail(ref, error),
    idle: async () => queues?.delayed.idle(),
    close: async () => {
      stopListening();
      changes.close();
      await queues?.stop();
      if (config.ownsStore) await config.store.close();
    },
  });
}
