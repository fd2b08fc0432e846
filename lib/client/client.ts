import { textOf } from '../payload/goessner';
import { INFRASTRUCTURE_NAMESPACE } from './codec';
import type { Environment } from './environment';
import { SifClientError } from './errors';
import type { FunctionalServiceOptions } from './jobs';
import { FunctionalServiceClient } from './jobs';
import type { QueueInfo } from './queue';
import { QueueClient, parseQueue } from './queue';
import type { ProvideHandlers, ProvideOptions, Provision } from './provide';
import { startProviding } from './provide';
import type { ServiceOptions } from './service';
import { ServiceClient } from './service';
import type { ConnectOptions } from './transport';
import { Transport } from './transport';
import type { SifObject } from './types';

/**
 * A queue to create: LONG polling holds each poll open up to `idleTimeout` seconds (the provider
 * may lower it); IMMEDIATE answers at once.
 *
 * @example
 * await client.createQueue({ polling: 'LONG', idleTimeout: 30, name: 'gradebook-events' });
 */
export interface CreateQueueOptions {
  polling?: 'LONG' | 'IMMEDIATE';
  idleTimeout?: number;
  name?: string;
  maxConcurrentConnections?: number;
}

/**
 * A subscription to create: events of `serviceName` (in a zone and context) go to `queueId`.
 *
 * @example
 * await client.subscribe({ queueId: queue.id, serviceName: 'xStudents' });
 */
export interface SubscribeOptions {
  queueId: string;
  serviceName: string;
  serviceType?: string;
  zoneId?: string;
  contextId?: string;
  /** SIF 3.5: `EVENT` (the default when absent) or `REQUEST` (this environment provides the service: see `provide`). */
  messageType?: 'EVENT' | 'REQUEST';
  /** SIF 3.5: `adminDirective`. */
  serviceSubType?: string;
}

/**
 * A SIF 3 consumer of one Direct provider: `fetch` and Web Crypto only, so it runs in Node 20,
 * browsers and React Native. `connect` registers the environment (re-attaching to an existing one
 * on 409); every request is signed afresh; a lost session (401) is re-registered once and the
 * request retried; `close()` deletes the environment.
 *
 * @example
 * const client = await SifClient.connect({ url: 'http://localhost:3000/sif3', applicationKey: 'DemoApp',
 *   secret: 'DemoSecret', authMethod: 'SIF_HMACSHA256', format: 'json' });
 * for await (const s of client.service('xStudents').query({ where: '[name/familyName="Smith"]' })) console.log(s);
 * await client.close();
 */
export class SifClient {
  private constructor(private readonly transport: Transport) {}

  /**
   * Registers an environment and resolves with a client in its session.
   *
   * @example
   * const client = await SifClient.connect({ url, applicationKey: 'DemoApp', secret: 'DemoSecret' });
   */
  static async connect(options: ConnectOptions): Promise<SifClient> {
    const client = new SifClient(new Transport(options));
    await client.transport.register();
    return client;
  }

  /**
   * The registered environment (id, session token, default zone, infrastructure URLs, the whole
   * object as `raw`).
   *
   * @example
   * console.log(client.environment.defaultZoneId, client.environment.urls.requestsConnector);
   */
  get environment(): Environment {
    const env = this.transport.registered;
    if (!env) throw new SifClientError(0, 'The client is closed');
    return env;
  }

  /**
   * A service by plural name, or a service path (`xSchools/{id}/xStudents`).
   *
   * @example
   * const students = client.service('xStudents', { repeatable: ['otherIds/otherId'] });
   * const ofSchool = client.service(`xSchools/${schoolId}/xStudents`);
   */
  service(name: string, options: ServiceOptions = {}): ServiceClient {
    return new ServiceClient(this.transport, name, options);
  }

  /**
   * A functional service (services connector): its jobs, their phases and states.
   *
   * @example
   * const rollover = client.functionalService('RolloverStudents');
   * const job = await rollover.create({ payload: jobProperties({ schoolYear: '2027' }) });
   */
  functionalService(name: string, options: FunctionalServiceOptions = {}): FunctionalServiceClient {
    return new FunctionalServiceClient(this.transport, name, options);
  }

  /**
   * Creates a queue for events and delayed answers.
   *
   * @example
   * const queue = await client.createQueue({ polling: 'LONG', idleTimeout: 30 });
   */
  async createQueue(options: CreateQueueOptions = {}): Promise<QueueInfo> {
    const value: SifObject = {};
    if (options.name !== undefined) value.name = options.name;
    value.polling = options.polling ?? 'LONG';
    if (options.idleTimeout !== undefined) value.idleTimeout = String(options.idleTimeout);
    if (options.maxConcurrentConnections !== undefined) value.maxConcurrentConnections = String(options.maxConcurrentConnections);
    const response = await this.transport.send({
      method: 'POST',
      url: (env) => `${infrastructureUrl(env, 'queues')}/queue`,
      body: { root: 'queue', value, namespace: INFRASTRUCTURE_NAMESPACE },
      expect: [201],
      what: 'Create queue',
    });
    return parseQueue(response.body?.value ?? {});
  }

  /**
   * A queue of this consumer's, by id or as `createQueue` returned it (which keeps its URI and polling).
   *
   * @example
   * for await (const message of client.queue(queue).messages({ signal })) console.log(message.eventAction);
   */
  queue(queue: string | QueueInfo): QueueClient {
    return typeof queue === 'string' ? new QueueClient(this.transport, queue) : new QueueClient(this.transport, queue.id, queue);
  }

  /**
   * Subscribes a queue to a service's events; resolves with the subscription's id.
   *
   * @example
   * const { id } = await client.subscribe({ queueId: queue.id, serviceName: 'xStudents' });
   */
  async subscribe(options: SubscribeOptions): Promise<{ id: string; raw: SifObject }> {
    const value: SifObject = {};
    if (options.zoneId !== undefined) value.zoneId = options.zoneId;
    if (options.contextId !== undefined) value.contextId = options.contextId;
    value.serviceType = options.serviceType ?? 'OBJECT';
    if (options.serviceSubType !== undefined) value.serviceSubType = options.serviceSubType;
    if (options.messageType !== undefined) value.messageType = options.messageType;
    value.serviceName = options.serviceName;
    value.queueId = options.queueId;
    const response = await this.transport.send({
      method: 'POST',
      url: (env) => `${infrastructureUrl(env, 'subscriptions')}/subscription`,
      body: { root: 'subscription', value, namespace: INFRASTRUCTURE_NAMESPACE },
      expect: [201],
      what: `Subscribe to ${options.serviceName}`,
    });
    const raw = response.body?.value ?? {};
    const id = textOf(raw['@id']);
    if (!id) throw new SifClientError(response.status, 'The subscription the provider returned has no @id');
    return { id, raw };
  }

  /**
   * Ends a subscription.
   *
   * @example
   * await client.unsubscribe(subscription.id);
   */
  async unsubscribe(id: string): Promise<void> {
    await this.transport.send({
      method: 'DELETE',
      url: (env) => `${infrastructureUrl(env, 'subscriptions')}/${encodeURIComponent(id)}`,
      expect: [204, 200],
      what: `DELETE subscription ${id}`,
    });
  }

  /**
   * Provides a service from this process without opening a port (SIF 3.5 asynchronous provider,
   * pull mode): pulls the consumers' requests from a queue and answers them with handlers of the
   * shapes a service's `handlers` have in process. The host must declare the service remote with
   * this application as its provider, and grant it PROVIDE. Do not `close()` a provider's client:
   * its queue holds the requests that arrive while it is offline.
   *
   * @example
   * const staff = await client.provide('xStaffs', { query: async (ctx, q) => ({ objects: db.page(q.offset, q.pageSize), totalCount: db.count() }) });
   * process.on('SIGTERM', () => void staff.stop());
   */
  provide(serviceName: string, handlers: ProvideHandlers, options: ProvideOptions = {}): Promise<Provision> {
    return startProviding(this.transport, this, serviceName, handlers, options);
  }

  /**
   * Deletes the environment: its session, queues and subscriptions are gone. A later request
   * registers a new environment.
   *
   * @example
   * await client.close();
   */
  close(): Promise<void> {
    return this.transport.close();
  }
}

function infrastructureUrl(env: Environment, name: 'queues' | 'subscriptions'): string {
  const url = env.urls[name];
  if (!url) throw new SifClientError(0, `The environment offers no ${name} service (the provider has queues turned off)`);
  return url.replace(/\/+$/, '');
}
