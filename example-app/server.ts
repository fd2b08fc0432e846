import { join } from 'node:path';
import { openApp } from './app';

// Starts the example SIS: PORT (default 3000), HOST (default 127.0.0.1: a demo with well-known
// secrets in consumers.json should not be reachable from the network unless asked to; set
// HOST=0.0.0.0 to listen on every interface), DATA_DIR (default example-app/data), and
// `--students N` (or SEED_STUDENTS) for the size of a newly seeded district.
// DATABASE_URL=postgres://… keeps the SIS data and the protocol state in PostgreSQL instead, so
// that several instances can serve one district; SIF_LEASE_SECONDS (default 60) is then how long
// an instance holds delayed work before another takes it over.

const port = Number(process.env.PORT ?? 3000);
const host = process.env.HOST || '127.0.0.1';
const dataDir = process.env.DATA_DIR ?? join(__dirname, 'data');
const databaseUrl = process.env.DATABASE_URL || undefined;
const studentsArg = process.argv.indexOf('--students');
const students = Number(studentsArg > 0 ? process.argv[studentsArg + 1] : (process.env.SEED_STUDENTS ?? 2000));
if (!Number.isInteger(students) || students < 1) {
  console.error('--students must be a positive whole number');
  process.exit(2);
}
const leaseSeconds = process.env.SIF_LEASE_SECONDS ? Number(process.env.SIF_LEASE_SECONDS) : undefined;
if (leaseSeconds !== undefined && !(Number.isFinite(leaseSeconds) && leaseSeconds > 0)) {
  console.error('SIF_LEASE_SECONDS must be a positive number');
  process.exit(2);
}

async function main(): Promise<void> {
  const example = await openApp({ dataDir, databaseUrl, seed: { students }, ...(leaseSeconds ? { leaseSeconds } : {}) });
  // Express 5 hands a listen error (EADDRINUSE, EADDRNOTAVAIL for a bad HOST) to this callback.
  const server = example.app.listen(port, host, (error?: Error) => {
    if (error) {
      console.error(`Cannot listen on ${host}:${port}: ${error.message}`);
      void example.close().then(() => process.exit(1));
      return;
    }
    // The address actually bound, as the OS reports it (tests read it from this line).
    const address = server.address();
    const bound = typeof address === 'object' && address ? address : { address: host, port, family: 'IPv4' };
    const shown = bound.family === 'IPv6' ? `[${bound.address}]` : bound.address;
    // Only where the data is; never the connection string, which may hold a password.
    const where = databaseUrl ? 'data in PostgreSQL' : `data in ${dataDir}`;
    console.log(`Springfield SIS listening on http://${shown}:${bound.port} (SIF 3 at /sif3, ${where})`);
  });

  function shutdown(): void {
    server.close(() => {
      void example.close().then(() => process.exit(0));
    });
  }
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
}

main().catch((err: unknown) => {
  console.error(`Cannot start the Springfield SIS: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
