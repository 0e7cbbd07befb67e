/* `vmafx score`: a drop-in for libvmaf's `vmaf` command, reading any input the media module
 * opens (files, containers, URLs), each in its own decoding thread. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vmafx/vmafx.h"
#include "media/media.h"
#include "cli.h"
#include "output.h"
#include "score_options.h"

#define QUEUE_DEPTH 4          /* frames decoded ahead per input: enough to keep both busy */
#define SYNC_RANGE_DEFAULT 10

typedef struct ScoreArgs {
    const char *ref_path, *dis_path, *out_path;
    MediaGeometry raw;
    enum VmafxFormat format;
    unsigned threads, subsample, frame_skip_ref, frame_skip_dist;
    unsigned frame_cnt;       /* 0: all */
    enum VmafxCpu cpu;
    int quiet, no_prediction;
    enum MediaScaleAlgo scale;
    unsigned scale_w, scale_h;  /* --scale-to; 0: not given */
    int sync;
    unsigned sync_range;
    double stall_timeout;
    unsigned http_retries;
    const char *tls_ca_file;
} ScoreArgs;

typedef struct Inputs {
    MediaReader *ref, *dis;
    unsigned ref_dropped, dis_dropped;   /* frames before the first scored one */
    char note[768];                      /* scaling and sync, for the report */
} Inputs;

static enum VmafxFormat pick_format(const ConfigValues *v)
{
    if (config_flag(v, "json")) return VMAFX_FORMAT_JSON;
    if (config_flag(v, "csv")) return VMAFX_FORMAT_CSV;
    if (config_flag(v, "sub")) return VMAFX_FORMAT_SUB;
    return VMAFX_FORMAT_XML;
}

static int parse_cpu(const char *s, enum VmafxCpu *out)
{
    static const struct { const char *name; enum VmafxCpu cpu; } levels[] = {
        { "auto", VMAFX_CPU_AUTO }, { "scalar", VMAFX_CPU_SCALAR },
        { "avx2", VMAFX_CPU_AVX2 }, { "avx512", VMAFX_CPU_AVX512 },
    };
    for (size_t i = 0; i < sizeof(levels) / sizeof(levels[0]); i++)
        if (!strcmp(s, levels[i].name)) { *out = levels[i].cpu; return 0; }
    return cli_error("--cpu / VMAFX_CPU: unknown kernel level '%s' (auto, scalar, avx2, avx512)", s);
}

/* "auto" or "auto:N". */
static int parse_sync(const char *s, ScoreArgs *a)
{
    if (!s) return 0;
    a->sync = 1;
    a->sync_range = SYNC_RANGE_DEFAULT;
    if (!strcmp(s, "auto")) return 0;
    char *end;
    unsigned long n = strncmp(s, "auto:", 5) ? 0 : strtoul(s + 5, &end, 10);
    if (strncmp(s, "auto:", 5) || end == s + 5 || *end || s[5] == '-' || n > 250)
        return cli_error("--sync: '%s' is not auto or auto:N (N up to 250)", s);
    a->sync_range = (unsigned)n;
    return 0;
}

static int parse_media_args(const ConfigValues *v, ScoreArgs *a)
{
    char err[256];
    if (media_parse_scale(config_str(v, "scale"), &a->scale))
        return cli_error("--scale: unknown method '%s' (bicubic, bilinear, lanczos, none)",
                         config_str(v, "scale"));
    const char *to = config_str(v, "scale-to");
    if (to && media_parse_size(to, &a->scale_w, &a->scale_h))
        return cli_error("--scale-to: '%s' is not a size like 1920x1080", to);
    const char *st = config_str(v, "stall-timeout");
    char *end;
    a->stall_timeout = strtod(st, &end);
    if (end == st || *end || !(a->stall_timeout > 0) || a->stall_timeout > 86400)
        return cli_error("--stall-timeout / VMAFX_STALL_TIMEOUT: '%s' is not a number of seconds "
                         "above 0", st);
    if (config_uint(v, "http-retries", &a->http_retries, err, sizeof(err)))
        return cli_error("%s", err);
    a->tls_ca_file = config_str(v, "tls-ca-file");
    return parse_sync(config_str(v, "sync"), a);
}

static int parse_args(const ConfigValues *v, ScoreArgs *a)
{
    char err[256];
    memset(a, 0, sizeof(*a));
    a->ref_path = config_str(v, "reference");
    a->dis_path = config_str(v, "distorted");
    a->out_path = config_str(v, "output");
    if (!a->ref_path || !a->dis_path)
        return cli_error("score: both --reference and --distorted are required (see vmafx score --help)");
    if (config_uint(v, "width", &a->raw.w, err, sizeof(err)) ||
        config_uint(v, "height", &a->raw.h, err, sizeof(err)) ||
        config_uint(v, "bitdepth", &a->raw.bpc, err, sizeof(err)) ||
        config_uint(v, "threads", &a->threads, err, sizeof(err)) ||
        config_uint(v, "subsample", &a->subsample, err, sizeof(err)) ||
        config_uint(v, "frame_cnt", &a->frame_cnt, err, sizeof(err)) ||
        config_uint(v, "frame_skip_ref", &a->frame_skip_ref, err, sizeof(err)) ||
        config_uint(v, "frame_skip_dist", &a->frame_skip_dist, err, sizeof(err)))
        return cli_error("%s", err);
    const char *pf = config_str(v, "pixel_format");
    if (pf && !(a->raw.fmt = media_parse_pix_fmt(pf)))
        return cli_error("--pixel_format: unknown format '%s' (420, 422 or 444)", pf);
    if (a->raw.bpc && a->raw.bpc != 8 && a->raw.bpc != 10 && a->raw.bpc != 12 && a->raw.bpc != 16)
        return cli_error("--bitdepth: %u is not supported (8, 10, 12 or 16)", a->raw.bpc);
    if (a->subsample == 0)
        return cli_error("--subsample: must be at least 1");
    a->format = pick_format(v);
    a->quiet = config_flag(v, "quiet");
    a->no_prediction = config_flag(v, "no_prediction");
    if (parse_media_args(v, a)) return -1;
    return parse_cpu(config_str(v, "cpu"), &a->cpu);
}

static const char *pix_fmt_name(enum VmafxPixelFormat f)
{
    return f == VMAFX_PIX_FMT_YUV420P ? "4:2:0" : f == VMAFX_PIX_FMT_YUV422P ? "4:2:2" : "4:4:4";
}

static void log_warning(void *user, const char *msg)
{
    (void)user;
    cli_warn("%s", msg);
}

/* What was done to the inputs goes to stderr as well as into the report. */
static void notice(const char *msg)
{
    fprintf(stderr, "vmafx: %s\n", msg);
}

static int open_sources(const ScoreArgs *a, FrameSource **ref, FrameSource **dis)
{
    char err[768];
    MediaOptions o = { .raw = a->raw, .stall_timeout = a->stall_timeout,
                       .http_retries = a->http_retries, .tls_ca_file = a->tls_ca_file,
                       .log = log_warning };
    o.label = "reference input";
    if (media_open(ref, a->ref_path, &o, err, sizeof(err))) return cli_error("%s", err);
    o.label = "distorted input";
    if (media_open(dis, a->dis_path, &o, err, sizeof(err))) return cli_error("%s", err);
    const MediaGeometry *r = media_geometry(*ref), *d = media_geometry(*dis);
    if (r->bpc != d->bpc || r->fmt != d->fmt)
        return cli_error("inputs differ: reference %s is %ux%u %u-bit %s, distorted %s is %ux%u %u-bit %s",
                         a->ref_path, r->w, r->h, r->bpc, pix_fmt_name(r->fmt), a->dis_path,
                         d->w, d->h, d->bpc, pix_fmt_name(d->fmt));
    return 0;
}

/* Hands the sources to reader threads (which own them from then on, even on failure). */
static int start_readers(const ScoreArgs *a, Inputs *in, FrameSource *ref, FrameSource *dis)
{
    char err[768];
    MediaScalePlan plan;
    if (media_plan_scale(media_geometry(ref), media_geometry(dis), a->scale, a->scale_w,
                         a->scale_h, &plan, in->note, sizeof(in->note), err, sizeof(err))) {
        media_close(ref);
        media_close(dis);
        return cli_error("%s", err);
    }
    if (*in->note) notice(in->note);
    unsigned depth = a->sync ? a->sync_range + MEDIA_SYNC_WINDOW : QUEUE_DEPTH;
    if (depth < QUEUE_DEPTH) depth = QUEUE_DEPTH;
    int r = media_reader_start(&in->ref, ref, plan.ref_w, plan.ref_h, plan.algo, depth, err, sizeof(err));
    if (r) {
        media_close(dis);
        return cli_error("%s", err);
    }
    if (media_reader_start(&in->dis, dis, plan.dis_w, plan.dis_h, plan.algo, depth, err, sizeof(err)))
        return cli_error("%s", err);
    return 0;
}

static int open_inputs(const ScoreArgs *a, Inputs *in)
{
    FrameSource *ref = NULL, *dis = NULL;
    if (open_sources(a, &ref, &dis)) {
        media_close(ref);
        media_close(dis);
        return -1;
    }
    return start_readers(a, in, ref, dis);
}

static void close_inputs(Inputs *in)
{
    media_reader_stop(in->ref);
    media_reader_stop(in->dis);
}

static int skip_frames(MediaReader *r, unsigned n)
{
    char err[768];
    const VmafxPicture *p;
    for (unsigned i = 0; i < n; i++) {
        int k = media_reader_peek(r, 0, &p, err, sizeof(err));
        if (k < 0) return cli_error("%s", err);
        if (k == 0) return cli_error("%s: has only %u frames, cannot skip %u", media_reader_name(r), i, n);
        media_reader_pop(r);
    }
    return 0;
}

static int apply_sync(const ScoreArgs *a, Inputs *in)
{
    char err[768], msg[300];
    MediaSyncResult s;
    if (media_sync(in->ref, in->dis, a->sync_range, &s, err, sizeof(err))) return cli_error("%s", err);
    if (s.offset > 0) in->ref_dropped += (unsigned)s.offset;
    else in->dis_dropped += (unsigned)-s.offset;
    snprintf(msg, sizeof(msg), "sync: offset %+d (%u %s frames dropped; mean luma PSNR %.2f dB over "
             "%u frames; searched +-%u)", s.offset, (unsigned)abs(s.offset),
             s.offset >= 0 ? "reference" : "distorted", s.psnr, s.compared, a->sync_range);
    notice(msg);
    size_t used = strlen(in->note);
    snprintf(in->note + used, sizeof(in->note) - used, "%s%s", used ? "; " : "", msg);
    return 0;
}

static int prepare_inputs(const ScoreArgs *a, Inputs *in)
{
    if (skip_frames(in->ref, a->frame_skip_ref) || skip_frames(in->dis, a->frame_skip_dist))
        return -1;
    in->ref_dropped = a->frame_skip_ref;
    in->dis_dropped = a->frame_skip_dist;
    return a->sync ? apply_sync(a, in) : 0;
}

typedef struct LoopResult {
    unsigned scored, ref_frames, dis_frames;
} LoopResult;

/* Reads the rest of the longer input to report both frame counts (nothing is scored); a
 * failure there still fails the run. */
static int count_rest(MediaReader *r, unsigned *total)
{
    char err[768];
    const VmafxPicture *p;
    int k;
    while ((k = media_reader_peek(r, 0, &p, err, sizeof(err))) == 1) media_reader_pop(r);
    if (k < 0) return cli_error("%s", err);
    *total = media_reader_frames(r);
    return 0;
}

#define POLL_MS 20

/* Waits for the next frame of both inputs, watching both at once so that one failing is
 * reported at once even while the other is stalled (and waiting for --stall-timeout). */
static int wait_pair(Inputs *in, const VmafxPicture **rp, const VmafxPicture **dp, int *rr, int *rd)
{
    char err[768];
    *rr = *rd = MEDIA_PENDING;
    while (*rr == MEDIA_PENDING || *rd == MEDIA_PENDING) {
        if (*rr == MEDIA_PENDING) *rr = media_reader_poll(in->ref, 0, rp, POLL_MS, err, sizeof(err));
        if (*rr < 0) return cli_error("%s", err);
        if (*rd == MEDIA_PENDING)
            *rd = media_reader_poll(in->dis, 0, dp, *rr == MEDIA_PENDING ? 0 : POLL_MS, err, sizeof(err));
        if (*rd < 0) return cli_error("%s", err);
    }
    return 0;
}

/* 1 = both have a frame, 0 = one has ended (the other's rest counted), -1 = error. */
static int next_pair(Inputs *in, const VmafxPicture **rp, const VmafxPicture **dp, LoopResult *res)
{
    int rr, rd;
    if (wait_pair(in, rp, dp, &rr, &rd)) return -1;
    if (rr && rd) return 1;
    if (rr && count_rest(in->ref, &res->ref_frames)) return -1;
    if (rd && count_rest(in->dis, &res->dis_frames)) return -1;
    return 0;
}

static int score_loop(const ScoreArgs *a, Inputs *in, VmafxContext *ctx, LoopResult *res)
{
    Progress prog;
    progress_start(&prog, !a->quiet && isatty(2));
    unsigned n = 0;
    for (; !a->frame_cnt || n < a->frame_cnt; n++) {
        const VmafxPicture *rp, *dp;
        int k = next_pair(in, &rp, &dp, res);
        if (k < 0) return -1;
        if (k == 0) break;
        if (vmafx_score_pictures(ctx, rp, dp)) return cli_error("%s", vmafx_last_error(ctx));
        media_reader_pop(in->ref);
        media_reader_pop(in->dis);
        progress_update(&prog, n + 1);
    }
    progress_end(&prog);
    res->scored = n;
    if (!res->ref_frames) res->ref_frames = media_reader_frames(in->ref);
    if (!res->dis_frames) res->dis_frames = media_reader_frames(in->dis);
    if (n == 0) return cli_error("no frames to score: %s has %u, %s has %u after skipping",
                                 a->ref_path, res->ref_frames, a->dis_path, res->dis_frames);
    return 0;
}

static int report(const ScoreArgs *a, const Inputs *in, VmafxContext *ctx, const LoopResult *res,
                  double secs)
{
    unsigned ref_n = res->ref_frames - in->ref_dropped, dis_n = res->dis_frames - in->dis_dropped;
    int differ = !a->frame_cnt && ref_n != dis_n;
    if (differ)
        cli_warn("reference has %u frames, distorted has %u: scored the %u common frames",
                 ref_n, dis_n, res->scored);
    VmafxReportInfo info = { .fps = secs > 0 ? res->scored / secs : 0,
                             .frames_ref = differ ? ref_n : 0, .frames_dis = differ ? dis_n : 0,
                             .note = *in->note ? in->note : NULL };
    return a->out_path ? output_write_report(ctx, a->format, &info, a->out_path) : 0;
}

static int run(const ConfigValues *v)
{
    ScoreArgs a;
    if (parse_args(v, &a)) return 1;
    Inputs in = { 0 };
    VmafxContext *ctx = NULL;
    LoopResult res = { 0 };
    int rc = 1;
    VmafxConfig cfg = { .n_threads = a.threads, .subsample = a.subsample, .cpu = a.cpu };
    if (open_inputs(&a, &in)) goto out;
    if (vmafx_init(&ctx, &cfg)) { cli_error("out of memory"); goto out; }
    if (cli_setup_models(ctx, v, a.no_prediction)) goto out;
    if (prepare_inputs(&a, &in)) goto out;
    double t0 = cli_now();
    if (score_loop(&a, &in, ctx, &res)) goto out;
    if (vmafx_flush(ctx)) { cli_error("%s", vmafx_last_error(ctx)); goto out; }
    if (report(&a, &in, ctx, &res, cli_now() - t0)) goto out;
    cli_print_scores(ctx, v, a.out_path && !strcmp(a.out_path, "-") ? stderr : stdout);
    rc = 0;
out:
    close_inputs(&in);
    vmafx_close(ctx);
    return rc;
}

int cmd_score(int argc, char **argv)
{
    ConfigValues v;
    char err[256];
    if (config_parse(&v, score_options, N_SCORE_OPTIONS, argc, argv, err, sizeof(err))) {
        cli_error("score: %s (see vmafx score --help)", err);
        return 2;
    }
    int rc;
    if (v.help) {
        config_help(stdout, "usage: vmafx score -r REF -d DIS [options]", score_options, N_SCORE_OPTIONS);
        rc = 0;
    } else if (config_flag(&v, "version")) {
        printf("vmafx %s\n", VMAFX_VERSION);
        rc = 0;
    } else if (v.n_positional) {
        rc = cli_error("score: unexpected argument '%s'", v.positional[0]) ? 2 : 2;
    } else {
        rc = run(&v);
    }
    config_free(&v);
    return rc;
}
