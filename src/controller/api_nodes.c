/* Node endpoints: register, heartbeat, lease (long-poll), progress, result, release. Each
 * write names the lease it is about (job id in the path, attempt in the body); one that is
 * no longer current is answered 409, and the node then drops the job. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"

#define MAX_HELD 256 /* leases one heartbeat may list */

static void reply_stale(Controller *c, HttpResp *resp, const char *node, const LeaseRef *l)
{
    JobRecord rec;
    if (c->store->ops->get(c->store, l->id, &rec)) {
        api_reply_error(resp, 404, NULL, "no job %s", l->id);
        return;
    }
    api_reply_error(resp, 409, NULL,
                    "stale lease: node %s does not hold attempt %u of job %s (the job %s, attempt %u%s%s)",
                    node, l->attempt, l->id, job_state_phrase(rec.state), rec.attempt,
                    *rec.node ? " on " : "", rec.node);
    job_record_free(&rec);
}

/* The lease a write names: job id from the path, attempt from the body. */
int api_lease_ref(json_t *body, const char *id, LeaseRef *l, HttpResp *resp)
{
    long long attempt;
    if (strlen(id) >= JOB_ID_LEN) return api_reply_error(resp, 404, NULL, "no job %s", id), -1;
    if (api_get_uint_field(body, "attempt", 1, 1000000000, &attempt, resp)) return -1;
    snprintf(l->id, sizeof(l->id), "%.36s", id);
    l->attempt = (unsigned)attempt;
    return 0;
}

void api_register(Controller *c, const HttpReq *rq, HttpResp *resp, const RouteArgs *args)
{
    json_t *body = api_body_object(rq, resp);
    long long slots = 1;
    if (!body || api_get_uint_field(body, "slots", 0, 4096, &slots, resp)) goto out;
    if (c->store->ops->node_seen(c->store, args->a[0], (unsigned)slots, controller_now())) {
        api_reply_error(resp, 503, NULL, "database error");
        goto out;
    }
    json_t *remotes = json_object_get(body, "remotes"); /* optional: names of its rclone remotes */
    node_remotes_set(&c->remotes, args->a[0],
                     json_is_array(remotes) && json_array_size(remotes) <= 1024 ? remotes : NULL,
                     controller_now());
    log_msg(&c->cfg.log, VLOG_INFO, "controller", "node %s registered (%lld slot%s)", args->a[0], slots,
            slots == 1 ? "" : "s");
    double every = c->cfg.lease_ttl / 4;
    api_reply_json(resp, 200,
                   json_pack("{sssfsf}", "node_id", args->a[0], "lease_ttl", c->cfg.lease_ttl,
                             "heartbeat_interval", every < 10 ? every : 10.0));
out:
    json_decref(body);
}

static int held_leases(json_t *body, LeaseRef *held, size_t *n, HttpResp *resp)
{
    json_t *jobs = json_object_get(body, "jobs"), *v;
    size_t i;
    *n = 0;
    if (!jobs) return 0;
    if (!json_is_array(jobs) || json_array_size(jobs) > MAX_HELD)
        return api_reply_error(resp, 400, "jobs", "jobs: an array of at most %d {id, attempt}", MAX_HELD), -1;
    json_array_foreach(jobs, i, v)
    {
        const char *id = json_string_value(json_object_get(v, "id"));
        json_t *a = json_object_get(v, "attempt");
        if (!id || strlen(id) >= JOB_ID_LEN || !json_is_integer(a) || json_integer_value(a) < 0)
            return api_reply_error(resp, 400, "jobs", "jobs[%zu]: needs an id and an attempt", i), -1;
        snprintf(held[i].id, sizeof(held[i].id), "%s", id);
        held[i].attempt = (unsigned)json_integer_value(a);
    }
    *n = json_array_size(jobs);
    return 0;
}

void api_heartbeat(Controller *c, const HttpReq *rq, HttpResp *resp, const RouteArgs *args)
{
    json_t *body = api_body_object(rq, resp);
    LeaseRef held[MAX_HELD];
    LeaseStop stop[MAX_HELD];
    size_t n = 0, nstop = 0;
    if (!body || held_leases(body, held, &n, resp)) goto out;
    if (c->store->ops->heartbeat(c->store, args->a[0], held, n, controller_now(), c->cfg.lease_ttl, stop,
                                 &nstop)) {
        api_reply_error(resp, 503, NULL, "database error");
        goto out;
    }
    int unknown = node_remotes_seen(&c->remotes, args->a[0], controller_now()) != 0;
    json_t *cancel = json_array();
    for (size_t i = 0; i < nstop; i++)
        json_array_append_new(cancel, json_pack("{sssiss}", "id", stop[i].ref.id, "attempt",
                                                (int)stop[i].ref.attempt, "reason", stop[i].reason));
    json_t *answer = json_pack("{sosf}", "cancel", cancel, "lease_ttl", c->cfg.lease_ttl);
    /* a restarted controller does not know the node's remotes: it registers again */
    if (answer && unknown) json_object_set_new(answer, "register", json_true());
    api_reply_json(resp, 200, answer);
out:
    json_decref(body);
}

static int wait_seconds(json_t *body, double max, double *out, HttpResp *resp)
{
    json_t *w = json_object_get(body, "wait");
    *out = 0;
    if (!w) return 0;
    if (!json_is_number(w) || json_number_value(w) < 0 || !isfinite(json_number_value(w)))
        return api_reply_error(resp, 400, "wait", "wait: a number of seconds from 0"), -1;
    *out = json_number_value(w) < max ? json_number_value(w) : max;
    return 0;
}

static void grant(Controller *c, HttpResp *resp, LeaseGrant *g, double now)
{
    json_t *spec = json_loads(g->spec, 0, NULL);
    int probe = json_is_true(json_object_get(spec, "probe")); /* count the frames, do not score */
    metrics_leased(&c->metrics, g->first ? now - g->created_at : -1);
    json_t *answer = json_pack("{sssisosf}", "id", g->ref.id, "attempt", (int)g->ref.attempt, "spec",
                               spec ? spec : json_null(), "lease_ttl", c->cfg.lease_ttl);
    if (answer && probe) json_object_set_new(answer, "probe", json_true());
    api_reply_json(resp, 200, answer);
    free(g->spec);
}

/* Long-poll: the answer comes as soon as a job is there (a submit wakes the waiters), or
 * after wait seconds with 204. Between wake-ups it looks again every second, for jobs whose
 * retry delay has passed. */
void api_lease(Controller *c, const HttpReq *rq, HttpResp *resp, const RouteArgs *args)
{
    json_t *body = api_body_object(rq, resp);
    double wait;
    if (!body || wait_seconds(body, c->cfg.long_poll_max, &wait, resp)) goto out;
    double deadline = controller_now() + wait;
    for (;;) {
        LeaseGrant g;
        double now = controller_now();
        int e = c->store->ops->lease(c->store, args->a[0], now, c->cfg.lease_ttl, &g);
        if (!e) {
            grant(c, resp, &g, now);
            api_publish_job(c, g.ref.id, 0);
            break;
        }
        if (e != -EAGAIN) {
            api_reply_error(resp, 503, NULL, "database error");
            break;
        }
        if (now >= deadline || atomic_load(&c->stopping)) {
            api_reply_empty(resp, 204);
            break;
        }
        controller_wait(c, deadline - now < 1.0 ? deadline - now : 1.0);
    }
out:
    json_decref(body);
}

void api_progress(Controller *c, const HttpReq *rq, HttpResp *resp, const RouteArgs *args)
{
    json_t *body = api_body_object(rq, resp);
    LeaseRef l;
    long long done = 0, total = -1;
    json_t *fps = body ? json_object_get(body, "fps") : NULL;
    if (!body || api_lease_ref(body, args->a[1], &l, resp) ||
        api_get_uint_field(body, "frames_done", 1, 1LL << 40, &done, resp) ||
        api_get_uint_field(body, "frames_total", 0, 1LL << 40, &total, resp))
        goto out;
    if (fps && !json_is_number(fps)) {
        api_reply_error(resp, 400, "fps", "fps: must be a number");
        goto out;
    }
    int e = c->store->ops->progress(c->store, args->a[0], &l, done, total, fps ? json_number_value(fps) : 0,
                                    controller_now(), c->cfg.lease_ttl);
    if (e == -ESTALE) reply_stale(c, resp, args->a[0], &l);
    else if (e) api_reply_error(resp, 503, NULL, "database error");
    else {
        api_reply_empty(resp, 204);
        api_publish_job(c, l.id, 1);
    }
out:
    json_decref(body);
}

void api_release(Controller *c, const HttpReq *rq, HttpResp *resp, const RouteArgs *args)
{
    json_t *body = api_body_object(rq, resp);
    LeaseRef l;
    if (!body || api_lease_ref(body, args->a[1], &l, resp)) goto out;
    int e = c->store->ops->release(c->store, args->a[0], &l, controller_now());
    if (e == -ESTALE) {
        reply_stale(c, resp, args->a[0], &l);
    } else if (e) {
        api_reply_error(resp, 503, NULL, "database error");
    } else {
        log_msg(&c->cfg.log, VLOG_INFO, "controller", "node %s released job %s", args->a[0], l.id);
        controller_wake(c);
        api_reply_empty(resp, 204);
        api_publish_job(c, l.id, 0);
    }
out:
    json_decref(body);
}
