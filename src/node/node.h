/* vmafx-node's worker: N slots, each leasing one job at a time from the controller and
 * running it in process; one control thread that registers, renews the leases (heartbeat),
 * reports progress every second and passes cancellations to the running jobs; and a drain
 * that lets running jobs finish until a deadline, then stops them and hands them back. */
#ifndef VMAFX_NODE_NODE_H
#define VMAFX_NODE_NODE_H

#include <stddef.h>

#include "api/apiclient.h"
#include "base/log.h"
#include "executor.h"

typedef struct NodeConfig {
    ApiEndpoint controller;
    const char *token_file; /* re-read on every call; NULL: no token */
    char node_id[128];
    unsigned slots;
    double poll_wait;     /* seconds one request for work may wait (long-poll) */
    double drain_timeout; /* seconds running jobs may go on after SIGTERM */
    double result_retry;  /* seconds a result is retried while the controller is away */
    ExecSettings exec;
    Log log;
    /* The controller refusing the node's token (401, 403) for refused_timeout seconds in a row
     * (0: at the first refusal): nothing will work until someone fixes the token. Until then
     * the node says so every REFUSED_EVERY seconds and re-reads token_file on every call (a
     * rotation may be under way); then on_fatal is called once, from a worker thread, and the
     * program should stop (node_drain then stops at once). NULL: the node only logs it. */
    double refused_timeout;
    void (*on_fatal)(void *user, const char *msg);
    void *fatal_user;
} NodeConfig;

typedef struct Node Node;

int node_start(Node **out, const NodeConfig *cfg, char *err, size_t n);
/* Stops leasing; waits for running jobs up to the drain timeout; stops the rest and releases
 * them back to pending (not counted as lost); returns when every thread has ended. */
void node_drain(Node *nd);
void node_free(Node *nd);
/* Why on_fatal was called (its message), or NULL. */
const char *node_fatal_error(Node *nd);

#endif
