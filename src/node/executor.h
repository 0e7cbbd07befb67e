/* One job, start to end: prepare both inputs through the storage layer (in parallel), run the
 * request in process (pipeline_score_request, as `vmafx score` does), and write the report
 * in the three layouts the controller serves. Inputs are released on every path out. */
#ifndef VMAFX_NODE_EXECUTOR_H
#define VMAFX_NODE_EXECUTOR_H

#include <pthread.h>
#include <stddef.h>

#include "api/jobspec.h"
#include "pipeline/request.h"
#include "storage/storage.h"

/* Preparations a cancelled job walked away from (they finish on their own thread and
 * release what they got); storage_close must wait for them: exec_wait_abandoned(). */
typedef struct ExecAbandoned {
    pthread_mutex_t lock;
    pthread_cond_t done;
    unsigned live;
} ExecAbandoned;

typedef struct ExecSettings {
    StorageContext *storage;  /* NULL: inputs are opened as given (local paths, URLs) */
    ExecAbandoned *abandoned; /* with storage: where cancelled preparations are counted */
    PipelineSettings run;     /* engine threads, CPU level, URL timeouts of this node */
} ExecSettings;

typedef struct ExecResult {
    char *json, *xml, *csv; /* the report, as `vmafx score --json/--xml/--csv` writes it */
    char *chunk;            /* instead, for a chunk of a job: its raw values (pipeline/chunk.h) */
    unsigned frames;
    double fps;                       /* frames scored per second */
    char models[JOB_MAX_MODELS][160]; /* output names of the models (their pooled mean is the score) */
    unsigned n_models;
    const char *failed_stage; /* on an error: "prepare" (the storage layer could not make an input
                                 readable) or "score" (media, engine, reports) */
    int probe;                /* a probe's result (JobSpec.probe): no reports, these counts */
    unsigned probe_frames[2]; /* frames of the reference and the distorted input, as stored */
} ExecResult;

/* 0, -ECANCELED when hooks->cancel was set, or another negative code with the error of the
 * layer that failed (storage, media, engine), naming the input. */
int executor_run(const JobSpec *job, const ExecSettings *set, const PipelineHooks *hooks, ExecResult *res,
                 char *err, size_t n);
void exec_result_free(ExecResult *r);
/* A probe (JobSpec.probe, probe.c): counts both inputs' frames (media_count_frames) from where
 * in says, with the job's options; 0 with res->probe set, or the error naming the input. */
int exec_probe(const JobSpec *job, const ExecSettings *set, const PipelineInputs *in, ExecResult *res,
               char *err, size_t n);

void exec_abandoned_init(ExecAbandoned *a);
/* Waits until every abandoned preparation has finished (each is bounded by the storage
 * timeouts), then frees what init set up. */
void exec_wait_abandoned(ExecAbandoned *a);

#endif
