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
];
