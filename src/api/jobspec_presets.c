/* libvmaf 3.2.0's command-line presets (--aom_ctc, --nflx_ctc; its tools/cli_parse.c) as the
 * models, features and settings they stand for. A request keeps the preset by name
 * (options.aom_ctc) so a stored job stays readable; jobspec_expand turns it into models and
 * features where the request is checked (submit, the controller) and where it is run. */
#include <stdio.h>
#include <string.h>

#include "jobspec.h"

#define PRESET_MAX_FEATURES 6

typedef struct Preset {
    const char *kind, *version;
    const char *models[3];                         /* NULL-terminated */
    const char *features[PRESET_MAX_FEATURES + 1]; /* NULL-terminated */
    int common_bitdepth; /* inputs of different bit depths compared at the larger one */
} Preset;

/* AOM CTC v1.0 (and v2.0): VMAF and VMAF NEG, PSNR with libvmaf's reduced peak and a floor on
 * the error, aggregate PSNR, CIEDE2000, SSIM and MS-SSIM in dB, PSNR-HVS. v3.0 adds CAMBI,
 * v6.0 common_bitdepth, v7.0 computes SSIM at full scale (scale=1). */
#define AOM_MODELS                                                              \
    {                                                                           \
        "version=vmaf_v0.6.1:name=vmaf", "version=vmaf_v0.6.1neg:name=vmaf_neg" \
    }
#define AOM_PSNR "psnr=reduced_hbd_peak=true:enable_apsnr=true:min_sse=0.5"
#define AOM_SSIM "float_ssim=enable_db=true:clip_db=true"
#define AOM_MS_SSIM "float_ms_ssim=enable_db=true:clip_db=true"
/* clang-format off */
#define AOM_V1 { AOM_PSNR, "ciede", AOM_SSIM, AOM_MS_SSIM, "psnr_hvs", NULL }
#define AOM_V3 { AOM_PSNR, "ciede", AOM_SSIM, AOM_MS_SSIM, "psnr_hvs", "cambi" }
#define AOM_V7_SSIM "float_ssim=scale=1:enable_db=true:clip_db=true"
#define AOM_V7 { AOM_PSNR, "ciede", AOM_V7_SSIM, AOM_MS_SSIM, "psnr_hvs", "cambi" }
/* clang-format on */

static const Preset presets[] = {
    { "aom_ctc", "v1.0", AOM_MODELS, AOM_V1, 0 },
    { "aom_ctc", "v2.0", AOM_MODELS, AOM_V1, 0 },
    { "aom_ctc", "v3.0", AOM_MODELS, AOM_V3, 0 },
    { "aom_ctc", "v4.0", AOM_MODELS, AOM_V3, 0 },
    { "aom_ctc", "v5.0", AOM_MODELS, AOM_V3, 0 },
    { "aom_ctc", "v6.0", AOM_MODELS, AOM_V3, 1 },
    { "aom_ctc", "v7.0", AOM_MODELS, AOM_V7, 1 },
    { "nflx_ctc",
      "v1.0",
      { "version=vmaf_4k_v0.6.1:name=vmaf", "version=vmaf_4k_v0.6.1neg:name=vmaf_neg" },
      { "psnr=enable_chroma=true:enable_apsnr=true", "float_ssim=enable_db=true:clip_db=true", "cambi" },
      0 },
};
#define N_PRESETS (sizeof(presets) / sizeof(presets[0]))

const char *const jobspec_aom_ctc_versions[] = {
    "v1.0", "v2.0", "v3.0", "v4.0", "v5.0", "v6.0", "v7.0", NULL
};
const char *const jobspec_nflx_ctc_versions[] = { "v1.0", NULL };

static const Preset *find(const char *kind, const char *version)
{
    for (size_t i = 0; i < N_PRESETS; i++)
        if (!strcmp(presets[i].kind, kind) && !strcmp(presets[i].version, version)) return &presets[i];
    return NULL;
}

static size_t name_len(const char *feature)
{
    return strcspn(feature, "=");
}

/* A preset feature takes the place of a feature of the same name given before it (libvmaf
 * replaces in place only for v7.0's float_ssim; the others are new names or, repeated, would
 * run the same extractor twice with the same options). */
static int add_feature(JobSpec *s, const char *f, char *err, size_t n)
{
    for (unsigned i = 0; i < s->n_features; i++)
        if (name_len(s->features[i]) == name_len(f) && !strncmp(s->features[i], f, name_len(f))) {
            snprintf(s->features[i], JOB_SPEC_MAX, "%s", f);
            return 0;
        }
    if (s->n_features == JOB_MAX_FEATURES) {
        snprintf(err, n, "at most %d features with the preset's", JOB_MAX_FEATURES);
        return -1;
    }
    snprintf(s->features[s->n_features++], JOB_SPEC_MAX, "%s", f);
    return 0;
}

static int apply(JobSpec *s, const Preset *p, char *err, size_t n)
{
    for (unsigned i = 0; p->models[i]; i++) {
        if (s->n_models == JOB_MAX_MODELS) {
            snprintf(err, n, "at most %d models with the preset's", JOB_MAX_MODELS);
            return -1;
        }
        snprintf(s->models[s->n_models++], JOB_SPEC_MAX, "%s", p->models[i]);
    }
    for (unsigned i = 0; p->features[i]; i++)
        if (add_feature(s, p->features[i], err, n)) return -1;
    if (p->common_bitdepth) s->opt.common_bitdepth = 1;
    return 0;
}

int jobspec_expand(const JobSpec *in, JobSpec *out, char *field, size_t fn, char *err, size_t en)
{
    if (out != in) memcpy(out, in, sizeof(*out));
    const char *kinds[2] = { "aom_ctc", "nflx_ctc" };
    char *versions[2] = { out->opt.aom_ctc, out->opt.nflx_ctc };
    for (int k = 0; k < 2; k++) {
        if (!*versions[k]) continue;
        const Preset *p = find(kinds[k], versions[k]);
        char why[200] = "unknown version";
        if (!p || apply(out, p, why, sizeof(why))) {
            snprintf(field, fn, "options.%s", kinds[k]);
            snprintf(err, en, "options.%s: %s '%s'", kinds[k], why, versions[k]);
            return -1;
        }
        *versions[k] = 0; /* expanded: running it again adds nothing */
    }
    return 0;
}

const char *jobspec_preset_describe(unsigned i, const char **kind, const char **version,
                                    const char *const **models, const char *const **features,
                                    int *common_bitdepth)
{
    if (i >= N_PRESETS) return NULL;
    *kind = presets[i].kind;
    *version = presets[i].version;
    *models = presets[i].models;
    *features = presets[i].features;
    *common_bitdepth = presets[i].common_bitdepth;
    return presets[i].kind;
}
