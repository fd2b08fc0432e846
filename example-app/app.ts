import express from 'express';
import type { NextFunction, Request, Response } from 'express';
import { STATUS_CODES } from 'node:http';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ConsumerEntry, SifProvider, SifProviderOptions } from 'sif3-direct';
import { PostgresStore, createSifProvider } from 'sif3-direct';
import { sisServices } from './handlers';
import { RolloverService } from './jobs/rollover';
import { sisNamedQueries } from './handlers/named-queries';
import type { BulkImportOptions } from './handlers/bulk-import';
import { BulkImporter } from './handlers/bulk-import';
import type { SisConnection } from './sis/connection';
import { countAll } from './sis/counts';
import type { SisDatabase } from './sis/database';
import { openSisDatabase } from './sis/database';
import { openPostgresSis } from './sis/postgres/open';
import type { SeedOptions } from './sis/seed';
import { seedIfEmpty } from './sis/seed';
import { sqliteConnection } from './sis/sqlite/connection';

/** Options of the example SIS. */
export interface ExampleAppOptions {
  /** Where every file lives: the SIS database and the SIF state database (on SQLite). */
  dataDir: string;
  /**
   * `postgres://…`: keep the SIS data and the SIF protocol state in this PostgreSQL database
   * instead of in `dataDir` (`openApp` only), so that several instances can serve one district.
   */
  databaseUrl?: string;
  /**
   * On PostgreSQL: seconds an instance holds delayed work (and bulk import jobs) before another may
   * take it over; queue housekeeping, which looks for such work, runs at least this often. Default 60.
   */
  leaseSeconds?: number;
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
  /** The SIS's data, on SQLite or PostgreSQL. */
  connection: SisConnection;
  importer: BulkImporter;
  /** The year-end rollover (functional service RolloverStudents). */
  rollover: RolloverService;
  close(): Promise<void>;
}

/** The example on SQLite, with its SIS database at hand (for tests and scripts). */
export interface SqliteExampleApp extends ExampleApp {
  sis: SisDatabase;
}

/**
 * "Springfield School District", a small SIS that speaks SIF 3 through sif3-direct mounted at
 * `/sif3`, on SQLite files in `dataDir`. Only `server.ts` listens; tests drive this app directly.
 */
export function createApp(options: ExampleAppOptions): SqliteExampleApp {
  mkdirSync(options.dataDir, { recursive: true });
  const sis = openSisDatabase(join(options.dataDir, 'sis.db'));
  seedIfEmpty(sis, options.seed);
  const example = assemble(options, sqliteConnection(sis), { database: join(options.dataDir, 'sif-state.db') }, async () => undefined);
  return { ...example, sis };
}

/**
 * The example on PostgreSQL when `databaseUrl` is given (the SIS data and the protocol state in that
 * database, with the store's coordinator, so that instances share it), else `createApp`.
 */
export async function openApp(options: ExampleAppOptions): Promise<ExampleApp> {
  if (!options.databaseUrl) return createApp(options);
  const leaseSeconds = options.leaseSeconds ?? 60;
  const connection = await openPostgresSis({ connectionString: options.databaseUrl, seed: options.seed });
  let store: PostgresStore;
  try {
    store = await PostgresStore.open({ connectionString: options.databaseUrl, leaseSeconds });
  } catch (err) {
    await connection.close();
    throw err;
  }
  const example = assemble(
    { ...options, bulkImport: { leaseMs: leaseSeconds * 1000, ...options.bulkImport } },
    connection,
    // Housekeeping is when an instance looks for delayed work whose lease has lapsed.
    { store, queues: { housekeepingSeconds: Math.max(1, Math.min(60, Math.floor(leaseSeconds))) } },
    () => store.close(),
    leaseSeconds * 1000,
  );
  // LONG polls waiting here are woken by writes on other instances once the coordinator listens.
  await store.coordinator().ready();
  return example;
}

/** The app around a SIS connection and a provider's state: the same on both databases. */
function assemble(
  options: ExampleAppOptions,
  connection: SisConnection,
  state: Pick<SifProviderOptions, 'database' | 'store' | 'queues'>,
  closeState: () => Promise<void>,
  /** How long an instance's claims (rollover runs) last without word; 0 when one process serves the SIS (SQLite). */
  leaseMs = 0,
): ExampleApp {
  const log = options.log ?? console.log;
  const consumers =
    options.consumers ?? (JSON.parse(readFileSync(join(__dirname, 'consumers.json'), 'utf8')) as ConsumerEntry[]);
  const importer = new BulkImporter(connection, { log, ...options.bulkImport });
  const services = sisServices(connection, importer);
  const rollover = new RolloverService(connection, log, leaseMs);
  const provider = createSifProvider({
    ...state,
    services: { ...services, RolloverStudents: rollover.definition() },
    xQueryTemplates: sisNamedQueries(connection),
    consumers,
    providerName: 'SpringfieldSIS',
    // Provision requests: read access (QUERY) is granted at once; anything more waits for an
    // administrator (provider.provisionRequests.pending() and decide()).
    provisionRequests: { decide: ({ requested }) => (requested.every((r) => r.rights.every((right) => right === 'QUERY')) ? 'approve' : 'pending') },
    // Queues, subscriptions, events and delayed requests, with the documented defaults.
    queues: state.queues ?? true,
    ...options.provider,
  });
  importer.attach(provider, services.xStudents!.handlers!);
  rollover.attach(provider);
  provider.events.on('alert.created', ({ applicationKey, alert }) => {
    log(`[alert] ${applicationKey}: ${String(alert.level)} ${String(alert.description ?? '')}`);
  });
  provider.events.on('provisionRequest.created', ({ applicationKey, id, completionStatus }) => {
    log(`[provision] ${applicationKey} asked for rights (${id}): ${completionStatus}`);
  });
  provider.events.on('queue.unpolled', ({ queueId, messageCount }) => {
    log(`[queue] ${queueId} holds ${messageCount} message(s) and is not being polled`);
  });

  const app = express();
  // The provider is mounted before the SIS's own body parser: the provider reads its own bodies,
  // and a parser in front of it would answer malformed SIF payloads with its own (non-SIF) errors.
  app.use('/sif3', provider.router);
  app.use(express.json());
  app.get('/', async (_req, res) => {
    res.json({
      name: 'Springfield School District (sif3-direct example)',
      data: await connection.read(countAll),
      sif: { environments: '/sif3/environments/environment', requestsConnector: '/sif3/requests', queues: '/sif3/queues', subscriptions: '/sif3/subscriptions', servicesConnector: '/sif3/services' },
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
    connection,
    importer,
    rollover,
    close: async () => {
      await importer.stop();
      await rollover.stop();
      await provider.close();
      await closeState();
      await connection.close();
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
