/* The extractor registry and libvmaf's feature naming rules. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "extractor.h"

extern const FeatureExtractor extractor_vif;
extern const FeatureExtractor extractor_adm;
extern const FeatureExtractor extractor_motion;
extern const FeatureExtractor extractor_psnr;
extern const FeatureExtractor extractor_float_ssim;
extern const FeatureExtractor extractor_float_ms_ssim;
extern const FeatureExtractor extractor_cambi;
extern const FeatureExtractor extractor_speed_chroma;
extern const FeatureExtractor extractor_speed_temporal;
extern const FeatureExtractor extractor_float_vif;
extern const FeatureExtractor extractor_float_adm;
extern const FeatureExtractor extractor_float_motion;
extern const FeatureExtractor extractor_float_ansnr;
extern const FeatureExtractor extractor_float_psnr;
extern const FeatureExtractor extractor_float_moment;
extern const FeatureExtractor extractor_ciede;
extern const FeatureExtractor extractor_psnr_hvs;

static const FeatureExtractor *const registry[] = {
    &extractor_vif,         &extractor_adm,          &extractor_motion,
    &extractor_psnr,        &extractor_float_ssim,   &extractor_float_ms_ssim,
    &extractor_cambi,       &extractor_speed_chroma, &extractor_speed_temporal,
    &extractor_float_vif,   &extractor_float_adm,    &extractor_float_motion,
    &extractor_float_ansnr, &extractor_float_psnr,   &extractor_float_moment,
    &extractor_ciede,       &extractor_psnr_hvs,
};

#define N_REGISTRY (sizeof(registry) / sizeof(registry[0]))

const FeatureExtractor *extractor_find(const char *name)
{
    for (size_t i = 0; i < N_REGISTRY; i++)
        if (!strcmp(registry[i]->name, name)) return registry[i];
    return NULL;
}

const FeatureExtractor *extractor_at(unsigned i)
{
    return i < N_REGISTRY ? registry[i] : NULL;
}

const FeatureExtractor *extractor_providing(const char *model_feature_name)
{
    for (size_t i = 0; i < N_REGISTRY; i++)
        for (const char *const *p = registry[i]->provides; p && *p; p++)
            if (!strcmp(*p, model_feature_name)) return registry[i];
    return NULL;
}

const ExtractorOptionKind *extractor_option_kind(const FeatureExtractor *fx, const ExtractorOption *o)
{
    for (const ExtractorOptionKind *k = fx->option_kinds; k && k->name; k++)
        if (!strcmp(k->name, o->name)) return k;
    return NULL;
}

int extractor_option_parse(const FeatureExtractor *fx, const ExtractorOption *o, const char *text,
                           double *value)
{
    const ExtractorOptionKind *kind = extractor_option_kind(fx, o);
    if (kind && kind->choices) {
        for (unsigned i = 0; kind->choices[i]; i++)
            if (!strcmp(kind->choices[i], text)) {
                *value = i;
                return 0;
            }
        return -EINVAL;
    }
    if (!strcmp(text, "true") || !strcmp(text, "false")) {
        *value = !strcmp(text, "true");
        return 0;
    }
    char *end;
    *value = strtod(text, &end);
    return end == text || *end ? -EINVAL : 0;
}

void feature_name(char *buf, size_t n, const char *base, const char *alias, const char *suffix)
{
    if (!suffix || !*suffix) snprintf(buf, n, "%s", base);
    else snprintf(buf, n, "%s%s", alias, suffix);
}

/* libvmaf prints these internal names under shorter aliases; every other name as it is. */
static const struct {
    const char *name, *alias;
} aliases[] = {
    { "VMAF_integer_feature_adm2_score", "integer_adm2" },
    { "VMAF_integer_feature_aim_score", "integer_aim" },
    { "VMAF_integer_feature_adm3_score", "integer_adm3" },
    { "VMAF_integer_feature_motion_score", "integer_motion" },
    { "VMAF_integer_feature_motion2_score", "integer_motion2" },
    { "VMAF_integer_feature_motion3_score", "integer_motion3" },
    { "VMAF_integer_feature_vif_scale0_score", "integer_vif_scale0" },
    { "VMAF_integer_feature_vif_scale1_score", "integer_vif_scale1" },
    { "VMAF_integer_feature_vif_scale2_score", "integer_vif_scale2" },
    { "VMAF_integer_feature_vif_scale3_score", "integer_vif_scale3" },
    { "Cambi_feature_cambi_score", "cambi" },
    { "Speed_chroma_feature_speed_chroma_u_score", "speed_chroma_u" },
    { "Speed_chroma_feature_speed_chroma_v_score", "speed_chroma_v" },
    { "Speed_chroma_feature_speed_chroma_uv_score", "speed_chroma_uv" },
    { "Speed_temporal_feature_speed_temporal_score", "speed_temporal" },
    { "VMAF_feature_adm2_score", "adm2" },
    { "VMAF_feature_aim_score", "aim" },
    { "VMAF_feature_adm3_score", "adm3" },
    { "VMAF_feature_adm_scale0_score", "adm_scale0" },
    { "VMAF_feature_adm_scale1_score", "adm_scale1" },
    { "VMAF_feature_adm_scale2_score", "adm_scale2" },
    { "VMAF_feature_adm_scale3_score", "adm_scale3" },
    { "VMAF_feature_motion_score", "motion" },
    { "VMAF_feature_motion2_score", "motion2" },
    { "VMAF_feature_motion3_score", "motion3" },
    { "VMAF_feature_vif_scale0_score", "vif_scale0" },
    { "VMAF_feature_vif_scale1_score", "vif_scale1" },
    { "VMAF_feature_vif_scale2_score", "vif_scale2" },
    { "VMAF_feature_vif_scale3_score", "vif_scale3" },
};

const char *feature_output_name(const char *name)
{
    for (size_t i = 0; i < sizeof(aliases) / sizeof(aliases[0]); i++)
        if (!strcmp(aliases[i].name, name)) return aliases[i].alias;
    return name;
}
