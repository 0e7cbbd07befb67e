/* JSON bodies and answers of the node's calls (see ctlcalls.h). */
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctlcalls.h"

#define RESULT_TIMEOUT_MS 120000 /* a long job's reports are tens of megabytes */

/* Sends body (taken) to path below /v1/nodes/NODE; maps the status as ctlcalls.h says. */
static int call(const Ctl *c, const char *path, json_t *body, int timeout_ms, ApiResponse *r, char *err,
                size_t n)
{
    char *text = body ? json_dumps(body, JSON_COMPACT) : NULL;
    json_decref(body);
    if (!text) return snprintf(err, n, "out of memory"), -ENOMEM;
    char full[512];
    snprintf(full, sizeof(full), "/v1/nodes/%s%s", c->node, path);
    ApiRequest rq = { "POST", full, text, strlen(text), NULL, timeout_ms, 1 << 20 };
    int e = api_call(&c->api, &rq, r, err, n);
    free(text);
    if (e) return -EAGAIN;
    if (r->status >= 200 && r->status < 300) return 0;
    char why[600];
    api_error_text(r, why, sizeof(why));
    snprintf(err, n, "controller: %s", why);
    api_response_free(r);
    if (r->status == 409 || r->status == 404) return -ESTALE;
    if (r->status == 401 || r->status == 403) return -EACCES;
    return r->status >= 500 || r->status == 429 ? -EAGAIN : -EINVAL;
}

static json_t *answer_json(ApiResponse *r)
{
    json_t *j = r->body ? json_loadb(r->body, r->len, 0, NULL) : NULL;
    api_response_free(r);
    return j;
}

int ctl_register(const Ctl *c, unsigned slots, double *heartbeat_interval, json_t *remotes, char *err,
                 size_t n)
{
    ApiResponse r;
    json_t *body = json_pack("{siss}", "slots", (int)slots, "version", VMAFX_VERSION);
    if (body && remotes) json_object_set(body, "remotes", remotes);
    int e = call(c, "/register", body, c->timeout_ms, &r, err, n);
    if (e) return e;
    json_t *j = answer_json(&r);
    double hb = json_number_value(json_object_get(j, "heartbeat_interval"));
    if (hb > 0) *heartbeat_interval = hb;
    json_decref(j);
    return 0;
}

static json_t *leases_json(const CtlLease *held, size_t n)
{
    json_t *a = json_array();
    for (size_t i = 0; a && i < n; i++)
        json_array_append_new(a, json_pack("{sssi}", "id", held[i].id, "attempt", (int)held[i].attempt));
    return json_pack("{so}", "jobs", a);
}

int ctl_heartbeat(const Ctl *c, const CtlLease *held, size_t n, CtlStop *stop, size_t *nstop, int *again,
                  char *err, size_t en)
{
    ApiResponse r;
    *nstop = 0;
    *again = 0;
    int e = call(c, "/heartbeat", leases_json(held, n), c->timeout_ms, &r, err, en);
    if (e) return e;
    json_t *j = answer_json(&r), *v;
    *again = json_is_true(json_object_get(j, "register"));
    size_t i;
    json_array_foreach(json_object_get(j, "cancel"), i, v)
    {
        const char *id = json_string_value(json_object_get(v, "id"));
        const char *why = json_string_value(json_object_get(v, "reason"));
        if (!id || *nstop == n) continue;
        CtlStop *s = &stop[(*nstop)++];
        snprintf(s->lease.id, sizeof(s->lease.id), "%.36s", id);
        s->lease.attempt = (unsigned)json_integer_value(json_object_get(v, "attempt"));
        snprintf(s->reason, sizeof(s->reason), "%s", why ? why : "stopped by the controller");
    }
    json_decref(j);
    return 0;
}

static int parse_spec(json_t *spec, JobSpec **out, char *err, size_t n)
{
    char *text = json_dumps(spec, JSON_COMPACT);
    JobSpec *s = malloc(sizeof(*s));
    char field[128], why[1400];
    int e = !text || !s
                ? -ENOMEM
                : jobspec_parse(text, strlen(text), s, NULL, NULL, field, sizeof(field), why, sizeof(why));
    free(text);
    if (e) {
        snprintf(err, n, "the job's description is not understood by this node: %s",
                 e == -ENOMEM ? "out of memory" : why);
        free(s);
        return -EINVAL;
    }
    *out = s;
    return 0;
}

int ctl_lease(const Ctl *c, double wait, CtlLease *l, JobSpec **spec, char *err, size_t n)
{
    ApiResponse r;
    *spec = NULL;
    int e = call(c, "/lease", json_pack("{sf}", "wait", wait), (int)(wait * 1000) + c->timeout_ms, &r, err,
                 n);
    if (e) return e;
    if (r.status == 204) return api_response_free(&r), 1;
    json_t *j = answer_json(&r);
    const char *id = json_string_value(json_object_get(j, "id"));
    json_int_t attempt = json_integer_value(json_object_get(j, "attempt"));
    if (!id || strlen(id) >= CTL_ID_LEN || attempt <= 0) {
        json_decref(j);
        return snprintf(err, n, "controller: malformed lease"), -EAGAIN;
    }
    snprintf(l->id, sizeof(l->id), "%s", id);
    l->attempt = (unsigned)attempt;
    parse_spec(json_object_get(j, "spec"), spec, err, n);
    json_decref(j);
    return 0;
}

static void job_path(char *out, size_t n, const CtlLease *l, const char *what)
{
    snprintf(out, n, "/jobs/%s/%s", l->id, what);
}

int ctl_progress(const Ctl *c, const CtlLease *l, unsigned frames, unsigned total, double fps, char *err,
                 size_t n)
{
    char path[128];
    ApiResponse r;
    job_path(path, sizeof(path), l, "progress");
    json_t *body = json_pack("{sisisf}", "attempt", (int)l->attempt, "frames_done", (int)frames, "fps", fps);
    if (body && total) json_object_set_new(body, "frames_total", json_integer(total));
    int e = call(c, path, body, c->timeout_ms, &r, err, n);
    if (!e) api_response_free(&r);
    return e;
}

/* JSON strings must be UTF-8; an error may quote a file name that is not. */
static void utf8_clean(const char *in, char *out, size_t n)
{
    size_t k = 0;
    for (const unsigned char *p = (const unsigned char *)in; *p && k + 4 < n;) {
        int len = *p < 0x80             ? 1
                  : (*p & 0xe0) == 0xc0 ? 2
                  : (*p & 0xf0) == 0xe0 ? 3
                  : (*p & 0xf8) == 0xf0 ? 4
                                        : 0;
        int ok = len > 0;
        for (int i = 1; ok && i < len; i++) ok = (p[i] & 0xc0) == 0x80;
        if (!ok) len = 1;
        if (ok) memcpy(out + k, p, (size_t)len);
        else out[k] = '?';
        k += ok ? (size_t)len : 1;
        p += len;
    }
    out[k] = 0;
}

static json_t *result_json(const CtlLease *l, const ExecResult *res, const char *reason, const char *stage)
{
    if (!res) {
        char clean[2048];
        utf8_clean(reason, clean, sizeof(clean));
        json_t *j = json_pack("{sissss}", "attempt", (int)l->attempt, "status", "failed", "error", clean);
        if (j && stage) json_object_set_new(j, "stage", json_string(stage));
        return j;
    }
    if (res->probe) /* a probe's counts, for the controller to cut the job by */
        return json_pack("{sisssIs{sIsI}}", "attempt", (int)l->attempt, "status", "completed", "frames",
                         (json_int_t)0, "probe", "reference", (json_int_t)res->probe_frames[0], "distorted",
                         (json_int_t)res->probe_frames[1]);
    json_t *models = json_array();
    for (unsigned i = 0; i < res->n_models; i++) json_array_append_new(models, json_string(res->models[i]));
    json_t *report = res->chunk ? json_pack("{ss}", "chunk", res->chunk)
                                : json_pack("{ssssss}", "json", res->json, "xml", res->xml, "csv", res->csv);
    return json_pack("{sisssIsfsoso}", "attempt", (int)l->attempt, "status", "completed", "frames",
                     (json_int_t)res->frames, "fps", res->fps, "report", report, "models", models);
}

int ctl_result(const Ctl *c, const CtlLease *l, const ExecResult *res, const char *reason, char *err,
               size_t n)
{
    return ctl_result_warned(c, l, res, reason, NULL, NULL, err, n);
}

int ctl_result_warned(const Ctl *c, const CtlLease *l, const ExecResult *res, const char *reason,
                      json_t *warnings, const char *stage, char *err, size_t n)
{
    char path[128];
    ApiResponse r;
    job_path(path, sizeof(path), l, "result");
    json_t *body = result_json(l, res, reason, stage);
    if (!body) return snprintf(err, n, "the report is not valid text (UTF-8)"), -EINVAL;
    if (warnings && json_array_size(warnings)) json_object_set(body, "warnings", warnings);
    int e = call(c, path, body, RESULT_TIMEOUT_MS, &r, err, n);
    if (!e) api_response_free(&r);
    return e;
}

int ctl_release(const Ctl *c, const CtlLease *l, char *err, size_t n)
{
    char path[128];
    ApiResponse r;
    job_path(path, sizeof(path), l, "release");
    int e = call(c, path, json_pack("{si}", "attempt", (int)l->attempt), c->timeout_ms, &r, err, n);
    if (!e) api_response_free(&r);
    return e;
}
