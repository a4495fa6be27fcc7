-- Cellar schema, version 3: the history of every cell change.

-- Whether the instance's factory records history (a factory can switch it
-- off), and where its exact history begins: pruning before sequence number
-- S keeps only each cell's last row before S, so rewinding to S - 1 or
-- later stays exact and earlier is refused.
ALTER TABLE closures ADD COLUMN records_history INTEGER NOT NULL DEFAULT 1;
ALTER TABLE closures ADD COLUMN history_since_seq INTEGER NOT NULL DEFAULT 0;

-- One row per committed change to a cell, written by the same transaction
-- as the change: the cell's new type and value (or `removed`, when the
-- change took the cell away) and the operation that made it, e.g. 'deposit'.
--
-- Keyed by instance and its own sequence number (1, 2, 3... per instance),
-- and stored WITHOUT ROWID in that order: a change appends one row at the
-- end of its instance's range, so a commit writes one more page, and an
-- instance's history is one range to read. Instance ids are never reused,
-- so rows of deleted instances stay apart until pruned.
CREATE TABLE history (
    closure_id INTEGER NOT NULL,
    seq INTEGER NOT NULL,
    name TEXT NOT NULL,
    type TEXT NOT NULL,
    encoding TEXT NOT NULL CHECK (encoding IN ('native', 'json')),
    value ANY,
    removed INTEGER NOT NULL DEFAULT 0 CHECK (removed IN (0, 1)),
    operation TEXT,
    -- Milliseconds since 1970 (UTC): cheaper to write on every change than text.
    at INTEGER NOT NULL DEFAULT (CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)),
    PRIMARY KEY (closure_id, seq)
) STRICT, WITHOUT ROWID;
