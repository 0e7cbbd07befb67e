/* The PostgreSQL store's connection: schema, query helpers, transactions (see store_pg.h).
 * The DSN carries credentials, so it is only ever shown through redact_copy, and so are the
 * server's messages (a connection error may echo parts of it). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/redact.h"
#include "lease.h"
#include "store_pg.h"

#define SCHEMA_VERSION 1
/* Serialises schema creation when several controllers start at once: concurrent
 * CREATE ... IF NOT EXISTS can still collide in PostgreSQL's catalogs. */
#define SCHEMA_LOCK_KEY 0x766d6166 /* "vmaf" */

/* The same tables and indexes as the SQLite store's; jobs_queue is what the lease query
 * (pending by priority, then age) walks in order, jobs_leases what the sweep walks. */
static const char schema[] =
    "CREATE TABLE IF NOT EXISTS jobs("
    " seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,"
    " id TEXT NOT NULL UNIQUE,"
    " state INTEGER NOT NULL,"
    " spec TEXT NOT NULL,"
    " priority INTEGER NOT NULL,"
    " owner TEXT, idem_key TEXT, body_hash TEXT,"
    " created_at DOUBLE PRECISION NOT NULL, started_at DOUBLE PRECISION, finished_at DOUBLE PRECISION,"
    " not_before DOUBLE PRECISION NOT NULL DEFAULT 0,"
    " attempt INTEGER NOT NULL DEFAULT 0,"
    " lost INTEGER NOT NULL DEFAULT 0,"
    " node TEXT, lease_expires DOUBLE PRECISION,"
    " frames_done BIGINT NOT NULL DEFAULT 0, frames_total BIGINT, fps DOUBLE PRECISION,"
    " pooled TEXT, error TEXT);"
    "CREATE UNIQUE INDEX IF NOT EXISTS jobs_idem ON jobs(owner, idem_key) WHERE idem_key IS NOT NULL;"
    "CREATE INDEX IF NOT EXISTS jobs_queue ON jobs(state, priority DESC, seq);"
    "CREATE INDEX IF NOT EXISTS jobs_leases ON jobs(state, lease_expires);"
    "CREATE INDEX IF NOT EXISTS jobs_state ON jobs(state, seq);"
    "CREATE TABLE IF NOT EXISTS labels(key TEXT NOT NULL, value TEXT NOT NULL, seq BIGINT NOT NULL,"
    " PRIMARY KEY(key, value, seq));"
    "CREATE TABLE IF NOT EXISTS reports(seq BIGINT PRIMARY KEY, json TEXT NOT NULL, xml TEXT NOT NULL,"
    " csv TEXT NOT NULL);"
    "CREATE TABLE IF NOT EXISTS nodes(id TEXT PRIMARY KEY, slots INTEGER NOT NULL,"
    " registered_at DOUBLE PRECISION NOT NULL, last_seen DOUBLE PRECISION NOT NULL);"
    "CREATE TABLE IF NOT EXISTS health(id INTEGER PRIMARY KEY CHECK(id = 1), at TIMESTAMPTZ NOT NULL);"
    "CREATE TABLE IF NOT EXISTS vmafx_schema(version INTEGER NOT NULL);"
    "INSERT INTO vmafx_schema(version) SELECT 1 WHERE NOT EXISTS (SELECT 1 FROM vmafx_schema);";

/* jobs.warnings (a job's warnings as a JSON array), added to a database made before it. */
static const char schema_job_warnings[] = "ALTER TABLE jobs ADD COLUMN IF NOT EXISTS warnings TEXT;";

void pgp_text(PgParams *p, const char *v)
{
    p->v[p->n++] = v;
}

void pgp_i64(PgParams *p, long long v)
{
    snprintf(p->buf[p->n], sizeof(p->buf[0]), "%lld", v);
    p->v[p->n] = p->buf[p->n];
    p->n++;
}

void pgp_dbl(PgParams *p, double v)
{
    snprintf(p->buf[p->n], sizeof(p->buf[0]), "%.17g", v);
    p->v[p->n] = p->buf[p->n];
    p->n++;
}

static void trim(char *t)
{
    size_t k = strlen(t);
    while (k && (t[k - 1] == '\n' || t[k - 1] == ' ')) t[--k] = 0;
}

static void log_error(PgStore *s, const char *what)
{
    char msg[512];
    redact_copy(msg, sizeof(msg), PQerrorMessage(s->conn));
    trim(msg);
    log_msg(&s->log, VLOG_ERROR, "store", "%s: %s", what, msg);
}

PGresult *pg_query(PgStore *s, const char *what, const char *sql, const PgParams *p)
{
    char *text = store_sql(sql); /* states by name */
    if (!text) {
        log_msg(&s->log, VLOG_ERROR, "store", "%s: out of memory", what);
        return NULL;
    }
    PGresult *r = PQexecParams(s->conn, text, p ? p->n : 0, NULL, p ? p->v : NULL, NULL, NULL, 0);
    free(text);
    ExecStatusType st = PQresultStatus(r);
    if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK) return r;
    log_error(s, what);
    PQclear(r);
    return NULL;
}

long long pg_exec(PgStore *s, const char *what, const char *sql, const PgParams *p)
{
    PGresult *r = pg_query(s, what, sql, p);
    if (!r) return -EIO;
    long long n = atoll(PQcmdTuples(r));
    PQclear(r);
    return n;
}

int pg_begin(PgStore *s)
{
    return pg_exec(s, "begin", "BEGIN", NULL) < 0 ? -EIO : 0;
}

int pg_end(PgStore *s, int rc)
{
    if (rc == 0) return pg_exec(s, "commit", "COMMIT", NULL) < 0 ? -EIO : 0;
    pg_exec(s, "rollback", "ROLLBACK", NULL);
    return rc;
}

void pg_ensure(PgStore *s)
{
    if (PQstatus(s->conn) != CONNECTION_BAD) return;
    log_msg(&s->log, VLOG_WARN, "store", "database connection lost; reconnecting");
    PQreset(s->conn);
    if (PQstatus(s->conn) == CONNECTION_BAD) log_error(s, "reconnect");
}

long long pg_i64(const PGresult *r, int row, int col)
{
    return PQgetisnull(r, row, col) ? 0 : atoll(PQgetvalue(r, row, col));
}

double pg_dbl(const PGresult *r, int row, int col)
{
    return PQgetisnull(r, row, col) ? 0 : strtod(PQgetvalue(r, row, col), NULL);
}

const char *pg_str(const PGresult *r, int row, int col)
{
    return PQgetisnull(r, row, col) ? "" : PQgetvalue(r, row, col);
}

char *pg_dup(const PGresult *r, int row, int col)
{
    return PQgetisnull(r, row, col) ? NULL : strdup(PQgetvalue(r, row, col));
}

int pg_row_to_record(const PGresult *r, int row, JobRecord *out)
{
    memset(out, 0, sizeof(*out));
    out->seq = pg_i64(r, row, 0);
    snprintf(out->id, sizeof(out->id), "%s", pg_str(r, row, 1));
    out->state = (JobState)pg_i64(r, row, 2);
    out->spec = pg_dup(r, row, 3);
    out->created_at = pg_dbl(r, row, 4);
    out->started_at = pg_dbl(r, row, 5);
    out->finished_at = pg_dbl(r, row, 6);
    out->attempt = (unsigned)pg_i64(r, row, 7);
    out->lost = (unsigned)pg_i64(r, row, 8);
    snprintf(out->node, sizeof(out->node), "%s", pg_str(r, row, 9));
    out->frames_done = pg_i64(r, row, 10);
    out->frames_total = PQgetisnull(r, row, 11) ? -1 : pg_i64(r, row, 11);
    out->fps = pg_dbl(r, row, 12);
    out->pooled = pg_dup(r, row, 13);
    out->error = pg_dup(r, row, 14);
    out->warnings = pg_dup(r, row, 15);
    return out->spec ? 0 : -ENOMEM;
}

static int pg_ping(Store *base)
{
    PgStore *s = (PgStore *)base;
    return PG_LOCKED(s, pg_exec(s, "ping",
                                "INSERT INTO health(id, at) VALUES(1, now()) ON CONFLICT (id) DO UPDATE "
                                "SET at = excluded.at",
                                NULL) < 0
                            ? -EIO
                            : 0);
}

static void pg_close(Store *base)
{
    PgStore *s = (PgStore *)base;
    if (!s) return;
    PQfinish(s->conn);
    pthread_mutex_destroy(&s->lock);
    free(s);
}

static const StoreOps pg_ops = {
    /* clang-format off */
    pg_submit, pg_get, pg_list, lease_cancel, lease_next, lease_heartbeat, lease_progress, lease_finish,
    lease_release, lease_expire, lease_grace, lease_node_seen, pg_stats, pg_report, pg_ping, pg_close,
    pg_resolve,
    .chunk_split = pg_chunk_split, .chunk_sweep = pg_chunk_sweep, .chunk_texts = pg_chunk_texts,
    .chunk_warnings = pg_chunk_warnings,
    .chunk_complete = pg_chunk_complete, .chunk_list = pg_chunk_list,
    .probe_start = pg_probe_start, .probe_sweep = pg_probe_sweep, .probe_get = pg_probe_get,
    .held_jobs = pg_held_jobs,
};
/* clang-format on */

/* "relation already exists, skipping" and the like: not worth a line on stderr. */
static void quiet_notice(void *arg, const char *msg)
{
    (void)arg;
    (void)msg;
}

static int schema_version(PgStore *s)
{
    PGresult *r = pg_query(s, "schema version", "SELECT max(version) FROM vmafx_schema", NULL);
    if (!r) return -EIO;
    int v = (int)pg_i64(r, 0, 0);
    PQclear(r);
    return v;
}

/* Several statements in one string: only the simple query protocol takes them. -EAGAIN when a
 * lock was not had in time or the statement lost a deadlock (the caller starts again). */
static int run_script(PgStore *s, const char *sql)
{
    PGresult *r = PQexec(s->conn, sql);
    int ok = PQresultStatus(r) == PGRES_COMMAND_OK || PQresultStatus(r) == PGRES_TUPLES_OK;
    const char *state = ok ? NULL : PQresultErrorField(r, PG_DIAG_SQLSTATE);
    int busy = state && (!strcmp(state, "55P03") || !strcmp(state, "40P01"));
    if (!ok && !busy) log_error(s, "create schema");
    PQclear(r);
    return ok ? 0 : busy ? -EAGAIN : -EIO;
}

/* The schema's steps in one transaction. ALTER TABLE takes its table's exclusive lock even when
 * the column exists, and CREATE INDEX a share lock, while a controller already serving the
 * same database holds row locks across tables: the two can deadlock. So the steps wait for a
 * lock for less than PostgreSQL's deadlock check (1 s): the schema's transaction is the one
 * that gives way, never a running controller's, and setup() tries again. */
static int setup_once(PgStore *s)
{
    char lock[80];
    snprintf(lock, sizeof(lock), "SELECT pg_advisory_xact_lock(%d)", SCHEMA_LOCK_KEY);
    int r = pg_begin(s);
    if (!r) r = run_script(s, "SET LOCAL lock_timeout = '500ms'");
    if (!r) r = run_script(s, lock);
    if (!r) r = run_script(s, schema);
    if (!r) r = run_script(s, pg_schema_deliveries);
    if (!r) r = run_script(s, schema_job_warnings);
    if (!r) r = run_script(s, pg_schema_chunks);
    return pg_end(s, r);
}

#define SETUP_TRIES 40 /* about 25 s of waiting for other controllers' transactions */

static int setup(PgStore *s, char *why, size_t n)
{
    int r = -EAGAIN;
    for (int i = 0; i < SETUP_TRIES && r == -EAGAIN; i++) {
        if (i) {
            if (i == 1) log_msg(&s->log, VLOG_INFO, "store", "schema: waiting for other controllers' locks");
            /* 100-200 ms, the fraction from the clock: two controllers do not retry in step */
            struct timespec now;
            clock_gettime(CLOCK_MONOTONIC, &now);
            struct timespec pause = { 0, 100000000L + now.tv_nsec % 100000000L };
            nanosleep(&pause, NULL);
        }
        r = setup_once(s);
    }
    if (r == -EAGAIN) {
        snprintf(why, n, "cannot update the schema: its tables stayed locked by other connections");
        return -EBUSY;
    }
    int v = r ? 0 : schema_version(s);
    if (!r && v < 0) r = v;
    if (!r && v > SCHEMA_VERSION) {
        snprintf(why, n, "database schema version %d is newer than this controller's (%d)", v,
                 SCHEMA_VERSION);
        r = -EPROTO;
    } else if (r) {
        redact_copy(why, n, PQerrorMessage(s->conn));
    }
    return r;
}

static int connect_db(PgStore *s, const char *dsn, char *why, size_t n)
{
    s->conn = PQconnectdb(dsn);
    if (!s->conn) {
        snprintf(why, n, "out of memory");
        return -ENOMEM;
    }
    if (PQstatus(s->conn) != CONNECTION_OK) {
        redact_copy(why, n, PQerrorMessage(s->conn));
        return -EIO;
    }
    PQsetNoticeProcessor(s->conn, quiet_notice, NULL);
    return 0;
}

int pg_store_open(Store **out, const char *dsn, const StoreOptions *opt, char *err, size_t n)
{
    *out = NULL;
    PgStore *s = calloc(1, sizeof(*s));
    if (!s) return -ENOMEM;
    s->base.ops = &pg_ops;
    s->base.rows = &pg_lease_rows;
    s->base.deliveries = &pg_delivery_ops;
    s->log = opt->log;
    pthread_mutex_init(&s->lock, NULL);
    char why[512] = "", shown[512];
    int r = connect_db(s, dsn, why, sizeof(why));
    if (!r) r = setup(s, why, sizeof(why));
    if (r) {
        trim(why);
        redact_copy(shown, sizeof(shown), dsn);
        snprintf(err, n, "database %s: %s", shown, why);
        pg_close(&s->base);
        return r;
    }
    *out = &s->base;
    return 0;
}
