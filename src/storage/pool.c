/* The warm pool: one rclone process per (kind, remote root), shared by the inputs of one job
 * and by concurrent jobs, kept after use until it idles out, replaced when it died.
 *
 * Locking: every field that decides ownership (linked, refs, state, the list) changes under
 * ctx->lock; starting and stopping a process (slow) happens outside it. The list holds a
 * reference while a server is linked; whoever unlinks a server stops its process, and
 * whoever drops the last reference frees it. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "storage/storage_impl.h"

static void unlink_locked(StorageContext *ctx, StorageServer *s)
{
    for (StorageServer **pp = &ctx->servers; *pp; pp = &(*pp)->next)
        if (*pp == s) {
            *pp = s->next;
            break;
        }
    s->linked = 0;
    ctx->n_linked--;
}

static void unref_locked(StorageServer *s)
{
    if (--s->refs == 0) free(s);
}

/* Stops an unlinked server's process, then drops the list's reference. */
static void retire(StorageContext *ctx, StorageServer *s)
{
    storage_server_stop(ctx, s);
    pthread_mutex_lock(&ctx->lock);
    unref_locked(s);
    pthread_cond_broadcast(&ctx->cond);
    pthread_mutex_unlock(&ctx->lock);
}

static StorageServer *find_locked(StorageContext *ctx, ServerKind kind, const char *root)
{
    for (StorageServer *s = ctx->servers; s; s = s->next)
        if (s->kind == kind && !strcmp(s->root, root)) return s;
    return NULL;
}

/* The longest-idle server nobody uses, to make room under the process cap. */
static StorageServer *idle_victim_locked(StorageContext *ctx)
{
    StorageServer *v = NULL;
    for (StorageServer *s = ctx->servers; s; s = s->next)
        if (s->state == SRV_READY && s->refs == 1 && (!v || s->idle_since_ms < v->idle_since_ms)) v = s;
    return v;
}

static StorageServer *new_server_locked(StorageContext *ctx, ServerKind kind, const char *root)
{
    StorageServer *s = calloc(1, sizeof(*s));
    if (!s) return NULL;
    s->kind = kind;
    s->state = SRV_STARTING;
    s->id = ++ctx->next_id;
    s->refs = 2; /* the list and the starter */
    s->linked = 1;
    snprintf(s->root, sizeof(s->root), "%s", root);
    s->next = ctx->servers;
    ctx->servers = s;
    ctx->n_linked++;
    return s;
}

/* Starts s (outside the lock) and publishes the outcome to everyone waiting for it. */
static int start_locked(StorageContext *ctx, StorageServer *s, char *err, size_t n)
{
    pthread_mutex_unlock(&ctx->lock);
    long long t0 = mono_now_ms();
    char why[512] = "";
    int r = storage_server_start(ctx, s, why, sizeof(why));
    pthread_mutex_lock(&ctx->lock);
    if (!r) {
        s->state = SRV_READY;
        log_msg(&ctx->cfg.log, VLOG_DEBUG, "storage", "rclone %s for %s ready in %lld ms (pid %d)",
                s->kind == SRV_SERVE ? "serve http" : "mount", s->root, mono_now_ms() - t0, (int)s->proc.pid);
        pthread_cond_broadcast(&ctx->cond);
        return 0;
    }
    s->state = SRV_FAILED;
    s->err_code = r;
    snprintf(s->err, sizeof(s->err), "%s", why);
    snprintf(err, n, "%s", why);
    unlink_locked(ctx, s);
    pthread_cond_broadcast(&ctx->cond);
    pthread_mutex_unlock(&ctx->lock);
    retire(ctx, s);
    pthread_mutex_lock(&ctx->lock);
    return r;
}

/* Waits for a server another thread is starting. 0 when it became ready (the caller looks
 * it up again), else its start-up error. */
static int wait_start_locked(StorageContext *ctx, StorageServer *s, char *err, size_t n)
{
    s->refs++;
    while (s->state == SRV_STARTING && !atomic_load(&ctx->closing)) pthread_cond_wait(&ctx->cond, &ctx->lock);
    int r = s->state == SRV_FAILED ? s->err_code : 0;
    if (r) snprintf(err, n, "%s", s->err);
    unref_locked(s);
    return r;
}

/* A ready server whose process died is dropped here, so no caller ever gets it. */
static int check_alive_locked(StorageContext *ctx, StorageServer *s)
{
    if (!proc_exited(&s->proc)) return 1;
    char st[64];
    proc_describe(s->proc.status, st, sizeof(st));
    log_msg(&ctx->cfg.log, VLOG_WARN, "storage",
            "rclone for %s (pid %d) exited unexpectedly (%s); starting a new one", s->root, (int)s->proc.pid,
            st);
    unlink_locked(ctx, s);
    pthread_mutex_unlock(&ctx->lock);
    retire(ctx, s);
    pthread_mutex_lock(&ctx->lock);
    return 0;
}

static int make_room_locked(StorageContext *ctx, char *err, size_t n)
{
    while (ctx->n_linked >= ctx->cfg.max_procs) {
        StorageServer *v = idle_victim_locked(ctx);
        if (!v) {
            snprintf(err, n, "all %d rclone processes are in use (storage-max-procs)", ctx->cfg.max_procs);
            return -EAGAIN;
        }
        unlink_locked(ctx, v);
        pthread_mutex_unlock(&ctx->lock);
        retire(ctx, v);
        pthread_mutex_lock(&ctx->lock);
    }
    return 0;
}

int storage_pool_acquire(StorageContext *ctx, ServerKind kind, const char *root, StorageServer **out,
                         int *cold, char *err, size_t n)
{
    int r = 0;
    *cold = 0;
    pthread_mutex_lock(&ctx->lock);
    for (;;) {
        if (atomic_load(&ctx->closing)) {
            snprintf(err, n, "cancelled");
            r = -ECANCELED;
            break;
        }
        StorageServer *s = find_locked(ctx, kind, root);
        if (s && s->state == SRV_READY) {
            if (!check_alive_locked(ctx, s)) continue;
            s->refs++;
            *out = s;
            break;
        }
        if (s) {
            if ((r = wait_start_locked(ctx, s, err, n))) break;
            continue;
        }
        if ((r = make_room_locked(ctx, err, n))) break;
        if (find_locked(ctx, kind, root)) continue; /* someone started one meanwhile */
        if (!(s = new_server_locked(ctx, kind, root))) {
            snprintf(err, n, "out of memory");
            r = -ENOMEM;
            break;
        }
        if ((r = start_locked(ctx, s, err, n))) {
            unref_locked(s);
            break;
        }
        *out = s;
        *cold = 1;
        break;
    }
    pthread_mutex_unlock(&ctx->lock);
    return r;
}

void storage_pool_release(StorageContext *ctx, StorageServer *s)
{
    pthread_mutex_lock(&ctx->lock);
    s->idle_since_ms = mono_now_ms();
    unref_locked(s);
    pthread_cond_broadcast(&ctx->cond);
    pthread_mutex_unlock(&ctx->lock);
}

void storage_pool_discard(StorageContext *ctx, StorageServer *s)
{
    pthread_mutex_lock(&ctx->lock);
    int mine = s->linked;
    if (mine) unlink_locked(ctx, s);
    unref_locked(s); /* s stays valid: the list reference is still held when mine */
    pthread_mutex_unlock(&ctx->lock);
    if (mine) retire(ctx, s);
}

void storage_pool_release_stop_unused(StorageContext *ctx, StorageServer *s)
{
    pthread_mutex_lock(&ctx->lock);
    /* refs == 2: the list's reference and ours, so nobody else is reading through it */
    int stop = s->linked && s->refs == 2;
    if (stop) unlink_locked(ctx, s);
    else s->idle_since_ms = mono_now_ms();
    unref_locked(s);
    pthread_cond_broadcast(&ctx->cond);
    pthread_mutex_unlock(&ctx->lock);
    if (stop) retire(ctx, s);
}

void storage_pool_tick(StorageContext *ctx)
{
    StorageServer *stop[64];
    int k = 0;
    long long now = mono_now_ms();
    pthread_mutex_lock(&ctx->lock);
    for (StorageServer *s = ctx->servers, *next; s && k < 64; s = next) {
        next = s->next;
        if (s->state != SRV_READY) continue;
        int idle = s->refs == 1 && now - s->idle_since_ms >= ctx->cfg.idle_timeout_ms;
        int dead = !idle && s->refs == 1 && proc_exited(&s->proc);
        if (!idle && !dead) continue;
        log_msg(&ctx->cfg.log, idle ? VLOG_DEBUG : VLOG_WARN, "storage", "stopping rclone for %s: %s",
                s->root, idle ? "idle" : "it exited unexpectedly");
        unlink_locked(ctx, s);
        stop[k++] = s;
    }
    pthread_mutex_unlock(&ctx->lock);
    for (int i = 0; i < k; i++) retire(ctx, stop[i]);
}

void storage_pool_stop_all(StorageContext *ctx)
{
    for (;;) {
        pthread_mutex_lock(&ctx->lock);
        StorageServer *s = ctx->servers;
        if (s) unlink_locked(ctx, s);
        pthread_mutex_unlock(&ctx->lock);
        if (!s) return;
        retire(ctx, s);
    }
}

void storage_pool_signal(StorageContext *ctx, int sig, int all)
{
    pthread_mutex_lock(&ctx->lock);
    for (StorageServer *s = ctx->servers; s; s = s->next)
        if ((all || s->state == SRV_STARTING) && s->proc.pid && !s->proc.reaped) kill(-s->proc.pid, sig);
    pthread_cond_broadcast(&ctx->cond);
    pthread_mutex_unlock(&ctx->lock);
}
