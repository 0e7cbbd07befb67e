/* PostgreSQL store: the rows the lease state machine (lease.c) reads and writes. The fenced
 * updates match on (id, state = running, attempt, node), so a write for any other lease
 * changes no row. The lease and the sweep lock the rows they take and skip those another
 * controller holds (SKIP LOCKED) instead of waiting for them. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lease.h"
#include "store_pg.h"

#define PG(base) ((PgStore *)(base))
#define LEASE_COLUMNS "seq, state, attempt, node, created_at, started_at"
#define FENCE " WHERE id = $1 AND state = {running} AND attempt = $2 AND node = $3"

static void pg_lock(Store *base)
{
    pthread_mutex_lock(&PG(base)->lock);
    pg_ensure(PG(base));
}

static void pg_unlock(Store *base)
{
    pthread_mutex_unlock(&PG(base)->lock);
}

static int pg_begin_tx(Store *base)
{
    return pg_begin(PG(base));
}

static int pg_end_tx(Store *base, int rc)
{
    return pg_end(PG(base), rc);
}

static int pg_node_seen_row(Store *base, const char *node, unsigned slots, double now)
{
    PgParams p = { .n = 0 };
    pgp_text(&p, node);
    pgp_i64(&p, slots);
    pgp_dbl(&p, now);
    return pg_exec(PG(base), "record node",
                   "INSERT INTO nodes(id, slots, registered_at, last_seen) VALUES($1, $2, $3, $3)"
                   " ON CONFLICT(id) DO UPDATE SET last_seen = excluded.last_seen,"
                   " slots = CASE WHEN excluded.slots > 0 THEN excluded.slots ELSE nodes.slots END",
                   &p) < 0
               ? -EIO
               : 0;
}

static int pg_next_pending(Store *base, double now, long long *seq, LeaseGrant *g)
{
    PgParams p = { .n = 0 };
    pgp_dbl(&p, now);
    PGresult *r = pg_query(PG(base), "next pending job",
                           "SELECT seq, id, spec, created_at, started_at FROM jobs"
                           " WHERE state = {pending} AND not_before <= $1 ORDER BY priority DESC, seq LIMIT 1"
                           " FOR UPDATE SKIP LOCKED",
                           &p);
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

static int pg_take(Store *base, long long seq, const char *node, double until, double now, unsigned *attempt)
{
    PgParams p = { .n = 0 };
    pgp_i64(&p, seq);
    pgp_text(&p, node);
    pgp_dbl(&p, until);
    pgp_dbl(&p, now);
    PGresult *r =
        pg_query(PG(base), "take job",
                 "UPDATE jobs SET state = {running}, attempt = attempt + 1,"
                 " node = $2, lease_expires = $3, started_at = coalesce(started_at, $4), frames_done = 0,"
                 " frames_total = NULL, fps = NULL WHERE seq = $1 RETURNING attempt",
                 &p);
    if (!r) return -EIO;
    int ok = PQntuples(r) == 1;
    if (ok) *attempt = (unsigned)pg_i64(r, 0, 0);
    PQclear(r);
    return ok ? 0 : -EIO;
}

static int pg_read(Store *base, const char *id, int lock, LeaseRow *row)
{
    PgParams p = { .n = 0 };
    pgp_text(&p, id);
    PGresult *r = pg_query(PG(base), "read lease",
                           lock ? "SELECT " LEASE_COLUMNS " FROM jobs WHERE id = $1 FOR UPDATE"
                                : "SELECT " LEASE_COLUMNS " FROM jobs WHERE id = $1",
                           &p);
    if (!r) return -EIO;
    int found = PQntuples(r) > 0;
    if (found) {
        *row = (LeaseRow){ .seq = pg_i64(r, 0, 0),
                           .state = (JobState)pg_i64(r, 0, 1),
                           .attempt = (unsigned)pg_i64(r, 0, 2),
                           .has_node = !PQgetisnull(r, 0, 3),
                           .created_at = pg_dbl(r, 0, 4),
                           .started_at = pg_dbl(r, 0, 5) };
        snprintf(row->node, sizeof(row->node), "%s", pg_str(r, 0, 3));
    }
    PQclear(r);
    return found;
}

/* Runs a fenced update ($1 id, $2 attempt, $3 node, then the caller's extra parameters). */
static long long fenced(Store *base, const char *sql, const char *node, const LeaseRef *l,
                        const PgParams *extra)
{
    PgParams p = { .n = 0 };
    pgp_text(&p, l->id);
    pgp_i64(&p, l->attempt);
    pgp_text(&p, node);
    for (int i = 0; extra && i < extra->n; i++) pgp_text(&p, extra->v[i]); /* extra outlives the call */
    return pg_exec(PG(base), "update lease", sql, &p);
}

static long long pg_renew(Store *base, const char *node, const LeaseRef *l, double until)
{
    PgParams p = { .n = 0 };
    pgp_dbl(&p, until);
    return fenced(base, "UPDATE jobs SET lease_expires = $4" FENCE, node, l, &p);
}

static long long pg_progress_row(Store *base, const char *node, const LeaseRef *l, long long done,
                                 long long total, double fps, double until)
{
    PgParams p = { .n = 0 };
    pgp_i64(&p, done);
    if (total >= 0) pgp_i64(&p, total);
    else pgp_text(&p, NULL);
    pgp_dbl(&p, fps);
    pgp_dbl(&p, until);
    return fenced(base,
                  "UPDATE jobs SET frames_done = $4, frames_total = $5, fps = $6,"
                  " lease_expires = greatest(lease_expires, $7)" FENCE,
                  node, l, &p);
}

static long long pg_requeue_held(Store *base, const char *node, const LeaseRef *l)
{
    return fenced(base, "UPDATE jobs SET state = {pending}, lease_expires = NULL, not_before = 0" FENCE, node,
                  l, NULL);
}

static int store_report(PgStore *s, long long seq, const Outcome *o)
{
    PgParams p = { .n = 0 };
    pgp_i64(&p, seq);
    pgp_text(&p, o->report_json ? o->report_json : "");
    pgp_text(&p, o->report_xml ? o->report_xml : "");
    pgp_text(&p, o->report_csv ? o->report_csv : "");
    return pg_exec(s, "store report", "INSERT INTO reports(seq, json, xml, csv) VALUES($1, $2, $3, $4)", &p) <
                   0
               ? -EIO
               : 0;
}

static int pg_finish_row(Store *base, long long seq, JobState state, const Outcome *o, double now)
{
    PgParams p = { .n = 0 };
    pgp_i64(&p, seq);
    pgp_i64(&p, state);
    pgp_dbl(&p, now);
    pgp_text(&p, o->completed ? o->pooled : NULL);
    pgp_text(&p, o->completed ? NULL : o->error);
    if (o->frames >= 0) pgp_i64(&p, o->frames);
    else pgp_text(&p, NULL);
    if (o->fps >= 0) pgp_dbl(&p, o->fps);
    else pgp_text(&p, NULL);
    pgp_text(&p, o->warnings);
    if (pg_exec(PG(base), "finish job",
                "UPDATE jobs SET state = $2, finished_at = $3, pooled = $4, error = $5,"
                " lease_expires = NULL, frames_done = coalesce($6::bigint, frames_done),"
                " fps = coalesce($7::double precision, fps), warnings = $8 WHERE seq = $1",
                &p) < 0)
        return -EIO;
    return o->completed ? store_report(PG(base), seq, o) : 0;
}

static int pg_expired(Store *base, double now, ExpiredLease **out, size_t *n)
{
    PgParams q = { .n = 0 };
    pgp_dbl(&q, now);
    PGresult *rows = pg_query(PG(base), "find expired leases",
                              "SELECT seq, lost, node, id FROM jobs"
                              " WHERE state = {running} AND lease_expires < $1 FOR UPDATE SKIP LOCKED",
                              &q);
    if (!rows) return -EIO;
    int count = PQntuples(rows);
    *out = count ? calloc((size_t)count, sizeof(**out)) : NULL;
    if (count && !*out) {
        PQclear(rows);
        return -ENOMEM;
    }
    for (int i = 0; i < count; i++) {
        ExpiredLease *e = &(*out)[i];
        e->seq = pg_i64(rows, i, 0);
        e->lost = (unsigned)pg_i64(rows, i, 1) + 1;
        snprintf(e->node, sizeof(e->node), "%s", PQgetisnull(rows, i, 2) ? "?" : pg_str(rows, i, 2));
        snprintf(e->id, sizeof(e->id), "%s", pg_str(rows, i, 3));
    }
    *n = (size_t)count;
    PQclear(rows);
    return 0;
}

static int pg_requeue_lost(Store *base, long long seq, double not_before)
{
    PgParams q = { .n = 0 };
    pgp_i64(&q, seq);
    pgp_dbl(&q, not_before);
    return pg_exec(PG(base), "requeue job",
                   "UPDATE jobs SET state = {pending}, lost = lost + 1,"
                   " lease_expires = NULL, not_before = $2 WHERE seq = $1",
                   &q) < 0
               ? -EIO
               : 0;
}

static int pg_fail_lost(Store *base, long long seq, double now, const char *why)
{
    PgParams p = { .n = 0 };
    pgp_i64(&p, seq);
    pgp_dbl(&p, now);
    pgp_text(&p, why);
    return pg_exec(PG(base), "fail job",
                   "UPDATE jobs SET state = {failed}, lost = lost + 1, lease_expires = NULL,"
                   " finished_at = $2, error = $3 WHERE seq = $1",
                   &p) < 0
               ? -EIO
               : 0;
}

static int pg_grace_rows(Store *base, double until)
{
    PgParams p = { .n = 0 };
    pgp_dbl(&p, until);
    return pg_exec(PG(base), "extend leases",
                   "UPDATE jobs SET lease_expires = greatest(lease_expires, $1)"
                   " WHERE state = {running}",
                   &p) < 0
               ? -EIO
               : 0;
}

const LeaseRows pg_lease_rows = {
    .lock = pg_lock,
    .unlock = pg_unlock,
    .begin = pg_begin_tx,
    .end = pg_end_tx,
    .next_pending = pg_next_pending,
    .take = pg_take,
    .node_seen = pg_node_seen_row,
    .read = pg_read,
    .renew = pg_renew,
    .progress = pg_progress_row,
    .requeue_held = pg_requeue_held,
    .finish = pg_finish_row,
    .expired = pg_expired,
    .requeue_lost = pg_requeue_lost,
    .fail_lost = pg_fail_lost,
    .grace = pg_grace_rows,
    .read_job = pg_read_job,
    .set_cancelled = pg_set_cancelled,
};
