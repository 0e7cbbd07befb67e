/* `vmafx score`: a drop-in for libvmaf's `vmaf` command. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "vmafx/vmafx.h"
#include "media/media.h"
#include "cli.h"
#include "output.h"
#include "score_options.h"

typedef struct ScoreArgs {
    const char *ref_path, *dis_path, *out_path;
    MediaGeometry raw;
    enum VmafxFormat format;
    unsigned threads, subsample, frame_skip_ref, frame_skip_dist;
    unsigned frame_cnt;       /* 0: all */
    enum VmafxCpu cpu;
    int quiet, no_prediction;
} ScoreArgs;

typedef struct Inputs {
    FrameSource *ref, *dis;
    VmafxPicture ref_pic, dis_pic;
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
    return parse_cpu(config_str(v, "cpu"), &a->cpu);
}

static const char *pix_fmt_name(enum VmafxPixelFormat f)
{
    return f == VMAFX_PIX_FMT_YUV420P ? "4:2:0" : f == VMAFX_PIX_FMT_YUV422P ? "4:2:2" : "4:4:4";
}

static int open_inputs(const ScoreArgs *a, Inputs *in)
{
    char err[512];
    MediaOptions ro = { .label = "reference input", .raw = a->raw };
    MediaOptions dopt = { .label = "distorted input", .raw = a->raw };
    if (media_open(&in->ref, a->ref_path, &ro, err, sizeof(err)) ||
        media_open(&in->dis, a->dis_path, &dopt, err, sizeof(err)))
        return cli_error("%s", err);
    const MediaGeometry *r = media_geometry(in->ref), *d = media_geometry(in->dis);
    if (r->w != d->w || r->h != d->h || r->bpc != d->bpc || r->fmt != d->fmt)
        return cli_error("inputs differ: reference %s is %ux%u %u-bit %s, distorted %s is %ux%u %u-bit %s",
                         a->ref_path, r->w, r->h, r->bpc, pix_fmt_name(r->fmt), a->dis_path,
                         d->w, d->h, d->bpc, pix_fmt_name(d->fmt));
    if (vmafx_picture_alloc(&in->ref_pic, r->fmt, r->bpc, r->w, r->h) ||
        vmafx_picture_alloc(&in->dis_pic, d->fmt, d->bpc, d->w, d->h))
        return cli_error("out of memory");
    return 0;
}

static void close_inputs(Inputs *in)
{
    media_close(in->ref);
    media_close(in->dis);
    vmafx_picture_free(&in->ref_pic);
    vmafx_picture_free(&in->dis_pic);
}

static int skip_frames(FrameSource *s, unsigned n, const char *label, const char *path)
{
    char err[512];
    for (unsigned i = 0; i < n; i++) {
        int r = media_skip(s, err, sizeof(err));
        if (r < 0) return cli_error("%s", err);
        if (r == 0) return cli_error("%s %s: has only %u frames, cannot skip %u", label, path, i, n);
    }
    return 0;
}

typedef struct LoopResult {
    unsigned scored, ref_frames, dis_frames;
} LoopResult;

/* Reads the rest of the longer input to report both frame counts (nothing is scored). */
static int count_rest(FrameSource *s, unsigned *total)
{
    char err[512];
    int r;
    while ((r = media_skip(s, err, sizeof(err))) == 1) {}
    if (r < 0) return cli_error("%s", err);
    *total = media_frames(s);
    return 0;
}

static int score_loop(const ScoreArgs *a, Inputs *in, VmafxContext *ctx, LoopResult *res)
{
    char err[512];
    Progress prog;
    progress_start(&prog, !a->quiet && isatty(2));
    unsigned n = 0;
    for (; !a->frame_cnt || n < a->frame_cnt; n++) {
        int rr = media_read(in->ref, &in->ref_pic, err, sizeof(err));
        if (rr < 0) return cli_error("%s", err);
        int rd = media_read(in->dis, &in->dis_pic, err, sizeof(err));
        if (rd < 0) return cli_error("%s", err);
        if (!rr || !rd) {
            if (rr && count_rest(in->ref, &res->ref_frames)) return -1;
            if (rd && count_rest(in->dis, &res->dis_frames)) return -1;
            break;
        }
        if (vmafx_score_pictures(ctx, &in->ref_pic, &in->dis_pic))
            return cli_error("%s", vmafx_last_error(ctx));
        progress_update(&prog, n + 1);
    }
    progress_end(&prog);
    res->scored = n;
    if (!res->ref_frames) res->ref_frames = media_frames(in->ref);
    if (!res->dis_frames) res->dis_frames = media_frames(in->dis);
    if (n == 0) return cli_error("no frames to score: %s has %u, %s has %u after skipping",
                                 a->ref_path, media_frames(in->ref), a->dis_path, media_frames(in->dis));
    return 0;
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
    if (skip_frames(in.ref, a.frame_skip_ref, "reference input", a.ref_path) ||
        skip_frames(in.dis, a.frame_skip_dist, "distorted input", a.dis_path))
        goto out;
    double t0 = cli_now();
    if (score_loop(&a, &in, ctx, &res)) goto out;
    if (vmafx_flush(ctx)) { cli_error("%s", vmafx_last_error(ctx)); goto out; }
    double secs = cli_now() - t0;
    unsigned ref_n = res.ref_frames - a.frame_skip_ref, dis_n = res.dis_frames - a.frame_skip_dist;
    int differ = !a.frame_cnt && ref_n != dis_n;
    if (differ)
        cli_warn("reference has %u frames, distorted has %u: scored the %u common frames",
                 ref_n, dis_n, res.scored);
    VmafxReportInfo info = { .fps = secs > 0 ? res.scored / secs : 0,
                             .frames_ref = differ ? ref_n : 0, .frames_dis = differ ? dis_n : 0 };
    if (a.out_path && output_write_report(ctx, a.format, &info, a.out_path)) goto out;
    cli_print_scores(ctx, v, a.out_path && !strcmp(a.out_path, "-") ? stderr : stdout);
    rc = 0;
out:
    vmafx_close(ctx);
    close_inputs(&in);
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
