import type { SqlDialect } from '../query/dialect';
import type { Awaitable, Work } from './work';

/** A row as the database gives it, keyed by column name. */
export type Row = Record<string, unknown>;

/**
 * The SIS's statements, with `?` placeholders and bound values, on SQLite or PostgreSQL. Results are
 * settled at once on SQLite and pending on PostgreSQL: units of work take them with `yield* step(…)`.
 */
export interface SqlRunner {
  readonly dialect: SqlDialect;
  /** Every row. */
  rows<T extends Row = Row>(sql: string, params?: readonly unknown[]): Awaitable<T[]>;
  /** The first row, or undefined. */
  row<T extends Row = Row>(sql: string, params?: readonly unknown[]): Awaitable<T | undefined>;
  /** The first column of every row. */
  column<T = unknown>(sql: string, params?: readonly unknown[]): Awaitable<T[]>;
  /** The first column of the first row, or undefined when there is no row. */
  value<T = unknown>(sql: string, params?: readonly unknown[]): Awaitable<T | undefined>;
  /** A write; the number of rows it changed. */
  run(sql: string, params?: readonly unknown[]): Awaitable<number>;
}

/**
 * The seam between the Springfield SIS's handlers and its database: the handlers' SIF logic is
 * written once as units of work (sis/work.ts) over a `SqlRunner`, and this interface runs them, on
 * SQLite (sis/sqlite/connection.ts) or PostgreSQL (sis/postgres/connection.ts).
 */
export interface SisConnection {
  readonly dialect: SqlDialect;
  /** Runs reads, outside any transaction. */
  read<R>(work: (sql: SqlRunner) => Work<R>): Promise<R>;
  /** Runs a write in one transaction: all of it is stored, or none. */
  write<R>(work: (sql: SqlRunner) => Work<R>): Promise<R>;
  /**
   * Runs one unit of work per item in one transaction (one commit for the whole request), each in
   * a savepoint of its own: an item that throws leaves none of its writes and is reported alone,
   * as an Error in its place, while the others are kept.
   */
  writeEach<I, R>(items: readonly I[], work: (sql: SqlRunner, item: I) => Work<R>): Promise<(R | Error)[]>;
  /** Ends the connection (or pool). */
  close(): Promise<void>;
}

/** An item's failure as an Error, whatever was thrown. */
export function asError(err: unknown): Error {
  return err instanceof Error ? err : new Error(String(err));
}
