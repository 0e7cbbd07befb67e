/* `vmafx score`: a drop-in for libvmaf's `vmaf` command, reading any input the media layer
 * opens (files, containers, URLs) and remote objects through the storage layer (s3://,
 * sftp://, any rclone remote). The flags make a scoring request (the type a job is), run by
 * the same function the node runs (pipeline_score_request). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vmafx/vmafx.h"
#include "pipeline/request.h"
#include "storage/storage.h"
#include "catalog.h"
#include "cli.h"
#include "file_sink.h"
#include "output.h"
#include "score_chunk.h"
#include "service_options.h"

typedef struct ScoreArgs {
    JobSpec req;
    PipelineSettings set;
    PipelineInputs in;
    const char *out_path;
    enum VmafxFormat format;
    int quiet;
    PipelineChunk chunk; /* --chunk: set.chunk points here */
} ScoreArgs;

/* Remote inputs, prepared by the storage layer for the time of the run. */
typedef struct Remote {
    StorageContext *ctx;
    StorageReadable readable[2];
    IntegrityVerifier verify[2];
    int prepared[2];
} Remote;

/* What belongs to this machine rather than to the request. */
static int parse_settings(const ConfigValues *v, PipelineSettings *set)
{
    char err[256];
    if (option_seconds(v, "stall-timeout", 0.001, 86400, &set->stall_timeout, err, sizeof(err)) ||
        config_uint(v, "http-retries", &set->http_retries, err, sizeof(err)))
        return cli_error("%s", err);
    set->tls_ca_file = config_str(v, "tls-ca-file");
    if (cli_parse_cpu(config_str(v, "cpu"), &set->cpu)) return -1;
    const char *mask = config_str(v, "cpumask"), *gpu = config_str(v, "gpumask");
    enum VmafxCpu allowed;
    if (mask && cli_parse_cpumask(mask, &allowed)) return -1;
    if (mask && allowed != VMAFX_CPU_AUTO && (set->cpu == VMAFX_CPU_AUTO || allowed < set->cpu))
        set->cpu = allowed;
    /* libvmaf's GPU mask: vmafx computes on the CPU only, so any mask gives the same report */
    unsigned ignored;
    if (gpu && config_uint(v, "gpumask", &ignored, err, sizeof(err))) return cli_error("%s", err);
    return 0;
}

static int parse_args(const ConfigValues *v, ScoreArgs *a)
{
    memset(a, 0, sizeof(*a));
    if (cli_request_from_flags(v, &a->req, "score")) return -1;
    /* 0 means "not given" in a request; given as a flag it is an error, as in libvmaf */
    if (config_str(v, "subsample") && a->req.opt.subsample == 0)
        return cli_error("--subsample: must be at least 1");
    if (cli_request_check(&a->req, JOB_LOCAL)) return -1;
    a->in = (PipelineInputs){ .ref_path = a->req.reference_uri,
                              .dis_path = a->req.distorted_uri,
                              .ref_label = "reference input",
                              .dis_label = "distorted input" };
    a->out_path = config_str(v, "output");
    if (output_format(config_flag(v, "xml"), config_flag(v, "json"), config_flag(v, "csv"),
                      config_flag(v, "sub"), a->out_path, &a->format))
        return -1;
    if (a->out_path && output_check(a->out_path)) return -1;
    a->quiet = config_flag(v, "quiet");
    a->set.files = cli_file_sink();
    const char *chunk = config_str(v, "chunk");
    if (chunk && score_chunk_parse(chunk, &a->chunk)) return -1;
    if (chunk) a->set.chunk = &a->chunk;
    if (chunk && !a->out_path)
        return cli_error("--chunk: give the file for the chunk's values with --output");
    if (chunk && v->list_n[config_index(v, "merge")])
        return cli_error("--chunk and --merge: one or the other");
    return parse_settings(v, &a->set);
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
    const char *uris[2] = { a->req.reference_uri, a->req.distorted_uri };
    const char *labels[2] = { "reference", "distorted" };
    const char **paths[2] = { &a->in.ref_path, &a->in.dis_path };
    IntegrityVerifier **checks[2] = { &a->in.ref_integrity, &a->in.dis_integrity };
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

/* A chunk's seek (--chunk): said on stderr, like a notice, but kept out of the report. */
static void on_info(void *user, const char *msg)
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

static int score(const ScoreArgs *a, PipelineScore *sc)
{
    char err[1024];
    Progress prog;
    progress_start(&prog, !a->quiet && isatty(2), 0);
    PipelineHooks hooks = {
        .progress = on_progress, .notice = on_notice, .warning = on_warning, .info = on_info, .user = &prog
    };
    int e = pipeline_score_request(&a->req, &a->set, &a->in, &hooks, sc, err, sizeof(err));
    progress_end(&prog);
    return e ? cli_error("%s", err) : 0;
}

/* With psnr=enable_apsnr=true, each plane's two poolings side by side: the report's mean of
 * per-frame dB (libvmaf's) and the clip's summed error in dB (FFmpeg's psnr summary), which
 * is lower whenever quality varies (docs/media.md, "PSNR pooling"). */
static void print_psnr_pooling(const PipelineScore *sc, FILE *f)
{
    static const char *const planes[][2] = { { "psnr_y", "apsnr_y" },
                                             { "psnr_cb", "apsnr_cb" },
                                             { "psnr_cr", "apsnr_cr" } };
    for (size_t p = 0; p < 3; p++) {
        double mean, pooled;
        if (!vmafx_feature_pooled(sc->ctx, planes[p][0], VMAFX_POOL_MEAN, &mean) &&
            !vmafx_aggregate(sc->ctx, planes[p][1], &pooled))
            fprintf(f, "%s: %f (mean of frames), %s: %f (MSE-pooled, as FFmpeg's psnr)\n", planes[p][0], mean,
                    planes[p][1], pooled);
    }
}

/* A bootstrap model's line as libvmaf prints it: the pooled means of its bagging score, its
 * 95 % interval and its standard deviation. 0, or -1 when the model is not a bootstrap one. */
static int print_bootstrap(const PipelineScore *sc, unsigned i, FILE *f)
{
    static const char *const parts[] = { "_bagging", "_ci_p95_lo", "_ci_p95_hi", "_stddev" };
    double v[4];
    for (size_t k = 0; k < 4; k++) {
        char name[sizeof(sc->models[i].name) + 16];
        snprintf(name, sizeof(name), "%s%s", sc->models[i].name, parts[k]);
        if (vmafx_feature_pooled(sc->ctx, name, VMAFX_POOL_MEAN, &v[k])) return -1;
    }
    fprintf(f, "%s: %f, ci.p95: [%f, %f], stddev: %f\n", sc->models[i].label, v[0], v[1], v[2], v[3]);
    return 0;
}

/* "vmaf: 80.196020" per model (pooled mean); a bootstrap model with its interval. */
static void print_scores(const PipelineScore *sc, FILE *f)
{
    for (unsigned i = 0; i < sc->n_models; i++) {
        double mean;
        if (print_bootstrap(sc, i, f) &&
            !vmafx_feature_pooled(sc->ctx, sc->models[i].name, VMAFX_POOL_MEAN, &mean))
            fprintf(f, "%s: %f\n", sc->models[i].label, mean);
    }
    print_psnr_pooling(sc, f);
}

static int run(const ConfigValues *v)
{
    ScoreArgs a;
    if (parse_args(v, &a)) return 1;
    Remote remote = { 0 };
    PipelineScore sc = { 0 };
    int rc = 1;
    if (v->list_n[config_index(v, "merge")]) {
        if (score_merge_files(v, &a.req, &a.set, &sc)) goto out;
    } else if (prepare_remote(v, &a, &remote) || score(&a, &sc)) {
        goto out;
    }
    if (a.set.chunk) {
        rc = score_chunk_write(&sc, a.set.chunk, a.out_path) ? 1 : 0;
        goto out;
    }
    if (a.out_path && output_write_report(&sc, a.format, a.out_path)) goto out;
    print_scores(&sc, a.out_path && !strcmp(a.out_path, "-") ? stderr : stdout);
    rc = 0;
out:
    release_remote(&remote);
    pipeline_score_free(&sc);
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
    } else if (config_flag(&v, "version")) printf("vmafx %s\n", VMAFX_VERSION);
    else if (v.n_positional) rc = (cli_error("score: unexpected argument '%s'", v.positional[0]), 2);
    else rc = run(&v);
    config_free(&v);
    return rc;
}
