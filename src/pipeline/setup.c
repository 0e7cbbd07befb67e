/* A request's models and features set up on an engine context (see request.h): presets
 * expanded, model files read, overrides applied, each model named as libvmaf names it. The
 * run and the controller's check at submit both call it, so they cannot disagree. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "request.h"

#define MODEL_FILE_MAX (16u << 20)

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

static int use_model(VmafxContext *ctx, const JobModel *m, const VmafxModelConfig *cfg, char *err, size_t n)
{
    if (*m->version) {
        int e = vmafx_use_builtin_model(ctx, m->version, cfg);
        if (e) snprintf(err, n, "%s: %s", m->version, vmafx_last_error(ctx));
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

/* With no_prediction the models' features are computed without their scores, and no
 * default model is added (libvmaf's `vmaf -n`). */
static int add_models(VmafxContext *ctx, const JobSpec *req, JobOrigin origin, PipelineModel *models,
                      unsigned *n_models, char *field, size_t fn, char *err, size_t n)
{
    unsigned count = req->opt.no_prediction ? req->n_models : jobspec_model_count(req);
    for (unsigned i = 0; i < count; i++) {
        JobModel m;
        char why[1600];
        snprintf(field, fn, "models[%u]", i);
        if (jobspec_model_parse(jobspec_model(req, i), origin, &m, why, sizeof(why))) {
            snprintf(err, n, "models[%u]: %s", i, why);
            return -EINVAL;
        }
        PipelineModel pm;
        jobspec_model_names(&m, count, pm.label, pm.name, sizeof(pm.name));
        VmafxModelConfig cfg = { .name = pm.name,
                                 .enable_transform = m.enable_transform,
                                 .disable_clip = m.disable_clip,
                                 .feature_options = *m.feature_options ? m.feature_options : NULL,
                                 .features_only = req->opt.no_prediction };
        int e = use_model(ctx, &m, &cfg, why, sizeof(why));
        if (e) {
            snprintf(err, n, "models[%u] %s", i, why);
            return e;
        }
        if (!req->opt.no_prediction) models[(*n_models)++] = pm;
    }
    return 0;
}

static int add_features(VmafxContext *ctx, const JobSpec *req, char *field, size_t fn, char *err, size_t n)
{
    for (unsigned i = 0; i < req->n_features; i++) {
        char name[JOB_SPEC_MAX];
        snprintf(name, sizeof(name), "%s", req->features[i]);
        char *opts = strchr(name, '=');
        if (opts) *opts++ = 0;
        int e = vmafx_use_feature(ctx, name, opts);
        if (e) {
            snprintf(field, fn, "features[%u]", i);
            snprintf(err, n, "features[%u] %s: %s", i, req->features[i], vmafx_last_error(ctx));
            return e;
        }
    }
    return 0;
}

int pipeline_setup_request(VmafxContext *ctx, const JobSpec *request, JobOrigin origin, PipelineModel *models,
                           unsigned *n_models, char *field, size_t fn, char *err, size_t n)
{
    *n_models = 0;
    JobSpec *req = malloc(sizeof(*req));
    if (!req) return snprintf(field, fn, "%s", ""), snprintf(err, n, "out of memory"), -ENOMEM;
    int e = jobspec_expand(request, req, field, fn, err, n) ? -EINVAL : 0;
    if (!e) e = add_models(ctx, req, origin, models, n_models, field, fn, err, n);
    if (!e) e = add_features(ctx, req, field, fn, err, n);
    free(req);
    return e;
}
