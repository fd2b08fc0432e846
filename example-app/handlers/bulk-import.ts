import { randomUUID } from 'node:crypto';
import type { DeferredItemResult, DeferredRequest, GoessnerObject, ServiceHandlers, SifProvider, SifRequestContext } from 'sif3-direct';
import { SifError } from 'sif3-direct';
import type { SisConnection } from '../sis/connection';
import { step } from '../sis/work';

/** How the importer paces itself. */
export interface BulkImportOptions {
  /** Students per batch; each batch is one `createResponse` in the consumer's queue. Default 50. */
  batchSize?: number;
  /** Pause between batches, standing in for a slow SIS import. Default 200 ms. */
  pauseMs?: number;
  /**
   * How long a job stays with the instance working it without a sign of life (each batch is one)
   * before another instance on the same database takes it over. Default 60,000 ms.
   */
  leaseMs?: number;
  log?: (line: string) => void;
}

interface JobRow {
  ref: string;
  ctx: string;
  objects: string;
  /** Students answered so far. */
  done: number;
  /** 1 while a batch is being imported: found so after a restart, that batch may be half done. */
  in_batch: number;
}

/**
 * The asynchronous-provider example (SIF 3.5): a DELAYED `POST xStudents` is taken as an import
 * job, stored in the SIS's own database, and worked through in batches. Each batch's outcome goes
 * into the consumer's queue through `provider.respond`; the last one through `provider.complete`.
 * No HTTP connection is held meanwhile, and a job survives a restart: the worker resumes at the
 * first batch not yet recorded as answered. Every student gets its refId when the job is taken, so
 * running a batch again after a crash finds those already created instead of duplicating them.
 * Several instances on one PostgreSQL database share the jobs: an instance claims a job (owner and
 * heartbeat in its row) and renews the claim with every batch; a job whose owner went silent for
 * `leaseMs` is taken over, at the next look (every `leaseMs`).
 *
 * @example
 * const importer = new BulkImporter(sis);
 * const services = { xStudents: { ...studentsService(sis), delayed: { createMany: importer.take } } };
 * const provider = createSifProvider({ services, ... });
 * importer.attach(provider, services.xStudents.handlers);
 */
export class BulkImporter {
  private provider: SifProvider | undefined;
  private handlers: ServiceHandlers | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;
  private timer: NodeJS.Timeout | undefined;
  private readonly batchSize: number;
  private readonly pauseMs: number;
  private readonly leaseMs: number;
  /** This importer, as the owner of the jobs it claims. */
  private readonly owner = randomUUID();
  private readonly log: (line: string) => void;

  constructor(
    private readonly sis: SisConnection,
    options: BulkImportOptions = {},
  ) {
    this.batchSize = options.batchSize ?? 50;
    this.pauseMs = options.pauseMs ?? 200;
    this.leaseMs = options.leaseMs ?? 60_000;
    this.log = options.log ?? (() => undefined);
  }

  /** The `delayed.createMany` handler: stores the job and returns at once. */
  readonly take = async (ctx: SifRequestContext, objects: GoessnerObject[], request: DeferredRequest): Promise<void> => {
    const withIds = objects.map((o) => (typeof o['@refId'] === 'string' ? o : { '@refId': randomUUID(), ...o }));
    await this.sis.write(function* (sql) {
      yield* step(sql.run('INSERT INTO import_jobs (ref, ctx, objects, done) VALUES (?, ?, ?, 0)', [request.ref, JSON.stringify(ctx), JSON.stringify(withIds)]));
    });
    this.log(`[import] job ${request.ref}: ${objects.length} students from ${ctx.applicationKey}`);
    this.kick();
  };

  /** Connects the importer to the provider it answers through, and resumes unfinished jobs. */
  attach(provider: SifProvider, handlers: ServiceHandlers): void {
    this.provider = provider;
    this.handlers = handlers;
    this.kick();
    // Jobs of an instance that went silent are looked for again once its claims can have lapsed.
    this.timer = setInterval(() => this.kick(), this.leaseMs);
    this.timer.unref();
  }

  /** Resolves when no job is being worked on. */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  /** Stops after the current batch. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.idle();
  }

  /** Claims a job (free, already this importer's, or of an owner silent for `leaseMs`); false when another holds it. */
  private async claim(ref: string): Promise<boolean> {
    const now = Date.now();
    const owner = this.owner;
    const stale = now - this.leaseMs;
    return (
      (await this.sis.write(function* (sql) {
        return yield* step(sql.run('UPDATE import_jobs SET owner = ?, heartbeat = ? WHERE ref = ? AND (owner IS NULL OR owner = ? OR heartbeat < ?)', [owner, now, ref, owner, stale]));
      })) > 0
    );
  }

  /** The first job no other live importer holds. */
  private nextJob(): Promise<JobRow | undefined> {
    const owner = this.owner;
    const stale = Date.now() - this.leaseMs;
    return this.sis.read(function* (sql) {
      return yield* step(
        sql.row<JobRow & Record<string, unknown>>(
          'SELECT ref, ctx, objects, done, in_batch FROM import_jobs WHERE owner IS NULL OR owner = ? OR heartbeat < ? ORDER BY seq LIMIT 1',
          [owner, stale],
        ),
      );
    });
  }

  private async exec(text: string, params: unknown[]): Promise<void> {
    await this.sis.write(function* (sql) {
      yield* step(sql.run(text, params));
    });
  }

  private kick(): void {
    if (this.running || !this.provider || this.stopped) return;
    this.running = this.work()
      .catch((err) => this.log(`[import] failed: ${String(err)}`))
      .finally(() => {
        this.running = undefined;
      });
  }

  private async work(): Promise<void> {
    for (let job = await this.nextJob(); job && !this.stopped; job = await this.nextJob()) {
      // Another instance may have claimed it since it was read: then it is that one's.
      if (!(await this.claim(job.ref))) continue;
      await this.runJob(job);
    }
  }

  private async runJob(job: JobRow): Promise<void> {
    const ctx = JSON.parse(job.ctx) as SifRequestContext;
    const objects = JSON.parse(job.objects) as GoessnerObject[];
    // A batch interrupted by a crash is imported again: the students it already created are found.
    let interrupted = Number(job.in_batch) === 1;
    for (let done = Number(job.done); done < objects.length && !this.stopped; ) {
      const batch = objects.slice(done, done + this.batchSize);
      await this.exec('UPDATE import_jobs SET in_batch = 1, heartbeat = ? WHERE ref = ?', [Date.now(), job.ref]);
      const { results, created } = await this.importBatch(ctx, batch, interrupted);
      interrupted = false;
      if (created.length > 0) await this.provider!.changed('xStudents', 'CREATE', created, { zoneId: ctx.zoneId, contextId: ctx.contextId });
      done += batch.length;
      const answered = done >= objects.length
        ? await this.provider!.complete(job.ref, { results })
        : await this.provider!.respond(job.ref, { results });
      if (!answered || done >= objects.length) {
        await this.exec('DELETE FROM import_jobs WHERE ref = ?', [job.ref]);
        this.log(`[import] job ${job.ref}: ${answered ? 'complete' : 'abandoned (the consumer is gone)'}`);
        return;
      }
      await this.exec('UPDATE import_jobs SET done = ?, in_batch = 0, heartbeat = ? WHERE ref = ?', [done, Date.now(), job.ref]);
      await new Promise((r) => setTimeout(r, this.pauseMs));
    }
  }

  private async importBatch(ctx: SifRequestContext, batch: GoessnerObject[], interrupted: boolean) {
    const handlers = this.handlers!;
    const refIds = batch.map((object) => object['@refId'] as string);
    // A batch interrupted by a crash may have created some of its students already: those are found.
    const existing = interrupted ? await Promise.all(refIds.map((id) => handlers.read!(ctx, id))) : [];
    const fresh = batch.filter((_, i) => !existing[i]);
    // The whole batch in one transaction when the service offers it; a refId already in use is a
    // 409 (mustUseAdvisory) for that student alone.
    let outcomes: (GoessnerObject | Error)[] = [];
    if (handlers.createMany) outcomes = await handlers.createMany(ctx, fresh, { mustUseAdvisory: true });
    else {
      for (const object of fresh) {
        outcomes.push(await handlers.create!(ctx, object, { mustUseAdvisory: true }).catch((err: unknown) => (err instanceof Error ? err : new Error(String(err)))));
      }
    }
    const results: DeferredItemResult[] = [];
    const created: GoessnerObject[] = [];
    let next = 0;
    batch.forEach((_, i) => {
      const refId = refIds[i]!;
      const stored = existing[i] ?? outcomes[next++];
      if (stored && !(stored instanceof Error)) {
        created.push(stored);
        results.push({ id: refId, advisoryId: refId, statusCode: 201 });
      } else {
        const err = stored instanceof Error ? stored : undefined;
        const status = err instanceof SifError ? err.status : 500;
        results.push({ advisoryId: refId, statusCode: status, message: err instanceof SifError ? err.message : 'Import failed' });
      }
    });
    return { results, created };
  }
}
