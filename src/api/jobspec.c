/* Parsing, validation and canonical form of a job (see jobspec.h). Every message names the
 * field it is about, so a client sees "options.width: ..." rather than "bad request". */
#include <errno.h>
#include <jansson.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "jobspec.h"

typedef struct Errs {
    char *field, *err;
    size_t fn, en;
} Errs;

static int bad(Errs *e, const char *field, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int bad(Errs *e, const char *field, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    snprintf(e->field, e->fn, "%s", field);
    snprintf(e->err, e->en, "%s%s%s", field, *field ? ": " : "", msg);
    return -1;
}

static int printable(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s < 0x20 || *s == 0x7f) return 0;
    return 1;
}

static int only_chars(const char *s, const char *extra)
{
    for (; *s; s++) {
        char c = *s;
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || strchr(extra, c)))
            return 0;
    }
    return 1;
}

/* ---- strings and URIs ---- */

static int get_string(Errs *e, json_t *v, const char *field, char *dst, size_t cap)
{
    if (!json_is_string(v)) return bad(e, field, "must be a string");
    const char *s = json_string_value(v);
    size_t len = json_string_length(v);
    if (!len) return bad(e, field, "must not be empty");
    if (len >= cap) return bad(e, field, "longer than %zu characters", cap - 1);
    if (strlen(s) != len || !printable(s)) return bad(e, field, "contains control characters");
    memcpy(dst, s, len + 1);
    return 0;
}

static int get_uri(Errs *e, json_t *root, const char *key, char *dst, JobUriCheck check, void *user)
{
    json_t *v = json_object_get(root, key);
    if (!v) return bad(e, key, "is required");
    if (get_string(e, v, key, dst, JOB_URI_MAX)) return -1;
    char why[1024];
    if (check && check(user, dst, why, sizeof(why))) return bad(e, key, "%s", why);
    return 0;
}

/* ---- models and features ---- */

static int set_bool(const char *val, int *out)
{
    if (!val || !strcmp(val, "true") || !strcmp(val, "1")) {
        *out = 1;
        return 0;
    }
    if (!strcmp(val, "false") || !strcmp(val, "0")) {
        *out = 0;
        return 0;
    }
    return -1;
}

/* "vif.vif_enhn_gain_limit" = "1.0": one of libvmaf's per-model feature overrides, applied
 * over the model's own options of that extractor (the engine checks the option and value). */
static int model_override(JobModel *m, const char *key, const char *val, char *err, size_t n)
{
    const char *dot = strchr(key, '.');
    if (dot == key || !dot[1] || strchr(dot + 1, '.') || !*val || !only_chars(key, "_.") ||
        !only_chars(val, "_.-+")) {
        snprintf(err, n, "'%s=%s' is not a feature override EXTRACTOR.OPTION=VALUE", key, val);
        return -1;
    }
    size_t used = strlen(m->feature_options);
    if (snprintf(m->feature_options + used, sizeof(m->feature_options) - used, "%s%s=%s", used ? ":" : "",
                 key, val) >= (int)(sizeof(m->feature_options) - used)) {
        snprintf(err, n, "feature overrides longer than %zu characters", sizeof(m->feature_options) - 1);
        return -1;
    }
    return 0;
}

static int model_key(JobModel *m, char *kv, int first, JobOrigin origin, char *err, size_t n)
{
    char *val = strchr(kv, '=');
    if (val) *val++ = 0;
    if (first && !val) val = kv, kv = "version"; /* "vmaf_v0.6.1neg" alone names a version */
    if (!strcmp(kv, "version") && val) snprintf(m->version, sizeof(m->version), "%s", val);
    else if (!strcmp(kv, "name") && val) snprintf(m->name, sizeof(m->name), "%s", val);
    else if (!strcmp(kv, "enable_transform") || !strcmp(kv, "disable_clip")) {
        if (set_bool(val, kv[0] == 'e' ? &m->enable_transform : &m->disable_clip)) {
            snprintf(err, n, "%s: '%s' is not true or false", kv, val);
            return -1;
        }
    } else if (!strcmp(kv, "path") && origin == JOB_FROM_API) {
        snprintf(err, n, "path= is not allowed in a job: name a built-in model with version=");
        return -1;
    } else if (!strcmp(kv, "path") && val) {
        snprintf(m->path, sizeof(m->path), "%s", val);
    } else if (strchr(kv, '.') && val) {
        return model_override(m, kv, val, err, n);
    } else {
        snprintf(err, n,
                 "unknown key '%s' (version, path, name, enable_transform, disable_clip, "
                 "or EXTRACTOR.OPTION=VALUE)",
                 kv);
        return -1;
    }
    return 0;
}

int jobspec_model_parse(const char *spec, JobOrigin origin, JobModel *m, char *err, size_t n)
{
    memset(m, 0, sizeof(*m));
    char buf[2048];
    snprintf(buf, sizeof(buf), "%s", spec);
    char *save = NULL;
    int first = 1;
    for (char *kv = strtok_r(buf, ":", &save); kv; kv = strtok_r(NULL, ":", &save), first = 0)
        if (model_key(m, kv, first, origin, err, n)) return -1;
    if (!*m->version == !*m->path) {
        snprintf(err, n,
                 origin == JOB_FROM_API ? "no model version given (e.g. vmaf_v0.6.1 or version=vmaf_v0.6.1)"
                                        : "give exactly one of version=NAME or path=FILE");
        return -1;
    }
    /* a job's names end up in stored JSON and in labels of the dashboard; a local name is
     * the user's own, as libvmaf's command takes any */
    if (!only_chars(m->version, "_.-") || (origin == JOB_FROM_API && !only_chars(m->name, "_.-"))) {
        snprintf(err, n, "model version and name may only have letters, digits, '_', '.' and '-'");
        return -1;
    }
    return 0;
}

unsigned jobspec_model_count(const JobSpec *s)
{
    return s->n_models ? s->n_models : 1;
}

const char *jobspec_model(const JobSpec *s, unsigned i)
{
    if (!s->n_models) return i ? NULL : JOB_MODEL_DEFAULT;
    return i < s->n_models ? s->models[i] : NULL;
}

/* libvmaf's rule: a model is called by its name=, else "vmaf", in the report and (in vmafx)
 * on the terminal and in the controller's metrics too, so that one model has one name. */
void jobspec_model_names(const JobModel *m, unsigned count, char *label, char *name, size_t n)
{
    (void)count;
    snprintf(label, n, "%s", *m->name ? m->name : "vmaf");
    snprintf(name, n, "%s", label);
}

/* After the presets are expanded: every model parses and has a name of its own (libvmaf
 * refuses two models of one name, "vmaf" for each without name=). */
static int check_model_names(Errs *e, const JobSpec *req, JobOrigin origin)
{
    JobSpec *s = malloc(sizeof(*s));
    if (!s) return bad(e, "", "out of memory");
    int r = jobspec_expand(req, s, e->field, e->fn, e->err, e->en);
    char names[JOB_MAX_MODELS][128];
    for (unsigned i = 0; !r && i < s->n_models; i++) {
        JobModel m;
        char why[300], label[128], field[32];
        if (i < req->n_models) snprintf(field, sizeof(field), "models[%u]", i);
        else snprintf(field, sizeof(field), "options.%s", *req->opt.aom_ctc ? "aom_ctc" : "nflx_ctc");
        if (jobspec_model_parse(s->models[i], origin, &m, why, sizeof(why))) {
            r = bad(e, field, "%s", why);
            break;
        }
        jobspec_model_names(&m, s->n_models, label, names[i], sizeof(names[i]));
        for (unsigned k = 0; k < i && !r; k++)
            if (!strcmp(names[k], names[i]))
                r = bad(e, field,
                        "two models named '%s': each model needs its own name (name=...), as in libvmaf",
                        names[i]);
    }
    free(s);
    return r;
}

static int check_model(const char *s, char *err, size_t n)
{
    JobModel m;
    return jobspec_model_parse(s, JOB_FROM_API, &m, err, n);
}

/* "psnr" or "float_ssim=enable_db=true:scale=2": a name, then the extractor's options. */
static int check_feature(const char *s, char *err, size_t n)
{
    char name[JOB_SPEC_MAX];
    snprintf(name, sizeof(name), "%s", s);
    char *opts = strchr(name, '=');
    if (opts) *opts++ = 0;
    if (!*name || !only_chars(name, "_")) {
        snprintf(err, n, "'%.64s' is not a feature name (e.g. psnr, float_ssim)", name);
        return -1;
    }
    if (opts && (!*opts || !only_chars(opts, "_.=:-"))) {
        snprintf(err, n, "options '%.128s' are not key=value pairs joined by ':'", opts);
        return -1;
    }
    return 0;
}

static int get_list(Errs *e, json_t *root, const char *key, char (*dst)[JOB_SPEC_MAX], unsigned max,
                    unsigned *count, int (*check)(const char *, char *, size_t))
{
    json_t *arr = json_object_get(root, key);
    *count = 0;
    if (!arr) return 0;
    if (!json_is_array(arr)) return bad(e, key, "must be an array of strings");
    if (json_array_size(arr) > max) return bad(e, key, "at most %u entries", max);
    size_t i;
    json_t *v;
    json_array_foreach(arr, i, v)
    {
        char field[64], why[300];
        snprintf(field, sizeof(field), "%s[%zu]", key, i);
        if (get_string(e, v, field, dst[i], JOB_SPEC_MAX)) return -1;
        if (check(dst[i], why, sizeof(why))) return bad(e, field, "%s", why);
    }
    *count = (unsigned)json_array_size(arr);
    return 0;
}

/* ---- options ---- */

static const struct UintOption {
    const char *name;
    size_t off;
    unsigned min, max;
} uint_options[] = {
    { "width", offsetof(JobOptions, width), 1, 65536 },
    { "height", offsetof(JobOptions, height), 1, 65536 },
    { "bitdepth", offsetof(JobOptions, bitdepth), 8, 16 },
    { "subsample", offsetof(JobOptions, subsample), 1, 100000 },
    { "frame_cnt", offsetof(JobOptions, frame_cnt), 1, 2000000000 },
    { "frame_skip_ref", offsetof(JobOptions, frame_skip_ref), 0, 2000000000 },
    { "frame_skip_dist", offsetof(JobOptions, frame_skip_dist), 0, 2000000000 },
    { "threads", offsetof(JobOptions, threads), 0, 256 },
};
#define N_UINT_OPTIONS (sizeof(uint_options) / sizeof(uint_options[0]))

static const struct TextOption {
    const char *name;
    size_t off, cap;
    const char *what;           /* "unknown <what> 'x' (allowed, ...)" */
    const char *const *allowed; /* NULL: checked by a dedicated rule */
} text_options[] = {
    { "pixel_format", offsetof(JobOptions, pixel_format), 4, "format",
      (const char *const[]){ "420", "422", "444", NULL } },
    { "scale", offsetof(JobOptions, scale), 12, "method",
      (const char *const[]){ "bicubic", "bilinear", "lanczos", "none", NULL } },
    { "scale_to", offsetof(JobOptions, scale_to), 16, NULL, NULL },
    { "sync", offsetof(JobOptions, sync), 16, NULL, NULL },
    { "aom_ctc", offsetof(JobOptions, aom_ctc), 16, "aom_ctc version", jobspec_aom_ctc_versions },
    { "nflx_ctc", offsetof(JobOptions, nflx_ctc), 16, "nflx_ctc version", jobspec_nflx_ctc_versions },
    { "fps_mismatch", offsetof(JobOptions, fps_mismatch), 12, "mode",
      (const char *const[]){ "warn", "error", "resample", NULL } },
};
#define N_TEXT_OPTIONS (sizeof(text_options) / sizeof(text_options[0]))

static int check_uint(Errs *e, const struct UintOption *o, long long x)
{
    char field[64];
    snprintf(field, sizeof(field), "options.%s", o->name);
    if (x < o->min || x > o->max) return bad(e, field, "must be an integer from %u to %u", o->min, o->max);
    if (!strcmp(o->name, "bitdepth") && x != 8 && x != 10 && x != 12 && x != 16)
        return bad(e, field, "must be 8, 10, 12 or 16");
    return 0;
}

static int get_uint_option(Errs *e, const struct UintOption *o, json_t *v, JobOptions *opt)
{
    json_int_t x = json_is_integer(v) ? json_integer_value(v) : -1;
    if (check_uint(e, o, x)) return -1;
    *(unsigned *)((char *)opt + o->off) = (unsigned)x;
    return 0;
}

static int size_ok(const char *s)
{
    unsigned w, h;
    char tail;
    return sscanf(s, "%ux%u%c", &w, &h, &tail) == 2 && w >= 16 && h >= 16 && w <= 16384 && h <= 16384 &&
           only_chars(s, "");
}

int jobspec_sync(const char *s, unsigned *range)
{
    if (!*s) return 0;
    *range = JOB_SYNC_RANGE_DEFAULT;
    if (!strcmp(s, "auto")) return 1;
    const char *digits = s + 5;
    if (strncmp(s, "auto:", 5) || !*digits || strlen(digits) > 3 ||
        strspn(digits, "0123456789") != strlen(digits))
        return -1;
    unsigned n = 0;
    for (const char *d = digits; *d; d++) n = n * 10 + (unsigned)(*d - '0'); /* 1 to 3 digits */
    if (n > JOB_SYNC_RANGE_MAX) return -1;
    *range = n;
    return 1;
}

static int check_text(Errs *e, const struct TextOption *o, const char *val)
{
    char field[64];
    snprintf(field, sizeof(field), "options.%s", o->name);
    unsigned range;
    if (!strcmp(o->name, "aom_ctc") && !strcmp(val, "proposed"))
        return bad(e, field, "'proposed' is deprecated (as in libvmaf 3.2.0): give a version, v1.0 to v7.0");
    if (o->allowed) {
        for (const char *const *a = o->allowed; *a; a++)
            if (!strcmp(val, *a)) return 0;
        char list[128] = "";
        for (const char *const *a = o->allowed; *a; a++)
            snprintf(list + strlen(list), sizeof(list) - strlen(list), "%s%s", a == o->allowed ? "" : ", ",
                     *a);
        return bad(e, field, "unknown %s '%s' (%s)", o->what, val, list);
    }
    if (!strcmp(o->name, "scale_to") && !size_ok(val))
        return bad(e, field, "'%s' is not a size like 1920x1080", val);
    if (!strcmp(o->name, "sync") && jobspec_sync(val, &range) < 0)
        return bad(e, field, "'%s' is not auto or auto:N (N up to %d)", val, JOB_SYNC_RANGE_MAX);
    return 0;
}

static int get_text_option(Errs *e, const struct TextOption *o, json_t *v, JobOptions *opt)
{
    char field[64];
    snprintf(field, sizeof(field), "options.%s", o->name);
    char *dst = (char *)opt + o->off;
    if (get_string(e, v, field, dst, o->cap)) return -1;
    return check_text(e, o, dst);
}

static int get_option(Errs *e, const char *key, json_t *v, JobOptions *opt)
{
    for (size_t i = 0; i < N_UINT_OPTIONS; i++)
        if (!strcmp(key, uint_options[i].name)) return get_uint_option(e, &uint_options[i], v, opt);
    for (size_t i = 0; i < N_TEXT_OPTIONS; i++)
        if (!strcmp(key, text_options[i].name)) return get_text_option(e, &text_options[i], v, opt);
    char field[128];
    snprintf(field, sizeof(field), "options.%.100s", key);
    if (!strcmp(key, "no_prediction")) {
        if (!json_is_boolean(v)) return bad(e, field, "must be true or false");
        opt->no_prediction = json_is_true(v);
        return 0;
    }
    return bad(e, field, "unknown option");
}

static int get_options(Errs *e, json_t *root, JobOptions *opt)
{
    json_t *o = json_object_get(root, "options");
    if (!o) return 0;
    if (!json_is_object(o)) return bad(e, "options", "must be an object");
    const char *key;
    json_t *v;
    json_object_foreach(o, key, v) if (get_option(e, key, v, opt)) return -1;
    return 0;
}

/* ---- priority and labels ---- */

static int get_priority(Errs *e, json_t *root, int *out)
{
    json_t *v = json_object_get(root, "priority");
    *out = 0;
    if (!v) return 0;
    json_int_t x = json_is_integer(v) ? json_integer_value(v) : 0;
    if (!json_is_integer(v) || x < -JOB_PRIORITY_LIMIT || x > JOB_PRIORITY_LIMIT)
        return bad(e, "priority", "must be an integer from %d to %d", -JOB_PRIORITY_LIMIT,
                   JOB_PRIORITY_LIMIT);
    *out = (int)x;
    return 0;
}

#define CHUNK_FRAMES_MAX 2000000000

static int get_chunk_frames(Errs *e, json_t *root, JobSpec *s)
{
    json_t *v = json_object_get(root, "chunk_frames");
    s->chunk_frames = 0;
    s->chunk_given = v != NULL;
    if (!v) return 0;
    json_int_t x = json_is_integer(v) ? json_integer_value(v) : -1;
    if (x < 0 || x > CHUNK_FRAMES_MAX)
        return bad(e, "chunk_frames", "must be an integer from 0 (not chunked) to %d", CHUNK_FRAMES_MAX);
    s->chunk_frames = (unsigned)x;
    return 0;
}

static int get_chunk(Errs *e, json_t *root, JobSpec *s)
{
    json_t *v = json_object_get(root, "chunk");
    s->chunk_set = v != NULL;
    s->chunk_first = s->chunk_end = 0;
    if (!v) return 0;
    json_t *a = json_object_get(v, "first"), *b = json_object_get(v, "end");
    json_int_t x = json_is_integer(a) ? json_integer_value(a) : -1,
               y = json_is_integer(b) ? json_integer_value(b) : 0;
    if (!json_is_object(v) || x < 0 || x > CHUNK_FRAMES_MAX ||
        (b && (!json_is_integer(b) || y <= x || y > CHUNK_FRAMES_MAX)))
        return bad(e, "chunk", "must be {\"first\": N, \"end\": M} with 0 <= N < M (end optional)");
    s->chunk_first = (unsigned)x;
    s->chunk_end = (unsigned)y;
    return 0;
}

static int get_probe(Errs *e, json_t *root, JobSpec *s)
{
    json_t *v = json_object_get(root, "probe");
    s->probe = json_is_true(v);
    if (v && !json_is_boolean(v)) return bad(e, "probe", "must be true or false");
    return 0;
}

static int label_key_ok(const char *k)
{
    size_t n = strlen(k);
    return n && n < JOB_LABEL_KEY_MAX && only_chars(k, "_.-/");
}

static int get_labels(Errs *e, json_t *root, JobSpec *s)
{
    json_t *o = json_object_get(root, "labels");
    s->n_labels = 0;
    if (!o) return 0;
    if (!json_is_object(o)) return bad(e, "labels", "must be an object of strings");
    if (json_object_size(o) > JOB_MAX_LABELS) return bad(e, "labels", "at most %d labels", JOB_MAX_LABELS);
    const char *key;
    json_t *v;
    json_object_foreach(o, key, v)
    {
        char field[128];
        snprintf(field, sizeof(field), "labels.%.100s", key);
        if (!label_key_ok(key))
            return bad(e, field, "label names have 1 to %d letters, digits, '_', '.', '-' or '/'",
                       JOB_LABEL_KEY_MAX - 1);
        if (get_string(e, v, field, s->label_value[s->n_labels], JOB_LABEL_VALUE_MAX)) return -1;
        snprintf(s->label_key[s->n_labels++], JOB_LABEL_KEY_MAX, "%s", key);
    }
    return 0;
}

int jobspec_webhook_url_ok(const char *url, char *err, size_t n)
{
    size_t skip = !strncasecmp(url, "http://", 7) ? 7 : !strncasecmp(url, "https://", 8) ? 8 : 0;
    if (!skip) return snprintf(err, n, "must be an http:// or https:// URL"), -1;
    if (!url[skip] || strchr("/?#", url[skip])) return snprintf(err, n, "the URL names no host"), -1;
    for (const char *p = url; *p; p++)
        if ((unsigned char)*p <= 0x20 || *p == 0x7f)
            return snprintf(err, n, "blanks and control characters are not allowed"), -1;
    return 0;
}

static int get_webhook(Errs *e, json_t *root, JobSpec *s)
{
    json_t *v = json_object_get(root, "webhook_url");
    char why[160];
    if (!v) return 0;
    if (get_string(e, v, "webhook_url", s->webhook_url, sizeof(s->webhook_url))) return -1;
    if (jobspec_webhook_url_ok(s->webhook_url, why, sizeof(why))) return bad(e, "webhook_url", "%s", why);
    return 0;
}

static int known_keys(Errs *e, json_t *root)
{
    static const char *const keys[] = { "reference_uri", "distorted_uri", "models", "features",
                                        "options",       "priority",      "labels", "webhook_url",
                                        "chunk_frames",  "chunk",         "probe",  NULL };
    const char *key;
    json_t *v;
    json_object_foreach(root, key, v)
    {
        const char *const *k = keys;
        while (*k && strcmp(*k, key)) k++;
        if (!*k) return bad(e, key, "unknown field");
    }
    (void)v;
    return 0;
}

static int parse_root(Errs *e, json_t *root, JobSpec *s, JobUriCheck check, void *user)
{
    if (!json_is_object(root)) return bad(e, "", "the body must be a JSON object");
    if (known_keys(e, root) || get_uri(e, root, "reference_uri", s->reference_uri, check, user) ||
        get_uri(e, root, "distorted_uri", s->distorted_uri, check, user) ||
        get_list(e, root, "models", s->models, JOB_MAX_MODELS, &s->n_models, check_model) ||
        get_list(e, root, "features", s->features, JOB_MAX_FEATURES, &s->n_features, check_feature) ||
        get_options(e, root, &s->opt) || get_priority(e, root, &s->priority) || get_webhook(e, root, s) ||
        get_chunk_frames(e, root, s) || get_chunk(e, root, s) || get_probe(e, root, s) ||
        check_model_names(e, s, JOB_FROM_API))
        return -1;
    return get_labels(e, root, s);
}

int jobspec_parse(const char *text, size_t len, JobSpec *s, JobUriCheck check, void *user, char *field,
                  size_t fn, char *err, size_t en)
{
    Errs e = { field, err, fn, en };
    memset(s, 0, sizeof(*s));
    json_error_t je;
    json_t *root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je);
    if (!root) return bad(&e, "", "not valid JSON: %s (line %d, column %d)", je.text, je.line, je.column);
    int r = parse_root(&e, root, s, check, user);
    json_decref(root);
    return r;
}

/* ---- requests not from JSON ---- */

static int check_list(Errs *e, const char *key, const char (*v)[JOB_SPEC_MAX], unsigned n,
                      int (*check)(const char *, JobOrigin, char *, size_t), JobOrigin origin)
{
    for (unsigned i = 0; i < n; i++) {
        char field[64], why[300];
        snprintf(field, sizeof(field), "%s[%u]", key, i);
        if (check(v[i], origin, why, sizeof(why))) return bad(e, field, "%s", why);
    }
    return 0;
}

static int model_ok(const char *s, JobOrigin origin, char *err, size_t n)
{
    JobModel m;
    return jobspec_model_parse(s, origin, &m, err, n);
}

/* A local run may give a feature a file path (CAMBI's heatmaps_path); a job may not: nodes
 * write no side files on a submitter's behalf. */
static int feature_ok(const char *s, JobOrigin origin, char *err, size_t n)
{
    const char *opts = strchr(s, '=');
    if (origin == JOB_LOCAL && opts && strstr(opts, "heatmaps_path=")) {
        char rest[JOB_SPEC_MAX];
        snprintf(rest, sizeof(rest), "%s", s);
        char *p = strstr(rest, "heatmaps_path=") + strlen("heatmaps_path=");
        size_t len = strcspn(p, ":");
        memmove(p, p + len, strlen(p + len) + 1); /* the path may hold any character but ':' */
        return check_feature(rest, err, n) ? -1 : (len ? 0 : (snprintf(err, n, "heatmaps_path: empty"), -1));
    }
    if (opts && strstr(opts, "heatmaps_path=")) {
        snprintf(err, n, "heatmaps_path is not accepted in a job (nodes write no side files)");
        return -1;
    }
    return check_feature(s, err, n);
}

int jobspec_validate(const JobSpec *s, JobOrigin origin, char *field, size_t fn, char *err, size_t en)
{
    Errs e = { field, err, fn, en };
    *field = *err = 0;
    if (check_list(&e, "models", (const char(*)[JOB_SPEC_MAX])s->models, s->n_models, model_ok, origin) ||
        check_list(&e, "features", (const char(*)[JOB_SPEC_MAX])s->features, s->n_features, feature_ok,
                   origin))
        return -1;
    for (size_t i = 0; i < N_UINT_OPTIONS; i++) {
        unsigned x = *(const unsigned *)((const char *)&s->opt + uint_options[i].off);
        if (x && check_uint(&e, &uint_options[i], x)) return -1;
    }
    for (size_t i = 0; i < N_TEXT_OPTIONS; i++) {
        const char *t = (const char *)&s->opt + text_options[i].off;
        if (*t && check_text(&e, &text_options[i], t)) return -1;
    }
    if (s->priority < -JOB_PRIORITY_LIMIT || s->priority > JOB_PRIORITY_LIMIT)
        return bad(&e, "priority", "must be an integer from %d to %d", -JOB_PRIORITY_LIMIT,
                   JOB_PRIORITY_LIMIT);
    if (s->chunk_frames > CHUNK_FRAMES_MAX)
        return bad(&e, "chunk_frames", "must be an integer from 0 (not chunked) to %d", CHUNK_FRAMES_MAX);
    char why[160];
    if (*s->webhook_url && jobspec_webhook_url_ok(s->webhook_url, why, sizeof(why)))
        return bad(&e, "webhook_url", "%s", why);
    return check_model_names(&e, s, origin);
}

/* ---- canonical text ---- */

static json_t *options_json(const JobOptions *o)
{
    json_t *j = json_object();
    for (size_t i = 0; j && i < N_UINT_OPTIONS; i++) {
        /* 0 is every option's default, so leaving it out keeps equal jobs equal */
        unsigned x = *(const unsigned *)((const char *)o + uint_options[i].off);
        if (x) json_object_set_new(j, uint_options[i].name, json_integer(x));
    }
    for (size_t i = 0; j && i < N_TEXT_OPTIONS; i++) {
        const char *t = (const char *)o + text_options[i].off;
        if (*t) json_object_set_new(j, text_options[i].name, json_string(t));
    }
    if (j && o->no_prediction) json_object_set_new(j, "no_prediction", json_true());
    return j;
}

static json_t *list_json(const char (*v)[JOB_SPEC_MAX], unsigned n)
{
    json_t *a = json_array();
    for (unsigned i = 0; a && i < n; i++) json_array_append_new(a, json_string(v[i]));
    return a;
}

static json_t *spec_json(const JobSpec *s)
{
    json_t *j = json_object();
    if (!j) return NULL;
    json_object_set_new(j, "reference_uri", json_string(s->reference_uri));
    json_object_set_new(j, "distorted_uri", json_string(s->distorted_uri));
    if (s->n_models)
        json_object_set_new(j, "models", list_json((const char(*)[JOB_SPEC_MAX])s->models, s->n_models));
    if (s->n_features)
        json_object_set_new(j, "features",
                            list_json((const char(*)[JOB_SPEC_MAX])s->features, s->n_features));
    json_t *o = options_json(&s->opt);
    if (o && json_object_size(o)) json_object_set(j, "options", o);
    json_decref(o);
    if (s->priority) json_object_set_new(j, "priority", json_integer(s->priority));
    if (s->chunk_given) json_object_set_new(j, "chunk_frames", json_integer(s->chunk_frames));
    if (s->chunk_set) {
        json_t *c = json_pack("{sI}", "first", (json_int_t)s->chunk_first);
        if (c && s->chunk_end) json_object_set_new(c, "end", json_integer(s->chunk_end));
        json_object_set_new(j, "chunk", c);
    }
    if (s->probe) json_object_set_new(j, "probe", json_true());
    if (s->n_labels) {
        json_t *l = json_object();
        for (unsigned i = 0; l && i < s->n_labels; i++)
            json_object_set_new(l, s->label_key[i], json_string(s->label_value[i]));
        json_object_set_new(j, "labels", l);
    }
    if (*s->webhook_url) json_object_set_new(j, "webhook_url", json_string(s->webhook_url));
    return j;
}

char *jobspec_canonical(const JobSpec *s)
{
    json_t *j = spec_json(s);
    char *text = j ? json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
    json_decref(j);
    return text;
}

int jobspec_add_label(JobSpec *s, const char *kv, char *err, size_t n)
{
    const char *eq = strchr(kv, '=');
    if (!eq || eq == kv || (size_t)(eq - kv) >= JOB_LABEL_KEY_MAX || strlen(eq + 1) >= JOB_LABEL_VALUE_MAX ||
        !*(eq + 1)) {
        snprintf(err, n, "label '%s' is not KEY=VALUE", kv);
        return -1;
    }
    if (s->n_labels == JOB_MAX_LABELS) {
        snprintf(err, n, "at most %d labels", JOB_MAX_LABELS);
        return -1;
    }
    snprintf(s->label_key[s->n_labels], JOB_LABEL_KEY_MAX, "%.*s", (int)(eq - kv), kv);
    snprintf(s->label_value[s->n_labels++], JOB_LABEL_VALUE_MAX, "%s", eq + 1);
    return 0;
}
