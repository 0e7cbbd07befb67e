/* The settings of the client commands: vmafx submit, status, wait, cancel, results, jobs. */
#include "service_options.h"

/* clang-format off */
#define CONNECTION_ROWS \
    { "controller", 0, "VMAFX_CONTROLLER_ADDR", OPT_STRING, "http://127.0.0.1:8080", "URL", \
      "the controller's address" }, \
    { "token", 0, "VMAFX_TOKEN", OPT_STRING, NULL, "TOKEN", \
      "bearer token (role reader; writer to submit and cancel)" }, \
    { "token-file", 0, "VMAFX_TOKEN_FILE", OPT_STRING, NULL, "PATH", \
      "read the token from this file instead" }, \
    { "controller-ca-file", 0, "VMAFX_CONTROLLER_CA_FILE", OPT_STRING, NULL, "PATH", \
      "https controller: verify its certificate against this CA bundle (PEM) instead of the system's" }
/* clang-format on */

#define WAIT_ROWS                                                                                    \
    { "timeout", 0, NULL, OPT_STRING, NULL, "SECONDS", "give up waiting after this long (exit 3)" }, \
    {                                                                                                \
        "quiet", 'q', NULL, OPT_FLAG, NULL, NULL, "no progress bar"                                  \
    }

static const ConfigOption submit_opts[] = {
    CONNECTION_ROWS,
    { "reference", 'r', NULL, OPT_STRING, NULL, "URI",
      "reference input: a path on the node, http(s)://, s3://, gcs://, "
      "azblob://, sftp://, rclone://remote:path or remote:path" },
    { "distorted", 'd', NULL, OPT_STRING, NULL, "URI", "distorted input (same kinds)" },
    { "model", 'm', NULL, OPT_LIST, NULL, "SPEC",
      "built-in model: NAME or version=NAME with :name=N :enable_transform "
      ":disable_clip; repeatable (default vmaf_v0.6.1)" },
    { "feature", 0, NULL, OPT_LIST, NULL, "NAME",
      "extra feature (NAME=opt=val:...; vmafx score --help lists them); repeatable" },
    { "width", 'w', NULL, OPT_UINT, NULL, "N", "width of raw .yuv input" },
    { "height", 'h', NULL, OPT_UINT, NULL, "N", "height of raw .yuv input" },
    { "pixel_format", 'p', NULL, OPT_STRING, NULL, "FMT", "pixel format of raw .yuv input: 420, 422, 444" },
    { "bitdepth", 'b', NULL, OPT_UINT, NULL, "N", "bit depth of raw .yuv input: 8, 10, 12, 16" },
    { "subsample", 's', NULL, OPT_UINT, NULL, "N", "score every N-th frame" },
    { "frame_cnt", 0, NULL, OPT_UINT, NULL, "N", "score at most N frames" },
    { "frame_skip_ref", 0, NULL, OPT_UINT, NULL, "N", "skip the first N reference frames" },
    { "frame_skip_dist", 0, NULL, OPT_UINT, NULL, "N", "skip the first N distorted frames" },
    { "sync", 0, NULL, OPT_STRING, NULL, "auto[:N]",
      "find and apply the frame offset within +-N (default 10)" },
    { "scale", 0, NULL, OPT_STRING, NULL, "METHOD",
      "scaling of a distorted input of another size: bicubic, bilinear, "
      "lanczos, none" },
    { "scale-to", 0, NULL, OPT_STRING, NULL, "WxH", "scale both inputs to this size" },
    { "fps-mismatch", 0, NULL, OPT_STRING, NULL, "MODE",
      "inputs of different frame rates: warn (default), error, resample" },
    { "threads", 't', NULL, OPT_UINT, NULL, "N", "engine threads on the node (default: the node's setting)" },
    { "no_prediction", 'n', NULL, OPT_FLAG, NULL, NULL, "compute features only, no model score" },
    { "aom_ctc", 0, NULL, OPT_STRING, NULL, "VERSION",
      "libvmaf's AOM CTC preset v1.0 to v7.0 (see vmafx score --help)" },
    { "nflx_ctc", 0, NULL, OPT_STRING, NULL, "VERSION", "libvmaf's Netflix CTC preset v1.0" },
    { "priority", 0, NULL, OPT_STRING, NULL, "N", "-1000 to 1000; higher runs first (default 0)" },
    { "chunk-frames", 0, NULL, OPT_UINT, NULL, "N",
      "score the job as chunks of N frames on any free nodes, merged into one report (0: one piece; default: "
      "the controller's VMAFX_CHUNK_FRAMES)" },
    { "label", 'l', NULL, OPT_LIST, NULL, "KEY=VALUE",
      "label the job (filter with vmafx jobs --label); repeatable" },
    { "idempotency-key", 0, NULL, OPT_STRING, NULL, "KEY", "makes a retried submit return the same job" },
    { "webhook-url", 0, NULL, OPT_STRING, NULL, "URL",
      "the controller POSTs a signed event here when the job ends "
      "(docs/webhooks.md)" },
    { "wait", 0, NULL, OPT_FLAG, NULL, NULL, "wait for the job to end and print its scores" },
    WAIT_ROWS,
};

static const ConfigOption status_opts[] = {
    CONNECTION_ROWS,
    { "json", 0, NULL, OPT_FLAG, NULL, NULL, "print the job as the API returns it" },
};

static const ConfigOption wait_opts[] = { CONNECTION_ROWS, WAIT_ROWS };

static const ConfigOption cancel_opts[] = { CONNECTION_ROWS };

static const ConfigOption results_opts[] = {
    CONNECTION_ROWS,
    { "json", 0, NULL, OPT_FLAG, NULL, NULL,
      "libvmaf's JSON layout (the default, unless -o names a .xml, .csv or .sub file)" },
    { "xml", 0, NULL, OPT_FLAG, NULL, NULL, "libvmaf's XML layout" },
    { "csv", 0, NULL, OPT_FLAG, NULL, NULL, "libvmaf's CSV layout" },
    { "sub", 0, NULL, OPT_FLAG, NULL, NULL, "libvmaf's MicroDVD subtitles (as vmafx score --sub)" },
    { "output", 'o', NULL, OPT_STRING, NULL, "PATH", "write here instead of standard output" },
};

static const ConfigOption jobs_opts[] = {
    CONNECTION_ROWS,
    { "status", 0, NULL, OPT_STRING, NULL, "STATE",
      "only jobs in this state: pending, running, completed, failed, cancelled" },
    { "label", 'l', NULL, OPT_STRING, NULL, "KEY[=VALUE]", "only jobs with this label" },
    { "limit", 0, NULL, OPT_UINT, "50", "N", "jobs per page (1 to 1000)" },
    { "cursor", 0, NULL, OPT_STRING, NULL, "CURSOR", "start at this page (printed after a full page)" },
    { "json", 0, NULL, OPT_FLAG, NULL, NULL, "print the page as the API returns it (--format json)" },
    { "format", 0, NULL, OPT_STRING, "table", "FMT",
      "table (short ids, scores, labels, inputs, errors), csv (full ids "
      "and URIs) or json (the API's page)" },
    { "summary", 0, NULL, OPT_STRING, NULL, "KEY",
      "instead of the jobs, one line per value of label KEY: jobs, "
      "completed, failed, mean/min/max of the first model's score (over the jobs of this page)" },
};

static const ConfigOption compare_opts[] = {
    CONNECTION_ROWS,
    { "metric", 0, NULL, OPT_STRING, NULL, "NAME",
      "the per-frame value compared (default: job A's first model, e.g. vmaf)" },
    { "worst", 0, NULL, OPT_UINT, "5", "N", "list the N frames where B falls furthest below A" },
    { "per-frame", 0, NULL, OPT_FLAG, NULL, NULL, "also print every frame's values and difference" },
    { "json", 0, NULL, OPT_FLAG, NULL, NULL, "everything as JSON (per_frame included)" },
};

#define CMD(name, usage, summary, t)                        \
    {                                                       \
        name, usage, summary, t, sizeof(t) / sizeof((t)[0]) \
    }

static const ClientCommand commands[] = {
    CMD("submit", "usage: vmafx submit -r URI -d URI [options] [--wait]",
        "submit a scoring job to the controller", submit_opts),
    CMD("status", "usage: vmafx status ID [--json]", "show a job", status_opts),
    CMD("wait", "usage: vmafx wait ID", "wait for a job to end (progress, fps and ETA on a terminal)",
        wait_opts),
    CMD("cancel", "usage: vmafx cancel ID", "cancel a pending or running job", cancel_opts),
    CMD("results", "usage: vmafx results ID [--json|--csv|--xml|--sub] [-o PATH]",
        "a completed job's per-frame report", results_opts),
    CMD("jobs", "usage: vmafx jobs [--status S] [--label K=V] [--format table|csv|json] [--summary KEY]",
        "list jobs, newest first", jobs_opts),
    CMD("compare", "usage: vmafx compare JOB_A JOB_B [--metric NAME] [--json]",
        "two completed jobs frame by frame: means, 1% lows, worst frames", compare_opts),
};

const ClientCommand *client_commands(size_t *n)
{
    *n = sizeof(commands) / sizeof(commands[0]);
    return commands;
}
