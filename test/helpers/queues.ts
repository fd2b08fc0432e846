import request from 'supertest';
import type { ConsumerEntry } from 'sif3-direct';
import { basicAuth } from './consumer-auth';
import type { TestHost } from './host';
import { TEST_CONSUMERS, register } from './host';

// A consumer's side of queues and subscriptions (Infrastructure Services §9–10, interop.md §5),
// written from the spec rather than from lib/.

/** A consumer that may query and subscribe to xStudents (consumer "A" of the scenario). */
export const SUBSCRIBER: ConsumerEntry = {
  applicationKey: 'Subscriber',
  secret: 'SubscriberSecret',
  environment: {
    defaultZone: { id: 'District', services: [{ name: 'xStudents', rights: ['QUERY', 'SUBSCRIBE'] }] },
    zones: [{ id: 'Elementary', services: [{ name: 'xStudents', rights: ['QUERY', 'SUBSCRIBE'] }] }],
  },
};

export const QUEUE_TEST_CONSUMERS: ConsumerEntry[] = [...TEST_CONSUMERS, SUBSCRIBER];

/** A registered consumer with its Authorization header. */
export interface Session {
  id: string;
  auth: string;
  body: Record<string, unknown>;
}

export async function session(host: TestHost, applicationKey: string, secret: string, instanceId?: string): Promise<Session> {
  const env = await register(host, applicationKey, secret, instanceId);
  return { id: env.id, auth: basicAuth(env.sessionToken, secret), body: env.body };
}

/** Creates a queue; returns its id and messages URL path (below the app). */
export async function createQueue(host: TestHost, who: Session, queue: Record<string, string | number> = {}): Promise<{ id: string; messages: string; body: Record<string, unknown> }> {
  const res = await request(host.app)
    .post(`${host.mount}/queues/queue`)
    .set('Authorization', who.auth)
    .set('Accept', 'application/json')
    .type('json')
    .send({ queue });
  if (res.status !== 201) throw new Error(`queue create failed: ${res.status} ${res.text}`);
  const body = res.body.queue;
  return { id: body['@id'], messages: new URL(body.queueUri).pathname, body };
}

export async function subscribe(host: TestHost, who: Session, queueId: string, serviceName = 'xStudents', extra: Record<string, string> = {}) {
  return request(host.app)
    .post(`${host.mount}/subscriptions/subscription`)
    .set('Authorization', who.auth)
    .set('Accept', 'application/json')
    .type('json')
    .send({ subscription: { serviceType: 'OBJECT', serviceName, queueId, ...extra } });
}

/** One poll of a queue's messages service. */
export function poll(host: TestHost, who: Session, messagesPath: string, options: { deleteId?: string; connectionId?: number; accept?: string } = {}) {
  const url = options.deleteId ? `${messagesPath};deleteMessageId=${options.deleteId}` : messagesPath;
  let req = request(host.app).get(url).set('Authorization', who.auth).set('Accept', options.accept ?? 'application/json');
  if (options.connectionId !== undefined) req = req.set('connectionId', String(options.connectionId));
  return req;
}

/** Polls with get-next-and-pop until the queue answers 204; returns every message in order. */
export async function drain(host: TestHost, who: Session, messagesPath: string, max = 100) {
  const messages: { headers: Record<string, string>; body: any }[] = [];
  let previous: string | undefined;
  for (let i = 0; i < max; i++) {
    const res = await poll(host, who, messagesPath, { deleteId: previous });
    if (res.status === 204) return messages;
    if (res.status !== 200) throw new Error(`poll failed: ${res.status} ${res.text}`);
    messages.push({ headers: res.headers as Record<string, string>, body: res.body });
    previous = res.headers.messageid;
  }
  throw new Error('queue did not drain');
}
