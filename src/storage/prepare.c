/* prepare(uri) -> readable: picks local passthrough, direct http, or an rclone server
 * (serve http or mount, by mode), checks the object, and hands back what to open. */
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "base/httpc.h"
#include "base/log.h"
#include "storage/storage_impl.h"
#include "storage/uri_util.h"

typedef enum { STAGE_SERVER, STAGE_CHECK, STAGE_DATA } Stage;

static void fail(char *err, size_t n, const char *what, const char *why)
{
    snprintf(err, n, "%s: %s", what, why);
}

static int prepare_local(StorageContext *ctx, const StorageTarget *t, StorageReadable *out, char *err,
                         size_t n)
{
    char real[PATH_MAX], why[256];
    int r = storage_allow_resolve_local(&ctx->cfg, t->location, real, out->what, err, n);
    if (r) return r;
    ObjectInfo info;
    if ((r = preflight_local(real, &info, why, sizeof(why)))) {
        fail(err, n, out->what, why);
        return r;
    }
    snprintf(out->location, sizeof(out->location), "%s", real);
    out->via = "local";
    out->size = info.size;
    return 0;
}

static int prepare_http(StorageContext *ctx, const StorageTarget *t, StorageReadable *out, char *err,
                        size_t n)
{
    char why[512];
    int r = storage_allow_check(&ctx->cfg, t, NULL, out->what, err, n);
    ObjectInfo info;
    if (!r && (r = preflight_http(ctx, t->location, &info, why, sizeof(why)))) fail(err, n, out->what, why);
    if (r) return r;
    snprintf(out->location, sizeof(out->location), "%s", t->location);
    out->via = "http";
    out->size = info.size;
    return 0;
}

/* Backends whose listing or metadata carries the MD5 (no extra read of the data). */
static int cheap_md5(const char *type)
{
    static const char *types[] = { "s3", "azureblob", "google cloud storage", "gcs", "swift", NULL };
    for (int i = 0; types[i]; i++)
        if (!strcmp(type, types[i])) return 1;
    return 0;
}

static int remote_type(StorageContext *ctx, const StorageTarget *t, char *type, size_t tn, char *err,
                       size_t n, const char *what)
{
    if (!t->config_name[0]) { /* ":backend,opts:" names its type itself */
        snprintf(type, tn, "%.*s", (int)strcspn(t->remote + 1, ",:"), t->remote + 1);
        return 0;
    }
    int r = rcconf_type(&ctx->rcconf, t->config_name, type, tn);
    if (r == 1) {
        type[0] = 0;
        return 0;
    } /* encrypted config: rclone will judge */
    if (!r) return 0;
    snprintf(err, n, "%s: rclone remote '%s' is not configured (%s)", what, t->config_name,
             ctx->rcconf.path[0] ? ctx->rcconf.path : "no rclone.conf found");
    return -ENXIO;
}

/* The object through the served URL, or its path in the mount, must be reachable. */
static int check_data(StorageContext *ctx, StorageServer *s, const StorageReadable *out, int cold, char *why,
                      size_t wn)
{
    if (s->kind == SRV_MOUNT) {
        long long deadline = mono_now_ms() + ctx->cfg.mount_timeout_ms;
        struct stat st;
        while (stat(out->location, &st)) {
            if (mono_now_ms() > deadline || atomic_load(&ctx->closing)) {
                snprintf(why, wn, "not visible in the mount within %.1f s",
                         ctx->cfg.mount_timeout_ms / 1000.0);
                return -ETIMEDOUT;
            }
            struct timespec ts = { 0, 5000000 };
            nanosleep(&ts, NULL);
        }
        return 0;
    }
    /* clang-format off */
    if (!cold) return 0;   /* a warm server already answered for this root */
    HttpRequest rq = { "127.0.0.1", s->data_port, "HEAD", strchr(out->location + 7, '/'), NULL, NULL, 0,
                       ctx->cfg.check_timeout_ms, 0 };
    /* clang-format on */
    HttpResult res;
    int r = http_do(&rq, &res, why, wn);
    if (!r && res.status != 200) {
        snprintf(why, wn, "rclone serve http answered HTTP %d for the object", res.status);
        r = -EIO;
    }
    return r;
}

static int fill(const StorageServer *s, const StorageTarget *t, const ObjectInfo *info, StorageReadable *out,
                char *why, size_t wn)
{
    char enc[STORAGE_PATH_MAX * 3];
    int len = sizeof(out->location);
    if (s->kind == SRV_SERVE)
        len = uri_encode_path(t->rel, enc, sizeof(enc))
                  ? len
                  : snprintf(out->location, sizeof(out->location), "http://127.0.0.1:%d/%s/%s", s->data_port,
                             s->token, enc);
    else len = snprintf(out->location, sizeof(out->location), "%s/%s", s->mountdir, t->rel);
    if (len >= (int)sizeof(out->location)) {
        snprintf(why, wn, "path too long");
        return -ENAMETOOLONG;
    }
    out->via = s->kind == SRV_SERVE ? "http-serve" : "mount";
    out->size = info->size;
    out->hash_type = info->hash_type;
    snprintf(out->hash, sizeof(out->hash), "%s", info->hash);
    return 0;
}

static int prepare_with(StorageContext *ctx, ServerKind kind, const StorageTarget *t, int want_hash,
                        StorageReadable *out, Stage *stage, int *cold, char *err, size_t n)
{
    char why[512];
    for (int attempt = 0;; attempt++) {
        StorageServer *s;
        int r;
        ObjectInfo info;
        *stage = STAGE_SERVER;
        if ((r = storage_pool_acquire(ctx, kind, t->root, &s, cold, why, sizeof(why)))) {
            fail(err, n, out->what, why);
            return r;
        }
        *stage = STAGE_CHECK;
        r = preflight_remote(ctx, s, t, want_hash, &info, why, sizeof(why));
        if (r == -EPIPE && attempt == 0) {
            storage_pool_discard(ctx, s);
            continue;
        } /* died: replace it once */
        char *ignored = NULL;
        /* Drop rclone's directory cache: an object written after the server last listed
         * its directory would otherwise be missing, or served with its old size. */
        if (!r && storage_server_rc(ctx, s, "vfs/forget", "{}", ctx->cfg.check_timeout_ms, &ignored, why,
                                    sizeof(why)) < 0)
            r = -EPIPE;
        free(ignored);
        if (!r) r = fill(s, t, &info, out, why, sizeof(why));
        if (!r) {
            *stage = STAGE_DATA;
            r = check_data(ctx, s, out, *cold, why, sizeof(why));
        }
        if (r) {
            storage_pool_release(ctx, s);
            fail(err, n, out->what, why);
            return r;
        }
        out->server = s;
        return 0;
    }
}

/* auto: http-serve first; mount only when the serve process itself failed (a missing
 * object or bad credentials would fail the same way through a mount). */
static int fallback_worthy(Stage stage, int r)
{
    if (r == -ECANCELED) return 0;
    return stage == STAGE_DATA ||
           (stage == STAGE_SERVER && (r == -ETIMEDOUT || r == -EADDRINUSE || r == -EIO || r == -EAGAIN));
}

static int prepare_remote(StorageContext *ctx, StorageTarget *t, StorageReadable *out, char *err, size_t n)
{
    char type[64];
    if (!ctx->rclone[0]) {
        fail(err, n, out->what, "rclone is not installed (it is needed for remote inputs)");
        return -ENOENT;
    }
    int r = storage_allow_check(&ctx->cfg, t, NULL, out->what, err, n);
    if (!r) r = remote_type(ctx, t, type, sizeof(type), err, n, out->what);
    if (r) return r;
    if (!strcmp(type, "local")) uri_root_at_parent(t);
    int want_hash = ctx->cfg.verify == STORAGE_VERIFY_FULL ||
                    (ctx->cfg.verify == STORAGE_VERIFY_AUTO && cheap_md5(type));
    Stage stage;
    int cold = 0;
    ServerKind first = ctx->cfg.mode == STORAGE_MODE_MOUNT ? SRV_MOUNT : SRV_SERVE;
    r = prepare_with(ctx, first, t, want_hash, out, &stage, &cold, err, n);
    if (r && ctx->cfg.mode == STORAGE_MODE_AUTO && ctx->fuse_ok && fallback_worthy(stage, r)) {
        log_msg(&ctx->cfg.log, VLOG_WARN, "storage",
                "auto mode: using rclone mount for %s because rclone serve http "
                "failed: %s",
                t->root, err);
        r = prepare_with(ctx, SRV_MOUNT, t, want_hash, out, &stage, &cold, err, n);
    } else if (!r && ctx->cfg.mode == STORAGE_MODE_AUTO && cold) {
        /* once per started server, not per input */
        log_msg(&ctx->cfg.log, VLOG_INFO, "storage",
                "auto mode: using rclone serve http for %s (it became ready)", t->root);
    }
    return r;
}

static void describe(char *what, size_t n, const char *label, const char *uri)
{
    char shown[1200];
    uri_display(uri, shown, sizeof(shown));
    snprintf(what, n, "%s%sinput %s", label ? label : "", label ? " " : "", shown);
}

static int enter(StorageContext *ctx)
{
    pthread_mutex_lock(&ctx->lock);
    int ok = !atomic_load(&ctx->closing);
    if (ok) ctx->active++;
    pthread_mutex_unlock(&ctx->lock);
    return ok;
}

static void leave(StorageContext *ctx)
{
    pthread_mutex_lock(&ctx->lock);
    ctx->active--;
    pthread_cond_broadcast(&ctx->cond);
    pthread_mutex_unlock(&ctx->lock);
}

static int dispatch(StorageContext *ctx, const char *uri, const char *label, StorageReadable *out, char *err,
                    size_t n)
{
    StorageTarget *t = malloc(sizeof(*t));
    char why[1400];
    if (!t) {
        snprintf(err, n, "out of memory");
        return -ENOMEM;
    }
    int r = storage_parse_uri(uri, &ctx->cfg, t, why, sizeof(why));
    if (r) snprintf(err, n, "%s%s%s", label ? label : "", label ? " input " : "input ", why);
    else if (t->kind == STORAGE_LOCAL) r = prepare_local(ctx, t, out, err, n);
    else if (t->kind == STORAGE_HTTP) r = prepare_http(ctx, t, out, err, n);
    else r = prepare_remote(ctx, t, out, err, n);
    free(t);
    return r;
}

int storage_prepare(StorageContext *ctx, const char *uri, const char *label, StorageReadable *out, char *err,
                    size_t n)
{
    memset(out, 0, sizeof(*out));
    out->size = -1;
    describe(out->what, sizeof(out->what), label, uri ? uri : "");
    if (!enter(ctx)) {
        fail(err, n, out->what, "cancelled");
        return -ECANCELED;
    }
    long long t0 = mono_now_ms();
    int r = dispatch(ctx, uri, label, out, err, n);
    if (r && atomic_load(&ctx->closing)) {
        fail(err, n, out->what, "cancelled");
        r = -ECANCELED;
    }
    if (!r)
        log_msg(&ctx->cfg.log, VLOG_DEBUG, "storage", "%s: %s in %lld ms", out->what, out->via,
                mono_now_ms() - t0);
    leave(ctx);
    return r;
}

void storage_release(StorageContext *ctx, StorageReadable *r)
{
    if (r->server) storage_pool_release(ctx, r->server);
    r->server = NULL;
}

void storage_release_stop_unused(StorageContext *ctx, StorageReadable *r)
{
    if (r->server) storage_pool_release_stop_unused(ctx, r->server);
    r->server = NULL;
}

int storage_integrity_init(IntegrityVerifier *v, const StorageReadable *r, char *err, size_t n)
{
    int e = integrity_init(v, r->size, r->hash_type, r->hash);
    if (e) snprintf(err, n, "%s: malformed hash from the storage", r->what);
    return e;
}

int storage_readable_pid(const StorageReadable *r)
{
    return r->server ? (int)r->server->proc.pid : 0;
}
