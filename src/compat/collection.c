/* VmafModelCollection (libvmaf's bootstrap models) over the engine. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compat.h"

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

EXPORT int vmaf_model_collection_load_from_path(VmafModel **model, VmafModelCollection **model_collection,
                                                VmafModelConfig *cfg, const char *path)
{
    if (!model || !model_collection || !path) return -EINVAL;
    VmafModel *m;
    int err = vmaf_model_load_from_path(&m, cfg, path);
    return err ? err : collection_new(model, model_collection, m);
}

EXPORT int vmaf_model_collection_feature_overload(VmafModel *model, VmafModelCollection **model_collection,
                                                  const char *feature_name, VmafFeatureDictionary *opts_dict)
{
    if (!model || !model_collection || !*model_collection || !feature_name || !opts_dict) return -EINVAL;
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

EXPORT int vmaf_use_features_from_model_collection(VmafContext *vmaf, VmafModelCollection *model_collection)
{
    if (!vmaf || !model_collection) return -EINVAL;
    return vmaf_use_features_from_model(vmaf, model_collection->model);
}

/* The four statistics of a collection, each pooled by `pool` (UNKNOWN: the value at index
 * lo). */
static int collection_score(VmafContext *v, const VmafModelCollection *mc, enum VmafPoolingMethod pool,
                            VmafModelCollectionScore *score, unsigned lo, unsigned hi)
{
    static const char *const suffix[] = { "_bagging", "_stddev", "_ci_p95_lo", "_ci_p95_hi" };
    double *dst[] = { &score->bootstrap.bagging_score, &score->bootstrap.stddev, &score->bootstrap.ci.p95.lo,
                      &score->bootstrap.ci.p95.hi };
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

EXPORT int vmaf_score_at_index_model_collection(VmafContext *vmaf, VmafModelCollection *model_collection,
                                                VmafModelCollectionScore *score, unsigned index)
{
    if (!vmaf || !model_collection || !score) return -EINVAL;
    return collection_score(vmaf, model_collection, VMAF_POOL_METHOD_UNKNOWN, score, index, index);
}

EXPORT int vmaf_score_pooled_model_collection(VmafContext *vmaf, VmafModelCollection *model_collection,
                                              enum VmafPoolingMethod pool_method,
                                              VmafModelCollectionScore *score, unsigned index_low,
                                              unsigned index_high)
{
    if (!vmaf || !model_collection || !score || index_low > index_high) return -EINVAL;
    if (pool_method <= VMAF_POOL_METHOD_UNKNOWN || pool_method >= VMAF_POOL_METHOD_NB) return -EINVAL;
    return collection_score(vmaf, model_collection, pool_method, score, index_low, index_high);
}
