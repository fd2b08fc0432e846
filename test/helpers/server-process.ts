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
  /** Where to reach it: the address it listens on, or loopback when it listens on every interface. */
  base: string;
  /** The address the server says it listens on (`127.0.0.1`, `0.0.0.0`, `[::1]`…), from `server.address()`. */
  address: string;
  /** Resolves with the exit code (or signal) once the process is gone. */
  exited: Promise<number | string | null>;
}

/**
 * Starts the example server on a free port with the given data folder; resolves once it listens.
 * `env` adds to (or overrides) the environment; a `HOST` inherited from the test runner's own
 * environment is dropped, so that the server's default is what is tested unless a test sets one.
 *
 * @example
 * const server = await startServer(dataDir, 50, { HOST: '0.0.0.0' });
 */
export function startServer(dataDir: string, students = 100, env: Record<string, string> = {}): Promise<ServerProcess> {
  const { HOST: _inherited, ...inherited } = process.env;
  const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'example-app', 'server.ts'), '--students', String(students)], {
    cwd: root,
    env: { ...inherited, PORT: '0', DATA_DIR: dataDir, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<number | string | null>((resolve) => child.on('exit', (code, signal) => resolve(code ?? signal)));
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`server did not start within 30 s: ${out}`)), 30_000);
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const m = /listening on http:\/\/(\[[^\]]+\]|[^\s:/]+):(\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        const address = m[1]!;
        const wildcard = address === '0.0.0.0' || address === '[::]';
        resolve({ child, base: `http://${wildcard ? '127.0.0.1' : address}:${m[2]}`, address, exited });
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
