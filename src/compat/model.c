/* VmafModel: a model as the engine will load it — built-in version or JSON text — with
 * libvmaf's configuration (output name, flags) and feature overloads. It is checked against
 * the engine when loaded, and loaded into a context by vmaf_use_features_from_model. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compat.h"

static VmafxModelConfig engine_config(const VmafModel *m)
{
    return (VmafxModelConfig){
        .name = m->name,
        .enable_transform = (m->flags & VMAF_MODEL_FLAG_ENABLE_TRANSFORM) &&
                            !(m->flags & VMAF_MODEL_FLAG_DISABLE_TRANSFORM),
        .disable_clip = !!(m->flags & VMAF_MODEL_FLAG_DISABLE_CLIP),
        .feature_options = m->overloads,
    };
}

static int load_into(VmafxContext *eng, const VmafModel *m)
{
    VmafxModelConfig cfg = engine_config(m);
    return m->version ? vmafx_use_builtin_model(eng, m->version, &cfg)
                      : vmafx_use_model(eng, m->json, m->json_len, &cfg);
}

/* Loads the model into a scratch engine context: a model vmafx cannot score (unknown
 * version, bad JSON, a feature no extractor computes) fails here, with the engine's
 * message naming the problem. */
static int check_model(const VmafModel *m, const char *what)
{
    VmafxContext *eng;
    int err = vmafx_init(&eng, NULL);
    if (err) return -ENOMEM;
    err = load_into(eng, m);
    if (err) compat_log(NULL, VMAF_LOG_LEVEL_ERROR, "model %s: %s", what, vmafx_last_error(eng));
    vmafx_close(eng);
    return err == -ENOMEM ? -ENOMEM : err ? -EINVAL : 0;
}

static int model_new(VmafModel **out, const VmafModelConfig *cfg)
{
    VmafModel *m = calloc(1, sizeof(*m));
    if (!m) return -ENOMEM;
    m->flags = cfg ? cfg->flags : 0;
    if (!(m->name = strdup(cfg && cfg->name ? cfg->name : "vmaf"))) {
        free(m);
        return -ENOMEM;
    }
    *out = m;
    return 0;
}

static int finish_load(VmafModel **model, VmafModel *m, const char *what)
{
    int err = check_model(m, what);
    if (err) {
        vmaf_model_destroy(m);
        return err;
    }
    *model = m;
    return 0;
}

EXPORT int vmaf_model_load(VmafModel **model, VmafModelConfig *cfg, const char *version)
{
    if (!model || !version) return -EINVAL;
    VmafModel *m;
    int err = model_new(&m, cfg);
    if (err) return err;
    if (!(m->version = strdup(version))) {
        vmaf_model_destroy(m);
        return -ENOMEM;
    }
    return finish_load(model, m, version);
}

static int read_file(const char *path, char **text, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) return -errno;
    char *buf = NULL;
    size_t n = 0, cap = 0;
    for (;;) {
        if (n + 4096 > cap) {
            char *b = realloc(buf, cap = cap * 2 + 8192);
            if (!b) {
                free(buf);
                fclose(f);
                return -ENOMEM;
            }
            buf = b;
        }
        size_t k = fread(buf + n, 1, cap - n - 1, f);
        n += k;
        if (!k) break;
    }
    int bad = ferror(f);
    fclose(f);
    if (bad) {
        free(buf);
        return -EIO;
    }
    buf[n] = 0;
    *text = buf;
    *len = n;
    return 0;
}

EXPORT int vmaf_model_load_from_path(VmafModel **model, VmafModelConfig *cfg, const char *path)
{
    if (!model || !path) return -EINVAL;
    VmafModel *m;
    int err = model_new(&m, cfg);
    if (err) return err;
    if ((err = read_file(path, &m->json, &m->json_len))) {
        compat_log(NULL, VMAF_LOG_LEVEL_ERROR, "could not read model from path \"%s\": %s", path,
                   strerror(-err));
        vmaf_model_destroy(m);
        return -EINVAL;
    }
    return finish_load(model, m, path);
}

EXPORT int vmaf_model_feature_overload(VmafModel *model, const char *feature_name,
                                       VmafFeatureDictionary *opts_dict)
{
    if (!model || !feature_name || !opts_dict) return -EINVAL;
    char prefix[128], add[512];
    snprintf(prefix, sizeof(prefix), "%s.", feature_name);
    if (dictionary_join(opts_dict, prefix, add, sizeof(add))) return -EINVAL;
    size_t old = model->overloads ? strlen(model->overloads) : 0;
    char *s = malloc(old + strlen(add) + 2);
    if (!s) return -ENOMEM;
    sprintf(s, "%s%s%s", old ? model->overloads : "", old ? ":" : "", add);
    char *prev = model->overloads;
    model->overloads = s;
    /* a bad key or value shows now rather than when the model is used */
    int err = check_model(model, feature_name);
    if (err) {
        model->overloads = prev;
        free(s);
        return err;
    }
    free(prev);
    vmaf_feature_dictionary_free(&opts_dict); /* consumed, as libvmaf does */
    return 0;
}

EXPORT void vmaf_model_destroy(VmafModel *model)
{
    if (!model) return;
    free(model->version);
    free(model->json);
    free(model->name);
    free(model->overloads);
    free(model);
}

static int same_text(const char *a, const char *b)
{
    return a == b || (a && b && !strcmp(a, b));
}

/* The same model under the same name (a collection's main model and the collection). */
static int same_model(const VmafModel *a, const VmafModel *b)
{
    return a == b ||
           (same_text(a->name, b->name) && same_text(a->version, b->version) && same_text(a->json, b->json) &&
            same_text(a->overloads, b->overloads) && a->flags == b->flags);
}

int model_mount(VmafContext *ctx, const VmafModel *model)
{
    for (unsigned i = 0; i < ctx->n_mounted; i++)
        if (same_model(ctx->mounted[i], model)) return 0; /* a set: once is enough */
    if (ctx->n_mounted == MAX_MOUNTED) {
        compat_log(ctx, VMAF_LOG_LEVEL_ERROR, "at most %d models per context", MAX_MOUNTED);
        return -EINVAL;
    }
    int err = load_into(ctx->eng, model);
    if (err) return compat_engine_error(ctx, "vmaf_use_features_from_model", err);
    ctx->mounted[ctx->n_mounted++] = model;
    return 0;
}
