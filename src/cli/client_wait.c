/* `vmafx wait` (and `vmafx submit --wait`): polls the job until it ends, drawing a progress
 * line on a terminal (frames, fps, and an ETA when the total is known), riding out a
 * controller restart, and ends with the scores or the error. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "api/jobspec.h"
#include "cli.h"
#include "client.h"

#define POLL_S 0.5

static void sleep_s(double s)
{
    struct timespec ts = { (time_t)s, (long)((s - (double)(time_t)s) * 1e9) };
    nanosleep(&ts, NULL);
}

static void draw(json_t *job, double t0)
{
    json_t *p = json_object_get(job, "progress");
    long long done = json_integer_value(json_object_get(p, "frames_done"));
    json_t *tot = json_object_get(p, "frames_total");
    double fps = json_number_value(json_object_get(p, "fps"));
    const char *st = json_string_value(json_object_get(job, "status"));
    fprintf(stderr, "\r\033[K%s  frame %lld", st ? st : "?", done);
    if (json_is_integer(tot) && json_integer_value(tot) > 0) {
        long long total = json_integer_value(tot);
        fprintf(stderr, "/%lld (%.0f%%)", total, 100.0 * (double)done / (double)total);
        if (fps > 0 && total > done) fprintf(stderr, "  ETA %.0f s", (double)(total - done) / fps);
    }
    fprintf(stderr, "  %.1f fps  %.0f s", fps, mono_now() - t0);
    fflush(stderr);
}

/* Label and output name of the i-th model, by the rules the node names them with. */
static int model_names(json_t *job, size_t i, char *label, char *name, size_t n)
{
    json_t *models = json_object_get(job, "models");
    JobSpec *s = calloc(1, sizeof(*s));
    if (!s) return -1;
    size_t count = json_is_array(models) ? json_array_size(models) : 0;
    for (size_t k = 0; k < count && k < JOB_MAX_MODELS; k++, s->n_models++) {
        const char *spec = json_string_value(json_array_get(models, k));
        snprintf(s->models[k], JOB_SPEC_MAX, "%s", spec ? spec : "");
    }
    /* a preset's models come after the named ones, as the node adds them */
    json_t *opt = json_object_get(job, "options");
    const char *aom = json_string_value(json_object_get(opt, "aom_ctc"));
    const char *nflx = json_string_value(json_object_get(opt, "nflx_ctc"));
    snprintf(s->opt.aom_ctc, sizeof(s->opt.aom_ctc), "%s", aom ? aom : "");
    snprintf(s->opt.nflx_ctc, sizeof(s->opt.nflx_ctc), "%s", nflx ? nflx : "");
    char field[64], err[300];
    int e = jobspec_expand(s, s, field, sizeof(field), err, sizeof(err));
    const char *spec = e ? NULL : jobspec_model(s, (unsigned)i);
    JobModel m;
    e = !spec || jobspec_model_parse(spec, JOB_FROM_API, &m, err, sizeof(err)) ? -1 : 0;
    if (!e) jobspec_model_names(&m, jobspec_model_count(s), label, name, n);
    free(s);
    return e;
}

int client_model_key(json_t *job, size_t i, char *name, size_t n)
{
    char label[160];
    return model_names(job, i, label, name, n);
}

int client_model_score(json_t *job, size_t i, char *label, size_t n, double *mean)
{
    char name[160];
    if (model_names(job, i, label, name, n < sizeof(name) ? n : sizeof(name))) return -1;
    json_t *m = json_object_get(json_object_get(json_object_get(job, "pooled_metrics"), name), "mean");
    if (!json_is_number(m)) return 1;
    *mean = json_number_value(m);
    return 0;
}

void client_print_scores(json_t *job, FILE *f)
{
    json_t *pooled = json_object_get(job, "pooled_metrics");
    char label[160], name[160];
    for (size_t i = 0; json_is_object(pooled) && !model_names(job, i, label, name, sizeof(label)); i++) {
        json_t *mean = json_object_get(json_object_get(pooled, name), "mean");
        if (json_is_number(mean)) fprintf(f, "%s: %f\n", label, json_number_value(mean));
    }
}

void client_print_warnings(json_t *job, FILE *f)
{
    size_t i;
    json_t *w;
    json_array_foreach(json_object_get(job, "warnings"), i, w) if (json_is_string(w))
        fprintf(f, "%swarning: %s\n", f == stderr ? "vmafx: " : "", json_string_value(w));
}

static int is_final(json_t *job)
{
    const char *st = json_string_value(json_object_get(job, "status"));
    return st && strcmp(st, "pending") && strcmp(st, "running");
}

/* Scores on standard output for a completed job (exit 0), the reason otherwise (exit 1). */
static int final_report(json_t *job)
{
    const char *st = json_string_value(json_object_get(job, "status"));
    client_print_warnings(job, stderr);
    if (!strcmp(st, "completed")) {
        client_print_scores(job, stdout);
        return 0;
    }
    const char *err = json_string_value(json_object_get(job, "error"));
    cli_error("job %s %s%s%s", json_string_value(json_object_get(job, "id")), st, err ? ": " : "",
              err ? err : "");
    return 1;
}

/* The job, or NULL while the controller does not answer (a restart, perhaps: said once). */
static json_t *fetch(const ApiClient *api, const char *path, int *status, int *warned)
{
    ApiRequest rq = { "GET", path, NULL, 0, NULL, 10000, 1 << 20 };
    ApiResponse r;
    char err[1024];
    if (api_call(api, &rq, &r, err, sizeof(err))) {
        if (!(*warned)++) cli_warn("%s; still waiting", err);
        return NULL;
    }
    *status = r.status;
    json_t *j = r.body ? json_loadb(r.body, r.len, 0, NULL) : NULL;
    api_response_free(&r);
    return j ? j : json_object();
}

/* One look at the job: 0/1 when it ended, -1 while it runs (or the controller is away). */
static int poll_once(const ApiClient *api, const char *path, int bar, double t0, int *warned)
{
    int status = 0, rc = -1;
    json_t *j = fetch(api, path, &status, warned);
    if (!j) return -1;
    if (status != 200) {
        rc = client_refused(status, j);
    } else {
        if (bar) draw(j, t0);
        if (is_final(j)) {
            if (bar) fputs("\r\033[K", stderr);
            rc = final_report(j);
        }
    }
    json_decref(j);
    return rc;
}

int client_wait(const ApiClient *api, const char *id, const ConfigValues *v)
{
    char path[128];
    snprintf(path, sizeof(path), "/v1/jobs/%.80s", id);
    double t0 = mono_now(), limit = 0;
    const char *to = config_str(v, "timeout");
    if (to && (!(limit = atof(to)) || limit < 0)) {
        cli_error("--timeout: '%s' is not a number of seconds", to);
        return 2;
    }
    int bar = !config_flag(v, "quiet") && isatty(2), rc, warned = 0;
    while ((rc = poll_once(api, path, bar, t0, &warned)) < 0) {
        if (limit > 0 && mono_now() - t0 > limit) {
            if (bar) fputs("\n", stderr);
            cli_error("job %s: still not finished after %g s", id, limit);
            return 3;
        }
        sleep_s(POLL_S);
    }
    return rc;
}
