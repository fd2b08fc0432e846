import { join } from 'node:path';
import { createApp } from '../example-app/app';
import { createBaseline } from './baseline';

// One benchmark server per process: `sif` (the example SIS with sif3-direct) or `baseline`.
// Usage: node --import tsx bench/server.ts <sif|baseline> <dataDir> [students]

const [kind, dataDir, students] = process.argv.slice(2);
// Queues deep enough that the events scenario never reaches the depth limit.
const app =
  kind === 'baseline'
    ? createBaseline(join(dataDir!, 'sis.db'))
    : createApp({ dataDir: dataDir!, seed: { students: Number(students ?? 2000) }, log: () => undefined, provider: { queues: { maxMessagesPerQueue: 10_000_000 } } }).app;
const server = app.listen(0, '127.0.0.1', () => {
  const address = server.address();
  console.log(`listening ${typeof address === 'object' && address ? address.port : 0}`);
});
// Exit cleanly on SIGTERM, so that `--cpu-prof` can write its profile.
process.on('SIGTERM', () => process.exit(0));
