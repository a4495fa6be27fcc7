-- Cellar schema, version 3: restoring an instance reads one index, not two trees.
--
-- `restore` looks an instance up by factory and key. The UNIQUE constraint's
-- index holds only those and the row id, so every restore also read the
-- `closures` row itself: among a million instances, a third of the pages a
-- restore touched. This index holds every column of the row, so the lookup
-- ends in it. It costs about as much space again as the `closures` table.
CREATE INDEX closures_by_key ON closures (factory, key, state_version, records_history, history_since_seq, created_at);
