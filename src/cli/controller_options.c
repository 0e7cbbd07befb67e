/* The settings of vmafx-controller. */
#include <string.h>

#include "service_options.h"

static const ConfigOption base[] = {
    { "listen", 0, "VMAFX_LISTEN", OPT_STRING, "127.0.0.1:8080", "HOST:PORT",
      "address of the HTTP API (0.0.0.0:8080 in containers; port 0: any free port, printed at start)" },
    { "tls-cert", 0, "VMAFX_TLS_CERT", OPT_STRING, NULL, "PATH",
      "serve HTTPS with this certificate (PEM; the chain after it); needs --tls-key" },
    { "tls-key", 0, "VMAFX_TLS_KEY", OPT_STRING, NULL, "PATH", "the private key of --tls-cert (PEM)" },
    { "probe-listen", 0, "VMAFX_PROBE_LISTEN", OPT_STRING, NULL, "HOST:PORT",
      "a second address that answers only GET /healthz, /readyz and /metrics, over plain HTTP and "
      "with connections of its own: point liveness and readiness probes at it so that they are "
      "answered while clients hold every connection of --listen" },
    { "db", 0, "VMAFX_DB", OPT_STRING, "vmafx.db", "PATH",
      "job database: a SQLite file, created on first start, or a postgres:// DSN" },
    { "db-sync", 0, "VMAFX_DB_SYNC", OPT_STRING, "normal", "MODE",
      "normal: a commit survives a killed controller; full: also a power loss (an fsync per commit)" },
    { "tokens-file", 0, "VMAFX_TOKENS_FILE", OPT_STRING, NULL, "PATH",
      "API tokens, one a line: TOKEN ROLE [NAME] with ROLE reader, writer, admin or node; re-read when it "
      "changes. Without it the API is open, which is only allowed on a loopback address" },
    { "allow-no-auth", 0, "VMAFX_ALLOW_NO_AUTH", OPT_FLAG, NULL, NULL,
      "run without --tokens-file on a non-loopback address (trusted networks only)" },
    { "lease-ttl", 0, "VMAFX_LEASE_TTL", OPT_STRING, "60", "SECONDS",
      "a job's lease expires when its node has not renewed it for this long" },
    { "max-lost-attempts", 0, "VMAFX_MAX_LOST_ATTEMPTS", OPT_UINT, "3", "N",
      "a job whose lease expired this many times fails, naming the last node" },
    { "retry-backoff", 0, "VMAFX_RETRY_BACKOFF", OPT_STRING, "5", "SECONDS",
      "delay before a job whose lease expired is leased again; doubles with each lost lease" },
    { "retry-backoff-max", 0, "VMAFX_RETRY_BACKOFF_MAX", OPT_STRING, "300", "SECONDS", "cap on that delay" },
    { "long-poll-max", 0, "VMAFX_LONG_POLL_MAX", OPT_STRING, "30", "SECONDS",
      "longest time a node's request for work waits for a job" },
    { "max-body", 0, "VMAFX_MAX_BODY", OPT_STRING, "1M", "BYTES",
      "largest request body (submits, node calls); larger ones get 413" },
    { "max-result-body", 0, "VMAFX_MAX_RESULT_BODY", OPT_STRING, "1G", "BYTES",
      "largest result a node may upload (the per-frame reports of one job)" },
    { "max-connections", 0, "VMAFX_MAX_CONNECTIONS", OPT_UINT, "1024", "N",
      "most simultaneous HTTP connections" },
    { "max-connections-per-client", 0, "VMAFX_MAX_CONNECTIONS_PER_CLIENT", OPT_UINT, "64", "N",
      "most simultaneous HTTP connections from one client address (0: no cap), so that one client "
      "cannot take every connection; behind a proxy every client has the proxy's address" },
    { "connection-timeout", 0, "VMAFX_CONNECTION_TIMEOUT", OPT_UINT, "10", "SECONDS",
      "a connection idle this long, or whose request does not arrive within it, is closed "
      "(a node's long poll for work is not idle)" },
    { "events-max-streams", 0, "VMAFX_EVENTS_MAX_STREAMS", OPT_UINT, "0", "N",
      "most GET /v1/events streams open at once (each holds a connection and its thread); more get 503; "
      "0: a quarter of --max-connections, at most 64" },
    { "events-buffer", 0, "VMAFX_EVENTS_BUFFER", OPT_UINT, "1024", "N",
      "job events kept in memory: a stream that reconnects with Last-Event-ID resumes if its "
      "events are still there" },
    { "events-max-lag", 0, "VMAFX_EVENTS_MAX_LAG", OPT_UINT, "512", "N",
      "a stream whose client is this many events behind is ended (a slow client never holds the "
      "controller back); at most --events-buffer" },
    { "events-keepalive", 0, "VMAFX_EVENTS_KEEPALIVE", OPT_STRING, "15", "SECONDS",
      "a comment line on a quiet event stream this often" },
    { "webhook-url", 0, "VMAFX_WEBHOOK_URL", OPT_STRING, NULL, "URL",
      "webhook for jobs that name none (webhook_url): told when each job ends" },
    { "webhook-secret-file", 0, "VMAFX_WEBHOOK_SECRET_FILE", OPT_STRING, NULL, "PATH",
      "key that signs webhook events (HMAC-SHA256, at least 16 bytes); without it jobs with a "
      "webhook are refused" },
    { "webhook-allow", 0, "VMAFX_WEBHOOK_ALLOW", OPT_STRING, NULL, "PREFIX,...",
      "webhook URLs must lie under one of these URL prefixes; a prefix also admits loopback and "
      "link-local targets, which are refused otherwise (default: any other address)" },
    { "webhook-retry-backoff", 0, "VMAFX_WEBHOOK_RETRY_BACKOFF", OPT_STRING, "10", "SECONDS",
      "delay before a failed webhook delivery is tried again; doubles with each attempt" },
    { "webhook-retry-backoff-max", 0, "VMAFX_WEBHOOK_RETRY_BACKOFF_MAX", OPT_STRING, "3600", "SECONDS",
      "cap on that delay" },
    { "webhook-max-age", 0, "VMAFX_WEBHOOK_MAX_AGE", OPT_STRING, "86400", "SECONDS",
      "a delivery is given up (state failed) when its next attempt would come this long after its first" },
    { "webhook-max-attempts", 0, "VMAFX_WEBHOOK_MAX_ATTEMPTS", OPT_UINT, "50", "N",
      "a delivery is given up after this many attempts" },
    { "webhook-timeout", 0, "VMAFX_WEBHOOK_TIMEOUT", OPT_STRING, "10", "SECONDS",
      "one delivery attempt, connect to answer" },
    { "webhook-ca-file", 0, "VMAFX_WEBHOOK_CA_FILE", OPT_STRING, NULL, "PATH",
      "CA bundle for https webhook targets (default: the system's)" },
    { "public-url", 0, "VMAFX_PUBLIC_URL", OPT_STRING, NULL, "URL",
      "this controller's URL as clients reach it: webhook events link to jobs with it (default: paths)" },
    { "chunk-frames", 0, "VMAFX_CHUNK_FRAMES", OPT_UINT, "0", "N",
      "cut jobs that do not say (chunk_frames) into chunks of N frames, scored on any free nodes and merged "
      "into one report (0: jobs run whole)" },
    { "log-level", 0, "VMAFX_LOG_LEVEL", OPT_STRING, "info", "LEVEL", "error, warning, info or debug" },
    { "version", 0, NULL, OPT_FLAG, NULL, NULL, "print the version and exit" },
};

/* Submitted inputs are checked against the same URI rules and allow-list as the nodes use. */
static const char *const storage_rows[] = { "storage-allow", "storage-remotes", "storage-connection-strings",
                                            NULL };

size_t controller_options(ConfigOption *out, size_t cap)
{
    size_t n = sizeof(base) / sizeof(base[0]);
    if (n > cap) n = cap;
    memcpy(out, base, n * sizeof(*out));
    return n + storage_option_rows(out + n, cap - n, storage_rows);
}
