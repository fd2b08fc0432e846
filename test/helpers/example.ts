import type { Express } from 'express';
import { mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ExampleAppOptions, SqliteExampleApp } from '../../example-app/app';
import { createApp } from '../../example-app/app';

/** The example SIS in a fresh temporary data folder; `close()` also removes the folder. */
export function startExample(options: Partial<ExampleAppOptions> = {}): SqliteExampleApp & { dir: string } {
  const dir = mkdtempSync(join(tmpdir(), 'sif3-example-'));
  const example = createApp({ dataDir: dir, log: () => undefined, ...options });
  return {
    ...example,
    dir,
    close: async () => {
      await example.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Serves an app on a free loopback port, for tests that speak real HTTP with fetch. */
export async function listen(app: Express): Promise<{ base: string; close(): Promise<void> }> {
  const server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return { base: `http://127.0.0.1:${port}`, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}
