/* The scoring request from the flags `vmafx score` and `vmafx submit` share (named as
 * libvmaf's `vmaf` names them), and its errors told by flag. A new request option is one row
 * in each table below (and one in jobspec.c's tables). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catalog.h"
#include "cli.h"

/* Flag and request field, for the messages. */
static const struct {
    const char *flag, *field;
} fields[] = {
    { "width", "options.width" },
    { "height", "options.height" },
    { "bitdepth", "options.bitdepth" },
    { "subsample", "options.subsample" },
    { "frame_cnt", "options.frame_cnt" },
    { "frame_skip_ref", "options.frame_skip_ref" },
    { "frame_skip_dist", "options.frame_skip_dist" },
    { "threads", "options.threads" },
    { "pixel_format", "options.pixel_format" },
    { "scale", "options.scale" },
    { "scale-to", "options.scale_to" },
    { "sync", "options.sync" },
    { "aom_ctc", "options.aom_ctc" },
    { "nflx_ctc", "options.nflx_ctc" },
    { "fps-mismatch", "options.fps_mismatch" },
};
#define N_FIELDS (sizeof(fields) / sizeof(fields[0]))

static int copy(char *dst, size_t cap, const char *val, const char *cmd, const char *flag)
{
    if (strlen(val) >= cap) return cli_error("%s: --%s is longer than %zu characters", cmd, flag, cap - 1);
    memcpy(dst, val, strlen(val) + 1);
    return 0;
}

static int copy_list(const ConfigValues *v, const char *cmd, const char *flag, char (*dst)[JOB_SPEC_MAX],
                     unsigned max, unsigned *n)
{
    int i = config_index(v, flag);
    if (v->list_n[i] > max) return cli_error("%s: at most %u --%s", cmd, max, flag);
    for (size_t k = 0; k < v->list_n[i]; k++)
        if (copy(dst[k], JOB_SPEC_MAX, v->list[i][k], cmd, flag)) return -1;
    *n = (unsigned)v->list_n[i];
    return 0;
}

static int numbers(const ConfigValues *v, JobOptions *o, const char *cmd)
{
    struct {
        const char *flag;
        unsigned *dst;
    } n[] = {
        { "width", &o->width },
        { "height", &o->height },
        { "bitdepth", &o->bitdepth },
        { "subsample", &o->subsample },
        { "frame_cnt", &o->frame_cnt },
        { "frame_skip_ref", &o->frame_skip_ref },
        { "frame_skip_dist", &o->frame_skip_dist },
        { "threads", &o->threads },
    };
    char err[256];
    for (size_t i = 0; i < sizeof(n) / sizeof(n[0]); i++)
        if (config_uint(v, n[i].flag, n[i].dst, err, sizeof(err))) return cli_error("%s: %s", cmd, err);
    return 0;
}

static int texts(const ConfigValues *v, JobOptions *o, const char *cmd)
{
    struct {
        const char *flag;
        char *dst;
        size_t cap;
    } t[] = {
        { "pixel_format", o->pixel_format, sizeof(o->pixel_format) },
        { "scale", o->scale, sizeof(o->scale) },
        { "scale-to", o->scale_to, sizeof(o->scale_to) },
        { "sync", o->sync, sizeof(o->sync) },
        { "aom_ctc", o->aom_ctc, sizeof(o->aom_ctc) },
        { "nflx_ctc", o->nflx_ctc, sizeof(o->nflx_ctc) },
        { "fps-mismatch", o->fps_mismatch, sizeof(o->fps_mismatch) },
    };
    for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
        const char *val = config_str(v, t[i].flag);
        if (val && copy(t[i].dst, t[i].cap, val, cmd, t[i].flag)) return -1;
    }
    o->no_prediction = config_flag(v, "no_prediction");
    return 0;
}

int cli_request_from_flags(const ConfigValues *v, JobSpec *s, const char *cmd)
{
    memset(s, 0, sizeof(*s));
    const char *r = config_str(v, "reference"), *d = config_str(v, "distorted");
    if (!r || !d)
        return cli_error("%s: both --reference and --distorted are required (see vmafx %s --help)", cmd, cmd);
    if (copy(s->reference_uri, JOB_URI_MAX, r, cmd, "reference") ||
        copy(s->distorted_uri, JOB_URI_MAX, d, cmd, "distorted") ||
        copy_list(v, cmd, "model", s->models, JOB_MAX_MODELS, &s->n_models) ||
        copy_list(v, cmd, "feature", s->features, JOB_MAX_FEATURES, &s->n_features))
        return -1;
    return numbers(v, &s->opt, cmd) || texts(v, &s->opt, cmd) ? -1 : 0;
}

/* "options.scale: unknown method" as "--scale: unknown method"; "models[1]: ..." as
 * "--model SPEC: ...". */
static int flag_error(const JobSpec *s, const char *field, const char *err)
{
    /* the reason without its "field: " or "field NAME: " prefix (the flag says which) */
    const char *why = err;
    size_t fl = strlen(field);
    if (fl && !strncmp(err, field, fl)) {
        const char *colon = strstr(err + fl, ": ");
        if (colon && (err[fl] == ':' ||
                      (err[fl] == ' ' && !memchr(err + fl + 1, ' ', (size_t)(colon - err - fl - 1)))))
            why = colon + 2;
    }
    for (size_t i = 0; i < N_FIELDS; i++)
        if (!strcmp(field, fields[i].field)) return cli_error("--%s: %s", fields[i].flag, why);
    unsigned k;
    if (sscanf(field, "models[%u]", &k) == 1 && k < s->n_models)
        return cli_error("--model %s: %s", s->models[k], why);
    if (sscanf(field, "features[%u]", &k) == 1 && k < s->n_features)
        return cli_error("--feature %s: %s", s->features[k], why);
    return cli_error("%s", err);
}

int cli_request_check(const JobSpec *s, JobOrigin origin)
{
    char field[64], err[600];
    return jobspec_validate(s, origin, field, sizeof(field), err, sizeof(err)) ? flag_error(s, field, err)
                                                                               : 0;
}

int cli_request_check_engine(const JobSpec *s)
{
    char field[64], err[600];
    return cli_check_job(s, field, sizeof(field), err, sizeof(err)) ? flag_error(s, field, err) : 0;
}
