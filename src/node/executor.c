/* A job's inputs, models and reports around the scoring pipeline (see executor.h). */
#include <errno.h>
#include <pthread.h>
#include <time.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "executor.h"
#include "prepare.h"
#include "pipeline/chunk.h"

static int write_reports(const PipelineScore *sc, ExecResult *res, char *err, size_t n)
{
    size_t len;
    int e = pipeline_report(sc, VMAFX_FORMAT_JSON, &res->json, &len, err, n);
    if (!e) e = pipeline_report(sc, VMAFX_FORMAT_XML, &res->xml, &len, err, n);
    if (!e) e = pipeline_report(sc, VMAFX_FORMAT_CSV, &res->csv, &len, err, n);
    return e ? -ENOMEM : 0;
}

/* A chunk's raw values, merged by the controller with the other chunks' into the report. */
static int write_chunk(const PipelineScore *sc, const PipelineChunk *c, ExecResult *res, char *err, size_t n)
{
    size_t len;
    double secs = sc->run.info.fps > 0 ? sc->run.scored / sc->run.info.fps : 0;
    return pipeline_chunk_write(sc, c, secs, &res->chunk, &len, err, n);
}

static int score(const JobSpec *job, const ExecSettings *set, const PipelineInputs *in,
                 const PipelineHooks *hooks, ExecResult *res, char *err, size_t n)
{
    PipelineScore sc;
    PipelineSettings run = set->run;
    PipelineChunk chunk = { job->chunk_first, job->chunk_end };
    if (job->chunk_set) run.chunk = &chunk;
    int e = pipeline_score_request(job, &run, in, hooks, &sc, err, n);
    if (!e && job->chunk_set) {
        res->frames = sc.run.scored;
        res->fps = sc.run.info.fps;
        e = write_chunk(&sc, &chunk, res, err, n);
    } else if (!e) {
        res->frames = sc.run.scored;
        res->fps = sc.run.info.fps;
        for (unsigned i = 0; i < sc.n_models; i++)
            snprintf(res->models[i], sizeof(res->models[i]), "%s", sc.models[i].name);
        res->n_models = sc.n_models;
        e = write_reports(&sc, res, err, n);
    }
    pipeline_score_free(&sc);
    return e;
}

/* Messages name the input as submitted; when storage serves it from elsewhere (an rclone
 * URL) that location follows. */
static void input_label(char *out, size_t n, const char *what, const StorageReadable *r, const char *uri)
{
    if (!r || !strcmp(r->location, uri)) snprintf(out, n, "%s input", what);
    else snprintf(out, n, "%s via", r->what);
}

int executor_run(const JobSpec *job, const ExecSettings *set, const PipelineHooks *hooks, ExecResult *res,
                 char *err, size_t n)
{
    memset(res, 0, sizeof(*res));
    int e;
    PrepTask *task = NULL;
    res->failed_stage = "prepare";
    if (set->storage && (e = prep_start(job, set, hooks, &task, err, n)))
        return hooks->cancel && atomic_load(hooks->cancel) ? -ECANCELED : e;
    res->failed_stage = "score";
    Prepared *pr = task ? &task->p : NULL;
    char ref_label[STORAGE_PATH_MAX + 80], dis_label[STORAGE_PATH_MAX + 80];
    input_label(ref_label, sizeof(ref_label), "reference", pr ? &pr->rd[0] : NULL, job->reference_uri);
    input_label(dis_label, sizeof(dis_label), "distorted", pr ? &pr->rd[1] : NULL, job->distorted_uri);
    PipelineInputs in = { .ref_path = pr ? pr->rd[0].location : job->reference_uri,
                          .dis_path = pr ? pr->rd[1].location : job->distorted_uri,
                          .ref_label = ref_label,
                          .dis_label = dis_label,
                          .ref_integrity = pr ? &pr->check[0] : NULL,
                          .dis_integrity = pr ? &pr->check[1] : NULL };
    e = job->probe ? exec_probe(job, set, &in, res, err, n) : score(job, set, &in, hooks, res, err, n);
    if (task) {
        /* a cancelled job stops its rclone processes (unless another job reads through
         * them); otherwise they stay warm for the next job */
        void (*release)(StorageContext *, StorageReadable *) = e == -ECANCELED ? storage_release_stop_unused
                                                                               : storage_release;
        release(set->storage, &pr->rd[0]);
        release(set->storage, &pr->rd[1]);
        prep_task_free(task);
    }
    if (e) exec_result_free(res);
    return e;
}

void exec_result_free(ExecResult *r)
{
    free(r->json);
    free(r->xml);
    free(r->csv);
    free(r->chunk);
    r->json = r->xml = r->csv = r->chunk = NULL;
}
