/* A scoring job as the controller's API describes it: two input URIs, models, extra features,
 * input options, a priority and labels. One parser serves the controller (which validates
 * what a client submits and stores the canonical text), the node (which reads the stored
 * text back) and the `vmafx submit` client (which builds it from flags), so the three can
 * never disagree about a field. */
#ifndef VMAFX_API_JOBSPEC_H
#define VMAFX_API_JOBSPEC_H

#include <stddef.h>

#define JOB_URI_MAX 4096
#define JOB_MAX_MODELS 8
#define JOB_MAX_FEATURES 16
#define JOB_MAX_LABELS 16
#define JOB_SPEC_MAX 256          /* one model or feature string */
#define JOB_LABEL_KEY_MAX 64
#define JOB_LABEL_VALUE_MAX 256
#define JOB_PRIORITY_LIMIT 1000   /* priorities are -1000 .. 1000, higher first */

/* The options of `vmafx score` that make sense for a job; 0 / "" means "not given". */
typedef struct JobOptions {
    unsigned width, height, bitdepth;   /* raw .yuv geometry */
    char pixel_format[4];               /* "420", "422", "444" */
    unsigned subsample;
    unsigned frame_cnt, frame_skip_ref, frame_skip_dist;
    char scale[12];                     /* bicubic, bilinear, lanczos, none */
    char scale_to[16];                  /* "WxH" */
    char sync[16];                      /* "auto" or "auto:N" */
    unsigned threads;
    int no_prediction;
} JobOptions;

typedef struct JobSpec {
    char reference_uri[JOB_URI_MAX], distorted_uri[JOB_URI_MAX];
    char models[JOB_MAX_MODELS][JOB_SPEC_MAX];
    unsigned n_models;
    char features[JOB_MAX_FEATURES][JOB_SPEC_MAX];
    unsigned n_features;
    JobOptions opt;
    int priority;
    char label_key[JOB_MAX_LABELS][JOB_LABEL_KEY_MAX];
    char label_value[JOB_MAX_LABELS][JOB_LABEL_VALUE_MAX];
    unsigned n_labels;
} JobSpec;

/* Checks an input URI beyond its syntax (the controller plugs in the storage layer's parser
 * and allow-list). 0, or non-zero with a reason in err (without the field name). */
typedef int (*JobUriCheck)(void *user, const char *uri, char *err, size_t n);

/* Parses and validates a job's JSON text. On failure returns -1 with the offending field in
 * field ("options.width", "models[1]", "" for the body itself) and a message that starts with
 * that field in err. check may be NULL. */
int jobspec_parse(const char *text, size_t len, JobSpec *s, JobUriCheck check, void *user,
                  char *field, size_t fn, char *err, size_t en);

/* The canonical JSON text of a job (sorted keys, no blanks, only given options): equal
 * requests give equal text, which is what idempotent submits compare. malloc'ed; NULL when
 * out of memory. */
char *jobspec_canonical(const JobSpec *s);

/* A model string of a job: "vmaf_v0.6.1neg" or "version=NAME[:name=N][:enable_transform]
 * [:disable_clip]". Files (path=) are refused: a job names models the node has built in. */
typedef struct JobModel {
    char version[128], name[128];
    int enable_transform, disable_clip;
} JobModel;

int jobspec_model_parse(const char *spec, JobModel *m, char *err, size_t n);

/* Adds a "key=value" label (as `vmafx submit --label` takes it); -1 if malformed or too many. */
int jobspec_add_label(JobSpec *s, const char *kv, char *err, size_t n);

#endif
