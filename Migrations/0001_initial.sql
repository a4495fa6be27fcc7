-- Cellar schema, version 1: closures (one row per factory and key) and their cells.
--
-- 'CELR' in the file header marks a Cellar store, so that Cellar refuses
-- SQLite files that belong to someone else.
PRAGMA application_id = 1128614994;

-- One row per applied migration; the Migrator writes it in the same
-- transaction as the migration itself.
CREATE TABLE cellar_migrations (
    version INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    applied_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
) STRICT;

-- A closure instance: what factory `factory` built for `key`.
-- `state_version` is the factory's state version the cells are shaped for.
-- AUTOINCREMENT: an id is never reused, so a process still holding the
-- cells of a deleted instance can never write into a newer one.
CREATE TABLE closures (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    factory TEXT NOT NULL,
    key TEXT NOT NULL,
    state_version INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    UNIQUE (factory, key)
) STRICT;

-- A captured variable of a closure instance.
-- `value` holds integers, reals, text and blobs as themselves ('native') or a
-- Codable value as JSON text ('json'); `type` is the Swift type's name.
CREATE TABLE cells (
    closure_id INTEGER NOT NULL REFERENCES closures (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    type TEXT NOT NULL,
    encoding TEXT NOT NULL CHECK (encoding IN ('native', 'json')),
    value ANY,
    PRIMARY KEY (closure_id, name)
) STRICT, WITHOUT ROWID;
