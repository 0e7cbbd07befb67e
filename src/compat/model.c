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
    if (err)
        compat_log(NULL, VMAF_LOG_LEVEL_ERROR, "model %s: %s", what, vmafx_last_error(eng));
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
            if (!b) { free(buf); fclose(f); return -ENOMEM; }
            buf = b;
        }
        size_t k = fread(buf + n, 1, cap - n - 1, f);
        n += k;
        if (!k) break;
    }
    int bad = ferror(f);
    fclose(f);
    if (bad) { free(buf); return -EIO; }
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
    vmaf_feature_dictionary_free(&opts_dict);   /* consumed, as libvmaf does */
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
    return a == b || (same_text(a->name, b->name) && same_text(a->version, b->version) &&
                      same_text(a->json, b->json) && same_text(a->overloads, b->overloads) &&
                      a->flags == b->flags);
}

int model_mount(VmafContext *ctx, const VmafModel *model)
{
    for (unsigned i = 0; i < ctx->n_mounted; i++)
        if (same_model(ctx->mounted[i], model)) return 0;   /* a set: once is enough */
    if (ctx->n_mounted == MAX_MOUNTED) {
        compat_log(ctx, VMAF_LOG_LEVEL_ERROR, "at most %d models per context", MAX_MOUNTED);
        return -EINVAL;
    }
    int err = load_into(ctx->eng, model);
    if (err) return compat_engine_error(ctx, "vmaf_use_features_from_model", err);
    ctx->mounted[ctx->n_mounted++] = model;
    return 0;
}

/* Model collections (libvmaf's bootstrap models, vmaf_b_v0.6.3): the engine loads the model
 * file whole and writes every member's score plus NAME_bagging, NAME_stddev, NAME_ci_p95_lo
 * and NAME_ci_p95_hi, so a collection is one engine model here; *model is the collection's
 * main model (its score is NAME), as libvmaf hands it out. Where the engine does not know
 * the model, loading fails with its message. */
struct VmafModelCollection {
    VmafModel *model;
};

static int collection_new(VmafModel **model, VmafModelCollection **mc, VmafModel *m)
{
    VmafModelCollection *c = calloc(1, sizeof(*c));
    VmafModel *main_model = calloc(1, sizeof(*main_model));
    if (!c || !main_model || !(main_model->name = strdup(m->name)) ||
        (m->version && !(main_model->version = strdup(m->version))) ||
        (m->json && !(main_model->json = malloc(m->json_len + 1)))) {
        free(c);
        vmaf_model_destroy(main_model);
        vmaf_model_destroy(m);
        return -ENOMEM;
    }
    if (m->json) {
        memcpy(main_model->json, m->json, m->json_len + 1);
        main_model->json_len = m->json_len;
    }
    main_model->flags = m->flags;
    c->model = m;
    *mc = c;
    *model = main_model;
    return 0;
}

EXPORT int vmaf_model_collection_load(VmafModel **model, VmafModelCollection **model_collection,
                                      VmafModelConfig *cfg, const char *version)
{
    if (!model || !model_collection || !version) return -EINVAL;
    VmafModel *m;
    int err = vmaf_model_load(&m, cfg, version);
    return err ? err : collection_new(model, model_collection, m);
}

EXPORT int vmaf_model_collection_load_from_path(VmafModel **model,
                                                VmafModelCollection **model_collection,
                                                VmafModelConfig *cfg, const char *path)
{
    if (!model || !model_collection || !path) return -EINVAL;
    VmafModel *m;
    int err = vmaf_model_load_from_path(&m, cfg, path);
    return err ? err : collection_new(model, model_collection, m);
}

EXPORT int vmaf_model_collection_feature_overload(VmafModel *model,
                                                  VmafModelCollection **model_collection,
                                                  const char *feature_name,
                                                  VmafFeatureDictionary *opts_dict)
{
    if (!model || !model_collection || !*model_collection || !feature_name || !opts_dict)
        return -EINVAL;
    VmafFeatureDictionary *copy = NULL;
    for (unsigned i = 0; i < opts_dict->n; i++)
        if (vmaf_feature_dictionary_set(&copy, opts_dict->e[i].key, opts_dict->e[i].val)) {
            vmaf_feature_dictionary_free(&copy);
            return -ENOMEM;
        }
    int err = vmaf_model_feature_overload(model, feature_name, copy);
    if (err) {
        vmaf_feature_dictionary_free(&copy);
        return err;
    }
    return vmaf_model_feature_overload((*model_collection)->model, feature_name, opts_dict);
}

EXPORT void vmaf_model_collection_destroy(VmafModelCollection *model_collection)
{
    if (!model_collection) return;
    vmaf_model_destroy(model_collection->model);
    free(model_collection);
}

EXPORT int vmaf_use_features_from_model_collection(VmafContext *vmaf,
                                                   VmafModelCollection *model_collection)
{
    if (!vmaf || !model_collection) return -EINVAL;
    return vmaf_use_features_from_model(vmaf, model_collection->model);
}

/* The four statistics of a collection, each pooled by `pool` (UNKNOWN: the value at index
 * lo). */
static int collection_score(VmafContext *v, const VmafModelCollection *mc,
                            enum VmafPoolingMethod pool, VmafModelCollectionScore *score,
                            unsigned lo, unsigned hi)
{
    static const char *const suffix[] = { "_bagging", "_stddev", "_ci_p95_lo", "_ci_p95_hi" };
    double *dst[] = { &score->bootstrap.bagging_score, &score->bootstrap.stddev,
                      &score->bootstrap.ci.p95.lo, &score->bootstrap.ci.p95.hi };
    for (int k = 0; k < 4; k++) {
        char name[256];
        snprintf(name, sizeof(name), "%s%s", mc->model->name, suffix[k]);
        int err = pool ? vmaf_feature_score_pooled(v, name, pool, dst[k], lo, hi)
                       : vmaf_feature_score_at_index(v, name, dst[k], lo);
        if (err) return err;
    }
    score->type = VMAF_MODEL_COLLECTION_SCORE_BOOTSTRAP;
    return 0;
}

EXPORT int vmaf_score_at_index_model_collection(VmafContext *vmaf,
                                                VmafModelCollection *model_collection,
                                                VmafModelCollectionScore *score, unsigned index)
{
    if (!vmaf || !model_collection || !score) return -EINVAL;
    return collection_score(vmaf, model_collection, VMAF_POOL_METHOD_UNKNOWN, score, index, index);
}

EXPORT int vmaf_score_pooled_model_collection(VmafContext *vmaf,
                                              VmafModelCollection *model_collection,
                                              enum VmafPoolingMethod pool_method,
                                              VmafModelCollectionScore *score,
                                              unsigned index_low, unsigned index_high)
{
    if (!vmaf || !model_collection || !score || index_low > index_high) return -EINVAL;
    if (pool_method <= VMAF_POOL_METHOD_UNKNOWN || pool_method >= VMAF_POOL_METHOD_NB)
        return -EINVAL;
    return collection_score(vmaf, model_collection, pool_method, score, index_low, index_high);
}
