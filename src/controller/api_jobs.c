/* Client endpoints: submit (idempotent with a key), read, report, list, cancel. */
#include <errno.h>
#include <nettle/sha2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "chunks.h"
#include "storage/storage_uri.h"

#define LIST_DEFAULT 50
#define LIST_MAX 1000
#define IDEM_KEY_MAX 255

/* A remote named in rclone.conf must be one some live node has (node_remotes.h). */
static int remote_known(Controller *c, const char *remote, char *err, size_t n)
{
    StoreStats st;
    double now = controller_now();
    if (c->store->ops->stats(c->store, now, c->cfg.lease_ttl, &st))
        return 0; /* undecided: the node will say */
    return node_remotes_check(&c->remotes, remote, now - c->cfg.lease_ttl, st.nodes_live, err, n);
}

/* Inputs are checked with the storage layer's parser and allow-list, as the node will check
 * them again. Local paths are only checked for syntax here: their allow-list test needs the
 * node's file system (symbolic links are resolved there). */
static int check_uri(void *user, const char *uri, char *err, size_t n)
{
    Controller *c = user;
    StorageTarget *t = malloc(sizeof(*t));
    if (!t) return snprintf(err, n, "out of memory"), -ENOMEM;
    int r = storage_parse_uri(uri, c->cfg.storage, t, err, n);
    if (!r && t->kind != STORAGE_LOCAL)
        r = storage_allow_check(c->cfg.storage, t, t->location, "input", err, n);
    if (!r && t->kind == STORAGE_REMOTE && *t->config_name) r = remote_known(c, t->config_name, err, n);
    free(t);
    return r;
}

/* A job's own webhook URL must pass the target rules now (its host resolved when it can be),
 * and needs the controller to have a signing secret. */
static int check_webhook(Controller *c, const JobSpec *job, char *field, size_t fn, char *err, size_t n)
{
    char why[400];
    if (!*job->webhook_url) return 0;
    snprintf(field, fn, "webhook_url");
    if (!webhooks_enabled(c->webhooks))
        return snprintf(err, n,
                        "webhook_url: this controller has no webhook signing secret "
                        "(--webhook-secret-file)"),
               -1;
    if (!webhook_check_target(&c->cfg.webhook, job->webhook_url, 0, NULL, 0, why, sizeof(why))) return 0;
    snprintf(err, n, "webhook_url: refused: %s", why);
    return -1;
}

static void sha256_hex(const char *text, char out[2 * SHA256_DIGEST_SIZE + 1])
{
    unsigned char d[SHA256_DIGEST_SIZE];
    struct sha256_ctx ctx;
    sha256_init(&ctx);
    sha256_update(&ctx, strlen(text), (const uint8_t *)text);
    sha256_digest(&ctx, sizeof(d), d);
    for (int i = 0; i < SHA256_DIGEST_SIZE; i++) snprintf(out + 2 * i, 3, "%02x", d[i]);
}

static int idem_key_ok(const char *k)
{
    size_t n = strlen(k);
    for (size_t i = 0; i < n; i++)
        if (k[i] < 0x21 || k[i] > 0x7e) return 0;
    return n && n <= IDEM_KEY_MAX;
}

static void answer_submit(Controller *c, HttpResp *resp, const char *id, int replayed)
{
    JobRecord rec;
    const char *status = "pending";
    int have = replayed && !c->store->ops->get(c->store, id, &rec);
    if (have) status = job_state_name(rec.state);
    api_reply_json(resp, replayed ? 200 : 201, json_pack("{ssss}", "id", id, "status", status));
    if (have) job_record_free(&rec);
    resp->header_name = replayed ? "Idempotent-Replayed" : "Location";
    snprintf(resp->header_value, sizeof(resp->header_value), "%s%s", replayed ? "true" : "/v1/jobs/",
             replayed ? "" : id);
}

static void store_submit(Controller *c, const HttpReq *rq, HttpResp *resp, const JobSpec *job,
                         const char *who)
{
    const char *key = http_header(rq, "Idempotency-Key");
    if (key && !idem_key_ok(key)) {
        api_reply_error(resp, 400, "Idempotency-Key", "Idempotency-Key: 1 to %d printable characters",
                        IDEM_KEY_MAX);
        return;
    }
    char *text = jobspec_canonical(job), hash[2 * SHA256_DIGEST_SIZE + 1], id[JOB_ID_LEN];
    if (!text) {
        api_reply_error(resp, 500, NULL, "out of memory");
        return;
    }
    sha256_hex(text, hash);
    const char *hook = *job->webhook_url ? job->webhook_url : c->cfg.webhook.default_url;
    StoreSubmit in = { job, text, who, key, hash, controller_now(), hook, chunks_wanted(c, job) };
    int replayed = 0, e = c->store->ops->submit(c->store, &in, id, &replayed);
    free(text);
    if (e == -EEXIST)
        api_reply_error(resp, 409, NULL,
                        "Idempotency-Key '%s' was already used for job %s with a different body", key, id);
    else if (e) api_reply_error(resp, 503, NULL, "the job could not be stored (database error)");
    else answer_submit(c, resp, id, replayed);
    if (!e && !replayed) {
        metrics_submitted(&c->metrics);
        chunks_plan(c, job, id);
        controller_wake(c);
        api_publish_job(c, id, 0);
    }
}

void api_submit(Controller *c, const HttpReq *rq, HttpResp *resp, const RouteArgs *args)
{
    JobSpec *job = malloc(sizeof(*job));
    char field[128], err[1400];
    if (!job) {
        api_reply_error(resp, 500, NULL, "out of memory");
        return;
    }
    if (jobspec_parse(rq->body, rq->body_len, job, check_uri, c, field, sizeof(field), err, sizeof(err)) ||
        (c->cfg.check_scoring && c->cfg.check_scoring(job, field, sizeof(field), err, sizeof(err))) ||
        check_webhook(c, job, field, sizeof(field), err, sizeof(err)))
        api_reply_error(resp, 400, field, "%s", err);
    else if (job->chunk_set)
        api_reply_error(resp, 400, "chunk",
                        "chunk: set by the controller for the chunks of a job (use chunk_frames)");
    else if (job->probe)
        api_reply_error(resp, 400, "probe", "probe: set by the controller to count a job's frames on a node");
    else store_submit(c, rq, resp, job, args->who);
    free(job);
}

/* A full id as given, or the one job whose id starts with what was given (the short ids
 * `vmafx jobs` shows, any case): 0 with id, or -1 with 404, 400 (ambiguous) or 503 answered. */
static int resolve_id(Controller *c, const char *given, char id[JOB_ID_LEN], HttpResp *resp)
{
    char prefix[JOB_ID_LEN], other[JOB_ID_LEN];
    size_t n = strlen(given);
    if (n >= JOB_ID_LEN - 1 || !n) {
        snprintf(id, JOB_ID_LEN, "%s", given);
        return 0;
    }
    for (size_t i = 0; i <= n; i++)
        prefix[i] = given[i] >= 'A' && given[i] <= 'F' ? (char)(given[i] + 32) : given[i];
    int e = store_id_prefix_ok(prefix) ? c->store->ops->resolve(c->store, prefix, id, other) : -ENOENT;
    if (e == -ENOENT) api_reply_error(resp, 404, NULL, "no job %s", given);
    else if (e == -EEXIST)
        api_reply_error(resp, 400, NULL, "job id prefix '%s' is ambiguous (%s, %s, ...): give more of the id",
                        given, id, other);
    else if (e) api_reply_error(resp, 503, NULL, "database error");
    return e ? -1 : 0;
}

/* 0 with rec, or -1 with 404/503 answered. */
static int load_job(Controller *c, const char *id, JobRecord *rec, HttpResp *resp)
{
    int e = c->store->ops->get(c->store, id, rec);
    if (e == -ENOENT) api_reply_error(resp, 404, NULL, "no job %s", id);
    else if (e) api_reply_error(resp, 503, NULL, "database error");
    return e ? -1 : 0;
}

void api_get_job(Controller *c, const HttpReq *rq, HttpResp *resp, const RouteArgs *args)
{
    JobRecord rec;
    char id[JOB_ID_LEN];
    (void)rq;
    if (resolve_id(c, args->a[0], id, resp) || load_job(c, id, &rec, resp)) return;
    api_job_webhook(c, &rec);
    json_t *view = api_job_view(&rec);
    if (view) chunks_view(c, rec.id, view);
    api_reply_json(resp, 200, view);
    job_record_free(&rec);
}

void api_frames(Controller *c, const HttpReq *rq, HttpResp *resp, const RouteArgs *args)
{
    const char *fmt = http_arg(rq, "format");
    if (!fmt) fmt = "json";
    if (strcmp(fmt, "json") && strcmp(fmt, "xml") && strcmp(fmt, "csv")) {
        api_reply_error(resp, 400, "format", "format: '%s' is not json, xml or csv", fmt);
        return;
    }
    char id[JOB_ID_LEN];
    if (resolve_id(c, args->a[0], id, resp)) return;
    int e = c->store->ops->report(c->store, id, fmt, &resp->body, &resp->len);
    if (!e) {
        resp->status = 200;
        resp->type = !strcmp(fmt, "json")  ? "application/json"
                     : !strcmp(fmt, "xml") ? "application/xml"
                                           : "text/csv";
        return;
    }
    JobRecord rec;
    if (e == -EAGAIN && !load_job(c, id, &rec, resp)) {
        api_reply_error(resp, 409, NULL, "job %s %s: only a completed job has frames", rec.id,
                        job_state_phrase(rec.state));
        job_record_free(&rec);
    } else if (e == -ENOENT) {
        api_reply_error(resp, 404, NULL, "no job %s", args->a[0]);
    } else if (e != -EAGAIN) {
        api_reply_error(resp, 503, NULL, "database error");
    }
}

/* Query parameters of GET /v1/jobs; 0, or -1 with a 400 answered. */
static int list_query(const HttpReq *rq, ListQuery *q, char *label, size_t ln, HttpResp *resp)
{
    const char *s = http_arg(rq, "status"), *l = http_arg(rq, "label"), *lim = http_arg(rq, "limit"),
               *cur = http_arg(rq, "cursor");
    char *end;
    memset(q, 0, sizeof(*q));
    q->state = s ? job_state_parse(s) : -1;
    if (s && q->state < 0)
        return api_reply_error(resp, 400, "status",
                               "status: '%s' is not pending, running, completed, failed or cancelled", s),
               -1;
    q->limit = LIST_DEFAULT;
    if (lim) {
        unsigned long v = strtoul(lim, &end, 10);
        if (end == lim || *end || *lim == '-' || v < 1 || v > LIST_MAX)
            return api_reply_error(resp, 400, "limit", "limit: must be from 1 to %d", LIST_MAX), -1;
        q->limit = (unsigned)v;
    }
    if (cur) {
        long long v = strtoll(cur, &end, 10);
        if (end == cur || *end || v <= 0)
            return api_reply_error(resp, 400, "cursor", "cursor: not a cursor from a previous page"), -1;
        q->before = v;
    }
    if (l) {
        if (!*l || strlen(l) >= ln) return api_reply_error(resp, 400, "label", "label: KEY or KEY=VALUE"), -1;
        snprintf(label, ln, "%s", l);
        char *eq = strchr(label, '=');
        if (eq) *eq = 0;
        q->label_key = label;
        q->label_value = eq ? eq + 1 : NULL;
    }
    return 0;
}

static json_t *list_json(const JobRecord *recs, size_t n, long long next)
{
    json_t *arr = json_array();
    for (size_t i = 0; i < n; i++) json_array_append_new(arr, api_job_view(&recs[i]));
    char cursor[32];
    snprintf(cursor, sizeof(cursor), "%lld", next);
    return json_pack("{soso}", "jobs", arr, "next_cursor", next ? json_string(cursor) : json_null());
}

void api_list(Controller *c, const HttpReq *rq, HttpResp *resp, const RouteArgs *args)
{
    ListQuery q;
    char label[JOB_LABEL_KEY_MAX + JOB_LABEL_VALUE_MAX + 2];
    JobRecord *recs;
    size_t n;
    long long next;
    (void)args;
    if (list_query(rq, &q, label, sizeof(label), resp)) return;
    if (c->store->ops->list(c->store, &q, &recs, &n, &next)) {
        api_reply_error(resp, 503, NULL, "database error");
        return;
    }
    for (size_t i = 0; i < n; i++) api_job_webhook(c, &recs[i]);
    api_reply_json(resp, 200, list_json(recs, n, next));
    job_records_free(recs, n);
}

void api_cancel(Controller *c, const HttpReq *rq, HttpResp *resp, const RouteArgs *args)
{
    JobRecord rec;
    char id[JOB_ID_LEN];
    (void)rq;
    if (resolve_id(c, args->a[0], id, resp)) return;
    memset(&rec, 0, sizeof(rec)); /* an unknown id leaves it as it is, and the store frees it */
    int e = c->store->ops->cancel(c->store, id, controller_now(), &rec);
    if (e == -ENOENT) {
        api_reply_error(resp, 404, NULL, "no job %s", args->a[0]);
        return;
    }
    if (e && e != -EALREADY) {
        api_reply_error(resp, 503, NULL, "database error");
        return;
    }
    if (e == -EALREADY && rec.state != JOB_CANCELLED) {
        api_reply_error(resp, 409, NULL, "job %s %s already: it cannot be cancelled", rec.id,
                        job_state_phrase(rec.state));
    } else {
        api_job_webhook(c, &rec);
        api_reply_json(resp, 200, api_job_view(&rec)); /* cancelling twice is fine */
        if (!e) chunks_settle(c);                      /* its chunks stop too */
        if (!e)
            metrics_finished(&c->metrics, JOB_CANCELLED,
                             rec.started_at > 0 ? rec.finished_at - rec.started_at : -1);
        if (!e) {
            api_publish_job(c, rec.id, 0);
            webhooks_wake(c->webhooks);
        }
    }
    job_record_free(&rec);
}

/* GET /v1/models: the engine's catalog (built-in models, features and their options) as the
 * program that links the engine gave it. */
void api_models(Controller *c, const HttpReq *rq, HttpResp *resp, const RouteArgs *args)
{
    (void)rq, (void)args;
    json_t *j = c->cfg.catalog ? json_loads(c->cfg.catalog, 0, NULL) : NULL;
    if (!j) api_reply_error(resp, 404, NULL, "this controller has no model catalog");
    else api_reply_json(resp, 200, j);
}
