#ifndef SQLITE_FLOOR_H
#define SQLITE_FLOOR_H

#include <stdint.h>

/// Opens `path` in WAL mode with the given synchronous level ("NORMAL" or
/// "FULL"), creates a one-row table `cells(closure_id, name, value)` shaped
/// like Cellar's, and runs `count` autocommit `UPDATE ... SET value = value + 1`
/// statements through one reused prepared statement.
/// Returns the elapsed nanoseconds, or -1 on any SQLite error.
int64_t floor_update_loop(const char *path, const char *synchronous, int64_t count);

#endif
