import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chownSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';

// A throwaway PostgreSQL cluster for the benchmarks, started the way .ci/run starts CI's: Debian's
// packages, initdb in a temporary folder, pg_ctl as `nobody` (PostgreSQL refuses to run as root) on a
// free loopback port, the superuser reachable only through the cluster's own socket folder, and a
// non-superuser role that owns its database. Also what the postgres processes have used, from /proc.

const TICKS_PER_SECOND = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;
const RUNUSER = existsSync('/usr/sbin/runuser') ? '/usr/sbin/runuser' : 'runuser';
const PG_USER = 'nobody';

export interface ThrowawayPostgres {
  /** `postgres://role:password@127.0.0.1:port/db` of the role that owns the database. */
  url: string;
  port: number;
  dir: string;
  /** The postmaster's process id. */
  pid: number;
  /** The server version, e.g. "15.14". */
  version: string;
  /** The settings it was started with, as passed to `postgres -c`. */
  settings: string[];
  /** Stops the cluster (fast, then immediate) and removes its folder; synchronous, safe to call twice. */
  stop(): void;
}

/** Debian's newest PostgreSQL bin folder, or undefined. */
export function postgresBin(): string | undefined {
  try {
    const versions = readdirSync('/usr/lib/postgresql').filter((v) => existsSync(join('/usr/lib/postgresql', v, 'bin', 'initdb')));
    versions.sort((a, b) => Number(a) - Number(b));
    const last = versions[versions.length - 1];
    return last ? join('/usr/lib/postgresql', last, 'bin') : undefined;
  } catch {
    return undefined;
  }
}

/** Whether 127.0.0.1:port can be bound now. */
function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/**
 * initdb + pg_ctl start as `nobody` on the first free loopback port from 55432 (tried up to 50
 * ports), every external command bounded in time; then a role `role` (LOGIN, not a superuser) with a
 * random password and a database of the same name that it owns. `settings` go to `postgres -c`.
 */
export async function startThrowawayPostgres(options: { role: string; settings: string[] }): Promise<ThrowawayPostgres> {
  const bin = postgresBin();
  if (!bin) throw new Error('PostgreSQL is not installed (apt-get install postgresql), and no --database-url was given');
  const dir = mkdtempSync(join(tmpdir(), 'sif3-bench-pg-'));
  let started = false;
  const asPg = (command: string, args: string[], timeoutMs: number) =>
    execFileSync(RUNUSER, ['-u', PG_USER, '--', join(bin, command), ...args], { timeout: timeoutMs, stdio: ['ignore', 'pipe', 'pipe'] }).toString();
  const stop = () => {
    if (started) {
      started = false;
      try {
        asPg('pg_ctl', ['-D', join(dir, 'data'), '-m', 'fast', '-w', '-t', '30', 'stop'], 40_000);
      } catch {
        try {
          asPg('pg_ctl', ['-D', join(dir, 'data'), '-m', 'immediate', '-w', '-t', '10', 'stop'], 20_000);
        } catch {
          // already gone
        }
      }
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    chownSync(dir, uidOf(PG_USER), -1);
    const pwfile = join(dir, 'superuser-password');
    writeFileSync(pwfile, randomBytes(18).toString('base64url'), { mode: 0o600 });
    chownSync(pwfile, uidOf(PG_USER), -1);
    // No --no-sync: this cluster is for durable behaviour, its files are synced like a real one's.
    asPg('initdb', ['-D', join(dir, 'data'), '-U', 'postgres', `--pwfile=${pwfile}`, '--auth-local=trust', '--auth-host=scram-sha-256', '-E', 'UTF8', '--locale=C'], 120_000);
    let port = 55432;
    while (!(await portFree(port))) {
      if (++port > 55482) throw new Error('no free loopback port in 55432–55482');
    }
    const opts = ['-c listen_addresses=127.0.0.1', `-p ${port}`, `-k ${dir}`, ...options.settings.map((s) => `-c ${s}`)].join(' ');
    started = true;
    asPg('pg_ctl', ['-D', join(dir, 'data'), '-l', join(dir, 'server.log'), '-w', '-t', '60', '-o', opts, 'start'], 70_000);
    const pid = Number(readFileSync(join(dir, 'data', 'postmaster.pid'), 'utf8').split('\n')[0]);
    const password = randomBytes(18).toString('base64url');
    const admin = new Client({ host: dir, port, user: 'postgres', database: 'postgres', connectionTimeoutMillis: 10_000, statement_timeout: 30_000 });
    await admin.connect();
    let version: string;
    try {
      // Identifiers from our own code, the password as a literal quoted by the client library.
      await admin.query(`CREATE ROLE ${options.role} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD ${admin.escapeLiteral(password)}`);
      await admin.query(`CREATE DATABASE ${options.role} OWNER ${options.role}`);
      version = String((await admin.query('SHOW server_version')).rows[0].server_version);
    } finally {
      await admin.end();
    }
    return { url: `postgres://${options.role}:${password}@127.0.0.1:${port}/${options.role}`, port, dir, pid, version, settings: options.settings, stop };
  } catch (err) {
    let log = '';
    try {
      log = readFileSync(join(dir, 'server.log'), 'utf8').slice(-2000);
    } catch {
      // no log yet
    }
    stop();
    const stderr = (err as { stderr?: Buffer }).stderr?.toString() ?? '';
    throw new Error(`could not start a throwaway PostgreSQL: ${(err as Error).message}\n${stderr}${log}`);
  }
}

function uidOf(user: string): number {
  return Number(execFileSync('id', ['-u', user], { timeout: 5000 }).toString().trim());
}

interface ProcStat {
  pid: number;
  comm: string;
  ppid: number;
  /** utime + stime, ticks */
  own: number;
  /** cutime + cstime (children that exited and were waited for), ticks */
  children: number;
}

function procStat(pid: number): ProcStat | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
    // From field 3 (state) on: ppid is field 4, utime..cstime fields 14..17.
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { pid, comm, ppid: Number(f[1]), own: Number(f[11]) + Number(f[12]), children: Number(f[13]) + Number(f[14]) };
  } catch {
    return undefined; // gone meanwhile
  }
}

function allStats(): ProcStat[] {
  const out: ProcStat[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const s = procStat(Number(name));
    if (s) out.push(s);
  }
  return out;
}

/**
 * CPU used so far by a PostgreSQL server, in microseconds: utime + stime of the postmaster and of
 * every live child of it, plus the postmaster's cutime + cstime (backends that have exited since it
 * started, reaped by the postmaster), so that a backend ending between two readings is not lost.
 * With `postmasterPid` undefined: the same over every process named `postgres` on this machine (for
 * a server this bench did not start; it then counts any other cluster running here too). Undefined
 * when no such process is visible (e.g. a server in another container).
 */
export function postgresCpuMicros(postmasterPid?: number): { micros: number; processes: number } | undefined {
  const stats = allStats();
  const isPg = (s: ProcStat) => s.comm === 'postgres' || s.comm === 'postmaster';
  const roots = postmasterPid !== undefined ? stats.filter((s) => s.pid === postmasterPid) : stats.filter((s) => isPg(s) && !stats.some((p) => p.pid === s.ppid && isPg(p)));
  if (roots.length === 0) return undefined;
  const rootPids = new Set(roots.map((r) => r.pid));
  const kids = stats.filter((s) => rootPids.has(s.ppid));
  const ticks = roots.reduce((sum, r) => sum + r.own + r.children, 0) + kids.reduce((sum, k) => sum + k.own, 0);
  return { micros: (ticks / TICKS_PER_SECOND) * 1e6, processes: roots.length + kids.length };
}
