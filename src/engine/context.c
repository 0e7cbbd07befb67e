/* The scoring context: which extractors run (deduplicated across models and extra features),
 * the frame loop, model prediction at flush, pooling and reports. */
#include <errno.h>
#include <pthread.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vmafx/vmafx.h"
#include "cpu.h"
#include "feature/collector.h"
#include "feature/extractor.h"
#include "model/model.h"
#include "model/builtin.h"
#include "report/report.h"
#include "runner.h"

#define MAX_INSTANCES 16
#define MAX_MODELS 8
#define NAME_LEN 128

typedef struct Instance {
    const FeatureExtractor *fx;
    double opt[EXTRACTOR_MAX_OPTIONS];
    char suffix[NAME_LEN];
    void **priv;                /* one state per worker; NULL until the first picture */
} Instance;

typedef struct ModelSlot {
    Model *model;
    char name[NAME_LEN];
    char feature[MODEL_MAX_FEATURES][NAME_LEN];   /* collector names of its inputs */
} ModelSlot;

struct VmafxContext {
    VmafxConfig cfg;
    KernelTable kernels;
    FeatureCollector *fc;
    Instance inst[MAX_INSTANCES];
    unsigned n_inst;
    ModelSlot models[MAX_MODELS];
    unsigned n_models;
    Runner *runner;            /* created with the first picture */
    unsigned n_workers;
    unsigned n_frames;
    unsigned w, h, bpc;
    enum VmafxPixelFormat pix_fmt;
    int started, flushed;
    char err[512];
    pthread_mutex_t err_lock;  /* guards worker_err, written by worker threads */
    char worker_err[256];
};

static int fail(VmafxContext *ctx, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int fail(VmafxContext *ctx, int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(ctx->err, sizeof(ctx->err), fmt, ap);
    va_end(ap);
    return code;
}

int vmafx_init(VmafxContext **out, const VmafxConfig *cfg)
{
    if (!out) return -EINVAL;
    VmafxContext *ctx = calloc(1, sizeof(*ctx));
    if (!ctx) return -ENOMEM;
    if (cfg) ctx->cfg = *cfg;
    if (ctx->cfg.subsample == 0) ctx->cfg.subsample = 1;
    kernels_init(&ctx->kernels, ctx->cfg.cpu);
    pthread_mutex_init(&ctx->err_lock, NULL);
    int err = collector_new(&ctx->fc);
    if (err) { free(ctx); return err; }
    *out = ctx;
    return 0;
}

static void close_instance(Instance *in, unsigned n_workers)
{
    for (unsigned w = 0; in->priv && w < n_workers; w++) {
        if (in->priv[w] && in->fx->close) in->fx->close(in->priv[w]);
        free(in->priv[w]);
    }
    free(in->priv);
    in->priv = NULL;
}

void vmafx_close(VmafxContext *ctx)
{
    if (!ctx) return;
    runner_free(ctx->runner);
    for (unsigned i = 0; i < ctx->n_inst; i++) close_instance(&ctx->inst[i], ctx->n_workers);
    for (unsigned i = 0; i < ctx->n_models; i++) model_free(ctx->models[i].model);
    collector_free(ctx->fc);
    pthread_mutex_destroy(&ctx->err_lock);
    free(ctx);
}

const char *vmafx_last_error(const VmafxContext *ctx)
{
    return ctx ? ctx->err : "no context";
}

/* Options that differ from their defaults, sorted by name, as "_alias_value" (libvmaf's
 * feature-name rule, so a neg-model feature is "integer_adm2_egl_1"). */
static void build_suffix(const FeatureExtractor *fx, const double *opt, char *buf, size_t n)
{
    buf[0] = 0;
    const ExtractorOption *sorted[EXTRACTOR_MAX_OPTIONS];
    unsigned idx[EXTRACTOR_MAX_OPTIONS], m = 0;
    for (unsigned i = 0; i < fx->n_options; i++) {
        if (!fx->options[i].feature_param || opt[i] == fx->options[i].def) continue;
        unsigned k = m++;
        while (k > 0 && strcmp(sorted[k - 1]->name, fx->options[i].name) > 0) {
            sorted[k] = sorted[k - 1];
            idx[k] = idx[k - 1];
            k--;
        }
        sorted[k] = &fx->options[i];
        idx[k] = i;
    }
    for (unsigned k = 0; k < m; k++) {
        size_t len = strlen(buf);
        const char *key = sorted[k]->alias ? sorted[k]->alias : sorted[k]->name;
        if (sorted[k]->boolean)
            snprintf(buf + len, n - len, "_%s", key);
        else
            snprintf(buf + len, n - len, "_%s_%g", key, opt[idx[k]]);
    }
}

static int set_option(VmafxContext *ctx, const FeatureExtractor *fx, double *opt,
                      const char *key, double value)
{
    for (unsigned i = 0; i < fx->n_options; i++) {
        const ExtractorOption *o = &fx->options[i];
        if (strcmp(o->name, key) && !(o->alias && !strcmp(o->alias, key))) continue;
        if (!(value >= o->min && value <= o->max))
            return fail(ctx, -EINVAL, "feature %s: option %s=%g out of range [%g, %g]",
                        fx->name, key, value, o->min, o->max);
        opt[i] = value;
        return 0;
    }
    return fail(ctx, -EINVAL, "feature %s: unknown option '%s'", fx->name, key);
}

static int same_feature_params(const FeatureExtractor *fx, const double *a, const double *b)
{
    for (unsigned k = 0; k < fx->n_options; k++)
        if (fx->options[k].feature_param && a[k] != b[k]) return 0;
    return 1;
}

static void set_option_if_present(const FeatureExtractor *fx, double *opt, const char *key, double v)
{
    for (unsigned i = 0; i < fx->n_options; i++)
        if (!strcmp(fx->options[i].name, key)) opt[i] = v;
}

/* The instance of fx with these feature-naming option values, created if new. */
static Instance *instance_for(VmafxContext *ctx, const FeatureExtractor *fx, const double *opt)
{
    for (unsigned i = 0; i < ctx->n_inst; i++) {
        Instance *in = &ctx->inst[i];
        if (in->fx != fx || !same_feature_params(fx, in->opt, opt)) continue;
        /* options that do not name features (debug) are merged: non-default wins */
        for (unsigned k = 0; k < fx->n_options; k++)
            if (!fx->options[k].feature_param && opt[k] != fx->options[k].def) in->opt[k] = opt[k];
        return in;
    }
    if (ctx->n_inst == MAX_INSTANCES) return NULL;
    Instance *in = &ctx->inst[ctx->n_inst++];
    in->fx = fx;
    memcpy(in->opt, opt, sizeof(in->opt));
    build_suffix(fx, opt, in->suffix, sizeof(in->suffix));
    return in;
}

static void default_options(const FeatureExtractor *fx, double *opt)
{
    memset(opt, 0, sizeof(double) * EXTRACTOR_MAX_OPTIONS);
    for (unsigned i = 0; i < fx->n_options; i++) opt[i] = fx->options[i].def;
}

static int check_not_started(VmafxContext *ctx)
{
    if (ctx->started) return fail(ctx, -EBUSY, "models and features must be added before scoring");
    return 0;
}

static int add_model(VmafxContext *ctx, Model *m, const VmafxModelConfig *cfg)
{
    if (ctx->n_models == MAX_MODELS) {
        model_free(m);
        return fail(ctx, -ENOSPC, "too many models (at most %d)", MAX_MODELS);
    }
    ModelSlot *slot = &ctx->models[ctx->n_models];
    snprintf(slot->name, sizeof(slot->name), "%s", cfg && cfg->name ? cfg->name : "vmaf");
    for (unsigned i = 0; i < ctx->n_models; i++)
        if (!strcmp(ctx->models[i].name, slot->name)) {
            model_free(m);
            return fail(ctx, -EINVAL, "two models named '%s': give each a name=", slot->name);
        }
    for (unsigned f = 0; f < model_feature_count(m); f++) {
        const char *fname = model_feature_name(m, f);
        const FeatureExtractor *fx = extractor_providing(fname);
        if (!fx) {
            fail(ctx, -ENOTSUP, "feature '%s' is not supported (float models need float "
                 "features, which vmafx does not compute)", fname);
            model_free(m);
            return -ENOTSUP;
        }
        double opt[EXTRACTOR_MAX_OPTIONS];
        default_options(fx, opt);
        const ModelFeatureOpt *mo;
        unsigned n = model_feature_opts(m, f, &mo);
        for (unsigned k = 0; k < n; k++) {
            int err = set_option(ctx, fx, opt, mo[k].key, mo[k].value);
            if (err) { model_free(m); return err; }
        }
        if (cfg && cfg->debug) set_option_if_present(fx, opt, "debug", 1.0);
        Instance *in = instance_for(ctx, fx, opt);
        if (!in) { model_free(m); return fail(ctx, -ENOSPC, "too many feature extractors"); }
        feature_name(slot->feature[f], NAME_LEN, fname, feature_output_name(fname), in->suffix);
    }
    slot->model = m;
    ctx->n_models++;
    return 0;
}

int vmafx_use_model(VmafxContext *ctx, const char *json, size_t len, const VmafxModelConfig *cfg)
{
    int err = check_not_started(ctx);
    if (err) return err;
    Model *m;
    char why[256];
    err = model_parse(json, len, cfg && cfg->enable_transform, cfg && cfg->disable_clip,
                      &m, why, sizeof(why));
    if (err) return fail(ctx, err, "%s", why);
    return add_model(ctx, m, cfg);
}

int vmafx_use_builtin_model(VmafxContext *ctx, const char *version, const VmafxModelConfig *cfg)
{
    const char *json = builtin_model_json(version);
    if (!json) return fail(ctx, -ENOENT, "unknown model version '%s'", version);
    return vmafx_use_model(ctx, json, strlen(json), cfg);
}

const char *const *vmafx_builtin_models(void) { return builtin_model_names(); }

int vmafx_use_feature(VmafxContext *ctx, const char *name, const char *options)
{
    int err = check_not_started(ctx);
    if (err) return err;
    const FeatureExtractor *fx = extractor_find(name);
    if (!fx) return fail(ctx, -ENOENT, "unknown feature '%s'", name);
    double opt[EXTRACTOR_MAX_OPTIONS];
    default_options(fx, opt);
    char buf[512];
    snprintf(buf, sizeof(buf), "%s", options ? options : "");
    char *save = NULL;
    for (char *kv = strtok_r(buf, ":", &save); kv; kv = strtok_r(NULL, ":", &save)) {
        char *eq = strchr(kv, '=');
        if (!eq) return fail(ctx, -EINVAL, "feature %s: option '%s' needs a value (key=value)", name, kv);
        *eq = 0;
        char *end;
        const char *v = eq + 1;
        double value = !strcmp(v, "true") ? 1 : !strcmp(v, "false") ? 0 : strtod(v, &end);
        if (strcmp(v, "true") && strcmp(v, "false") && (end == v || *end))
            return fail(ctx, -EINVAL, "feature %s: option %s: '%s' is not a number", name, kv, v);
        if ((err = set_option(ctx, fx, opt, kv, value))) return err;
    }
    if (!instance_for(ctx, fx, opt)) return fail(ctx, -ENOSPC, "too many feature extractors");
    return 0;
}

static int init_instance(VmafxContext *ctx, Instance *in)
{
    ExtractorParams p = {
        .w = ctx->w, .h = ctx->h, .bpc = ctx->bpc, .pix_fmt = ctx->pix_fmt,
        .suffix = in->suffix, .kernels = &ctx->kernels,
    };
    memcpy(p.opt, in->opt, sizeof(p.opt));
    if (!(in->priv = calloc(ctx->n_workers, sizeof(*in->priv)))) return fail(ctx, -ENOMEM, "out of memory");
    for (unsigned w = 0; w < ctx->n_workers; w++) {
        if (!(in->priv[w] = calloc(1, in->fx->priv_size ? in->fx->priv_size : 1)))
            return fail(ctx, -ENOMEM, "out of memory");
        int err = in->fx->init(in->priv[w], &p);
        if (err) {
            free(in->priv[w]);
            in->priv[w] = NULL;
            return fail(ctx, err, "feature %s cannot score %ux%u %u-bit pictures%s", in->fx->name,
                        ctx->w, ctx->h, ctx->bpc,
                        err == -ERANGE ? ": the picture is too small for it" : "");
        }
    }
    return 0;
}

/* Runs every extractor due at this frame with the worker's own extractor states. */
static int score_frame(void *arg, unsigned worker, const FrameInput *in)
{
    VmafxContext *ctx = arg;
    int scored = in->index % ctx->cfg.subsample == 0;
    for (unsigned i = 0; i < ctx->n_inst; i++) {
        const FeatureExtractor *fx = ctx->inst[i].fx;
        if (!scored && !(fx->flags & EXTRACTOR_EVERY_FRAME)) continue;
        int err = fx->extract(ctx->inst[i].priv[worker], in, ctx->fc);
        if (err) {
            pthread_mutex_lock(&ctx->err_lock);
            if (!ctx->worker_err[0])
                snprintf(ctx->worker_err, sizeof(ctx->worker_err), "frame %u: feature %s failed (%s)",
                         in->index, fx->name, strerror(-err));
            pthread_mutex_unlock(&ctx->err_lock);
            return err;
        }
    }
    return 0;
}

static int start(VmafxContext *ctx, const VmafxPicture *ref)
{
    ctx->w = ref->w[0];
    ctx->h = ref->h[0];
    ctx->bpc = ref->bpc;
    ctx->pix_fmt = ref->pix_fmt;
    ctx->n_workers = ctx->cfg.n_threads > 1 ? ctx->cfg.n_threads : 1;
    for (unsigned i = 0; i < ctx->n_inst; i++) {
        int err = init_instance(ctx, &ctx->inst[i]);
        if (err) return err;
    }
    int err = runner_new(&ctx->runner, ctx->n_workers > 1 ? ctx->n_workers : 0, ref, score_frame, ctx);
    if (err) return fail(ctx, err, "cannot start %u worker threads", ctx->n_workers);
    ctx->started = 1;
    return 0;
}

static int same_geometry(const VmafxContext *ctx, const VmafxPicture *p)
{
    return p->w[0] == ctx->w && p->h[0] == ctx->h && p->bpc == ctx->bpc && p->pix_fmt == ctx->pix_fmt;
}

static int worker_failed(VmafxContext *ctx, int err)
{
    pthread_mutex_lock(&ctx->err_lock);
    fail(ctx, err, "%s", ctx->worker_err[0] ? ctx->worker_err : "scoring failed");
    pthread_mutex_unlock(&ctx->err_lock);
    return err;
}

int vmafx_score_pictures(VmafxContext *ctx, const VmafxPicture *ref, const VmafxPicture *dis)
{
    if (!ctx || !ref || !dis) return -EINVAL;
    if (ctx->flushed) return fail(ctx, -EINVAL, "the context was already flushed");
    if (ref->w[0] != dis->w[0] || ref->h[0] != dis->h[0] || ref->bpc != dis->bpc ||
        ref->pix_fmt != dis->pix_fmt)
        return fail(ctx, -EINVAL, "reference and distorted pictures differ in size, format or bit depth");
    if (!ctx->started) {
        int err = start(ctx, ref);
        if (err) return err;
    } else if (!same_geometry(ctx, ref)) {
        return fail(ctx, -EINVAL, "frame %u: picture geometry changed mid-stream", ctx->n_frames);
    }
    int err = runner_submit(ctx->runner, ref, dis, ctx->n_frames);
    if (err) return worker_failed(ctx, err);
    ctx->n_frames++;
    return 0;
}

static int predict_models(VmafxContext *ctx)
{
    for (unsigned m = 0; m < ctx->n_models; m++) {
        ModelSlot *slot = &ctx->models[m];
        unsigned nf = model_feature_count(slot->model);
        for (unsigned i = 0; i < ctx->n_frames; i += ctx->cfg.subsample) {
            double x[MODEL_MAX_FEATURES];
            for (unsigned f = 0; f < nf; f++)
                if (collector_get(ctx->fc, slot->feature[f], i, &x[f]))
                    return fail(ctx, -EINVAL, "model %s: feature %s missing at frame %u",
                                slot->name, slot->feature[f], i);
            int err = collector_put(ctx->fc, slot->name, i, model_predict(slot->model, x));
            if (err) return fail(ctx, err, "model %s: cannot store score of frame %u", slot->name, i);
        }
    }
    return 0;
}

int vmafx_flush(VmafxContext *ctx)
{
    if (!ctx) return -EINVAL;
    if (ctx->flushed) return 0;
    if (!ctx->n_frames) return fail(ctx, -ENODATA, "no frames were scored");
    int err = runner_finish(ctx->runner);
    if (err) return worker_failed(ctx, err);
    for (unsigned i = 0; i < ctx->n_inst; i++) {
        Instance *in = &ctx->inst[i];
        if (!in->fx->flush) continue;
        err = in->fx->flush(in->priv[0], ctx->fc, ctx->n_frames);
        if (err) return fail(ctx, err, "feature %s: flush failed", in->fx->name);
    }
    if ((err = predict_models(ctx))) return err;
    collector_sort(ctx->fc);
    ctx->flushed = 1;
    return 0;
}

unsigned vmafx_frame_count(const VmafxContext *ctx) { return ctx->n_frames; }

unsigned vmafx_feature_count(const VmafxContext *ctx) { return collector_count(ctx->fc); }

const char *vmafx_feature_name(const VmafxContext *ctx, unsigned i)
{
    const char *n = collector_name(ctx->fc, i);
    return n ? feature_output_name(n) : NULL;
}

const char *vmafx_model_name(const VmafxContext *ctx, unsigned i)
{
    return i < ctx->n_models ? ctx->models[i].name : NULL;
}

static int feature_index(const VmafxContext *ctx, const char *name)
{
    for (unsigned i = 0; i < collector_count(ctx->fc); i++) {
        const char *n = collector_name(ctx->fc, i);
        if (!strcmp(n, name) || !strcmp(feature_output_name(n), name)) return (int)i;
    }
    return -1;
}

int vmafx_feature_value(const VmafxContext *ctx, const char *name, unsigned frame, double *out)
{
    int i = feature_index(ctx, name);
    if (i < 0 || !collector_at(ctx->fc, (unsigned)i, frame, out)) return -ENOENT;
    return 0;
}

static int pool_index(const VmafxContext *ctx, unsigned f, double out[4])
{
    double mn = INFINITY, mx = -INFINITY, sum = 0, inv = 0;
    unsigned n = 0;
    for (unsigned i = 0; i < ctx->n_frames; i += ctx->cfg.subsample) {
        double v;
        if (!collector_at(ctx->fc, f, i, &v)) continue;
        mn = v < mn ? v : mn;
        mx = v > mx ? v : mx;
        sum += v;
        inv += 1.0 / (v + 1.0);
        n++;
    }
    if (!n) return -ENOENT;
    out[0] = mn;
    out[1] = mx;
    out[2] = sum / n;
    out[3] = n / inv - 1.0;   /* libvmaf's harmonic mean of (s + 1), minus 1 */
    return 0;
}

int vmafx_feature_pooled(const VmafxContext *ctx, const char *name, enum VmafxPool how, double *out)
{
    int i = feature_index(ctx, name);
    double p[4];
    if (i < 0 || pool_index(ctx, (unsigned)i, p)) return -ENOENT;
    static const int slot[] = { [VMAFX_POOL_MEAN] = 2, [VMAFX_POOL_HARMONIC_MEAN] = 3,
                                [VMAFX_POOL_MIN] = 0, [VMAFX_POOL_MAX] = 1 };
    if ((unsigned)how > VMAFX_POOL_MAX) return -EINVAL;
    *out = p[slot[how]];
    return 0;
}

static int report_value(const void *src, unsigned f, unsigned frame, double *v)
{
    const VmafxContext *ctx = src;
    return collector_at(ctx->fc, f, frame, v) ? 1 : 0;
}

int vmafx_write_report(const VmafxContext *ctx, enum VmafxFormat fmt,
                       const VmafxReportInfo *info, char **text, size_t *len)
{
    if (!ctx || !text) return -EINVAL;
    if (!ctx->flushed) return -EINVAL;
    unsigned nf = collector_count(ctx->fc);
    unsigned nk = (ctx->n_frames + ctx->cfg.subsample - 1) / ctx->cfg.subsample;
    const char **names = calloc(nf ? nf : 1, sizeof(*names));
    double (*pooled)[4] = calloc(nf ? nf : 1, sizeof(*pooled));
    unsigned *idx = calloc(nk ? nk : 1, sizeof(*idx));
    int err = -ENOMEM;
    if (!names || !pooled || !idx) goto out;
    for (unsigned f = 0; f < nf; f++) {
        names[f] = feature_output_name(collector_name(ctx->fc, f));
        if (pool_index(ctx, f, pooled[f])) pooled[f][0] = pooled[f][1] = pooled[f][2] = pooled[f][3] = NAN;
    }
    for (unsigned k = 0; k < nk; k++) idx[k] = k * ctx->cfg.subsample;
    VmafxReportInfo none = { 0 };
    ReportData d = {
        .width = ctx->w, .height = ctx->h, .n_features = nf, .names = names,
        .n_frames = nk, .frame_index = idx, .value = report_value, .src = ctx,
        .pooled = (const double (*)[4])pooled, .info = info ? info : &none,
    };
    TextBuf b = { 0 };
    err = report_write(&d, fmt, &b);
    if (!err && b.oom) err = -ENOMEM;
    if (err) {
        free(b.s);
    } else {
        *text = b.s;
        if (len) *len = b.len;
    }
out:
    free(names);
    free(pooled);
    free(idx);
    return err;
}
