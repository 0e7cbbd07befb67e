/* A node's result: completed with the reports (JSON, XML, CSV, as the engine wrote them) or
 * failed with the error the layer below named. The reports are stored as they came, so
 * GET /v1/jobs/{id}/frames gives back exactly what `vmafx score` would write. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "chunks.h"

typedef struct Result {
    Outcome o;
    json_t *pooled; /* pooled_metrics of the JSON report */
    char *pooled_text;
    char *warnings_text;
    int prepare_failed; /* a failure the node put on its storage layer ("stage": "prepare") */
    char *probe_text;   /* a probe's counts (probe.h), kept as its report */
} Result;

#define WARNINGS_MAX 32
#define WARNING_CHARS 1000

/* "warnings": what the run said about its inputs (scaling, sync, frame counts, rates); kept
 * with the job so that status, wait and results show them. Optional. */
static int warnings(json_t *body, Result *res, HttpResp *resp)
{
    json_t *w = json_object_get(body, "warnings"), *v;
    if (!w) return 0;
    if (!json_is_array(w) || json_array_size(w) > WARNINGS_MAX)
        return api_reply_error(resp, 400, "warnings", "warnings: an array of at most %d strings",
                               WARNINGS_MAX),
               -1;
    size_t i;
    json_array_foreach(w, i, v) if (!json_is_string(v) ||
                                    json_string_length(v) >
                                        WARNING_CHARS * 4) return api_reply_error(resp, 400, "warnings",
                                                                                  "warnings[%zu]: a string "
                                                                                  "of at most %d characters",
                                                                                  i, WARNING_CHARS),
        -1;
    if (!json_array_size(w)) return 0;
    res->warnings_text = json_dumps(w, JSON_COMPACT);
    res->o.warnings = res->warnings_text;
    return res->warnings_text ? 0 : (api_reply_error(resp, 500, NULL, "out of memory"), -1);
}

/* "probe": {"reference": R, "distorted": D}, the frames of a probe's inputs (probe.h). */
static int probe_counts(json_t *probe, Result *res, HttpResp *resp)
{
    json_t *r = json_object_get(probe, "reference"), *d = json_object_get(probe, "distorted");
    if (!json_is_integer(r) || !json_is_integer(d) || json_integer_value(r) < 0 || json_integer_value(d) < 0)
        return api_reply_error(resp, 400, "probe", "probe: {\"reference\": frames, \"distorted\": frames}"),
               -1;
    res->probe_text = json_dumps(probe, JSON_COMPACT);
    res->o.report_json = res->probe_text;
    res->o.report_xml = res->o.report_csv = "";
    return res->probe_text ? 0 : (api_reply_error(resp, 500, NULL, "out of memory"), -1);
}

static int report_texts(json_t *body, Result *res, HttpResp *resp)
{
    json_t *rep = json_object_get(body, "report");
    const char *chunk = json_string_value(json_object_get(rep, "chunk"));
    if (chunk) { /* a chunk's raw values: kept until its job's chunks are merged */
        res->o.report_json = chunk;
        res->o.report_xml = res->o.report_csv = "";
        return 0;
    }
    res->o.report_json = json_string_value(json_object_get(rep, "json"));
    res->o.report_xml = json_string_value(json_object_get(rep, "xml"));
    res->o.report_csv = json_string_value(json_object_get(rep, "csv"));
    if (!res->o.report_json || !res->o.report_xml || !res->o.report_csv)
        return api_reply_error(resp, 400, "report", "report: a completed job needs json, xml and csv texts"),
               -1;
    json_t *doc = json_loads(res->o.report_json, 0, NULL);
    json_t *pooled = json_object_get(doc, "pooled_metrics");
    if (!json_is_object(pooled)) {
        json_decref(doc);
        return api_reply_error(resp, 400, "report.json", "report.json: not a report with pooled_metrics"), -1;
    }
    res->pooled = json_incref(pooled);
    json_decref(doc);
    res->pooled_text = json_dumps(res->pooled, JSON_COMPACT | JSON_REAL_PRECISION(15));
    res->o.pooled = res->pooled_text;
    return res->pooled_text ? 0 : (api_reply_error(resp, 500, NULL, "out of memory"), -1);
}

static int parse_result(json_t *body, Result *res, HttpResp *resp)
{
    const char *status = json_string_value(json_object_get(body, "status"));
    long long frames = -1;
    if (!status || (strcmp(status, "completed") && strcmp(status, "failed")))
        return api_reply_error(resp, 400, "status", "status: completed or failed"), -1;
    if (api_get_uint_field(body, "frames", 0, 1LL << 40, &frames, resp)) return -1;
    res->o.frames = frames;
    json_t *fps = json_object_get(body, "fps");
    if (fps && (!json_is_number(fps) || json_number_value(fps) < 0))
        return api_reply_error(resp, 400, "fps", "fps: a number from 0"), -1;
    res->o.fps = fps ? json_number_value(fps) : -1;
    res->o.completed = !strcmp(status, "completed");
    if (warnings(body, res, resp)) return -1;
    json_t *probe = json_object_get(body, "probe");
    if (res->o.completed && probe) return probe_counts(probe, res, resp);
    if (res->o.completed) return report_texts(body, res, resp);
    res->o.error = json_string_value(json_object_get(body, "error"));
    if (!res->o.error || !*res->o.error)
        return api_reply_error(resp, 400, "error", "error: a failed job needs a reason"), -1;
    const char *stage = json_string_value(json_object_get(body, "stage")); /* optional */
    res->prepare_failed = stage && !strcmp(stage, "prepare");
    return 0;
}

/* The pooled mean of each model the node names goes into the score histogram. */
static void record_scores(Controller *c, json_t *body, json_t *pooled)
{
    json_t *models = json_object_get(body, "models"), *m;
    size_t i;
    json_array_foreach(models, i, m)
    {
        const char *name = json_string_value(m);
        json_t *mean = json_object_get(json_object_get(pooled, name ? name : ""), "mean");
        if (name && strlen(name) < 64 &&
            strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-") ==
                strlen(name) &&
            json_is_number(mean))
            metrics_score(&c->metrics, name, json_number_value(mean));
    }
}

static void finished(Controller *c, const char *node, const LeaseRef *l, const Result *res,
                     const FinishInfo *fi, double now)
{
    metrics_finished(&c->metrics, res->o.completed ? JOB_COMPLETED : JOB_FAILED,
                     fi->started_at > 0 ? now - fi->started_at : -1);
    if (res->o.completed)
        log_msg(&c->cfg.log, VLOG_INFO, "controller", "job %s completed on node %s (attempt %u)", l->id, node,
                l->attempt);
    else
        log_msg(&c->cfg.log, VLOG_INFO, "controller", "job %s failed on node %s (attempt %u): %s", l->id,
                node, l->attempt, res->o.error);
}

/* A chunk's raw values are taken only for a chunk of a chunked job, a probe's counts only
 * for a probe (0), else 400 (-1). */
static int chunk_allowed(Controller *c, const LeaseRef *l, int probe, HttpResp *resp)
{
    JobRecord rec;
    int e = c->store->ops->get(c->store, l->id, &rec);
    int ok = !e && rec.spec && strstr(rec.spec, probe ? "\"probe\":true" : "\"chunk\":{");
    if (!e) job_record_free(&rec);
    if (e && e != -ENOENT) return api_reply_error(resp, 503, NULL, "database error"), -1;
    if (!ok && !e && probe)
        return api_reply_error(resp, 400, "probe", "probe: job %s is not a frame-count probe", l->id), -1;
    if (!ok && !e)
        return api_reply_error(resp, 400, "report.chunk", "report.chunk: job %s is not a chunk", l->id), -1;
    return 0; /* an unknown job: the store's fencing answers */
}

void api_result(Controller *c, const HttpReq *rq, HttpResp *resp, const RouteArgs *args)
{
    json_t *body = api_body_object(rq, resp);
    Result res = { .o = { .frames = -1, .fps = -1 } };
    LeaseRef l;
    if (!body || api_lease_ref(body, args->a[1], &l, resp) || parse_result(body, &res, resp)) goto out;
    if (res.o.completed && !res.pooled && chunk_allowed(c, &l, res.probe_text != NULL, resp)) goto out;
    FinishInfo fi;
    double now = controller_now();
    int e = c->store->ops->finish(c->store, args->a[0], &l, &res.o, now, &fi);
    if (e == -ESTALE) {
        api_reply_error(resp, 409, NULL,
                        "stale lease: node %s does not hold attempt %u of job %s; the result was dropped",
                        args->a[0], l.attempt, l.id);
    } else if (e) {
        api_reply_error(resp, 503, NULL, "database error");
    } else {
        finished(c, args->a[0], &l, &res, &fi, now);
        if (res.prepare_failed) metrics_prepare_failed(&c->metrics);
        if (res.o.completed) record_scores(c, body, res.pooled);
        api_reply_empty(resp, 204);
        chunks_settle(c); /* the last chunk of a job: merged now */
        api_publish_job(c, l.id, 0);
        webhooks_wake(c->webhooks);
    }
out:
    json_decref(res.pooled);
    free(res.pooled_text);
    free(res.warnings_text);
    free(res.probe_text);
    json_decref(body);
}
