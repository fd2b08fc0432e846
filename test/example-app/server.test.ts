import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// The example app as a user starts it: a real process, PORT and DATA_DIR from the environment.

const root = join(__dirname, '..', '..');

test('npm start’s server listens on PORT, keeps its files under DATA_DIR, and stops on SIGTERM', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'sif3-server-'));
  const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'example-app', 'server.ts'), '--students', '50'], {
    cwd: root,
    env: { ...process.env, PORT: '0', DATA_DIR: dataDir },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  try {
    const port = await new Promise<number>((resolve, reject) => {
      let out = '';
      const timer = setTimeout(() => reject(new Error(`no start within 30 s: ${out}`)), 30_000);
      child.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        const m = /localhost:(\d+)/.exec(out);
        if (m) {
          clearTimeout(timer);
          resolve(Number(m[1]));
        }
      });
      child.on('exit', (code) => reject(new Error(`exited with ${code}: ${out}`)));
    });
    const landing = await fetch(`http://127.0.0.1:${port}/`);
    expect(((await landing.json()) as { data: { students: number } }).data.students).toBe(50);
    const env = await fetch(`http://127.0.0.1:${port}/sif3/environments/environment`, {
      method: 'POST',
      headers: { Authorization: `Basic ${Buffer.from('DemoApp:DemoSecret').toString('base64')}` },
    });
    expect(env.status).toBe(201);
    expect(readdirSync(dataDir).sort()).toEqual(expect.arrayContaining(['sif-state.db', 'sis.db']));
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  } finally {
    child.kill('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  }
}, 45_000);
