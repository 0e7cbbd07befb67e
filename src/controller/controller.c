/* Start-up, the lease sweeper, and shutdown of the controller (see controller.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/redact.h"
#include "base/mono.h"
#include "api.h"
#include "controller.h"
#include "chunks.h"

double controller_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

void controller_wake(Controller *c)
{
    pthread_mutex_lock(&c->wake_lock);
    pthread_cond_broadcast(&c->wake);
    pthread_mutex_unlock(&c->wake_lock);
}

void controller_wait(Controller *c, double secs)
{
    struct timespec ts = mono_deadline(secs);
    pthread_mutex_lock(&c->wake_lock);
    if (!atomic_load(&c->stopping)) pthread_cond_timedwait(&c->wake, &c->wake_lock, &ts);
    pthread_mutex_unlock(&c->wake_lock);
}

#define REPLAN_EVERY 2.0 /* seconds between looks for held jobs nobody planned */
#define REPLAN_AGE 5.0   /* a job younger than this may still be planned by its submitter */

/* At start-up every job stored before it (this controller's own submitters stopped with
 * it); later the jobs older than REPLAN_AGE (another controller on the database may have
 * stopped between storing and planning one). */
static double replan_cutoff(double started, double now)
{
    return now - REPLAN_AGE > started ? now - REPLAN_AGE : started;
}

/* Expired leases go back to pending (after a backoff) or, after max_lost of them, fail. The
 * sweep runs several times per TTL, so a lease is taken back at most a fraction of a TTL
 * late. Every REPLAN_EVERY (and first thing) held jobs nobody planned are planned. */
static void *sweeper_main(void *arg)
{
    Controller *c = arg;
    double every = c->cfg.lease_ttl / 4 < 1.0 ? c->cfg.lease_ttl / 4 : 1.0;
    ExpirePolicy p = { c->cfg.max_lost, c->cfg.backoff_base, c->cfg.backoff_max };
    const double started = controller_now();
    double next_replan = 0;
    while (!atomic_load(&c->stopping)) {
        double now = controller_now();
        if (now >= next_replan) { /* held jobs no controller planned: see replan_cutoff */
            chunks_replan(c, replan_cutoff(started, now));
            next_replan = now + REPLAN_EVERY;
        }
        ExpireResult res;
        if (!c->store->ops->expire(c->store, controller_now(), &p, &res) && (res.requeued || res.failed)) {
            metrics_expired(&c->metrics, res.requeued, res.failed);
            log_msg(&c->cfg.log, VLOG_INFO, "controller",
                    "leases expired: %u jobs back to pending, %u failed", res.requeued, res.failed);
            controller_wake(c);
            for (unsigned i = 0; i < res.n_changed; i++) api_publish_job(c, res.changed[i], 0);
            if (res.failed) webhooks_wake(c->webhooks);
        }
        chunks_settle(c); /* a chunk that failed there fails its job; a merge left undone is done */
        controller_wait(c, every);
    }
    return NULL;
}

static int init_sync(Controller *c)
{
    pthread_condattr_t a;
    pthread_condattr_init(&a);
    pthread_condattr_setclock(&a, CLOCK_MONOTONIC);
    int e = pthread_cond_init(&c->wake, &a);
    pthread_condattr_destroy(&a);
    pthread_mutex_init(&c->wake_lock, NULL);
    pthread_mutex_init(&c->ready_lock, NULL);
    metrics_init(&c->metrics);
    node_remotes_init(&c->remotes);
    return -e;
}

/* A PEM file into memory (libmicrohttpd takes the text), NUL-terminated. */
static char *read_pem(const char *path, const char *what, char *err, size_t n)
{
    FILE *f = fopen(path, "r");
    char *buf = NULL;
    size_t len = 0;
    if (f) {
        buf = malloc(1 << 20);
        len = buf ? fread(buf, 1, (1 << 20) - 1, f) : 0;
        if (buf && (ferror(f) || !len || len == (1 << 20) - 1)) {
            free(buf);
            buf = NULL;
            errno = EINVAL;
        }
        fclose(f);
    }
    if (!buf) {
        snprintf(err, n, "%s %s: %s", what, path,
                 errno == EINVAL ? "empty, unreadable or larger than 1 MiB" : strerror(errno));
        return NULL;
    }
    buf[len] = 0;
    return buf;
}

static int start_http(Controller *c, char *err, size_t n)
{
    char *cert = NULL, *key = NULL;
    if (c->cfg.tls_cert) {
        if (!(cert = read_pem(c->cfg.tls_cert, "TLS certificate", err, n)) ||
            !(key = read_pem(c->cfg.tls_key, "TLS key", err, n))) {
            free(cert);
            return -EINVAL;
        }
    }
    HttpConfig hc = { .listen = c->cfg.listen,
                      .max_connections = c->cfg.max_connections,
                      .max_per_client = c->cfg.max_per_client,
                      .idle_timeout_s = c->cfg.connection_timeout,
                      .tls_cert = cert,
                      .tls_key = key,
                      .handler = api_handle,
                      .cap = api_body_cap,
                      .user = c };
    int e = http_start(&c->http, &hc, err, n);
    free(cert);
    if (key) explicit_bzero(key, strlen(key)); /* the key stays only in libmicrohttpd's copy */
    free(key);
    return e;
}

static int open_parts(Controller *c, char *err, size_t n)
{
    StoreOptions so = { .sync_full = c->cfg.db_sync_full, .log = c->cfg.log };
    int e = store_open(&c->store, c->cfg.db, &so, err, n);
    if (e) return e;
    e = auth_open(&c->auth, c->cfg.tokens_file, &c->cfg.log, err, n);
    if (e) return e;
    EventConfig ec = c->cfg.events;
    ec.log = c->cfg.log;
    if ((e = events_open(&c->events, &ec))) return snprintf(err, n, "out of memory"), e;
    if ((e = webhooks_start(&c->webhooks, c, err, n))) return e;
    /* leases could not be renewed while the controller was down: give them a fresh TTL */
    e = c->store->ops->grace(c->store, controller_now(), c->cfg.lease_ttl);
    if (e) {
        char db[512];
        redact_copy(db, sizeof(db), c->cfg.db); /* a postgres:// DSN may carry a password */
        snprintf(err, n, "database %s: cannot update leases", db);
        return e;
    }
    e = -pthread_create(&c->sweeper, NULL, sweeper_main, c);
    if (e) {
        snprintf(err, n, "cannot start the lease sweeper");
        return e;
    }
    c->sweeper_started = 1;
    e = start_http(c, err, n);
    if (e || !c->cfg.probe_listen) return e;
    /* Its own few connections: the orchestrator's probes are answered even while clients
     * hold every connection of the API address. */
    HttpConfig pc = { .listen = c->cfg.probe_listen,
                      .max_connections = 16,
                      .idle_timeout_s = c->cfg.connection_timeout,
                      .handler = api_handle_probe,
                      .cap = api_body_cap,
                      .user = c };
    return http_start(&c->probe_http, &pc, err, n);
}

int controller_start(Controller **out, const ControllerConfig *cfg, char *err, size_t n)
{
    Controller *c = calloc(1, sizeof(*c));
    if (!c) return -ENOMEM;
    c->cfg = *cfg;
    atomic_init(&c->stopping, 0);
    int e = init_sync(c);
    if (!e) e = open_parts(c, err, n);
    if (e) {
        controller_stop(c);
        return e;
    }
    *out = c;
    return 0;
}

int controller_port(const Controller *c)
{
    return http_port(c->http);
}

void controller_stop(Controller *c)
{
    if (!c) return;
    atomic_store(&c->stopping, 1);
    if (c->http) http_quiesce(c->http);
    controller_wake(c);     /* long polls answer 204 and return */
    events_stop(c->events); /* event streams end */
    if (c->http) http_drain(c->http, 30);
    http_stop(c->http);
    http_stop(c->probe_http);
    if (c->sweeper_started) pthread_join(c->sweeper, NULL);
    webhooks_stop(c->webhooks);
    events_close(c->events);
    if (c->store) c->store->ops->close(c->store);
    auth_close(c->auth);
    metrics_destroy(&c->metrics);
    node_remotes_free(&c->remotes);
    pthread_cond_destroy(&c->wake);
    pthread_mutex_destroy(&c->wake_lock);
    pthread_mutex_destroy(&c->ready_lock);
    free(c);
}
