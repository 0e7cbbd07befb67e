/* Results: per-index and pooled scores, reports, version. Pooling follows libvmaf's
 * definition over index_low..index_high (every n_subsample-th index); the values come from
 * the engine, which has computed every feature and model score by the flush. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compat.h"

static int value_at(VmafContext *ctx, const char *name, unsigned index, double *out)
{
    if (!vmafx_feature_value(ctx->eng, name, index, out)) return 0;
    compat_log(ctx, VMAF_LOG_LEVEL_ERROR, "no score \"%s\" at index %u%s", name, index,
               ctx->flushed ? "" : " (scores are complete after the flush)");
    return -EINVAL;
}

EXPORT int vmaf_feature_score_at_index(VmafContext *vmaf, const char *feature_name, double *score,
                                       unsigned index)
{
    if (!vmaf || !feature_name || !score) return -EINVAL;
    return value_at(vmaf, feature_name, index, score);
}

EXPORT int vmaf_score_at_index(VmafContext *vmaf, VmafModel *model, double *score, unsigned index)
{
    if (!vmaf || !model || !score) return -EINVAL;
    return value_at(vmaf, model->name, index, score);
}

EXPORT int vmaf_feature_score_pooled(VmafContext *vmaf, const char *feature_name,
                                     enum VmafPoolingMethod pool_method, double *score, unsigned index_low,
                                     unsigned index_high)
{
    if (!vmaf || !feature_name || !score || index_low > index_high) return -EINVAL;
    if (pool_method <= VMAF_POOL_METHOD_UNKNOWN || pool_method >= VMAF_POOL_METHOD_NB) return -EINVAL;
    unsigned step = vmaf->cfg.n_subsample > 1 ? vmaf->cfg.n_subsample : 1;
    unsigned n = 0;
    double mn = 0, mx = 0, sum = 0, inv = 0;
    for (unsigned i = index_low; i <= index_high; i++) {
        if (i % step) continue;
        double s;
        int err = value_at(vmaf, feature_name, i, &s);
        if (err) return err;
        mn = !n || s < mn ? s : mn;
        mx = !n || s > mx ? s : mx;
        sum += s;
        inv += 1.0 / (s + 1.0);
        n++;
        if (i == index_high) break; /* index_high may be UINT_MAX */
    }
    if (!n) return -EINVAL;
    switch (pool_method) {
    case VMAF_POOL_METHOD_MIN: *score = mn; break;
    case VMAF_POOL_METHOD_MAX: *score = mx; break;
    case VMAF_POOL_METHOD_MEAN: *score = sum / n; break;
    default: *score = n / inv - 1.0; break; /* harmonic mean of (s + 1), minus 1 */
    }
    return 0;
}

EXPORT int vmaf_score_pooled(VmafContext *vmaf, VmafModel *model, enum VmafPoolingMethod pool_method,
                             double *score, unsigned index_low, unsigned index_high)
{
    if (!vmaf || !model) return -EINVAL;
    return vmaf_feature_score_pooled(vmaf, model->name, pool_method, score, index_low, index_high);
}

static int write_all(const char *path, const char *text, size_t len)
{
    FILE *f = fopen(path, "w");
    if (!f) return -errno;
    size_t k = fwrite(text, 1, len, f);
    int err = ferror(f) || k != len;
    return fclose(f) || err ? -EIO : 0;
}

EXPORT int vmaf_write_output(VmafContext *vmaf, const char *output_path, enum VmafOutputFormat fmt)
{
    if (!vmaf || !output_path) return -EINVAL;
    static const int to_engine[] = {
        [VMAF_OUTPUT_FORMAT_XML] = VMAFX_FORMAT_XML,
        [VMAF_OUTPUT_FORMAT_JSON] = VMAFX_FORMAT_JSON,
        [VMAF_OUTPUT_FORMAT_CSV] = VMAFX_FORMAT_CSV,
        [VMAF_OUTPUT_FORMAT_SUB] = VMAFX_FORMAT_SUB,
    };
    if (fmt <= VMAF_OUTPUT_FORMAT_NONE || fmt > VMAF_OUTPUT_FORMAT_SUB) {
        compat_log(vmaf, VMAF_LOG_LEVEL_ERROR, "vmaf_write_output: unknown format %d", (int)fmt);
        return -EINVAL;
    }
    if (!vmaf->flushed || !vmaf->n_read) {
        compat_log(vmaf, VMAF_LOG_LEVEL_ERROR, "vmaf_write_output: %s",
                   vmaf->n_read ? "flush first (vmaf_read_pictures with NULL pictures)"
                                : "no pictures were read");
        return -EINVAL;
    }
    /* fps as libvmaf measures it: pictures per second of processor time while scoring */
    double secs = vmaf->t_end - vmaf->t_begin;
    VmafxReportInfo info = { .fps = secs > 0 ? vmaf->n_read / secs : 0 };
    char *text;
    size_t len;
    int err = vmafx_write_report(vmaf->eng, (enum VmafxFormat)to_engine[fmt], &info, &text, &len);
    if (err) return compat_engine_error(vmaf, "vmaf_write_output", err);
    err = write_all(output_path, text, len);
    free(text);
    if (err) {
        compat_log(vmaf, VMAF_LOG_LEVEL_ERROR, "could not write %s: %s", output_path, strerror(-err));
        return -EINVAL;
    }
    return 0;
}

EXPORT const char *vmaf_version(void)
{
    return "3.2.0-vmafx-" VMAFX_VERSION;
}
