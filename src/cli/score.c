/* `vmafx score`: a drop-in for libvmaf's `vmaf` command, reading any input the media layer
 * opens (files, containers, URLs) and remote objects through the storage layer (s3://,
 * sftp://, any rclone remote), scored by the same pipeline the node runs. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vmafx/vmafx.h"
#include "media/media.h"
#include "pipeline/pipeline.h"
#include "storage/storage.h"
#include "catalog.h"
#include "cli.h"
#include "file_sink.h"
#include "output.h"
#include "service_options.h"

#define SYNC_RANGE_DEFAULT 10

typedef struct ScoreArgs {
    PipelineSpec spec;        /* inputs and how to read them */
    const char *ref_uri, *dis_uri, *out_path;
    enum VmafxFormat format;
    unsigned threads, subsample;
    enum VmafxCpu cpu;
    int quiet, no_prediction;
} ScoreArgs;

/* Remote inputs, prepared by the storage layer for the time of the run. */
typedef struct Remote {
    StorageContext *ctx;
    StorageReadable readable[2];
    IntegrityVerifier verify[2];
    int prepared[2];
} Remote;

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
        { "avx512vnni", VMAFX_CPU_AVX512VNNI },
    };
    for (size_t i = 0; i < sizeof(levels) / sizeof(levels[0]); i++)
        if (!strcmp(s, levels[i].name)) { *out = levels[i].cpu; return 0; }
    return cli_error("--cpu / VMAFX_CPU: unknown kernel level '%s' (auto, scalar, avx2, avx512, avx512vnni)", s);
}

/* "auto" or "auto:N". */
static int parse_sync(const char *s, PipelineSpec *p)
{
    if (!s) return 0;
    p->sync = 1;
    p->sync_range = SYNC_RANGE_DEFAULT;
    if (!strcmp(s, "auto")) return 0;
    char *end;
    unsigned long n = strncmp(s, "auto:", 5) ? 0 : strtoul(s + 5, &end, 10);
    if (strncmp(s, "auto:", 5) || end == s + 5 || *end || s[5] == '-' || n > 250)
        return cli_error("--sync: '%s' is not auto or auto:N (N up to 250)", s);
    p->sync_range = (unsigned)n;
    return 0;
}

static int parse_media_args(const ConfigValues *v, PipelineSpec *p)
{
    char err[256];
    if (media_parse_scale(config_str(v, "scale"), &p->scale))
        return cli_error("--scale: unknown method '%s' (bicubic, bilinear, lanczos, none)",
                         config_str(v, "scale"));
    const char *to = config_str(v, "scale-to");
    if (to && media_parse_size(to, &p->scale_w, &p->scale_h))
        return cli_error("--scale-to: '%s' is not a size like 1920x1080", to);
    if (option_seconds(v, "stall-timeout", 0.001, 86400, &p->stall_timeout, err, sizeof(err)) ||
        config_uint(v, "http-retries", &p->http_retries, err, sizeof(err)))
        return cli_error("%s", err);
    p->tls_ca_file = config_str(v, "tls-ca-file");
    return parse_sync(config_str(v, "sync"), p);
}

static int parse_counts(const ConfigValues *v, ScoreArgs *a)
{
    char err[256];
    PipelineSpec *p = &a->spec;
    if (config_uint(v, "width", &p->raw.w, err, sizeof(err)) ||
        config_uint(v, "height", &p->raw.h, err, sizeof(err)) ||
        config_uint(v, "bitdepth", &p->raw.bpc, err, sizeof(err)) ||
        config_uint(v, "threads", &a->threads, err, sizeof(err)) ||
        config_uint(v, "subsample", &a->subsample, err, sizeof(err)) ||
        config_uint(v, "frame_cnt", &p->frame_cnt, err, sizeof(err)) ||
        config_uint(v, "frame_skip_ref", &p->skip_ref, err, sizeof(err)) ||
        config_uint(v, "frame_skip_dist", &p->skip_dis, err, sizeof(err)))
        return cli_error("%s", err);
    if (a->subsample == 0) return cli_error("--subsample: must be at least 1");
    return 0;
}

static int parse_args(const ConfigValues *v, ScoreArgs *a)
{
    memset(a, 0, sizeof(*a));
    a->ref_uri = config_str(v, "reference");
    a->dis_uri = config_str(v, "distorted");
    a->out_path = config_str(v, "output");
    if (!a->ref_uri || !a->dis_uri)
        return cli_error("score: both --reference and --distorted are required (see vmafx score --help)");
    a->spec.ref_path = a->ref_uri;
    a->spec.dis_path = a->dis_uri;
    a->spec.ref_label = "reference input";
    a->spec.dis_label = "distorted input";
    if (parse_counts(v, a)) return -1;
    const char *pf = config_str(v, "pixel_format");
    MediaGeometry *raw = &a->spec.raw;
    if (pf && !(raw->fmt = media_parse_pix_fmt(pf)))
        return cli_error("--pixel_format: unknown format '%s' (420, 422 or 444)", pf);
    if (raw->bpc && raw->bpc != 8 && raw->bpc != 10 && raw->bpc != 12 && raw->bpc != 16)
        return cli_error("--bitdepth: %u is not supported (8, 10, 12 or 16)", raw->bpc);
    a->format = pick_format(v);
    a->quiet = config_flag(v, "quiet");
    a->no_prediction = config_flag(v, "no_prediction");
    if (parse_media_args(v, &a->spec)) return -1;
    return parse_cpu(config_str(v, "cpu"), &a->cpu);
}

/* Remote objects go through the storage layer; local files, stdin and http(s) URLs are read
 * by the media layer directly (as libvmaf's command reads its paths), unless an allow-list is
 * set: then every input but stdin passes the node's checks (symlinks resolved, redirects
 * re-checked). */
static int is_remote(const char *uri, const StorageConfig *cfg)
{
    StorageTarget t;
    char err[256];
    if (!strcmp(uri, "-")) return 0;
    if (cfg->n_allow) return 1;
    return !storage_parse_uri(uri, cfg, &t, err, sizeof(err)) && t.kind == STORAGE_REMOTE;
}

static int prepare_remote(const ConfigValues *v, ScoreArgs *a, Remote *r)
{
    char err[1024];
    StorageConfig cfg;
    storage_config_defaults(&cfg);
    if (apply_storage_options(v, &cfg, err, sizeof(err))) return cli_error("%s", err);
    const char *uris[2] = { a->ref_uri, a->dis_uri };
    const char *labels[2] = { "reference", "distorted" };
    const char **paths[2] = { &a->spec.ref_path, &a->spec.dis_path };
    IntegrityVerifier **checks[2] = { &a->spec.ref_integrity, &a->spec.dis_integrity };
    if (!is_remote(uris[0], &cfg) && !is_remote(uris[1], &cfg)) return 0;
    if (storage_open(&r->ctx, &cfg, err, sizeof(err))) return cli_error("%s", err);
    for (int i = 0; i < 2; i++) {
        if (!is_remote(uris[i], &cfg)) continue;
        if (storage_prepare(r->ctx, uris[i], labels[i], &r->readable[i], err, sizeof(err)))
            return cli_error("%s", err);
        r->prepared[i] = 1;
        if (storage_integrity_init(&r->verify[i], &r->readable[i], err, sizeof(err)))
            return cli_error("%s", err);
        *paths[i] = r->readable[i].location;
        *checks[i] = &r->verify[i];
    }
    return 0;
}

static void release_remote(Remote *r)
{
    for (int i = 0; i < 2; i++)
        if (r->prepared[i]) storage_release(r->ctx, &r->readable[i]);
    if (r->ctx) storage_close(r->ctx);
}

static void on_warning(void *user, const char *msg)
{
    (void)user;
    cli_warn("%s", msg);
}

/* What was done to the inputs (scaling, sync) goes to stderr as well as into the report. */
static void on_notice(void *user, const char *msg)
{
    (void)user;
    fprintf(stderr, "vmafx: %s\n", msg);
}

static void on_progress(void *user, unsigned frames, unsigned total, double secs)
{
    (void)secs;
    Progress *p = user;
    p->total = total;
    progress_update(p, frames);
}

static int score(const ScoreArgs *a, VmafxContext *ctx, PipelineResult *res)
{
    char err[1024];
    Progress prog;
    progress_start(&prog, !a->quiet && isatty(2), 0);
    PipelineHooks hooks = { .progress = on_progress, .notice = on_notice, .warning = on_warning,
                            .user = &prog };
    int e = pipeline_run(ctx, &a->spec, &hooks, res, err, sizeof(err));
    progress_end(&prog);
    return e ? cli_error("%s", err) : 0;
}

static int run(const ConfigValues *v)
{
    ScoreArgs a;
    if (parse_args(v, &a)) return 1;
    Remote remote = { 0 };
    VmafxContext *ctx = NULL;
    PipelineResult res;
    int rc = 1;
    VmafxConfig cfg = { .n_threads = a.threads, .subsample = a.subsample, .cpu = a.cpu,
                        .files = cli_file_sink() };
    if (vmafx_init(&ctx, &cfg)) { cli_error("out of memory"); goto out; }
    if (cli_setup_models(ctx, v, a.no_prediction)) goto out;
    if (prepare_remote(v, &a, &remote) || score(&a, ctx, &res)) goto out;
    if (a.out_path && output_write_report(ctx, a.format, &res.info, a.out_path)) goto out;
    cli_print_scores(ctx, v, a.out_path && !strcmp(a.out_path, "-") ? stderr : stdout);
    rc = 0;
out:
    release_remote(&remote);
    vmafx_close(ctx);
    return rc;
}

int cmd_score(int argc, char **argv)
{
    ConfigOption opts[CONFIG_MAX_OPTIONS];
    size_t n = score_options(opts, CONFIG_MAX_OPTIONS);
    ConfigValues v;
    char err[256];
    if (config_parse(&v, opts, n, argc, argv, err, sizeof(err))) {
        cli_error("score: %s (see vmafx score --help)", err);
        return 2;
    }
    int rc = 0;
    if (v.help) {
        config_help(stdout, "usage: vmafx score -r REF -d DIS [options]", opts, n);
        cli_print_catalog(stdout);
    } else if (config_flag(&v, "version"))
        printf("vmafx %s\n", VMAFX_VERSION);
    else if (v.n_positional)
        rc = (cli_error("score: unexpected argument '%s'", v.positional[0]), 2);
    else
        rc = run(&v);
    config_free(&v);
    return rc;
}
