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
    char key[48]; /* e.g. "adm_enhn_gain_limit" */
    double value; /* numbers and booleans (true = 1) */
    int is_text;  /* a string that is not a number or boolean ("bilinear"): in text */
    char text[48];
} ModelFeatureOpt;

typedef struct Model Model;

/* Parses JSON text. On error returns a negative code and writes a one-line reason
 * ("missing field model_dict.slopes") into err. */
int model_parse(const char *json, size_t len, int enable_transform, int disable_clip, Model **out, char *err,
                size_t errlen);
void model_free(Model *m);

unsigned model_feature_count(const Model *m);
/* libvmaf feature name, e.g. "VMAF_integer_feature_adm2_score". */
const char *model_feature_name(const Model *m, unsigned i);
/* Extractor options the model sets for feature i (from feature_opts_dicts). */
unsigned model_feature_opts(const Model *m, unsigned i, const ModelFeatureOpt **opts);

/* Per-frame score from raw feature values in model_feature_name() order. */
double model_predict(const Model *m, const double *features);
/* The same in two steps: the SVM's denormalised output, then the score transform and clip
 * (libvmaf's VMAF_MODEL_FLAG_DISABLE_TRANSFORM | _DISABLE_CLIP, which bootstrap statistics use). */
double model_predict_raw(const Model *m, const double *features);
double model_finish(const Model *m, double y);

/* libvmaf's model collections (bootstrap models, e.g. vmaf_b_v0.6.3): a JSON object whose
 * keys "0", "1", ... are models. model_parse_collection() parses a plain model as a
 * collection of one; out[0] is the main model, out[1..n-1] the bootstrap submodels. */
#define MODEL_MAX_COLLECTION 32
int model_parse_collection(const char *json, size_t len, int enable_transform, int disable_clip, Model **out,
                           unsigned *n, char *err, size_t errlen);

#endif
