import request from 'supertest';
import type { ConsumerEntry, ServiceDefinition, SifProviderOptions } from 'sif3-direct';
import type { TestHost } from '../helpers/host';
import { TEST_CONSUMERS, createTestHost } from '../helpers/host';
import { NA_NS, memoryService } from '../helpers/memory-service';
import type { Session } from '../helpers/queues';

// The SIF 3.5 pull-mode scenario: a district whose xStaffs service is provided by a remote
// application (StaffDirectory) that opens no port, one consumer of it, and two applications that
// must not provide it. Written from the issue and shared/notes/async-providers.md, not from lib/remote.

export const XSTAFFS: ServiceDefinition = { objectName: 'xStaff', namespace: NA_NS, remote: { provider: 'StaffDirectory' }, supports: { where: true } };

const ALL = ['QUERY', 'CREATE', 'UPDATE', 'DELETE'] as const;

export const REMOTE_CONSUMERS: ConsumerEntry[] = [
  {
    applicationKey: 'DemoApp',
    secret: 'DemoSecret',
    environment: {
      defaultZone: { id: 'District', services: [{ name: 'xStudents', rights: [...ALL, 'SUBSCRIBE'] }, { name: 'xStaffs', rights: [...ALL, 'SUBSCRIBE'] }] },
    },
  },
  {
    applicationKey: 'StaffDirectory',
    secret: 'StaffSecret',
    environment: { defaultZone: { id: 'District', services: [{ name: 'xStaffs', rights: ['PROVIDE'] }] } },
  },
  {
    // PROVIDE granted, but the host declared another application as the provider.
    applicationKey: 'Intruder',
    secret: 'IntruderSecret',
    environment: { defaultZone: { id: 'District', services: [{ name: 'xStaffs', rights: ['PROVIDE', 'QUERY'] }] } },
  },
  ...TEST_CONSUMERS.filter((c) => c.applicationKey !== 'DemoApp'),
];

/** A test host with xStudents (in process) and xStaffs (remote), queues on. */
export function remoteHost(overrides: Partial<SifProviderOptions> = {}): TestHost {
  const students = memoryService({ objectName: 'xStudent' });
  return createTestHost({
    consumers: REMOTE_CONSUMERS,
    queues: true,
    services: { xStudents: students.definition, xStaffs: XSTAFFS },
    ...overrides,
  });
}

/** Subscribes a queue with the SIF 3.5 fields given. */
export function subscribe35(host: TestHost, who: Session, subscription: Record<string, string>) {
  return request(host.app)
    .post('/sif3/subscriptions/subscription')
    .set('Authorization', who.auth)
    .set('Accept', 'application/json')
    .type('json')
    .send({ subscription });
}

/** A provider's answer to a REQUEST message, in JSON. */
export function answer(host: TestHost, who: Session, requestId: string, headers: Record<string, string>, body?: unknown, service = 'xStaffs') {
  let req = request(host.app).post(`/sif3/requests/${service}`).set('Authorization', who.auth).set('requestId', requestId).set('Accept', 'application/json');
  for (const [k, v] of Object.entries({ messageType: 'RESPONSE', ...headers })) req = req.set(k, v);
  return body === undefined ? req : req.type('json').send(body as object);
}

export function staff(i: number): Record<string, unknown> {
  return { '@refId': `00000000-0000-4000-9000-${i.toString(16).padStart(12, '0')}`, name: { familyName: `Staff${i}`, givenName: `G${i}` } };
}
