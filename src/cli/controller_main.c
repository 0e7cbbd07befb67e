/* vmafx-controller: the job queue's HTTP API over SQLite or PostgreSQL. Runs until SIGTERM or SIGINT, then
 * stops accepting, lets requests in progress finish and exits 0. Signals are taken with
 * sigwait() in the main thread (blocked everywhere else), so no handler or flag is needed. */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/redact.h"
#include "catalog.h"
#include "controller_merge.h"
#include "cli.h"
#include "controller/controller.h"
#include "service_options.h"

static int loopback(const char *listen)
{
    return !strncmp(listen, "127.", 4) || !strncmp(listen, "[::1]:", 6) || !strncmp(listen, "localhost:", 10);
}

/* --webhook-allow's comma-separated prefixes, split in place in buf (kept for the run). */
static int webhook_allow(const char *list, WebhookConfig *w, char *buf, size_t n)
{
    if (!list) return 0;
    if (strlen(list) >= n) return cli_error("--webhook-allow: longer than %zu characters", n - 1);
    snprintf(buf, n, "%s", list);
    for (char *save = NULL, *p = strtok_r(buf, ",", &save); p; p = strtok_r(NULL, ",", &save)) {
        if (w->n_allow == WEBHOOK_MAX_ALLOW)
            return cli_error("--webhook-allow: at most %d prefixes", WEBHOOK_MAX_ALLOW);
        if (strncmp(p, "http://", 7) && strncmp(p, "https://", 8))
            return cli_error("--webhook-allow: '%s' is not an http:// or https:// URL prefix", p);
        w->allow[w->n_allow++] = p;
    }
    return 0;
}

/* Event stream and webhook settings; the default URL must pass its own rules. */
static int hooks_config(const ConfigValues *v, ControllerConfig *c)
{
    static char allow[8192];
    char err[512];
    EventConfig *e = &c->events;
    WebhookConfig *w = &c->webhook;
    *e = (EventConfig){ .progress_every_s = 0.5 };
    *w = (WebhookConfig){ .senders = 4 };
    w->default_url = config_str(v, "webhook-url");
    w->secret_file = config_str(v, "webhook-secret-file");
    w->ca_file = config_str(v, "webhook-ca-file");
    w->public_url = config_str(v, "public-url");
    if (config_uint(v, "events-max-streams", &e->max_streams, err, sizeof(err)) ||
        config_uint(v, "events-buffer", &e->ring, err, sizeof(err)) ||
        config_uint(v, "events-max-lag", &e->max_lag, err, sizeof(err)) ||
        option_seconds(v, "events-keepalive", 0.1, 300, &e->keepalive_s, err, sizeof(err)) ||
        option_seconds(v, "webhook-retry-backoff", 0.01, 86400, &w->backoff_base, err, sizeof(err)) ||
        option_seconds(v, "webhook-retry-backoff-max", 0.01, 7 * 86400, &w->backoff_max, err, sizeof(err)) ||
        option_seconds(v, "webhook-max-age", 1, 30 * 86400, &w->max_age, err, sizeof(err)) ||
        option_seconds(v, "webhook-timeout", 0.1, 300, &w->timeout, err, sizeof(err)) ||
        config_uint(v, "webhook-max-attempts", &w->max_attempts, err, sizeof(err)))
        return cli_error("%s", err);
    if (e->ring < 1 || e->ring > 1000000)
        return cli_error("--events-buffer: %u is not from 1 to 1000000", e->ring);
    if (e->max_lag < 1 || e->max_lag > e->ring)
        return cli_error("--events-max-lag: %u is not from 1 to --events-buffer (%u)", e->max_lag, e->ring);
    if (!e->max_streams) { /* the default: a quarter of the connections, so streams never take them all */
        unsigned quarter = c->max_connections / 4;
        e->max_streams = quarter < 1 ? 1 : quarter > 64 ? 64 : quarter;
    }
    if (e->max_streams >= c->max_connections)
        return cli_error("--events-max-streams: %u must be below --max-connections (%u)", e->max_streams,
                         c->max_connections);
    if (w->max_attempts < 1) return cli_error("--webhook-max-attempts: must be at least 1");
    if (webhook_allow(config_str(v, "webhook-allow"), w, allow, sizeof(allow))) return -1;
    if (w->default_url) {
        if (jobspec_webhook_url_ok(w->default_url, err, sizeof(err)))
            return cli_error("--webhook-url: %s", err);
        if (webhook_check_target(w, w->default_url, 0, NULL, 0, err, sizeof(err)))
            return cli_error("--webhook-url: refused: %s", err);
    }
    return 0;
}

static int build_config(const ConfigValues *v, ControllerConfig *c, StorageConfig *sc)
{
    char err[512];
    memset(c, 0, sizeof(*c));
    *c = (ControllerConfig){ .lease_ttl = 60,
                             .max_lost = 3,
                             .backoff_base = 5,
                             .backoff_max = 300,
                             .long_poll_max = 30,
                             .max_connections = 1024,
                             .max_per_client = 64,
                             .connection_timeout = 10 };
    c->listen = config_str(v, "listen");
    c->probe_listen = config_str(v, "probe-listen");
    c->tls_cert = config_str(v, "tls-cert");
    c->tls_key = config_str(v, "tls-key");
    if (!c->tls_cert != !c->tls_key) return cli_error("--tls-cert and --tls-key go together");
    c->db = config_str(v, "db");
    c->tokens_file = config_str(v, "tokens-file");
    const char *sync = config_str(v, "db-sync");
    if (strcmp(sync, "normal") && strcmp(sync, "full"))
        return cli_error("--db-sync: '%s' is not normal or full", sync);
    c->db_sync_full = !strcmp(sync, "full");
    c->log.level = log_level_parse(config_str(v, "log-level"));
    cli_log_setup(&c->log);
    storage_config_defaults(sc);
    c->storage = sc;
    /* the engine's models and features: served, and checked at submit (freed at exit) */
    c->catalog = cli_catalog_json();
    c->check_scoring = cli_check_job;
    c->merge = cli_merge_chunks;
    if (option_seconds(v, "lease-ttl", 0.5, 86400, &c->lease_ttl, err, sizeof(err)) ||
        option_seconds(v, "retry-backoff", 0, 86400, &c->backoff_base, err, sizeof(err)) ||
        option_seconds(v, "retry-backoff-max", 0, 86400, &c->backoff_max, err, sizeof(err)) ||
        option_seconds(v, "long-poll-max", 0, 300, &c->long_poll_max, err, sizeof(err)) ||
        option_bytes(v, "max-body", 4096, &c->max_body, err, sizeof(err)) ||
        option_bytes(v, "max-result-body", 4096, &c->max_result_body, err, sizeof(err)) ||
        config_uint(v, "max-lost-attempts", &c->max_lost, err, sizeof(err)) ||
        config_uint(v, "max-connections", &c->max_connections, err, sizeof(err)) ||
        config_uint(v, "max-connections-per-client", &c->max_per_client, err, sizeof(err)) ||
        config_uint(v, "connection-timeout", &c->connection_timeout, err, sizeof(err)) ||
        config_uint(v, "chunk-frames", &c->chunk_frames, err, sizeof(err)) ||
        apply_storage_options(v, sc, err, sizeof(err)))
        return cli_error("%s", err);
    if (c->max_lost < 1) return cli_error("--max-lost-attempts: must be at least 1");
    if (c->connection_timeout < 1 || c->connection_timeout > 3600)
        return cli_error("--connection-timeout: %u is not from 1 to 3600 seconds", c->connection_timeout);
    if (hooks_config(v, c)) return -1;
    if (!c->tokens_file && !loopback(c->listen) && !config_flag(v, "allow-no-auth"))
        return cli_error("refusing to serve an open API on %s: give --tokens-file (or --allow-no-auth on a "
                         "trusted network)",
                         c->listen);
    return 0;
}

/* Blocks the signals the main thread waits for, before any thread exists, so that every
 * thread inherits the mask and only sigwait() receives them. */
static void block_signals(sigset_t *set)
{
    sigemptyset(set);
    sigaddset(set, SIGTERM);
    sigaddset(set, SIGINT);
    pthread_sigmask(SIG_BLOCK, set, NULL);
    signal(SIGPIPE, SIG_IGN); /* a client that hangs up must not end the controller */
    signal(SIGXFSZ, SIG_IGN); /* a file size limit fails the write (answered 503), not the process */
}

static int serve(const ControllerConfig *cfg)
{
    sigset_t set;
    block_signals(&set);
    Controller *c;
    char err[1024];
    if (controller_start(&c, cfg, err, sizeof(err))) {
        cli_error("%s", err);
        return 1;
    }
    char db[1024];
    redact_copy(db, sizeof(db), cfg->db); /* a postgres:// DSN may carry a password */
    cli_note("listening on %s%s (port %d), database %s%s", cfg->tls_cert ? "https://" : "", cfg->listen,
             controller_port(c), db, cfg->tokens_file ? "" : ", no authentication");
    int sig = 0;
    sigwait(&set, &sig);
    cli_note("%s: finishing requests in progress", sig == SIGINT ? "SIGINT" : "SIGTERM");
    controller_stop(c);
    cli_note("stopped");
    return 0;
}

int main(int argc, char **argv)
{
    ConfigOption opts[CONFIG_MAX_OPTIONS];
    size_t n = controller_options(opts, CONFIG_MAX_OPTIONS);
    ConfigValues v;
    char err[512];
    if (config_parse(&v, opts, n, argc, argv, err, sizeof(err))) {
        cli_error("%s (see vmafx-controller --help)", err);
        return 2;
    }
    int rc = 0;
    ControllerConfig cfg;
    StorageConfig sc;
    if (v.help) config_help(stdout, "usage: vmafx-controller [options]", opts, n);
    else if (config_flag(&v, "version")) printf("vmafx-controller %s\n", VMAFX_VERSION);
    else if (v.n_positional) rc = (cli_error("unexpected argument '%s'", v.positional[0]), 2);
    else {
        rc = build_config(&v, &cfg, &sc) ? 2 : serve(&cfg);
        free((char *)cfg.catalog);
    }
    config_free(&v);
    return rc;
}
