import type { Router } from 'express';
import { Authenticator } from './auth/authenticator';
import { ChangeReporter } from './changes';
import type { GoessnerObject } from './payload/goessner';
import type { ChangeAction } from './services/types';
import { SessionCache } from './auth/session-cache';
import type { SifProviderOptions } from './config/options';
import { resolveOptions } from './config/resolve';
import type { ProviderCore } from './core';
import { SifEvents } from './events';
import { Responder } from './http/respond';
import { AlertValidator } from './payload/alert';
import { createRouter } from './router';
import type { SifStore } from './store/store';

/** A mounted-anywhere SIF 3 Direct Environments Provider. */
export interface SifProvider {
  /** The Express router: mount it where the provider should live, e.g. `app.use('/sif3', router)`. */
  readonly router: Router;
  /** The protocol state store. */
  readonly store: SifStore;
  /** Typed events: environment.created, environment.deleted, alert.created, objects.changed. */
  readonly events: SifEvents;
  /**
   * Reports changes the host app made outside SIF (its own screens, imports), so that change
   * tracking and events see them. Objects carry their id attribute; for DELETE the id is enough.
   *
   * @example
   * await provider.changed('xStudents', 'UPDATE', [{ '@refId': id, name: { familyName: 'Smith' } }]);
   */
  changed(serviceName: string, action: ChangeAction, objects: GoessnerObject[]): Promise<void>;
  /** Closes the store if the provider opened it. Call on shutdown. */
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
  const events = new SifEvents(config.logger);
  const changes = new ChangeReporter(events, config);
  const core: ProviderCore = Object.freeze({
    config,
    authenticator: new Authenticator(config, new SessionCache(config.sessionCacheSize)),
    responder: new Responder(config),
    events,
    alertValidator: new AlertValidator(config.infrastructureVersion),
    changes,
  });
  return Object.freeze({
    router: createRouter(core),
    store: config.store,
    events,
    changed: (serviceName: string, action: ChangeAction, objects: GoessnerObject[]) => changes.fromHost(serviceName, action, objects),
    close: async () => {
      if (config.ownsStore) await config.store.close();
    },
  });
}
