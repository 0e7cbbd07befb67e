/* A job's inputs, models and reports around the scoring pipeline (see executor.h). */
#include <errno.h>
#include <pthread.h>
#include <time.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "executor.h"
#include "prepare.h"

#define SYNC_RANGE_DEFAULT 10    /* "sync": "auto", as `vmafx score --sync auto` */

/* The job's options as the pipeline takes them; the controller has validated their syntax. */
static int pipeline_spec(const JobSpec *job, const ExecSettings *set, PipelineSpec *p, char *err, size_t n)
{
    const JobOptions *o = &job->opt;
    memset(p, 0, sizeof(*p));
    p->raw = (MediaGeometry){ o->width, o->height, o->bitdepth, *o->pixel_format ? media_parse_pix_fmt(o->pixel_format) : 0 };
    p->skip_ref = o->frame_skip_ref;
    p->skip_dis = o->frame_skip_dist;
    p->frame_cnt = o->frame_cnt;
    p->stall_timeout = set->stall_timeout;
    p->http_retries = set->http_retries;
    p->tls_ca_file = set->tls_ca_file;
    if (media_parse_scale(*o->scale ? o->scale : "bicubic", &p->scale)) {
        snprintf(err, n, "options.scale: unknown method '%s'", o->scale);
        return -EINVAL;
    }
    if (*o->scale_to && media_parse_size(o->scale_to, &p->scale_w, &p->scale_h)) {
        snprintf(err, n, "options.scale_to: '%s' is not a size like 1920x1080", o->scale_to);
        return -EINVAL;
    }
    if (*o->sync) {
        p->sync = 1;
        p->sync_range = strchr(o->sync, ':') ? (unsigned)atoi(strchr(o->sync, ':') + 1) : SYNC_RANGE_DEFAULT;
    }
    return 0;
}

static int add_model(VmafxContext *ctx, const char *spec, unsigned i, int several, ExecResult *res, char *err, size_t n)
{
    JobModel m;
    char why[300];
    if (jobspec_model_parse(spec, &m, why, sizeof(why))) {
        snprintf(err, n, "models[%u]: %s", i, why);
        return -EINVAL;
    }
    /* as `vmafx score`: one model is "vmaf"; several unnamed ones are told apart by version */
    VmafxModelConfig cfg = { .name = *m.name ? m.name : several ? m.version : "vmaf",
                             .enable_transform = m.enable_transform, .disable_clip = m.disable_clip };
    int e = vmafx_use_builtin_model(ctx, m.version, &cfg);
    if (e) {
        snprintf(err, n, "models[%u] %s: %s", i, m.version, vmafx_last_error(ctx));
        return e;
    }
    snprintf(res->models[res->n_models++], sizeof(res->models[0]), "%s", cfg.name);
    return 0;
}

static int add_features(VmafxContext *ctx, const JobSpec *job, char *err, size_t n)
{
    for (unsigned i = 0; i < job->n_features; i++) {
        char name[JOB_SPEC_MAX];
        snprintf(name, sizeof(name), "%s", job->features[i]);
        char *opts = strchr(name, '=');
        if (opts) *opts++ = 0;
        int e = vmafx_use_feature(ctx, name, opts);
        if (e) {
            snprintf(err, n, "features[%u] %s: %s", i, job->features[i], vmafx_last_error(ctx));
            return e;
        }
    }
    return 0;
}

static int setup_models(VmafxContext *ctx, const JobSpec *job, ExecResult *res, char *err, size_t n)
{
    if (job->opt.no_prediction) {
        /* the default model's features without its score, as `vmafx score -n` */
        static const char *const base[] = { "adm", "motion", "vif" };
        for (size_t k = 0; k < 3; k++)
            if (vmafx_use_feature(ctx, base[k], NULL)) {
                snprintf(err, n, "%s", vmafx_last_error(ctx));
                return -EINVAL;
            }
        return add_features(ctx, job, err, n);
    }
    static const char *const fallback = "version=vmaf_v0.6.1";
    unsigned count = job->n_models ? job->n_models : 1;
    for (unsigned i = 0; i < count; i++) {
        int e = add_model(ctx, job->n_models ? job->models[i] : fallback, i, count > 1, res, err, n);
        if (e) return e;
    }
    return add_features(ctx, job, err, n);
}

static int write_reports(VmafxContext *ctx, const VmafxReportInfo *info, ExecResult *res, char *err, size_t n)
{
    size_t len;
    if (vmafx_write_report(ctx, VMAFX_FORMAT_JSON, info, &res->json, &len) ||
        vmafx_write_report(ctx, VMAFX_FORMAT_XML, info, &res->xml, &len) ||
        vmafx_write_report(ctx, VMAFX_FORMAT_CSV, info, &res->csv, &len)) {
        snprintf(err, n, "writing the report: %s", vmafx_last_error(ctx));
        return -ENOMEM;
    }
    return 0;
}

static int score(const JobSpec *job, const ExecSettings *set, const PipelineHooks *hooks, PipelineSpec *p,
                 ExecResult *res, char *err, size_t n)
{
    VmafxContext *ctx = NULL;
    VmafxConfig cfg = { .n_threads = job->opt.threads ? job->opt.threads : set->threads,
                        .subsample = job->opt.subsample, .cpu = set->cpu };
    int e = vmafx_init(&ctx, &cfg);
    if (e) snprintf(err, n, "scoring: cannot start the engine (%s)", ctx ? vmafx_last_error(ctx) : "out of memory");
    if (!e) e = setup_models(ctx, job, res, err, n);
    PipelineResult pr;
    if (!e) e = pipeline_run(ctx, p, hooks, &pr, err, n);
    if (!e) {
        res->frames = pr.scored;
        res->fps = pr.info.fps;
        e = write_reports(ctx, &pr.info, res, err, n);
    }
    vmafx_close(ctx);
    return e;
}

/* Messages name the input as submitted; when storage serves it from elsewhere (an rclone
 * URL) that location follows. */
static void input_label(char *out, size_t n, const char *what, const StorageReadable *r, const char *uri)
{
    if (!r || !strcmp(r->location, uri)) snprintf(out, n, "%s input", what);
    else snprintf(out, n, "%s via", r->what);
}

int executor_run(const JobSpec *job, const ExecSettings *set, const PipelineHooks *hooks, ExecResult *res,
                 char *err, size_t n)
{
    memset(res, 0, sizeof(*res));
    PipelineSpec p;
    int e = pipeline_spec(job, set, &p, err, n);
    if (e) return e;
    PrepTask *task = NULL;
    if (set->storage && (e = prep_start(job, set, hooks, &task, err, n)))
        return hooks->cancel && atomic_load(hooks->cancel) ? -ECANCELED : e;
    Prepared *pr = task ? &task->p : NULL;
    char ref_label[STORAGE_PATH_MAX + 80], dis_label[STORAGE_PATH_MAX + 80];
    input_label(ref_label, sizeof(ref_label), "reference", pr ? &pr->rd[0] : NULL, job->reference_uri);
    input_label(dis_label, sizeof(dis_label), "distorted", pr ? &pr->rd[1] : NULL, job->distorted_uri);
    p.ref_path = pr ? pr->rd[0].location : job->reference_uri;
    p.dis_path = pr ? pr->rd[1].location : job->distorted_uri;
    p.ref_label = ref_label;
    p.dis_label = dis_label;
    p.ref_integrity = pr ? &pr->check[0] : NULL;
    p.dis_integrity = pr ? &pr->check[1] : NULL;
    e = score(job, set, hooks, &p, res, err, n);
    if (task) {
        /* a cancelled job stops its rclone processes (unless another job reads through
         * them); otherwise they stay warm for the next job */
        void (*release)(StorageContext *, StorageReadable *) =
            e == -ECANCELED ? storage_release_stop_unused : storage_release;
        release(set->storage, &pr->rd[0]);
        release(set->storage, &pr->rd[1]);
        prep_task_free(task);
    }
    if (e) exec_result_free(res);
    return e;
}

void exec_result_free(ExecResult *r)
{
    free(r->json);
    free(r->xml);
    free(r->csv);
    r->json = r->xml = r->csv = NULL;
}
