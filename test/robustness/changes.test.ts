import express from 'express';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import type { SifProvider } from 'sif3-direct';
import { createSifProvider } from 'sif3-direct';
import { SqliteStore } from '../../lib/store/sqlite';
import type { ChangeEntry, ChangeLogState, ChangeRetention } from '../../lib/store/store';
import { basicAuth } from '../helpers/consumer-auth';
import { TEST_CONSUMERS } from '../helpers/host';
import { memoryService, student } from '../helpers/memory-service';

// Issue #10 item 4: a change the host committed always reaches the change log, or consumers of
// changes since are told the log cannot be trusted (409, resynchronise); never a 500 for it.

/** A real SQLite store whose change-log writes can be made to fail, as when the disk is full. */
class FailingStore extends SqliteStore {
  failAppends = false;
  failRestarts = false;
  appendCalls = 0;

  override async appendChanges(changes: ChangeEntry[], at: string, retention: ChangeRetention): Promise<void> {
    this.appendCalls++;
    if (this.failAppends) throw new Error('SQLITE_FULL: database or disk is full');
    return super.appendChanges(changes, at, retention);
  }

  override async restartChangeLog(): Promise<ChangeLogState> {
    if (this.failRestarts) throw new Error('SQLITE_FULL: database or disk is full');
    return super.restartChangeLog();
  }
}

let dir: string;
let store: FailingStore;
let provider: SifProvider;
let app: express.Express;
let students: ReturnType<typeof memoryService>;
let auth: string;
const events: string[] = [];
const errors: string[] = [];

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sif3-changes-'));
  store = new FailingStore(join(dir, 'state.db'));
  students = memoryService({ objectName: 'xStudent' });
  provider = createSifProvider({
    store,
    services: { xStudents: students.definition },
    consumers: TEST_CONSUMERS,
    logger: { warn: () => undefined, error: (message: string) => void errors.push(message) },
  });
  provider.events.on('changes.unlogged', (e) => events.push(`unlogged ${e.action} ${e.ids.length} logged=${e.logged}`));
  provider.events.on('changes.restarted', () => events.push('restarted'));
  app = express();
  app.use('/sif3', provider.router);
  const env = await request(app).post('/sif3/environments/environment').set('Authorization', basicAuth('DemoApp', 'DemoSecret')).set('Accept', 'application/json');
  auth = basicAuth(env.body.environment.sessionToken, 'DemoSecret');
  events.length = 0;
  errors.length = 0;
});
afterEach(async () => {
  await provider.close();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

async function marker(): Promise<string> {
  const head = await request(app).head('/sif3/requests/xStudents').set('Authorization', auth);
  expect(head.status).toBeLessThan(300); // 204 when there are no students yet
  expect(head.headers.changessincemarker).toBeDefined();
  return String(head.headers.changessincemarker);
}

function changesSince(m: string) {
  return request(app).get('/sif3/requests/xStudents').query({ changesSinceMarker: m }).set('Authorization', auth).set('Accept', 'application/json');
}

function create(i: number) {
  return request(app)
    .post('/sif3/requests/xStudents/xStudent')
    .set('Authorization', auth)
    .set('Content-Type', 'application/json')
    .send({ xStudent: student(i) });
}

test('a committed create whose change cannot be logged is answered 201; earlier markers then get 409 (resynchronise)', async () => {
  const before = await marker();
  store.failAppends = true;
  const res = await create(1);
  expect(res.status).toBe(201);
  expect(students.objects.has(String(student(1)['@refId']))).toBe(true);
  expect(store.appendCalls).toBeGreaterThan(1); // retried before giving up
  await new Promise((resolve) => setImmediate(resolve));
  expect(events).toEqual(['unlogged CREATE 1 logged=false', 'restarted']);
  expect(errors.join('\n')).toMatch(/could not be logged/);

  const stale = await changesSince(before);
  expect(stale.status).toBe(409);
  expect(stale.text).toMatch(/resynchronise/);

  // The log works again under its new epoch: a fresh marker sees the next change.
  store.failAppends = false;
  const fresh = await marker();
  expect((await create(2)).status).toBe(201);
  const next = await changesSince(fresh);
  expect(next.status).toBe(200);
  expect(next.body.xStudents.xStudent.map((s: { '@refId': string }) => s['@refId'])).toEqual([student(2)['@refId']]);
});

test('while the restart itself cannot be stored, changes since is refused with 409; the provider keeps trying', async () => {
  const before = await marker();
  store.failAppends = true;
  store.failRestarts = true;
  expect((await create(1)).status).toBe(201);
  // The marker's epoch is still the stored one, but the log has a hole: it must not be trusted.
  const refused = await changesSince(before);
  expect(refused.status).toBe(409);
  expect(refused.text).toMatch(/incomplete/);

  store.failAppends = false;
  store.failRestarts = false;
  for (let i = 0; i < 30 && !events.includes('restarted'); i++) await new Promise((resolve) => setTimeout(resolve, 100));
  expect(events).toContain('restarted');
  expect((await changesSince(before)).status).toBe(409); // the old epoch is gone for good
  expect((await changesSince(await marker())).status).toBe(204);
});

test('changes reported by the host resolve (no throw) when the log cannot be written', async () => {
  store.failAppends = true;
  students.objects.set('h1', student(5, { '@refId': 'h1' }));
  await expect(provider.changed('xStudents', 'UPDATE', [{ '@refId': 'h1' }])).resolves.toBeUndefined();
  expect(events[0]).toBe('unlogged UPDATE 1 logged=false');
});

test('a multi-object create with a failing log is answered with every per-object status, not a 500', async () => {
  store.failAppends = true;
  const res = await request(app)
    .post('/sif3/requests/xStudents')
    .set('Authorization', auth)
    .set('Content-Type', 'application/json')
    .set('Accept', 'application/json')
    .send({ xStudents: { xStudent: [student(7), student(8)] } });
  expect(res.status).toBe(200);
  expect(JSON.stringify(res.body.createResponse.creates.create)).not.toMatch(/"5\d\d"/);
  expect(res.body.createResponse.creates.create).toHaveLength(2);
  expect(students.objects.size).toBe(2);
});
