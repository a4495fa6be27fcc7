#include "SQLiteFloor.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

struct FloorDatabase {
    sqlite3 *db;
    int64_t busy_started_ns;
    /// Prepared once, as Cellar prepares them: every write transaction runs both.
    sqlite3_stmt *begin;
    sqlite3_stmt *commit;
};

static int64_t now_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}

static int64_t fail(FloorDatabase *database, const char *what) {
    fprintf(stderr, "floor: %s: %s\n", what, sqlite3_errmsg(database->db));
    return -1;
}

/// Cellar's busy wait, in C: sleeps from about 1 ms, doubling up to 5 ms, for 5 s.
static int wait_while_busy(void *context, int attempt) {
    FloorDatabase *database = context;
    int64_t now = now_ns();
    if (attempt == 0) database->busy_started_ns = now;
    if (now - database->busy_started_ns > 5000000000LL) return 0;
    int64_t base = 1000000LL << (attempt < 3 ? attempt : 3);
    int64_t sleep_ns = base / 2 + (int64_t)(rand() % (int)(base + 1));
    if (sleep_ns > 5000000) sleep_ns = 5000000;
    usleep((useconds_t)(sleep_ns / 1000 + 1));
    return 1;
}

static sqlite3_stmt *prepare(FloorDatabase *database, const char *sql) {
    sqlite3_stmt *statement = NULL;
    if (sqlite3_prepare_v3(database->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &statement, NULL) != SQLITE_OK) {
        fail(database, sql);
        return NULL;
    }
    return statement;
}

FloorDatabase *floor_open(const char *path, const char *synchronous) {
    FloorDatabase *database = calloc(1, sizeof *database);
    if (sqlite3_open_v2(path, &database->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
        fail(database, path);
        floor_close(database);
        return NULL;
    }
    sqlite3_busy_handler(database->db, wait_while_busy, database);
    char pragma[64];
    snprintf(pragma, sizeof pragma, "PRAGMA synchronous = %s", synchronous);
    if (sqlite3_exec(database->db, pragma, NULL, NULL, NULL) != SQLITE_OK) {
        fail(database, pragma);
        floor_close(database);
        return NULL;
    }
    database->begin = prepare(database, "BEGIN IMMEDIATE");
    database->commit = prepare(database, "COMMIT");
    if (database->begin == NULL || database->commit == NULL) {
        floor_close(database);
        return NULL;
    }
    return database;
}

void floor_close(FloorDatabase *database) {
    if (database == NULL) return;
    sqlite3_finalize(database->begin);
    sqlite3_finalize(database->commit);
    sqlite3_close_v2(database->db);
    free(database);
}

/// Runs a statement that returns no rows; SQLITE_OK or the error code.
static int run(sqlite3_stmt *statement) {
    int code = sqlite3_step(statement);
    sqlite3_reset(statement);
    return code == SQLITE_DONE ? SQLITE_OK : code;
}

static const char *update_sql =
    "UPDATE cell_versions SET value = value + 1 WHERE instance_id = ?1 AND name = ?2 AND seq = ?3";

static int64_t update_loop(FloorDatabase *database, int64_t instance_id, const char *name, int64_t seq,
                           int64_t count, int in_one_transaction) {
    sqlite3_stmt *update = prepare(database, update_sql);
    sqlite3_stmt *begin = database->begin, *commit = database->commit;
    int64_t elapsed = -1;
    if (update && begin && commit) {
        int64_t start = now_ns();
        int ok = !in_one_transaction || run(begin) == SQLITE_OK;
        for (int64_t i = 0; ok && i < count; i++) {
            sqlite3_bind_int64(update, 1, instance_id);
            sqlite3_bind_text(update, 2, name, -1, SQLITE_STATIC);
            sqlite3_bind_int64(update, 3, seq);
            ok = run(update) == SQLITE_OK && sqlite3_changes(database->db) == 1;
        }
        ok = ok && (!in_one_transaction || run(commit) == SQLITE_OK);
        elapsed = ok ? now_ns() - start : fail(database, "update");
    }
    sqlite3_finalize(update);
    return elapsed;
}

int64_t floor_update_in_place(FloorDatabase *database, int64_t instance_id, const char *name, int64_t seq,
                              int64_t count) {
    return update_loop(database, instance_id, name, seq, count, 0);
}

int64_t floor_updates_in_one_transaction(FloorDatabase *database, int64_t instance_id, const char *name, int64_t seq,
                                         int64_t count) {
    return update_loop(database, instance_id, name, seq, count, 1);
}

int64_t floor_update_rows_in_turn(FloorDatabase *database, const int64_t *instance_ids, int64_t rows,
                                  const char *name, int64_t seq, int64_t count) {
    sqlite3_stmt *update = prepare(database, update_sql);
    if (update == NULL) return -1;
    int64_t start = now_ns();
    int ok = 1;
    for (int64_t i = 0; ok && i < count; i++) {
        sqlite3_bind_int64(update, 1, instance_ids[i % rows]);
        sqlite3_bind_text(update, 2, name, -1, SQLITE_STATIC);
        sqlite3_bind_int64(update, 3, seq);
        ok = run(update) == SQLITE_OK && sqlite3_changes(database->db) == 1;
    }
    int64_t elapsed = ok ? now_ns() - start : fail(database, "update");
    sqlite3_finalize(update);
    return elapsed;
}

int64_t floor_append_versions(FloorDatabase *database, int64_t instance_id, const char *name, int64_t first_seq,
                              int64_t first_value, int64_t count) {
    sqlite3_stmt *insert = prepare(database,
        "INSERT INTO cell_versions (instance_id, name, seq, type, encoding, value) VALUES (?1, ?2, ?3, 'Int', 'native', ?4)");
    if (insert == NULL) return -1;
    int64_t start = now_ns();
    int ok = 1;
    for (int64_t i = 0; ok && i < count; i++) {
        sqlite3_bind_int64(insert, 1, instance_id);
        sqlite3_bind_text(insert, 2, name, -1, SQLITE_STATIC);
        sqlite3_bind_int64(insert, 3, first_seq + i);
        sqlite3_bind_int64(insert, 4, first_value + i);
        ok = run(insert) == SQLITE_OK;
    }
    int64_t elapsed = ok ? now_ns() - start : fail(database, "insert");
    sqlite3_finalize(insert);
    return elapsed;
}

int64_t floor_read_newest(FloorDatabase *database, int64_t instance_id, const char *name, int64_t count,
                          int64_t *sum) {
    sqlite3_stmt *select = prepare(database,
        "SELECT value FROM cell_versions WHERE instance_id = ?1 AND name = ?2 ORDER BY seq DESC LIMIT 1");
    if (select == NULL) return -1;
    int64_t total = 0;
    int64_t start = now_ns();
    int ok = 1;
    for (int64_t i = 0; ok && i < count; i++) {
        sqlite3_bind_int64(select, 1, instance_id);
        sqlite3_bind_text(select, 2, name, -1, SQLITE_STATIC);
        ok = sqlite3_step(select) == SQLITE_ROW;
        if (ok) total += sqlite3_column_int64(select, 0);
        sqlite3_reset(select);
    }
    int64_t elapsed = ok ? now_ns() - start : fail(database, "select");
    sqlite3_finalize(select);
    *sum = total;
    return elapsed;
}

int64_t floor_read_modify_write(FloorDatabase *database, int64_t instance_id, const char *name, int64_t seq,
                                int64_t count) {
    sqlite3_stmt *begin = database->begin, *commit = database->commit;
    sqlite3_stmt *select = prepare(database,
        "SELECT value FROM cell_versions WHERE instance_id = ?1 AND name = ?2 AND seq = ?3");
    sqlite3_stmt *update = prepare(database,
        "UPDATE cell_versions SET value = ?4 WHERE instance_id = ?1 AND name = ?2 AND seq = ?3");
    int64_t elapsed = -1;
    if (begin && commit && select && update) {
        int64_t start = now_ns();
        int ok = 1;
        for (int64_t i = 0; ok && i < count; i++) {
            ok = run(begin) == SQLITE_OK;
            if (!ok) break;
            sqlite3_bind_int64(select, 1, instance_id);
            sqlite3_bind_text(select, 2, name, -1, SQLITE_STATIC);
            sqlite3_bind_int64(select, 3, seq);
            ok = sqlite3_step(select) == SQLITE_ROW;
            int64_t value = ok ? sqlite3_column_int64(select, 0) : 0;
            sqlite3_reset(select);
            sqlite3_bind_int64(update, 1, instance_id);
            sqlite3_bind_text(update, 2, name, -1, SQLITE_STATIC);
            sqlite3_bind_int64(update, 3, seq);
            sqlite3_bind_int64(update, 4, value + 1);
            ok = ok && run(update) == SQLITE_OK && run(commit) == SQLITE_OK;
        }
        elapsed = ok ? now_ns() - start : fail(database, "read-modify-write");
        if (!sqlite3_get_autocommit(database->db)) sqlite3_exec(database->db, "ROLLBACK", NULL, NULL, NULL);
    }
    sqlite3_finalize(select);
    sqlite3_finalize(update);
    return elapsed;
}

int64_t floor_restore_lookups(FloorDatabase *database, const char *factory, const char *name,
                              const int64_t *indices, int64_t count, int64_t *found) {
    sqlite3_stmt *begin = database->begin, *commit = database->commit;
    sqlite3_stmt *instance = prepare(database,
        "SELECT id, state_version, records_history FROM instances INDEXED BY instances_by_key WHERE factory = ?1 AND key = ?2");
    sqlite3_stmt *cell = prepare(database,
        "SELECT type, encoding, value FROM cell_versions WHERE instance_id = ?1 AND name = ?2 ORDER BY seq DESC LIMIT 1");
    int64_t elapsed = -1, total = 0;
    if (begin && commit && instance && cell) {
        char key[32];
        int64_t start = now_ns();
        int ok = 1;
        for (int64_t i = 0; ok && i < count; i++) {
            snprintf(key, sizeof key, "key-%lld", (long long)indices[i]);
            ok = run(begin) == SQLITE_OK;
            if (!ok) break;
            sqlite3_bind_text(instance, 1, factory, -1, SQLITE_STATIC);
            sqlite3_bind_text(instance, 2, key, -1, SQLITE_STATIC);
            if (sqlite3_step(instance) == SQLITE_ROW) {
                sqlite3_bind_int64(cell, 1, sqlite3_column_int64(instance, 0));
                sqlite3_bind_text(cell, 2, name, -1, SQLITE_STATIC);
                if (sqlite3_step(cell) == SQLITE_ROW) total++;
                sqlite3_reset(cell);
            }
            sqlite3_reset(instance);
            ok = run(commit) == SQLITE_OK;
        }
        elapsed = ok ? now_ns() - start : fail(database, "restore lookups");
    }
    sqlite3_finalize(instance);
    sqlite3_finalize(cell);
    *found = total;
    return elapsed;
}
