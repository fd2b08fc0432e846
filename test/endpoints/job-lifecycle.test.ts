import express from 'express';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import type { SifProvider } from 'sif3-direct';
import { createSifProvider } from 'sif3-direct';
import { MemoryStore } from '../../lib/store/memory';
import { SqliteStore } from '../../lib/store/sqlite';
import type { SifStore } from '../../lib/store/store';
import { basicAuth } from '../helpers/consumer-auth';
import type { JobCalls } from '../helpers/jobs';
import { JOB_CONSUMERS, gradeExports, jobXml, newCalls } from '../helpers/jobs';
import { postgresTarget } from '../store/postgres-target';

// A job's life cycle around its environment and around restarts, on every store: deleting an
// environment removes its jobs through their service's `deleted` hook (job.xsd: a job lives until
// it is deleted or times out; the host must stop its work), and job events (SIF 3.5 §3.5.2) reach the
// owner's subscription whether the change came before or after a restart of the provider.

interface Backend {
  name: string;
  durable: boolean;
  open(): Promise<{ store: () => SifStore; cleanup(): Promise<void> }>;
}

const postgres = postgresTarget('job life cycle on PostgreSQL');
afterAll(() => postgres?.end());

const BACKENDS: Backend[] = [
  {
    name: 'SQLite',
    durable: true,
    async open() {
      const dir = mkdtempSync(join(tmpdir(), 'sif3-job-life-'));
      return { store: () => new SqliteStore(join(dir, 'state.db')), cleanup: async () => rmSync(dir, { recursive: true, force: true }) };
    },
  },
  {
    name: 'memory',
    durable: false,
    async open() {
      const store = new MemoryStore();
      return { store: () => store, cleanup: async () => undefined };
    },
  },
  ...(postgres
    ? [
        {
          name: 'PostgreSQL',
          durable: true,
          async open() {
            const schema = await postgres.schema();
            const { PostgresStore } = await import('../../lib/store/postgres');
            return { store: () => PostgresStore.open(schema.url) as unknown as SifStore, cleanup: schema.drop };
          },
        },
      ]
    : []),
];

/** One provider instance on a store, with its app, its hook calls and a settable clock. */
class Instance {
  readonly calls: JobCalls = newCalls();
  readonly provider: SifProvider;
  readonly app = express();
  constructor(
    readonly store: SifStore,
    clock: () => Date,
  ) {
    this.provider = createSifProvider({
      store,
      services: { GradeExports: gradeExports(this.calls, () => this.provider) },
      consumers: JOB_CONSUMERS,
      queues: true,
      clock,
      logger: { warn: () => undefined, error: () => undefined },
    });
    this.app.use('/sif3', this.provider.router);
  }
  async close(): Promise<void> {
    await this.provider.close();
    await this.store.close();
  }
}

describe.each(BACKENDS)('job life cycle on $name', (backend) => {
  let opened: Awaited<ReturnType<Backend['open']>>;
  let now: Date;
  const instances: Instance[] = [];
  const start = async () => {
    const store = await opened.store();
    const instance = new Instance(store, () => new Date(now));
    instances.push(instance);
    return instance;
  };

  beforeEach(async () => {
    now = new Date('2026-06-01T08:00:00.000Z');
    opened = await backend.open();
  });
  afterEach(async () => {
    for (const i of instances.splice(0)) await i.close().catch(() => undefined);
    await opened.cleanup();
  });

  async function register(app: express.Express, key: string) {
    const res = await request(app).post('/sif3/environments/environment').set('Authorization', basicAuth(key, `${key}Secret`)).set('Accept', 'application/json');
    expect(res.status).toBe(201);
    return { id: res.body.environment['@id'] as string, fingerprint: res.body.environment.fingerprint as string, auth: basicAuth(res.body.environment.sessionToken, `${key}Secret`) };
  }
  async function newJob(app: express.Express, auth: string, zone = '') {
    const res = await request(app).post(`/sif3/services/GradeExports/GradeExport${zone}`).set('Authorization', auth).set('Accept', 'application/json').type('application/xml').send(jobXml());
    expect(res.status).toBe(201);
    return res.body.job['@id'] as string;
  }

  test('deleting an environment removes its jobs in every zone through the deleted hook, once each; another consumer\'s jobs stay', async () => {
    const one = await start();
    const exporter = await register(one.app, 'Exporter');
    const other = await register(one.app, 'Other');
    const mine = [await newJob(one.app, exporter.auth), await newJob(one.app, exporter.auth, ';zoneId=Elementary'), await newJob(one.app, exporter.auth)];
    const theirs = await newJob(one.app, other.auth);
    // The other consumer listens: the removal of someone else's jobs must not reach it.
    const queue = await request(one.app).post('/sif3/queues/queue').set('Authorization', other.auth).set('Accept', 'application/json').type('json').send({ queue: { polling: 'IMMEDIATE' } });
    const sub = { subscription: { serviceType: 'FUNCTIONAL', serviceName: 'GradeExports', queueId: queue.body.queue['@id'] } };
    expect((await request(one.app).post('/sif3/subscriptions').set('Authorization', other.auth).type('json').send(sub)).status).toBe(201);

    expect((await request(one.app).delete(`/sif3/environments/${exporter.id}`).set('Authorization', exporter.auth)).status).toBe(204);
    expect([...one.calls.deleted].sort()).toEqual([...mine].sort());
    for (const id of mine) expect(await one.provider.jobs.get(id)).toBeUndefined();
    expect(await one.provider.jobs.get(theirs)).toBeDefined();
    expect((await request(one.app).get(new URL(queue.body.queue.queueUri).pathname).set('Authorization', other.auth)).status).toBe(204);
    expect(await one.provider.jobs.housekeeping()).toBe(0);
    expect(one.calls.deleted).toHaveLength(3);
  });

  // A memory store does not outlive its process: nothing to restart on, so the test is only defined
  // for the durable stores (not skipped: CI treats a skip as a failure to run).
  if (backend.durable) test('job events reach the owner\'s subscription across a restart: a change before it, changes and a timeout removal after it', async () => {
    const first = await start();
    const exporter = await register(first.app, 'Exporter');
    const queue = await request(first.app).post('/sif3/queues/queue').set('Authorization', exporter.auth).set('Accept', 'application/json').type('json').send({ queue: { polling: 'IMMEDIATE' } });
    const sub = { subscription: { serviceType: 'FUNCTIONAL', serviceName: 'GradeExports', queueId: queue.body.queue['@id'] } };
    expect((await request(first.app).post('/sif3/subscriptions').set('Authorization', exporter.auth).type('json').send(sub)).status).toBe(201);
    const id = await newJob(first.app, exporter.auth);
    await first.provider.jobs.setPhaseState(id, 'select', 'INPROGRESS', 'before the restart');
    await first.close();
    instances.splice(0);

    const second = await start();
    await second.provider.jobs.setPhaseState(id, 'select', 'COMPLETED', 'after the restart');
    now = new Date('2026-06-02T08:00:00.000Z'); // P1D later: past the job's timeout
    expect(await second.provider.jobs.housekeeping()).toBe(1);
    expect(second.calls.deleted).toEqual([id]);

    const events: { action: string; fingerprint: string; description: string | undefined }[] = [];
    let previous: string | undefined;
    for (let i = 0; i < 10; i++) {
      const path = new URL(queue.body.queue.queueUri).pathname + (previous ? `;deleteMessageId=${previous}` : '');
      const res = await request(second.app).get(path).set('Authorization', exporter.auth).set('Accept', 'application/json');
      if (res.status === 204) break;
      expect(res.status).toBe(200);
      const job = res.body.jobs.job[0];
      const select = job.phases?.phase.find((p: any) => p.name === 'select');
      events.push({ action: String(res.headers.eventaction), fingerprint: String(res.headers.fingerprint), description: select?.states.state.at(-1).description });
      previous = res.headers.messageid;
    }
    expect(events).toEqual([
      { action: 'UPDATE', fingerprint: exporter.fingerprint, description: 'before the restart' },
      { action: 'UPDATE', fingerprint: exporter.fingerprint, description: 'after the restart' },
      { action: 'DELETE', fingerprint: exporter.fingerprint, description: undefined },
    ]);
  });
});
