import type { Authenticator } from './auth/authenticator';
import type { ChangeReporter } from './changes';
import type { ResolvedConfig } from './config/resolve';
import type { SifEvents } from './events';
import type { Responder } from './http/respond';
import type { AlertValidator } from './payload/alert';
import type { QueueServices } from './queues/services';

/** What every endpoint works with: built once per provider, shared by its routes. */
export interface ProviderCore {
  readonly config: ResolvedConfig;
  readonly authenticator: Authenticator;
  readonly responder: Responder;
  readonly events: SifEvents;
  readonly alertValidator: AlertValidator;
  readonly changes: ChangeReporter;
  /** Queues, events, delayed requests: undefined when the `queues` option is off. */
  readonly queues: QueueServices | undefined;
}
