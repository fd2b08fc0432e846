import type { SifLogger } from '../config/options';
import type { CoordinationSignal } from './signals';

/**
 * How provider instances that share one store keep what each holds in memory (waiting long polls,
 * cached sessions, cached subscriptions) in step, and how long a lease on delayed work runs.
 * `createSifProvider` takes the one its store offers (`store.coordinator()`), else the in-process
 * one: a single instance, as before.
 *
 * @example
 * const stop = coordinator.listen((signal) => { if (signal.kind === 'subs') cache.clear(); }, logger);
 * await coordinator.announce({ kind: 'subs' });
 * stop();
 */
export interface Coordinator {
  /**
   * True when other instances may share the store: delayed work is then leased for `leaseMs` and
   * a lease left by another owner is honoured until it expires. False: this is the only instance,
   * and a lease left by a previous run of it is void.
   */
  readonly shared: boolean;
  /** How long a claim on delayed work lasts before another instance may take it over. */
  readonly leaseMs: number;
  /**
   * Tells every other instance. Resolves once sent; never rejects (a failure is logged): the
   * change it reports has happened in the store either way.
   */
  announce(signal: CoordinationSignal): Promise<void>;
  /**
   * Hands the signals of other instances (and `resync` after each (re)connection) to `listener`,
   * until the returned function is called. Never the instance's own signals.
   */
  listen(listener: (signal: CoordinationSignal) => void, logger: SifLogger): () => void;
  /** Resolves once signals of other instances are received (at once in-process). */
  ready(): Promise<void>;
}

/** A store that can coordinate the instances sharing it (e.g. `PostgresStore`). */
export interface CoordinatingStore {
  coordinator(): Coordinator;
}

/** A claim on delayed work in-process: nobody to take it over, so it only marks who runs what. */
const IN_PROCESS_LEASE_MS = 60_000;

/**
 * The coordinator of a provider alone on its store (SQLite, memory): nothing to tell anyone.
 *
 * @example
 * const coordinator = new InProcessCoordinator();
 * coordinator.shared; // false
 */
export class InProcessCoordinator implements Coordinator {
  readonly shared = false;
  readonly leaseMs = IN_PROCESS_LEASE_MS;

  async announce(): Promise<void> {}

  listen(): () => void {
    return () => undefined;
  }

  async ready(): Promise<void> {}
}
