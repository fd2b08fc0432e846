import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { SifObject } from 'sif3-direct/client';
import { SifClient } from 'sif3-direct/client';
import type { ServerProcess } from '../helpers/server-process';
import { startServer } from '../helpers/server-process';
import { DEMO, collect, newStudent } from './provider';

// The sif3 command line driven as a process against the example SIS running as a process.
const root = join(__dirname, '..', '..');
const run = promisify(execFile);

let server: ServerProcess;
let dir: string;
let env: Record<string, string>;

/** Runs `sif3 …`; resolves with its exit status and output (never rejects on a non-zero exit). */
async function sif3(args: string[], extraEnv: Record<string, string> = {}): Promise<{ status: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, ['--import', 'tsx', join(root, 'lib', 'client', 'cli.ts'), ...args], {
      cwd: root,
      env: { ...env, ...extraEnv },
      maxBuffer: 64 * 1024 * 1024,
    });
    return { status: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { status: e.code ?? -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

function readCopy(path: string): Map<string, SifObject> {
  const lines = readFileSync(path, 'utf8').split('\n').filter((l) => l !== '');
  return new Map(lines.map((l) => JSON.parse(l) as SifObject).map((o) => [o['@refId'] as string, o]));
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sif3-cli-'));
  server = await startServer(join(dir, 'data'), 2000);
  const { PATH, HOME } = process.env;
  env = { PATH: PATH ?? '', HOME: HOME ?? '', SIF_URL: `${server.base}/sif3`, SIF_APPLICATION_KEY: DEMO.applicationKey, SIF_SECRET: DEMO.secret, SIF_AUTH: 'SIF_HMACSHA256', SIF_FORMAT: 'json' };
}, 60_000);

afterAll(async () => {
  server.child.kill('SIGTERM');
  await server.exited;
  rmSync(dir, { recursive: true, force: true });
});

test('sync 2,000 students to a file, change some, sync again: only the changes are fetched and the file matches', async () => {
  const out = join(dir, 'students.jsonl');
  const first = await sif3(['sync', 'xStudents', '--out', out, '--page-size', '250']);
  expect(first.stderr).toMatch(/full walk .*2000\/2000 objects/);
  expect(first.status).toBe(0);
  const summary = JSON.parse(first.stdout) as Record<string, unknown>;
  expect(summary).toMatchObject({ full: true, resynchronised: false, objects: 2000, total: 2000 });
  expect(readCopy(out).size).toBe(2000);

  const client = await SifClient.connect({ url: `${server.base}/sif3`, ...DEMO, format: 'json', instanceId: 'cli-test' });
  const students = client.service('xStudents');
  const ids = [...readCopy(out).keys()];
  const created = await students.createMany([newStudent('CliNew', 'One'), newStudent('CliNew', 'Two')]);
  expect(created.every((r) => r.ok)).toBe(true);
  for (const id of ids.slice(0, 3)) await students.update(id, { localId: `cli-${id.slice(0, 8)}` });
  expect(await students.deleteMany(ids.slice(3, 5))).toEqual([expect.objectContaining({ ok: true }), expect.objectContaining({ ok: true })]);

  const second = await sif3(['sync', 'xStudents', '--out', out, '--page-size', '250']);
  expect(second.status).toBe(0);
  expect(JSON.parse(second.stdout)).toMatchObject({ full: false, resynchronised: false, objects: 7, deleted: 2, total: 2000 });
  const truth = new Map((await collect(students.query({ pageSize: 1000 }))).map((o) => [o['@refId'] as string, o]));
  expect(readCopy(out)).toEqual(truth);

  const third = await sif3(['sync', 'xStudents', '--out', out]);
  expect(JSON.parse(third.stdout)).toMatchObject({ full: false, objects: 0, total: 2000 });
  await client.close();
}, 120_000);

test('get, query and head print JSON; register prints the environment', async () => {
  const query = await sif3(['query', 'xStudents', '--where', '[localId="100500"]', '--repeatable', 'otherIds/otherId']);
  expect(query.status).toBe(0);
  const [student] = query.stdout.trim().split('\n').map((l) => JSON.parse(l) as SifObject);
  expect(student!.localId).toBe('100500');
  const get = await sif3(['get', 'xStudents', student!['@refId'] as string, '--repeatable', 'otherIds/otherId'], { SIF_FORMAT: 'xml', SIF_AUTH: 'Basic', SIF_INSTANCE_ID: 'cli-basic-xml' });
  expect(JSON.parse(get.stdout)).toEqual(student);
  const missing = await sif3(['get', 'xStudents', 'no-such-id']);
  expect(missing.status).toBe(1);
  const head = await sif3(['head', 'xStudents']);
  expect(JSON.parse(head.stdout)).toMatchObject({ navigationCount: expect.any(Number), changesSinceMarker: expect.any(String) });
  const register = await sif3(['register']);
  expect(JSON.parse(register.stdout)).toMatchObject({ id: expect.any(String), defaultZone: 'District' });
}, 60_000);

test('--help on every command; errors are one line on stderr with a non-zero exit', async () => {
  for (const command of ['register', 'get', 'query', 'head', 'sync', 'tail']) {
    const help = await sif3([command, '--help']);
    expect(help.status).toBe(0);
    expect(help.stdout).toContain(`Usage: sif3 ${command}`);
  }
  expect((await sif3(['--help'])).status).toBe(0);
  const unknown = await sif3(['query', 'xNothings']);
  expect(unknown.status).toBe(1);
  expect(unknown.stderr.trim().split('\n')).toHaveLength(1);
  expect(unknown.stderr).toMatch(/^sif3: .*404/);
  const noUrl = await sif3(['query', 'xStudents'], { SIF_URL: '' });
  expect(noUrl.status).toBe(2);
  expect(noUrl.stderr).toMatch(/^sif3: no provider URL/);
  // The default identity's environment was registered with SIF_HMACSHA256: Basic is refused up front.
  const otherMethod = await sif3(['head', 'xStudents'], { SIF_AUTH: 'Basic' });
  expect(otherMethod.status).toBe(1);
  expect(otherMethod.stderr).toMatch(/^sif3: Register environment: this identity's environment uses SIF_HMACSHA256, not Basic/);
  const badSecret = await sif3(['head', 'xStudents'], { SIF_SECRET: 'wrong' });
  expect(badSecret.status).toBe(1);
  expect(badSecret.stderr).toMatch(/^sif3: .*401/);
  const noOut = await sif3(['sync', 'xStudents']);
  expect(noOut.status).toBe(2);
}, 60_000);

test('tail follows a subscribed queue and prints each event', async () => {
  const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'lib', 'client', 'cli.ts'), 'tail', '--subscribe', 'xStudents', '--max', '1', '--idle-timeout', '5', '--instance-id', 'tail-test'], {
    cwd: root,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  const following = new Promise<void>((resolve) => {
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      if (stderr.includes('following queue')) resolve();
    });
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  await following;
  const client = await SifClient.connect({ url: `${server.base}/sif3`, ...DEMO, instanceId: 'tail-writer' });
  const created = await client.service('xStudents').create(newStudent('Tailed'));
  expect(await exited).toBe(0);
  const message = JSON.parse(stdout.trim()) as { messageType: string; eventAction: string; objects: SifObject[] };
  expect(message).toMatchObject({ messageType: 'EVENT', eventAction: 'CREATE' });
  expect(message.objects.map((o) => o['@refId'])).toEqual([created['@refId']]);
  await client.close();
}, 60_000);
