/**
 * Schema migrations, applied in order. `PRAGMA user_version` records how many have run; a migration
 * is never edited once released, only followed by a new one.
 */
export const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE environments (
    id TEXT PRIMARY KEY,
    fingerprint TEXT NOT NULL UNIQUE,
    session_token_hash TEXT UNIQUE,
    token_salt TEXT NOT NULL,
    identity_key TEXT NOT NULL UNIQUE,
    application_key TEXT NOT NULL,
    instance_id TEXT,
    user_token TEXT,
    solution_id TEXT,
    authentication_method TEXT NOT NULL,
    consumer_name TEXT,
    application_info TEXT NOT NULL,
    provisioning TEXT NOT NULL,
    created_at TEXT NOT NULL
  ) STRICT;

  CREATE TABLE alerts (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    environment_id TEXT NOT NULL REFERENCES environments(id) ON DELETE CASCADE,
    created_at TEXT NOT NULL,
    body TEXT NOT NULL
  ) STRICT;
  CREATE INDEX alerts_by_environment ON alerts(environment_id, seq);
  `,
  `
  CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) STRICT;
  INSERT INTO meta (key, value) VALUES ('epoch', lower(hex(randomblob(8)))), ('changes_latest', '0'), ('changes_pruned_through', '0');

  CREATE TABLE changes (
    seq INTEGER PRIMARY KEY,
    service TEXT NOT NULL,
    object_id TEXT NOT NULL,
    action TEXT NOT NULL CHECK (action IN ('CREATE', 'UPDATE', 'DELETE')),
    at TEXT NOT NULL
  ) STRICT;
  CREATE INDEX changes_by_service ON changes(service, seq);
  CREATE INDEX changes_by_time ON changes(at);

  CREATE TABLE snapshots (
    navigation_id TEXT PRIMARY KEY,
    environment_id TEXT NOT NULL REFERENCES environments(id) ON DELETE CASCADE,
    service TEXT NOT NULL,
    total INTEGER NOT NULL,
    expires_at TEXT NOT NULL
  ) STRICT;
  CREATE INDEX snapshots_by_expiry ON snapshots(expires_at);
  CREATE INDEX snapshots_by_environment ON snapshots(environment_id);
  CREATE TABLE snapshot_items (
    navigation_id TEXT NOT NULL REFERENCES snapshots(navigation_id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    object_id TEXT NOT NULL,
    PRIMARY KEY (navigation_id, position)
  ) STRICT, WITHOUT ROWID;
  `,
  `
  CREATE TABLE queues (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    environment_id TEXT NOT NULL REFERENCES environments(id) ON DELETE CASCADE,
    name TEXT,
    polling TEXT NOT NULL CHECK (polling IN ('IMMEDIATE', 'LONG')),
    idle_timeout INTEGER NOT NULL,
    min_wait_time INTEGER NOT NULL,
    max_connections INTEGER NOT NULL,
    created TEXT NOT NULL,
    last_accessed TEXT NOT NULL,
    last_modified TEXT NOT NULL,
    last_polled TEXT NOT NULL,
    alerted_at TEXT,
    message_count INTEGER NOT NULL DEFAULT 0
  ) STRICT;
  CREATE INDEX queues_by_environment ON queues(environment_id, seq);

  CREATE TABLE queue_messages (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    queue_id TEXT NOT NULL REFERENCES queues(id) ON DELETE CASCADE,
    created_at TEXT NOT NULL,
    headers TEXT NOT NULL,
    body_kind TEXT NOT NULL CHECK (body_kind IN ('encoded', 'payload', 'empty')),
    content_type TEXT,
    body BLOB,
    connection_id TEXT
  ) STRICT;
  CREATE INDEX queue_messages_in_order ON queue_messages(queue_id, seq);
  CREATE INDEX queue_messages_by_time ON queue_messages(created_at);
  -- The count every poll and depth check reads, kept by the database itself rather than counted.
  CREATE TRIGGER queue_message_added AFTER INSERT ON queue_messages BEGIN
    UPDATE queues SET message_count = message_count + 1, last_modified = NEW.created_at WHERE id = NEW.queue_id;
  END;
  CREATE TRIGGER queue_message_removed AFTER DELETE ON queue_messages BEGIN
    UPDATE queues SET message_count = message_count - 1 WHERE id = OLD.queue_id;
  END;

  CREATE TABLE subscriptions (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    environment_id TEXT NOT NULL REFERENCES environments(id) ON DELETE CASCADE,
    queue_id TEXT NOT NULL REFERENCES queues(id) ON DELETE CASCADE,
    zone_id TEXT NOT NULL,
    context_id TEXT NOT NULL,
    service_type TEXT NOT NULL,
    service_name TEXT NOT NULL,
    created_at TEXT NOT NULL,
    UNIQUE (environment_id, service_name, zone_id, context_id, service_type)
  ) STRICT;
  CREATE INDEX subscriptions_by_service ON subscriptions(service_name);
  CREATE INDEX subscriptions_by_queue ON subscriptions(queue_id);

  CREATE TABLE delayed_requests (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    environment_id TEXT NOT NULL REFERENCES environments(id) ON DELETE CASCADE,
    queue_id TEXT NOT NULL REFERENCES queues(id) ON DELETE CASCADE,
    created_at TEXT NOT NULL,
    method TEXT NOT NULL,
    url TEXT NOT NULL,
    headers TEXT NOT NULL,
    body BLOB NOT NULL,
    base_url TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('pending', 'deferred')),
    progress TEXT NOT NULL
  ) STRICT;
  CREATE INDEX delayed_by_state ON delayed_requests(state, seq);
  CREATE INDEX delayed_by_queue ON delayed_requests(queue_id);
  `,
  `
  -- Snapshots kept compactly: ids in chunks of 1,000 (one row per chunk, not one per id).
  DROP TABLE snapshot_items;
  DELETE FROM snapshots;
  CREATE TABLE snapshot_chunks (
    navigation_id TEXT NOT NULL REFERENCES snapshots(navigation_id) ON DELETE CASCADE,
    chunk INTEGER NOT NULL,
    ids TEXT NOT NULL,
    PRIMARY KEY (navigation_id, chunk)
  ) STRICT, WITHOUT ROWID;
  -- Quotas count environments per application key.
  CREATE INDEX environments_by_application ON environments(application_key);
  `,
  `
  -- Leases of delayed requests (claimDelayedRequest): who runs one, and until when.
  ALTER TABLE delayed_requests ADD COLUMN lease_owner TEXT;
  ALTER TABLE delayed_requests ADD COLUMN lease_until TEXT;
  `,
  `
  -- Jobs of functional services (Base Architecture §5.16): the job as JSON, with the columns that
  -- listing (owner, zone, context), optimistic updates (version) and housekeeping (expires_at) need.
  CREATE TABLE jobs (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    service TEXT NOT NULL,
    environment_id TEXT NOT NULL REFERENCES environments(id) ON DELETE CASCADE,
    fingerprint TEXT NOT NULL,
    zone_id TEXT NOT NULL,
    context_id TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT,
    version INTEGER NOT NULL,
    body TEXT NOT NULL
  ) STRICT;
  CREATE INDEX jobs_by_owner ON jobs(environment_id, service, seq);
  CREATE INDEX jobs_by_expiry ON jobs(expires_at) WHERE expires_at IS NOT NULL;
  -- Provision requests (Infrastructure Services §6): pending while decided_at is null.
  CREATE TABLE provision_requests (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    environment_id TEXT NOT NULL REFERENCES environments(id) ON DELETE CASCADE,
    created_at TEXT NOT NULL,
    decided_at TEXT,
    assertions TEXT NOT NULL
  ) STRICT;
  CREATE INDEX provision_requests_by_environment ON provision_requests(environment_id, seq);
  CREATE INDEX provision_requests_pending ON provision_requests(seq) WHERE decided_at IS NULL;
  -- SIF 3.5 subscriptions: messageType (EVENT or REQUEST) and serviceSubType; one REQUEST
  -- subscription (one remote provider) per service, zone and context.
  ALTER TABLE subscriptions ADD COLUMN message_type TEXT CHECK (message_type IN ('EVENT', 'REQUEST'));
  ALTER TABLE subscriptions ADD COLUMN service_sub_type TEXT;
  CREATE UNIQUE INDEX subscriptions_one_provider ON subscriptions(service_name, zone_id, context_id) WHERE message_type = 'REQUEST';
  `,
];
