/* Frame-count probes (see probe.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "chunk_plan.h"
#include "chunks.h"
#include "probe.h"

void probe_done_free(ProbeDone *p, size_t n)
{
    for (size_t i = 0; p && i < n; i++) {
        free(p[i].spec);
        free(p[i].result);
        free(p[i].error);
    }
    free(p);
}

int probe_begin(Controller *c, const JobSpec *job, const char *id)
{
    if (!c->store->ops->probe_start) return -ENOTSUP;
    JobSpec *s = malloc(sizeof(*s));
    if (!s) return -ENOMEM;
    *s = *job;
    s->probe = 1;
    char *spec = jobspec_canonical(s);
    free(s);
    int e = spec ? c->store->ops->probe_start(c->store, id, spec, "counting frames on a node",
                                              controller_now())
                 : -ENOMEM;
    free(spec);
    if (!e) metrics_probe(&c->metrics, 1, 0, 0);
    return e;
}

/* The node's counts: reference and distorted frames; -1 when the text is not that. */
static int counts(const char *text, long long *ref, long long *dis)
{
    json_t *doc = text ? json_loads(text, 0, NULL) : NULL;
    json_t *r = json_object_get(doc, "reference"), *d = json_object_get(doc, "distorted");
    int ok = json_is_integer(r) && json_is_integer(d) && json_integer_value(r) >= 0 &&
             json_integer_value(d) >= 0;
    if (ok) {
        *ref = json_integer_value(r);
        *dis = json_integer_value(d);
    }
    json_decref(doc);
    return ok ? 0 : -1;
}

static void settle_one(Controller *c, const ProbeDone *p)
{
    JobSpec *job = malloc(sizeof(*job));
    char field[64], err[600], why[800];
    long long ref = 0, dis = 0, frames = 0;
    if (!job || !p->spec ||
        jobspec_parse(p->spec, strlen(p->spec), job, NULL, NULL, field, sizeof(field), err, sizeof(err))) {
        free(job);
        return; /* stored by this controller: cannot happen short of memory; the next sweep retries */
    }
    if (!p->completed) {
        const char *e = p->error ? p->error : "failed";
        if (strstr(e, "no frame count")) snprintf(why, sizeof(why), "%s: scored as one chunk", e);
        else snprintf(why, sizeof(why), "no frame count from a node (%s): scored as one chunk", e);
    } else if (counts(p->result, &ref, &dis)) {
        snprintf(why, sizeof(why), "node %s sent no frame counts: scored as one chunk", p->node);
    } else {
        frames = chunk_plan_bound(job, ref, dis, why, sizeof(why));
        log_msg(&c->cfg.log, VLOG_INFO, "controller",
                "job %s: node %s counted %lld reference and %lld distorted frames", p->id, p->node, ref, dis);
    }
    metrics_probe(&c->metrics, 0, frames > 0, frames <= 0);
    chunks_cut(c, job, p->id, frames, why);
    free(job);
    api_publish_job(c, p->id, 0);
    controller_wake(c); /* its chunks (or the whole job) are leasable now */
}

void probes_settle(Controller *c)
{
    ProbeDone *done;
    size_t n;
    if (!c->store->ops->probe_sweep || c->store->ops->probe_sweep(c->store, controller_now(), &done, &n))
        return;
    for (size_t i = 0; i < n; i++) settle_one(c, &done[i]);
    probe_done_free(done, n);
}

void probe_view(Controller *c, const char *id, json_t *view)
{
    ChunkRow r;
    if (!c->store->ops->probe_get || c->store->ops->probe_get(c->store, id, &r) != 1) return;
    json_t *j = json_pack("{sssIsI}", "status", job_state_name(r.state), "attempt", (json_int_t)r.attempt,
                          "lost_leases", (json_int_t)r.lost);
    if (j && *r.node) json_object_set_new(j, "node", json_string(r.node));
    if (j && r.error) json_object_set_new(j, "error", json_string(r.error));
    if (j) json_object_set_new(view, "probe", j);
    free(r.error);
}
