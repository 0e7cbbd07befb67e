/* The settings of vmafx-node. */
#include <string.h>

#include "service_options.h"

static const ConfigOption base[] = {
    { "controller", 0, "VMAFX_CONTROLLER_ADDR", OPT_STRING, "http://127.0.0.1:8080", "URL",
      "the controller's address" },
    { "node-id", 0, "VMAFX_NODE_ID", OPT_STRING, NULL, "NAME",
      "this node's name in the controller (default: the host name; the pod name on Kubernetes)" },
    { "controller-ca-file", 0, "VMAFX_CONTROLLER_CA_FILE", OPT_STRING, NULL, "PATH",
      "https controller: verify its certificate against this CA bundle (PEM) instead of the system's" },
    { "token-file", 0, "VMAFX_NODE_TOKEN_FILE", OPT_STRING, NULL, "PATH",
      "file holding the node's bearer token (role node); read again on every call, so tokens rotate" },
    { "refused-token-timeout", 0, "VMAFX_REFUSED_TOKEN_TIMEOUT", OPT_STRING, "120", "SECONDS",
      "when the controller refuses the token this long (re-read meanwhile: a rotation may be under way; said "
      "every 10 s), exit 1 with the reason (0: at the first refusal)" },
    { "slots", 0, "VMAFX_NODE_SLOTS", OPT_UINT, "1", "N", "jobs run at once (1 to 64)" },
    { "drain-timeout", 0, "VMAFX_DRAIN_TIMEOUT", OPT_STRING, "120", "SECONDS",
      "after SIGTERM, running jobs may finish for this long; then they are stopped and handed back" },
    { "poll-wait", 0, "VMAFX_POLL_WAIT", OPT_STRING, "5", "SECONDS",
      "how long one request for work waits at the controller (a new job is handed out at once)" },
    { "result-retry", 0, "VMAFX_RESULT_RETRY", OPT_STRING, "3600", "SECONDS",
      "how long a finished job's result is retried while the controller is unreachable" },
    { "threads", 0, "VMAFX_THREADS", OPT_UINT, "1", "N",
      "engine threads per job, when the job does not say" },
    { "cpu", 0, "VMAFX_CPU", OPT_STRING, "auto", "LEVEL",
      "kernel level: auto, scalar, avx2, avx2vnni, avx512, avx512vnni" },
    { "stall-timeout", 0, "VMAFX_STALL_TIMEOUT", OPT_STRING, "30", "SECONDS",
      "URL inputs: fail when no data arrives for this long" },
    { "http-retries", 0, "VMAFX_HTTP_RETRIES", OPT_UINT, "3", "N",
      "URL inputs: resume a cut transfer with a range request at most N times in a row" },
    { "tls-ca-file", 0, "VMAFX_TLS_CA_FILE", OPT_STRING, NULL, "PATH",
      "https inputs: verify servers against this CA bundle instead of the system's" },
    { "log-level", 0, "VMAFX_LOG_LEVEL", OPT_STRING, "info", "LEVEL", "error, warning, info or debug" },
    { "version", 0, NULL, OPT_FLAG, NULL, NULL, "print the version and exit" },
};

size_t node_options(ConfigOption *out, size_t cap)
{
    size_t n = sizeof(base) / sizeof(base[0]);
    if (n > cap) n = cap;
    memcpy(out, base, n * sizeof(*out));
    return n + storage_option_rows(out + n, cap - n, NULL);
}
