import type { QueueConfig } from '../config/queues';
import type { ResolvedConfig } from '../config/resolve';
import type { Coordinator } from '../coordination/coordinator';
import { InProcessCoordinator } from '../coordination/coordinator';
import type { SifEvents } from '../events';
import { QueueBroker } from './broker';
import { DelayedRunner } from './delayed';
import { Deferrals } from './deferred';
import { EventPublisher } from './event-publisher';
import { RemoteRouting } from '../remote/route';
import { newId } from '../util/ids';

/** The parts of the asynchronous side of a provider, built only when `queues` is on. */
export interface QueueServices {
  /** The validated `queues` option. */
  readonly options: QueueConfig;
  readonly broker: QueueBroker;
  readonly publisher: EventPublisher;
  readonly delayed: DelayedRunner;
  readonly deferrals: Deferrals;
  /** Runs housekeeping now: old messages, unpolled queues, taken requests never completed, remote requests whose provider left. */
  housekeeping(): Promise<void>;
  /** Starts housekeeping every `housekeepingSeconds` (the timer does not keep the process alive). */
  start(): void;
  /** Stops housekeeping and delayed work, and ends long polls; resolves when running work is done. */
  stop(): Promise<void>;
}

/**
 * Builds the queue services of a provider, or undefined when queues are off. `coordinator` carries
 * wake-ups and cache invalidations to the other instances on the store, and sets the lease of
 * delayed work (in-process by default: one instance).
 *
 * @example
 * const queues = createQueueServices(config, events, coordinatorOf(config.store));
 */
export function createQueueServices(config: ResolvedConfig, events: SifEvents, coordinator: Coordinator = new InProcessCoordinator()): QueueServices | undefined {
  const options = config.queues;
  if (!options) return undefined;
  const broker = new QueueBroker(config.store, options, events, config.clock, config.logger, config.limits.alertsPerEnvironment, coordinator);
  const delayed = new DelayedRunner(config.store, broker, events, config.clock, config.logger, {
    owner: newId(),
    ms: coordinator.leaseMs,
    shared: coordinator.shared,
  });
  const deferrals = new Deferrals(config, broker, new RemoteRouting(config.store, broker, config.clock, config.limits));
  const housekeeping = async () => {
    await broker.housekeeping();
    await deferrals.expire(options.maxMessageAgeHours);
    await deferrals.rehome();
  };
  let timer: NodeJS.Timeout | undefined;
  return Object.freeze({
    options,
    broker,
    publisher: new EventPublisher(config.store, broker, options.eventBatchSize, config.clock, coordinator),
    delayed,
    deferrals,
    housekeeping,
    start() {
      timer ??= setInterval(() => {
        housekeeping().catch((err) => config.logger.error('sif3-direct: queue housekeeping failed', err));
      }, options.housekeepingSeconds * 1000);
      timer.unref();
    },
    async stop() {
      if (timer) clearInterval(timer);
      timer = undefined;
      delayed.stop();
      broker.releaseAll();
      await delayed.idle();
    },
  });
}
