/* The lease state machine over a backend's rows (see lease.h). Every operation runs under
 * the store's lock; those that read before they write run in one transaction. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lease.h"

#define ROWS(s) ((s)->rows)

/* Runs expr (an int) with the store's lock held (a GNU statement expression). */
#define WITH_LOCK(s, expr)  \
    ({                      \
        ROWS(s)->lock(s);   \
        int r_ = (expr);    \
        ROWS(s)->unlock(s); \
        r_;                 \
    })

int lease_node_seen(Store *s, const char *node, unsigned slots, double now)
{
    return WITH_LOCK(s, ROWS(s)->node_seen(s, node, slots, now));
}

static int next_locked(Store *s, const char *node, double now, double ttl, LeaseGrant *g)
{
    const LeaseRows *db = ROWS(s);
    int r = db->begin(s);
    if (r) return r;
    long long seq = 0;
    r = db->next_pending(s, now, &seq, g);
    if (r == 0) return db->end(s, -EAGAIN);
    if (r > 0) r = db->take(s, seq, node, now + ttl, now, &g->ref.attempt);
    if (!r) r = db->node_seen(s, node, 0, now);
    return db->end(s, r);
}

int lease_next(Store *s, const char *node, double now, double ttl, LeaseGrant *g)
{
    memset(g, 0, sizeof(*g));
    int r = WITH_LOCK(s, next_locked(s, node, now, ttl, g));
    if (r) {
        free(g->spec);
        g->spec = NULL;
    }
    return r;
}

/* A fenced update's rows changed as the store's answer: 0, -ESTALE or -EIO. */
static int fenced(long long changed)
{
    return changed < 0 ? -EIO : changed ? 0 : -ESTALE;
}

static int is_holder(const LeaseRow *row, const char *node, const LeaseRef *l)
{
    return row->attempt == l->attempt && row->has_node && !strcmp(row->node, node);
}

/* Why a lease a node still holds is no longer its own. */
static void stop_reason(Store *s, const char *node, const LeaseRef *l, LeaseStop *out)
{
    LeaseRow row;
    const char *why = "unknown job";
    out->ref = *l;
    if (ROWS(s)->read(s, l->id, 0, &row) == 1)
        why = row.state == JOB_CANCELLED                            ? "cancelled"
              : row.state == JOB_COMPLETED                          ? "completed"
              : row.state == JOB_FAILED && is_holder(&row, node, l) ? "failed"
                                                                    : "lease lost";
    snprintf(out->reason, sizeof(out->reason), "%s", why);
}

static int heartbeat_locked(Store *s, const char *node, const LeaseRef *held, size_t n, double now,
                            double ttl, LeaseStop *stop, size_t *nstop)
{
    const LeaseRows *db = ROWS(s);
    int r = db->begin(s);
    if (r) return r;
    for (size_t i = 0; !r && i < n; i++) {
        r = fenced(db->renew(s, node, &held[i], now + ttl));
        if (r == -ESTALE) {
            stop_reason(s, node, &held[i], &stop[(*nstop)++]);
            r = 0;
        }
    }
    if (!r) r = db->node_seen(s, node, 0, now);
    return db->end(s, r);
}

int lease_heartbeat(Store *s, const char *node, const LeaseRef *held, size_t n, double now, double ttl,
                    LeaseStop *stop, size_t *nstop)
{
    *nstop = 0;
    return WITH_LOCK(s, heartbeat_locked(s, node, held, n, now, ttl, stop, nstop));
}

int lease_progress(Store *s, const char *node, const LeaseRef *l, long long done, long long total, double fps,
                   double now, double ttl)
{
    if (!isfinite(fps)) fps = 0;
    return WITH_LOCK(s, fenced(ROWS(s)->progress(s, node, l, done, total, fps, now + ttl)));
}

/* The job's seq if (node, l) is its current lease (the row then locked), else -ESTALE. */
static long long current_lease(Store *s, const char *node, const LeaseRef *l, FinishInfo *info)
{
    LeaseRow row;
    int r = ROWS(s)->read(s, l->id, 1, &row);
    if (r <= 0) return r < 0 ? r : -ESTALE;
    info->created_at = row.created_at;
    info->started_at = row.started_at;
    return row.state == JOB_RUNNING && is_holder(&row, node, l) ? row.seq : -ESTALE;
}

static int finish_locked(Store *s, const char *node, const LeaseRef *l, const Outcome *o, double now,
                         FinishInfo *info)
{
    const LeaseRows *db = ROWS(s);
    int r = db->begin(s);
    if (r) return r;
    long long seq = current_lease(s, node, l, info);
    r = seq < 0 ? (int)seq : db->finish(s, seq, o->completed ? JOB_COMPLETED : JOB_FAILED, o, now);
    return db->end(s, r);
}

int lease_finish(Store *s, const char *node, const LeaseRef *l, const Outcome *o, double now,
                 FinishInfo *info)
{
    return WITH_LOCK(s, finish_locked(s, node, l, o, now, info));
}

int lease_release(Store *s, const char *node, const LeaseRef *l, double now)
{
    (void)now;
    return WITH_LOCK(s, fenced(ROWS(s)->requeue_held(s, node, l)));
}

double lease_backoff(const ExpirePolicy *p, unsigned lost)
{
    double d = p->backoff_base * pow(2.0, lost > 30 ? 30 : (double)lost - 1);
    return d < p->backoff_max ? d : p->backoff_max;
}

static int expire_one(Store *s, const ExpiredLease *e, double now, const ExpirePolicy *p, ExpireResult *res)
{
    if (res->n_changed < EXPIRE_IDS_MAX) snprintf(res->changed[res->n_changed++], JOB_ID_LEN, "%s", e->id);
    if (e->lost >= p->max_lost) {
        char why[300];
        snprintf(why, sizeof(why), "lease lost %u time%s (the last on node %s): the job was given up",
                 e->lost, e->lost == 1 ? "" : "s", e->node);
        res->failed++;
        return ROWS(s)->fail_lost(s, e->seq, now, why);
    }
    res->requeued++;
    return ROWS(s)->requeue_lost(s, e->seq, now + lease_backoff(p, e->lost));
}

static int expire_locked(Store *s, double now, const ExpirePolicy *p, ExpireResult *res)
{
    const LeaseRows *db = ROWS(s);
    int r = db->begin(s);
    if (r) return r;
    ExpiredLease *e = NULL;
    size_t n = 0;
    r = db->expired(s, now, &e, &n);
    for (size_t i = 0; !r && i < n; i++) r = expire_one(s, &e[i], now, p, res);
    free(e);
    return db->end(s, r);
}

int lease_expire(Store *s, double now, const ExpirePolicy *p, ExpireResult *res)
{
    memset(res, 0, sizeof(*res));
    int r = WITH_LOCK(s, expire_locked(s, now, p, res));
    if (r) memset(res, 0, sizeof(*res));
    return r;
}

static int cancel_locked(Store *s, const char *id, double now, JobRecord *out)
{
    const LeaseRows *db = ROWS(s);
    int r = db->begin(s);
    if (r) return r;
    r = db->read_job(s, id, 1, out);
    if (!r && (out->state == JOB_PENDING || out->state == JOB_RUNNING)) {
        r = db->set_cancelled(s, out->seq, now);
        out->state = JOB_CANCELLED;
        out->finished_at = now;
    } else if (!r) {
        r = -EALREADY;
    }
    if (r && r != -EALREADY && r != -ENOENT) job_record_free(out);
    return db->end(s, r);
}

int lease_cancel(Store *s, const char *id, double now, JobRecord *out)
{
    return WITH_LOCK(s, cancel_locked(s, id, now, out));
}

int lease_grace(Store *s, double now, double ttl)
{
    return WITH_LOCK(s, ROWS(s)->grace(s, now + ttl));
}
