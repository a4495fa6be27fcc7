-- Cellar schema, version 2: named snapshots of the whole store.
--
-- A snapshot is a full copy of every instance and cell at the moment it was
-- taken, kept in the same file: restoring one needs nothing else, and no
-- later pruning or change can harm it. `automatic` marks the snapshots
-- Cellar keeps of the state just before a restore, so a restore can be undone.
CREATE TABLE snapshots (
    name TEXT PRIMARY KEY,
    created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    automatic INTEGER NOT NULL DEFAULT 0 CHECK (automatic IN (0, 1))
) STRICT;

CREATE TABLE snapshot_closures (
    snapshot TEXT NOT NULL REFERENCES snapshots (name) ON DELETE CASCADE,
    factory TEXT NOT NULL,
    key TEXT NOT NULL,
    state_version INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (snapshot, factory, key)
) STRICT, WITHOUT ROWID;

CREATE TABLE snapshot_cells (
    snapshot TEXT NOT NULL,
    factory TEXT NOT NULL,
    key TEXT NOT NULL,
    name TEXT NOT NULL,
    type TEXT NOT NULL,
    encoding TEXT NOT NULL,
    value ANY,
    PRIMARY KEY (snapshot, factory, key, name),
    FOREIGN KEY (snapshot, factory, key) REFERENCES snapshot_closures (snapshot, factory, key) ON DELETE CASCADE
) STRICT, WITHOUT ROWID;
