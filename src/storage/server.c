/* One rclone child: start it, wait until it serves, talk to its rc API, stop it.
 *
 * rclone serve http does not log the port it listens on (storage-lab.md §3), so vmafx picks
 * a free port and starts again on "address already in use". The rc API, started in the same
 * process with --rc on port 0, does log its address: that line tells the process is up. */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <time.h>
#include <unistd.h>

#include "base/httpc.h"
#include "base/log.h"
#include "storage/rclone_cmd.h"
#include "storage/storage_impl.h"

#define FUSE_SUPER_MAGIC 0x65735546
#define BIND_ATTEMPTS 5

static void sleep_ms(int ms)
{
    struct timespec ts = { 0, ms * 1000000L };
    nanosleep(&ts, NULL);
}

static int free_port(void)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    socklen_t len = sizeof(a);
    int port = -1;
    if (fd >= 0 && !bind(fd, (struct sockaddr *)&a, sizeof(a)) &&
        !getsockname(fd, (struct sockaddr *)&a, &len))
        port = ntohs(a.sin_port);
    if (fd >= 0) close(fd);
    return port;
}

/* The last part of rclone's log (its stderr). */
static void read_log(const StorageServer *s, char *buf, size_t n)
{
    buf[0] = 0;
    int fd = open(s->logpath, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return;
    off_t size = lseek(fd, 0, SEEK_END);
    off_t from = size > (off_t)n - 1 ? size - (off_t)n + 1 : 0;
    ssize_t r = pread(fd, buf, n - 1, from);
    buf[r > 0 ? r : 0] = 0;
    close(fd);
}

static int rc_port_from_log(const StorageServer *s)
{
    char log[8192];
    read_log(s, log, sizeof(log));
    const char *p = strstr(log, "Serving remote control on http://127.0.0.1:");
    return p ? atoi(p + strlen("Serving remote control on http://127.0.0.1:")) : 0;
}

static int base64(const char *in, char *out, size_t n)
{
    static const char t[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    size_t len = strlen(in), o = 0;
    if ((len + 2) / 3 * 4 + 1 > n) return -1;
    for (size_t i = 0; i < len; i += 3) {
        unsigned v = (unsigned char)in[i] << 16 | (i + 1 < len ? (unsigned char)in[i + 1] << 8 : 0) |
                     (i + 2 < len ? (unsigned char)in[i + 2] : 0);
        out[o++] = t[v >> 18 & 63];
        out[o++] = t[v >> 12 & 63];
        out[o++] = i + 1 < len ? t[v >> 6 & 63] : '=';
        out[o++] = i + 2 < len ? t[v & 63] : '=';
    }
    out[o] = 0;
    return 0;
}

static int spawn(StorageContext *ctx, StorageServer *s, char *err, size_t n)
{
    char pass[33], cred[64], b64[96];
    if (storage_random_hex(pass, 16) || storage_random_hex(s->token, 16)) {
        snprintf(err, n, "no random numbers");
        return -EIO;
    }
    snprintf(cred, sizeof(cred), "vmafx:%s", pass);
    base64(cred, b64, sizeof(b64));
    snprintf(s->rc_auth, sizeof(s->rc_auth), "Authorization: Basic %s\r\n", b64);
    int logfd = open(s->logpath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (logfd < 0) {
        snprintf(err, n, "%s: %s", s->logpath, strerror(errno));
        return -errno;
    }
    RcloneCmd cmd;
    int r = rclone_cmd_build(&cmd, ctx, s, pass);
    memset(pass, 0, sizeof(pass));
    memset(cred, 0, sizeof(cred));
    ProcSpec spec = { cmd.argv, cmd.envp, logfd, logfd, SIGTERM };
    Proc p;
    if (!r) r = storage_spawn(ctx, &spec, &p, err, n);
    else snprintf(err, n, "cannot build the rclone command: %s", strerror(-r));
    rclone_cmd_free(&cmd);
    close(logfd);
    if (r) return r;
    pthread_mutex_lock(&ctx->lock); /* storage_cancel reads the pid under the lock */
    s->proc = p;
    pthread_mutex_unlock(&ctx->lock);
    return 0;
}

static int is_fuse_mounted(const char *dir)
{
    struct statfs fs;
    return !statfs(dir, &fs) && (unsigned long)fs.f_type == FUSE_SUPER_MAGIC;
}

static int exited_error(StorageContext *ctx, StorageServer *s, char *err, size_t n)
{
    char log[4096], st[64];
    read_log(s, log, sizeof(log));
    if (atomic_load(&ctx->closing)) {
        snprintf(err, n, "cancelled");
        return -ECANCELED;
    }
    if (strstr(log, "address already in use")) return -EADDRINUSE;
    proc_describe(s->proc.status, st, sizeof(st));
    int code = classify_rclone_error(log, err, n);
    log_msg(&ctx->cfg.log, VLOG_DEBUG, "storage", "rclone for %s exited at start-up (%s): %s", s->root, st,
            err);
    return code;
}

/* Up means: the rc API logged its address and the data side is there (serve: the port
 * accepts connections; mount: the directory is a FUSE mount). */
static int wait_ready(StorageContext *ctx, StorageServer *s, char *err, size_t n)
{
    int timeout = s->kind == SRV_SERVE ? ctx->cfg.serve_timeout_ms : ctx->cfg.mount_timeout_ms;
    long long deadline = mono_now_ms() + timeout;
    while (mono_now_ms() < deadline) {
        if (atomic_load(&ctx->closing)) {
            snprintf(err, n, "cancelled");
            return -ECANCELED;
        }
        if (proc_exited(&s->proc)) return exited_error(ctx, s, err, n);
        if (!s->rc_port) s->rc_port = rc_port_from_log(s);
        if (s->rc_port && (s->kind == SRV_SERVE ? http_port_open("127.0.0.1", s->data_port, 200)
                                                : is_fuse_mounted(s->mountdir)))
            return 0;
        sleep_ms(3);
    }
    snprintf(err, n, "remote unreachable: rclone %s did not become ready within %.1f s",
             s->kind == SRV_SERVE ? "serve http" : "mount", timeout / 1000.0);
    return -ETIMEDOUT;
}

int storage_server_start(StorageContext *ctx, StorageServer *s, char *err, size_t n)
{
    snprintf(s->logpath, sizeof(s->logpath), "%s/rclone-%d.log", ctx->rundir, s->id);
    if (s->kind == SRV_MOUNT) {
        snprintf(s->mountdir, sizeof(s->mountdir), "%s/vmafx-rclone-%d", ctx->mount_root, s->id);
        if (mkdir(s->mountdir, 0711) && errno != EEXIST) { /* fusermount3 must enter it (context.c) */
            snprintf(err, n, "mount point %s: %s", s->mountdir, strerror(errno));
            return -errno;
        }
    }
    for (int attempt = 0;; attempt++) {
        s->rc_port = 0;
        s->data_port = s->kind == SRV_SERVE ? free_port() : 0;
        int r = spawn(ctx, s, err, n);
        if (!r) r = wait_ready(ctx, s, err, n);
        if (r != -EADDRINUSE) return r;
        /* Another program took the port between our probe and rclone's bind: new port. */
        proc_stop(&s->proc, 0);
        if (attempt + 1 == BIND_ATTEMPTS) {
            snprintf(err, n, "rclone serve http could not bind a port after %d attempts", BIND_ATTEMPTS);
            return -EADDRINUSE;
        }
    }
}

/* /proc/self/mountinfo lists the mount point with space, tab, newline and backslash as
 * octal escapes; a stale mount (rclone gone) is still listed there. */
static int mount_listed(const char *dir)
{
    char want[PATH_MAX * 4], line[PATH_MAX * 4 + 512];
    size_t o = 0;
    for (const char *p = dir; *p && o + 5 < sizeof(want); p++)
        o += strchr(" \t\n\\", *p) ? (size_t)snprintf(want + o, 5, "\\%03o", (unsigned char)*p)
                                   : (size_t)snprintf(want + o, 2, "%c", *p);
    FILE *f = fopen("/proc/self/mountinfo", "re");
    int found = 0;
    while (f && !found && fgets(line, sizeof(line), f)) {
        char *field = line;
        for (int i = 0; i < 4 && field; i++) field = strchr(field + 1, ' ');
        if (field && !strncmp(field + 1, want, o) && field[1 + o] == ' ') found = 1;
    }
    if (f) fclose(f);
    return found;
}

static void unmount(StorageContext *ctx, StorageServer *s)
{
    char fm[PATH_MAX], err[256];
    if (proc_find("fusermount3", fm, sizeof(fm)) && proc_find("fusermount", fm, sizeof(fm))) return;
    char *normal[] = { fm, "-u", "-q", s->mountdir, NULL };
    char *lazy[] = { fm, "-u", "-z", "-q", s->mountdir, NULL };
    /* A reader still inside the mount makes the plain unmount fail: detach it lazily so
     * the mount point disappears now and the kernel lets go when the reader does. */
    int r = proc_run(normal, 5000, err, sizeof(err));
    if (r) r = proc_run(lazy, 5000, err, sizeof(err));
    if (r && mount_listed(s->mountdir))
        log_msg(&ctx->cfg.log, VLOG_WARN, "storage", "could not unmount %s: %s", s->mountdir,
                r > 0 ? "fusermount failed" : err);
}

void storage_server_stop(StorageContext *ctx, StorageServer *s)
{
    if (s->kind == SRV_MOUNT && s->mountdir[0] && mount_listed(s->mountdir)) unmount(ctx, s);
    proc_stop(&s->proc, ctx->cfg.grace_ms);
    /* rclone may have been killed after it mounted and before it could unmount */
    if (s->kind == SRV_MOUNT && s->mountdir[0] && mount_listed(s->mountdir)) unmount(ctx, s);
    if (s->kind == SRV_MOUNT && s->mountdir[0]) rmdir(s->mountdir);
    if (s->logpath[0]) unlink(s->logpath);
}

int storage_server_rc(StorageContext *ctx, StorageServer *s, const char *call, const char *json,
                      int timeout_ms, char **out, char *err, size_t n)
{
    (void)ctx;
    char path[128], headers[256];
    snprintf(path, sizeof(path), "/%s", call);
    snprintf(headers, sizeof(headers), "%sContent-Type: application/json\r\n", s->rc_auth);
    HttpRequest rq = { "127.0.0.1", s->rc_port, "POST", path, headers, json, strlen(json), timeout_ms, 0 };
    HttpResult res;
    int r = http_do(&rq, &res, err, n);
    if (r) return r;
    *out = res.body;
    return res.status;
}
