/* Completion webhooks: when a job that has one ends (completed, failed, cancelled), the
 * controller POSTs a JSON event to its URL, signed with HMAC-SHA256 over
 * "<timestamp>.<body>" with the controller's secret (docs/webhooks.md shows how to check it).
 *
 * Delivery is at least once: the deliveries row is written with the job (store.h,
 * DeliveryOps), a few sender threads claim the due ones, and a failed attempt is retried
 * with exponential backoff until max_attempts or max_age; the state lives in the store, so a
 * restarted controller goes on where it was, neither losing nor repeating the schedule.
 * Targets are checked against the allow-list at submit and again, resolved, before each
 * attempt (the address checked is the one connected to). */
#ifndef VMAFX_CONTROLLER_WEBHOOK_H
#define VMAFX_CONTROLLER_WEBHOOK_H

#include <stddef.h>

#define WEBHOOK_MAX_ALLOW 32

typedef struct WebhookConfig {
    const char *default_url;              /* for jobs that name none; NULL: none */
    const char *secret_file;              /* the signing key; NULL: webhooks are refused */
    const char *allow[WEBHOOK_MAX_ALLOW]; /* URL prefixes; none: any address but loopback,
                                               link-local and metadata ones */
    unsigned n_allow;
    const char *public_url;           /* the controller's URL for links in events; NULL: paths */
    const char *ca_file;              /* CA bundle for https targets; NULL: the system's */
    double backoff_base, backoff_max; /* retry delay: base * 2^(attempt-1), capped */
    double max_age;                   /* no attempt later than this after the first */
    unsigned max_attempts;
    double timeout;   /* one attempt, connect to answer */
    unsigned senders; /* sender threads */
} WebhookConfig;

/* The target rules of a URL (its syntax, the allow-list, the address classes); with resolve,
 * its host is looked up and every address checked, and addr gets the one to connect to.
 * 0, -EPERM (refused: err says why), -EHOSTUNREACH (did not resolve), -EINVAL (malformed). */
int webhook_check_target(const WebhookConfig *cfg, const char *url, int resolve, char *addr, size_t an,
                         char *err, size_t n);

/* "sha256=" and the hex HMAC-SHA256 of "<timestamp>.<body>" under key. */
int webhook_sign(const void *key, size_t klen, const char *timestamp, const char *body, size_t blen,
                 char out[7 + 64 + 1]);

/* One POST of body to url, connecting to addr; 0 on a 2xx answer, else -1 with err. */
int webhook_post(const WebhookConfig *cfg, const char *url, const char *addr, const char *headers,
                 const char *body, char *err, size_t n);

struct Controller;
typedef struct Webhooks Webhooks;

/* Reads the secret and starts the senders (none are started without a secret). */
int webhooks_start(Webhooks **out, struct Controller *c, char *err, size_t n);
/* A job may have ended: look for due deliveries now. */
void webhooks_wake(Webhooks *w);
/* 1 when a signing secret is loaded (a webhook may be accepted). */
int webhooks_enabled(const Webhooks *w);
/* Lets attempts in progress finish (each is bounded by the timeout) and joins the senders. */
void webhooks_stop(Webhooks *w);

#endif
