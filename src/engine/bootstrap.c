/* Bootstrap model collections (libvmaf predict.c, vmaf_bootstrap_predict_score_at_index):
 * per scored frame, after every other model's scores (libvmaf's report order), each
 * submodel's score, then, from their untransformed, unclipped values,
 *   NAME_bagging   their mean,
 *   NAME_stddev    their population standard deviation, times the slope of the main
 *                  transform+clip at the mean (a central difference of +-0.01),
 *   NAME_ci_p95_lo / _hi   the 2.5th and 97.5th percentiles (linear between order statistics),
 * the mean and percentiles then transformed and clipped like a score, all with the first
 * submodel's transform and clip, exactly as libvmaf does. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "context_impl.h"

static int cmp_double(const void *a, const void *b)
{
    const double x = *(const double *)a, y = *(const double *)b;
    return x > y ? 1 : x < y ? -1 : 0;
}

static double percentile(const double *sorted, unsigned n, double perc)
{
    const double p = perc * (n - 1) / 100.;
    const int lo = (int)floor(p), hi = (int)ceil(p);
    return lo == hi ? sorted[lo] : sorted[lo] * (hi - p) + sorted[hi] * (p - lo);
}

/* Raw (untransformed, unclipped) score of one slot at frame i. */
static int raw_score(VmafxContext *ctx, const ModelSlot *slot, unsigned i, double *out)
{
    double x[MODEL_MAX_FEATURES];
    for (unsigned f = 0; f < model_feature_count(slot->model); f++)
        if (collector_get(ctx->fc, slot->feature[f], i, &x[f]))
            return ctx_fail(ctx, -EINVAL, "model %s: feature %s missing at frame %u", slot->name,
                            slot->feature[f], i);
    *out = model_predict_raw(slot->model, x);
    return 0;
}

static int frame_stats(VmafxContext *ctx, const ModelSlot *first, unsigned i)
{
    const unsigned n = first->boot_n;
    double s[MODEL_MAX_COLLECTION];
    for (unsigned k = 0; k < n; k++) {
        int err = raw_score(ctx, first + k, i, &s[k]);
        if (err) return err;
        err = collector_put(ctx->fc, first[k].name, i, model_finish(first[k].model, s[k]));
        if (err) return ctx_fail(ctx, err, "model %s: cannot store score of frame %u", first[k].name, i);
    }
    double sum = 0.;
    for (unsigned k = 0; k < n; k++) sum += s[k];
    const double mean = sum / n;
    double ssd = 0.;
    for (unsigned k = 0; k < n; k++) ssd += pow(s[k] - mean, 2);
    double stddev = sqrt(ssd / n);
    qsort(s, n, sizeof(double), cmp_double);
    const Model *m = first->model;
    const double delta = 0.01;
    const double up = model_finish(m, mean + delta), down = model_finish(m, mean - delta);
    stddev *= (up - down) / (2.0 * delta);
    const double v[4] = { model_finish(m, mean), stddev, model_finish(m, percentile(s, n, 2.5)),
                          model_finish(m, percentile(s, n, 97.5)) };
    static const char *const suffix[4] = { "_bagging", "_stddev", "_ci_p95_lo", "_ci_p95_hi" };
    for (int q = 0; q < 4; q++) {
        char name[NAME_LEN + 16];
        snprintf(name, sizeof(name), "%s%s", first->boot_name, suffix[q]);
        int err = collector_put(ctx->fc, name, i, v[q]);
        if (err) return ctx_fail(ctx, err, "model %s: cannot store %s", first->boot_name, name);
    }
    return 0;
}

int ctx_predict_bootstrap(VmafxContext *ctx)
{
    for (unsigned m = 0; m < ctx->n_models; m++) {
        const ModelSlot *first = &ctx->models[m];
        if (!first->boot_n) continue;
        for (unsigned i = 0; i < ctx->n_frames; i += ctx->cfg.subsample) {
            int err = frame_stats(ctx, first, i);
            if (err) return err;
        }
    }
    return 0;
}
