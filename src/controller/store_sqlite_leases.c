/* SQLite store: the rows the lease state machine (lease.c) reads and writes. The fenced
 * updates match on (id, state = running, attempt, node), so a write for any other lease
 * changes no row. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lease.h"
#include "store_sqlite.h"

#define SQ(base) ((SqliteStore *)(base))

static void sq_lock(Store *base)
{
    pthread_mutex_lock(&SQ(base)->lock);
}

static void sq_unlock(Store *base)
{
    pthread_mutex_unlock(&SQ(base)->lock);
}

static int sq_begin_tx(Store *base)
{
    return sq_begin(SQ(base));
}

static int sq_end_tx(Store *base, int rc)
{
    return sq_end(SQ(base), rc);
}

static int sq_node_seen_row(Store *base, const char *node, unsigned slots, double now)
{
    SqliteStore *s = SQ(base);
    sqlite3_stmt *st = sq_stmt(s, ST_NODE_SEEN);
    sq_bind_text(st, 1, node);
    sqlite3_bind_int(st, 2, (int)slots);
    sqlite3_bind_double(st, 3, now);
    return sq_exec(s, ST_NODE_SEEN, "record node");
}

static int sq_next_pending(Store *base, double now, long long *seq, LeaseGrant *g)
{
    SqliteStore *s = SQ(base);
    sqlite3_stmt *st = sq_stmt(s, ST_NEXT_PENDING);
    sqlite3_bind_double(st, 1, now);
    int r = sqlite3_step(st);
    if (r == SQLITE_DONE) return 0;
    if (r != SQLITE_ROW) return sq_fail(s, "next pending job");
    *seq = sqlite3_column_int64(st, 0);
    snprintf(g->ref.id, sizeof(g->ref.id), "%s", (const char *)sqlite3_column_text(st, 1));
    g->spec = sq_strdup_col(st, 2);
    g->created_at = sqlite3_column_double(st, 3);
    g->first = sqlite3_column_type(st, 4) == SQLITE_NULL;
    sqlite3_reset(st);
    return g->spec ? 1 : -ENOMEM;
}

static int sq_take(Store *base, long long seq, const char *node, double until, double now, unsigned *attempt)
{
    SqliteStore *s = SQ(base);
    sqlite3_stmt *st = sq_stmt(s, ST_TAKE);
    sqlite3_bind_int64(st, 1, seq);
    sq_bind_text(st, 2, node);
    sqlite3_bind_double(st, 3, until);
    sqlite3_bind_double(st, 4, now);
    if (sqlite3_step(st) != SQLITE_ROW) return sq_fail(s, "take job");
    *attempt = (unsigned)sqlite3_column_int(st, 0);
    sqlite3_reset(st);
    return 0;
}

static int sq_read(Store *base, const char *id, int lock, LeaseRow *row)
{
    SqliteStore *s = SQ(base);
    (void)lock; /* the transaction holds the database's write lock already */
    sqlite3_stmt *st = sq_stmt(s, ST_GET_REF);
    sq_bind_text(st, 1, id);
    int r = sqlite3_step(st);
    if (r != SQLITE_ROW) return r == SQLITE_DONE ? 0 : sq_fail(s, "read lease");
    const unsigned char *owner = sqlite3_column_text(st, 3);
    *row = (LeaseRow){ .seq = sqlite3_column_int64(st, 0),
                       .state = (JobState)sqlite3_column_int(st, 1),
                       .attempt = (unsigned)sqlite3_column_int(st, 2),
                       .has_node = owner != NULL,
                       .created_at = sqlite3_column_double(st, 4),
                       .started_at = sqlite3_column_double(st, 5) };
    snprintf(row->node, sizeof(row->node), "%s", owner ? (const char *)owner : "");
    sqlite3_reset(st);
    return 1;
}

/* Runs a fenced update (bound as ?1 id, ?2 attempt, ?3 node, then the caller's binds). */
static long long fenced(SqliteStore *s, sqlite3_stmt *st, int which, const char *node, const LeaseRef *l)
{
    sq_bind_text(st, 1, l->id);
    sqlite3_bind_int(st, 2, (int)l->attempt);
    sq_bind_text(st, 3, node);
    if (sq_exec(s, which, "update lease")) return -EIO;
    return sqlite3_changes(s->db);
}

static long long sq_renew(Store *base, const char *node, const LeaseRef *l, double until)
{
    SqliteStore *s = SQ(base);
    sqlite3_stmt *st = sq_stmt(s, ST_RENEW);
    sqlite3_bind_double(st, 4, until);
    return fenced(s, st, ST_RENEW, node, l);
}

static long long sq_progress_row(Store *base, const char *node, const LeaseRef *l, long long done,
                                 long long total, double fps, double until)
{
    SqliteStore *s = SQ(base);
    sqlite3_stmt *st = sq_stmt(s, ST_PROGRESS);
    sqlite3_bind_int64(st, 4, done);
    if (total >= 0) sqlite3_bind_int64(st, 5, total);
    sqlite3_bind_double(st, 6, fps);
    sqlite3_bind_double(st, 7, until);
    return fenced(s, st, ST_PROGRESS, node, l);
}

static long long sq_requeue_held(Store *base, const char *node, const LeaseRef *l)
{
    SqliteStore *s = SQ(base);
    return fenced(s, sq_stmt(s, ST_RELEASE), ST_RELEASE, node, l);
}

static int sq_finish_row(Store *base, long long seq, JobState state, const Outcome *o, double now)
{
    SqliteStore *s = SQ(base);
    sqlite3_stmt *st = sq_stmt(s, ST_FINISH);
    sqlite3_bind_int64(st, 1, seq);
    sqlite3_bind_int(st, 2, (int)state);
    sqlite3_bind_double(st, 3, now);
    sq_bind_text(st, 4, o->completed ? o->pooled : NULL);
    sq_bind_text(st, 5, o->completed ? NULL : o->error);
    if (o->frames >= 0) sqlite3_bind_int64(st, 6, o->frames);
    if (o->fps >= 0) sqlite3_bind_double(st, 7, o->fps);
    sq_bind_text(st, 8, o->warnings);
    if (sq_exec(s, ST_FINISH, "finish job")) return -EIO;
    if (!o->completed) return 0;
    st = sq_stmt(s, ST_INSERT_REPORT);
    sqlite3_bind_int64(st, 1, seq);
    sq_bind_text(st, 2, o->report_json ? o->report_json : "");
    sq_bind_text(st, 3, o->report_xml ? o->report_xml : "");
    sq_bind_text(st, 4, o->report_csv ? o->report_csv : "");
    return sq_exec(s, ST_INSERT_REPORT, "store report");
}

/* Collects every expired lease before the caller updates any: updating rows while a SELECT
 * walks the same index would make the walk see rows move. */
static int sq_expired(Store *base, double now, ExpiredLease **out, size_t *n)
{
    SqliteStore *s = SQ(base);
    sqlite3_stmt *st = sq_stmt(s, ST_EXPIRED);
    sqlite3_bind_double(st, 1, now);
    size_t cap = 0;
    int r;
    while ((r = sqlite3_step(st)) == SQLITE_ROW) {
        if (*n == cap) {
            ExpiredLease *e = realloc(*out, (cap = cap ? cap * 2 : 16) * sizeof(**out));
            if (!e) {
                sqlite3_reset(st);
                return -ENOMEM;
            }
            *out = e;
        }
        ExpiredLease *e = &(*out)[(*n)++];
        e->seq = sqlite3_column_int64(st, 0);
        e->lost = (unsigned)sqlite3_column_int(st, 1) + 1;
        const unsigned char *node = sqlite3_column_text(st, 2);
        snprintf(e->node, sizeof(e->node), "%s", node ? (const char *)node : "?");
        snprintf(e->id, sizeof(e->id), "%s", (const char *)sqlite3_column_text(st, 3));
    }
    sqlite3_reset(st);
    return r == SQLITE_DONE ? 0 : sq_fail(s, "find expired leases");
}

static int sq_requeue_lost(Store *base, long long seq, double not_before)
{
    SqliteStore *s = SQ(base);
    sqlite3_stmt *st = sq_stmt(s, ST_REQUEUE);
    sqlite3_bind_int64(st, 1, seq);
    sqlite3_bind_double(st, 2, not_before);
    return sq_exec(s, ST_REQUEUE, "requeue job");
}

static int sq_fail_lost(Store *base, long long seq, double now, const char *why)
{
    SqliteStore *s = SQ(base);
    sqlite3_stmt *st = sq_stmt(s, ST_FAIL_LOST);
    sqlite3_bind_int64(st, 1, seq);
    sqlite3_bind_double(st, 2, now);
    sqlite3_bind_text(st, 3, why, -1, SQLITE_TRANSIENT);
    return sq_exec(s, ST_FAIL_LOST, "fail job");
}

static int sq_grace_rows(Store *base, double until)
{
    SqliteStore *s = SQ(base);
    sqlite3_stmt *st = sq_stmt(s, ST_GRACE);
    sqlite3_bind_double(st, 1, until);
    return sq_exec(s, ST_GRACE, "extend leases");
}

const LeaseRows sqlite_lease_rows = {
    .lock = sq_lock,
    .unlock = sq_unlock,
    .begin = sq_begin_tx,
    .end = sq_end_tx,
    .next_pending = sq_next_pending,
    .take = sq_take,
    .node_seen = sq_node_seen_row,
    .read = sq_read,
    .renew = sq_renew,
    .progress = sq_progress_row,
    .requeue_held = sq_requeue_held,
    .finish = sq_finish_row,
    .expired = sq_expired,
    .requeue_lost = sq_requeue_lost,
    .fail_lost = sq_fail_lost,
    .grace = sq_grace_rows,
    .read_job = sq_read_job,
    .set_cancelled = sq_set_cancelled,
};
