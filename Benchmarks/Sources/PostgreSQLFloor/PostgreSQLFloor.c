#include "PostgreSQLFloor.h"

#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libpq-fe.h>

struct PGFloor {
    PGconn *connection;
};

static int64_t now_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}

static int64_t fail(PGFloor *floor, const char *what) {
    fprintf(stderr, "PostgreSQL floor: %s: %s", what, PQerrorMessage(floor->connection));
    return -1;
}

/// Whether `result` is a success; clears it either way.
static int succeeded(PGresult *result) {
    ExecStatusType status = result ? PQresultStatus(result) : PGRES_FATAL_ERROR;
    PQclear(result);
    return status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK;
}

static const char *statements[][2] = {
    {"begin", "BEGIN"},
    {"commit", "COMMIT"},
    {"lock", "SELECT 1 FROM instances WHERE id = $1 FOR UPDATE"},
    {"value", "SELECT integer_value FROM cell_versions WHERE instance_id = $1 AND name = $2 ORDER BY seq DESC LIMIT 1"},
    {"value_for_update", "SELECT integer_value FROM cell_versions WHERE instance_id = $1 AND name = $2 AND seq = $3 FOR UPDATE"},
    {"write", "UPDATE cell_versions SET integer_value = $4 WHERE instance_id = $1 AND name = $2 AND seq = $3"},
    {"write_if", "UPDATE cell_versions SET integer_value = $4 WHERE instance_id = $1 AND name = $2 AND seq = $3 AND integer_value = $5"},
    {"instance", "SELECT id, state_version, records_history FROM instances WHERE factory = $1 AND key = $2"},
    // Cellar's own statements for an update without history, word for word.
    {"cellar_lock_changes", "SELECT pg_advisory_xact_lock_shared(hashtext($1), -1)"},
    {"cellar_lock_instance", "SELECT pg_advisory_xact_lock(hashtext($1), ($2::bigint % 2147483647)::integer)"},
    {"cellar_last_sequence", "SELECT coalesce(max(seq), 0) FROM cell_versions WHERE instance_id = $1"},
    {"cellar_newest_version",
     "SELECT instance_id, seq, name, type, encoding, removed, operation, at, kind, integer_value, real_value, text_value, "
     "blob_value, json_value::text FROM cell_versions WHERE instance_id = $1 AND name = $2 ORDER BY seq DESC LIMIT 1"},
    {"cellar_rewrite",
     "UPDATE cell_versions SET operation = $4, at = (extract(epoch FROM clock_timestamp()) * 1000)::bigint, "
     "change = nextval('change_numbers'), kind = $5, integer_value = $6, real_value = $7, text_value = $8, blob_value = $9, "
     "json_value = $10::json WHERE instance_id = $1 AND name = $2 AND seq = $3"},
    {"cellar_notify", "SELECT pg_notify($1, '')"},
};

PGFloor *pgfloor_connect(const char *conninfo, const char *schema, const char *synchronous_commit) {
    PGFloor *floor = calloc(1, sizeof(PGFloor));
    floor->connection = PQconnectdb(conninfo);
    if (PQstatus(floor->connection) != CONNECTION_OK) {
        fail(floor, "connect");
        pgfloor_close(floor);
        return NULL;
    }
    char settings[512];
    snprintf(settings, sizeof settings, "SET search_path = \"%s\"; SET synchronous_commit = %s", schema, synchronous_commit);
    if (!succeeded(PQexec(floor->connection, settings))) {
        fail(floor, "settings");
        pgfloor_close(floor);
        return NULL;
    }
    for (size_t i = 0; i < sizeof statements / sizeof statements[0]; i++) {
        if (!succeeded(PQprepare(floor->connection, statements[i][0], statements[i][1], 0, NULL))) {
            fail(floor, statements[i][1]);
            pgfloor_close(floor);
            return NULL;
        }
    }
    return floor;
}

void pgfloor_close(PGFloor *floor) {
    if (!floor) return;
    PQfinish(floor->connection);
    free(floor);
}

/// Sends prepared statement `name` with text parameters, in pipeline mode.
static int send(PGFloor *floor, const char *name, int count, const char *const *values) {
    return PQsendQueryPrepared(floor->connection, name, count, values, NULL, NULL, 0);
}

/// Reads `count` statements' results and the sync point; the integer in
/// the first column of result `value_index` (if any) goes to `*value`.
static int receive(PGFloor *floor, int count, int value_index, int64_t *value) {
    int ok = 1;
    for (int i = 0; i < count; i++) {
        PGresult *result = PQgetResult(floor->connection);
        if (!result) return 0;
        ExecStatusType status = PQresultStatus(result);
        if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) ok = 0;
        if (ok && i == value_index && value && PQntuples(result) == 1) *value = strtoll(PQgetvalue(result, 0, 0), NULL, 10);
        PQclear(result);
        PGresult *end = PQgetResult(floor->connection);  // NULL after each statement
        if (end) PQclear(end);
    }
    PGresult *sync = PQgetResult(floor->connection);
    if (!sync || PQresultStatus(sync) != PGRES_PIPELINE_SYNC) ok = 0;
    PQclear(sync);
    return ok;
}

int64_t pgfloor_pipelined_updates(PGFloor *floor, int64_t instance_id, const char *name, int64_t seq, int64_t count) {
    char id[32], sequence[32], next[32];
    snprintf(id, sizeof id, "%" PRId64, instance_id);
    snprintf(sequence, sizeof sequence, "%" PRId64, seq);
    const char *lock[] = {id};
    const char *read[] = {id, name};
    if (PQenterPipelineMode(floor->connection) != 1) return fail(floor, "pipeline mode");
    int64_t start = now_ns();
    for (int64_t i = 0; i < count; i++) {
        int64_t value = 0;
        if (!send(floor, "begin", 0, NULL) || !send(floor, "lock", 1, lock) || !send(floor, "value", 2, read)
            || !PQpipelineSync(floor->connection) || !receive(floor, 3, 2, &value)) {
            return fail(floor, "lock and read");
        }
        snprintf(next, sizeof next, "%" PRId64, value + 1);
        const char *write[] = {id, name, sequence, next};
        if (!send(floor, "write", 4, write) || !send(floor, "commit", 0, NULL) || !PQpipelineSync(floor->connection)
            || !receive(floor, 2, -1, NULL)) {
            return fail(floor, "write and commit");
        }
    }
    int64_t elapsed = now_ns() - start;
    PQexitPipelineMode(floor->connection);
    return elapsed;
}

int64_t pgfloor_cellar_statement_updates(PGFloor *floor, const char *schema, const char *channel, int64_t instance_id,
                                         const char *name, int64_t seq, int64_t count) {
    char id[32], sequence[32], next[32];
    snprintf(id, sizeof id, "%" PRId64, instance_id);
    snprintf(sequence, sizeof sequence, "%" PRId64, seq);
    const char *changes[] = {schema};
    const char *lock[] = {schema, id};
    const char *instance[] = {id};
    const char *read[] = {id, name};
    const char *notify[] = {channel};
    if (PQenterPipelineMode(floor->connection) != 1) return fail(floor, "pipeline mode");
    int64_t start = now_ns();
    for (int64_t i = 0; i < count; i++) {
        int64_t value = 0;
        if (!send(floor, "begin", 0, NULL) || !send(floor, "cellar_lock_changes", 1, changes)
            || !send(floor, "cellar_lock_instance", 2, lock) || !send(floor, "cellar_last_sequence", 1, instance)
            || !send(floor, "cellar_newest_version", 2, read) || !PQpipelineSync(floor->connection)) {
            return fail(floor, "lock and read");
        }
        // The value is the newest version's integer_value, column 9.
        int ok = 1;
        for (int statement = 0; statement < 5; statement++) {
            PGresult *result = PQgetResult(floor->connection);
            if (!result) return fail(floor, "lock and read");
            ExecStatusType status = PQresultStatus(result);
            if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) ok = 0;
            if (ok && statement == 4 && PQntuples(result) == 1) value = strtoll(PQgetvalue(result, 0, 9), NULL, 10);
            PQclear(result);
            PGresult *end = PQgetResult(floor->connection);
            if (end) PQclear(end);
        }
        PGresult *sync = PQgetResult(floor->connection);
        if (!sync || PQresultStatus(sync) != PGRES_PIPELINE_SYNC) ok = 0;
        PQclear(sync);
        if (!ok) return fail(floor, "lock and read");
        snprintf(next, sizeof next, "%" PRId64, value + 1);
        const char *write[] = {id, name, sequence, NULL, "integer", next, NULL, NULL, NULL, NULL};
        if (!send(floor, "cellar_rewrite", 10, write) || !send(floor, "cellar_notify", 1, notify) || !send(floor, "commit", 0, NULL)
            || !PQpipelineSync(floor->connection) || !receive(floor, 3, -1, NULL)) {
            return fail(floor, "write and commit");
        }
    }
    int64_t elapsed = now_ns() - start;
    PQexitPipelineMode(floor->connection);
    return elapsed;
}

/// Runs prepared statement `name` and returns the integer in its first
/// row's first column in `*value` (if asked); 0 on failure.
static int run(PGFloor *floor, const char *name, int count, const char *const *values, int64_t *value) {
    PGresult *result = PQexecPrepared(floor->connection, name, count, values, NULL, NULL, 0);
    ExecStatusType status = result ? PQresultStatus(result) : PGRES_FATAL_ERROR;
    int ok = status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK;
    if (ok && value && PQntuples(result) == 1) *value = strtoll(PQgetvalue(result, 0, 0), NULL, 10);
    PQclear(result);
    return ok;
}

int pgfloor_cell_row(PGFloor *floor, const char *factory, const char *key, const char *name, int64_t *instance_id,
                     int64_t *seq) {
    const char *lookup[] = {factory, key};
    if (!run(floor, "instance", 2, lookup, instance_id)) return (int)fail(floor, "instance");
    char id[32];
    snprintf(id, sizeof id, "%" PRId64, *instance_id);
    const char *values[] = {id, name};
    PGresult *result = PQexecParams(floor->connection,
                                    "SELECT max(seq) FROM cell_versions WHERE instance_id = $1::bigint AND name = $2", 2, NULL,
                                    values, NULL, NULL, 0);
    int ok = result && PQresultStatus(result) == PGRES_TUPLES_OK && PQntuples(result) == 1;
    if (ok) *seq = strtoll(PQgetvalue(result, 0, 0), NULL, 10);
    PQclear(result);
    return ok ? 0 : (int)fail(floor, "seq");
}

int64_t pgfloor_naive_updates(PGFloor *floor, int64_t instance_id, const char *name, int64_t seq, int64_t count) {
    char id[32], sequence[32], next[32];
    snprintf(id, sizeof id, "%" PRId64, instance_id);
    snprintf(sequence, sizeof sequence, "%" PRId64, seq);
    const char *read[] = {id, name, sequence};
    int64_t start = now_ns();
    for (int64_t i = 0; i < count; i++) {
        int64_t value = 0;
        if (!run(floor, "begin", 0, NULL, NULL) || !run(floor, "value_for_update", 3, read, &value)) return fail(floor, "read");
        snprintf(next, sizeof next, "%" PRId64, value + 1);
        const char *write[] = {id, name, sequence, next};
        if (!run(floor, "write", 4, write, NULL) || !run(floor, "commit", 0, NULL, NULL)) return fail(floor, "write");
    }
    return now_ns() - start;
}

int64_t pgfloor_optimistic_updates(PGFloor *floor, int64_t instance_id, const char *name, int64_t seq, int64_t count) {
    char id[32], sequence[32], next[32], current[32];
    snprintf(id, sizeof id, "%" PRId64, instance_id);
    snprintf(sequence, sizeof sequence, "%" PRId64, seq);
    const char *read[] = {id, name};
    int64_t start = now_ns();
    for (int64_t i = 0; i < count; i++) {
        for (;;) {
            int64_t value = 0;
            if (!run(floor, "value", 2, read, &value)) return fail(floor, "read");
            snprintf(current, sizeof current, "%" PRId64, value);
            snprintf(next, sizeof next, "%" PRId64, value + 1);
            const char *write[] = {id, name, sequence, next, current};
            PGresult *result = PQexecPrepared(floor->connection, "write_if", 5, write, NULL, NULL, 0);
            int ok = result && PQresultStatus(result) == PGRES_COMMAND_OK;
            int changed = ok && strcmp(PQcmdTuples(result), "1") == 0;
            PQclear(result);
            if (!ok) return fail(floor, "write");
            if (changed) break;  // otherwise another writer won: read again
        }
    }
    return now_ns() - start;
}

int64_t pgfloor_reads(PGFloor *floor, int64_t instance_id, const char *name, int64_t count, int64_t *sum) {
    char id[32];
    snprintf(id, sizeof id, "%" PRId64, instance_id);
    const char *read[] = {id, name};
    int64_t total = 0;
    int64_t start = now_ns();
    for (int64_t i = 0; i < count; i++) {
        int64_t value = 0;
        if (!run(floor, "value", 2, read, &value)) return fail(floor, "read");
        total += value;
    }
    *sum = total;
    return now_ns() - start;
}

int64_t pgfloor_restore_lookups(PGFloor *floor, const char *factory, const char *key, const char *name, int64_t count,
                                int64_t *sum) {
    const char *lookup[] = {factory, key};
    int64_t total = 0;
    int64_t start = now_ns();
    for (int64_t i = 0; i < count; i++) {
        int64_t instance = 0, value = 0;
        if (!run(floor, "instance", 2, lookup, &instance)) return fail(floor, "instance");
        char id[32];
        snprintf(id, sizeof id, "%" PRId64, instance);
        const char *read[] = {id, name};
        if (!run(floor, "value", 2, read, &value)) return fail(floor, "value");
        total += value;
    }
    *sum = total;
    return now_ns() - start;
}

struct Client {
    const char *conninfo, *schema, *synchronous_commit, *name, *channel;
    int64_t instance_id, seq, count, start, end;
    pthread_barrier_t *barrier;
    int failed;
};

static void *client_loop(void *argument) {
    struct Client *client = argument;
    PGFloor *floor = pgfloor_connect(client->conninfo, client->schema, client->synchronous_commit);
    pthread_barrier_wait(client->barrier);
    if (!floor) {
        client->failed = 1;
        return NULL;
    }
    client->start = now_ns();
    int64_t elapsed = client->channel
        ? pgfloor_cellar_statement_updates(floor, client->schema, client->channel, client->instance_id, client->name, client->seq,
                                           client->count)
        : pgfloor_pipelined_updates(floor, client->instance_id, client->name, client->seq, client->count);
    client->failed = elapsed < 0;
    client->end = now_ns();
    pgfloor_close(floor);
    return NULL;
}

int64_t pgfloor_clients(const char *conninfo, const char *schema, const char *synchronous_commit, int clients,
                        const int64_t *instance_ids, const int64_t *seqs, const char *name, const char *channel,
                        int64_t count_each) {
    pthread_barrier_t barrier;
    pthread_barrier_init(&barrier, NULL, (unsigned)clients);
    struct Client *all = calloc((size_t)clients, sizeof(struct Client));
    pthread_t *threads = calloc((size_t)clients, sizeof(pthread_t));
    for (int i = 0; i < clients; i++) {
        all[i] = (struct Client){conninfo, schema, synchronous_commit, name, channel, instance_ids[i], seqs[i], count_each, 0, 0, &barrier, 0};
        pthread_create(&threads[i], NULL, client_loop, &all[i]);
    }
    int64_t first = INT64_MAX, last = 0;
    int failed = 0;
    for (int i = 0; i < clients; i++) {
        pthread_join(threads[i], NULL);
        failed |= all[i].failed;
        if (all[i].start < first) first = all[i].start;
        if (all[i].end > last) last = all[i].end;
    }
    pthread_barrier_destroy(&barrier);
    free(all);
    free(threads);
    return failed ? -1 : last - first;
}
