/* vmafx-node: leases scoring jobs from the controller and runs them in process. SIGTERM or
 * SIGINT drains it (see node.h) and it exits 0. Signals are taken with sigwait() in the main
 * thread (blocked in every other thread), so no handler or flag is needed. */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "node/node.h"
#include "service_options.h"

static int node_settings(const ConfigValues *v, NodeConfig *c, char *err, size_t n)
{
    double stall = 30;
    if (option_seconds(v, "drain-timeout", 0, 86400, &c->drain_timeout, err, n) ||
        option_seconds(v, "poll-wait", 0, 300, &c->poll_wait, err, n) ||
        option_seconds(v, "result-retry", 0, 7 * 86400, &c->result_retry, err, n) ||
        option_seconds(v, "refused-token-timeout", 0, 86400, &c->refused_timeout, err, n) ||
        option_seconds(v, "stall-timeout", 0.1, 86400, &stall, err, n) ||
        config_uint(v, "slots", &c->slots, err, n) ||
        config_uint(v, "threads", &c->exec.run.threads, err, n) ||
        config_uint(v, "http-retries", &c->exec.run.http_retries, err, n))
        return -1;
    c->exec.run.stall_timeout = stall;
    if (c->slots < 1 || c->slots > 64) return snprintf(err, n, "--slots / VMAFX_NODE_SLOTS: 1 to 64"), -1;
    return 0;
}

static int build_config(const ConfigValues *v, NodeConfig *c, StorageConfig *sc)
{
    char err[1024];
    memset(c, 0, sizeof(*c));
    c->token_file = config_str(v, "token-file");
    c->exec.run.tls_ca_file = config_str(v, "tls-ca-file");
    c->log.level = log_level_parse(config_str(v, "log-level"));
    cli_log_setup(&c->log);
    const char *id = config_str(v, "node-id");
    if (id) snprintf(c->node_id, sizeof(c->node_id), "%s", id);
    else if (gethostname(c->node_id, sizeof(c->node_id) - 1))
        snprintf(c->node_id, sizeof(c->node_id), "node");
    if (strspn(c->node_id, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") !=
        strlen(c->node_id))
        return cli_error("--node-id / VMAFX_NODE_ID: '%s' may only have letters, digits, '.', '_' and '-'",
                         c->node_id);
    storage_config_defaults(sc);
    if (api_parse_addr(config_str(v, "controller"), &c->controller, err, sizeof(err)) ||
        node_settings(v, c, err, sizeof(err)) || apply_storage_options(v, sc, err, sizeof(err)))
        return cli_error("%s", err);
    c->controller.ca_file = config_str(v, "controller-ca-file");
    sc->log = c->log;
    return cli_parse_cpu(config_str(v, "cpu"), &c->exec.run.cpu);
}

/* The node's token was refused: wakes the main thread's sigwait (SIGUSR1 is blocked in every
 * thread, so only sigwait takes it). The message is kept by the node (node_fatal_error). */
static void on_fatal(void *user, const char *msg)
{
    (void)user;
    (void)msg;
    kill(getpid(), SIGUSR1);
}

static int run(NodeConfig *cfg, const StorageConfig *sc)
{
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGUSR1);
    pthread_sigmask(SIG_BLOCK, &set, NULL); /* before any thread: all of them inherit it */
    signal(SIGPIPE, SIG_IGN);
    char err[1024];
    if (storage_open(&cfg->exec.storage, sc, err, sizeof(err))) {
        cli_error("storage: %s", err);
        return 1;
    }
    ExecAbandoned abandoned;
    exec_abandoned_init(&abandoned);
    cfg->exec.abandoned = &abandoned;
    cfg->on_fatal = on_fatal;
    Node *nd;
    if (node_start(&nd, cfg, err, sizeof(err))) {
        exec_wait_abandoned(&abandoned);
        storage_close(cfg->exec.storage);
        cli_error("%s", err);
        return 1;
    }
    cli_note("%s working for %s:%d with %u slot%s", cfg->node_id, cfg->controller.host, cfg->controller.port,
             cfg->slots, cfg->slots == 1 ? "" : "s");
    int sig = 0;
    sigwait(&set, &sig);
    if (sig == SIGUSR1)
        cli_error("%s; check --token-file / VMAFX_NODE_TOKEN_FILE against the controller's "
                  "--tokens-file (role node); stopping",
                  node_fatal_error(nd));
    else cli_note("%s: draining", sig == SIGINT ? "SIGINT" : "SIGTERM");
    node_drain(nd);
    node_free(nd);
    exec_wait_abandoned(&abandoned); /* cancelled jobs' preparations release their inputs first */
    storage_close(cfg->exec.storage);
    cli_note("stopped");
    return sig == SIGUSR1 ? 1 : 0;
}

int main(int argc, char **argv)
{
    ConfigOption opts[CONFIG_MAX_OPTIONS];
    size_t n = node_options(opts, CONFIG_MAX_OPTIONS);
    ConfigValues v;
    char err[512];
    if (config_parse(&v, opts, n, argc, argv, err, sizeof(err))) {
        cli_error("%s (see vmafx-node --help)", err);
        return 2;
    }
    int rc = 0;
    NodeConfig cfg;
    StorageConfig sc;
    if (v.help) config_help(stdout, "usage: vmafx-node [options]", opts, n);
    else if (config_flag(&v, "version")) printf("vmafx-node %s\n", VMAFX_VERSION);
    else if (v.n_positional) rc = (cli_error("unexpected argument '%s'", v.positional[0]), 2);
    else rc = build_config(&v, &cfg, &sc) ? 2 : run(&cfg, &sc);
    config_free(&v);
    return rc;
}
