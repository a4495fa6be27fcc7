#ifndef POSTGRESQL_FLOOR_H
#define POSTGRESQL_FLOOR_H

#include <stdint.h>

/// The PostgreSQL floor: the work Cellar's PostgreSQL backend does, done by
/// C calling libpq directly, with statements prepared once, on a store Cellar
/// created (its schema and rows), one cell addressed by instance id, name
/// and, for the in-place cases, the `seq` of its one row. Each function
/// returns the elapsed nanoseconds of its loop, or -1 after printing
/// libpq's error to stderr.

typedef struct PGFloor PGFloor;

/// Connects with `conninfo` (a libpq URL), sets `search_path` to `schema`
/// and `synchronous_commit` to `synchronous_commit` ("on" or "off").
/// NULL on failure.
PGFloor *pgfloor_connect(const char *conninfo, const char *schema, const char *synchronous_commit);
void pgfloor_close(PGFloor *floor);

/// The row id of instance `factory`/`key` and the `seq` of its cell
/// `name`'s newest row; 0 on success, -1 on failure.
int pgfloor_cell_row(PGFloor *floor, const char *factory, const char *key, const char *name, int64_t *instance_id,
                     int64_t *seq);

/// `count` read-modify-writes of the cell in Cellar's two round trips (libpq
/// pipeline mode): `BEGIN`, `SELECT … FOR UPDATE` of the instance and the
/// `SELECT` of the cell's value; then the `UPDATE` of the value plus one
/// and `COMMIT`.
int64_t pgfloor_pipelined_updates(PGFloor *floor, int64_t instance_id, const char *name, int64_t seq, int64_t count);

/// The same, the naive way: `BEGIN`, `SELECT … FOR UPDATE` of the value,
/// `UPDATE`, `COMMIT`, one round trip each.
int64_t pgfloor_naive_updates(PGFloor *floor, int64_t instance_id, const char *name, int64_t seq, int64_t count);

/// The same, optimistically: an autocommit `SELECT` of the value, then an
/// autocommit `UPDATE … WHERE` the value is still the one read (read again
/// and retried when it is not): two round trips, no lock, no `BEGIN`.
int64_t pgfloor_optimistic_updates(PGFloor *floor, int64_t instance_id, const char *name, int64_t seq, int64_t count);

/// The same change with Cellar's own statements, in its two round trips:
/// `BEGIN`, the shared lock on `schema`'s change numbers, the instance's
/// advisory lock, the instance's last sequence and the cell's newest
/// version; then the `UPDATE` that rewrites the version with a new change
/// number, the `pg_notify` on `channel` and `COMMIT`.
int64_t pgfloor_cellar_statement_updates(PGFloor *floor, const char *schema, const char *channel, int64_t instance_id,
                                         const char *name, int64_t seq, int64_t count);

/// `count` autocommit `SELECT`s of the cell's newest value, summed into `*sum`.
int64_t pgfloor_reads(PGFloor *floor, int64_t instance_id, const char *name, int64_t count, int64_t *sum);

/// `count` lookups a restore of an existing key makes, each two autocommit
/// `SELECT`s: the instance by factory and key, then its cell's newest
/// value (summed into `*sum`).
int64_t pgfloor_restore_lookups(PGFloor *floor, const char *factory, const char *key, const char *name, int64_t count,
                                int64_t *sum);

/// `clients` threads, each with a connection of its own, each running
/// `pgfloor_pipelined_updates` `count_each` times on its own instance
/// (`instance_ids[i]`, whose cell `name` has one row, `seqs[i]`), or, when
/// `channel` is not NULL, `pgfloor_cellar_statement_updates` notifying
/// `channel`: the elapsed nanoseconds from the first thread's start to the
/// last one's end.
int64_t pgfloor_clients(const char *conninfo, const char *schema, const char *synchronous_commit, int clients,
                        const int64_t *instance_ids, const int64_t *seqs, const char *name, const char *channel,
                        int64_t count_each);

#endif
