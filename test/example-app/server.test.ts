import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { basicAuth } from '../helpers/consumer-auth';
import { startServer } from '../helpers/server-process';

// The example app as a user starts it: a real process, PORT and DATA_DIR from the environment.

test('npm start’s server listens on PORT (on 127.0.0.1), keeps its files under DATA_DIR, and stops on SIGTERM', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'sif3-server-'));
  const server = await startServer(dataDir, 50);
  try {
    expect(server.address).toBe('127.0.0.1');
    const landing = await fetch(`${server.base}/`);
    expect(((await landing.json()) as { data: { students: number } }).data.students).toBe(50);
    const env = await fetch(`${server.base}/sif3/environments/environment`, { method: 'POST', headers: { Authorization: basicAuth('DemoApp', 'DemoSecret') } });
    expect(env.status).toBe(201);
    expect(readdirSync(dataDir)).toEqual(expect.arrayContaining(['sif-state.db', 'sis.db']));
    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);
  } finally {
    server.child.kill('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  }
}, 45_000);

test('HOST chooses the interface it listens on (127.0.0.1 unless set)', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'sif3-server-'));
  const server = await startServer(dataDir, 20, { HOST: '0.0.0.0' });
  try {
    expect(server.address).toBe('0.0.0.0');
    expect((await fetch(`${server.base}/`)).status).toBe(200);
  } finally {
    server.child.kill('SIGKILL');
    await server.exited;
    rmSync(dataDir, { recursive: true, force: true });
  }
}, 45_000);
