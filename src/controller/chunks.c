/* Chunked jobs in the controller (see chunks.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "chunk_plan.h"
#include "chunks.h"
#include "probe.h"
#include "webhook.h"

#define MAX_CHUNKS 100000

static void note_only(Controller *c, const char *id, const char *note)
{
    if (c->store->ops->chunk_split)
        c->store->ops->chunk_split(c->store, id, NULL, NULL, 0, 0, note, controller_now());
}

/* One child job text per range: the job's own, with its range. */
static char **child_specs(const JobSpec *job, const ChunkRange *r, unsigned n)
{
    JobSpec *s = malloc(sizeof(*s));
    char **specs = calloc(n, sizeof(*specs));
    int ok = s && specs;
    if (ok) *s = *job;
    for (unsigned i = 0; ok && i < n; i++) {
        s->chunk_set = 1;
        s->chunk_first = r[i].first;
        s->chunk_end = r[i].end;
        ok = (specs[i] = jobspec_canonical(s)) != NULL;
    }
    free(s);
    if (ok) return specs;
    for (unsigned i = 0; specs && i < n; i++) free(specs[i]);
    free(specs);
    return NULL;
}

static void split(Controller *c, const JobSpec *job, const char *id, long long frames, unsigned size)
{
    unsigned n = (unsigned)((frames + size - 1) / size);
    ChunkRange *r = calloc(n, sizeof(*r));
    for (unsigned i = 0; r && i < n; i++)
        r[i] = (ChunkRange){ i * size, i + 1 < n ? (i + 1) * size : 0 }; /* the last runs to the end */
    char **specs = r ? child_specs(job, r, n) : NULL;
    char note[200];
    snprintf(note, sizeof(note),
             "%u chunks of %u frames (%lld frames known before scoring; the last chunk runs "
             "to the end)",
             n, size, frames);
    int e = specs ? c->store->ops->chunk_split(c->store, id, (const char *const *)specs, r, n, frames, note,
                                               controller_now())
                  : -ENOMEM;
    if (!e) metrics_chunks(&c->metrics, n, 0, 0);
    else if (e != -EALREADY) {
        log_msg(&c->cfg.log, VLOG_WARN, "controller", "job %s: not chunked (%s): it runs whole", id,
                strerror(-e));
        note_only(c, id, "could not be cut into chunks: scored as one chunk");
    }
    for (unsigned i = 0; specs && i < n; i++) free(specs[i]);
    free(specs);
    free(r);
}

int chunks_wanted(const Controller *c, const JobSpec *job)
{
    unsigned size = job->chunk_given ? job->chunk_frames : c->cfg.chunk_frames;
    return size && c->store->ops->chunk_split; /* a store without chunk_split runs jobs whole */
}

/* Every path ends in chunk_split (chunks, or only a note), which also lets a held job go. */
void chunks_plan(Controller *c, const JobSpec *job, const char *id)
{
    if (!chunks_wanted(c, job)) return;
    if (!c->cfg.merge) {
        note_only(c, id, "this controller cannot merge chunks: scored as one chunk");
        return;
    }
    char why[400];
    long long frames = chunk_plan_frames(job, c->cfg.storage, why, sizeof(why));
    int e = frames <= 0 && chunk_plan_unknown(job, c->cfg.storage) ? probe_begin(c, job, id) : 1;
    /* -EALREADY: another planner (chunks_replan, another controller) has a probe running,
     * or the job was cancelled or decided: nothing is left to do here */
    if (!e || e == -EALREADY) return; /* a node counts the frames (probe.h) */
    chunks_cut(c, job, id, frames, why);
}

#define REPLAN_BATCH 100

static void replan_one(Controller *c, const ChunkReady *h)
{
    JobSpec *job = malloc(sizeof(*job));
    char field[64], err[600];
    if (!job || !h->spec ||
        jobspec_parse(h->spec, strlen(h->spec), job, NULL, NULL, field, sizeof(field), err, sizeof(err))) {
        free(job);
        return; /* short of memory (this text was stored by a controller): the next sweep retries */
    }
    log_msg(&c->cfg.log, VLOG_INFO, "controller",
            "job %s: held for chunking but never planned (a controller stopped first): planning it now",
            h->id);
    if (chunks_wanted(c, job)) chunks_plan(c, job, h->id);
    else note_only(c, h->id, "chunking is off on this controller: scored as one chunk");
    free(job);
    api_publish_job(c, h->id, 0);
    controller_wake(c); /* its chunks (or the whole job) may be leasable now */
}

void chunks_replan(Controller *c, double created_before)
{
    const StoreOps *ops = c->store->ops;
    ChunkReady *held;
    size_t n;
    if (!ops->held_jobs || ops->held_jobs(c->store, created_before, REPLAN_BATCH, &held, &n)) return;
    for (size_t i = 0; i < n; i++) replan_one(c, &held[i]);
    chunk_ready_free(held, n);
}

void chunks_cut(Controller *c, const JobSpec *job, const char *id, long long frames, const char *why_not)
{
    unsigned size = job->chunk_given ? job->chunk_frames : c->cfg.chunk_frames;
    char why[900];
    snprintf(why, sizeof(why), "%s", why_not);
    if (frames > size && (frames + size - 1) / size <= MAX_CHUNKS) {
        split(c, job, id, frames, size);
        return;
    }
    if (frames > 0)
        snprintf(why, sizeof(why), "%lld frames known: %s", frames,
                 frames <= size ? "one chunk" : "more than 100000 chunks; scored as one chunk");
    note_only(c, id, why);
}

/* ---- merging ----------------------------------------------------------------------------- */

static char *pooled_of(const char *report_json)
{
    json_t *doc = json_loads(report_json, 0, NULL);
    json_t *pooled = json_object_get(doc, "pooled_metrics");
    char *text = json_is_object(pooled) ? json_dumps(pooled, JSON_COMPACT | JSON_REAL_PRECISION(15)) : NULL;
    json_decref(doc);
    return text;
}

/* The parent's warnings: its chunks' in frame order, each text once (chunks that fell back
 * from a seek for the same reason say the same), at most as many as one node keeps. NULL: none. */
#define MERGED_WARNINGS_MAX 32

static int listed(const json_t *all, const json_t *v)
{
    for (size_t j = 0; j < json_array_size(all); j++)
        if (json_equal(json_array_get(all, j), v)) return 1;
    return 0;
}

static char *merged_warnings(Controller *c, long long seq)
{
    char **w = NULL;
    unsigned n = 0;
    if (!c->store->ops->chunk_warnings || c->store->ops->chunk_warnings(c->store, seq, &w, &n)) return NULL;
    json_t *all = json_array();
    for (unsigned i = 0; i < n; i++) {
        json_t *one = w[i] ? json_loads(w[i], 0, NULL) : NULL, *v;
        size_t k;
        json_array_foreach(one, k, v)
        {
            if (all && json_is_string(v) && !listed(all, v) && json_array_size(all) < MERGED_WARNINGS_MAX)
                json_array_append(all, v);
        }
        json_decref(one);
        free(w[i]);
    }
    free(w);
    char *text = json_array_size(all) ? json_dumps(all, JSON_COMPACT) : NULL;
    json_decref(all);
    return text;
}

static void merge_one(Controller *c, const ChunkReady *job)
{
    const StoreOps *ops = c->store->ops;
    char **texts = NULL, *json = NULL, *xml = NULL, *csv = NULL, *pooled = NULL, *warnings = NULL,
         err[1024] = "";
    size_t *lens = NULL;
    unsigned n = 0;
    if (ops->chunk_texts(c->store, job->seq, &texts, &lens, &n)) goto out; /* the next settle retries */
    warnings = merged_warnings(c, job->seq);
    Outcome o = { .frames = -1, .fps = -1, .warnings = warnings };
    if (c->cfg.merge(job->spec, (const char *const *)texts, lens, n, &json, &xml, &csv, err, sizeof(err)) ||
        !(pooled = pooled_of(json))) {
        o.error = *err ? err : "merging the chunks: out of memory";
    } else {
        o = (Outcome){ .completed = 1,
                       .report_json = json,
                       .report_xml = xml,
                       .report_csv = csv,
                       .pooled = pooled,
                       .frames = -1,
                       .fps = -1,
                       .warnings = warnings };
    }
    double now = controller_now();
    if (ops->chunk_complete(c->store, job->seq, &o, now)) goto out; /* done elsewhere, or -EIO */
    metrics_finished(&c->metrics, o.completed ? JOB_COMPLETED : JOB_FAILED, -1);
    metrics_chunks(&c->metrics, 0, o.completed, !o.completed);
    api_publish_job(c, job->id, 0); /* the parent's end: event stream and webhook */
    webhooks_wake(c->webhooks);
    if (o.completed)
        log_msg(&c->cfg.log, VLOG_INFO, "controller", "job %s completed: %u chunks merged", job->id, n);
    else log_msg(&c->cfg.log, VLOG_WARN, "controller", "job %s failed: %s", job->id, o.error);
out:
    for (unsigned i = 0; texts && i < n; i++) free(texts[i]);
    free(texts);
    free(lens);
    free(json);
    free(xml);
    free(csv);
    free(pooled);
    free(warnings);
}

void chunks_settle(Controller *c)
{
    probes_settle(c);
    const StoreOps *ops = c->store->ops;
    ChunkReady *ready = NULL;
    size_t n = 0;
    if (!ops->chunk_sweep || !c->cfg.merge) return;
    /* a failed sweep may leave the rows it read before the failure: freed, never merged */
    if (!ops->chunk_sweep(c->store, controller_now(), &ready, &n))
        for (size_t i = 0; i < n; i++) merge_one(c, &ready[i]);
    chunk_ready_free(ready, n);
}

/* ---- the job's view ---------------------------------------------------------------------- */

static json_t *chunk_json(const ChunkRow *r)
{
    json_t *j = json_pack("{sIsosssIsIsI}", "first", (json_int_t)r->first, "end",
                          r->end ? json_integer(r->end) : json_null(), "status", job_state_name(r->state),
                          "attempt", (json_int_t)r->attempt, "lost_leases", (json_int_t)r->lost,
                          "frames_done", (json_int_t)r->frames_done);
    if (j) json_object_set_new(j, "id", json_string(r->id)); /* the node's log names its chunk by it */
    if (j && *r->node) json_object_set_new(j, "node", json_string(r->node));
    if (j && r->fps > 0 && r->state == JOB_RUNNING) json_object_set_new(j, "fps", json_real(r->fps));
    if (j && r->error) json_object_set_new(j, "error", json_string(r->error));
    if (j && r->state == JOB_COMPLETED && r->started_at > 0 && r->finished_at >= r->started_at)
        json_object_set_new(j, "seconds",
                            json_real(r->finished_at - r->started_at)); /* first lease to done */
    return j;
}

/* Frames left over the summed speed of the running chunks (known once a chunk reported). */
static void add_eta(json_t *view, const ChunkRow *r, size_t n)
{
    double fps = 0;
    long long left = 0;
    for (size_t i = 0; i < n; i++) {
        if (r[i].state == JOB_RUNNING) fps += r[i].fps;
        if (r[i].state == JOB_COMPLETED || !r[i].end) continue;
        long long size = (long long)r[i].end - r[i].first;
        left += size - (r[i].state == JOB_RUNNING ? r[i].frames_done : 0);
    }
    if (fps > 0) json_object_set_new(view, "eta_seconds", json_real(left / fps));
}

void chunks_view(Controller *c, const char *id, json_t *view)
{
    ChunkRow *rows;
    size_t n;
    char *note;
    if (!c->store->ops->chunk_list || c->store->ops->chunk_list(c->store, id, &rows, &n, &note)) return;
    if (note) json_object_set_new(view, "chunk_note", json_string(note));
    if (!n && note) probe_view(c, id, view); /* a node counting the job's frames (a probe sets a note) */
    if (n) {
        json_t *a = json_array();
        size_t done = 0;
        for (size_t i = 0; i < n; i++) {
            json_array_append_new(a, chunk_json(&rows[i]));
            done += rows[i].state == JOB_COMPLETED;
        }
        json_object_set_new(view, "chunks", a);
        json_object_set_new(view, "chunks_completed", json_integer((json_int_t)done));
        add_eta(view, rows, n);
    }
    chunk_rows_free(rows, n);
    free(note);
}
