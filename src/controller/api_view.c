/* The JSON view of a job: its submitted fields, then state, times, attempts, progress,
 * pooled results and error. */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "api.h"
#include "base/redact.h"

/* RFC 3339 UTC with milliseconds, or JSON null for "not yet". */
static json_t *time_json(double t)
{
    if (t <= 0) return json_null();
    time_t secs = (time_t)t;
    struct tm tm;
    gmtime_r(&secs, &tm);
    char buf[40];
    size_t n = strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S", &tm);
    int ms = (int)((t - (double)secs) * 1000);
    snprintf(buf + n, sizeof(buf) - n, ".%03dZ", ms > 999 ? 999 : ms);
    return json_string(buf);
}

static json_t *progress_json(const JobRecord *r)
{
    json_t *p = json_object();
    json_object_set_new(p, "frames_done", json_integer(r->frames_done));
    json_object_set_new(p, "frames_total",
                        r->frames_total >= 0 ? json_integer(r->frames_total) : json_null());
    json_object_set_new(p, "fps", json_real(isfinite(r->fps) ? r->fps : 0));
    return p;
}

static json_t *text_json(const char *text)
{
    json_t *j = text ? json_loads(text, 0, NULL) : NULL;
    return j ? j : json_null();
}

/* The webhook's delivery; its URL is shown with anything that looks like a credential hidden. */
static json_t *webhook_json(const DeliveryView *w)
{
    char url[DELIVERY_URL_MAX];
    redact_copy(url, sizeof(url), w->url);
    json_t *j = json_object();
    json_object_set_new(j, "url", json_string(url));
    json_object_set_new(j, "state", json_string(delivery_state_name(w->state)));
    json_object_set_new(j, "attempts", json_integer(w->attempts));
    json_object_set_new(j, "last_error", *w->last_error ? json_string(w->last_error) : json_null());
    json_object_set_new(j, "delivered_at", time_json(w->delivered_at));
    return j;
}

json_t *api_job_view(const JobRecord *r)
{
    json_t *j = json_object();
    if (!j) return NULL;
    json_object_set_new(j, "id", json_string(r->id));
    json_object_set_new(j, "status", json_string(job_state_name(r->state)));
    json_t *spec = text_json(r->spec);
    if (json_is_object(spec)) json_object_update(j, spec);
    json_decref(spec);
    json_object_set_new(j, "created_at", time_json(r->created_at));
    json_object_set_new(j, "started_at", time_json(r->started_at));
    json_object_set_new(j, "finished_at", time_json(r->finished_at));
    json_object_set_new(j, "attempts", json_integer(r->attempt));
    json_object_set_new(j, "lost_leases", json_integer(r->lost));
    json_object_set_new(j, "node", *r->node ? json_string(r->node) : json_null());
    json_object_set_new(j, "progress", progress_json(r));
    json_object_set_new(j, "pooled_metrics", text_json(r->pooled));
    json_object_set_new(j, "error", r->error ? json_string(r->error) : json_null());
    json_object_del(j, "webhook_url"); /* shown, redacted, as webhook.url */
    if (r->webhook) json_object_set_new(j, "webhook", webhook_json(r->webhook));
    json_t *w = text_json(r->warnings);
    json_object_set_new(j, "warnings", json_is_array(w) ? w : (json_decref(w), json_array()));
    return j;
}
