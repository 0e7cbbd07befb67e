/* Internals of the HTTP API shared by its files: the router (api.c), the client endpoints
 * (api_jobs.c), the node endpoints (api_nodes.c) and the JSON view of a job (api_view.c). */
#ifndef VMAFX_CONTROLLER_API_H
#define VMAFX_CONTROLLER_API_H

#include <jansson.h>

#include "controller.h"

/* Path parts matched by a route's '*' segments (ids and node names). */
typedef struct RouteArgs {
    char a[2][NODE_ID_MAX];
    const char *who; /* the token's name (owner of idempotency keys) */
} RouteArgs;

typedef void (*RouteFn)(Controller *c, const HttpReq *rq, HttpResp *resp, const RouteArgs *args);

/* Answers. Every error body is {"error": "...", "field": "..."} (field only for 400s). */
void api_reply_json(HttpResp *r, int status, json_t *j); /* takes j */
void api_reply_error(HttpResp *r, int status, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
void api_reply_empty(HttpResp *r, int status);
/* The body as a JSON object, or NULL with a 400 answered. */
json_t *api_body_object(const HttpReq *rq, HttpResp *r);
/* Unsigned integer field: 0, or -1 with a 400 answered naming the field. */
int api_get_uint_field(json_t *o, const char *key, int required, long long max, long long *out, HttpResp *r);

/* The lease a node's write names: job id from the path, attempt from the body; 0, or -1
 * with 400/404 answered. */
int api_lease_ref(json_t *body, const char *id, LeaseRef *l, HttpResp *resp);

/* The job as the API shows it (GET /v1/jobs/{id}, lists, cancel). */
json_t *api_job_view(const JobRecord *rec);

void api_submit(Controller *c, const HttpReq *rq, HttpResp *resp, const RouteArgs *args);
void api_get_job(Controller *c, const HttpReq *rq, HttpResp *resp, const RouteArgs *args);
void api_frames(Controller *c, const HttpReq *rq, HttpResp *resp, const RouteArgs *args);
void api_list(Controller *c, const HttpReq *rq, HttpResp *resp, const RouteArgs *args);
void api_cancel(Controller *c, const HttpReq *rq, HttpResp *resp, const RouteArgs *args);
void api_models(Controller *c, const HttpReq *rq, HttpResp *resp, const RouteArgs *args);
void api_events(Controller *c, const HttpReq *rq, HttpResp *resp, const RouteArgs *args);

/* api_events.c: the job's webhook delivery into rec->webhook (when it has one), and an event
 * with the job as GET /v1/jobs/{id} shows it (progress: coalesced per job). */
void api_job_webhook(Controller *c, JobRecord *rec);
void api_publish_job(Controller *c, const char *id, int progress);

/* The dashboard (api_ui.c): / redirects to /ui/, /ui/ is its page, /ui/NAME its files. */
void api_ui_root(Controller *c, const HttpReq *rq, HttpResp *resp, const RouteArgs *args);
void api_ui_index(Controller *c, const HttpReq *rq, HttpResp *resp, const RouteArgs *args);
void api_ui_file(Controller *c, const HttpReq *rq, HttpResp *resp, const RouteArgs *args);

void api_register(Controller *c, const HttpReq *rq, HttpResp *resp, const RouteArgs *args);
void api_heartbeat(Controller *c, const HttpReq *rq, HttpResp *resp, const RouteArgs *args);
void api_lease(Controller *c, const HttpReq *rq, HttpResp *resp, const RouteArgs *args);
void api_progress(Controller *c, const HttpReq *rq, HttpResp *resp, const RouteArgs *args);
void api_result(Controller *c, const HttpReq *rq, HttpResp *resp, const RouteArgs *args);
void api_release(Controller *c, const HttpReq *rq, HttpResp *resp, const RouteArgs *args);

#endif
