/* The -m/--model and --feature options of `vmafx score`. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

#define DEFAULT_MODEL "version=vmaf_v0.6.1"
#define MODEL_FILE_MAX (16u << 20)

typedef struct ModelSpec {
    char version[128], path[1024], name[128];
    int enable_transform, disable_clip;
} ModelSpec;

static int parse_bool_key(const char *val, int *out, const char *spec)
{
    if (!val || !strcmp(val, "true") || !strcmp(val, "1")) { *out = 1; return 0; }
    if (!strcmp(val, "false") || !strcmp(val, "0")) { *out = 0; return 0; }
    return cli_error("--model %s: '%s' is not true or false", spec, val);
}

static int parse_model_spec(const char *spec, ModelSpec *m)
{
    memset(m, 0, sizeof(*m));
    char buf[2048];
    snprintf(buf, sizeof(buf), "%s", spec);
    char *save = NULL;
    for (char *kv = strtok_r(buf, ":", &save); kv; kv = strtok_r(NULL, ":", &save)) {
        char *val = strchr(kv, '=');
        if (val) *val++ = 0;
        if (!strcmp(kv, "version") && val) snprintf(m->version, sizeof(m->version), "%s", val);
        else if (!strcmp(kv, "path") && val) snprintf(m->path, sizeof(m->path), "%s", val);
        else if (!strcmp(kv, "name") && val) snprintf(m->name, sizeof(m->name), "%s", val);
        else if (!strcmp(kv, "enable_transform")) { if (parse_bool_key(val, &m->enable_transform, spec)) return -1; }
        else if (!strcmp(kv, "disable_clip")) { if (parse_bool_key(val, &m->disable_clip, spec)) return -1; }
        else return cli_error("--model %s: unknown key '%s' (version, path, name, enable_transform, disable_clip)", spec, kv);
    }
    if (!*m->version == !*m->path)
        return cli_error("--model %s: give exactly one of version=NAME or path=FILE", spec);
    return 0;
}

static char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        cli_error("model file %s: cannot open (%s)", path, strerror(errno));
        return NULL;
    }
    char *buf = malloc(MODEL_FILE_MAX + 1);
    size_t n = buf ? fread(buf, 1, MODEL_FILE_MAX + 1, f) : 0;
    int bad = !buf || ferror(f) || n > MODEL_FILE_MAX;
    fclose(f);
    if (bad) {
        cli_error("model file %s: cannot read (missing, unreadable or larger than 16 MiB)", path);
        free(buf);
        return NULL;
    }
    buf[n] = 0;
    *len = n;
    return buf;
}

/* Label of a model in messages and the score summary: its version or file name. */
static const char *model_label(const ModelSpec *m)
{
    if (*m->version) return m->version;
    const char *s = strrchr(m->path, '/');
    return s ? s + 1 : m->path;
}

static int add_model(VmafxContext *ctx, const ModelSpec *m, int several)
{
    char stem[128];
    snprintf(stem, sizeof(stem), "%.127s", model_label(m));
    char *dot = strstr(stem, ".json");
    if (dot) *dot = 0;
    /* one model is "vmaf" as in libvmaf; several unnamed ones are told apart by version */
    VmafxModelConfig cfg = { .name = *m->name ? m->name : several ? stem : "vmaf",
                             .enable_transform = m->enable_transform, .disable_clip = m->disable_clip };
    if (*m->version) {
        if (vmafx_use_builtin_model(ctx, m->version, &cfg))
            return cli_error("--model %s: %s", m->version, vmafx_last_error(ctx));
        return 0;
    }
    size_t len;
    char *json = read_file(m->path, &len);
    if (!json) return -1;
    int err = vmafx_use_model(ctx, json, len, &cfg);
    free(json);
    if (err) return cli_error("model file %s: %s", m->path, vmafx_last_error(ctx));
    return 0;
}

static int add_features(VmafxContext *ctx, const ConfigValues *v)
{
    int i = config_index(v, "feature");
    for (size_t k = 0; k < v->list_n[i]; k++) {
        char buf[1024];
        snprintf(buf, sizeof(buf), "%s", v->list[i][k]);
        char *opts = strchr(buf, '=');
        if (opts) *opts++ = 0;
        if (vmafx_use_feature(ctx, buf, opts))
            return cli_error("--feature %s: %s", v->list[i][k], vmafx_last_error(ctx));
    }
    return 0;
}

static size_t model_specs(const ConfigValues *v, const char ***specs)
{
    static const char *const fallback[] = { DEFAULT_MODEL };
    int i = config_index(v, "model");
    if (v->list_n[i]) {
        *specs = v->list[i];
        return v->list_n[i];
    }
    *specs = (const char **)fallback;
    return 1;
}

int cli_setup_models(VmafxContext *ctx, const ConfigValues *v, int no_prediction)
{
    if (no_prediction) {
        /* the default model's features without its score */
        static const char *const base[] = { "adm", "motion", "vif" };
        for (size_t k = 0; k < 3; k++)
            if (vmafx_use_feature(ctx, base[k], NULL))
                return cli_error("%s", vmafx_last_error(ctx));
        return add_features(ctx, v);
    }
    const char **specs;
    size_t n = model_specs(v, &specs);
    for (size_t k = 0; k < n; k++) {
        ModelSpec m;
        if (parse_model_spec(specs[k], &m) || add_model(ctx, &m, n > 1)) return -1;
    }
    return add_features(ctx, v);
}

void cli_print_scores(const VmafxContext *ctx, const ConfigValues *v, FILE *f)
{
    if (config_flag(v, "no_prediction")) return;
    const char **specs;
    size_t n = model_specs(v, &specs);
    for (unsigned i = 0; i < n && vmafx_model_name(ctx, i); i++) {
        ModelSpec m;
        double mean;
        if (parse_model_spec(specs[i], &m)) continue;
        if (vmafx_feature_pooled(ctx, vmafx_model_name(ctx, i), VMAFX_POOL_MEAN, &mean)) continue;
        fprintf(f, "%s: %f\n", *m.name ? m.name : model_label(&m), mean);
    }
}
