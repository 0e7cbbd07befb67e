/* PostgreSQL store: what clients do with jobs (submit, read, list, cancel, reports, counts). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_pg.h"

#define GET_SQL "SELECT " PG_JOB_COLUMNS " FROM jobs WHERE id = $1"

/* 1 when an earlier submit used this key: *id and *same (equal body) say which job. */
static int find_idem(PgStore *s, const StoreSubmit *in, char id[JOB_ID_LEN], int *same)
{
    PgParams p = { .n = 0 };
    pgp_text(&p, in->owner ? in->owner : "");
    pgp_text(&p, in->idem_key);
    PGresult *r = pg_query(s, "idempotency lookup",
                           "SELECT id, body_hash FROM jobs WHERE owner = $1 AND idem_key = $2", &p);
    if (!r) return -EIO;
    int found = PQntuples(r) > 0;
    if (found) {
        snprintf(id, JOB_ID_LEN, "%s", pg_str(r, 0, 0));
        *same = !PQgetisnull(r, 0, 1) && in->body_hash && !strcmp(pg_str(r, 0, 1), in->body_hash);
    }
    PQclear(r);
    return found;
}

static int insert_labels(PgStore *s, const JobSpec *job, long long seq)
{
    for (unsigned i = 0; i < job->n_labels; i++) {
        PgParams p = { .n = 0 };
        pgp_text(&p, job->label_key[i]);
        pgp_text(&p, job->label_value[i]);
        pgp_i64(&p, seq);
        if (pg_exec(s, "insert label",
                    "INSERT INTO labels(key, value, seq) VALUES($1, $2, $3)"
                    " ON CONFLICT DO NOTHING",
                    &p) < 0)
            return -EIO;
    }
    return 0;
}

/* 0 inserted, 1 when another controller committed the same key first (the insert then
 * waited for it and did nothing), -EIO. */
static int insert_job(PgStore *s, const StoreSubmit *in, char id[JOB_ID_LEN])
{
    store_new_id(id);
    PgParams p = { .n = 0 };
    pgp_text(&p, id);
    pgp_text(&p, in->spec_text);
    pgp_i64(&p, in->job->priority);
    pgp_text(&p, in->owner ? in->owner : "");
    pgp_text(&p, in->idem_key);
    pgp_text(&p, in->body_hash);
    pgp_dbl(&p, in->now);
    pgp_dbl(&p, in->hold ? STORE_HELD : 0);
    PGresult *r =
        pg_query(s, "insert job",
                 "INSERT INTO jobs(id, state, spec, priority, owner, idem_key, body_hash, created_at,"
                 " not_before) VALUES($1, {pending}, $2, $3, $4, $5, $6, $7, $8)"
                 " ON CONFLICT (owner, idem_key) WHERE idem_key IS NOT NULL DO NOTHING RETURNING seq",
                 &p);
    if (!r) return -EIO;
    int raced = PQntuples(r) == 0;
    long long seq = raced ? 0 : pg_i64(r, 0, 0);
    PQclear(r);
    if (!raced && in->webhook_url && pg_delivery_insert(s, seq, in->webhook_url)) return -EIO;
    return raced ? 1 : insert_labels(s, in->job, seq);
}

static int submit_locked(PgStore *s, const StoreSubmit *in, char id[JOB_ID_LEN], int *replayed)
{
    int r = pg_begin(s);
    if (r) return r;
    int same = 0;
    r = in->idem_key ? find_idem(s, in, id, &same) : 0;
    if (r == 0) r = insert_job(s, in, id);
    if (r == 1 && in->idem_key && find_idem(s, in, id, &same) == 1) {
        *replayed = 1;
        return pg_end(s, same ? 0 : -EEXIST);
    }
    return pg_end(s, r == 1 ? -EIO : r);
}

int pg_submit(Store *base, const StoreSubmit *in, char id[JOB_ID_LEN], int *replayed)
{
    PgStore *s = (PgStore *)base;
    *replayed = 0;
    return PG_LOCKED(s, submit_locked(s, in, id, replayed));
}

static int get_locked(PgStore *s, const char *sql, const char *id, JobRecord *out)
{
    PgParams p = { .n = 0 };
    pgp_text(&p, id);
    PGresult *r = pg_query(s, "read job", sql, &p);
    if (!r) return -EIO;
    int rc = PQntuples(r) ? pg_row_to_record(r, 0, out) : -ENOENT;
    PQclear(r);
    return rc;
}

int pg_get(Store *base, const char *id, JobRecord *out)
{
    PgStore *s = (PgStore *)base;
    return PG_LOCKED(s, get_locked(s, GET_SQL, id, out));
}

/* Appends a condition naming the parameter just added (fmt takes its number). */
static void add_cond(char *where, size_t n, const char *fmt, const PgParams *p)
{
    size_t k = strlen(where);
    snprintf(where + k, n - k, fmt, p->n);
}

/* Only the filters that are set appear in the query, so each combination uses its index. */
static void list_sql(const ListQuery *q, PgParams *p, char *sql, size_t n)
{
    char where[256] = "";
    if (q->state >= 0) {
        pgp_i64(p, q->state);
        add_cond(where, sizeof(where), " AND state = $%d", p);
    }
    if (q->before > 0) {
        pgp_i64(p, q->before);
        add_cond(where, sizeof(where), " AND seq < $%d", p);
    }
    if (q->label_key) {
        pgp_text(p, q->label_key);
        add_cond(where, sizeof(where), " AND seq IN (SELECT seq FROM labels WHERE key = $%d", p);
        if (q->label_value) {
            pgp_text(p, q->label_value);
            add_cond(where, sizeof(where), " AND value = $%d", p);
        }
        strncat(where, ")", sizeof(where) - strlen(where) - 1);
    }
    pgp_i64(p, (long long)q->limit + 1);
    snprintf(sql, n,
             "SELECT " PG_JOB_COLUMNS " FROM jobs WHERE parent_seq IS NULL%s ORDER BY seq DESC LIMIT $%d",
             where, p->n);
}

static int list_locked(PgStore *s, const ListQuery *q, JobRecord *out, size_t *n, long long *next)
{
    char sql[768];
    PgParams p = { .n = 0 };
    list_sql(q, &p, sql, sizeof(sql));
    PGresult *r = pg_query(s, "list jobs", sql, &p);
    if (!r) return -EIO;
    int rows = PQntuples(r), rc = 0;
    for (int i = 0; !rc && i < rows; i++) {
        if (*n == q->limit) { /* one more row exists: the next page starts after the last one */
            *next = out[*n - 1].seq;
            break;
        }
        rc = pg_row_to_record(r, i, &out[(*n)++]);
    }
    PQclear(r);
    return rc;
}

int pg_list(Store *base, const ListQuery *q, JobRecord **out, size_t *n, long long *next)
{
    PgStore *s = (PgStore *)base;
    *n = 0;
    *next = 0;
    *out = calloc(q->limit ? q->limit : 1, sizeof(**out));
    if (!*out) return -ENOMEM;
    int r = PG_LOCKED(s, list_locked(s, q, *out, n, next));
    if (r) {
        job_records_free(*out, *n);
        *out = NULL;
        *n = 0;
    }
    return r;
}

/* The rows of a cancel (lease.c decides): the job, locked in the transaction, and its new
 * state. */
int pg_read_job(Store *base, const char *id, int lock, JobRecord *out)
{
    return get_locked((PgStore *)base, lock ? GET_SQL " FOR UPDATE" : GET_SQL, id, out);
}

int pg_set_cancelled(Store *base, long long seq, double now)
{
    PgParams p = { .n = 0 };
    pgp_i64(&p, seq);
    pgp_dbl(&p, now);
    return pg_exec((PgStore *)base, "cancel job",
                   "UPDATE jobs SET state = {cancelled}, finished_at = $2, lease_expires = NULL WHERE seq = "
                   "$1",
                   &p) < 0
               ? -EIO
               : 0;
}

static int count_states(PgStore *s, StoreStats *out)
{
    PGresult *r = pg_query(s, "count jobs",
                           "SELECT state, count(*) FROM jobs WHERE parent_seq IS NULL GROUP BY state", NULL);
    if (!r) return -EIO;
    for (int i = 0; i < PQntuples(r); i++) {
        long long k = pg_i64(r, i, 0);
        if (k >= 0 && k < JOB_N_STATES) out->by_state[k] = pg_i64(r, i, 1);
    }
    PQclear(r);
    return 0;
}

static int stats_locked(PgStore *s, double now, double live_window, StoreStats *out)
{
    memset(out, 0, sizeof(*out));
    if (count_states(s, out)) return -EIO;
    PGresult *r = pg_query(s, "oldest pending job",
                           "SELECT created_at FROM jobs WHERE state = {pending} ORDER BY seq LIMIT 1", NULL);
    if (!r) return -EIO;
    if (PQntuples(r)) out->oldest_pending = pg_dbl(r, 0, 0);
    PQclear(r);
    PgParams p = { .n = 0 };
    pgp_dbl(&p, now - live_window);
    r = pg_query(s, "count nodes", "SELECT count(*) FROM nodes WHERE last_seen >= $1", &p);
    if (!r) return -EIO;
    out->nodes_live = pg_i64(r, 0, 0);
    PQclear(r);
    return 0;
}

int pg_stats(Store *base, double now, double live_window, StoreStats *out)
{
    PgStore *s = (PgStore *)base;
    return PG_LOCKED(s, stats_locked(s, now, live_window, out));
}

static int report_locked(PgStore *s, const char *sql, const char *id, char **text, size_t *len)
{
    PgParams p = { .n = 0 };
    pgp_text(&p, id);
    PGresult *r = pg_query(s, "read report", sql, &p);
    if (!r) return -EIO;
    int rc = 0;
    if (!PQntuples(r)) rc = -ENOENT;
    else if (pg_i64(r, 0, 0) != JOB_COMPLETED || PQgetisnull(r, 0, 1)) rc = -EAGAIN;
    else {
        *len = (size_t)PQgetlength(r, 0, 1);
        *text = malloc(*len + 1);
        if (*text) memcpy(*text, PQgetvalue(r, 0, 1), *len + 1);
        else rc = -ENOMEM;
    }
    PQclear(r);
    return rc;
}

int pg_report(Store *base, const char *id, const char *format, char **text, size_t *len)
{
    PgStore *s = (PgStore *)base;
    const char *sql =
        !strcmp(format, "xml")
            ? "SELECT j.state, r.xml FROM jobs j LEFT JOIN reports r ON r.seq = j.seq WHERE j.id = $1"
        : !strcmp(format, "csv")
            ? "SELECT j.state, r.csv FROM jobs j LEFT JOIN reports r ON r.seq = j.seq WHERE j.id = $1"
            : "SELECT j.state, r.json FROM jobs j LEFT JOIN reports r ON r.seq = j.seq WHERE j.id = $1";
    *text = NULL;
    *len = 0;
    return PG_LOCKED(s, report_locked(s, sql, id, text, len));
}

/* LIKE, not a range: a database's collation may order '-' apart from the bytes. The prefix
 * holds no wildcard (store_id_prefix_ok). */
static int resolve_locked(PgStore *s, const char *prefix, char id[JOB_ID_LEN], char other[JOB_ID_LEN])
{
    PgParams p = { .n = 0 };
    pgp_text(&p, prefix);
    PGresult *r = pg_query(s, "resolve job id",
                           "SELECT id FROM jobs WHERE id LIKE $1 || '%' ORDER BY id LIMIT 2", &p);
    if (!r) return -EIO;
    int n = PQntuples(r);
    for (int i = 0; i < n && i < 2; i++) snprintf(i ? other : id, JOB_ID_LEN, "%s", pg_str(r, i, 0));
    PQclear(r);
    return n == 0 ? -ENOENT : n >= 2 ? -EEXIST : 0;
}

int pg_resolve(Store *base, const char *prefix, char id[JOB_ID_LEN], char other[JOB_ID_LEN])
{
    PgStore *s = (PgStore *)base;
    if (!store_id_prefix_ok(prefix)) return -ENOENT;
    return PG_LOCKED(s, resolve_locked(s, prefix, id, other));
}
