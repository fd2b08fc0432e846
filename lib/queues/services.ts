import type { QueueConfig } from '../config/queues';
import type { ResolvedConfig } from '../config/resolve';
import type { SifEvents } from '../events';
import { QueueBroker } from './broker';
import { DelayedRunner } from './delayed';
import { Deferrals } from './deferred';
import { EventPublisher } from './event-publisher';

/** The parts of the asynchronous side of a provider, built only when `queues` is on. */
export interface QueueServices {
  /** The validated `queues` option. */
  readonly options: QueueConfig;
  readonly broker: QueueBroker;
  readonly publisher: EventPublisher;
  readonly delayed: DelayedRunner;
  readonly deferrals: Deferrals;
  /** Runs housekeeping now: old messages, unpolled queues, taken requests never completed. */
  housekeeping(): Promise<void>;
  /** Starts housekeeping every `housekeepingSeconds` (the timer does not keep the process alive). */
  start(): void;
  /** Stops housekeeping and delayed work, and ends long polls; resolves when running work is done. */
  stop(): Promise<void>;
}

/** Builds the queue services of a provider, or undefined when queues are off. */
export function createQueueServices(config: ResolvedConfig, events: SifEvents): QueueServices | undefined {
  const options = config.queues;
  if (!options) return undefined;
  const broker = new QueueBroker(config.store, options, events, config.clock, config.logger, config.limits.alertsPerEnvironment);
  const delayed = new DelayedRunner(config.store, broker, events, config.clock, config.logger);
  const deferrals = new Deferrals(config, broker);
  const housekeeping = async () => {
    await broker.housekeeping();
    await deferrals.expire(options.maxMessageAgeHours);
  };
  let timer: NodeJS.Timeout | undefined;
  return Object.freeze({
    options,
    broker,
    publisher: new EventPublisher(config.store, broker, options.eventBatchSize, config.clock),
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
