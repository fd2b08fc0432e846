import express from 'express';
import type { NextFunction, Request, Response } from 'express';
import { STATUS_CODES } from 'node:http';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ConsumerEntry, SifProvider, SifProviderOptions } from 'sif3-direct';
import { createSifProvider } from 'sif3-direct';
import { sisServices } from './handlers';
import type { BulkImportOptions } from './handlers/bulk-import';
import { BulkImporter } from './handlers/bulk-import';
import type { SisDatabase } from './sis/database';
import { countRows, openSisDatabase } from './sis/database';
import type { SeedOptions } from './sis/seed';
import { seedIfEmpty } from './sis/seed';

/** Options of the example SIS. */
export interface ExampleAppOptions {
  /** Where every file lives: the SIS database and the SIF state database. */
  dataDir: string;
  /** How much data to seed into a new SIS database. */
  seed?: SeedOptions;
  /** Consumers; default `consumers.json` beside this file. */
  consumers?: ConsumerEntry[];
  /** Further provider options (e.g. `baseUrl`). */
  provider?: Partial<SifProviderOptions>;
  /** Where the SIS writes its activity log. Default `console.log`. */
  log?: (line: string) => void;
  /** Pacing of the asynchronous bulk import of students. */
  bulkImport?: BulkImportOptions;
}

/** The running example: the Express app and what it is made of. */
export interface ExampleApp {
  app: express.Express;
  provider: SifProvider;
  sis: SisDatabase;
  importer: BulkImporter;
  close(): Promise<void>;
}

/**
 * "Springfield School District", a small SIS that speaks SIF 3 through sif3-direct mounted at
 * `/sif3`. Only `server.ts` listens; tests drive this app directly.
 */
export function createApp(options: ExampleAppOptions): ExampleApp {
  const log = options.log ?? console.log;
  mkdirSync(options.dataDir, { recursive: true });
  const sis = openSisDatabase(join(options.dataDir, 'sis.db'));
  seedIfEmpty(sis, options.seed);

  const consumers =
    options.consumers ?? (JSON.parse(readFileSync(join(__dirname, 'consumers.json'), 'utf8')) as ConsumerEntry[]);
  const importer = new BulkImporter(sis, { log, ...options.bulkImport });
  const services = sisServices(sis, importer);
  const provider = createSifProvider({
    database: join(options.dataDir, 'sif-state.db'),
    services,
    consumers,
    // Queues, subscriptions, events and delayed requests, with the documented defaults.
    queues: true,
    ...options.provider,
  });
  importer.attach(provider, services.xStudents!.handlers!);
  provider.events.on('alert.created', ({ applicationKey, alert }) => {
    log(`[alert] ${applicationKey}: ${String(alert.level)} ${String(alert.description ?? '')}`);
  });
  provider.events.on('queue.unpolled', ({ queueId, messageCount }) => {
    log(`[queue] ${queueId} holds ${messageCount} message(s) and is not being polled`);
  });

  const app = express();
  // The provider is mounted before the SIS's own body parser: the provider reads its own bodies,
  // and a parser in front of it would answer malformed SIF payloads with its own (non-SIF) errors.
  app.use('/sif3', provider.router);
  app.use(express.json());
  app.get('/', (_req, res) => {
    res.json({
      name: 'Springfield School District (sif3-direct example)',
      data: countRows(sis),
      sif: { environments: '/sif3/environments/environment', requestsConnector: '/sif3/requests', queues: '/sif3/queues', subscriptions: '/sif3/subscriptions' },
    });
  });
  // The SIS's own answers for what no route took and for its own failures (a malformed JSON body,
  // a database error): short JSON, where Express's default handler would print a stack trace
  // unless NODE_ENV is production. SIF requests never get here: the provider answers all of its own.
  app.use(notFound);
  app.use(errorHandler(log));

  return {
    app,
    provider,
    sis,
    importer,
    close: async () => {
      await importer.stop();
      await provider.close();
      sis.close();
    },
  };
}

function notFound(_req: Request, res: Response): void {
  res.status(404).json({ error: STATUS_CODES[404] });
}

/**
 * The app's final error handler: a client error keeps its status (body-parser's 400 and 413), anything
 * else is a 500; the answer names only the status, and the details go to the log.
 */
function errorHandler(log: (line: string) => void) {
  // Express recognises an error handler by its four parameters: keep `_next`.
  return function sisErrorHandler(err: unknown, req: Request, res: Response, _next: NextFunction): void {
    const claimed = (err as { status?: unknown; statusCode?: unknown } | null)?.status ?? (err as { statusCode?: unknown } | null)?.statusCode;
    const status = typeof claimed === 'number' && claimed >= 400 && claimed < 500 ? claimed : 500;
    if (status >= 500) log(`[error] ${req.method} ${req.path}: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    if (res.headersSent) {
      res.end();
      return;
    }
    res.status(status).json({ error: STATUS_CODES[status] ?? 'Error' });
  };
}
