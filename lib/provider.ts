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
import { JobEvents } from './jobs/events';
import { JobManager } from './jobs/manager';
import type { JobsApi } from './jobs/types';
import { infrastructureNamespace } from './protocol/enums';
import { ProvisionRequests } from './provisioning/requests';
import type { ProvisionDecision, ProvisionRequestInfo } from './provisioning/decisions';

/** A mounted-anywhere SIF 3 Direct Environments Provider. */
export interface SifProvider {
  /** The Express router: mount it where the provider should live, e.g. `app.use('/sif3', router)`. */
  readonly router: Router;
  /** The protocol state store. */
  readonly store: SifStore;
  /** Typed events: environment.*, alert.created, objects.changed, queue.*, delayed.answered. */
  readonly events: SifEvents;
  /**
   * Jobs of the FUNCTIONAL services: read them, move their phases and states on from your own code.
   * Throws a TypeError when no service is FUNCTIONAL.
   *
   * @example
   * await provider.jobs.setPhaseState(job.id, 'rollover', 'COMPLETED', '1,250 students promoted');
   */
  readonly jobs: JobsApi;
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
  /**
   * Consumers' provision requests that the `provisionRequests.decide` option left pending, for an
   * operator: `pending()` lists them, oldest first (100 at a time by default); `decide(id, decision)`
   * answers one, and approved rights are in the consumer's environment at once. `decide` resolves
   * false when no pending request has this id (decided, deleted, or never made).
   *
   * @example
   * for (const request of await provider.provisionRequests.pending()) {
   *   await provider.provisionRequests.decide(request.id, operatorSaysYes(request) ? 'approve' : 'reject');
   * }
   */
  readonly provisionRequests: {
    pending(page?: { offset: number; limit: number }): Promise<ProvisionRequestInfo[]>;
    decide(id: string, decision: ProvisionDecision): Promise<boolean>;
  };
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
  const functional = [...config.services.values()].some((s) => s.job);
  const jobs = functional ? new JobManager(config, new JobEvents(queues?.publisher, infrastructureNamespace(config.infrastructureVersion))) : undefined;
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
    jobs,
    walks: new WalkPositions(MAX_WALKS, config.paging.snapshotTtlMs),
    provisioning: new ProvisionRequests({ config, authenticator, coordinator, events }),
  });
  const router = createRouter(core);
  const stopListening = coordinator.listen((signal) => applySignal(signal, { authenticator, sessions, queues }), config.logger);
  // Delayed requests run through this same router; pending ones (from before a restart) resume now.
  queues?.delayed.attach(router);
  queues?.start();
  jobs?.start();
  const deferrals = () => {
    if (!queues) throw new TypeError('sif3-direct: delayed answers need the queues option');
    return queues.deferrals;
  };
  return Object.freeze({
    router,
    store: config.store,
    events,
    jobs: jobs ?? noJobs(),
    // Typed objects (a data model's StudentPersonal) are Goessner objects without an index signature.
    changed: (serviceName: string, action: ChangeAction, objects: readonly object[], options?: HostChangeOptions) =>
      changes.fromHost(serviceName, action, objects as GoessnerObject[], options),
    respond: (ref: string, part: DeferredPart) => deferrals().respond(ref, part),
    complete: (ref: string, part?: DeferredPart) => deferrals().complete(ref, part),
    fail: (ref: string, error: { statusCode: number; message: string }) => deferrals().fail(ref, error),
    idle: async () => queues?.delayed.idle(),
    provisionRequests: Object.freeze({
      pending: (page = { offset: 0, limit: 100 }) => core.provisioning.pending(page),
      decide: (id: string, decision: ProvisionDecision) => core.provisioning.decide(id, decision),
    }),
    close: async () => {
      stopListening();
      jobs?.stop();
      changes.close();
      await queues?.stop();
      if (config.ownsStore) await config.store.close();
    },
  });
}

/** `provider.jobs` of a provider without FUNCTIONAL services: every call says so. */
function noJobs(): JobsApi {
  const refuse = (): never => {
    throw new TypeError('sif3-direct: provider.jobs needs a service of type FUNCTIONAL (with a job)');
  };
  return { get: refuse, setPhaseState: refuse, setJobState: refuse, delete: refuse, housekeeping: refuse };
}
