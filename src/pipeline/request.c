/* A scoring request, run (see request.h): options to the pipeline's spec, models and
 * features to the engine, then pipeline_run. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "request.h"

#define MODEL_FILE_MAX (16u << 20)

int pipeline_spec_from_request(const JobSpec *req, const PipelineSettings *set, const PipelineInputs *in,
                               PipelineSpec *p, char *err, size_t n)
{
    const JobOptions *o = &req->opt;
    *p = (PipelineSpec){ .ref_path = in->ref_path,
                         .dis_path = in->dis_path,
                         .ref_label = in->ref_label,
                         .dis_label = in->dis_label,
                         .ref_integrity = in->ref_integrity,
                         .dis_integrity = in->dis_integrity,
                         .skip_ref = o->frame_skip_ref,
                         .skip_dis = o->frame_skip_dist,
                         .frame_cnt = o->frame_cnt,
                         .stall_timeout = set->stall_timeout,
                         .http_retries = set->http_retries,
                         .tls_ca_file = set->tls_ca_file,
                         .chunk = set->chunk };
    p->raw = (MediaGeometry){ o->width, o->height, o->bitdepth,
                              *o->pixel_format ? media_parse_pix_fmt(o->pixel_format) : 0 };
    int sync = jobspec_sync(o->sync, &p->sync_range);
    p->sync = sync > 0;
    /* validated already (jobspec_parse / jobspec_validate): these refuse only a caller that
     * skipped validation */
    if (media_parse_scale(*o->scale ? o->scale : "bicubic", &p->scale) || sync < 0 ||
        (*o->scale_to && media_parse_size(o->scale_to, &p->scale_w, &p->scale_h))) {
        snprintf(err, n, "options: not validated (scale '%s', scale_to '%s', sync '%s')", o->scale,
                 o->scale_to, o->sync);
        return -EINVAL;
    }
    return 0;
}

static char *read_model_file(const char *path, size_t *len, char *err, size_t n)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, n, "model file %s: cannot open (%s)", path, strerror(errno));
        return NULL;
    }
    char *buf = malloc(MODEL_FILE_MAX + 1);
    size_t got = buf ? fread(buf, 1, MODEL_FILE_MAX + 1, f) : 0;
    int bad = !buf || ferror(f) || got > MODEL_FILE_MAX;
    fclose(f);
    if (bad) {
        snprintf(err, n, "model file %s: cannot read (missing, unreadable or larger than 16 MiB)", path);
        free(buf);
        return NULL;
    }
    buf[got] = 0;
    *len = got;
    return buf;
}

static int use_model(VmafxContext *ctx, const JobModel *m, const VmafxModelConfig *cfg, unsigned i, char *err,
                     size_t n)
{
    if (*m->version) {
        int e = vmafx_use_builtin_model(ctx, m->version, cfg);
        if (e) snprintf(err, n, "models[%u] %s: %s", i, m->version, vmafx_last_error(ctx));
        return e;
    }
    size_t len;
    char *json = read_model_file(m->path, &len, err, n);
    if (!json) return -EINVAL;
    int e = vmafx_use_model(ctx, json, len, cfg);
    free(json);
    if (e) snprintf(err, n, "model file %s: %s", m->path, vmafx_last_error(ctx));
    return e;
}

static int add_models(const JobSpec *req, PipelineScore *out, char *err, size_t n)
{
    unsigned count = jobspec_model_count(req);
    for (unsigned i = 0; i < count; i++) {
        JobModel m;
        char why[300];
        if (jobspec_model_parse(jobspec_model(req, i), JOB_LOCAL, &m, why, sizeof(why))) {
            snprintf(err, n, "models[%u]: %s", i, why);
            return -EINVAL;
        }
        PipelineModel *pm = &out->models[out->n_models];
        jobspec_model_names(&m, count, pm->label, pm->name, sizeof(pm->name));
        VmafxModelConfig cfg = { .name = pm->name,
                                 .enable_transform = m.enable_transform,
                                 .disable_clip = m.disable_clip };
        int e = use_model(out->ctx, &m, &cfg, i, err, n);
        if (e) return e;
        out->n_models++;
    }
    return 0;
}

static int add_features(VmafxContext *ctx, const JobSpec *req, char *err, size_t n)
{
    for (unsigned i = 0; i < req->n_features; i++) {
        char name[JOB_SPEC_MAX];
        snprintf(name, sizeof(name), "%s", req->features[i]);
        char *opts = strchr(name, '=');
        if (opts) *opts++ = 0;
        int e = vmafx_use_feature(ctx, name, opts);
        if (e) {
            snprintf(err, n, "features[%u] %s: %s", i, req->features[i], vmafx_last_error(ctx));
            return e;
        }
    }
    return 0;
}

static int setup_models(const JobSpec *req, PipelineScore *out, char *err, size_t n)
{
    if (!req->opt.no_prediction) {
        int e = add_models(req, out, err, n);
        return e ? e : add_features(out->ctx, req, err, n);
    }
    for (const char *const *f = job_no_prediction_features; *f; f++)
        if (vmafx_use_feature(out->ctx, *f, NULL)) {
            snprintf(err, n, "%s", vmafx_last_error(out->ctx));
            return -EINVAL;
        }
    return add_features(out->ctx, req, err, n);
}

int pipeline_engine_for_request(const JobSpec *req, const PipelineSettings *set, PipelineScore *out, char *err,
                                size_t n)
{
    memset(out, 0, sizeof(*out));
    const PipelineChunk *c = set->chunk;
    unsigned warm = c && c->first > PIPELINE_CHUNK_HISTORY ? c->first - PIPELINE_CHUNK_HISTORY : 0;
    VmafxConfig cfg = { .n_threads = req->opt.threads ? req->opt.threads : set->threads,
                        .subsample = req->opt.subsample,
                        .cpu = set->cpu, .files = set->files,
                        .start_index = warm, .score_from = c ? c->first : 0, .partial = c != NULL };
    int e = vmafx_init(&out->ctx, &cfg);
    if (e) {
        snprintf(err, n, "scoring: cannot start the engine (%s)",
                 out->ctx ? vmafx_last_error(out->ctx) : "out of memory");
        return e;
    }
    return setup_models(req, out, err, n);
}

int pipeline_score_request(const JobSpec *req, const PipelineSettings *set, const PipelineInputs *in,
                           const PipelineHooks *hooks, PipelineScore *out, char *err, size_t n)
{
    PipelineSpec p;
    int e = pipeline_engine_for_request(req, set, out, err, n);
    if (!e) e = pipeline_spec_from_request(req, set, in, &p, err, n);
    if (e) return e;
    return pipeline_run(out->ctx, &p, hooks, &out->run, err, n);
}

int pipeline_report(const PipelineScore *sc, enum VmafxFormat fmt, char **text, size_t *len, char *err, size_t n)
{
    int e = vmafx_write_report(sc->ctx, fmt, &sc->run.info, text, len);
    if (e) snprintf(err, n, "writing the report: %s", vmafx_last_error(sc->ctx));
    return e;
}

void pipeline_score_free(PipelineScore *sc)
{
    vmafx_close(sc->ctx);
    sc->ctx = NULL;
}
