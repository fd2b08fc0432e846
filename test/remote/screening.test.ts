import request from 'supertest';
import { ServiceUnavailableError } from 'sif3-direct';
import type { TestHost } from '../helpers/host';
import { memoryService } from '../helpers/memory-service';
import type { Session } from '../helpers/queues';
import { createQueue, drain, session } from '../helpers/queues';
import { XSTAFFS, remoteHost, staff, subscribe35 } from './helpers';

// What a remote service (SIF 3.5 pull mode) cannot answer is refused before any 202, over real
// HTTP against a real SQLite file: DELAYED request/response is for batch operations only (A4L wiki
// "IMMEDIATE/DELAYED Request/Response", Assumptions & Constraints; notes/async-providers.md B1), and
// an IMMEDIATE request is the consumer's mistake (Base Architecture §4.2.1.2: 503, send it DELAYED),
// not a fault to log.

const STAFF_ID = String(staff(1)['@refId']);

function send(host: TestHost, who: Session, method: 'get' | 'post' | 'put' | 'delete', path: string, delayed?: { queueId: string; requestId: string }) {
  let req = request(host.app)[method](`/sif3/requests/${path}`).set('Authorization', who.auth).set('Accept', 'application/json');
  if (delayed) req = req.set('requestType', 'DELAYED').set('queueId', delayed.queueId).set('requestId', delayed.requestId);
  return req;
}

describe('SIF 3.5 remote services: refused up front, never after the 202', () => {
  let host: TestHost;
  let consumer: Session;
  const warnings: string[] = [];
  const errors: string[] = [];
  beforeEach(async () => {
    warnings.length = 0;
    errors.length = 0;
    // xStudents is in process, and its query fails with a real 503 (the host's database is down).
    const students = memoryService({ objectName: 'xStudent' });
    const down: typeof students.definition = {
      ...students.definition,
      handlers: { ...students.definition.handlers, query: async () => { throw new ServiceUnavailableError('The student database is down'); } },
    };
    host = remoteHost({
      services: { xStudents: down, xStaffs: XSTAFFS },
      logger: { warn: (m: string) => void warnings.push(m), error: (m: string) => void errors.push(m) },
    });
    consumer = await session(host, 'DemoApp', 'DemoSecret');
    // A provider is connected: what is refused is refused for what it is, not for a missing provider.
    const p = await session(host, 'StaffDirectory', 'StaffSecret');
    const pq = await createQueue(host, p);
    expect((await subscribe35(host, p, { serviceType: 'OBJECT', serviceName: 'xStaffs', messageType: 'REQUEST', queueId: pq.id })).status).toBe(201);
  });
  afterEach(async () => host.close());

  test('wiki IMMEDIATE/DELAYED (batch operations only): a DELAYED single-object create, update or delete is a 400 before any 202; a read by id is 405', async () => {
    const q = await createQueue(host, consumer);
    const one = { xStaff: staff(1) };
    const attempts = [
      send(host, consumer, 'post', 'xStaffs/xStaff', { queueId: q.id, requestId: 'one-create' }).type('json').send(one),
      send(host, consumer, 'put', `xStaffs/${STAFF_ID}`, { queueId: q.id, requestId: 'one-update' }).type('json').send(one),
      send(host, consumer, 'delete', `xStaffs/${STAFF_ID}`, { queueId: q.id, requestId: 'one-delete' }),
      send(host, consumer, 'put', `xStaffs/${STAFF_ID}`, { queueId: q.id, requestId: 'one-delete-override' }).set('methodOverride', 'DELETE'),
    ];
    for (const res of await Promise.all(attempts)) {
      expect([res.status, res.headers.messagetype, res.body.error.code]).toEqual([400, 'ERROR', '400']);
      expect(res.body.error.message).toContain('batch requests only');
      expect(res.body.error.description).toContain('multi-object request');
    }
    const read = await send(host, consumer, 'get', `xStaffs/${STAFF_ID}`, { queueId: q.id, requestId: 'one-read' });
    expect([read.status, read.body.error.code]).toEqual([405, '405']);
    // Nothing was accepted: no request waits, and no ERROR follows in the queue.
    await host.provider.idle();
    expect(await host.provider.store.pendingDelayedRequests()).toEqual([]);
    expect(await drain(host, consumer, q.messages)).toEqual([]);
  });

  test('an IMMEDIATE single-object request is the same 400 (never a 503 that sends the consumer to DELAYED and a second refusal)', async () => {
    const res = await send(host, consumer, 'post', 'xStaffs/xStaff').type('json').send({ xStaff: staff(1) });
    expect([res.status, res.body.error.message]).toEqual([400, expect.stringContaining('batch requests only')]);
  });

  test('a DELAYED changes-since query of a remote service is a 400 before any 202 (the host keeps no change log of it)', async () => {
    const q = await createQueue(host, consumer);
    const res = await send(host, consumer, 'get', 'xStaffs?changesSinceMarker=abc', { queueId: q.id, requestId: 'changes' });
    expect([res.status, res.body.error.message]).toEqual([400, expect.stringContaining('no change log')]);
    await host.provider.idle();
    expect(await drain(host, consumer, q.messages)).toEqual([]);
  });

  test('Base Architecture §4.2.1.2: an IMMEDIATE query or multi-object request is a 503 to send it DELAYED, not logged; a real 503 still is', async () => {
    const query = await send(host, consumer, 'get', 'xStaffs');
    expect([query.status, query.body.error.code, query.body.error.message]).toEqual([503, '503', expect.stringContaining('requestType DELAYED')]);
    const create = await send(host, consumer, 'post', 'xStaffs').type('json').send({ xStaffs: { xStaff: [staff(1)] } });
    expect([create.status, create.body.error.message]).toEqual([503, expect.stringContaining('requestType DELAYED')]);
    expect(warnings).toEqual([]);
    expect(errors).toEqual([]);

    const down = await send(host, consumer, 'get', 'xStudents');
    expect([down.status, down.body.error.message]).toEqual([503, 'The student database is down']);
    expect(warnings).toEqual([expect.stringContaining('The student database is down')]);
  });
});

describe('Infrastructure Services §9.3: a poll sooner than minWaitTime is the consumer’s mistake', () => {
  test('its 503 ("poll no sooner…") is not logged, as a DelayedOnlyError is not; a real 503 still is', async () => {
    const warnings: string[] = [];
    const errors: string[] = [];
    const students = memoryService({ objectName: 'xStudent' });
    const down: typeof students.definition = {
      ...students.definition,
      handlers: { ...students.definition.handlers, query: async () => { throw new ServiceUnavailableError('The student database is down'); } },
    };
    const host = remoteHost({
      queues: { minWaitTimeSeconds: 30 },
      services: { xStudents: down, xStaffs: XSTAFFS },
      logger: { warn: (m: string) => void warnings.push(m), error: (m: string) => void errors.push(m) },
    });
    try {
      const consumer = await session(host, 'DemoApp', 'DemoSecret');
      const q = await createQueue(host, consumer);
      expect((await request(host.app).get(q.messages).set('Authorization', consumer.auth)).status).toBe(204);
      for (let i = 0; i < 3; i++) {
        const busy = await request(host.app).get(q.messages).set('Authorization', consumer.auth).set('Accept', 'application/json');
        expect([busy.status, busy.body.error.message]).toEqual([503, expect.stringContaining('poll no sooner')]);
      }
      expect([warnings, errors]).toEqual([[], []]);
      expect((await send(host, consumer, 'get', 'xStudents')).status).toBe(503);
      expect(warnings).toEqual([expect.stringContaining('The student database is down')]);
    } finally {
      await host.close();
    }
  });
});
