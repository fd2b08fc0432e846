import { asArray, isElement, textOf } from '../payload/goessner';
import type { SifClient } from './client';
import { INFRASTRUCTURE_NAMESPACE } from './codec';
import type { Environment } from './environment';
import { SifClientError } from './errors';
import type { AnswerPart, ObjectShape, ProvideHandlers } from './provide-answer';
import { answerParts } from './provide-answer';
import type { QueueInfo, QueueMessage } from './queue';
import { parseQueue } from './queue';
import { DEFAULT_DATA_MODEL_NAMESPACE } from './service-target';
import type { Transport } from './transport';
import type { SifObject } from './types';
import { sifUrl } from './url';

export type { ProvideHandlers } from './provide-answer';

/**
 * How a remote provider serves a service. Every field has a default; `connectionId` and
 * `connections` matter only when several instances of one provider pull from one queue.
 *
 * @example
 * await client.provide('xStaffs', handlers, { namespace: NA, repeatable: ['otherIds/otherId'], connections: 2, connectionId: 1 });
 */
export interface ProvideOptions {
  /** One object's element name; default the plural without its final `s`. */
  objectName?: string;
  /** The id attribute, without `@`; default `refId`. */
  idAttribute?: string;
  /** Element paths that always become arrays in what handlers receive and return. */
  repeatable?: readonly string[];
  /** Namespace of XML answers; default NA 3.6. */
  namespace?: string;
  /** Page size when the consumer named none, and of the handler's pages a bulk request is read in; default 100. */
  pageSize?: number;
  /** Where the service is provided; default the environment's default zone and DEFAULT. */
  zoneId?: string;
  contextId?: string;
  /** Name of the queue requests wait in, found again after a restart; default `requests:{service}`. */
  queueName?: string;
  /** `maxConcurrentConnections` of the queue when it is created: one per instance pulling from it. Default 1. */
  connections?: number;
  /** This instance's connection (0 to connections - 1): each instance takes other requests. */
  connectionId?: number;
  /** Seconds a LONG poll waits; default 30. */
  idleTimeout?: number;
  /** Stops pulling (as `stop()` does). */
  signal?: AbortSignal;
  /** Told of each failure to reach the provider; pulling goes on after `retryMs` (default 1000). */
  onError?: (error: unknown) => void;
  retryMs?: number;
}

/**
 * A running remote provider: the queue and subscription it pulls through, and its loop.
 *
 * @example
 * const staff = await client.provide('xStaffs', handlers);
 * process.on('SIGTERM', () => void staff.stop());
 */
export interface Provision {
  readonly queueId: string;
  readonly subscriptionId: string;
  /** Resolves when the loop has stopped. */
  readonly done: Promise<void>;
  /** Stops pulling; the request being answered is finished first. Requests keep waiting in the queue. */
  stop(): Promise<void>;
}

/**
 * Provides `serviceName` from this process without opening a port (SIF 3.5 pull mode): finds or
 * creates a LONG queue named `queueName` and its `messageType: REQUEST` subscription, then pulls the
 * consumers' requests (get next and pop) and posts each answer part to the requests connector with
 * `messageType: RESPONSE` (or `ERROR`) and the request's `requestId`. A request is popped only
 * after its last part is posted, so one interrupted by a crash is answered again after the restart
 * (the host keeps each part once).
 *
 * @example
 * const provision = await startProviding(transport, client, 'xStaffs', { query, createMany }, {});
 */
export async function startProviding(
  transport: Transport,
  client: SifClient,
  serviceName: string,
  handlers: ProvideHandlers,
  options: ProvideOptions,
): Promise<Provision> {
  const env = await transport.environment();
  const zoneId = options.zoneId ?? env.defaultZoneId;
  const contextId = options.contextId ?? 'DEFAULT';
  const { queue, subscriptionId } = await findOrSubscribe(transport, client, env, serviceName, zoneId, contextId, options);
  const shape: ObjectShape = {
    serviceName,
    objectName: options.objectName ?? (serviceName.endsWith('s') ? serviceName.slice(0, -1) : serviceName),
    idAttribute: options.idAttribute ?? 'refId',
    repeatable: options.repeatable ?? [],
    pageSize: options.pageSize ?? 100,
  };
  const controller = new AbortController();
  const stopOnSignal = () => controller.abort();
  options.signal?.addEventListener('abort', stopOnSignal, { once: true });
  if (options.signal?.aborted) controller.abort();
  const namespace = options.namespace ?? DEFAULT_DATA_MODEL_NAMESPACE;
  const post = (requestId: string, part: AnswerPart) =>
    transport.send({
      method: 'POST',
      url: (e) => sifUrl(e.urls.requestsConnector!, [serviceName]),
      headers: { messageType: part.messageType, requestId, ...part.headers },
      ...(part.body
        ? { body: { root: part.body.root, value: part.body.value, namespace: part.body.namespace === 'data' ? namespace : INFRASTRUCTURE_NAMESPACE } }
        : {}),
      // 404: the request was answered already (before a restart) or has expired: nothing more to send.
      expect: [202, 404],
      what: `${part.messageType} to request ${requestId}`,
    });
  const answer = async (message: QueueMessage): Promise<void> => {
    for await (const part of answerParts(message, handlers, shape)) {
      try {
        if ((await post(message.requestId!, part)).status === 404) return;
      } catch (error) {
        // An answer the SIS refuses as it is (not the service's objects, too large) would be refused
        // again after any retry: the consumer is told instead, and the request is done with.
        if (!(error instanceof SifClientError) || (error.status !== 400 && error.status !== 413) || part.messageType === 'ERROR') throw error;
        options.onError?.(error);
        await post(message.requestId!, { messageType: 'ERROR', headers: {}, body: { root: 'error', value: refusedAnswer(error), namespace: 'infrastructure' } });
        return;
      }
    }
  };
  const done = pull(client, queue, controller.signal, answer, options).finally(() => options.signal?.removeEventListener('abort', stopOnSignal));
  return Object.freeze({
    queueId: queue.id,
    subscriptionId,
    done,
    stop: async () => {
      controller.abort();
      await done;
    },
  });
}

/** The loop: get next and pop, answer each REQUEST, start again after a failure until stopped. */
async function pull(client: SifClient, queue: QueueInfo, signal: AbortSignal, answer: (m: QueueMessage) => Promise<void>, options: ProvideOptions): Promise<void> {
  const messages = client.queue(queue);
  // A queue made for several instances needs a connection named on every poll: the first by default.
  const connectionId = options.connectionId ?? (Number(textOf(queue.raw.maxConcurrentConnections)) > 1 ? 0 : undefined);
  while (!signal.aborted) {
    let answered: string | undefined;
    try {
      const polling = connectionId === undefined ? { signal } : { signal, connectionId };
      for await (const message of messages.messages(polling)) {
        answered = undefined;
        if (message.messageType === 'REQUEST' && message.requestId) await answer(message);
        answered = message.messageId;
        if (signal.aborted) break;
      }
    } catch (error) {
      if (signal.aborted) break;
      options.onError?.(error);
      await pause(options.retryMs ?? 1000, signal);
      continue;
    }
    // Stopped: the last request answered leaves the queue now rather than at the next start.
    if (answered) await messages.deleteMessage(answered).catch(() => false);
  }
}

/** The REQUEST subscription of this environment to the service there, with its queue; made when there is none. */
async function findOrSubscribe(
  transport: Transport,
  client: SifClient,
  env: Environment,
  serviceName: string,
  zoneId: string | undefined,
  contextId: string,
  options: ProvideOptions,
): Promise<{ queue: QueueInfo; subscriptionId: string }> {
  const subscriptions = await list(transport, env, 'subscriptions', 'subscription');
  const existing = subscriptions.find(
    (s) => textOf(s.messageType) === 'REQUEST' && textOf(s.serviceName) === serviceName && (zoneId === undefined || textOf(s.zoneId) === zoneId) && textOf(s.contextId) === contextId,
  );
  if (existing) return { queue: await client.queue(textOf(existing.queueId)!).info(), subscriptionId: textOf(existing['@id'])! };
  const name = options.queueName ?? `requests:${serviceName}`;
  const found = (await list(transport, env, 'queues', 'queue')).find((q) => textOf(q.name) === name);
  const queue = found
    ? parseQueue(found)
    : await client.createQueue({ polling: 'LONG', idleTimeout: options.idleTimeout ?? 30, name, maxConcurrentConnections: options.connections ?? 1 });
  const subscription = await client.subscribe({
    queueId: queue.id,
    serviceName,
    messageType: 'REQUEST',
    ...(zoneId !== undefined ? { zoneId } : {}),
    contextId,
  });
  return { queue, subscriptionId: subscription.id };
}

/** Every queue or subscription of this environment. */
async function list(transport: Transport, env: Environment, service: 'queues' | 'subscriptions', item: string): Promise<SifObject[]> {
  const base = env.urls[service];
  if (!base) throw new Error(`The environment offers no ${service} service (the provider has queues turned off)`);
  const response = await transport.send({ method: 'GET', url: () => base, expect: [200, 204], what: `GET ${service}` });
  return asArray(response.body?.value[item]).filter(isElement);
}

/** The error a consumer gets when the SIS refused the provider's answer. */
function refusedAnswer(error: SifClientError): SifObject {
  return { '@id': `refused-${Date.now().toString(16)}`, code: '500', scope: 'Remote provider', message: `The provider's answer was refused by the SIS: ${error.message}` };
}

/** Waits `ms`, or less when `signal` aborts. */
function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}
