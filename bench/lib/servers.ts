import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { sign } from './sign';

/** A benchmark server in its own process, listening on 127.0.0.1. */
export interface ServerProcess {
  name: string;
  child: ChildProcess;
  pid: number;
  base: string;
}

/** Every server process started and not yet stopped: killed if the driver fails. */
export const running = new Set<ChildProcess>();

/**
 * Starts `node --import tsx <args>` in `cwd` and waits (60 s at most, or `timeoutMs`) for the
 * "listening <port>" line that bench/server.ts prints.
 */
export async function spawnServer(name: string, args: string[], cwd: string, timeoutMs = 60_000): Promise<ServerProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', ...args], { cwd, stdio: ['ignore', 'pipe', 'inherit'] });
  running.add(child);
  child.once('exit', () => running.delete(child));
  const base = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${name} did not start within ${timeoutMs / 1000} s`));
    }, timeoutMs);
    child.stdout!.on('data', (chunk: Buffer) => {
      const m = /listening (\d+)/.exec(chunk.toString());
      if (m) {
        clearTimeout(timer);
        resolve(`http://127.0.0.1:${m[1]}`);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited with ${code}`));
    });
  });
  return { name, child, pid: child.pid!, base };
}

/** Kills a server process (SIGKILL) and waits for it to exit. */
export async function stopServer(server: ServerProcess): Promise<void> {
  if (server.child.exitCode !== null || server.child.signalCode !== null) return;
  server.child.removeAllListeners('exit');
  const exited = new Promise((resolve) => server.child.once('exit', resolve));
  server.child.kill('SIGKILL');
  await exited;
  running.delete(server.child);
}

/** Creates an environment (HMAC-signed) and returns its session token. */
export async function register(base: string, applicationKey: string, secret: string, instanceId: string): Promise<string> {
  const reg = await fetch(`${base}/sif3/environments/environment`, { method: 'POST', headers: { ...sign(applicationKey, secret), Accept: 'application/json', instanceId } });
  if (reg.status !== 201) throw new Error(`registration of ${applicationKey}/${instanceId} answered ${reg.status}`);
  return ((await reg.json()) as { environment: { sessionToken: string } }).environment.sessionToken;
}

/** Kills every server still running: for the driver's last-resort error path. */
export function killAll(): void {
  for (const child of running) child.kill('SIGKILL');
}
