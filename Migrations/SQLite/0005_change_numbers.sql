-- Cellar schema, version 5: a store-wide number for every change, so that
-- a watcher sees changes in the order they committed and can resume after
-- any of them.
--
-- Each cell version carries the number of the change that wrote it (NULL
-- for versions written before this schema): a version that is rewritten in
-- place, without history, gets a new one. The number is not indexed: an
-- index, or a counter row, would make every commit write a second page,
-- which measured 40% slower per update. Which instances a change touched
-- is found instead through the journal that writers keep beside the file
-- (`STORE-changes`, shared memory, rebuilt at will); this table keeps what
-- that journal cannot lose: a number that no committed change exceeds,
-- raised a block at a time, so that numbering restarts above every
-- committed change after a reboot.
ALTER TABLE cell_versions ADD COLUMN change INTEGER;

CREATE TABLE change_numbers (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    -- Tells this store's journal from a stale one left by another file at the same path.
    store_id TEXT NOT NULL,
    reserved INTEGER NOT NULL
) STRICT;
INSERT INTO change_numbers (id, store_id, reserved) VALUES (1, lower(hex(randomblob(16))), 0);

-- A deleted instance leaves no cell versions: this row is the change that
-- deleted it, for watchers, including those that resume later.
CREATE TABLE instance_deletions (
    change INTEGER PRIMARY KEY,
    instance_id INTEGER NOT NULL,
    factory TEXT NOT NULL,
    key TEXT NOT NULL,
    -- Milliseconds since 1970 (UTC).
    at INTEGER NOT NULL
) STRICT;
