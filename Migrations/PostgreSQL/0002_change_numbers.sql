-- Cellar schema for PostgreSQL, version 2: a store-wide number for every
-- change, so that watchers on any host see changes in order and can resume
-- after any of them.
--
-- Numbers come from a sequence, so writers of different instances never
-- wait for each other to get one. Sequences hand numbers out in the order
-- writers ask, not in the order they commit: a writer takes a shared
-- advisory lock before its first number, and a watcher that takes the lock
-- exclusively for a moment knows that every number handed out before it
-- has committed or never will.
CREATE SEQUENCE change_numbers;

-- NULL for versions written before this schema. A version rewritten in
-- place (no history) gets a new number.
ALTER TABLE cell_versions ADD COLUMN change bigint;
ALTER TABLE cell_versions ALTER COLUMN change SET DEFAULT nextval('change_numbers');
CREATE INDEX cell_versions_by_change ON cell_versions (change);

-- A deleted instance leaves no cell versions: this row is the change that
-- deleted it, for watchers, including those that resume later.
CREATE TABLE instance_deletions (
    change bigint PRIMARY KEY DEFAULT nextval('change_numbers'),
    instance_id bigint NOT NULL,
    factory text NOT NULL,
    key text NOT NULL,
    -- Milliseconds since 1970 (UTC).
    at bigint NOT NULL DEFAULT (extract(epoch FROM clock_timestamp()) * 1000)::bigint
);
