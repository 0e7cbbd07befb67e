/* A slot: lease a job, run it, deliver the outcome, again, until the node drains. A result
 * is retried while the controller is unreachable (it keeps the lease alive through the
 * heartbeat, and a restarted controller extends leases), so an outage does not lose it. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "node_impl.h"

#define BACKOFF_MIN 0.5
#define BACKOFF_MAX 15.0
#define RELEASE_TRIES 5

static void pause_for(Node *nd, double secs)
{
    pthread_mutex_lock(&nd->lock);
    if (!nd->draining) node_wait_locked(nd, secs);
    pthread_mutex_unlock(&nd->lock);
}

static double next_backoff(double b)
{
    return b * 2 < BACKOFF_MAX ? b * 2 : BACKOFF_MAX;
}

static void on_progress(void *user, unsigned frames, unsigned total, double secs)
{
    NodeSlot *s = user;
    pthread_mutex_lock(&s->node->lock);
    s->frames = frames;
    if (total) s->total = total;
    s->fps = secs > 0 ? frames / secs : 0;
    pthread_mutex_unlock(&s->node->lock);
}

/* Scaling, sync, frame counts, frame rates: logged, and kept for the job's record (only the
 * first ones: a flaky URL's retries must not grow a result without bound). */
#define WARNINGS_MAX 32
#define WARNING_CHARS 1000

static void keep_warning(NodeSlot *s, const char *msg)
{
    char clean[WARNING_CHARS + 1];
    size_t len = strlen(msg);
    snprintf(clean, sizeof(clean), "%s", msg);
    if (len > WARNING_CHARS) memcpy(clean + WARNING_CHARS - 3, "...", 3);
    pthread_mutex_lock(&s->node->lock);
    if (!s->warnings) s->warnings = json_array();
    if (s->warnings && json_array_size(s->warnings) < WARNINGS_MAX) {
        json_t *str = json_string(clean); /* NULL for text that is not UTF-8: left out */
        if (str) json_array_append_new(s->warnings, str);
    }
    pthread_mutex_unlock(&s->node->lock);
}

static void on_notice(void *user, const char *msg)
{
    NodeSlot *s = user;
    log_msg(&s->node->cfg.log, VLOG_INFO, "node", "job %s: %s", s->lease.id, msg);
    keep_warning(s, msg);
}

/* A chunk's seek: logged, not kept (only a fallback from it is a warning). */
static void on_info(void *user, const char *msg)
{
    NodeSlot *s = user;
    log_msg(&s->node->cfg.log, VLOG_INFO, "node", "job %s: %s", s->lease.id, msg);
}

static void on_warning(void *user, const char *msg)
{
    NodeSlot *s = user;
    log_msg(&s->node->cfg.log, VLOG_WARN, "node", "job %s: %s", s->lease.id, msg);
    keep_warning(s, msg);
}

static void slot_set(NodeSlot *s, const CtlLease *l, unsigned total)
{
    pthread_mutex_lock(&s->node->lock);
    s->busy = l != NULL;
    if (l) s->lease = *l;
    s->total = total;
    s->frames = s->reported = 0;
    s->fps = 0;
    s->reason[0] = 0;
    json_decref(s->warnings);
    s->warnings = NULL;
    atomic_store(&s->cancel, CANCEL_NONE);
    pthread_cond_broadcast(&s->node->cond);
    pthread_mutex_unlock(&s->node->lock);
}

static int give_up(Node *nd, double since)
{
    pthread_mutex_lock(&nd->lock);
    double now = mono_now();
    int stop = now - since > nd->cfg.result_retry || (nd->draining && now > nd->drain_deadline);
    pthread_mutex_unlock(&nd->lock);
    return stop;
}

static void deliver(NodeSlot *s, const CtlLease *l, const ExecResult *res, const char *reason,
                    const char *stage)
{
    Node *nd = s->node;
    double since = mono_now(), wait = BACKOFF_MIN;
    for (;;) {
        char err[1024];
        int e = ctl_result_warned(&nd->ctl, l, res, reason, s->warnings, stage, err, sizeof(err));
        if (!e) {
            log_msg(&nd->cfg.log, VLOG_INFO, "node", "job %s %s%s", l->id,
                    res ? "completed" : "failed: ", res ? "" : reason);
            return;
        }
        if (e == -EACCES) node_refused(nd, err); /* retried below: a rotation may be under way */
        if (e == -ESTALE || e == -EINVAL) {
            log_msg(&nd->cfg.log, VLOG_WARN, "node", "job %s: result dropped: %s", l->id, err);
            return;
        }
        if (give_up(nd, since)) {
            log_msg(&nd->cfg.log, VLOG_ERROR, "node",
                    "job %s: result not delivered (%s); the lease will expire", l->id, err);
            return;
        }
        log_msg(&nd->cfg.log, VLOG_WARN, "node", "job %s: %s; retrying the result in %g s", l->id, err, wait);
        pause_for(nd, wait);
        wait = next_backoff(wait);
    }
}

/* A job stopped by the drain goes back to pending, not counted as a lost lease. */
static void release(Node *nd, const CtlLease *l)
{
    char err[1024] = "";
    for (int i = 0; i < RELEASE_TRIES; i++) {
        int e = ctl_release(&nd->ctl, l, err, sizeof(err));
        if (!e) {
            log_msg(&nd->cfg.log, VLOG_INFO, "node", "job %s released back to pending", l->id);
            return;
        }
        if (e != -EAGAIN) break;
        struct timespec ts = { 0, 200000000 };
        nanosleep(&ts, NULL);
    }
    log_msg(&nd->cfg.log, VLOG_WARN, "node", "job %s: not released (%s); its lease will expire", l->id, err);
}

static void finish(NodeSlot *s, const CtlLease *l, int e, ExecResult *res, const char *err)
{
    Node *nd = s->node;
    int why = atomic_load(&s->cancel);
    if (!e) deliver(s, l, res, NULL, NULL); /* finished: delivered even if a stop came late */
    else if (why == CANCEL_DRAIN) release(nd, l);
    else if (why == CANCEL_STOP)
        log_msg(&nd->cfg.log, VLOG_INFO, "node", "job %s stopped: %s", l->id, s->reason);
    else deliver(s, l, NULL, err, res->failed_stage);
}

static void run_job(NodeSlot *s, const CtlLease *l, const JobSpec *spec, const char *spec_err)
{
    Node *nd = s->node;
    slot_set(s, l, spec ? spec->opt.frame_cnt : 0);
    log_msg(&nd->cfg.log, VLOG_INFO, "node", "job %s (attempt %u) started in slot %u", l->id, l->attempt,
            s->index);
    ExecResult res = { .failed_stage = NULL }; /* a job text that does not parse fails before any stage */
    char err[2048];
    int e = -EINVAL;
    snprintf(err, sizeof(err), "%s", spec_err);
    if (spec) {
        PipelineHooks h = { .cancel = &s->cancel,
                            .progress = on_progress,
                            .notice = on_notice,
                            .warning = on_warning,
                            .info = on_info,
                            .user = s };
        e = executor_run(spec, &nd->cfg.exec, &h, &res, err, sizeof(err));
    }
    finish(s, l, e, &res, err);
    if (!e) exec_result_free(&res);
    slot_set(s, NULL, 0);
}

void *node_slot_main(void *arg)
{
    NodeSlot *s = arg;
    Node *nd = s->node;
    double wait = BACKOFF_MIN;
    while (!node_draining(nd)) {
        CtlLease l;
        JobSpec *spec = NULL;
        char err[1600] = "";
        int e = ctl_lease(&nd->ctl, nd->cfg.poll_wait, &l, &spec, err, sizeof(err));
        if (e == -EACCES) {
            node_refused(nd, err);
            pause_for(nd, wait);
            wait = next_backoff(wait);
            continue;
        }
        if (e < 0) {
            log_msg(&nd->cfg.log, VLOG_WARN, "node", "asking for work: %s; again in %g s", err, wait);
            pause_for(nd, wait);
            wait = next_backoff(wait);
            continue;
        }
        wait = BACKOFF_MIN;
        node_accepted(nd);
        if (e == 0 && node_draining(nd)) release(nd, &l); /* granted while the drain began */
        else if (e == 0) run_job(s, &l, spec, err);
        free(spec);
    }
    return NULL;
}
