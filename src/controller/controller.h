/* The controller: the job store, the HTTP API on top of it, and the sweeper that takes
 * expired leases back. Everything hangs off one Controller value; nothing is global. */
#ifndef VMAFX_CONTROLLER_CONTROLLER_H
#define VMAFX_CONTROLLER_CONTROLLER_H

#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>

#include "auth.h"
#include "events.h"
#include "http.h"
#include "metrics.h"
#include "node_remotes.h"
#include "store.h"
#include "storage/storage_uri.h"
#include "api/jobspec.h"
#include "webhook.h"

typedef struct ControllerConfig {
    const char *listen;               /* "127.0.0.1:8080" */
    const char *probe_listen;         /* a second address for probes only, or NULL */
    const char *tls_cert, *tls_key;   /* PEM files: serve HTTPS (both or neither); NULL: HTTP */
    const char *db;                   /* SQLite file (or sqlite:PATH) */
    const char *tokens_file;          /* NULL: no authentication */
    double lease_ttl;                 /* seconds a lease lives without a heartbeat */
    unsigned max_lost;                /* lost leases after which a job fails */
    double backoff_base, backoff_max; /* delay before a job whose lease expired is leased again */
    double long_poll_max;             /* longest wait for work a node may ask for */
    size_t max_body;                  /* largest request body (client and node calls) */
    size_t max_result_body;           /* largest result body (the node's reports) */
    unsigned max_connections;
    unsigned max_per_client;     /* connections from one client address (0: no cap) */
    unsigned connection_timeout; /* seconds an idle or incomplete request may hold a connection */
    int db_sync_full;
    const StorageConfig *storage; /* URI syntax and allow-list for submitted inputs */
    /* What the scoring engine offers, given by the program that links it (the controller
     * does not): GET /v1/models serves catalog (JSON text); check_scoring refuses a submitted
     * job whose models or features the engine would refuse (-1, the field and a message).
     * NULL: not served / only the syntax is checked. */
    const char *catalog;
    int (*check_scoring)(const JobSpec *job, char *field, size_t fn, char *err, size_t n);
    /* Chunked jobs: frames per chunk when a job does not say (0: jobs are not chunked), and
     * the merge of the chunks' results into the job's reports (malloc'ed texts), given by
     * the program that links the engine; NULL: jobs are never chunked. 0 or -1 with err. */
    unsigned chunk_frames;
    int (*merge)(const char *spec, const char *const *texts, const size_t *lens, unsigned n, char **json,
                 char **xml, char **csv, char *err, size_t en);
    Log log;
    EventConfig events;    /* GET /v1/events */
    WebhookConfig webhook; /* completion webhooks */
} ControllerConfig;

typedef struct Controller {
    ControllerConfig cfg;
    Store *store;
    Auth *auth;
    Metrics metrics;
    HttpServer *http;
    HttpServer *probe_http;    /* NULL unless probe_listen is set */
    pthread_mutex_t wake_lock; /* with wake: nodes waiting for work, and the sweeper */
    pthread_cond_t wake;
    atomic_int stopping; /* set once at shutdown: long polls end, /readyz says 503 */
    pthread_t sweeper;
    int sweeper_started;
    pthread_mutex_t ready_lock; /* with ready_at, ready_err: /readyz's write probe, at most one a second */
    double ready_at;
    int ready_err;
    EventHub *events;
    Webhooks *webhooks;
    NodeRemotes remotes; /* the rclone remotes each node reported */
} Controller;

int controller_start(Controller **out, const ControllerConfig *cfg, char *err, size_t n);
int controller_port(const Controller *c);
/* Stops accepting, ends long polls, waits for requests in progress, closes the store. */
void controller_stop(Controller *c);

/* Wall-clock seconds (what the store's timestamps are). */
double controller_now(void);
/* New work may be there: wakes nodes waiting for a lease. */
void controller_wake(Controller *c);
/* Waits until woken or for at most secs. */
void controller_wait(Controller *c, double secs);

/* The HTTP side (api.c). */
void api_handle(void *user, const HttpReq *rq, HttpResp *resp);
/* The probe address: the open endpoints only (/healthz, /readyz, /metrics). */
void api_handle_probe(void *user, const HttpReq *rq, HttpResp *resp);
size_t api_body_cap(void *user, const char *method, const char *url);

#endif
