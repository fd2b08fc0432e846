import { randomBytes } from 'node:crypto';
import type { PgDb } from './db';
import { LOCK } from './db';

/**
 * Schema migrations, applied in order; `schema_migrations` records each one that has run. A
 * migration is never edited once released, only followed by a new one.
 *
 * Choices shared by every table: times are ISO-8601 `text COLLATE "C"` (they round-trip exactly and
 * compare byte-wise, in time order, whatever the database's locale); JSON is `text`, not `jsonb`,
 * because `jsonb` reorders keys and the Goessner objects keep XML element order in theirs; `seq`
 * identity columns give the insertion order that lists are sorted by. Trigger functions are
 * PL/pgSQL, which every database has (it is not an extension one installs).
 *
 * @example
 * MIGRATIONS.length; // the schema version this sif3-direct writes
 */
export const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE environments (
    id text PRIMARY KEY,
    fingerprint text NOT NULL UNIQUE,
    session_token_hash text UNIQUE,
    token_salt text NOT NULL,
    identity_key text NOT NULL UNIQUE,
    application_key text NOT NULL,
    instance_id text,
    user_token text,
    solution_id text,
    authentication_method text NOT NULL,
    consumer_name text,
    application_info text NOT NULL,
    provisioning text NOT NULL,
    created_at text COLLATE "C" NOT NULL
  );
  CREATE INDEX environments_by_application ON environments (application_key);

  CREATE TABLE alerts (
    seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    id text NOT NULL UNIQUE,
    environment_id text NOT NULL REFERENCES environments (id) ON DELETE CASCADE,
    created_at text COLLATE "C" NOT NULL,
    body text NOT NULL
  );
  CREATE INDEX alerts_by_environment ON alerts (environment_id, seq);

  -- One row: where the change log stands. Appenders lock it, so sequence numbers are handed out
  -- and committed in order across every instance (a SEQUENCE could commit 7 before 6, and a
  -- reader that saw 7 would never see 6). The row itself is inserted by the migrating code, which
  -- draws the random epoch in Node.
  CREATE TABLE change_log (
    singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    epoch text NOT NULL,
    latest bigint NOT NULL DEFAULT 0,
    pruned_through bigint NOT NULL DEFAULT 0
  );
  CREATE TABLE changes (
    seq bigint PRIMARY KEY,
    service text NOT NULL,
    object_id text NOT NULL,
    action text NOT NULL CHECK (action IN ('CREATE', 'UPDATE', 'DELETE')),
    at text COLLATE "C" NOT NULL
  );
  CREATE INDEX changes_by_service ON changes (service, seq);
  CREATE INDEX changes_by_time ON changes (at, seq);

  CREATE TABLE snapshots (
    navigation_id text PRIMARY KEY,
    environment_id text NOT NULL REFERENCES environments (id) ON DELETE CASCADE,
    service text NOT NULL,
    total integer NOT NULL,
    expires_at text COLLATE "C" NOT NULL
  );
  CREATE INDEX snapshots_by_expiry ON snapshots (expires_at);
  CREATE INDEX snapshots_by_environment ON snapshots (environment_id);
  -- Ids kept compactly, 1,000 to a row: a page reads one or two rows, never one row per id.
  CREATE TABLE snapshot_chunks (
    navigation_id text NOT NULL REFERENCES snapshots (navigation_id) ON DELETE CASCADE,
    chunk integer NOT NULL,
    ids text[] NOT NULL,
    PRIMARY KEY (navigation_id, chunk)
  );

  CREATE TABLE queues (
    seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    id text NOT NULL UNIQUE,
    environment_id text NOT NULL REFERENCES environments (id) ON DELETE CASCADE,
    name text,
    polling text NOT NULL CHECK (polling IN ('IMMEDIATE', 'LONG')),
    idle_timeout integer NOT NULL,
    min_wait_time integer NOT NULL,
    max_connections integer NOT NULL,
    created text COLLATE "C" NOT NULL,
    last_accessed text COLLATE "C" NOT NULL,
    last_modified text COLLATE "C" NOT NULL,
    last_polled text COLLATE "C" NOT NULL,
    alerted_at text COLLATE "C",
    message_count integer NOT NULL DEFAULT 0
  );
  CREATE INDEX queues_by_environment ON queues (environment_id, seq);

  CREATE TABLE queue_messages (
    seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    id text NOT NULL UNIQUE,
    queue_id text NOT NULL REFERENCES queues (id) ON DELETE CASCADE,
    created_at text COLLATE "C" NOT NULL,
    headers text NOT NULL,
    body_kind text NOT NULL CHECK (body_kind IN ('encoded', 'payload', 'empty')),
    content_type text,
    body bytea,
    connection_id text
  );
  CREATE INDEX queue_messages_in_order ON queue_messages (queue_id, seq);
  CREATE INDEX queue_messages_by_time ON queue_messages (created_at);

  -- The count every poll and depth check reads, kept by the database itself rather than counted:
  -- statement-level triggers see all rows of a statement at once (a batch, a prune, a cascade), so
  -- each queue row is updated once per statement, not once per message.
  CREATE FUNCTION queue_messages_added() RETURNS trigger LANGUAGE plpgsql AS $fn$
  BEGIN
    -- Queue rows are locked in id order, as enqueue locks them, so that the two cannot deadlock.
    PERFORM 1 FROM queues WHERE id IN (SELECT queue_id FROM added_messages) ORDER BY id FOR NO KEY UPDATE;
    UPDATE queues q SET message_count = q.message_count + n.added, last_modified = n.newest
    FROM (
      SELECT DISTINCT ON (queue_id) queue_id, count(*) OVER (PARTITION BY queue_id) AS added, created_at AS newest
      FROM added_messages ORDER BY queue_id, seq DESC
    ) n
    WHERE q.id = n.queue_id;
    RETURN NULL;
  END
  $fn$;
  CREATE TRIGGER queue_messages_added AFTER INSERT ON queue_messages
    REFERENCING NEW TABLE AS added_messages FOR EACH STATEMENT EXECUTE FUNCTION queue_messages_added();
  CREATE FUNCTION queue_messages_removed() RETURNS trigger LANGUAGE plpgsql AS $fn$
  BEGIN
    PERFORM 1 FROM queues WHERE id IN (SELECT queue_id FROM removed_messages) ORDER BY id FOR NO KEY UPDATE;
    UPDATE queues q SET message_count = q.message_count - n.removed
    FROM (SELECT queue_id, count(*) AS removed FROM removed_messages GROUP BY queue_id) n
    WHERE q.id = n.queue_id;
    RETURN NULL;
  END
  $fn$;
  CREATE TRIGGER queue_messages_removed AFTER DELETE ON queue_messages
    REFERENCING OLD TABLE AS removed_messages FOR EACH STATEMENT EXECUTE FUNCTION queue_messages_removed();

  CREATE TABLE subscriptions (
    seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    id text NOT NULL UNIQUE,
    environment_id text NOT NULL REFERENCES environments (id) ON DELETE CASCADE,
    queue_id text NOT NULL REFERENCES queues (id) ON DELETE CASCADE,
    zone_id text NOT NULL,
    context_id text NOT NULL,
    service_type text NOT NULL,
    service_name text NOT NULL,
    created_at text COLLATE "C" NOT NULL,
    UNIQUE (environment_id, service_name, zone_id, context_id, service_type)
  );
  CREATE INDEX subscriptions_by_service ON subscriptions (service_name, seq);
  CREATE INDEX subscriptions_by_queue ON subscriptions (queue_id);

  CREATE TABLE delayed_requests (
    seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    id text NOT NULL UNIQUE,
    environment_id text NOT NULL REFERENCES environments (id) ON DELETE CASCADE,
    queue_id text NOT NULL REFERENCES queues (id) ON DELETE CASCADE,
    created_at text COLLATE "C" NOT NULL,
    method text NOT NULL,
    url text NOT NULL,
    headers text NOT NULL,
    body bytea NOT NULL,
    base_url text NOT NULL,
    state text NOT NULL CHECK (state IN ('pending', 'deferred')),
    progress text NOT NULL
  );
  CREATE INDEX delayed_by_state ON delayed_requests (state, seq);
  CREATE INDEX delayed_by_queue ON delayed_requests (queue_id, state);
  CREATE INDEX delayed_by_environment ON delayed_requests (environment_id);
  CREATE INDEX subscriptions_by_environment ON subscriptions (environment_id, seq);
  `,
  `
  -- Leases of delayed requests (claimDelayedRequest): which instance runs one, and until when, so
  -- that work an instance accepted and could not finish is taken up by another.
  ALTER TABLE delayed_requests ADD COLUMN lease_owner text, ADD COLUMN lease_until text COLLATE "C";
  `,
  `
  -- Jobs of functional services (Base Architecture §5.16): the job as JSON text, with the columns
  -- that listing (owner, zone, context), optimistic updates (version) and housekeeping need.
  CREATE TABLE jobs (
    seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    id text NOT NULL UNIQUE,
    service text NOT NULL,
    environment_id text NOT NULL REFERENCES environments (id) ON DELETE CASCADE,
    fingerprint text NOT NULL,
    zone_id text NOT NULL,
    context_id text NOT NULL,
    created_at text COLLATE "C" NOT NULL,
    expires_at text COLLATE "C",
    version integer NOT NULL,
    body text NOT NULL
  );
  CREATE INDEX jobs_by_owner ON jobs (environment_id, service, seq);
  CREATE INDEX jobs_by_expiry ON jobs (expires_at) WHERE expires_at IS NOT NULL;
  -- Provision requests (Infrastructure Services §6): pending while decided_at is null.
  CREATE TABLE provision_requests (
    seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    id text NOT NULL UNIQUE,
    environment_id text NOT NULL REFERENCES environments (id) ON DELETE CASCADE,
    created_at text COLLATE "C" NOT NULL,
    decided_at text COLLATE "C",
    assertions text NOT NULL
  );
  CREATE INDEX provision_requests_by_environment ON provision_requests (environment_id, seq);
  CREATE INDEX provision_requests_pending ON provision_requests (seq) WHERE decided_at IS NULL;
  -- SIF 3.5 subscriptions: messageType (EVENT or REQUEST) and serviceSubType; one REQUEST
  -- subscription (one remote provider) per service, zone and context, across instances.
  ALTER TABLE subscriptions ADD COLUMN message_type text CHECK (message_type IN ('EVENT', 'REQUEST')),
    ADD COLUMN service_sub_type text;
  CREATE UNIQUE INDEX subscriptions_one_provider ON subscriptions (service_name, zone_id, context_id) WHERE message_type = 'REQUEST';
  `,
];

/**
 * Brings the schema (the first of the connection's `search_path`) up to date, in one transaction
 * under an advisory lock: of several instances starting at once, one migrates and the others
 * wait, then find nothing left to do. Refuses a schema migrated by a newer sif3-direct.
 *
 * @example
 * await migrate(new PgDb(pool));
 */
export async function migrate(db: PgDb): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.query(`SELECT pg_advisory_xact_lock(${LOCK.migrate}, hashtext(current_schema()))`);
    await tx.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version integer PRIMARY KEY,
      applied_at timestamptz NOT NULL DEFAULT now()
    )`);
    const { rows } = await tx.query<{ version: number | null }>('SELECT max(version) AS version FROM schema_migrations');
    const current = rows[0]?.version ?? 0;
    if (current > MIGRATIONS.length) {
      throw new Error(`state database schema version ${current} is newer than this sif3-direct (${MIGRATIONS.length})`);
    }
    for (let v = current; v < MIGRATIONS.length; v++) {
      // Migrations are constant text of this module: no parameters, several statements each.
      await tx.query(MIGRATIONS[v]!);
      await tx.query('INSERT INTO schema_migrations (version) VALUES ($1)', [v + 1]);
    }
    // The change log's one row, with a random epoch drawn here rather than by an extension.
    await tx.query('INSERT INTO change_log (epoch) VALUES ($1) ON CONFLICT (singleton) DO NOTHING', [newEpoch()]);
  });
}

/**
 * A random change-log epoch: 16 hex digits, drawn in Node (no pgcrypto needed).
 *
 * @example
 * newEpoch(); // '9f86d081884c7d65'
 */
export function newEpoch(): string {
  return randomBytes(8).toString('hex');
}
