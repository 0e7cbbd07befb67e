/* SQLite store: what clients do with jobs (submit, read, list, cancel, reports, counts). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_sqlite.h"

/* 1 when an earlier submit used this key: *id and *same (equal body) say which job. */
static int find_idem(SqliteStore *s, const StoreSubmit *in, char id[JOB_ID_LEN], int *same)
{
    sqlite3_stmt *st = sq_stmt(s, ST_FIND_IDEM);
    sq_bind_text(st, 1, in->owner ? in->owner : "");
    sq_bind_text(st, 2, in->idem_key);
    int r = sqlite3_step(st);
    if (r == SQLITE_DONE) return 0;
    if (r != SQLITE_ROW) return sq_fail(s, "idempotency lookup");
    snprintf(id, JOB_ID_LEN, "%s", (const char *)sqlite3_column_text(st, 0));
    const unsigned char *h = sqlite3_column_text(st, 1);
    *same = h && in->body_hash && !strcmp((const char *)h, in->body_hash);
    sqlite3_reset(st);
    return 1;
}

static int insert_labels(SqliteStore *s, const JobSpec *job, long long seq)
{
    for (unsigned i = 0; i < job->n_labels; i++) {
        sqlite3_stmt *st = sq_stmt(s, ST_INSERT_LABEL);
        sq_bind_text(st, 1, job->label_key[i]);
        sq_bind_text(st, 2, job->label_value[i]);
        sqlite3_bind_int64(st, 3, seq);
        if (sq_exec(s, ST_INSERT_LABEL, "insert label")) return -EIO;
    }
    return 0;
}

static int insert_job(SqliteStore *s, const StoreSubmit *in, char id[JOB_ID_LEN])
{
    store_new_id(id);
    sqlite3_stmt *st = sq_stmt(s, ST_INSERT_JOB);
    sq_bind_text(st, 1, id);
    sq_bind_text(st, 2, in->spec_text);
    sqlite3_bind_int(st, 3, in->job->priority);
    sq_bind_text(st, 4, in->owner ? in->owner : "");
    sq_bind_text(st, 5, in->idem_key);
    sq_bind_text(st, 6, in->body_hash);
    sqlite3_bind_double(st, 7, in->now);
    sqlite3_bind_double(st, 8, in->hold ? STORE_HELD : 0);
    if (sq_exec(s, ST_INSERT_JOB, "insert job")) return -EIO;
    long long seq = sqlite3_last_insert_rowid(s->db);
    if (in->webhook_url && sq_delivery_insert(s, seq, in->webhook_url)) return -EIO;
    return insert_labels(s, in->job, seq);
}

static int submit_locked(SqliteStore *s, const StoreSubmit *in, char id[JOB_ID_LEN], int *replayed)
{
    int r = sq_begin(s);
    if (r) return r;
    int same = 0;
    r = in->idem_key ? find_idem(s, in, id, &same) : 0;
    if (r == 1) {
        *replayed = 1;
        return sq_end(s, same ? 0 : -EEXIST);
    }
    if (r == 0) r = insert_job(s, in, id);
    return sq_end(s, r);
}

int sq_submit(Store *base, const StoreSubmit *in, char id[JOB_ID_LEN], int *replayed)
{
    SqliteStore *s = (SqliteStore *)base;
    *replayed = 0;
    return LOCKED(s, submit_locked(s, in, id, replayed));
}

static int get_locked(SqliteStore *s, const char *id, JobRecord *out)
{
    sqlite3_stmt *st = sq_stmt(s, ST_GET);
    sq_bind_text(st, 1, id);
    int r = sqlite3_step(st);
    if (r == SQLITE_DONE) return -ENOENT;
    if (r != SQLITE_ROW) return sq_fail(s, "read job");
    r = sq_row_to_record(st, out);
    sqlite3_reset(st);
    return r;
}

int sq_get(Store *base, const char *id, JobRecord *out)
{
    SqliteStore *s = (SqliteStore *)base;
    return LOCKED(s, get_locked(s, id, out));
}

/* Only the filters that are set appear in the query, so each combination uses its index. */
static void list_sql(const ListQuery *q, char *sql, size_t n)
{
    snprintf(sql, n,
             "SELECT " JOB_COLUMNS " FROM jobs WHERE parent_seq IS NULL%s%s%s ORDER BY seq DESC LIMIT :l",
             q->state >= 0 ? " AND state = :s" : "", q->before > 0 ? " AND seq < :b" : "",
             !q->label_key    ? ""
             : q->label_value ? " AND seq IN (SELECT seq FROM labels WHERE key = :k AND value = :v)"
                              : " AND seq IN (SELECT seq FROM labels WHERE key = :k)");
}

static void list_bind(sqlite3_stmt *st, const ListQuery *q)
{
    int i;
    if ((i = sqlite3_bind_parameter_index(st, ":s"))) sqlite3_bind_int(st, i, q->state);
    if ((i = sqlite3_bind_parameter_index(st, ":b"))) sqlite3_bind_int64(st, i, q->before);
    if ((i = sqlite3_bind_parameter_index(st, ":k"))) sq_bind_text(st, i, q->label_key);
    if ((i = sqlite3_bind_parameter_index(st, ":v"))) sq_bind_text(st, i, q->label_value);
    sqlite3_bind_int64(st, sqlite3_bind_parameter_index(st, ":l"), (long long)q->limit + 1);
}

static int list_rows(SqliteStore *s, sqlite3_stmt *st, const ListQuery *q, JobRecord *out, size_t *n,
                     long long *next)
{
    int r;
    while ((r = sqlite3_step(st)) == SQLITE_ROW) {
        if (*n == q->limit) { /* one more row exists: the next page starts after the last one */
            *next = out[*n - 1].seq;
            return 0;
        }
        if (sq_row_to_record(st, &out[(*n)++])) return -ENOMEM;
    }
    return r == SQLITE_DONE ? 0 : sq_fail(s, "list jobs");
}

static int list_locked(SqliteStore *s, const ListQuery *q, JobRecord *out, size_t *n, long long *next)
{
    char sql[512];
    list_sql(q, sql, sizeof(sql));
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK) return sq_fail(s, "list jobs");
    list_bind(st, q);
    int r = list_rows(s, st, q, out, n, next);
    sqlite3_finalize(st);
    return r;
}

int sq_list(Store *base, const ListQuery *q, JobRecord **out, size_t *n, long long *next)
{
    SqliteStore *s = (SqliteStore *)base;
    *n = 0;
    *next = 0;
    *out = calloc(q->limit ? q->limit : 1, sizeof(**out));
    if (!*out) return -ENOMEM;
    int r = LOCKED(s, list_locked(s, q, *out, n, next));
    if (r) {
        job_records_free(*out, *n);
        *out = NULL;
        *n = 0;
    }
    return r;
}

/* The rows of a cancel (lease.c decides): the job, read in the transaction, and its new state. */
int sq_read_job(Store *base, const char *id, int lock, JobRecord *out)
{
    (void)lock; /* the transaction holds the database's write lock already */
    return get_locked((SqliteStore *)base, id, out);
}

int sq_set_cancelled(Store *base, long long seq, double now)
{
    SqliteStore *s = (SqliteStore *)base;
    sqlite3_stmt *st = sq_stmt(s, ST_SET_CANCELLED);
    sqlite3_bind_int64(st, 1, seq);
    sqlite3_bind_double(st, 2, now);
    return sq_exec(s, ST_SET_CANCELLED, "cancel job");
}

static int stats_locked(SqliteStore *s, double now, double live_window, StoreStats *out)
{
    memset(out, 0, sizeof(*out));
    sqlite3_stmt *st = sq_stmt(s, ST_COUNT_STATES);
    int r;
    while ((r = sqlite3_step(st)) == SQLITE_ROW) {
        int k = sqlite3_column_int(st, 0);
        if (k >= 0 && k < JOB_N_STATES) out->by_state[k] = sqlite3_column_int64(st, 1);
    }
    if (r != SQLITE_DONE) return sq_fail(s, "count jobs");
    st = sq_stmt(s, ST_OLDEST_PENDING);
    if ((r = sqlite3_step(st)) == SQLITE_ROW) out->oldest_pending = sqlite3_column_double(st, 0);
    else if (r != SQLITE_DONE) return sq_fail(s, "oldest pending job");
    sqlite3_reset(st);
    st = sq_stmt(s, ST_NODES_LIVE);
    sqlite3_bind_double(st, 1, now - live_window);
    if (sqlite3_step(st) != SQLITE_ROW) return sq_fail(s, "count nodes");
    out->nodes_live = sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    return 0;
}

int sq_stats(Store *base, double now, double live_window, StoreStats *out)
{
    SqliteStore *s = (SqliteStore *)base;
    return LOCKED(s, stats_locked(s, now, live_window, out));
}

static int report_locked(SqliteStore *s, const char *id, int which, char **text, size_t *len)
{
    sqlite3_stmt *st = sq_stmt(s, which);
    sq_bind_text(st, 1, id);
    int r = sqlite3_step(st);
    if (r == SQLITE_DONE) return -ENOENT;
    if (r != SQLITE_ROW) return sq_fail(s, "read report");
    if (sqlite3_column_int(st, 0) != JOB_COMPLETED || sqlite3_column_type(st, 1) == SQLITE_NULL) {
        sqlite3_reset(st);
        return -EAGAIN;
    }
    *len = (size_t)sqlite3_column_bytes(st, 1);
    *text = malloc(*len + 1);
    if (*text) {
        memcpy(*text, sqlite3_column_text(st, 1), *len);
        (*text)[*len] = 0;
    }
    sqlite3_reset(st);
    return *text ? 0 : -ENOMEM;
}

int sq_report(Store *base, const char *id, const char *format, char **text, size_t *len)
{
    SqliteStore *s = (SqliteStore *)base;
    int which = !strcmp(format, "xml")   ? ST_REPORT_XML
                : !strcmp(format, "csv") ? ST_REPORT_CSV
                                         : ST_REPORT_JSON;
    *text = NULL;
    *len = 0;
    return LOCKED(s, report_locked(s, id, which, text, len));
}

/* ids are [0-9a-f-], all below '~' in the byte order SQLite compares TEXT by, so the range
 * [prefix, prefix + "~") holds exactly the ids that start with prefix: a walk of the unique
 * index. */
static int resolve_locked(SqliteStore *s, const char *prefix, char id[JOB_ID_LEN], char other[JOB_ID_LEN])
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(s->db, "SELECT id FROM jobs WHERE id >= ?1 AND id < ?1 || '~' ORDER BY id LIMIT 2",
                           -1, &st, NULL) != SQLITE_OK)
        return sq_fail(s, "resolve job id");
    sq_bind_text(st, 1, prefix);
    int n = 0;
    while (n < 2 && sqlite3_step(st) == SQLITE_ROW)
        snprintf(n++ ? other : id, JOB_ID_LEN, "%s", (const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    return n == 0 ? -ENOENT : n == 2 ? -EEXIST : 0;
}

int sq_resolve(Store *base, const char *prefix, char id[JOB_ID_LEN], char other[JOB_ID_LEN])
{
    SqliteStore *s = (SqliteStore *)base;
    if (!store_id_prefix_ok(prefix)) return -ENOENT;
    return LOCKED(s, resolve_locked(s, prefix, id, other));
}
