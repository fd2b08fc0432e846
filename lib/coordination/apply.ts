import type { Authenticator } from '../auth/authenticator';
import type { QueueServices } from '../queues/services';
import type { CoordinatedSessionCache } from './session-cache';
import type { CoordinationSignal } from './signals';

/** The parts of a provider that keep state in memory which another instance's signals correct. */
export interface CoordinatedParts {
  readonly authenticator: Authenticator;
  readonly sessions: CoordinatedSessionCache;
  readonly queues: QueueServices | undefined;
}

/**
 * Applies a signal from another instance to this one, without telling anyone again.
 *
 * @example
 * const stop = coordinator.listen((signal) => applySignal(signal, { authenticator, sessions, queues }), logger);
 */
export function applySignal(signal: CoordinationSignal, parts: CoordinatedParts): void {
  const { queues } = parts;
  switch (signal.kind) {
    case 'queue':
      queues?.broker.wakeHere([signal.queueId]);
      return;
    case 'poll':
      queues?.broker.supersede(signal.queueId, signal.connectionId);
      return;
    case 'env':
      parts.authenticator.forgetEnvironment(signal.environmentId, signal.deleted);
      return;
    case 'subs':
      queues?.publisher.forgetSubscriptions();
      return;
    case 'resync':
      // Signals may have been missed: trust nothing cached on their strength, look at the store again.
      parts.sessions.distrustAll();
      queues?.publisher.forgetSubscriptions();
      queues?.broker.wakeAllHere();
      queues?.delayed.resume(undefined);
      return;
  }
}
