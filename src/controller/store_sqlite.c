/* The SQLite store's database: schema, statement cache, transactions (see store_sqlite.h).
 * WAL journal: readers never wait for the writer, and a commit is durable against a killed
 * process without an fsync (synchronous=NORMAL); sync_full adds the fsync for power loss. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lease.h"
#include "store_sqlite.h"

#define SCHEMA_VERSION 1

static const char schema[] =
    "CREATE TABLE IF NOT EXISTS jobs("
    " seq INTEGER PRIMARY KEY,"
    " id TEXT NOT NULL UNIQUE,"
    " state INTEGER NOT NULL,"
    " spec TEXT NOT NULL,"
    " priority INTEGER NOT NULL,"
    " owner TEXT, idem_key TEXT, body_hash TEXT,"
    " created_at REAL NOT NULL, started_at REAL, finished_at REAL,"
    " not_before REAL NOT NULL DEFAULT 0,"
    " attempt INTEGER NOT NULL DEFAULT 0,"
    " lost INTEGER NOT NULL DEFAULT 0,"
    " node TEXT, lease_expires REAL,"
    " frames_done INTEGER NOT NULL DEFAULT 0, frames_total INTEGER, fps REAL,"
    " pooled TEXT, error TEXT);"
    "CREATE UNIQUE INDEX IF NOT EXISTS jobs_idem ON jobs(owner, idem_key) WHERE idem_key IS NOT NULL;"
    /* state leads both: the lease query (pending, by priority then age) and the sweep
     * (running, by expiry) then walk the index in order, where a partial index would lose
     * to jobs_state plus a sort over every pending job */
    "CREATE INDEX IF NOT EXISTS jobs_queue ON jobs(state, priority DESC, seq);"
    "CREATE INDEX IF NOT EXISTS jobs_leases ON jobs(state, lease_expires);"
    "CREATE INDEX IF NOT EXISTS jobs_state ON jobs(state, seq);"
    "CREATE TABLE IF NOT EXISTS labels(key TEXT NOT NULL, value TEXT NOT NULL, seq INTEGER NOT NULL,"
    " PRIMARY KEY(key, value, seq)) WITHOUT ROWID;"
    "CREATE TABLE IF NOT EXISTS reports(seq INTEGER PRIMARY KEY, json TEXT NOT NULL, xml TEXT NOT NULL,"
    " csv TEXT NOT NULL);"
    "CREATE TABLE IF NOT EXISTS nodes(id TEXT PRIMARY KEY, slots INTEGER NOT NULL,"
    " registered_at REAL NOT NULL, last_seen REAL NOT NULL);"
    "CREATE TABLE IF NOT EXISTS health(id INTEGER PRIMARY KEY CHECK(id = 1), at REAL NOT NULL);";

/* The statements before ST_CHUNK_SPLIT; the chunk statements are store_sqlite_chunks.c's. */
static const char *const sql[ST_CHUNK_SPLIT] = {
    [ST_BEGIN] = "BEGIN IMMEDIATE",
    [ST_COMMIT] = "COMMIT",
    [ST_ROLLBACK] = "ROLLBACK",
    [ST_FIND_IDEM] = "SELECT id, body_hash FROM jobs WHERE owner = ?1 AND idem_key = ?2",
    [ST_INSERT_JOB] = "INSERT INTO jobs(id, state, spec, priority, owner, idem_key, body_hash, created_at,"
                      " not_before) VALUES(?1, {pending}, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    [ST_INSERT_LABEL] = "INSERT OR IGNORE INTO labels(key, value, seq) VALUES(?1, ?2, ?3)",
    [ST_GET] = "SELECT " JOB_COLUMNS " FROM jobs WHERE id = ?1",
    [ST_GET_REF] = "SELECT seq, state, attempt, node, created_at, started_at FROM jobs WHERE id = ?1",
    [ST_SET_CANCELLED] = "UPDATE jobs SET state = {cancelled}, finished_at = ?2, lease_expires = NULL WHERE "
                         "seq = ?1",
    [ST_REPORT_JSON] = "SELECT j.state, r.json FROM jobs j LEFT JOIN reports r ON r.seq = j.seq WHERE j.id = "
                       "?1",
    [ST_REPORT_XML] = "SELECT j.state, r.xml FROM jobs j LEFT JOIN reports r ON r.seq = j.seq WHERE j.id = "
                      "?1",
    [ST_REPORT_CSV] = "SELECT j.state, r.csv FROM jobs j LEFT JOIN reports r ON r.seq = j.seq WHERE j.id = "
                      "?1",
    [ST_COUNT_STATES] = "SELECT state, count(*) FROM jobs WHERE parent_seq IS NULL GROUP BY state",
    [ST_OLDEST_PENDING] = "SELECT created_at FROM jobs WHERE state = {pending} ORDER BY seq LIMIT 1",
    [ST_NODES_LIVE] = "SELECT count(*) FROM nodes WHERE last_seen >= ?1",
    [ST_NEXT_PENDING] = "SELECT seq, id, spec, created_at, started_at FROM jobs"
                        " WHERE state = {pending} AND not_before <= ?1 ORDER BY priority DESC, seq LIMIT 1",
    [ST_TAKE] = "UPDATE jobs SET state = {running}, attempt = attempt + 1, node = ?2, lease_expires = ?3,"
                " started_at = coalesce(started_at, ?4), frames_done = 0, frames_total = NULL, fps = NULL"
                " WHERE seq = ?1 RETURNING attempt",
    [ST_NODE_SEEN] = "INSERT INTO nodes(id, slots, registered_at, last_seen) VALUES(?1, ?2, ?3, ?3)"
                     " ON CONFLICT(id) DO UPDATE SET last_seen = excluded.last_seen,"
                     " slots = CASE WHEN excluded.slots > 0 THEN excluded.slots ELSE slots END",
    [ST_RENEW] = "UPDATE jobs SET lease_expires = ?4"
                 " WHERE id = ?1 AND state = {running} AND attempt = ?2 AND node = ?3",
    [ST_PROGRESS] = "UPDATE jobs SET frames_done = ?4, frames_total = ?5, fps = ?6,"
                    " lease_expires = max(lease_expires, ?7)"
                    " WHERE id = ?1 AND state = {running} AND attempt = ?2 AND node = ?3",
    [ST_FINISH] =
        "UPDATE jobs SET state = ?2, finished_at = ?3, pooled = ?4, error = ?5, lease_expires = NULL,"
        " frames_done = coalesce(?6, frames_done), fps = coalesce(?7, fps), warnings = ?8 WHERE seq = ?1",
    [ST_INSERT_REPORT] = "INSERT INTO reports(seq, json, xml, csv) VALUES(?1, ?2, ?3, ?4)",
    [ST_RELEASE] = "UPDATE jobs SET state = {pending}, lease_expires = NULL, not_before = 0"
                   " WHERE id = ?1 AND state = {running} AND attempt = ?2 AND node = ?3",
    [ST_EXPIRED] = "SELECT seq, lost, node, id FROM jobs WHERE state = {running} AND lease_expires < ?1",
    [ST_REQUEUE] = "UPDATE jobs SET state = {pending}, lost = lost + 1, lease_expires = NULL, not_before = ?2"
                   " WHERE seq = ?1",
    [ST_FAIL_LOST] =
        "UPDATE jobs SET state = {failed}, lost = lost + 1, lease_expires = NULL, finished_at = ?2,"
        " error = ?3 WHERE seq = ?1",
    [ST_GRACE] = "UPDATE jobs SET lease_expires = max(lease_expires, ?1) WHERE state = {running}",
};

sqlite3_stmt *sq_stmt(SqliteStore *s, int which)
{
    sqlite3_stmt *st = s->st[which];
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return st;
}

int sq_fail(SqliteStore *s, const char *what)
{
    log_msg(&s->log, VLOG_ERROR, "store", "%s: %s", what, sqlite3_errmsg(s->db));
    return -EIO;
}

int sq_exec(SqliteStore *s, int which, const char *what)
{
    sqlite3_stmt *st = s->st[which];
    int r = sqlite3_step(st);
    sqlite3_reset(st);
    return r == SQLITE_DONE || r == SQLITE_ROW ? 0 : sq_fail(s, what);
}

int sq_begin(SqliteStore *s)
{
    return sq_exec(s, ST_BEGIN, "begin");
}

int sq_end(SqliteStore *s, int rc)
{
    if (rc == 0) return sq_exec(s, ST_COMMIT, "commit");
    sq_exec(s, ST_ROLLBACK, "rollback");
    return rc;
}

void sq_bind_text(sqlite3_stmt *st, int i, const char *v)
{
    if (v) sqlite3_bind_text(st, i, v, -1, SQLITE_STATIC);
    else sqlite3_bind_null(st, i);
}

char *sq_strdup_col(sqlite3_stmt *st, int col)
{
    const unsigned char *t = sqlite3_column_text(st, col);
    return t ? strdup((const char *)t) : NULL;
}

int sq_row_to_record(sqlite3_stmt *st, JobRecord *r)
{
    memset(r, 0, sizeof(*r));
    r->seq = sqlite3_column_int64(st, 0);
    snprintf(r->id, sizeof(r->id), "%s", (const char *)sqlite3_column_text(st, 1));
    r->state = (JobState)sqlite3_column_int(st, 2);
    r->spec = sq_strdup_col(st, 3);
    r->created_at = sqlite3_column_double(st, 4);
    r->started_at = sqlite3_column_double(st, 5);
    r->finished_at = sqlite3_column_double(st, 6);
    r->attempt = (unsigned)sqlite3_column_int(st, 7);
    r->lost = (unsigned)sqlite3_column_int(st, 8);
    const unsigned char *node = sqlite3_column_text(st, 9);
    snprintf(r->node, sizeof(r->node), "%s", node ? (const char *)node : "");
    r->frames_done = sqlite3_column_int64(st, 10);
    r->frames_total = sqlite3_column_type(st, 11) == SQLITE_NULL ? -1 : sqlite3_column_int64(st, 11);
    r->fps = sqlite3_column_double(st, 12);
    r->pooled = sq_strdup_col(st, 13);
    r->error = sq_strdup_col(st, 14);
    r->warnings = sq_strdup_col(st, 15);
    return r->spec ? 0 : -ENOMEM;
}

static int sq_ping(Store *base)
{
    SqliteStore *s = (SqliteStore *)base;
    pthread_mutex_lock(&s->lock);
    int r = sqlite3_exec(s->db, "INSERT OR REPLACE INTO health(id, at) VALUES(1, julianday('now'))", NULL,
                         NULL, NULL) == SQLITE_OK
                ? 0
                : sq_fail(s, "ping");
    pthread_mutex_unlock(&s->lock);
    return r;
}

static void sq_close(Store *base)
{
    SqliteStore *s = (SqliteStore *)base;
    if (!s) return;
    for (int i = 0; i < ST_COUNT; i++) sqlite3_finalize(s->st[i]);
    sq_deliveries_close(s);
    sqlite3_close(s->db);
    if (s->lock_fd >= 0) close(s->lock_fd); /* after SQLite's own descriptors: see store_sqlite_lock.c */
    pthread_mutex_destroy(&s->lock);
    free(s);
}

static const StoreOps sqlite_ops = {
    /* clang-format off */
    sq_submit, sq_get, sq_list, lease_cancel, lease_next, lease_heartbeat, lease_progress, lease_finish,
    lease_release, lease_expire, lease_grace, lease_node_seen, sq_stats, sq_report, sq_ping, sq_close,
    sq_resolve,
    .chunk_split = sq_chunk_split, .chunk_sweep = sq_chunk_sweep, .chunk_texts = sq_chunk_texts,
    .chunk_warnings = sq_chunk_warnings,
    .chunk_complete = sq_chunk_complete, .chunk_list = sq_chunk_list,
    .probe_start = sq_probe_start, .probe_sweep = sq_probe_sweep, .probe_get = sq_probe_get,
    .held_jobs = sq_held_jobs,
};
/* clang-format on */

/* jobs.warnings (a job's warnings as a JSON array), added to a database made before it. */
static int add_warnings_column(SqliteStore *s, char **msg)
{
    sqlite3_stmt *st;
    int have = 0;
    if (sqlite3_prepare_v2(s->db, "SELECT 1 FROM pragma_table_info('jobs') WHERE name = 'warnings'", -1, &st,
                           NULL) != SQLITE_OK)
        return SQLITE_ERROR;
    have = sqlite3_step(st) == SQLITE_ROW;
    sqlite3_finalize(st);
    return have ? SQLITE_OK
                : sqlite3_exec(s->db, "ALTER TABLE jobs ADD COLUMN warnings TEXT", NULL, NULL, msg);
}

static int setup(SqliteStore *s, int sync_full, char *err, size_t n)
{
    char pragmas[160];
    snprintf(pragmas, sizeof(pragmas),
             "PRAGMA journal_mode=WAL; PRAGMA synchronous=%s; PRAGMA busy_timeout=10000;",
             sync_full ? "FULL" : "NORMAL");
    char *msg = NULL;
    if (sqlite3_exec(s->db, pragmas, NULL, NULL, &msg) != SQLITE_OK ||
        sqlite3_exec(s->db, schema, NULL, NULL, &msg) != SQLITE_OK ||
        add_warnings_column(s, &msg) != SQLITE_OK || sq_chunks_upgrade(s->db, &msg) ||
        sqlite3_exec(s->db,
                     "PRAGMA user_version="
                     "1",
                     NULL, NULL, &msg) != SQLITE_OK) {
        snprintf(err, n, "%s", msg ? msg : sqlite3_errmsg(s->db));
        sqlite3_free(msg);
        return -EIO;
    }
    for (int i = 0; i < ST_COUNT; i++) {
        char *text = store_sql(i < ST_CHUNK_SPLIT          ? sql[i]
                               : i < ST_PROBE_DROP_REPORTS ? sq_chunk_sql[i]
                                                           : sq_probe_sql[i]);
        int r = text ? sqlite3_prepare_v3(s->db, text, -1, SQLITE_PREPARE_PERSISTENT, &s->st[i], NULL)
                     : SQLITE_NOMEM;
        free(text);
        if (r != SQLITE_OK) {
            snprintf(err, n, "statement %d: %s", i, sqlite3_errmsg(s->db));
            return -EIO;
        }
    }
    return sq_deliveries_setup(s, err, n);
}

static int check_version(SqliteStore *s, char *err, size_t n)
{
    sqlite3_stmt *st;
    int v = 0;
    if (sqlite3_prepare_v2(s->db, "PRAGMA user_version", -1, &st, NULL) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    if (v > SCHEMA_VERSION) {
        snprintf(err, n, "database schema version %d is newer than this controller's (%d)", v,
                 SCHEMA_VERSION);
        return -EPROTO;
    }
    return 0;
}

int sqlite_store_open(Store **out, const char *path, const StoreOptions *opt, char *err, size_t n)
{
    *out = NULL;
    SqliteStore *s = calloc(1, sizeof(*s));
    if (!s) return -ENOMEM;
    s->base.ops = &sqlite_ops;
    s->base.rows = &sqlite_lease_rows;
    s->base.deliveries = &sqlite_delivery_ops;
    s->log = opt->log;
    pthread_mutex_init(&s->lock, NULL);
    int r = sqlite_store_lock(path, &s->lock_fd, err, n);
    if (r) {
        pthread_mutex_destroy(&s->lock);
        free(s);
        return r;
    }
    char why[512];
    r = sqlite3_open_v2(path, &s->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
    if (r != SQLITE_OK) {
        snprintf(why, sizeof(why), "%s", s->db ? sqlite3_errmsg(s->db) : "out of memory");
        r = -EIO;
    } else {
        r = check_version(s, why, sizeof(why));
        if (!r) r = setup(s, opt->sync_full, why, sizeof(why));
    }
    if (r) {
        snprintf(err, n, "database %s: %s", path, why);
        sq_close(&s->base);
        return r;
    }
    *out = &s->base;
    return 0;
}
