import request from 'supertest';
import { createSifProvider } from 'sif3-direct';
import express from 'express';
import type { TestHost } from '../helpers/host';
import { createTestHost } from '../helpers/host';
import type { JobCalls } from '../helpers/jobs';
import { JOB_CONSUMERS, gradeExports, jobRequest, newCalls, newJobId } from '../helpers/jobs';
import type { Session } from '../helpers/queues';
import { createQueue, drain, session } from '../helpers/queues';

// Job events, timeouts and durability: SIF 3.5 §3.5.2 ("Events may be published back to the
// objects creator, [but] must not be published to the Consumer when the event was generated based
// on its request"), Base Architecture §4.3.2 (`fingerprint` on events meant for the job's owner),
// job.xsd `timeout` ("the amount of time after creation before this job is automatically deleted").

let host: TestHost;
let calls: JobCalls;
let now: Date;
let exporter: Session;
let other: Session;

beforeEach(async () => {
  calls = newCalls();
  now = new Date('2026-06-01T08:00:00.000Z');
  host = createTestHost({
    services: { GradeExports: gradeExports(calls, () => host.provider) },
    consumers: JOB_CONSUMERS,
    queues: true,
    clock: () => new Date(now),
  });
  exporter = await session(host, 'Exporter', 'ExporterSecret');
  other = await session(host, 'Other', 'OtherSecret');
});
afterEach(() => host.close());

async function subscribedQueue(who: Session): Promise<string> {
  const queue = await createQueue(host, who);
  const res = await request(host.app)
    .post('/sif3/subscriptions')
    .set('Authorization', who.auth)
    .set('Accept', 'application/json')
    .type('json')
    .send({ subscription: { serviceType: 'FUNCTIONAL', serviceName: 'GradeExports', queueId: queue.id } });
  expect(res.status).toBe(201);
  return queue.messages;
}

describe('job events (SIF 3.5 §3.5.2)', () => {
  test('a subscription to a FUNCTIONAL service needs serviceType FUNCTIONAL', async () => {
    const queue = await createQueue(host, exporter);
    const res = await request(host.app)
      .post('/sif3/subscriptions')
      .set('Authorization', exporter.auth)
      .type('json')
      .send({ subscription: { serviceType: 'OBJECT', serviceName: 'GradeExports', queueId: queue.id } });
    expect(res.status).toBe(400);
  });

  test('the host\'s changes reach the owner as UPDATE events with the whole job; its own requests and other consumers\' jobs do not', async () => {
    const mine = await subscribedQueue(exporter);
    const theirs = await subscribedQueue(other);
    const id = await newJobId(host, exporter);
    // The consumer's own state: answered in its response, never echoed.
    expect((await jobRequest(host, exporter, 'post', `/${id}/select/states/state`).type('json').send({ state: { type: 'INPROGRESS' } })).status).toBe(201);
    expect(await drain(host, exporter, mine)).toEqual([]);
    await host.provider.jobs.setPhaseState(id, 'select', 'COMPLETED');
    await host.provider.jobs.setJobState(id, 'FAILED', 'The grading period is closed');
    const events = await drain(host, exporter, mine);
    expect(events).toHaveLength(2);
    expect(events[0]!.headers).toMatchObject({
      messagetype: 'EVENT',
      eventaction: 'UPDATE',
      replacement: 'FULL',
      servicetype: 'FUNCTIONAL',
      servicename: 'GradeExports',
      zoneid: 'District',
      contextid: 'DEFAULT',
      fingerprint: exporter.body.fingerprint,
    });
    expect(events[0]!.body.jobs.job[0]).toMatchObject({ '@id': id, state: 'INPROGRESS' });
    expect(events[1]!.body.jobs.job[0]).toMatchObject({ '@id': id, state: 'FAILED', stateDescription: 'The grading period is closed' });
    expect(await drain(host, other, theirs)).toEqual([]);
  });

  test('a job deleted by the host is a DELETE event with the job\'s id and name; one deleted by its owner is not echoed', async () => {
    const mine = await subscribedQueue(exporter);
    const a = await newJobId(host, exporter);
    const b = await newJobId(host, exporter);
    expect(await host.provider.jobs.delete(a)).toBe(true);
    expect((await jobRequest(host, exporter, 'delete', `/${b}`)).status).toBe(204);
    const events = await drain(host, exporter, mine);
    expect(events.map((e) => e.headers.eventaction)).toEqual(['DELETE']);
    expect(events[0]!.body).toEqual({ jobs: { job: [{ '@id': a, name: 'gradeExport' }] } });
  });
});

describe('timeout and housekeeping (job.xsd timeout)', () => {
  test('a job past its timeout is removed by housekeeping, its deleted hook told and its owner sent a DELETE event', async () => {
    const mine = await subscribedQueue(exporter);
    const old = await newJobId(host, exporter);
    now = new Date('2026-06-01T20:00:00.000Z');
    const young = await newJobId(host, exporter);
    now = new Date('2026-06-02T08:00:00.000Z'); // exactly P1D after the first
    expect(await host.provider.jobs.housekeeping()).toBe(1);
    expect((await jobRequest(host, exporter, 'get', `/${old}`)).status).toBe(404);
    expect((await jobRequest(host, exporter, 'get', `/${young}`)).status).toBe(200);
    expect(calls.deleted).toEqual([old]);
    const events = await drain(host, exporter, mine);
    expect(events.map((e) => [e.headers.eventaction, e.body.jobs.job[0]['@id']])).toEqual([['DELETE', old]]);
    expect(await host.provider.jobs.housekeeping()).toBe(0);
  });
});

describe('durability', () => {
  test('jobs, their phases and states survive a restart on the same state file; deleting the environment deletes its jobs', async () => {
    const id = await newJobId(host, exporter);
    await host.provider.jobs.setPhaseState(id, 'export', 'INPROGRESS', 'started');
    await host.provider.close();
    const again = createSifProvider({
      database: host.dbFile,
      services: { GradeExports: gradeExports(newCalls(), () => again) },
      consumers: JOB_CONSUMERS,
      queues: true,
      logger: { warn: () => undefined, error: () => undefined },
    });
    try {
      const app = express().use('/sif3', again.router);
      const res = await request(app).get(`/sif3/services/GradeExports/${id}`).set('Authorization', exporter.auth).set('Accept', 'application/json');
      expect(res.status).toBe(200);
      expect(res.body.job.phases.phase[1].states.state[1]).toMatchObject({ type: 'INPROGRESS', description: 'started' });
      expect((await again.jobs.get(id))?.state).toBe('INPROGRESS');
      expect((await request(app).delete(`/sif3/environments/${exporter.id}`).set('Authorization', exporter.auth)).status).toBe(204);
      expect(await again.jobs.get(id)).toBeUndefined();
    } finally {
      await again.close();
    }
  });
});

describe('host API', () => {
  test('a phase the job does not have, or a state outside phaseStateType, is a TypeError; a job that is gone is undefined', async () => {
    const id = await newJobId(host, exporter);
    await expect(host.provider.jobs.setPhaseState(id, 'nope', 'COMPLETED')).rejects.toThrow(TypeError);
    await expect(host.provider.jobs.setPhaseState(id, 'select', 'DONE' as never)).rejects.toThrow(TypeError);
    expect(await host.provider.jobs.setPhaseState('5e6f7a8b-9c0d-4e1f-a2b3-c4d5e6f7a8b9', 'select', 'COMPLETED')).toBeUndefined();
  });

  test('concurrent changes to one job are all kept (optimistic retries)', async () => {
    const id = await newJobId(host, exporter);
    await Promise.all(Array.from({ length: 8 }, (_, i) => host.provider.jobs.setPhaseState(id, i % 2 ? 'select' : 'export', 'PENDING', `change ${i}`)));
    const job = await host.provider.jobs.get(id);
    expect(job!.phases.flatMap((p) => p.states).filter((s) => s.type === 'PENDING')).toHaveLength(8);
  });
});
