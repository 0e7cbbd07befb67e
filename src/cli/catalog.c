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
    json_array_foreach(json_object_get(fx, "options"), i, o)
    {
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
    json_array_foreach(json_object_get(root, "models"), i, v)
    {
        int ok = json_is_true(json_object_get(v, "available"));
        fprintf(f, "  %s%s\n", json_string_value(json_object_get(v, "name")),
                ok ? "" : " (needs features this build does not compute)");
    }
    json_decref(root);
}

/* "--aom_ctc v7.0   vmaf_v0.6.1:name=vmaf, ... + psnr=..., ..." one preset a line. */
static void print_presets(FILE *f)
{
    const char *kind, *version;
    const char *const *models, *const *features;
    int common;
    fprintf(f, "\nPresets (libvmaf's --aom_ctc / --nflx_ctc VERSION) and what they add:\n");
    for (unsigned i = 0; jobspec_preset_describe(i, &kind, &version, &models, &features, &common); i++) {
        fprintf(f, "  --%s %s: models", kind, version);
        for (unsigned k = 0; models[k]; k++) fprintf(f, " %s", models[k]);
        fprintf(f, "; features");
        for (unsigned k = 0; features[k]; k++) fprintf(f, " %s", features[k]);
        fprintf(f, "%s\n", common ? "; common_bitdepth" : "");
    }
}

char *cli_catalog_json(void)
{
    char *text = vmafx_catalog_json();
    json_t *root = text ? json_loads(text, 0, NULL) : NULL;
    free(text);
    json_t *list = json_array();
    const char *kind, *version;
    const char *const *models, *const *features;
    int common;
    for (unsigned i = 0;
         root && list && jobspec_preset_describe(i, &kind, &version, &models, &features, &common); i++) {
        json_t *m = json_array(), *f = json_array();
        for (unsigned k = 0; models[k]; k++) json_array_append_new(m, json_string(models[k]));
        for (unsigned k = 0; features[k]; k++) json_array_append_new(f, json_string(features[k]));
        json_array_append_new(list, json_pack("{s:s,s:s,s:o,s:o,s:b}", "option", kind, "version", version,
                                              "models", m, "features", f, "common_bitdepth", common));
    }
    char *out = NULL;
    if (root && list && !json_object_set_new(root, "presets", list)) out = json_dumps(root, JSON_COMPACT);
    else json_decref(list);
    json_decref(root);
    return out;
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

/* `vmafx models [--json]`: what `score -m`, `--feature` and the presets accept. */
int cmd_models(int argc, char **argv)
{
    int json = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--json")) json = 1;
        else if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            printf(
                "usage: vmafx models [--json]\n\nLists the built-in models, the features with their options "
                "and libvmaf's presets\n(--json: as GET /v1/models serves them).\n");
            return 0;
        } else {
            fprintf(stderr, "vmafx: models: unknown option '%s' (see vmafx models --help)\n", argv[i]);
            return 2;
        }
    }
    char *text = cli_catalog_json();
    if (!text) return fprintf(stderr, "vmafx: models: out of memory\n"), 1;
    if (json) printf("%s\n", text);
    free(text);
    if (json) return 0;
    cli_print_catalog(stdout);
    print_presets(stdout);
    return 0;
}
