import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import type { ClientConfig, Notification } from 'pg';
import type { SifLogger } from '../config/options';
import type { Coordinator } from './coordinator';
import type { CoordinationSignal } from './signals';
import { decodeSignal, encodeSignal } from './signals';

/** What the PostgreSQL coordinator needs from its store. */
export interface PostgresCoordinatorOptions {
  /** How to open the dedicated listening connection (the store pool's settings: same database, same schema). */
  connection: ClientConfig;
  /** Runs one statement on the store's pool (so that a reconnecting listener never holds up a NOTIFY). */
  query(text: string, values: unknown[]): Promise<{ rows: Record<string, unknown>[] }>;
  /** How long a claim on delayed work lasts. */
  leaseMs: number;
}

/** Waits between attempts to (re)connect the listener: doubling from the first to the last. */
const RETRY_FIRST_MS = 250;
const RETRY_MAX_MS = 5_000;

/**
 * Coordinates the provider instances that share one PostgreSQL schema with LISTEN/NOTIFY. One
 * dedicated connection per store listens (a pooled one would be handed back, and its LISTEN with
 * it); it reconnects with back-off when the server or the network drops it, and raises `resync`
 * after every (re)connection because notifications sent meanwhile are lost. Signals are sent
 * with `pg_notify` through the store's pool; each carries the sender's instance id so that an
 * instance ignores its own. The channel is named after a hash of the schema: providers that keep
 * their state in different schemas of one database do not hear each other.
 *
 * @example
 * const coordinator = store.coordinator();
 * const stop = coordinator.listen((signal) => console.log(signal), console);
 * await coordinator.ready();
 */
export class PostgresCoordinator implements Coordinator {
  readonly shared = true;
  readonly leaseMs: number;
  private readonly instance = randomBytes(6).toString('hex');
  private readonly listeners = new Set<(signal: CoordinationSignal) => void>();
  private logger: SifLogger | undefined;
  private channelName: Promise<string> | undefined;
  private client: Client | undefined;
  private connecting: Promise<void> | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private closed = false;
  private resolveReady!: () => void;
  private readonly readyOnce = new Promise<void>((resolve) => (this.resolveReady = resolve));

  constructor(private readonly options: PostgresCoordinatorOptions) {
    this.leaseMs = options.leaseMs;
  }

  async announce(signal: CoordinationSignal): Promise<void> {
    if (this.closed) return;
    try {
      await this.options.query('SELECT pg_notify($1, $2)', [await this.channel(), `${this.instance} ${encodeSignal(signal)}`]);
    } catch (err) {
      if (!this.closed) this.logger?.error(`sif3-direct: telling other instances (${signal.kind}) failed`, err);
    }
  }

  listen(listener: (signal: CoordinationSignal) => void, logger: SifLogger): () => void {
    this.logger = logger;
    this.listeners.add(listener);
    if (!this.client && !this.connecting && !this.retryTimer) this.connecting = this.connect(RETRY_FIRST_MS);
    return () => void this.listeners.delete(listener);
  }

  ready(): Promise<void> {
    return this.readyOnce;
  }

  /** Ends the listening connection (the store's `close()` calls it). */
  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.retryTimer);
    await this.connecting;
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => undefined);
  }

  /** The channel of this schema (asked of the server once: it knows the connection's current schema). */
  private channel(): Promise<string> {
    this.channelName ??= this.options
      .query("SELECT 'sif3_' || substr(md5(current_schema()), 1, 16) AS channel", [])
      .then((r) => String(r.rows[0]!.channel));
    // A failed lookup is asked again next time.
    this.channelName.catch(() => (this.channelName = undefined));
    return this.channelName;
  }

  private async connect(retryMs: number): Promise<void> {
    const client = new Client(this.options.connection);
    // Without a listener a dropped connection's error would end the process; 'end' follows it.
    client.on('error', (err) => this.logger?.warn('sif3-direct: the coordination connection failed; reconnecting', err));
    try {
      await client.connect();
      // Identifiers cannot be parameters: the channel is quoted (it is 'sif3_' and hex digits anyway).
      await client.query(`LISTEN ${client.escapeIdentifier(await this.channel())}`);
    } catch (err) {
      await client.end().catch(() => undefined);
      this.connecting = undefined;
      if (this.closed) return;
      this.logger?.warn(`sif3-direct: cannot listen for other instances; trying again in ${retryMs} ms`, err);
      this.retry(Math.min(retryMs * 2, RETRY_MAX_MS), retryMs);
      return;
    }
    this.connecting = undefined;
    if (this.closed) {
      await client.end().catch(() => undefined);
      return;
    }
    client.on('notification', (n: Notification) => this.receive(n.payload));
    client.on('end', () => {
      if (this.client !== client) return;
      this.client = undefined;
      if (!this.closed) this.retry(RETRY_FIRST_MS, 0);
    });
    this.client = client;
    this.resolveReady();
    // Whatever was sent while nobody listened is lost: drop what it would have corrected.
    this.dispatch({ kind: 'resync' });
  }

  private retry(nextMs: number, delayMs: number): void {
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      this.connecting = this.connect(nextMs);
    }, delayMs);
  }

  private receive(payload: string | undefined): void {
    if (!payload) return;
    const space = payload.indexOf(' ');
    if (space < 0 || payload.slice(0, space) === this.instance) return;
    const signal = decodeSignal(payload.slice(space + 1));
    if (signal) this.dispatch(signal);
  }

  private dispatch(signal: CoordinationSignal): void {
    for (const listener of this.listeners) {
      try {
        listener(signal);
      } catch (err) {
        this.logger?.error(`sif3-direct: applying a signal of another instance (${signal.kind}) failed`, err);
      }
    }
  }
}
