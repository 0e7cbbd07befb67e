/* What the engine computes, for the programs: the feature and model lists of
 * `vmafx score --help`, and the check of a submitted job's models and features that the
 * controller runs (the same calls a node makes before it scores, so a job the controller
 * accepts is one a node can run). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "catalog.h"
#include "pipeline/request.h"

/* "  name  opt, opt, ..." wrapped at 100 columns. */
static void print_feature(FILE *f, json_t *fx)
{
    int col = fprintf(f, "  %-16s", json_string_value(json_object_get(fx, "name")));
    size_t i;
    json_t *o;
    json_array_foreach(json_object_get(fx, "options"), i, o) {
        const char *on = json_string_value(json_object_get(o, "name"));
        if (i) col += fprintf(f, ",");
        if (i && col + (int)strlen(on) + 1 > 100) col = fprintf(f, "\n  %-16s", "") - 1;
        else if (i) col += fprintf(f, " ");
        col += fprintf(f, "%s", on);
    }
    fputc('\n', f);
}

void cli_print_catalog(FILE *f)
{
    char *text = vmafx_catalog_json();
    json_t *root = text ? json_loads(text, 0, NULL) : NULL;
    free(text);
    if (!root) return;
    fprintf(f, "\nFeatures (--feature NAME, or NAME=option=value:option=value) and their options:\n");
    size_t i;
    json_t *v;
    json_array_foreach(json_object_get(root, "features"), i, v) print_feature(f, v);
    fprintf(f, "\nBuilt-in models (-m version=NAME; default %s):\n",
            json_string_value(json_object_get(root, "default_model")));
    json_array_foreach(json_object_get(root, "models"), i, v) {
        int ok = json_is_true(json_object_get(v, "available"));
        fprintf(f, "  %s%s\n", json_string_value(json_object_get(v, "name")),
                ok ? "" : " (needs features this build does not compute)");
    }
    json_decref(root);
}

/* The setup a node makes before it scores (pipeline_setup_request), so that a job the
 * controller accepts is one a node can run. */
int cli_check_job(const JobSpec *job, char *field, size_t fn, char *err, size_t n)
{
    VmafxContext *ctx;
    if (vmafx_init(&ctx, NULL)) {
        snprintf(field, fn, "%s", "");
        snprintf(err, n, "out of memory");
        return -1;
    }
    PipelineModel models[JOB_MAX_MODELS];
    unsigned n_models;
    int e = pipeline_setup_request(ctx, job, JOB_FROM_API, models, &n_models, field, fn, err, n);
    vmafx_close(ctx);
    return e ? -1 : 0;
}
