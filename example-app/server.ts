import { join } from 'node:path';
import { createApp } from './app';

// Starts the example SIS: PORT (default 3000), DATA_DIR (default example-app/data), and
// `--students N` (or SEED_STUDENTS) for the size of a newly seeded district.

const port = Number(process.env.PORT ?? 3000);
const dataDir = process.env.DATA_DIR ?? join(__dirname, 'data');
const studentsArg = process.argv.indexOf('--students');
const students = Number(studentsArg > 0 ? process.argv[studentsArg + 1] : (process.env.SEED_STUDENTS ?? 2000));
if (!Number.isInteger(students) || students < 1) {
  console.error('--students must be a positive whole number');
  process.exit(2);
}

const example = createApp({ dataDir, seed: { students } });
const server = example.app.listen(port, () => {
  const address = server.address();
  const actual = typeof address === 'object' && address ? address.port : port;
  console.log(`Springfield SIS listening on http://localhost:${actual} (SIF 3 at /sif3, data in ${dataDir})`);
});

function shutdown(): void {
  server.close(() => {
    void example.close().then(() => process.exit(0));
  });
}
process.on('SIGINT', shutdown);
process.on('SIGTERM', shutdown);
