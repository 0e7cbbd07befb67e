/* PostgreSQL store: what nodes do (lease, renew, report progress, finish, release) and the
 * sweep that takes expired leases back. Every node write matches on (id, state = running,
 * attempt, node): a write for any other lease changes no row and is refused as stale. The
 * lease and the sweep lock the rows they take and skip those another controller holds. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_pg.h"

static int node_seen_locked(PgStore *s, const char *node, unsigned slots, double now)
{
    PgParams p = { .n = 0 };
    pgp_text(&p, node);
    pgp_i64(&p, slots);
    pgp_dbl(&p, now);
    return pg_exec(s, "record node", "INSERT INTO nodes(id, slots, registered_at, last_seen) VALUES($1, $2, $3, $3)"
                   " ON CONFLICT(id) DO UPDATE SET last_seen = excluded.last_seen,"
                   " slots = CASE WHEN excluded.slots > 0 THEN excluded.slots ELSE nodes.slots END", &p) < 0
        ? -EIO : 0;
}

int pg_node_seen(Store *base, const char *node, unsigned slots, double now)
{
    PgStore *s = (PgStore *)base;
    return PG_LOCKED(s, node_seen_locked(s, node, slots, now));
}

static int take(PgStore *s, long long seq, const char *node, double now, double ttl, LeaseGrant *g)
{
    PgParams p = { .n = 0 };
    pgp_i64(&p, seq);
    pgp_text(&p, node);
    pgp_dbl(&p, now + ttl);
    pgp_dbl(&p, now);
    PGresult *r = pg_query(s, "take job", "UPDATE jobs SET state = 1, attempt = attempt + 1, node = $2,"
                           " lease_expires = $3, started_at = coalesce(started_at, $4), frames_done = 0,"
                           " frames_total = NULL, fps = NULL WHERE seq = $1 RETURNING attempt", &p);
    if (!r) return -EIO;
    int ok = PQntuples(r) == 1;
    if (ok) g->ref.attempt = (unsigned)pg_i64(r, 0, 0);
    PQclear(r);
    return ok ? 0 : -EIO;
}

/* The next job: 1 with seq and g filled, 0 if none, -EIO. Walks jobs_queue in order. */
static int next_pending(PgStore *s, double now, long long *seq, LeaseGrant *g)
{
    PgParams p = { .n = 0 };
    pgp_dbl(&p, now);
    PGresult *r = pg_query(s, "next pending job", "SELECT seq, id, spec, created_at, started_at FROM jobs"
                           " WHERE state = 0 AND not_before <= $1 ORDER BY priority DESC, seq LIMIT 1"
                           " FOR UPDATE SKIP LOCKED", &p);
    if (!r) return -EIO;
    int found = PQntuples(r) > 0;
    if (found) {
        *seq = pg_i64(r, 0, 0);
        snprintf(g->ref.id, sizeof(g->ref.id), "%s", pg_str(r, 0, 1));
        g->spec = pg_dup(r, 0, 2);
        g->created_at = pg_dbl(r, 0, 3);
        g->first = PQgetisnull(r, 0, 4);
    }
    PQclear(r);
    return found && !g->spec ? -ENOMEM : found;
}

static int lease_locked(PgStore *s, const char *node, double now, double ttl, LeaseGrant *g)
{
    int r = pg_begin(s);
    if (r) return r;
    long long seq = 0;
    r = next_pending(s, now, &seq, g);
    if (r == 0) return pg_end(s, -EAGAIN);
    r = r < 0 ? r : take(s, seq, node, now, ttl, g);
    if (!r) r = node_seen_locked(s, node, 0, now);
    return pg_end(s, r);
}

int pg_lease(Store *base, const char *node, double now, double ttl, LeaseGrant *g)
{
    PgStore *s = (PgStore *)base;
    memset(g, 0, sizeof(*g));
    int r = PG_LOCKED(s, lease_locked(s, node, now, ttl, g));
    if (r) {
        free(g->spec);
        g->spec = NULL;
    }
    return r;
}

/* Runs one of the fenced updates ($1 id, $2 attempt, $3 node, then the caller's extra
 * parameters); 0 if it matched the lease, -ESTALE if not. */
static int fenced(PgStore *s, const char *sql, const char *node, const LeaseRef *l, const PgParams *extra)
{
    PgParams p = { .n = 0 };
    pgp_text(&p, l->id);
    pgp_i64(&p, l->attempt);
    pgp_text(&p, node);
    for (int i = 0; extra && i < extra->n; i++) pgp_text(&p, extra->v[i]);   /* extra outlives the call */
    long long n = pg_exec(s, "update lease", sql, &p);
    return n < 0 ? -EIO : n ? 0 : -ESTALE;
}

/* Why a lease a node still holds is no longer its own. */
static void stop_reason(PgStore *s, const char *node, const LeaseRef *l, LeaseStop *out)
{
    out->ref = *l;
    PgParams p = { .n = 0 };
    pgp_text(&p, l->id);
    PGresult *r = pg_query(s, "read lease", "SELECT state, attempt, node FROM jobs WHERE id = $1", &p);
    const char *why = "unknown job";
    if (r && PQntuples(r)) {
        long long state = pg_i64(r, 0, 0);
        int mine = (unsigned)pg_i64(r, 0, 1) == l->attempt && !PQgetisnull(r, 0, 2) && !strcmp(pg_str(r, 0, 2), node);
        why = state == JOB_CANCELLED ? "cancelled" : state == JOB_COMPLETED ? "completed"
            : state == JOB_FAILED && mine ? "failed" : "lease lost";
    }
    PQclear(r);
    snprintf(out->reason, sizeof(out->reason), "%s", why);
}

static int heartbeat_locked(PgStore *s, const char *node, const LeaseRef *held, size_t n, double now,
                            double ttl, LeaseStop *stop, size_t *nstop)
{
    int r = pg_begin(s);
    if (r) return r;
    PgParams until = { .n = 0 };
    pgp_dbl(&until, now + ttl);
    for (size_t i = 0; !r && i < n; i++) {
        r = fenced(s, "UPDATE jobs SET lease_expires = $4 WHERE id = $1 AND state = 1 AND attempt = $2 AND node = $3",
                   node, &held[i], &until);
        if (r == -ESTALE) {
            stop_reason(s, node, &held[i], &stop[(*nstop)++]);
            r = 0;
        }
    }
    if (!r) r = node_seen_locked(s, node, 0, now);
    return pg_end(s, r);
}

int pg_heartbeat(Store *base, const char *node, const LeaseRef *held, size_t n, double now, double ttl,
                 LeaseStop *stop, size_t *nstop)
{
    PgStore *s = (PgStore *)base;
    *nstop = 0;
    return PG_LOCKED(s, heartbeat_locked(s, node, held, n, now, ttl, stop, nstop));
}

static int progress_locked(PgStore *s, const char *node, const LeaseRef *l, long long done, long long total,
                           double fps, double now, double ttl)
{
    PgParams p = { .n = 0 };
    pgp_i64(&p, done);
    if (total >= 0) pgp_i64(&p, total);
    else pgp_text(&p, NULL);
    pgp_dbl(&p, isfinite(fps) ? fps : 0);
    pgp_dbl(&p, now + ttl);
    return fenced(s, "UPDATE jobs SET frames_done = $4, frames_total = $5, fps = $6,"
                  " lease_expires = greatest(lease_expires, $7)"
                  " WHERE id = $1 AND state = 1 AND attempt = $2 AND node = $3", node, l, &p);
}

int pg_progress(Store *base, const char *node, const LeaseRef *l, long long done, long long total, double fps,
                double now, double ttl)
{
    PgStore *s = (PgStore *)base;
    return PG_LOCKED(s, progress_locked(s, node, l, done, total, fps, now, ttl));
}

/* The job's seq if the lease is current (its row then locked), -ESTALE if not. */
static long long current_lease(PgStore *s, const char *node, const LeaseRef *l, FinishInfo *info)
{
    PgParams p = { .n = 0 };
    pgp_text(&p, l->id);
    PGresult *r = pg_query(s, "read lease", "SELECT seq, state, attempt, node, created_at, started_at FROM jobs"
                           " WHERE id = $1 FOR UPDATE", &p);
    if (!r) return -EIO;
    long long seq = -ESTALE;
    if (PQntuples(r)) {
        int ok = pg_i64(r, 0, 1) == JOB_RUNNING && (unsigned)pg_i64(r, 0, 2) == l->attempt &&
                 !PQgetisnull(r, 0, 3) && !strcmp(pg_str(r, 0, 3), node);
        info->created_at = pg_dbl(r, 0, 4);
        info->started_at = pg_dbl(r, 0, 5);
        if (ok) seq = pg_i64(r, 0, 0);
    }
    PQclear(r);
    return seq;
}

static int store_report(PgStore *s, long long seq, const Outcome *o)
{
    PgParams p = { .n = 0 };
    pgp_i64(&p, seq);
    pgp_text(&p, o->report_json ? o->report_json : "");
    pgp_text(&p, o->report_xml ? o->report_xml : "");
    pgp_text(&p, o->report_csv ? o->report_csv : "");
    return pg_exec(s, "store report", "INSERT INTO reports(seq, json, xml, csv) VALUES($1, $2, $3, $4)", &p) < 0
        ? -EIO : 0;
}

static int store_outcome(PgStore *s, long long seq, const Outcome *o, double now)
{
    PgParams p = { .n = 0 };
    pgp_i64(&p, seq);
    pgp_i64(&p, o->completed ? JOB_COMPLETED : JOB_FAILED);
    pgp_dbl(&p, now);
    pgp_text(&p, o->completed ? o->pooled : NULL);
    pgp_text(&p, o->completed ? NULL : o->error);
    if (o->frames >= 0) pgp_i64(&p, o->frames);
    else pgp_text(&p, NULL);
    if (o->fps >= 0) pgp_dbl(&p, o->fps);
    else pgp_text(&p, NULL);
    if (pg_exec(s, "finish job", "UPDATE jobs SET state = $2, finished_at = $3, pooled = $4, error = $5,"
                " lease_expires = NULL, frames_done = coalesce($6::bigint, frames_done),"
                " fps = coalesce($7::double precision, fps) WHERE seq = $1", &p) < 0)
        return -EIO;
    return o->completed ? store_report(s, seq, o) : 0;
}

static int finish_locked(PgStore *s, const char *node, const LeaseRef *l, const Outcome *o, double now,
                         FinishInfo *info)
{
    int r = pg_begin(s);
    if (r) return r;
    long long seq = current_lease(s, node, l, info);
    r = seq < 0 ? (int)seq : store_outcome(s, seq, o, now);
    return pg_end(s, r);
}

int pg_finish(Store *base, const char *node, const LeaseRef *l, const Outcome *o, double now, FinishInfo *info)
{
    PgStore *s = (PgStore *)base;
    return PG_LOCKED(s, finish_locked(s, node, l, o, now, info));
}

int pg_release(Store *base, const char *node, const LeaseRef *l, double now)
{
    PgStore *s = (PgStore *)base;
    (void)now;
    return PG_LOCKED(s, fenced(s, "UPDATE jobs SET state = 0, lease_expires = NULL, not_before = 0"
                               " WHERE id = $1 AND state = 1 AND attempt = $2 AND node = $3", node, l, NULL));
}

static double backoff(const ExpirePolicy *p, unsigned lost)
{
    double d = p->backoff_base * pow(2.0, lost > 30 ? 30 : (double)lost - 1);
    return d < p->backoff_max ? d : p->backoff_max;
}

static int fail_lost(PgStore *s, long long seq, unsigned lost, const char *node, double now)
{
    char why[300];
    snprintf(why, sizeof(why), "lease lost %u time%s (the last on node %s): the job was given up", lost,
             lost == 1 ? "" : "s", node);
    PgParams p = { .n = 0 };
    pgp_i64(&p, seq);
    pgp_dbl(&p, now);
    pgp_text(&p, why);
    return pg_exec(s, "fail job", "UPDATE jobs SET state = 3, lost = lost + 1, lease_expires = NULL,"
                   " finished_at = $2, error = $3 WHERE seq = $1", &p) < 0 ? -EIO : 0;
}

static int expire_one(PgStore *s, const PGresult *rows, int i, double now, const ExpirePolicy *p,
                      ExpireResult *res)
{
    long long seq = pg_i64(rows, i, 0);
    unsigned lost = (unsigned)pg_i64(rows, i, 1) + 1;
    if (lost >= p->max_lost) {
        res->failed++;
        return fail_lost(s, seq, lost, PQgetisnull(rows, i, 2) ? "?" : pg_str(rows, i, 2), now);
    }
    PgParams q = { .n = 0 };
    pgp_i64(&q, seq);
    pgp_dbl(&q, now + backoff(p, lost));
    res->requeued++;
    return pg_exec(s, "requeue job", "UPDATE jobs SET state = 0, lost = lost + 1, lease_expires = NULL,"
                   " not_before = $2 WHERE seq = $1", &q) < 0 ? -EIO : 0;
}

static int expire_locked(PgStore *s, double now, const ExpirePolicy *p, ExpireResult *res)
{
    int r = pg_begin(s);
    if (r) return r;
    PgParams q = { .n = 0 };
    pgp_dbl(&q, now);
    PGresult *rows = pg_query(s, "find expired leases", "SELECT seq, lost, node FROM jobs"
                              " WHERE state = 1 AND lease_expires < $1 FOR UPDATE SKIP LOCKED", &q);
    if (!rows) return pg_end(s, -EIO);
    for (int i = 0; !r && i < PQntuples(rows); i++) r = expire_one(s, rows, i, now, p, res);
    PQclear(rows);
    return pg_end(s, r);
}

int pg_expire(Store *base, double now, const ExpirePolicy *p, ExpireResult *res)
{
    PgStore *s = (PgStore *)base;
    memset(res, 0, sizeof(*res));
    int r = PG_LOCKED(s, expire_locked(s, now, p, res));
    if (r) memset(res, 0, sizeof(*res));
    return r;
}

int pg_grace(Store *base, double now, double ttl)
{
    PgStore *s = (PgStore *)base;
    PgParams p = { .n = 0 };
    pgp_dbl(&p, now + ttl);
    return PG_LOCKED(s, pg_exec(s, "extend leases", "UPDATE jobs SET lease_expires = greatest(lease_expires, $1)"
                                " WHERE state = 1", &p) < 0 ? -EIO : 0);
}
