import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SifClient, jobProperties } from 'sif3-direct/client';
import type { SqliteExampleApp } from '../../example-app/app';
import { createApp } from '../../example-app/app';
import { runRollover } from '../../example-app/jobs/rollover-work';
import { listen } from '../helpers/example';

// The example SIS's RolloverStudents job across a restart (Base Architecture §5.16: a job is a
// long-running process the provider carries on). A run is recorded before its 202; a restart that
// cut it off resumes it at start-up, whether the SIS transaction had committed (the year is found
// done and reported, the students are not moved twice) or not (the rollover runs from scratch). A run
// cut off before its phase became INPROGRESS is forgotten. The states a crash leaves are made here
// directly in the databases, as the process would have left them, so the test does not race a kill.

jest.setTimeout(60_000);

let dir: string;
let lines: string[];
let example: SqliteExampleApp;
let server: { base: string; close(): Promise<void> };
let client: SifClient;

async function boot(): Promise<void> {
  example = createApp({ dataDir: dir, seed: { students: 40 }, log: (line) => lines.push(line) });
  server = await listen(example.app);
  client = await SifClient.connect({ url: `${server.base}/sif3`, applicationKey: 'DemoApp', secret: 'DemoSecret', format: 'json', instanceId: 'rollover-resume' });
}
async function shutdown(): Promise<void> {
  await server.close();
  await example.close();
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sif3-rollover-resume-'));
  lines = [];
  await boot();
});
afterAll(async () => {
  await shutdown();
  rmSync(dir, { recursive: true, force: true });
});

/** The rollover service through the current client (each boot listens on a new port). */
const jobs = () => client.functionalService('RolloverStudents');

/** A job for `year`, approved: newYearEnrolment PENDING, ready to run. */
async function approvedJob(year: number): Promise<string> {
  const job = await jobs().create({ payload: jobProperties({ schoolYear: String(year) }) });
  await jobs().job(job.id).states('oldYearEnrolment').create('COMPLETED');
  return job.id;
}

/** What a run leaves when its instance dies: the run recorded, held by an instance that is gone. */
function orphan(jobId: string, year: number): void {
  example.sis.prepare("INSERT INTO rollover_runs (job_id, school_year, owner, heartbeat) VALUES (?, ?, 'a-dead-instance', 0)").run(jobId, year);
}

const gradeOf = (refId: string) => JSON.parse(example.sis.prepare('SELECT doc FROM students WHERE ref_id = ?').pluck().get(refId) as string).enrollment.gradeLevel;

test('runs cut off by a restart are resumed at start-up: from scratch before the commit, reported after it; one cut off before its 202 is forgotten', async () => {
  const mover = example.sis.prepare(`SELECT ref_id FROM students WHERE json_extract(doc, '$.enrollment.gradeLevel') = '02' LIMIT 1`).pluck().get() as string;
  expect(mover).toBeDefined();

  // 2027: the process died after the 202, before the SIS transaction: nothing was rolled over.
  const before = await approvedJob(2027);
  await example.provider.jobs.setPhaseState(before, 'newYearEnrolment', 'INPROGRESS', 'Rolling over into 2027');
  orphan(before, 2027);
  // 2029: it died after recording the run, before the phase became INPROGRESS (no 202 was sent).
  const early = await approvedJob(2029);
  orphan(early, 2029);
  expect(gradeOf(mover)).toBe('02');

  await shutdown();
  await boot();
  const first = await jobs().job(before).waitFor(undefined, { intervalMs: 25, timeoutMs: 20_000 });
  expect(first.state).toBe('COMPLETED');
  expect(first.phases[1]!.states.at(-1)!.description).toMatch(/^\d+ promoted, \d+ left school$/);
  expect(gradeOf(mover)).toBe('03');
  expect(lines.some((l) => l.includes(`resuming job ${before} (2027)`))).toBe(true);

  // 2028: the process died after the SIS transaction committed, before the job was told.
  const after = await approvedJob(2028);
  await example.provider.jobs.setPhaseState(after, 'newYearEnrolment', 'INPROGRESS', 'Rolling over into 2028');
  orphan(after, 2028);
  await example.connection.write((sql) => runRollover(sql, 2028, after, new Date().toISOString()));
  expect(gradeOf(mover)).toBe('04');
  await shutdown();
  await boot();
  const second = await jobs().job(after).waitFor(undefined, { intervalMs: 25, timeoutMs: 20_000 });
  expect(second.state).toBe('COMPLETED');
  expect(gradeOf(mover)).toBe('04'); // not moved twice

  // 2029's run was forgotten: its phase is still PENDING, and a POST runs it now.
  expect((await jobs().get(early))!.phases[1]!.state).toBe('PENDING');
  expect(example.sis.prepare('SELECT job_id FROM rollover_runs ORDER BY job_id').pluck().all()).toEqual([]);
  expect((await jobs().job(early).phase('newYearEnrolment').post()).status).toBe(202);
  expect((await jobs().job(early).waitFor(undefined, { intervalMs: 25, timeoutMs: 20_000 })).state).toBe('COMPLETED');
  expect(gradeOf(mover)).toBe('05');

  // A job deleted while its run waits to be resumed takes the run with it (the service's deleted hook).
  const deleted = await approvedJob(2030);
  await example.provider.jobs.setPhaseState(deleted, 'newYearEnrolment', 'INPROGRESS');
  orphan(deleted, 2030);
  expect(await jobs().delete(deleted)).toBe(true);
  expect(example.sis.prepare('SELECT job_id FROM rollover_runs').pluck().all()).toEqual([]);
});
