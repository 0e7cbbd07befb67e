/* vmafx-storage: drives the storage layer for tests and benchmarks.
 *
 *   vmafx-storage [OPTIONS] map URI...       the rclone form of each input (no process starts)
 *   vmafx-storage [OPTIONS] check URI        prepare, print what was found, release
 *   vmafx-storage [OPTIONS] prepare URI...   prepare all in parallel, print one line each, wait
 *                                            for a line on stdin, release, clean up
 *   vmafx-storage [OPTIONS] cat [--pause-at BYTES] [--stall SECONDS] [--out FILE] URI
 *                                            stream the input through libavformat like the
 *                                            media layer does, verifying size and hash
 *   vmafx-storage [OPTIONS] shell            commands on stdin: prepare ID URI | release ID |
 *                                            cat ID | kill ID | procs | quit
 *   vmafx-storage check-url URL              the redirect check
 *   vmafx-storage integrity FILE SIZE MD5|- seq|seek|seek-resume
 *                                            feeds FILE to an IntegrityVerifier in order, or
 *                                            the way a demuxer seeks (head, tail, middle with
 *                                            overlap), optionally completing from
 *                                            integrity_resume_offset(); prints ok or the error
 * OPTIONS: --set NAME=VALUE (any storage setting, flag or variable name), -v (debug log).
 * Settings also come from the VMAFX_* variables. SIGINT/SIGTERM cancel and clean up. */
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <libavformat/avio.h>
#include <libavutil/dict.h>
#include <libavutil/error.h>

#include "storage/storage.h"

#define MAX_IDS 64

typedef struct Tool {
    StorageConfig cfg;
    StorageContext *ctx;
    pthread_mutex_t mu; /* guards ctx against the signal thread during close */
    volatile sig_atomic_t signo;
    int wake[2]; /* the signal thread writes here to wake a poll() in main */
    sigset_t sigs;
    StorageReadable r[MAX_IDS];
    int used[MAX_IDS];
} Tool;

static double now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static void *signal_thread(void *arg)
{
    Tool *t = arg;
    int sig;
    if (sigwait(&t->sigs, &sig)) return NULL;
    t->signo = sig;
    pthread_mutex_lock(&t->mu);
    if (t->ctx) storage_cancel(t->ctx);
    pthread_mutex_unlock(&t->mu);
    if (write(t->wake[1], "x", 1) < 0) {}
    return NULL;
}

/* Reads a line from stdin, or returns NULL at EOF or when a signal arrived. */
static char *read_line(Tool *t, char *buf, size_t n)
{
    struct pollfd p[2] = { { 0, POLLIN, 0 }, { t->wake[0], POLLIN, 0 } };
    while (!t->signo) {
        if (poll(p, 2, -1) < 0 && errno != EINTR) return NULL;
        if (p[1].revents || t->signo) return NULL;
        if (p[0].revents) return fgets(buf, (int)n, stdin);
    }
    return NULL;
}

static int interrupted(void *arg)
{
    return ((Tool *)arg)->signo != 0;
}

typedef struct CatOpts {
    int64_t pause_at;
    double stall_s;
    const char *out;
} CatOpts;

/* Streams r through libavformat's protocols, as the media layer reads inputs. */
static int cat_readable(Tool *t, const StorageReadable *r, const CatOpts *o, int64_t *total, char *err,
                        size_t n)
{
    IntegrityVerifier v;
    if (storage_integrity_init(&v, r, err, n)) return 1;
    AVDictionary *opts = NULL;
    char us[32];
    snprintf(us, sizeof(us), "%lld", (long long)(o->stall_s * 1e6));
    av_dict_set(&opts, "rw_timeout", us, 0);
    AVIOInterruptCB cb = { interrupted, t };
    AVIOContext *io = NULL;
    int e = avio_open2(&io, r->location, AVIO_FLAG_READ, &cb, &opts);
    av_dict_free(&opts);
    if (e < 0) {
        char a[128];
        av_strerror(e, a, sizeof(a));
        snprintf(err, n, "%s: cannot open: %s", r->what, a);
        return 1;
    }
    FILE *out = o->out ? fopen(o->out, "wb") : NULL;
    static unsigned char buf[1 << 16];
    int paused = 0, rc = 0;
    char readerr[128] = "";
    *total = 0;
    for (;;) {
        int got = avio_read(io, buf, sizeof(buf));
        if (got == AVERROR_EOF || got == 0) break;
        if (got < 0) {
            av_strerror(got, readerr, sizeof(readerr));
            break;
        }
        integrity_update(&v, buf, (size_t)got);
        if (out) fwrite(buf, 1, (size_t)got, out);
        *total += got;
        if (o->pause_at >= 0 && !paused && *total >= o->pause_at) {
            char line[64];
            paused = 1;
            printf("paused %" PRId64 " pid %d\n", *total, storage_readable_pid(r));
            fflush(stdout);
            read_line(t, line, sizeof(line));
        }
    }
    avio_closep(&io);
    if (out) fclose(out);
    char why[512];
    if (integrity_finish(&v, why, sizeof(why))) {
        snprintf(err, n, "%s: %s%s%s", r->what, why, readerr[0] ? "; read error: " : "", readerr);
        rc = 1;
    } else if (readerr[0]) {
        snprintf(err, n, "%s: read error: %s", r->what, readerr);
        rc = 1;
    }
    return rc;
}

static void print_readable(int id, const StorageReadable *r, double us)
{
    printf("ok %d %s %" PRId64 " %s %s %d %.0f %s\n", id, r->via, r->size, hash_type_name(r->hash_type),
           r->hash[0] ? r->hash : "-", storage_readable_pid(r), us, r->location);
}

static int cmd_map(Tool *t, int argc, char **argv)
{
    int rc = 0;
    for (int i = 0; i < argc; i++) {
        StorageTarget tg;
        char err[1024];
        if (storage_parse_uri(argv[i], &t->cfg, &tg, err, sizeof(err))) {
            printf("error\t%s\n", err);
            rc = 1;
            continue;
        }
        static const char *kinds[] = { "local", "http", "remote" };
        printf("%s\t%s\t%s\t%s\n", kinds[tg.kind], tg.location, tg.kind == STORAGE_REMOTE ? tg.root : "-",
               tg.kind == STORAGE_REMOTE ? tg.rel : "-");
    }
    return rc;
}

static int cmd_prepare(Tool *t, int argc, char **argv, int wait)
{
    const char *labels[MAX_IDS];
    char err[8192], line[64];
    if (argc > MAX_IDS) argc = MAX_IDS;
    for (int i = 0; i < argc; i++) labels[i] = i == 0 ? "reference" : "distorted";
    double t0 = now_us();
    int r = storage_prepare_many(t->ctx, (size_t)argc, (const char *const *)argv, labels, t->r, err,
                                 sizeof(err));
    double us = now_us() - t0;
    if (r) {
        fprintf(stderr, "vmafx-storage: %s\n", err);
        return 1;
    }
    for (int i = 0; i < argc; i++) print_readable(i, &t->r[i], us);
    fflush(stdout);
    if (wait) read_line(t, line, sizeof(line));
    for (int i = 0; i < argc; i++) storage_release(t->ctx, &t->r[i]);
    return 0;
}

static int cmd_cat(Tool *t, int argc, char **argv)
{
    CatOpts o = { -1, 10, NULL };
    int i = 0;
    for (; i + 1 < argc && argv[i][0] == '-'; i += 2) {
        if (!strcmp(argv[i], "--pause-at")) o.pause_at = atoll(argv[i + 1]);
        else if (!strcmp(argv[i], "--stall")) o.stall_s = atof(argv[i + 1]);
        else if (!strcmp(argv[i], "--out")) o.out = argv[i + 1];
        else break;
    }
    if (i + 1 != argc) {
        fprintf(stderr, "usage: cat [--pause-at N] [--stall S] [--out FILE] URI\n");
        return 2;
    }
    StorageReadable r;
    char err[8192];
    if (storage_prepare(t->ctx, argv[i], NULL, &r, err, sizeof(err))) {
        fprintf(stderr, "vmafx-storage: %s\n", err);
        return 1;
    }
    int64_t total = 0;
    int rc = cat_readable(t, &r, &o, &total, err, sizeof(err));
    storage_release(t->ctx, &r);
    if (rc) fprintf(stderr, "vmafx-storage: %s\n", err);
    else printf("ok %" PRId64 " %s %s\n", total, r.via, hash_type_name(r.hash_type));
    return rc;
}

static int shell_line(Tool *t, char *line)
{
    char cmd[16], arg[8192] = "", err[2048];
    int id = -1;
    line[strcspn(line, "\n")] = 0;
    if (sscanf(line, "%15s %d %8191[^\n]", cmd, &id, arg) < 1) return 0;
    if (!strcmp(cmd, "quit")) return 1;
    if (!strcmp(cmd, "procs")) {
        printf("ok %d\n", storage_process_count(t->ctx));
        return 0;
    }
    if (id < 0 || id >= MAX_IDS) {
        printf("err bad id\n");
        return 0;
    }
    StorageReadable *r = &t->r[id];
    if (!strcmp(cmd, "prepare")) {
        if (t->used[id]) storage_release(t->ctx, r);
        double t0 = now_us();
        t->used[id] = !storage_prepare(t->ctx, arg, NULL, r, err, sizeof(err));
        if (t->used[id]) print_readable(id, r, now_us() - t0);
        else printf("err %d %s\n", id, err);
    } else if (!strcmp(cmd, "release") && t->used[id]) {
        storage_release(t->ctx, r);
        t->used[id] = 0;
        printf("ok %d\n", id);
    } else if (!strcmp(cmd, "kill") && t->used[id] && storage_readable_pid(r)) {
        printf("ok %d %d\n", id, storage_readable_pid(r));
        kill(storage_readable_pid(r), SIGKILL);
    } else if (!strcmp(cmd, "cat") && t->used[id]) {
        CatOpts o = { -1, 10, NULL };
        int64_t total;
        if (cat_readable(t, r, &o, &total, err, sizeof(err))) printf("err %d %s\n", id, err);
        else printf("ok %d %" PRId64 "\n", id, total);
    } else {
        printf("err %d unknown command or id not prepared\n", id);
    }
    return 0;
}

static int cmd_shell(Tool *t)
{
    char line[9000];
    while (read_line(t, line, sizeof(line))) {
        int quit = shell_line(t, line);
        fflush(stdout);
        if (quit) break;
    }
    for (int i = 0; i < MAX_IDS; i++)
        if (t->used[i]) storage_release(t->ctx, &t->r[i]);
    return 0;
}

static void feed(IntegrityVerifier *v, FILE *f, int64_t from, int64_t to)
{
    static unsigned char buf[1 << 16];
    fseeko(f, from, SEEK_SET);
    while (from < to) {
        size_t want = (size_t)(to - from < (int64_t)sizeof(buf) ? to - from : (int64_t)sizeof(buf));
        size_t got = fread(buf, 1, want, f);
        if (!got) break;
        integrity_update_at(v, from, buf, got);
        from += (int64_t)got;
    }
}

static int cmd_integrity(int argc, char **argv)
{
    IntegrityVerifier v;
    char err[512];
    FILE *f = argc == 4 ? fopen(argv[0], "rb") : NULL;
    if (!f) {
        fprintf(stderr, "usage: integrity FILE SIZE MD5|- seq|seek|seek-resume\n");
        return 2;
    }
    fseeko(f, 0, SEEK_END);
    int64_t len = ftello(f), a = len / 10, m = len * 2 / 3;
    int hashed = strcmp(argv[2], "-") != 0;
    if (integrity_init(&v, atoll(argv[1]), hashed ? HASH_MD5 : HASH_NONE, hashed ? argv[2] : NULL)) {
        printf("bad hash\n");
        return 1;
    }
    if (!strcmp(argv[3], "seq")) {
        feed(&v, f, 0, len);
    } else {
        feed(&v, f, 0, a);     /* header */
        feed(&v, f, m, len);   /* index at the end */
        feed(&v, f, a / 2, m); /* back to the data, overlapping what was read */
        if (!strcmp(argv[3], "seek-resume")) feed(&v, f, integrity_resume_offset(&v), len);
    }
    fclose(f);
    int r = integrity_finish(&v, err, sizeof(err));
    printf("%s\n", r ? err : "ok");
    return r ? 1 : 0;
}

static void quiet_sink(void *user, LogLevel level, const char *line)
{
    (void)user;
    fprintf(stderr, "vmafx-storage: %s%s\n",
            level == VLOG_WARN    ? "warning: "
            : level == VLOG_ERROR ? "error: "
                                  : "",
            line);
}

static int parse_options(Tool *t, int *argc, char ***argv)
{
    char err[512];
    storage_config_defaults(&t->cfg);
    if (storage_config_from_env(&t->cfg, err, sizeof(err))) {
        fprintf(stderr, "vmafx-storage: %s\n", err);
        return 2;
    }
    t->cfg.log.sink = quiet_sink;
    while (*argc > 0 && (*argv)[0][0] == '-') {
        if (!strcmp((*argv)[0], "-v")) {
            t->cfg.log.level = VLOG_DEBUG;
            (*argc)--;
            (*argv)++;
            continue;
        }
        char *eq = *argc > 1 && !strcmp((*argv)[0], "--set") ? strchr((*argv)[1], '=') : NULL;
        if (!eq) {
            fprintf(stderr, "vmafx-storage: unknown option %s\n", (*argv)[0]);
            return 2;
        }
        *eq = 0;
        if (storage_config_set(&t->cfg, (*argv)[1], eq + 1, err, sizeof(err))) {
            fprintf(stderr, "vmafx-storage: %s\n", err);
            return 2;
        }
        *argc -= 2;
        *argv += 2;
    }
    return *argc > 0 ? 0 : 2;
}

static int run(Tool *t, const char *cmd, int argc, char **argv)
{
    if (!strcmp(cmd, "prepare")) return cmd_prepare(t, argc, argv, 1);
    if (!strcmp(cmd, "check")) return cmd_prepare(t, argc, argv, 0);
    if (!strcmp(cmd, "cat")) return cmd_cat(t, argc, argv);
    if (!strcmp(cmd, "shell")) return cmd_shell(t);
    fprintf(stderr, "vmafx-storage: unknown command %s\n", cmd);
    return 2;
}

int main(int argc, char **argv)
{
    static Tool t;
    argc--;
    argv++;
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (parse_options(&t, &argc, &argv)) {
        fprintf(stderr,
                "usage: vmafx-storage [--set NAME=VALUE] [-v] map|check|prepare|cat|shell|check-url ...\n");
        return 2;
    }
    const char *cmd = argv[0];
    argc--;
    argv++;
    char err[1024];
    if (!strcmp(cmd, "map")) return cmd_map(&t, argc, argv);
    if (!strcmp(cmd, "integrity")) return cmd_integrity(argc, argv);
    if (!strcmp(cmd, "check-url")) {
        int r = argc == 1 ? storage_check_url(&t.cfg, argv[0], err, sizeof(err)) : -EINVAL;
        printf("%s\n", r ? err : "ok");
        return r ? 1 : 0;
    }
    /* Signals go to the signal thread only: block them before any thread exists. */
    sigemptyset(&t.sigs);
    sigaddset(&t.sigs, SIGINT);
    sigaddset(&t.sigs, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &t.sigs, NULL);
    if (pipe(t.wake)) return 1;
    pthread_mutex_init(&t.mu, NULL);
    if (storage_open(&t.ctx, &t.cfg, err, sizeof(err))) {
        fprintf(stderr, "vmafx-storage: %s\n", err);
        return 1;
    }
    pthread_t sth;
    pthread_create(&sth, NULL, signal_thread, &t);
    int rc = run(&t, cmd, argc, argv);
    pthread_mutex_lock(&t.mu);
    storage_close(t.ctx);
    t.ctx = NULL;
    pthread_mutex_unlock(&t.mu);
    pthread_cancel(sth);
    pthread_join(sth, NULL);
    return t.signo ? 128 + t.signo : rc;
}
