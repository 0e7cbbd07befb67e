/* Start, drain and teardown of the worker (see node.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "node_impl.h"
#include "base/mono.h"
#include "base/redact.h"

void node_wait_locked(Node *nd, double secs)
{
    if (secs <= 0) return;
    struct timespec ts = mono_deadline(secs);
    pthread_cond_timedwait(&nd->cond, &nd->lock, &ts);
}

int node_draining(Node *nd)
{
    pthread_mutex_lock(&nd->lock);
    int d = nd->draining;
    pthread_mutex_unlock(&nd->lock);
    return d;
}

static void fatal(Node *nd, const char *why)
{
    pthread_mutex_lock(&nd->lock);
    int first = !*nd->fatal;
    if (first) {
        char raw[sizeof(nd->fatal)];
        snprintf(raw, sizeof(raw), "the controller refused this node's token (%s)", why);
        redact_copy(nd->fatal, sizeof(nd->fatal), raw);
    }
    pthread_mutex_unlock(&nd->lock);
    if (!first) return;
    if (nd->cfg.on_fatal) nd->cfg.on_fatal(nd->cfg.fatal_user, nd->fatal);
    else log_msg(&nd->cfg.log, VLOG_ERROR, "node", "%s", nd->fatal);
}

void node_refused(Node *nd, const char *why)
{
    if (!strncmp(why, "controller: ", 12)) why += 12;
    pthread_mutex_lock(&nd->lock);
    double now = mono_now();
    if (!nd->refused_since) nd->refused_since = now;
    double since = now - nd->refused_since;
    int give_up = since >= nd->cfg.refused_timeout;
    int say = !give_up && now - nd->refused_said >= REFUSED_EVERY;
    if (say) nd->refused_said = now;
    pthread_mutex_unlock(&nd->lock);
    if (give_up) fatal(nd, why);
    else if (say)
        log_msg(&nd->cfg.log, VLOG_ERROR, "node",
                "the controller refuses this node's token (%s); re-reading the "
                "token file; stopping if it is still refused after %g s (--refused-token-timeout)",
                why, nd->cfg.refused_timeout);
}

void node_accepted(Node *nd)
{
    pthread_mutex_lock(&nd->lock);
    nd->refused_since = nd->refused_said = 0;
    pthread_mutex_unlock(&nd->lock);
}

const char *node_fatal_error(Node *nd)
{
    pthread_mutex_lock(&nd->lock);
    const char *m = *nd->fatal ? nd->fatal : NULL;
    pthread_mutex_unlock(&nd->lock);
    return m;
}

static int init_sync(Node *nd)
{
    pthread_condattr_t a;
    pthread_condattr_init(&a);
    pthread_condattr_setclock(&a, CLOCK_MONOTONIC);
    int e = pthread_cond_init(&nd->cond, &a);
    pthread_condattr_destroy(&a);
    pthread_mutex_init(&nd->lock, NULL);
    return -e;
}

static int start_threads(Node *nd, char *err, size_t n)
{
    int e = -pthread_create(&nd->control, NULL, node_control_main, nd);
    nd->control_started = !e;
    for (unsigned i = 0; !e && i < nd->cfg.slots; i++) {
        NodeSlot *s = &nd->slots[i];
        s->node = nd;
        s->index = i;
        atomic_init(&s->cancel, CANCEL_NONE);
        e = -pthread_create(&s->thread, NULL, node_slot_main, s);
        s->started = !e;
    }
    if (e) snprintf(err, n, "cannot start threads (%s)", strerror(-e));
    return e;
}

int node_start(Node **out, const NodeConfig *cfg, char *err, size_t n)
{
    Node *nd = calloc(1, sizeof(*nd));
    if (!nd) return -ENOMEM;
    nd->cfg = *cfg;
    nd->ctl = (Ctl){ { cfg->controller, NULL, cfg->token_file }, nd->cfg.node_id, 10000 };
    nd->heartbeat_interval = 10;
    nd->slots = calloc(cfg->slots, sizeof(*nd->slots));
    if (!nd->slots || init_sync(nd)) {
        free(nd->slots);
        free(nd);
        return -ENOMEM;
    }
    int e = start_threads(nd, err, n);
    if (e) {
        node_drain(nd);
        node_free(nd);
        return e;
    }
    *out = nd;
    return 0;
}

static unsigned busy_slots(Node *nd)
{
    unsigned k = 0;
    for (unsigned i = 0; i < nd->cfg.slots; i++) k += nd->slots[i].busy;
    return k;
}

/* Past the deadline, running jobs are stopped; their slots hand them back to pending.
 * Returns how many; call with the lock held. */
static unsigned stop_running(Node *nd)
{
    unsigned busy = 0;
    for (unsigned i = 0; i < nd->cfg.slots; i++)
        if (nd->slots[i].busy) {
            log_msg(&nd->cfg.log, VLOG_WARN, "node", "drain deadline: stopping job %s and releasing it",
                    nd->slots[i].lease.id);
            atomic_store(&nd->slots[i].cancel, CANCEL_DRAIN);
            busy++;
        }
    return busy;
}

void node_drain(Node *nd)
{
    pthread_mutex_lock(&nd->lock);
    nd->draining = 1;
    /* with its token refused, no result could be delivered: nothing is worth waiting for */
    nd->drain_deadline = mono_now() + (*nd->fatal ? 0 : nd->cfg.drain_timeout);
    pthread_cond_broadcast(&nd->cond);
    if (busy_slots(nd))
        log_msg(&nd->cfg.log, VLOG_INFO, "node", "draining: %u running jobs may finish within %g s",
                busy_slots(nd), nd->cfg.drain_timeout);
    while (busy_slots(nd) && mono_now() < nd->drain_deadline)
        node_wait_locked(nd, nd->drain_deadline - mono_now());
    unsigned stopped = stop_running(nd);
    pthread_mutex_unlock(&nd->lock);
    /* stopping every rclone process makes reads blocked on a remote input fail at once */
    if (stopped && nd->cfg.exec.storage) storage_cancel(nd->cfg.exec.storage);
    for (unsigned i = 0; i < nd->cfg.slots; i++)
        if (nd->slots[i].started) pthread_join(nd->slots[i].thread, NULL);
    pthread_mutex_lock(&nd->lock);
    nd->stopping = 1;
    pthread_cond_broadcast(&nd->cond);
    pthread_mutex_unlock(&nd->lock);
    if (nd->control_started) pthread_join(nd->control, NULL);
    nd->control_started = 0;
    for (unsigned i = 0; i < nd->cfg.slots; i++) nd->slots[i].started = 0;
}

void node_free(Node *nd)
{
    if (!nd) return;
    pthread_cond_destroy(&nd->cond);
    pthread_mutex_destroy(&nd->lock);
    free(nd->slots);
    free(nd);
}
