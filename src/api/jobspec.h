/* The scoring request: two inputs, models, extra features, input options, and for a job a
 * priority and labels. One type, one parser and one validator serve every place a request
 * is made or read: `vmafx score` and `vmafx submit` (built from the same flags), the
 * controller (which validates what a client submits and stores the canonical text), and the
 * node (which reads the stored text back and runs it with pipeline_score_request, as
 * `vmafx score` does). A new scoring option is added here: a field, a row in the option
 * tables of jobspec.c, and a flag in cli/request_flags.c.
 *
 * What is not part of a request belongs to the host that runs it (engine threads by
 * default, the CPU level, URL timeouts: PipelineSettings) or to the command's output
 * (report format and path). */
#ifndef VMAFX_API_JOBSPEC_H
#define VMAFX_API_JOBSPEC_H

#include <stddef.h>

#define JOB_URI_MAX 4096
#define JOB_WEBHOOK_URL_MAX 2048
#define JOB_MAX_MODELS 8
#define JOB_MAX_FEATURES 16
#define JOB_MAX_LABELS 16
#define JOB_SPEC_MAX 256 /* one model or feature string */
#define JOB_LABEL_KEY_MAX 64
#define JOB_LABEL_VALUE_MAX 256
#define JOB_PRIORITY_LIMIT 1000 /* priorities are -1000 .. 1000, higher first */

/* The defaults a request falls back on, defined once. */
#define JOB_MODEL_DEFAULT "version=vmaf_v0.6.1"
#define JOB_SYNC_RANGE_DEFAULT 10 /* "sync": "auto" searches +-10 frames */
/* "auto:N" searches +-N frames. While it searches, each input's reader holds N plus the
 * comparison window of decoded frames in memory: 250 (+-10 s at 25 fps) is about 1.5 GB
 * for an 8-bit 1080p pair and 6 GB for 4K; the 1000 jobs once allowed would need 24 GB
 * for 10-bit 4K. One limit for the command and for jobs. */
#define JOB_SYNC_RANGE_MAX 250

/* Where a request comes from. A job (submitted through the API, run on a node) may only
 * name built-in models; `vmafx score` may also load a model file (path=). */
typedef enum { JOB_FROM_API, JOB_LOCAL } JobOrigin;

/* The options of `vmafx score` that make sense for a job; 0 / "" means "not given". */
typedef struct JobOptions {
    unsigned width, height, bitdepth; /* raw .yuv geometry */
    char pixel_format[4];             /* "420", "422", "444" */
    unsigned subsample;
    unsigned frame_cnt, frame_skip_ref, frame_skip_dist;
    char scale[12];        /* bicubic, bilinear, lanczos, none */
    char scale_to[16];     /* "WxH" */
    char sync[16];         /* "auto" or "auto:N" (jobspec_sync) */
    char fps_mismatch[12]; /* "warn" (default), "error", "resample" */
    unsigned threads;
    int no_prediction;
    char aom_ctc[16], nflx_ctc[16]; /* libvmaf's presets: "v1.0".."v7.0"; "v1.0" */
    int common_bitdepth;            /* set by a preset (jobspec_expand), never stored */
} JobOptions;

typedef struct JobSpec {
    char reference_uri[JOB_URI_MAX], distorted_uri[JOB_URI_MAX];
    char models[JOB_MAX_MODELS][JOB_SPEC_MAX];
    unsigned n_models;
    char features[JOB_MAX_FEATURES][JOB_SPEC_MAX];
    unsigned n_features;
    JobOptions opt;
    int priority;
    /* chunked jobs: frames per chunk; chunk_given 0: not given (the controller's default) */
    unsigned chunk_frames;
    int chunk_given;
    /* a chunk the controller leases: job frames [chunk_first, chunk_end) (chunk_end 0: to
     * the end); clients never set it */
    int chunk_set;
    unsigned chunk_first, chunk_end;
    /* a frame-count probe the controller leases for a job it cannot count itself: the node
     * opens the inputs and reports their frame counts instead of scoring; clients never set it */
    int probe;
    char label_key[JOB_MAX_LABELS][JOB_LABEL_KEY_MAX];
    char label_value[JOB_MAX_LABELS][JOB_LABEL_VALUE_MAX];
    unsigned n_labels;
    char webhook_url[JOB_WEBHOOK_URL_MAX]; /* "" or an http(s) URL told when the job ends */
} JobSpec;

/* Checks an input URI beyond its syntax (the controller plugs in the storage layer's parser
 * and allow-list). 0, or non-zero with a reason in err (without the field name). */
typedef int (*JobUriCheck)(void *user, const char *uri, char *err, size_t n);

/* Parses and validates a job's JSON text (as JOB_FROM_API). On failure returns -1 with the
 * offending field in field ("options.width", "models[1]", "" for the body itself) and a
 * message that starts with that field in err. check may be NULL. */
int jobspec_parse(const char *text, size_t len, JobSpec *s, JobUriCheck check, void *user, char *field,
                  size_t fn, char *err, size_t en);

/* Validates a request built from something else than JSON (flags) by the rules
 * jobspec_parse applies, for the fields given (0 and "" mean not given). Errors as
 * jobspec_parse's. */
int jobspec_validate(const JobSpec *s, JobOrigin origin, char *field, size_t fn, char *err, size_t en);

/* The "sync" option: 0 when not given, 1 with the range to search, -1 when it is neither
 * "auto" nor "auto:N" with N up to JOB_SYNC_RANGE_MAX. */
int jobspec_sync(const char *sync, unsigned *range);

/* The canonical JSON text of a job (sorted keys, no blanks, only given options): equal
 * requests give equal text, which is what idempotent submits compare. malloc'ed; NULL when
 * out of memory. */
char *jobspec_canonical(const JobSpec *s);

/* A model string: "vmaf_v0.6.1neg", or "version=NAME" or "path=FILE" (JOB_LOCAL only) with
 * ":name=N", ":enable_transform", ":disable_clip" and any number of libvmaf's per-model
 * feature overrides ":EXTRACTOR.OPTION=VALUE" ("vif.vif_enhn_gain_limit=1.0"), kept in
 * feature_options joined by ':' as VmafxModelConfig takes them. err gets the reason alone. */
typedef struct JobModel {
    char version[128], path[1024], name[128];
    int enable_transform, disable_clip;
    char feature_options[JOB_SPEC_MAX];
} JobModel;

int jobspec_model_parse(const char *spec, JobOrigin origin, JobModel *m, char *err, size_t n);
/* The i-th model string of a request (JOB_MODEL_DEFAULT when it names none), NULL past the
 * last; jobspec_model_count() of them. */
const char *jobspec_model(const JobSpec *s, unsigned i);
unsigned jobspec_model_count(const JobSpec *s);
/* How a model is called, as libvmaf calls it: its name=, else "vmaf" (so two models without
 * name= clash and are refused). label (score summaries, the terminal) and name (the report,
 * the controller's metrics) are the same, one name per model; count is not used. */
void jobspec_model_names(const JobModel *m, unsigned count, char *label, char *name, size_t n);

/* A webhook URL's syntax: http:// or https://, a host, no blanks or control characters; 0,
 * or -1 with the reason in err (the controller checks its address against its allow-list). */
int jobspec_webhook_url_ok(const char *url, char *err, size_t n);
/* The request with its presets (options.aom_ctc, options.nflx_ctc) replaced by the models,
 * features and settings they stand for, as libvmaf 3.2.0's --aom_ctc / --nflx_ctc add them
 * (jobspec_presets.c). in and out may be the same. Errors as jobspec_parse's. */
int jobspec_expand(const JobSpec *in, JobSpec *out, char *field, size_t fn, char *err, size_t en);
extern const char *const jobspec_aom_ctc_versions[]; /* NULL-terminated */
extern const char *const jobspec_nflx_ctc_versions[];
/* The i-th preset ("aom_ctc", "v7.0") with its NULL-terminated model and feature strings;
 * NULL past the last. */
const char *jobspec_preset_describe(unsigned i, const char **kind, const char **version,
                                    const char *const **models, const char *const **features,
                                    int *common_bitdepth);

/* Adds a "key=value" label (as `vmafx submit --label` takes it); -1 if malformed or too many. */
int jobspec_add_label(JobSpec *s, const char *kv, char *err, size_t n);

#endif
