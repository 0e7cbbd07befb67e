/* GET /v1/events (server-sent events of job changes, see events.h) and what publishes them:
 * every handler that changes a job calls api_publish_job() after its change is stored. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"

/* A Last-Event-ID header: the id, or -1 when absent or not a number. */
static long long last_event_id(const HttpReq *rq)
{
    const char *v = http_header(rq, "Last-Event-ID");
    if (!v || !*v || strspn(v, "0123456789") != strlen(v) || strlen(v) > 18) return -1;
    return strtoll(v, NULL, 10);
}

void api_events(Controller *c, const HttpReq *rq, HttpResp *resp, const RouteArgs *args)
{
    (void)args;
    EventStream *s = events_stream_open(c->events, last_event_id(rq));
    if (!s) {
        api_reply_error(resp, 503, NULL, "too many event streams are open (at most %u); try again later",
                        c->cfg.events.max_streams);
        resp->header_name = "Retry-After";
        snprintf(resp->header_value, sizeof(resp->header_value), "5");
        return;
    }
    resp->status = 200;
    resp->type = "text/event-stream";
    /* the connection is never idle longer than a keep-alive period while the client reads;
     * a client that stops reading holds at most the socket's buffer and max_lag events */
    resp->stream = (HttpStream){ events_stream_read, events_stream_done, s,
                                 (unsigned)(2 * c->cfg.events.keepalive_s) + 5, 64 * 1024 };
}

void api_job_webhook(Controller *c, JobRecord *rec)
{
    DeliveryView *v = c->store->deliveries ? malloc(sizeof(*v)) : NULL;
    if (v && c->store->deliveries->view(c->store, rec->seq, v) == 1) {
        free(rec->webhook);
        rec->webhook = v;
    } else {
        free(v);
    }
}

void api_publish_job(Controller *c, const char *id, int progress)
{
    if (!c->events || (progress && !events_progress_due(c->events, id, controller_now()))) return;
    JobRecord rec;
    if (c->store->ops->get(c->store, id, &rec)) return;
    api_job_webhook(c, &rec);
    json_t *j = api_job_view(&rec);
    char *text = j ? json_dumps(j, JSON_COMPACT | JSON_REAL_PRECISION(15)) : NULL;
    if (text) events_publish(c->events, text);
    free(text);
    json_decref(j);
    job_record_free(&rec);
}
