/* One job, start to end: prepare both inputs through the storage layer (in parallel), score
 * them in process (pipeline.h) with the job's models and features, and write the report in
 * the three layouts the controller serves. Inputs are released on every path out. */
#ifndef VMAFX_NODE_EXECUTOR_H
#define VMAFX_NODE_EXECUTOR_H

#include <stddef.h>

#include "api/jobspec.h"
#include "pipeline/pipeline.h"
#include "storage/storage.h"

typedef struct ExecSettings {
    StorageContext *storage;     /* NULL: inputs are opened as given (local paths, URLs) */
    unsigned threads;            /* engine threads when the job does not say */
    enum VmafxCpu cpu;
    double stall_timeout;        /* URL inputs */
    unsigned http_retries;
    const char *tls_ca_file;     /* https inputs: CA bundle (NULL: the system's) */
} ExecSettings;

typedef struct ExecResult {
    char *json, *xml, *csv;      /* the report, as `vmafx score --json/--xml/--csv` writes it */
    unsigned frames;
    double fps;                  /* frames scored per second */
    char models[JOB_MAX_MODELS][128];   /* output names of the models (their pooled mean is the score) */
    unsigned n_models;
} ExecResult;

/* 0, -ECANCELED when hooks->cancel was set, or another negative code with the error of the
 * layer that failed (storage, media, engine), naming the input. */
int  executor_run(const JobSpec *job, const ExecSettings *set, const PipelineHooks *hooks, ExecResult *res,
                  char *err, size_t n);
void exec_result_free(ExecResult *r);

#endif
