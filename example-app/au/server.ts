import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { createAuApp } from './app';

// Starts the AU example: PORT (default 3001), HOST (default 127.0.0.1), DATA_DIR (default
// example-app/data) for its protocol state. Register as AuApp / AuSecret, then e.g.
// POST /sif3/requests/StudentPersonals/StudentPersonal with an AU 3.4 StudentPersonal.

const port = Number(process.env.PORT ?? 3001);
const host = process.env.HOST || '127.0.0.1';
const dataDir = process.env.DATA_DIR ?? join(__dirname, '..', 'data');
mkdirSync(dataDir, { recursive: true });
const { app, provider } = createAuApp({ database: join(dataDir, 'au-state.db') });
const server = app.listen(port, host, (error?: Error) => {
  if (error) {
    console.error(`Cannot listen on ${host}:${port}: ${error.message}`);
    void provider.close().then(() => process.exit(1));
    return;
  }
  console.log(`AU 3.4.8 example: http://${host}:${port}/sif3 (StudentPersonals, SchoolInfos)`);
});
process.once('SIGTERM', () => server.close(() => void provider.close()));
process.once('SIGINT', () => server.close(() => void provider.close()));
