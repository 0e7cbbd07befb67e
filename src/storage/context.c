/* The storage context: configuration checks at start, the manager thread (spawns rclone,
 * expires idle and dead servers), cancellation and the final clean-up. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/log.h"
#include "base/mono.h"
#include "storage/storage_impl.h"

#define TICK_MS 250

struct SpawnReq {
    const ProcSpec *spec;
    Proc *proc;
    char *err;
    size_t n;
    int result, done;
    SpawnReq *next;
};

static void deadline_in(struct timespec *ts, int ms)
{
    *ts = mono_deadline(ms / 1000.0);
}

static void serve_spawns_locked(StorageContext *ctx)
{
    while (ctx->spawn_q) {
        SpawnReq *q = ctx->spawn_q;
        ctx->spawn_q = q->next;
        pthread_mutex_unlock(&ctx->lock);
        q->result = proc_spawn(q->proc, q->spec, q->err, q->n);
        pthread_mutex_lock(&ctx->lock);
        q->done = 1;
        pthread_cond_broadcast(&ctx->cond);
    }
}

static void *manager_main(void *arg)
{
    StorageContext *ctx = arg;
    long long next_tick = mono_now_ms() + TICK_MS;
    pthread_mutex_lock(&ctx->lock);
    while (!ctx->mgr_stop) {
        serve_spawns_locked(ctx);
        if (mono_now_ms() >= next_tick) {
            pthread_mutex_unlock(&ctx->lock);
            if (!atomic_load(&ctx->closing)) storage_pool_tick(ctx);
            pthread_mutex_lock(&ctx->lock);
            next_tick = mono_now_ms() + TICK_MS;
            continue;
        }
        struct timespec ts;
        deadline_in(&ts, TICK_MS);
        if (!ctx->spawn_q && !ctx->mgr_stop) pthread_cond_timedwait(&ctx->mgr_cond, &ctx->lock, &ts);
    }
    serve_spawns_locked(ctx);
    pthread_mutex_unlock(&ctx->lock);
    return NULL;
}

int storage_spawn(StorageContext *ctx, const ProcSpec *spec, Proc *p, char *err, size_t n)
{
    SpawnReq q = { spec, p, err, n, 0, 0, NULL };
    pthread_mutex_lock(&ctx->lock);
    SpawnReq **tail = &ctx->spawn_q;
    while (*tail) tail = &(*tail)->next;
    *tail = &q;
    pthread_cond_signal(&ctx->mgr_cond);
    while (!q.done) pthread_cond_wait(&ctx->cond, &ctx->lock);
    pthread_mutex_unlock(&ctx->lock);
    return q.result;
}

/* FUSE is usable when /dev/fuse opens and a fusermount helper exists. */
static void check_fuse(StorageContext *ctx)
{
    char path[PATH_MAX];
    int fd = open("/dev/fuse", O_RDWR | O_CLOEXEC);
    if (fd < 0) {
        snprintf(ctx->fuse_why, sizeof(ctx->fuse_why), "/dev/fuse: %s", strerror(errno));
        return;
    }
    close(fd);
    if (proc_find("fusermount3", path, sizeof(path)) && proc_find("fusermount", path, sizeof(path))) {
        snprintf(ctx->fuse_why, sizeof(ctx->fuse_why), "fusermount3 not found (install fuse3)");
        return;
    }
    ctx->fuse_ok = 1;
}

static int make_dirs(StorageContext *ctx, char *err, size_t n)
{
    const char *tmp = getenv("TMPDIR");
    snprintf(ctx->rundir, sizeof(ctx->rundir), "%s/vmafx-storage-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(ctx->rundir)) {
        snprintf(err, n, "cannot create a private directory under %s: %s", tmp && *tmp ? tmp : "/tmp",
                 strerror(errno));
        ctx->rundir[0] = 0;
        return -errno;
    }
    /* 0711: others may pass through but not list. The setuid fusermount3 must reach the mount
     * points inside, and in a container with every capability but SYS_ADMIN dropped its root
     * has no DAC override. The files here stay 0600 (logs) or belong to rclone (0700), and a
     * FUSE mount without allow_other serves only its owner. */
    if (chmod(ctx->rundir, 0711)) {
        snprintf(err, n, "%s: %s", ctx->rundir, strerror(errno));
        return -errno;
    }
    if (ctx->cfg.mount_root[0]) {
        snprintf(ctx->mount_root, sizeof(ctx->mount_root), "%s", ctx->cfg.mount_root);
        if (mkdir(ctx->mount_root, 0711) && errno != EEXIST) { /* see the rundir above */
            snprintf(err, n, "mount root %s: %s", ctx->mount_root, strerror(errno));
            return -errno;
        }
    } else {
        snprintf(ctx->mount_root, sizeof(ctx->mount_root), "%s", ctx->rundir);
    }
    return 0;
}

static int check_config(StorageContext *ctx, char *err, size_t n)
{
    if (ctx->cfg.mode == STORAGE_MODE_MOUNT && !ctx->fuse_ok) {
        snprintf(err, n, "storage mode 'mount' needs FUSE, which is not usable here: %s", ctx->fuse_why);
        return -ENODEV;
    }
    if (proc_find(ctx->cfg.rclone, ctx->rclone, sizeof(ctx->rclone))) ctx->rclone[0] = 0;
    return rcconf_open(&ctx->rcconf, ctx->cfg.rclone_config, err, n);
}

static void fill_defaults(StorageConfig *c)
{
    StorageConfig d;
    storage_config_defaults(&d);
    if (c->serve_timeout_ms <= 0) c->serve_timeout_ms = d.serve_timeout_ms;
    if (c->mount_timeout_ms <= 0) c->mount_timeout_ms = d.mount_timeout_ms;
    if (c->check_timeout_ms <= 0) c->check_timeout_ms = d.check_timeout_ms;
    if (c->grace_ms <= 0) c->grace_ms = d.grace_ms;
    if (c->max_procs <= 0) c->max_procs = d.max_procs;
    if (!c->rclone[0]) snprintf(c->rclone, sizeof(c->rclone), "rclone");
}

int storage_open(StorageContext **out, const StorageConfig *cfg, char *err, size_t n)
{
    *out = NULL;
    if ((unsigned)cfg->mode > STORAGE_MODE_AUTO) {
        snprintf(err, n, "unknown storage mode");
        return -EINVAL;
    }
    StorageContext *ctx = calloc(1, sizeof(*ctx));
    if (!ctx) {
        snprintf(err, n, "out of memory");
        return -ENOMEM;
    }
    ctx->cfg = *cfg;
    fill_defaults(&ctx->cfg);
    check_fuse(ctx);
    int r = check_config(ctx, err, n);
    if (!r) r = make_dirs(ctx, err, n);
    if (r) {
        if (ctx->rundir[0]) rmdir(ctx->rundir);
        rcconf_close(&ctx->rcconf);
        free(ctx);
        return r;
    }
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_mutex_init(&ctx->lock, NULL);
    pthread_cond_init(&ctx->cond, NULL);
    pthread_cond_init(&ctx->mgr_cond, &ca);
    pthread_condattr_destroy(&ca);
    pthread_create(&ctx->manager, NULL, manager_main, ctx);
    log_msg(&ctx->cfg.log, VLOG_DEBUG, "storage", "rclone config: %s",
            ctx->rcconf.path[0] ? ctx->rcconf.path : "(rclone default)");
    *out = ctx;
    return 0;
}

/* Cancelling stops every child at once, so that a read blocked on a remote input (even one
 * inside a FUSE mount) fails now; rclone mount unmounts itself on SIGTERM, and what it
 * leaves is cleaned up by storage_close. */
void storage_cancel(StorageContext *ctx)
{
    if (!ctx) return;
    atomic_store(&ctx->closing, 1);
    storage_pool_signal(ctx, SIGTERM, 1);
}

/* Removes what vmafx put in its private directory. It never descends into another file
 * system: a mount point that could not be unmounted is left alone, not emptied. */
static void remove_rundir(const char *dir, dev_t dev)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    struct stat st;
    char p[PATH_MAX + 256];
    while (d && (e = readdir(d))) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
        snprintf(p, sizeof(p), "%s/%s", dir, e->d_name);
        if (lstat(p, &st) || st.st_dev != dev) continue;
        if (S_ISDIR(st.st_mode)) remove_rundir(p, dev);
        else unlink(p);
    }
    if (d) closedir(d);
    rmdir(dir);
}

void storage_close(StorageContext *ctx)
{
    if (!ctx) return;
    /* An orderly close: start-ups in progress are aborted, the rest is unmounted and
     * stopped one by one below. */
    if (!atomic_exchange(&ctx->closing, 1)) storage_pool_signal(ctx, SIGTERM, 0);
    pthread_mutex_lock(&ctx->lock);
    while (ctx->active) pthread_cond_wait(&ctx->cond, &ctx->lock);
    pthread_mutex_unlock(&ctx->lock);
    storage_pool_stop_all(ctx);
    pthread_mutex_lock(&ctx->lock);
    ctx->mgr_stop = 1;
    pthread_cond_signal(&ctx->mgr_cond);
    pthread_mutex_unlock(&ctx->lock);
    pthread_join(ctx->manager, NULL);
    /* Only after every mount is gone: rundir may hold mount points. */
    struct stat st;
    if (!lstat(ctx->rundir, &st)) remove_rundir(ctx->rundir, st.st_dev);
    rcconf_close(&ctx->rcconf);
    pthread_cond_destroy(&ctx->cond);
    pthread_cond_destroy(&ctx->mgr_cond);
    pthread_mutex_destroy(&ctx->lock);
    free(ctx);
}

int storage_process_count(StorageContext *ctx)
{
    pthread_mutex_lock(&ctx->lock);
    int k = ctx->n_linked;
    pthread_mutex_unlock(&ctx->lock);
    return k;
}

int storage_remote_names(StorageContext *ctx, char (*out)[128], int max)
{
    return rcconf_names(&ctx->rcconf, out, max);
}
