/* The command line and environment of the rclone children.
 *
 * Secrets never go on the command line (other users can read it in /proc): rclone reads the
 * remotes' credentials from the config file named by --config, and the per-process secrets
 * vmafx makes up (the rc password, the URL token) travel in the environment, which only the
 * same user can read. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "storage/rclone_cmd.h"

extern char **environ;

int storage_random_hex(char *out, size_t bytes)
{
    unsigned char b[64];
    if (bytes > sizeof(b) || getrandom(b, bytes, 0) != (ssize_t)bytes) return -EIO;
    for (size_t i = 0; i < bytes; i++) snprintf(out + 2 * i, 3, "%02x", b[i]);
    return 0;
}

/* Variables that would change how our serve / rc / mount behave, or that break rclone. */
static int dropped(const char *kv)
{
    static const char *names[] = {
        /* clang-format off */
        "AWS_CA_BUNDLE=",      /* rclone 1.60's s3 backend fails at once when it is set */
        "RCLONE_ADDR=", "RCLONE_USER=", "RCLONE_PASS=", "RCLONE_HTPASSWD=", "RCLONE_BASEURL=",
        "RCLONE_RC", "RCLONE_CONFIG=", "RCLONE_READ_ONLY=", "RCLONE_VFS_", "RCLONE_DIR_CACHE_TIME=",
        "RCLONE_ALLOW_OTHER=", "RCLONE_DAEMON", NULL };
    /* clang-format on */
    for (int i = 0; names[i]; i++)
        if (!strncmp(kv, names[i], strlen(names[i]))) return 1;
    return 0;
}

static int add(RcloneCmd *c, const char *fmt, const char *a, const char *b)
{
    if (c->n_env + 2 >= c->cap_env || c->n_owned == 4) return -E2BIG;
    size_t len = strlen(fmt) + strlen(a) + strlen(b) + 1;
    char *s = malloc(len);
    if (!s) return -ENOMEM;
    snprintf(s, len, fmt, a, b);
    c->owned[c->n_owned++] = s;
    c->envp[c->n_env++] = s;
    c->envp[c->n_env] = NULL;
    return 0;
}

static int build_env(RcloneCmd *c, const StorageServer *s, const char *rc_pass)
{
    int count = 0;
    for (char **e = environ; *e; e++) count++;
    c->cap_env = count + 8;
    c->envp = malloc((size_t)c->cap_env * sizeof(*c->envp));
    if (!c->envp) return -ENOMEM;
    for (char **e = environ; *e; e++)
        if (!dropped(*e)) c->envp[c->n_env++] = *e;
    c->envp[c->n_env] = NULL;
    int r = add(c, "RCLONE_RC_USER=%s%s", "vmafx", "");
    if (!r) r = add(c, "RCLONE_RC_PASS=%s%s", rc_pass, "");
    if (!r && s->kind == SRV_SERVE) r = add(c, "RCLONE_BASEURL=/%s%s", s->token, "");
    return r;
}

static void arg(RcloneCmd *c, const char *a)
{
    if (c->n_argv + 1 < RCLONE_MAX_ARGV) c->argv[c->n_argv++] = (char *)a;
    c->argv[c->n_argv] = NULL;
}

/* Fail fast instead of rclone's minutes of retries (storage-lab.md §5): one low-level retry,
 * 2 s to connect, 10 s without data. */
static void common_flags(RcloneCmd *c, const StorageContext *ctx)
{
    /* clang-format off */
    static const char *flags[] = { "--low-level-retries", "2", "--retries", "1", "--contimeout", "2s",
                                   "--timeout", "10s", "--log-level", "NOTICE", "--ask-password=false",
                                   "--no-checksum", "--no-modtime", "--read-only", "--poll-interval", "0",
                                   "--rc", "--rc-addr", "127.0.0.1:0", NULL };
    /* clang-format on */
    for (int i = 0; flags[i]; i++) arg(c, flags[i]);
    if (ctx->rcconf.path[0]) {
        arg(c, "--config");
        arg(c, ctx->rcconf.path);
    }
    snprintf(c->cache_dir, sizeof(c->cache_dir), "%s/cache", ctx->rundir);
    arg(c, "--cache-dir");
    arg(c, c->cache_dir);
}

int rclone_cmd_build(RcloneCmd *c, const StorageContext *ctx, const StorageServer *s, const char *rc_pass)
{
    memset(c, 0, sizeof(*c));
    arg(c, ctx->rclone);
    if (s->kind == SRV_SERVE) {
        snprintf(c->addr, sizeof(c->addr), "127.0.0.1:%d", s->data_port);
        arg(c, "serve");
        arg(c, "http");
        arg(c, s->root);
        arg(c, "--addr");
        arg(c, c->addr);
    } else {
        /* Foreground (no --daemon) so the process is ours to reap; no VFS cache: nothing
         * of the content is written to disk. mount2 (go-fuse) rather than mount (bazil):
         * same VFS and flags, a third of the CPU per FUSE read and 2-3x the throughput
         * (docs/performance.md, "Mount mode"). The kernel's default 128 KiB read-ahead is
         * kept: a larger one sends reads out of order, and rclone's sequential VFS reader
         * then waits and seeks (3-4x slower, measured). */
        arg(c, "mount2");
        arg(c, s->root);
        arg(c, s->mountdir);
        arg(c, "--vfs-cache-mode");
        arg(c, "off");
    }
    common_flags(c, ctx);
    return build_env(c, s, rc_pass);
}

void rclone_cmd_free(RcloneCmd *c)
{
    for (int i = 0; i < c->n_owned; i++) {
        /* the rc password was in here: do not leave it in freed memory */
        memset(c->owned[i], 0, strlen(c->owned[i]));
        free(c->owned[i]);
    }
    c->n_owned = 0;
    free(c->envp);
    c->envp = NULL;
}
