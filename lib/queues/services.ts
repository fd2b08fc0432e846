import type { ResolvedConfig } from '../config/resolve';
import type { SifEvents } from '../events';
import { QueueBroker } from './broker';
import { DelayedRunner } from './delayed';
import { Deferrals } from './deferred';
import { EventPublisher } from './event-publisher';

/** The parts of the asynchronous side of a provider, built only when `queues` is on. */
export interface QueueServices {
  readonly broker: QueueBroker;
  readonly publisher: EventPublisher;
  readonly delayed: DelayedRunner;
  readonly deferrals: Deferrals;
}

/** Builds the queue services of a provider, or undefined when queues are off. */
export function createQueueServices(config: ResolvedConfig, events: SifEvents): QueueServices | undefined {
  const options = config.queues;
  if (!options) return undefined;
  const broker = new QueueBroker(config.store, options, events, config.clock, config.logger);
  return Object.freeze({
    broker,
    publisher: new EventPublisher(config.store, broker, options.eventBatchSize, config.clock),
    delayed: new DelayedRunner(config.store, broker, events, config.clock, config.logger),
    deferrals: new Deferrals(config, broker),
  });
}
