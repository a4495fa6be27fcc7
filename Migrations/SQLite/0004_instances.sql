-- Cellar schema, version 4: one word for what a key names, an instance.
--
-- The closures a factory returns are code; what the store keeps for a key is
-- an instance of the factory. Tables, columns and indexes say so. Renaming
-- keeps every row, the AUTOINCREMENT counter and the foreign keys; the view
-- and the index that name the old columns are made again.
DROP VIEW cells;
DROP INDEX closures_by_key;
ALTER TABLE closures RENAME TO instances;
ALTER TABLE cell_versions RENAME COLUMN closure_id TO instance_id;
ALTER TABLE snapshot_closures RENAME TO snapshot_instances;

CREATE INDEX instances_by_key ON instances (factory, key, state_version, records_history, history_since_seq, created_at);

-- Each cell's current value: what `sqlite3` users look at.
CREATE VIEW cells AS
SELECT instance_id, name, type, encoding, value FROM cell_versions AS version
WHERE removed = 0
  AND seq = (SELECT max(seq) FROM cell_versions WHERE instance_id = version.instance_id AND name = version.name);
