#include "SQLiteFloor.h"

#include <sqlite3.h>
#include <stdio.h>
#include <time.h>

static int64_t now_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}

static int exec(sqlite3 *db, const char *sql) {
    char *message = NULL;
    int code = sqlite3_exec(db, sql, NULL, NULL, &message);
    if (code != SQLITE_OK) {
        fprintf(stderr, "floor: %s: %s\n", sql, message);
        sqlite3_free(message);
    }
    return code;
}

int64_t floor_update_loop(const char *path, const char *synchronous, int64_t count) {
    sqlite3 *db = NULL;
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
        sqlite3_close(db);
        return -1;
    }
    char pragma[64];
    snprintf(pragma, sizeof pragma, "PRAGMA synchronous = %s", synchronous);
    if (exec(db, "PRAGMA journal_mode = WAL") || exec(db, pragma)
        || exec(db, "CREATE TABLE IF NOT EXISTS cells (closure_id INTEGER NOT NULL, name TEXT NOT NULL, "
                    "type TEXT NOT NULL, encoding TEXT NOT NULL, value ANY, PRIMARY KEY (closure_id, name)) STRICT, WITHOUT ROWID")
        || exec(db, "INSERT OR REPLACE INTO cells VALUES (1, 'count', 'Int', 'native', 0)")) {
        sqlite3_close(db);
        return -1;
    }
    sqlite3_stmt *update = NULL;
    if (sqlite3_prepare_v3(db, "UPDATE cells SET value = value + 1 WHERE closure_id = ?1 AND name = ?2",
                           -1, SQLITE_PREPARE_PERSISTENT, &update, NULL) != SQLITE_OK) {
        sqlite3_close(db);
        return -1;
    }
    int64_t start = now_ns();
    for (int64_t i = 0; i < count; i++) {
        sqlite3_bind_int64(update, 1, 1);
        sqlite3_bind_text(update, 2, "count", -1, SQLITE_STATIC);
        if (sqlite3_step(update) != SQLITE_DONE) {
            sqlite3_finalize(update);
            sqlite3_close(db);
            return -1;
        }
        sqlite3_reset(update);
    }
    int64_t elapsed = now_ns() - start;
    sqlite3_finalize(update);
    sqlite3_close(db);
    return elapsed;
}
