/* The webhook senders (see webhook.h): the signing secret, the event body, and the threads
 * that claim due deliveries, make one attempt each and record its outcome. */
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "base/mono.h"
#include "base/redact.h"
#include "webhook.h"

#define MAX_SENDERS 16
#define SECRET_MAX 4096
#define SECRET_MIN 16
#define POLL_S 1.0 /* due deliveries are looked for this often (and when a job ends) */

struct Webhooks {
    Controller *c;
    unsigned char secret[SECRET_MAX];
    size_t secret_len;
    pthread_mutex_t lock;
    pthread_cond_t wake;
    int woken;
    atomic_int stopping;
    pthread_t senders[MAX_SENDERS];
    unsigned n_senders;
};

/* The file's bytes, trailing blanks and line ends dropped (as `echo` or an editor leave them). */
static int read_secret(Webhooks *w, const char *path, char *err, size_t n)
{
    FILE *f = fopen(path, "rb");
    if (!f) return snprintf(err, n, "webhook secret file %s: %s", path, strerror(errno)), -errno;
    size_t len = fread(w->secret, 1, sizeof(w->secret), f);
    int big = len == sizeof(w->secret), bad = ferror(f);
    fclose(f);
    while (len && strchr(" \t\r\n", w->secret[len - 1])) len--;
    w->secret_len = len;
    if (bad || big || len < SECRET_MIN) {
        explicit_bzero(w->secret, sizeof(w->secret));
        snprintf(err, n, "webhook secret file %s: %s", path,
                 bad   ? "unreadable"
                 : big ? "larger than 4 KiB"
                       : "shorter than 16 bytes (use e.g. 32 random bytes: openssl rand -hex 32)");
        return -EINVAL;
    }
    return 0;
}

static json_t *links(const WebhookConfig *cfg, const char *id)
{
    char job[2300], frames[2400];
    const char *base = cfg->public_url ? cfg->public_url : "";
    size_t bl = strlen(base);
    while (bl && base[bl - 1] == '/') bl--;
    snprintf(job, sizeof(job), "%.*s/v1/jobs/%s", (int)bl, base, id);
    snprintf(frames, sizeof(frames), "%s/frames", job);
    return json_pack("{ssss}", "job", job, "frames", frames);
}

/* The event: the same on every attempt (the job no longer changes), so receivers can drop
 * repeats by its id. */
static char *event_body(Webhooks *w, const DeliveryTask *t, const JobRecord *rec)
{
    json_t *job = api_job_view(rec);
    const char *state = job_state_name(rec->state);
    char type[32];
    snprintf(type, sizeof(type), "job.%s", state);
    json_t *e = json_pack("{sssssssssOsOso}", "id", t->event_id, "type", type, "job_id", rec->id, "state",
                          state, "pooled_metrics", json_object_get(job, "pooled_metrics"), "error",
                          json_object_get(job, "error"), "links", links(&w->c->cfg.webhook, rec->id));
    if (e) json_object_set(e, "job", job);
    json_decref(job);
    char *text = e ? json_dumps(e, JSON_COMPACT | JSON_SORT_KEYS | JSON_REAL_PRECISION(15)) : NULL;
    json_decref(e);
    return text;
}

static int attempt(Webhooks *w, const DeliveryTask *t, const char *addr, char *err, size_t n)
{
    JobRecord rec;
    if (w->c->store->ops->get(w->c->store, t->job_id, &rec))
        return snprintf(err, n, "the job could not be read"), -1;
    char *body = event_body(w, t, &rec);
    job_record_free(&rec);
    if (!body) return snprintf(err, n, "out of memory"), -1;
    char ts[32], sig[80], headers[400];
    snprintf(ts, sizeof(ts), "%lld", (long long)controller_now());
    int r = webhook_sign(w->secret, w->secret_len, ts, body, strlen(body), sig);
    snprintf(headers, sizeof(headers),
             "Content-Type: application/json\r\nX-Vmafx-Event: %s\r\nX-Vmafx-Timestamp: %s\r\n"
             "X-Vmafx-Signature: %s\r\n",
             t->event_id, ts, sig);
    if (r) snprintf(err, n, "cannot sign the event");
    else r = webhook_post(&w->c->cfg.webhook, t->url, addr, headers, body, err, n);
    free(body);
    return r;
}

/* What the next state is after a failed attempt (the attempts-th). */
static DeliveryState after_failure(const WebhookConfig *cfg, const DeliveryTask *t, unsigned attempts,
                                   double now, double *next_at)
{
    double d = cfg->backoff_base * pow(2.0, attempts > 40 ? 40 : (double)attempts - 1);
    if (d > cfg->backoff_max) d = cfg->backoff_max;
    *next_at = now + d;
    if (attempts >= cfg->max_attempts || *next_at - t->first_at > cfg->max_age) return DELIVERY_FAILED;
    return DELIVERY_PENDING;
}

static void deliver(Webhooks *w, const DeliveryTask *t)
{
    Controller *c = w->c;
    const WebhookConfig *cfg = &c->cfg.webhook;
    char addr[64], err[DELIVERY_ERROR_MAX], shown[DELIVERY_URL_MAX];
    unsigned attempts = t->attempts;
    double next_at = 0;
    DeliveryState st;
    int r = webhook_check_target(cfg, t->url, 1, addr, sizeof(addr), err, sizeof(err));
    if (r == -EPERM || r == -EINVAL) {
        st = DELIVERY_REFUSED; /* no attempt is made: retrying would not change the rules */
    } else {
        attempts++;
        if (!r) r = attempt(w, t, addr, err, sizeof(err));
        st = r ? after_failure(cfg, t, attempts, controller_now(), &next_at) : DELIVERY_DELIVERED;
    }
    double now = controller_now();
    c->store->deliveries->record(c->store, t->seq, st, attempts, st == DELIVERY_DELIVERED ? NULL : err,
                                 next_at, now);
    metrics_webhook(&c->metrics, st);
    redact_copy(shown, sizeof(shown), t->url);
    if (st == DELIVERY_DELIVERED)
        log_msg(&c->cfg.log, VLOG_INFO, "webhook", "job %s: event delivered to %s (attempt %u)", t->job_id,
                shown, attempts);
    else
        log_msg(&c->cfg.log, VLOG_WARN, "webhook", "job %s: delivery to %s %s (attempt %u): %s", t->job_id,
                shown,
                st == DELIVERY_PENDING   ? "failed, will be retried"
                : st == DELIVERY_REFUSED ? "refused"
                                         : "given up",
                attempts, err);
    api_publish_job(c, t->job_id, 0);
}

static void wait_for_work(Webhooks *w)
{
    struct timespec until = mono_deadline(POLL_S);
    pthread_mutex_lock(&w->lock);
    while (!w->woken && !atomic_load(&w->stopping))
        if (pthread_cond_timedwait(&w->wake, &w->lock, &until)) break;
    w->woken = 0;
    pthread_mutex_unlock(&w->lock);
}

static void *sender_main(void *arg)
{
    Webhooks *w = arg;
    Store *s = w->c->store;
    /* a claim holds a delivery for longer than an attempt can take: a sender that dies
     * mid-attempt (a killed controller) leaves it due again soon after */
    double hold = w->c->cfg.webhook.timeout + 5;
    while (!atomic_load(&w->stopping)) {
        DeliveryTask t;
        if (s->deliveries->claim(s, controller_now(), hold, &t) == 1) deliver(w, &t);
        else wait_for_work(w);
    }
    return NULL;
}

int webhooks_start(Webhooks **out, Controller *c, char *err, size_t n)
{
    Webhooks *w = calloc(1, sizeof(*w));
    if (!w) return -ENOMEM;
    w->c = c;
    atomic_init(&w->stopping, 0);
    pthread_condattr_t a;
    pthread_condattr_init(&a);
    pthread_condattr_setclock(&a, CLOCK_MONOTONIC);
    pthread_cond_init(&w->wake, &a);
    pthread_condattr_destroy(&a);
    pthread_mutex_init(&w->lock, NULL);
    *out = w;
    const WebhookConfig *cfg = &c->cfg.webhook;
    if (!cfg->secret_file) {
        if (cfg->default_url)
            return snprintf(err, n,
                            "a default webhook URL needs a signing secret "
                            "(--webhook-secret-file)"),
                   -EINVAL;
        return 0;
    }
    int e = read_secret(w, cfg->secret_file, err, n);
    unsigned want = cfg->senders < 1 ? 1 : cfg->senders > MAX_SENDERS ? MAX_SENDERS : cfg->senders;
    while (!e && w->n_senders < want) {
        e = -pthread_create(&w->senders[w->n_senders], NULL, sender_main, w);
        if (e) snprintf(err, n, "cannot start the webhook senders");
        else w->n_senders++;
    }
    return e;
}

void webhooks_wake(Webhooks *w)
{
    if (!w) return;
    pthread_mutex_lock(&w->lock);
    w->woken = 1;
    pthread_cond_signal(&w->wake);
    pthread_mutex_unlock(&w->lock);
}

int webhooks_enabled(const Webhooks *w)
{
    return w && w->secret_len > 0;
}

void webhooks_stop(Webhooks *w)
{
    if (!w) return;
    pthread_mutex_lock(&w->lock);
    atomic_store(&w->stopping, 1);
    pthread_cond_broadcast(&w->wake);
    pthread_mutex_unlock(&w->lock);
    for (unsigned i = 0; i < w->n_senders; i++) pthread_join(w->senders[i], NULL);
    explicit_bzero(w->secret, sizeof(w->secret));
    pthread_cond_destroy(&w->wake);
    pthread_mutex_destroy(&w->lock);
    free(w);
}
