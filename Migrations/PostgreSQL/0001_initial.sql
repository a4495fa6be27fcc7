-- Cellar schema for PostgreSQL, version 1: everything the SQLite schema has
-- reached by its version 4, in PostgreSQL's own types, in the schema the
-- store's URL names (`?schema=NAME`, else `public`).

-- One row per applied migration, written in the migration's transaction.
CREATE TABLE cellar_migrations (
    version integer PRIMARY KEY,
    name text NOT NULL,
    applied_at text NOT NULL DEFAULT to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')
);

-- An instance: what factory `factory` built for `key`. The identity is never
-- reused, so a process still holding cells of a deleted instance can never
-- write into a newer one of the same name.
CREATE TABLE instances (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    factory text NOT NULL,
    key text NOT NULL,
    state_version integer NOT NULL DEFAULT 0,
    created_at text NOT NULL DEFAULT to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
    records_history boolean NOT NULL DEFAULT true,
    history_since_seq bigint NOT NULL DEFAULT 0,
    UNIQUE (factory, key)
);

-- Every version of every cell: the history. A cell's value is its newest
-- row unless that row says it was removed. The value is in the column of
-- its kind (`kind` says which; all are NULL for null and for a removal):
-- integers as bigint, reals as double precision, text as text, bytes as
-- bytea, and Codable values (`encoding = 'json'`) as json, so that psql
-- shows each as itself. json, not jsonb: json keeps the text exactly as
-- Cellar wrote it (jsonb reorders keys and respaces it), so a value reads
-- back byte for byte, as on SQLite, and an update that changes nothing
-- writes nothing. Cast to jsonb to index or query it.
CREATE TABLE cell_versions (
    instance_id bigint NOT NULL REFERENCES instances (id) ON DELETE CASCADE,
    name text NOT NULL,
    seq bigint NOT NULL,
    type text NOT NULL,
    encoding text NOT NULL CHECK (encoding IN ('native', 'json')),
    kind text NOT NULL CHECK (kind IN ('null', 'integer', 'real', 'text', 'blob')),
    integer_value bigint,
    real_value double precision,
    text_value text,
    blob_value bytea,
    json_value json,
    removed boolean NOT NULL DEFAULT false,
    operation text,
    -- Milliseconds since 1970 (UTC).
    at bigint NOT NULL DEFAULT (extract(epoch FROM clock_timestamp()) * 1000)::bigint,
    PRIMARY KEY (instance_id, name, seq)
);

-- An instance's versions in the order they were written: its history, its
-- last sequence.
CREATE INDEX cell_versions_by_seq ON cell_versions (instance_id, seq);

-- Each cell's current value.
CREATE VIEW cells AS
SELECT DISTINCT ON (instance_id, name)
       instance_id, name, type, encoding, kind, integer_value, real_value, text_value, blob_value, json_value, removed
FROM cell_versions
ORDER BY instance_id, name, seq DESC;

-- Named snapshots: full copies, kept in the same schema.
-- `taken` orders them as they were taken: several can share a millisecond.
CREATE TABLE snapshots (
    name text PRIMARY KEY,
    taken bigint GENERATED ALWAYS AS IDENTITY,
    created_at text NOT NULL DEFAULT to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
    automatic boolean NOT NULL DEFAULT false
);

CREATE TABLE snapshot_instances (
    snapshot text NOT NULL REFERENCES snapshots (name) ON DELETE CASCADE,
    factory text NOT NULL,
    key text NOT NULL,
    state_version integer NOT NULL,
    created_at text NOT NULL,
    PRIMARY KEY (snapshot, factory, key)
);

CREATE TABLE snapshot_cells (
    snapshot text NOT NULL,
    factory text NOT NULL,
    key text NOT NULL,
    name text NOT NULL,
    type text NOT NULL,
    encoding text NOT NULL,
    kind text NOT NULL,
    integer_value bigint,
    real_value double precision,
    text_value text,
    blob_value bytea,
    json_value json,
    PRIMARY KEY (snapshot, factory, key, name),
    FOREIGN KEY (snapshot, factory, key) REFERENCES snapshot_instances (snapshot, factory, key) ON DELETE CASCADE
);
