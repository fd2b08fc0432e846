import { SifConfigError } from '../errors';
import type { SifStore } from '../store/store';
import type { Coordinator } from './coordinator';
import { InProcessCoordinator } from './coordinator';

/**
 * The coordinator a provider uses: the one its store offers (`store.coordinator()`, e.g. a
 * `PostgresStore`'s), else the in-process one. Checked at start-up: a `coordinator` that is not a
 * function, or returns something that is not a coordinator, is a `SifConfigError`.
 *
 * @example
 * const coordinator = coordinatorOf(config.store); // PostgresStore → LISTEN/NOTIFY; SqliteStore → in-process
 */
export function coordinatorOf(store: SifStore): Coordinator {
  const offer = (store as Partial<{ coordinator: unknown }>).coordinator;
  if (offer === undefined) return new InProcessCoordinator();
  if (typeof offer !== 'function') throw new SifConfigError('store', 'has a coordinator that is not a method (store.coordinator())');
  const coordinator = offer.call(store) as Partial<Coordinator> | null | undefined;
  for (const method of ['announce', 'listen', 'ready'] as const) {
    if (typeof coordinator?.[method] !== 'function') throw new SifConfigError('store', `coordinator() must return a Coordinator (missing ${method})`);
  }
  if (typeof coordinator!.shared !== 'boolean' || !(Number.isFinite(coordinator!.leaseMs) && coordinator!.leaseMs! > 0)) {
    throw new SifConfigError('store', 'coordinator() must return a Coordinator (shared: boolean, leaseMs: a positive number)');
  }
  return coordinator as Coordinator;
}
