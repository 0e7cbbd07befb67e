/* A context's results: per-frame values, pooled values and reports. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "context_impl.h"
#include "report/report.h"

unsigned vmafx_frame_count(const VmafxContext *ctx)
{
    return ctx->n_frames;
}

unsigned vmafx_feature_count(const VmafxContext *ctx)
{
    return collector_count(ctx->fc);
}

const char *vmafx_feature_name(const VmafxContext *ctx, unsigned i)
{
    const char *n = collector_name(ctx->fc, i);
    return n ? feature_output_name(n) : NULL;
}

const char *vmafx_model_name(const VmafxContext *ctx, unsigned i)
{
    return i < ctx->n_models ? ctx->models[i].name : NULL;
}

int vmafx_import_feature_score(VmafxContext *ctx, const char *name, unsigned frame, double value)
{
    if (!ctx || !name || !*name) return -EINVAL;
    int err = collector_put(ctx->fc, name, frame, value);
    if (err)
        return ctx_fail(ctx, err, "feature %s: frame %u %s", name, frame,
                        err == -EEXIST ? "already has a value" : "cannot be stored");
    return 0;
}

unsigned vmafx_raw_count(const VmafxContext *ctx)
{
    return ctx && ctx->flushed ? collector_all_count(ctx->fc) : 0;
}

int vmafx_geometry(const VmafxContext *ctx, enum VmafxPixelFormat *fmt, unsigned *bpc, unsigned *w,
                   unsigned *h)
{
    if (!ctx || !ctx->started) return -EINVAL;
    *fmt = ctx->pix_fmt;
    *bpc = ctx->bpc;
    *w = ctx->w;
    *h = ctx->h;
    return 0;
}

const char *vmafx_raw_name(const VmafxContext *ctx, unsigned i)
{
    return i < vmafx_raw_count(ctx) ? collector_name(ctx->fc, i) : NULL;
}

int vmafx_raw_value(const VmafxContext *ctx, unsigned i, unsigned frame, double *out)
{
    return i < vmafx_raw_count(ctx) && collector_at(ctx->fc, i, frame, out) ? 0 : -ENOENT;
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
    out[3] = n / inv - 1.0; /* libvmaf's harmonic mean of (s + 1), minus 1 */
    return 0;
}

int vmafx_feature_pooled(const VmafxContext *ctx, const char *name, enum VmafxPool how, double *out)
{
    int i = feature_index(ctx, name);
    double p[4];
    if (i < 0 || pool_index(ctx, (unsigned)i, p)) return -ENOENT;
    static const int slot[] = {
        [VMAFX_POOL_MEAN] = 2, [VMAFX_POOL_HARMONIC_MEAN] = 3, [VMAFX_POOL_MIN] = 0, [VMAFX_POOL_MAX] = 1
    };
    if ((unsigned)how > VMAFX_POOL_MAX) return -EINVAL;
    *out = p[slot[how]];
    return 0;
}

static int report_value(const void *src, unsigned f, unsigned frame, double *v)
{
    const VmafxContext *ctx = src;
    return collector_at(ctx->fc, f, frame, v) ? 1 : 0;
}

int vmafx_write_report(const VmafxContext *ctx, enum VmafxFormat fmt, const VmafxReportInfo *info,
                       char **text, size_t *len)
{
    if (!ctx || !text) return -EINVAL;
    if (!ctx->flushed) return -EINVAL;
    unsigned nf = collector_count(ctx->fc);
    unsigned nk = (ctx->n_frames + ctx->cfg.subsample - 1) / ctx->cfg.subsample;
    const char **names = calloc(nf ? nf : 1, sizeof(*names));
    double(*pooled)[4] = calloc(nf ? nf : 1, sizeof(*pooled));
    unsigned *idx = calloc(nk ? nk : 1, sizeof(*idx));
    int err = -ENOMEM;
    if (!names || !pooled || !idx) goto out;
    for (unsigned f = 0; f < nf; f++) {
        names[f] = feature_output_name(collector_name(ctx->fc, f));
        if (pool_index(ctx, f, pooled[f])) pooled[f][0] = pooled[f][1] = pooled[f][2] = pooled[f][3] = NAN;
    }
    for (unsigned k = 0; k < nk; k++) idx[k] = k * ctx->cfg.subsample;
    VmafxReportInfo none = { 0 };
    const unsigned na = collector_aggregate_count(ctx->fc);
    const char *agg_names[16];
    double agg_values[16];
    for (unsigned i = 0; i < na && i < 16; i++) {
        agg_names[i] = collector_aggregate_name(ctx->fc, i);
        agg_values[i] = collector_aggregate_value(ctx->fc, i);
    }
    ReportData d = {
        .width = ctx->w,
        .height = ctx->h,
        .n_features = nf,
        .names = names,
        .n_frames = nk,
        .frame_index = idx,
        .value = report_value,
        .src = ctx,
        .pooled = (const double(*)[4])pooled,
        .info = info ? info : &none,
        .n_aggregates = na < 16 ? na : 16,
        .aggregate_names = agg_names,
        .aggregate_values = agg_values,
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

int vmafx_aggregate(const VmafxContext *ctx, const char *name, double *out)
{
    if (!ctx || !name || !out) return -EINVAL;
    for (unsigned i = 0; i < collector_aggregate_count(ctx->fc); i++)
        if (!strcmp(collector_aggregate_name(ctx->fc, i), name)) {
            *out = collector_aggregate_value(ctx->fc, i);
            return 0;
        }
    return -ENOENT;
}
