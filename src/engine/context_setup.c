/* Which extractors a context runs: models' features and extra features, with their options,
 * deduplicated into instances (libvmaf's feature naming rules for options). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "context_impl.h"
#include "model/builtin.h"

/* Options that differ from their defaults, sorted by name, as "_alias_value" (libvmaf's
 * feature-name rule, so a neg-model feature is "integer_adm2_egl_1"). */
static void build_suffix(const FeatureExtractor *fx, const double *opt, char *buf, size_t n)
{
    buf[0] = 0;
    const ExtractorOption *sorted[EXTRACTOR_MAX_OPTIONS];
    unsigned idx[EXTRACTOR_MAX_OPTIONS], m = 0;
    for (unsigned i = 0; i < fx->n_options; i++) {
        if (!fx->options[i].feature_param || opt[i] == fx->options[i].def) continue;
        unsigned k = m++;
        while (k > 0 && strcmp(sorted[k - 1]->name, fx->options[i].name) > 0) {
            sorted[k] = sorted[k - 1];
            idx[k] = idx[k - 1];
            k--;
        }
        sorted[k] = &fx->options[i];
        idx[k] = i;
    }
    for (unsigned k = 0; k < m; k++) {
        size_t len = strlen(buf);
        const char *key = sorted[k]->alias ? sorted[k]->alias : sorted[k]->name;
        if (sorted[k]->boolean) snprintf(buf + len, n - len, "_%s", key);
        else if (extractor_option_kind(fx, sorted[k]) && extractor_option_kind(fx, sorted[k])->choices)
            snprintf(buf + len, n - len, "_%s_%s", key,
                     extractor_option_kind(fx, sorted[k])->choices[(int)opt[idx[k]]]);
        else snprintf(buf + len, n - len, "_%s_%g", key, opt[idx[k]]);
    }
}

static const ExtractorOption *find_option(const FeatureExtractor *fx, const char *key)
{
    for (unsigned i = 0; i < fx->n_options; i++) {
        const ExtractorOption *o = &fx->options[i];
        if (!strcmp(o->name, key) || (o->alias && !strcmp(o->alias, key))) return o;
    }
    return NULL;
}

static int bad_choice(VmafxContext *ctx, const FeatureExtractor *fx, const ExtractorOption *o, const char *v)
{
    const char *const *words = extractor_option_kind(fx, o)->choices;
    char list[256] = "";
    for (unsigned i = 0; words[i]; i++) {
        size_t len = strlen(list);
        snprintf(list + len, sizeof(list) - len, "%s%s", i ? ", " : "", words[i]);
    }
    return ctx_fail(ctx, -EINVAL, "feature %s: option %s: '%s' is not one of %s", fx->name, o->name, v, list);
}

static int set_option(VmafxContext *ctx, const FeatureExtractor *fx, double *opt, const char *key,
                      double value)
{
    for (unsigned i = 0; i < fx->n_options; i++) {
        const ExtractorOption *o = &fx->options[i];
        if (strcmp(o->name, key) && !(o->alias && !strcmp(o->alias, key))) continue;
        if (!(value >= o->min && value <= o->max))
            return ctx_fail(ctx, -EINVAL, "feature %s: option %s=%g out of range [%g, %g]", fx->name, key,
                            value, o->min, o->max);
        const ExtractorOptionKind *kind = extractor_option_kind(fx, o);
        if (kind && kind->integer && value != (double)(long)value)
            return ctx_fail(ctx, -EINVAL, "feature %s: option %s=%g must be an integer", fx->name, key,
                            value);
        opt[i] = value;
        return 0;
    }
    return ctx_fail(ctx, -EINVAL, "feature %s: unknown option '%s'", fx->name, key);
}

/* Sets an option from its text (a number, true/false, one of the option's words, or free
 * text for a text option), as --feature and model feature_opts_dicts give them. Free text is
 * kept in text[] (NULL: not accepted here, as in a model). */
static int set_option_text(VmafxContext *ctx, const FeatureExtractor *fx, double *opt, char **text,
                           const char *key, const char *v)
{
    const ExtractorOption *o = find_option(fx, key);
    const ExtractorOptionKind *kind = o ? extractor_option_kind(fx, o) : NULL;
    if (kind && kind->text) {
        unsigned i = (unsigned)(o - fx->options);
        if (!text)
            return ctx_fail(ctx, -EINVAL, "feature %s: option %s: free text cannot be set by a model",
                            fx->name, key);
        free(text[i]);
        if (!(text[i] = strdup(v))) return ctx_fail(ctx, -ENOMEM, "out of memory");
        return 0;
    }
    double value = 0; /* an unknown key is named by set_option */
    if (o && extractor_option_parse(fx, o, v, &value)) {
        if (kind && kind->choices) return bad_choice(ctx, fx, o, v);
        return ctx_fail(ctx, -EINVAL, "feature %s: option %s: '%s' is not a number", fx->name, key, v);
    }
    return set_option(ctx, fx, opt, key, value);
}

/* The "EXTRACTOR.KEY=VALUE:..." entries of a model config that name fx (libvmaf's
 * vmaf_model_feature_overload), applied over the model's own options. */
static int apply_overloads(VmafxContext *ctx, const FeatureExtractor *fx, double *opt, const char *list)
{
    char buf[512];
    if (!list) return 0;
    if (snprintf(buf, sizeof(buf), "%s", list) >= (int)sizeof(buf))
        return ctx_fail(ctx, -EINVAL, "model feature options too long: %s", list);
    char *save = NULL;
    for (char *e = strtok_r(buf, ":", &save); e; e = strtok_r(NULL, ":", &save)) {
        char *dot = strchr(e, '.');
        if (!dot) return ctx_fail(ctx, -EINVAL, "model feature option '%s' is not EXTRACTOR.KEY=VALUE", e);
        *dot = 0;
        if (strcmp(e, fx->name)) continue;
        char *eq = strchr(dot + 1, '=');
        if (!eq)
            return ctx_fail(ctx, -EINVAL, "feature %s: option '%s' needs a value (key=value)", fx->name,
                            dot + 1);
        *eq = 0;
        int err = set_option_text(ctx, fx, opt, NULL, dot + 1, eq + 1);
        if (err) return err;
    }
    return 0;
}

static int same_feature_params(const FeatureExtractor *fx, const double *a, const double *b)
{
    for (unsigned k = 0; k < fx->n_options; k++)
        if (fx->options[k].feature_param && a[k] != b[k]) return 0;
    return 1;
}

static void set_option_if_present(const FeatureExtractor *fx, double *opt, const char *key, double v)
{
    for (unsigned i = 0; i < fx->n_options; i++)
        if (!strcmp(fx->options[i].name, key)) opt[i] = v;
}

/* The extractor's own refusal of option values it cannot compute, named, before scoring. */
static int check_options(VmafxContext *ctx, const FeatureExtractor *fx, const double *opt)
{
    if (!fx->check) return 0;
    char why[320] = "";
    int err = fx->check(opt, why, sizeof(why));
    if (err) return ctx_fail(ctx, err, "feature %s: %s", fx->name, why[0] ? why : "options refused");
    return 0;
}

/* Gives the instance the text options given (NULL: none); takes the strings. */
static void take_text(Instance *in, char **text)
{
    for (unsigned k = 0; text && k < EXTRACTOR_MAX_OPTIONS; k++) {
        if (!text[k]) continue;
        free(in->text[k]);
        in->text[k] = text[k];
        text[k] = NULL;
    }
}

/* The instance of fx with these feature-naming option values, created if new. */
static Instance *instance_for(VmafxContext *ctx, const FeatureExtractor *fx, const double *opt, char **text)
{
    for (unsigned i = 0; i < ctx->n_inst; i++) {
        Instance *in = &ctx->inst[i];
        if (in->fx != fx || !same_feature_params(fx, in->opt, opt)) continue;
        /* as in libvmaf the first registration wins (a model's ADM keeps its AIM whatever a
         * later --feature adm=adm_skip_aim=true says); only debug output is merged in */
        for (unsigned k = 0; k < fx->n_options; k++)
            if (!fx->options[k].feature_param && !strcmp(fx->options[k].name, "debug") &&
                opt[k] != fx->options[k].def)
                in->opt[k] = opt[k];
        take_text(in, text);
        return in;
    }
    if (ctx->n_inst == MAX_INSTANCES) return NULL;
    Instance *in = &ctx->inst[ctx->n_inst++];
    in->fx = fx;
    memcpy(in->opt, opt, sizeof(in->opt));
    take_text(in, text);
    build_suffix(fx, opt, in->suffix, sizeof(in->suffix));
    return in;
}

static void default_options(const FeatureExtractor *fx, double *opt)
{
    memset(opt, 0, sizeof(double) * EXTRACTOR_MAX_OPTIONS);
    for (unsigned i = 0; i < fx->n_options; i++) opt[i] = fx->options[i].def;
}

static int check_not_started(VmafxContext *ctx)
{
    if (ctx->started) return ctx_fail(ctx, -EBUSY, "models and features must be added before scoring");
    return 0;
}

static int add_model(VmafxContext *ctx, Model *m, const VmafxModelConfig *cfg, const char *name)
{
    if (ctx->n_models == MAX_MODELS) {
        model_free(m);
        return ctx_fail(ctx, -ENOSPC, "too many models (at most %d)", MAX_MODELS);
    }
    ModelSlot *slot = &ctx->models[ctx->n_models];
    memset(slot, 0, sizeof(*slot));
    snprintf(slot->name, sizeof(slot->name), "%s", name);
    const int features_only = cfg && cfg->features_only;
    for (unsigned i = 0; i < ctx->n_models && !features_only; i++)
        if (!strcmp(ctx->models[i].name, slot->name)) {
            model_free(m);
            return ctx_fail(ctx, -EINVAL, "two models named '%s': give each a name=", slot->name);
        }
    for (unsigned f = 0; f < model_feature_count(m); f++) {
        const char *fname = model_feature_name(m, f);
        const FeatureExtractor *fx = extractor_providing(fname);
        if (!fx) {
            ctx_fail(ctx, -ENOTSUP,
                     "feature '%s' is not supported: no vmafx extractor "
                     "computes it",
                     fname);
            model_free(m);
            return -ENOTSUP;
        }
        double opt[EXTRACTOR_MAX_OPTIONS];
        default_options(fx, opt);
        const ModelFeatureOpt *mo;
        unsigned n = model_feature_opts(m, f, &mo);
        for (unsigned k = 0; k < n; k++) {
            int err = mo[k].is_text ? set_option_text(ctx, fx, opt, NULL, mo[k].key, mo[k].text)
                                    : set_option(ctx, fx, opt, mo[k].key, mo[k].value);
            if (err) {
                model_free(m);
                return err;
            }
        }
        int err = apply_overloads(ctx, fx, opt, cfg ? cfg->feature_options : NULL);
        if (err) {
            model_free(m);
            return err;
        }
        if (cfg && cfg->debug) set_option_if_present(fx, opt, "debug", 1.0);
        if ((err = check_options(ctx, fx, opt))) {
            model_free(m);
            return err;
        }
        Instance *in = instance_for(ctx, fx, opt, NULL);
        if (!in) {
            model_free(m);
            return ctx_fail(ctx, -ENOSPC, "too many feature extractors");
        }
        feature_name(slot->feature[f], NAME_LEN, fname, feature_output_name(fname), in->suffix);
    }
    if (features_only) { /* the slot is left unused */
        model_free(m);
        return 0;
    }
    slot->model = m;
    ctx->n_models++;
    return 0;
}

int vmafx_use_model(VmafxContext *ctx, const char *json, size_t len, const VmafxModelConfig *cfg)
{
    int err = check_not_started(ctx);
    if (err) return err;
    Model *m[MODEL_MAX_COLLECTION];
    unsigned n;
    char why[256];
    err = model_parse_collection(json, len, cfg && cfg->enable_transform, cfg && cfg->disable_clip, m, &n,
                                 why, sizeof(why));
    if (err) return ctx_fail(ctx, err, "%s", why);
    /* libvmaf's names: the main model "vmaf" (or name=), its bootstrap submodels "vmaf_0001"... */
    const char *base = cfg && cfg->name ? cfg->name : "vmaf";
    const unsigned first_sub = ctx->n_models + 1;
    for (unsigned i = 0; i < n; i++) {
        char name[NAME_LEN];
        snprintf(name, sizeof(name), i ? "%s_%04u" : "%s", base, i);
        if ((err = add_model(ctx, m[i], cfg, name))) {
            while (++i < n) model_free(m[i]);
            return err;
        }
    }
    if (n > 1 && !(cfg && cfg->features_only)) {
        ctx->models[first_sub].boot_n = n - 1;
        snprintf(ctx->models[first_sub].boot_name, NAME_LEN, "%s", base);
    }
    return 0;
}

/* "a, b, c" of a NULL-terminated list, cut with "..." where buf ends. */
static void join_names(char *buf, size_t n, const char *(*name)(unsigned), const char *const *list)
{
    buf[0] = 0;
    for (unsigned i = 0;; i++) {
        const char *x = list ? list[i] : name(i);
        if (!x) break;
        size_t len = strlen(buf);
        if (len + strlen(x) + 6 >= n) {
            snprintf(buf + len, n - len, ", ...");
            break;
        }
        snprintf(buf + len, n - len, "%s%s", i ? ", " : "", x);
    }
}

int vmafx_use_builtin_model(VmafxContext *ctx, const char *version, const VmafxModelConfig *cfg)
{
    const char *json = builtin_model_json(version);
    char names[400];
    if (!json) join_names(names, sizeof(names), NULL, builtin_model_names());
    if (!json) return ctx_fail(ctx, -ENOENT, "unknown model version '%s' (built in: %s)", version, names);
    return vmafx_use_model(ctx, json, strlen(json), cfg);
}

const char *const *vmafx_builtin_models(void)
{
    return builtin_model_names();
}

int vmafx_use_feature(VmafxContext *ctx, const char *name, const char *options)
{
    int err = check_not_started(ctx);
    if (err) return err;
    const FeatureExtractor *fx = extractor_find(name);
    char names[400];
    if (!fx) join_names(names, sizeof(names), vmafx_feature_extractor, NULL);
    if (!fx) return ctx_fail(ctx, -ENOENT, "unknown feature '%s' (known: %s)", name, names);
    double opt[EXTRACTOR_MAX_OPTIONS];
    default_options(fx, opt);
    char buf[2048];
    if (snprintf(buf, sizeof(buf), "%s", options ? options : "") >= (int)sizeof(buf))
        return ctx_fail(ctx, -EINVAL, "feature %s: options longer than %zu characters", name,
                        sizeof(buf) - 1);
    char *text[EXTRACTOR_MAX_OPTIONS] = { 0 };
    char *save = NULL;
    for (char *kv = strtok_r(buf, ":", &save); kv && !err; kv = strtok_r(NULL, ":", &save)) {
        char *eq = strchr(kv, '=');
        if (!eq) {
            err = ctx_fail(ctx, -EINVAL, "feature %s: option '%s' needs a value (key=value)", name, kv);
            break;
        }
        *eq = 0;
        err = set_option_text(ctx, fx, opt, text, kv, eq + 1);
    }
    if (!err) err = check_options(ctx, fx, opt);
    if (!err && !instance_for(ctx, fx, opt, text))
        err = ctx_fail(ctx, -ENOSPC, "too many feature extractors");
    for (unsigned k = 0; k < EXTRACTOR_MAX_OPTIONS; k++) free(text[k]);
    return err;
}

int vmafx_reads_chroma(const VmafxContext *ctx)
{
    for (unsigned i = 0; i < ctx->n_inst; i++)
        if (ctx->inst[i].fx->flags & EXTRACTOR_CHROMA) return 1;
    return 0;
}
