/* The control thread: registers the node, sends each running job's progress once a second
 * and a heartbeat every interval the controller asked for, and turns the controller's "stop
 * this job" (a 409 on progress, or an entry in the heartbeat's answer) into the job's cancel
 * flag, which its scoring loop checks before every frame. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "node_impl.h"

#define TICK 1.0 /* seconds between progress reports */

typedef struct Running {
    CtlLease lease;
    unsigned frames, total;
    double fps;
} Running;

/* The busy slots (all of them, or only those with new progress); call with the lock held. */
static size_t running(Node *nd, Running *out, int changed_only)
{
    size_t k = 0;
    for (unsigned i = 0; i < nd->cfg.slots; i++) {
        NodeSlot *s = &nd->slots[i];
        if (!s->busy || (changed_only && s->frames == s->reported)) continue;
        out[k++] = (Running){ s->lease, s->frames, s->total, s->fps };
    }
    return k;
}

static void stop_job(Node *nd, const CtlLease *l, const char *reason)
{
    pthread_mutex_lock(&nd->lock);
    for (unsigned i = 0; i < nd->cfg.slots; i++) {
        NodeSlot *s = &nd->slots[i];
        if (!s->busy || strcmp(s->lease.id, l->id) || s->lease.attempt != l->attempt) continue;
        int none = CANCEL_NONE;
        if (atomic_compare_exchange_strong(&s->cancel, &none, CANCEL_STOP)) {
            snprintf(s->reason, sizeof(s->reason), "%s", reason);
            log_msg(&nd->cfg.log, VLOG_INFO, "node", "job %s: %s; stopping it", l->id, reason);
        }
    }
    pthread_mutex_unlock(&nd->lock);
}

static void mark_reported(Node *nd, const Running *r)
{
    pthread_mutex_lock(&nd->lock);
    for (unsigned i = 0; i < nd->cfg.slots; i++) {
        NodeSlot *s = &nd->slots[i];
        if (s->busy && !strcmp(s->lease.id, r->lease.id) && s->lease.attempt == r->lease.attempt)
            s->reported = r->frames;
    }
    pthread_mutex_unlock(&nd->lock);
}

static int heartbeat(Node *nd, Running *buf);

/* A 409 on progress says only that the lease is no longer this node's; the heartbeat's
 * answer says why (cancelled, completed, failed, lease lost), so one is sent at once and the
 * job is stopped with that reason, or with the vaguer one if the heartbeat does not tell. */
static void send_progress(Node *nd, Running *buf)
{
    CtlLease stale[64];
    size_t nstale = 0;
    pthread_mutex_lock(&nd->lock);
    size_t n = running(nd, buf, 1);
    pthread_mutex_unlock(&nd->lock);
    for (size_t i = 0; i < n; i++) {
        char err[1024];
        int e = ctl_progress(&nd->ctl, &buf[i].lease, buf[i].frames, buf[i].total, buf[i].fps, err,
                             sizeof(err));
        if (!e) mark_reported(nd, &buf[i]);
        else if (e == -ESTALE && nstale < sizeof(stale) / sizeof(stale[0])) stale[nstale++] = buf[i].lease;
        else if (e == -EACCES) node_refused(nd, err);
        else log_msg(&nd->cfg.log, VLOG_DEBUG, "node", "progress of job %s: %s", buf[i].lease.id, err);
    }
    if (!nstale) return;
    heartbeat(nd, buf);
    for (size_t i = 0; i < nstale; i++) stop_job(nd, &stale[i], "the controller no longer assigns it here");
}

/* 1 when the controller asked the node to register again. */
static int heartbeat(Node *nd, Running *buf)
{
    pthread_mutex_lock(&nd->lock);
    size_t n = running(nd, buf, 0);
    pthread_mutex_unlock(&nd->lock);
    CtlLease *held = calloc(n ? n : 1, sizeof(*held));
    CtlStop *stop = calloc(n ? n : 1, sizeof(*stop));
    size_t nstop = 0;
    char err[1024];
    int again = 0;
    for (size_t i = 0; held && i < n; i++) held[i] = buf[i].lease;
    int e = held && stop ? ctl_heartbeat(&nd->ctl, held, n, stop, &nstop, &again, err, sizeof(err)) : -ENOMEM;
    if (e == -ENOMEM) snprintf(err, sizeof(err), "out of memory");
    if (e == -EACCES) node_refused(nd, err);
    else if (e) log_msg(&nd->cfg.log, VLOG_WARN, "node", "heartbeat: %s", err);
    else node_accepted(nd);
    for (size_t i = 0; i < nstop; i++) stop_job(nd, &stop[i].lease, stop[i].reason);
    free(held);
    free(stop);
    return again;
}

/* The rclone remotes this node's inputs may name, for the controller to refuse a job whose
 * remote no node has; NULL when it cannot tell (then nothing is refused on its account). */
#define MAX_REMOTES 256
static json_t *remote_names(Node *nd)
{
    if (!nd->cfg.exec.storage) return json_array(); /* no storage: local paths and URLs only */
    char(*names)[128] = malloc(MAX_REMOTES * sizeof(*names));
    int n = names ? storage_remote_names(nd->cfg.exec.storage, names, MAX_REMOTES) : -1;
    json_t *a = n >= 0 ? json_array() : NULL;
    for (int i = 0; a && i < n; i++) json_array_append_new(a, json_string(names[i]));
    free(names);
    return a;
}

static int try_register(Node *nd)
{
    char err[1024];
    double every = nd->heartbeat_interval;
    json_t *remotes = remote_names(nd);
    int e = ctl_register(&nd->ctl, nd->cfg.slots, &every, remotes, err, sizeof(err));
    json_decref(remotes);
    if (e == -EACCES) node_refused(nd, err);
    if (e) {
        if (e != -EACCES) log_msg(&nd->cfg.log, VLOG_WARN, "node", "register: %s", err);
        return 0;
    }
    pthread_mutex_lock(&nd->lock);
    nd->heartbeat_interval = every;
    pthread_mutex_unlock(&nd->lock);
    log_msg(&nd->cfg.log, VLOG_INFO, "node", "registered as %s with %u slot%s (heartbeat every %g s)",
            nd->cfg.node_id, nd->cfg.slots, nd->cfg.slots == 1 ? "" : "s", every);
    return 1;
}

void *node_control_main(void *arg)
{
    Node *nd = arg;
    Running *buf = calloc(nd->cfg.slots, sizeof(*buf));
    int registered = 0;
    double next_beat = 0;
    pthread_mutex_lock(&nd->lock);
    while (!nd->stopping) {
        pthread_mutex_unlock(&nd->lock);
        double now = mono_now();
        if (now >= next_beat) {
            if (!registered) registered = try_register(nd);
            if (buf && heartbeat(nd, buf)) registered = 0; /* again at the next beat */
            next_beat = now + nd->heartbeat_interval;
        }
        if (buf) send_progress(nd, buf);
        pthread_mutex_lock(&nd->lock);
        if (!nd->stopping) node_wait_locked(nd, TICK);
    }
    pthread_mutex_unlock(&nd->lock);
    free(buf);
    return NULL;
}
