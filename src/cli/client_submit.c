/* `vmafx submit`: the job from flags named as `vmafx score`'s, sent to the controller. The
 * controller validates it and answers 400 naming the field; only what cannot be expressed in
 * a job (a non-number where a number goes) is refused here. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/jobspec.h"
#include "cli.h"
#include "client.h"

static int copy(char *dst, size_t cap, const char *val, const char *flag)
{
    if (strlen(val) >= cap) return cli_error("submit: --%s is longer than %zu characters", flag, cap - 1);
    memcpy(dst, val, strlen(val) + 1);
    return 0;
}

static int copy_list(const ConfigValues *v, const char *flag, char (*dst)[JOB_SPEC_MAX], unsigned max, unsigned *n)
{
    int i = config_index(v, flag);
    if (v->list_n[i] > max) return cli_error("submit: at most %u --%s", max, flag);
    for (size_t k = 0; k < v->list_n[i]; k++)
        if (copy(dst[k], JOB_SPEC_MAX, v->list[i][k], flag)) return -1;
    *n = (unsigned)v->list_n[i];
    return 0;
}

static int numbers(const ConfigValues *v, JobOptions *o)
{
    static const char *const names[] = { "width", "height", "bitdepth", "subsample", "frame_cnt", "frame_skip_ref",
                                         "frame_skip_dist", "threads" };
    unsigned *dst[] = { &o->width, &o->height, &o->bitdepth, &o->subsample, &o->frame_cnt, &o->frame_skip_ref,
                        &o->frame_skip_dist, &o->threads };
    char err[256];
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        if (config_uint(v, names[i], dst[i], err, sizeof(err))) return cli_error("submit: %s", err);
    return 0;
}

static int texts(const ConfigValues *v, JobOptions *o)
{
    const char *pf = config_str(v, "pixel_format"), *sc = config_str(v, "scale"), *to = config_str(v, "scale-to"),
               *sy = config_str(v, "sync");
    if ((pf && copy(o->pixel_format, sizeof(o->pixel_format), pf, "pixel_format")) ||
        (sc && copy(o->scale, sizeof(o->scale), sc, "scale")) ||
        (to && copy(o->scale_to, sizeof(o->scale_to), to, "scale-to")) || (sy && copy(o->sync, sizeof(o->sync), sy, "sync")))
        return -1;
    o->no_prediction = config_flag(v, "no_prediction");
    return 0;
}

static int labels_and_priority(const ConfigValues *v, JobSpec *s)
{
    int i = config_index(v, "label");
    char err[256];
    for (size_t k = 0; k < v->list_n[i]; k++)
        if (jobspec_add_label(s, v->list[i][k], err, sizeof(err))) return cli_error("submit: --label: %s", err);
    const char *p = config_str(v, "priority");
    if (!p) return 0;
    char *end;
    long x = strtol(p, &end, 10);
    if (end == p || *end || x < -JOB_PRIORITY_LIMIT || x > JOB_PRIORITY_LIMIT)
        return cli_error("submit: --priority: '%s' is not an integer from %d to %d", p, -JOB_PRIORITY_LIMIT, JOB_PRIORITY_LIMIT);
    s->priority = (int)x;
    return 0;
}

static int build(const ConfigValues *v, JobSpec *s)
{
    memset(s, 0, sizeof(*s));
    const char *r = config_str(v, "reference"), *d = config_str(v, "distorted");
    if (!r || !d) return cli_error("submit: both --reference and --distorted are required (see vmafx submit --help)");
    if (copy(s->reference_uri, JOB_URI_MAX, r, "reference") || copy(s->distorted_uri, JOB_URI_MAX, d, "distorted") ||
        copy_list(v, "model", s->models, JOB_MAX_MODELS, &s->n_models) ||
        copy_list(v, "feature", s->features, JOB_MAX_FEATURES, &s->n_features) || numbers(v, &s->opt) ||
        texts(v, &s->opt))
        return -1;
    return labels_and_priority(v, s);
}

static int send(const ApiClient *api, const ConfigValues *v, const char *body, char *id, size_t idn)
{
    char headers[400] = "";
    const char *key = config_str(v, "idempotency-key");
    if (key && (strlen(key) > 255 || strpbrk(key, "\r\n"))) return cli_error("submit: --idempotency-key: at most 255 characters");
    if (key) snprintf(headers, sizeof(headers), "Idempotency-Key: %s\r\n", key);
    int status;
    json_t *j;
    if (client_call(api, "POST", "/v1/jobs", body, *headers ? headers : NULL, &status, &j)) return -1;
    const char *got = json_string_value(json_object_get(j, "id"));
    int rc = (status == 201 || status == 200) && got ? 0 : -client_refused(status, j);
    if (!rc) snprintf(id, idn, "%s", got);
    json_decref(j);
    return rc;
}

int client_submit(const ApiClient *api, const ConfigValues *v)
{
    JobSpec *s = malloc(sizeof(*s));
    if (!s) {
        cli_error("out of memory");
        return 1;
    }
    int bad = build(v, s);
    char *body = bad ? NULL : jobspec_canonical(s);
    free(s);
    if (bad) return 2;
    char id[80];
    int e = body ? send(api, v, body, id, sizeof(id)) : cli_error("out of memory");
    free(body);
    if (e) return 1;
    printf("%s\n", id);
    fflush(stdout);
    return config_flag(v, "wait") ? client_wait(api, id, v) : 0;
}
