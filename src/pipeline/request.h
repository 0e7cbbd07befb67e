/* Running one scoring request (api/jobspec.h) end to end, in process: the engine set up with
 * the request's models and features, both inputs opened and scored (pipeline_run), and the
 * report in any layout. `vmafx score` and the node both call this, so a job's report equals
 * the command's for the same request. Preparing remote inputs (storage) stays with the
 * caller: the command prepares them in line, the node on a thread it can walk away from. */
#ifndef VMAFX_PIPELINE_REQUEST_H
#define VMAFX_PIPELINE_REQUEST_H

#include <stddef.h>

#include "api/jobspec.h"
#include "pipeline/pipeline.h"

/* What belongs to the host that runs a request rather than to the request. */
typedef struct PipelineSettings {
    unsigned threads; /* engine threads when the request does not say */
    enum VmafxCpu cpu;
    double stall_timeout; /* URL inputs (0: the media layer's default) */
    unsigned http_retries;
    const char *tls_ca_file;    /* https inputs: CA bundle (NULL: the system's) */
    const VmafxFileSink *files; /* where extractors' side files go (CAMBI heat maps); NULL: none */
    const PipelineChunk *chunk; /* score only this frame range, for a merge (chunk.h); NULL: all */
} PipelineSettings;

/* Where the inputs are read from: the request's URIs, or what storage made of them. */
typedef struct PipelineInputs {
    const char *ref_path, *dis_path;
    const char *ref_label, *dis_label;                       /* "reference input", for messages */
    struct IntegrityVerifier *ref_integrity, *dis_integrity; /* NULL: none */
} PipelineInputs;

typedef struct PipelineModel {
    char label[160]; /* in score summaries: its name, version or file name */
    char name[160];  /* its key in the report (pooled metrics) */
} PipelineModel;

typedef struct PipelineScore {
    VmafxContext *ctx; /* the engine with the scores; pipeline_score_free */
    PipelineResult run;
    PipelineModel models[JOB_MAX_MODELS];
    unsigned n_models; /* 0 with no_prediction */
} PipelineScore;

/* The request's options as the pipeline takes them; 0 or -EINVAL with the field in err. */
int pipeline_spec_from_request(const JobSpec *req, const PipelineSettings *set, const PipelineInputs *in,
                               PipelineSpec *p, char *err, size_t n);

/* Adds the request's models (presets expanded, overrides applied, named as in libvmaf) and
 * features to ctx, as a run does, the models' names into models[] (none with no_prediction).
 * On failure: a negative code, the request field at fault in field ("models[1]",
 * "features[0]", "options.aom_ctc") and a message starting with it in err. The controller
 * runs it to check a job before accepting it. */
int pipeline_setup_request(VmafxContext *ctx, const JobSpec *req, JobOrigin origin, PipelineModel *models,
                           unsigned *n_models, char *field, size_t fn, char *err, size_t n);

/* 0 with out filled (free it with pipeline_score_free, also after a failure), -ECANCELED,
 * or another negative code with a message naming the input, model or feature. */
int pipeline_score_request(const JobSpec *req, const PipelineSettings *set, const PipelineInputs *in,
                           const PipelineHooks *hooks, PipelineScore *out, char *err, size_t n);
/* The engine set up with the request's models and features (no pictures fed yet). */
int pipeline_engine_for_request(const JobSpec *req, const PipelineSettings *set, PipelineScore *out,
                                char *err, size_t n);
/* The report in one layout, malloc'ed. */
int pipeline_report(const PipelineScore *sc, enum VmafxFormat fmt, char **text, size_t *len, char *err,
                    size_t n);
void pipeline_score_free(PipelineScore *sc);

#endif
