#ifndef SQLITE_FLOOR_H
#define SQLITE_FLOOR_H

#include <stdint.h>

/// The floor: the work Cellar does, done by C calling libsqlite3 directly,
/// with prepared statements made once and reused.
///
/// Every function works on a file Cellar created (so the schema and the file
/// settings are Cellar's own) and on one cell's rows in `cell_versions`,
/// addressed by instance id, cell name and, for the in-place cases, the `seq`
/// of its one row. Each returns the elapsed nanoseconds of its loop, or -1
/// after printing the SQLite error to stderr.

typedef struct FloorDatabase FloorDatabase;

/// Opens `path` read-write with `PRAGMA synchronous = <synchronous>`
/// ("NORMAL" or "FULL"); the file must already be in WAL mode. Waits for
/// other processes' locks with sleeps of 1 ms to 5 ms, as Cellar does.
/// NULL on failure.
FloorDatabase *floor_open(const char *path, const char *synchronous);
void floor_close(FloorDatabase *database);

/// `count` autocommit `UPDATE cell_versions SET value = value + 1` of one row.
int64_t floor_update_in_place(FloorDatabase *database, int64_t instance_id, const char *name, int64_t seq,
                              int64_t count);

/// `count` autocommit `UPDATE`s like `floor_update_in_place`'s, of the
/// rows of `rows` instances in turn: what many writers of distinct
/// instances cost when every update pays its own commit.
int64_t floor_update_rows_in_turn(FloorDatabase *database, const int64_t *instance_ids, int64_t rows,
                                  const char *name, int64_t seq, int64_t count);

/// `count` autocommit `INSERT`s of a cell's next version (value and seq one
/// more than the last), the way a cell that records history changes.
int64_t floor_append_versions(FloorDatabase *database, int64_t instance_id, const char *name, int64_t first_seq,
                              int64_t first_value, int64_t count);

/// `count` in-place updates inside one `BEGIN IMMEDIATE` ... `COMMIT`.
int64_t floor_updates_in_one_transaction(FloorDatabase *database, int64_t instance_id, const char *name, int64_t seq,
                                         int64_t count);

/// `count` autocommit `SELECT`s of the cell's newest value; their sum goes
/// to `*sum`, so the reads cannot be optimized away and can be checked.
int64_t floor_read_newest(FloorDatabase *database, int64_t instance_id, const char *name, int64_t count,
                          int64_t *sum);

/// `count` read-modify-writes: `BEGIN IMMEDIATE`, `SELECT` the value, `UPDATE`
/// it to one more, `COMMIT`; what several processes sharing a counter do.
int64_t floor_read_modify_write(FloorDatabase *database, int64_t instance_id, const char *name, int64_t seq,
                                int64_t count);

/// What restoring an instance reads, for each of `count` keys "key-<index>"
/// of factory `factory`: in one `BEGIN IMMEDIATE` ... `COMMIT`, the instance's
/// row by factory and key, then the newest value of its cell `name`.
/// `*found` counts the instances found.
int64_t floor_restore_lookups(FloorDatabase *database, const char *factory, const char *name,
                              const int64_t *indices, int64_t count, int64_t *found);

#endif
