import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { join } from 'node:path';

const root = join(__dirname, '..', '..');

/**
 * The example SIS as a child process, as `npm start` runs it, but with tsx as a loader inside the
 * one node process (not the tsx CLI, which runs the server in a second process): so that a SIGKILL
 * kills the server itself.
 */
export interface ServerProcess {
  child: ChildProcess;
  base: string;
  /** Resolves with the exit code (or signal) once the process is gone. */
  exited: Promise<number | string | null>;
}

/** Starts the example server on a free port with the given data folder; resolves once it listens. */
export function startServer(dataDir: string, students = 100): Promise<ServerProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'example-app', 'server.ts'), '--students', String(students)], {
    cwd: root,
    env: { ...process.env, PORT: '0', DATA_DIR: dataDir },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<number | string | null>((resolve) => child.on('exit', (code, signal) => resolve(code ?? signal)));
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`server did not start within 30 s: ${out}`)), 30_000);
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const m = /localhost:(\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ child, base: `http://127.0.0.1:${m[1]}`, exited });
      }
    });
    child.stderr!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`server exited (${code}) before listening: ${out}`));
    });
  });
}
