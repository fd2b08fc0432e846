/**
 * A value now (SQLite answers synchronously) or later (PostgreSQL answers over the network).
 */
export type Awaitable<T> = T | PromiseLike<T>;

/**
 * A unit of SIS work written once for both databases: a generator that yields each database step
 * (`yield* step(sql.row(…))`) and gets its result back. The SQLite connection drives it
 * synchronously, so that a batch still runs inside one better-sqlite3 transaction with nothing
 * interleaved; the PostgreSQL connection drives it asynchronously on one client. The SIF logic
 * (refIds, partial updates, validation, refusals) therefore exists once, whatever the database.
 */
// `any` for the value sent back in: each `step` types its own result; the generator as a whole
// cannot name one type for all of its steps.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Work<R> = Generator<unknown, R, any>;

/**
 * One database step of a unit of work: yields the (possibly pending) result and returns it settled.
 *
 * @example
 * function* exists(sql: SqlRunner, id: string): Work<boolean> {
 *   return (yield* step(sql.value('SELECT 1 FROM schools WHERE ref_id = ?', [id]))) !== undefined;
 * }
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function* step<T>(value: Awaitable<T>): Generator<Awaitable<T>, T, any> {
  return (yield value) as T;
}

/** Runs work whose every step is already settled; a pending step is a programming error. */
export function runNow<R>(work: Work<R>): R {
  let next = work.next();
  while (!next.done) {
    if (isThenable(next.value)) throw new Error('A synchronous SIS connection was handed a pending step');
    next = work.next(next.value);
  }
  return next.value;
}

/** Runs work whose steps may be pending, awaiting each; a failed step is thrown into the work. */
export async function runAsync<R>(work: Work<R>): Promise<R> {
  let next = work.next();
  while (!next.done) {
    let settled: unknown;
    try {
      settled = await next.value;
    } catch (err) {
      next = work.throw(err);
      continue;
    }
    next = work.next(settled);
  }
  return next.value;
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as PromiseLike<unknown> | null)?.then === 'function';
}
