/* SQLite store: what nodes do (lease, renew, report progress, finish, release) and the
 * sweep that takes expired leases back. Every node write matches on (id, state = running,
 * attempt, node): a write for any other lease changes no row and is refused as stale. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sqlite_store.h"

static int node_seen_locked(SqliteStore *s, const char *node, unsigned slots, double now)
{
    sqlite3_stmt *st = sq_stmt(s, ST_NODE_SEEN);
    sq_bind_text(st, 1, node);
    sqlite3_bind_int(st, 2, (int)slots);
    sqlite3_bind_double(st, 3, now);
    return sq_exec(s, ST_NODE_SEEN, "record node");
}

int sq_node_seen(Store *base, const char *node, unsigned slots, double now)
{
    SqliteStore *s = (SqliteStore *)base;
    return LOCKED(s, node_seen_locked(s, node, slots, now));
}

static int take(SqliteStore *s, long long seq, const char *node, double now, double ttl, LeaseGrant *g)
{
    sqlite3_stmt *st = sq_stmt(s, ST_TAKE);
    sqlite3_bind_int64(st, 1, seq);
    sq_bind_text(st, 2, node);
    sqlite3_bind_double(st, 3, now + ttl);
    sqlite3_bind_double(st, 4, now);
    if (sqlite3_step(st) != SQLITE_ROW) return sq_fail(s, "take job");
    g->ref.attempt = (unsigned)sqlite3_column_int(st, 0);
    sqlite3_reset(st);
    return 0;
}

static int lease_locked(SqliteStore *s, const char *node, double now, double ttl, LeaseGrant *g)
{
    int r = sq_begin(s);
    if (r) return r;
    sqlite3_stmt *st = sq_stmt(s, ST_NEXT_PENDING);
    sqlite3_bind_double(st, 1, now);
    r = sqlite3_step(st);
    if (r == SQLITE_DONE) return sq_end(s, -EAGAIN);
    if (r != SQLITE_ROW) return sq_end(s, sq_fail(s, "next pending job"));
    long long seq = sqlite3_column_int64(st, 0);
    snprintf(g->ref.id, sizeof(g->ref.id), "%s", (const char *)sqlite3_column_text(st, 1));
    g->spec = sq_strdup_col(st, 2);
    g->created_at = sqlite3_column_double(st, 3);
    g->first = sqlite3_column_type(st, 4) == SQLITE_NULL;
    sqlite3_reset(st);
    r = g->spec ? take(s, seq, node, now, ttl, g) : -ENOMEM;
    if (!r) r = node_seen_locked(s, node, 0, now);
    return sq_end(s, r);
}

int sq_lease(Store *base, const char *node, double now, double ttl, LeaseGrant *g)
{
    SqliteStore *s = (SqliteStore *)base;
    memset(g, 0, sizeof(*g));
    int r = LOCKED(s, lease_locked(s, node, now, ttl, g));
    if (r) {
        free(g->spec);
        g->spec = NULL;
    }
    return r;
}

/* Runs one of the fenced updates (bound as ?1 id, ?2 attempt, ?3 node, then extra binds by
 * the caller); 0 if it matched the lease, -ESTALE if not. */
static int fenced(SqliteStore *s, sqlite3_stmt *st, int which, const char *node, const LeaseRef *l)
{
    sq_bind_text(st, 1, l->id);
    sqlite3_bind_int(st, 2, (int)l->attempt);
    sq_bind_text(st, 3, node);
    if (sq_exec(s, which, "update lease")) return -EIO;
    return sqlite3_changes(s->db) ? 0 : -ESTALE;
}

/* Why a lease a node still holds is no longer its own. */
static void stop_reason(SqliteStore *s, const char *node, const LeaseRef *l, LeaseStop *out)
{
    out->ref = *l;
    sqlite3_stmt *st = sq_stmt(s, ST_GET_REF);
    sq_bind_text(st, 1, l->id);
    const char *why = "unknown job";
    if (sqlite3_step(st) == SQLITE_ROW) {
        int state = sqlite3_column_int(st, 1);
        const unsigned char *owner = sqlite3_column_text(st, 3);
        int mine = (unsigned)sqlite3_column_int(st, 2) == l->attempt && owner && !strcmp((const char *)owner, node);
        why = state == JOB_CANCELLED ? "cancelled" : state == JOB_COMPLETED ? "completed"
            : state == JOB_FAILED && mine ? "failed" : "lease lost";
    }
    sqlite3_reset(st);
    snprintf(out->reason, sizeof(out->reason), "%s", why);
}

static int heartbeat_locked(SqliteStore *s, const char *node, const LeaseRef *held, size_t n, double now,
                            double ttl, LeaseStop *stop, size_t *nstop)
{
    int r = sq_begin(s);
    if (r) return r;
    for (size_t i = 0; !r && i < n; i++) {
        sqlite3_stmt *st = sq_stmt(s, ST_RENEW);
        sqlite3_bind_double(st, 4, now + ttl);
        r = fenced(s, st, ST_RENEW, node, &held[i]);
        if (r == -ESTALE) {
            stop_reason(s, node, &held[i], &stop[(*nstop)++]);
            r = 0;
        }
    }
    if (!r) r = node_seen_locked(s, node, 0, now);
    return sq_end(s, r);
}

int sq_heartbeat(Store *base, const char *node, const LeaseRef *held, size_t n, double now, double ttl,
                 LeaseStop *stop, size_t *nstop)
{
    SqliteStore *s = (SqliteStore *)base;
    *nstop = 0;
    return LOCKED(s, heartbeat_locked(s, node, held, n, now, ttl, stop, nstop));
}

static int progress_locked(SqliteStore *s, const char *node, const LeaseRef *l, long long done, long long total,
                           double fps, double now, double ttl)
{
    sqlite3_stmt *st = sq_stmt(s, ST_PROGRESS);
    sqlite3_bind_int64(st, 4, done);
    if (total >= 0) sqlite3_bind_int64(st, 5, total);
    sqlite3_bind_double(st, 6, isfinite(fps) ? fps : 0);
    sqlite3_bind_double(st, 7, now + ttl);
    return fenced(s, st, ST_PROGRESS, node, l);
}

int sq_progress(Store *base, const char *node, const LeaseRef *l, long long done, long long total, double fps,
                double now, double ttl)
{
    SqliteStore *s = (SqliteStore *)base;
    return LOCKED(s, progress_locked(s, node, l, done, total, fps, now, ttl));
}

/* The job's seq if the lease is current, -ESTALE if not. */
static long long current_lease(SqliteStore *s, const char *node, const LeaseRef *l, FinishInfo *info)
{
    sqlite3_stmt *st = sq_stmt(s, ST_GET_REF);
    sq_bind_text(st, 1, l->id);
    int r = sqlite3_step(st);
    if (r != SQLITE_ROW) return r == SQLITE_DONE ? -ESTALE : sq_fail(s, "read lease");
    long long seq = sqlite3_column_int64(st, 0);
    const unsigned char *owner = sqlite3_column_text(st, 3);
    int ok = sqlite3_column_int(st, 1) == JOB_RUNNING && (unsigned)sqlite3_column_int(st, 2) == l->attempt &&
             owner && !strcmp((const char *)owner, node);
    info->created_at = sqlite3_column_double(st, 4);
    info->started_at = sqlite3_column_double(st, 5);
    sqlite3_reset(st);
    return ok ? seq : -ESTALE;
}

static int store_outcome(SqliteStore *s, long long seq, const Outcome *o, double now)
{
    sqlite3_stmt *st = sq_stmt(s, ST_FINISH);
    sqlite3_bind_int64(st, 1, seq);
    sqlite3_bind_int(st, 2, o->completed ? JOB_COMPLETED : JOB_FAILED);
    sqlite3_bind_double(st, 3, now);
    sq_bind_text(st, 4, o->completed ? o->pooled : NULL);
    sq_bind_text(st, 5, o->completed ? NULL : o->error);
    if (o->frames >= 0) sqlite3_bind_int64(st, 6, o->frames);
    if (o->fps >= 0) sqlite3_bind_double(st, 7, o->fps);
    if (sq_exec(s, ST_FINISH, "finish job")) return -EIO;
    if (!o->completed) return 0;
    st = sq_stmt(s, ST_INSERT_REPORT);
    sqlite3_bind_int64(st, 1, seq);
    sq_bind_text(st, 2, o->report_json ? o->report_json : "");
    sq_bind_text(st, 3, o->report_xml ? o->report_xml : "");
    sq_bind_text(st, 4, o->report_csv ? o->report_csv : "");
    return sq_exec(s, ST_INSERT_REPORT, "store report");
}

static int finish_locked(SqliteStore *s, const char *node, const LeaseRef *l, const Outcome *o, double now,
                         FinishInfo *info)
{
    int r = sq_begin(s);
    if (r) return r;
    long long seq = current_lease(s, node, l, info);
    r = seq < 0 ? (int)seq : store_outcome(s, seq, o, now);
    return sq_end(s, r);
}

int sq_finish(Store *base, const char *node, const LeaseRef *l, const Outcome *o, double now, FinishInfo *info)
{
    SqliteStore *s = (SqliteStore *)base;
    return LOCKED(s, finish_locked(s, node, l, o, now, info));
}

static int release_locked(SqliteStore *s, const char *node, const LeaseRef *l)
{
    return fenced(s, sq_stmt(s, ST_RELEASE), ST_RELEASE, node, l);
}

int sq_release(Store *base, const char *node, const LeaseRef *l, double now)
{
    SqliteStore *s = (SqliteStore *)base;
    (void)now;
    return LOCKED(s, release_locked(s, node, l));
}

static double backoff(const ExpirePolicy *p, unsigned lost)
{
    double d = p->backoff_base * pow(2.0, lost > 30 ? 30 : (double)lost - 1);
    return d < p->backoff_max ? d : p->backoff_max;
}

static int expire_one(SqliteStore *s, long long seq, unsigned lost, const char *node, double now,
                      const ExpirePolicy *p, ExpireResult *res)
{
    sqlite3_stmt *st;
    if (lost >= p->max_lost) {
        char why[300];
        snprintf(why, sizeof(why), "lease lost %u time%s (the last on node %s): the job was given up", lost,
                 lost == 1 ? "" : "s", node);
        st = sq_stmt(s, ST_FAIL_LOST);
        sqlite3_bind_int64(st, 1, seq);
        sqlite3_bind_double(st, 2, now);
        sqlite3_bind_text(st, 3, why, -1, SQLITE_TRANSIENT);
        res->failed++;
        return sq_exec(s, ST_FAIL_LOST, "fail job");
    }
    st = sq_stmt(s, ST_REQUEUE);
    sqlite3_bind_int64(st, 1, seq);
    sqlite3_bind_double(st, 2, now + backoff(p, lost));
    res->requeued++;
    return sq_exec(s, ST_REQUEUE, "requeue job");
}

typedef struct Expired {
    long long seq;
    unsigned lost;
    char node[NODE_ID_MAX];
} Expired;

/* Collects expired leases first: updating rows while a SELECT walks the same index would
 * make the walk see rows move. */
static int collect_expired(SqliteStore *s, double now, Expired **out, size_t *n)
{
    sqlite3_stmt *st = sq_stmt(s, ST_EXPIRED);
    sqlite3_bind_double(st, 1, now);
    size_t cap = 0;
    int r;
    while ((r = sqlite3_step(st)) == SQLITE_ROW) {
        if (*n == cap) {
            Expired *e = realloc(*out, (cap = cap ? cap * 2 : 16) * sizeof(**out));
            if (!e) { sqlite3_reset(st); return -ENOMEM; }
            *out = e;
        }
        Expired *e = &(*out)[(*n)++];
        e->seq = sqlite3_column_int64(st, 0);
        e->lost = (unsigned)sqlite3_column_int(st, 1) + 1;
        const unsigned char *node = sqlite3_column_text(st, 2);
        snprintf(e->node, sizeof(e->node), "%s", node ? (const char *)node : "?");
    }
    sqlite3_reset(st);
    return r == SQLITE_DONE ? 0 : sq_fail(s, "find expired leases");
}

static int expire_locked(SqliteStore *s, double now, const ExpirePolicy *p, ExpireResult *res)
{
    int r = sq_begin(s);
    if (r) return r;
    Expired *e = NULL;
    size_t n = 0;
    r = collect_expired(s, now, &e, &n);
    for (size_t i = 0; !r && i < n; i++) r = expire_one(s, e[i].seq, e[i].lost, e[i].node, now, p, res);
    free(e);
    return sq_end(s, r);
}

int sq_expire(Store *base, double now, const ExpirePolicy *p, ExpireResult *res)
{
    SqliteStore *s = (SqliteStore *)base;
    memset(res, 0, sizeof(*res));
    int r = LOCKED(s, expire_locked(s, now, p, res));
    if (r) memset(res, 0, sizeof(*res));
    return r;
}

static int grace_locked(SqliteStore *s, double until)
{
    sqlite3_stmt *st = sq_stmt(s, ST_GRACE);
    sqlite3_bind_double(st, 1, until);
    return sq_exec(s, ST_GRACE, "extend leases");
}

int sq_grace(Store *base, double now, double ttl)
{
    SqliteStore *s = (SqliteStore *)base;
    return LOCKED(s, grace_locked(s, now + ttl));
}
