/* VMAF models in libvmaf's JSON format: linear_rescale normalisation, libsvm nu-SVR with
 * RBF kernel, the VMAF v1 chroma correction, optional score transform, clipping (spec
 * section 6). feature_dict, which libvmaf does not read either, is ignored: feature_names
 * and feature_opts_dicts say what a model computes. */
#ifndef VMAFX_ENGINE_MODEL_H
#define VMAFX_ENGINE_MODEL_H

#include <stddef.h>

#define MODEL_MAX_FEATURES 16
#define MODEL_MAX_FEATURE_OPTS 12

typedef struct ModelFeatureOpt {
    char key[48];          /* e.g. "adm_enhn_gain_limit" */
    double value;          /* numbers and booleans (true = 1) */
    int is_text;           /* a string that is not a number or boolean ("bilinear"): in text */
    char text[48];
} ModelFeatureOpt;

typedef struct Model Model;

/* Parses JSON text. On error returns a negative code and writes a one-line reason
 * ("missing field model_dict.slopes") into err. */
int  model_parse(const char *json, size_t len, int enable_transform, int disable_clip,
                 Model **out, char *err, size_t errlen);
void model_free(Model *m);

unsigned    model_feature_count(const Model *m);
/* libvmaf feature name, e.g. "VMAF_integer_feature_adm2_score". */
const char *model_feature_name(const Model *m, unsigned i);
/* Extractor options the model sets for feature i (from feature_opts_dicts). */
unsigned    model_feature_opts(const Model *m, unsigned i, const ModelFeatureOpt **opts);

/* Per-frame score from raw feature values in model_feature_name() order. */
double model_predict(const Model *m, const double *features);

#endif
