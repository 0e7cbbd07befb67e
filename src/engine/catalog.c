/* The engine's catalog: built-in models with the features and options they use, and every
 * feature extractor with its options, from the registry and the embedded models themselves,
 * so help texts and GET /v1/models cannot drift from what scoring accepts. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "vmafx/vmafx.h"
#include "feature/extractor.h"
#include "model/builtin.h"
#include "model/model.h"

const char *vmafx_feature_extractor(unsigned i)
{
    const FeatureExtractor *fx = extractor_at(i);
    return fx ? fx->name : NULL;
}

/* 15 significant digits read like the values people type (0.06, not 0.059999999999999998);
 * "no limit" (DBL_MAX) is null, which 15 digits would round beyond the double range */
static json_t *num_json(double v)
{
    return fabs(v) < 1e300 ? json_real(v) : json_null();
}

static json_t *option_json(const ExtractorOption *o)
{
    json_t *j = json_object();
    json_object_set_new(j, "name", json_string(o->name));
    if (o->alias) json_object_set_new(j, "alias", json_string(o->alias));
    json_object_set_new(j, "type", json_string(o->boolean ? "boolean" : "number"));
    if (o->boolean) {
        json_object_set_new(j, "default", json_boolean(o->def != 0));
    } else {
        json_object_set_new(j, "default", num_json(o->def));
        json_object_set_new(j, "min", num_json(o->min));
        json_object_set_new(j, "max", num_json(o->max));
    }
    /* whether a non-default value shows in the output feature names */
    json_object_set_new(j, "names_features", json_boolean(o->feature_param));
    return j;
}

static json_t *extractor_json(const FeatureExtractor *fx)
{
    json_t *j = json_object(), *provides = json_array(), *opts = json_array();
    json_object_set_new(j, "name", json_string(fx->name));
    for (const char *const *p = fx->provides; p && *p; p++) json_array_append_new(provides, json_string(*p));
    for (unsigned i = 0; i < fx->n_options; i++) json_array_append_new(opts, option_json(&fx->options[i]));
    json_object_set_new(j, "provides", provides);
    json_object_set_new(j, "options", opts);
    return j;
}

/* A built-in model: its features (libvmaf names), the extractor computing each (null where
 * vmafx has none, so the model cannot score yet) and the options the model sets. */
static json_t *model_json(const char *name)
{
    const char *text = builtin_model_json(name);
    Model *mc[MODEL_MAX_COLLECTION], *m;
    unsigned n_mc = 0;
    char err[256];
    json_t *j = json_object(), *features = json_array();
    json_object_set_new(j, "name", json_string(name));
    /* a bootstrap collection is listed by its main model (the submodels share its features) */
    int bad = !text || model_parse_collection(text, strlen(text), 0, 0, mc, &n_mc, err, sizeof(err));
    m = bad ? NULL : mc[0];
    for (unsigned i = 1; i < n_mc; i++) model_free(mc[i]);
    if (bad) {
        json_object_set_new(j, "error", json_string(text ? err : "missing"));
        json_decref(features);
        return j;
    }
    int complete = 1;
    for (unsigned f = 0; f < model_feature_count(m); f++) {
        const FeatureExtractor *fx = extractor_providing(model_feature_name(m, f));
        complete &= fx != NULL;
        json_t *e = json_object(), *opts = json_object();
        json_object_set_new(e, "name", json_string(model_feature_name(m, f)));
        json_object_set_new(e, "extractor", fx ? json_string(fx->name) : json_null());
        const ModelFeatureOpt *mo;
        unsigned n = model_feature_opts(m, f, &mo);
        for (unsigned k = 0; k < n; k++)
            json_object_set_new(opts, mo[k].key,
                                mo[k].is_text ? json_string(mo[k].text) : num_json(mo[k].value));
        json_object_set_new(e, "options", opts);
        json_array_append_new(features, e);
    }
    model_free(m);
    json_object_set_new(j, "features", features);
    json_object_set_new(j, "available", json_boolean(complete));
    return j;
}

char *vmafx_catalog_json(void)
{
    json_t *root = json_object(), *models = json_array(), *features = json_array();
    if (!root || !models || !features) {
        json_decref(root);
        json_decref(models);
        json_decref(features);
        return NULL;
    }
    for (const char *const *n = builtin_model_names(); *n; n++) json_array_append_new(models, model_json(*n));
    for (unsigned i = 0; extractor_at(i); i++)
        json_array_append_new(features, extractor_json(extractor_at(i)));
    json_object_set_new(root, "default_model", json_string(BUILTIN_DEFAULT_MODEL));
    json_object_set_new(root, "models", models);
    json_object_set_new(root, "features", features);
    char *text = json_dumps(root, JSON_COMPACT | JSON_REAL_PRECISION(15));
    json_decref(root);
    return text;
}
