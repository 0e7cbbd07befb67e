/* The context's insides, shared by its three files: context.c (life cycle and the frame loop),
 * context_setup.c (models, features, extractor instances), context_results.c (values, pooling,
 * reports). Not part of the public API. */
#ifndef VMAFX_ENGINE_CONTEXT_IMPL_H
#define VMAFX_ENGINE_CONTEXT_IMPL_H

#include <pthread.h>

#include "vmafx/vmafx.h"
#include "cpu.h"
#include "feature/collector.h"
#include "feature/extractor.h"
#include "model/model.h"
#include "runner.h"

#define MAX_INSTANCES 16
#define MAX_MODELS 48 /* a bootstrap collection takes one slot per submodel */
#define NAME_LEN 128

typedef struct Instance {
    const FeatureExtractor *fx;
    double opt[EXTRACTOR_MAX_OPTIONS];
    char *text[EXTRACTOR_MAX_OPTIONS]; /* text options (owned), NULL when not given */
    char suffix[NAME_LEN];
    void **priv; /* one state per worker; NULL until the first picture */
} Instance;

typedef struct ModelSlot {
    Model *model;
    char name[NAME_LEN];
    char feature[MODEL_MAX_FEATURES][NAME_LEN]; /* collector names of its inputs */
    unsigned boot_n;          /* first submodel of a bootstrap collection: how many there are */
    char boot_name[NAME_LEN]; /* and the collection's name (the main model's) */
} ModelSlot;

struct VmafxContext {
    VmafxConfig cfg;
    KernelTable kernels;
    FeatureCollector *fc;
    Instance inst[MAX_INSTANCES];
    unsigned n_inst;
    ModelSlot models[MAX_MODELS];
    unsigned n_models;
    Runner *runner; /* created with the first picture */
    unsigned n_workers;
    unsigned n_frames;
    unsigned w, h, bpc;
    enum VmafxPixelFormat pix_fmt;
    int started, flushed;
    char err[512];
    pthread_mutex_t err_lock; /* guards worker_err, written by worker threads */
    char worker_err[256];
};

/* Sets the context's message; returns code. */
int ctx_fail(VmafxContext *ctx, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Scores of the bootstrap collections (mean, spread, 95 % interval) into the collector,
 * after the models' own scores (bootstrap.c). */
int ctx_predict_bootstrap(VmafxContext *ctx);
/* Releases an extractor instance's per-worker states. */
void ctx_close_instance(Instance *in, unsigned n_workers);

#endif
