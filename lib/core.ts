import type { Authenticator } from './auth/authenticator';
import type { ChangeReporter } from './changes';
import type { ResolvedConfig } from './config/resolve';
import type { Coordinator } from './coordination/coordinator';
import type { JobManager } from './jobs/manager';
import type { SifEvents } from './events';
import type { Responder } from './http/respond';
import type { AlertValidator } from './payload/alert';
import type { QueueServices } from './queues/services';
import type { WalkPositions } from './endpoints/requests/walks';
import type { ProvisionRequests } from './provisioning/requests';

/** What every endpoint works with: built once per provider, shared by its routes. */
export interface ProviderCore {
  readonly config: ResolvedConfig;
  /** Tells the other instances on the store what changed (in-process: nobody). */
  readonly coordinator: Coordinator;
  readonly authenticator: Authenticator;
  readonly responder: Responder;
  readonly events: SifEvents;
  readonly alertValidator: AlertValidator;
  readonly changes: ChangeReporter;
  /** Queues, events, delayed requests: undefined when the `queues` option is off. */
  readonly queues: QueueServices | undefined;
  /** Jobs of functional services: undefined when no service is FUNCTIONAL. */
  readonly jobs: JobManager | undefined;
  /** Where consumers' walks through query pages stand, so the next page can seek (endpoints/requests/walks.ts). */
  readonly walks: WalkPositions;
  /** Consumers' provision requests and the host's decisions (provisioning/requests.ts). */
  readonly provisioning: ProvisionRequests;
}
