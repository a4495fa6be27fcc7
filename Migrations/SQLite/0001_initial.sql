-- Cellar schema, version 1: closure instances, and every version of their cells.
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
-- `state_version` is the factory's state version the cells are shaped for;
-- `records_history` whether its factory keeps the history of its cells;
-- `history_since_seq` where that history is exact from: pruning before
-- sequence number S keeps only each cell's last version before S.
-- AUTOINCREMENT: an id is never reused, so a process still holding the
-- cells of a deleted instance can never write into a newer one.
CREATE TABLE closures (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    factory TEXT NOT NULL,
    key TEXT NOT NULL,
    state_version INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    records_history INTEGER NOT NULL DEFAULT 1 CHECK (records_history IN (0, 1)),
    history_since_seq INTEGER NOT NULL DEFAULT 0,
    UNIQUE (factory, key)
) STRICT;

-- The captured variables of the instances, with their history: one row per
-- committed change to a cell. A cell's value is its newest row (unless that
-- row says it was `removed`). `seq` numbers an instance's changes 1, 2, 3...
-- across its cells; `operation` says what made the change, e.g. 'deposit'.
--
-- `value` holds integers, reals, text and blobs as themselves ('native') or
-- a Codable value as JSON text ('json'); `type` is the Swift type's name.
--
-- Ordered by instance, cell and number, WITHOUT ROWID: a change appends its
-- row right after the cell's previous value, on the same page, so keeping
-- history costs a commit about a fifth of a page more (SQLite appends at the
-- end of a page cheaply; prepending, with seq DESC, split pages three times
-- as often). Without history the newest row is updated in place.
CREATE TABLE cell_versions (
    closure_id INTEGER NOT NULL REFERENCES closures (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    seq INTEGER NOT NULL,
    type TEXT NOT NULL,
    encoding TEXT NOT NULL CHECK (encoding IN ('native', 'json')),
    value ANY,
    removed INTEGER NOT NULL DEFAULT 0 CHECK (removed IN (0, 1)),
    operation TEXT,
    -- Milliseconds since 1970 (UTC): cheaper to write on every change than text.
    at INTEGER NOT NULL DEFAULT (CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)),
    PRIMARY KEY (closure_id, name, seq)
) STRICT, WITHOUT ROWID;

-- Each cell's current value: what `sqlite3` users look at.
CREATE VIEW cells AS
SELECT closure_id, name, type, encoding, value FROM cell_versions AS version
WHERE removed = 0
  AND seq = (SELECT max(seq) FROM cell_versions WHERE closure_id = version.closure_id AND name = version.name);
