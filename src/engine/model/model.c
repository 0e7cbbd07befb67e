/* VMAF model: libvmaf's JSON model format and per-frame prediction (spec section 6).
 *
 * Prediction reproduces libvmaf bit for bit: every floating-point operation below is done
 * in the same order and precision as libvmaf's predict.c and libsvm's RBF kernel, so the
 * comments point out where the order matters. */
#include <errno.h>
#include <locale.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "model.h"

#define MAX_KNOTS 10

typedef struct Transform {
    int enabled;
    int has_p[3];
    double p[3];      /* y' = p0 + p1*y + p2*y*y, each term optional */
    unsigned n_knots; /* piecewise-linear mapping when >= 2 */
    int knots_on;
    double knot_x[MAX_KNOTS], knot_y[MAX_KNOTS];
    int out_lte_in, out_gte_in;
} Transform;

typedef struct Svm {
    double gamma, rho;
    unsigned n_sv;
    unsigned dim; /* highest index used by the SVs or the features */
    double *coef; /* n_sv coefficients */
    double *sv;   /* n_sv x dim, dense; indices absent from a line are 0 */
} Svm;

/* VMAF v1: when the chroma feature (speed_chroma) of a frame is exactly 0, it is replaced by
 * c * (1 - adm3), c the model's chroma_correction_parameter (libvmaf's predict.c). */
typedef struct ChromaCorrection {
    int on;
    double c;
    unsigned guiding, guided; /* feature indices of adm3 and speed_chroma */
} ChromaCorrection;

struct Model {
    unsigned n_features;
    char *name[MODEL_MAX_FEATURES];
    ModelFeatureOpt opt[MODEL_MAX_FEATURES][MODEL_MAX_FEATURE_OPTS];
    unsigned n_opts[MODEL_MAX_FEATURES];
    int rescale;             /* norm_type linear_rescale (else "none") */
    double slope, intercept; /* of the score: element 0 of slopes/intercepts */
    double f_slope[MODEL_MAX_FEATURES], f_intercept[MODEL_MAX_FEATURES];
    int clip;
    double clip_min, clip_max;
    Transform tr;
    ChromaCorrection chroma;
    Svm svm;
};

/* Where parse errors go: a caller-owned buffer, written once (the first error wins). */
typedef struct Err {
    char *buf;
    size_t len;
} Err;

static int fail(Err *e, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static int fail(Err *e, int code, const char *fmt, ...)
{
    if (e->buf && e->len) {
        int n = snprintf(e->buf, e->len, "model JSON: ");
        va_list ap;
        va_start(ap, fmt);
        if (n >= 0 && (size_t)n < e->len) vsnprintf(e->buf + n, e->len - (size_t)n, fmt, ap);
        va_end(ap);
    }
    return code;
}

/* ---- helpers over jansson values ---- */

static int get_number(Err *e, const json_t *v, const char *field, double *out)
{
    if (!json_is_number(v)) return fail(e, -EINVAL, "%s must be a number", field);
    *out = json_number_value(v);
    if (!isfinite(*out)) return fail(e, -EINVAL, "%s: not a finite number", field);
    return 0;
}

/* "true"/"false" as JSON booleans or strings (libvmaf writes the rectification flags as
 * strings, "enabled" as a boolean). */
static int get_flag(Err *e, const json_t *v, const char *field, int *out)
{
    if (json_is_boolean(v)) {
        *out = json_is_true(v);
        return 0;
    }
    if (json_is_string(v)) {
        /* libvmaf only switches a flag on for the exact string "true" */
        *out = !strcmp(json_string_value(v), "true");
        return 0;
    }
    return fail(e, -EINVAL, "%s must be true or false", field);
}

/* An array of numbers; count is checked by the caller. */
static int get_number_array(Err *e, const json_t *v, const char *field, double *out, size_t max,
                            size_t *count)
{
    if (!v) return fail(e, -EINVAL, "%s missing", field);
    if (!json_is_array(v)) return fail(e, -EINVAL, "%s must be an array of numbers", field);
    size_t n = json_array_size(v);
    if (n > max) return fail(e, -EINVAL, "%s has %zu entries (at most %zu)", field, n, max);
    for (size_t i = 0; i < n; i++) {
        char name[96];
        snprintf(name, sizeof(name), "%s[%zu]", field, i);
        int err = get_number(e, json_array_get(v, i), name, &out[i]);
        if (err) return err;
    }
    *count = n;
    return 0;
}

/* ---- model_dict fields ---- */

static int parse_types(Err *e, const json_t *dict, Model *m)
{
    const json_t *t = json_object_get(dict, "model_type");
    if (!t) return fail(e, -EINVAL, "model_dict.model_type missing");
    if (!json_is_string(t)) return fail(e, -EINVAL, "model_dict.model_type must be a string");
    /* a bootstrap collection's submodels predict like plain ones (model_collection.c) */
    if (strcmp(json_string_value(t), "LIBSVMNUSVR") && strcmp(json_string_value(t), "BOOTSTRAP_LIBSVMNUSVR"))
        return fail(e, -ENOTSUP,
                    "model_dict.model_type \"%s\" is not supported (only "
                    "LIBSVMNUSVR and BOOTSTRAP_LIBSVMNUSVR)",
                    json_string_value(t));
    const json_t *n = json_object_get(dict, "norm_type");
    if (!n) return fail(e, -EINVAL, "model_dict.norm_type missing");
    if (!json_is_string(n)) return fail(e, -EINVAL, "model_dict.norm_type must be a string");
    const char *s = json_string_value(n);
    if (!strcmp(s, "linear_rescale")) m->rescale = 1;
    else if (!strcmp(s, "none")) m->rescale = 0;
    else return fail(e, -EINVAL, "model_dict.norm_type \"%s\" is not linear_rescale or none", s);
    return 0;
}

/* The one feature whose name contains sub (libvmaf matches substrings), or -1 with the error
 * set if there is none or more than one. */
static int find_unique(Err *e, const Model *m, const char *sub, unsigned *out)
{
    int found = 0;
    for (unsigned i = 0; i < m->n_features; i++) {
        if (!strstr(m->name[i], sub)) continue;
        if (found++)
            return fail(e, -EINVAL,
                        "model_dict.chroma_correction_parameter: more than one "
                        "feature contains \"%s\"",
                        sub);
        *out = i;
    }
    if (!found)
        return fail(e, -EINVAL,
                    "model_dict.chroma_correction_parameter needs a feature "
                    "containing \"%s\"",
                    sub);
    return 0;
}

static int parse_chroma(Err *e, const json_t *dict, Model *m)
{
    const json_t *v = json_object_get(dict, "chroma_correction_parameter");
    if (!v) return 0;
    ChromaCorrection *cc = &m->chroma;
    int err = get_number(e, v, "model_dict.chroma_correction_parameter", &cc->c);
    if (err) return err;
    /* libvmaf writes no score at all with 0 */
    if (cc->c == 0.0) return fail(e, -EINVAL, "model_dict.chroma_correction_parameter must not be 0");
    if ((err = find_unique(e, m, "adm3", &cc->guiding))) return err;
    if ((err = find_unique(e, m, "speed_chroma", &cc->guided))) return err;
    cc->on = 1;
    return 0;
}

static int parse_feature_names(Err *e, const json_t *dict, Model *m)
{
    const json_t *v = json_object_get(dict, "feature_names");
    if (!v) return fail(e, -EINVAL, "model_dict.feature_names missing");
    if (!json_is_array(v)) return fail(e, -EINVAL, "model_dict.feature_names must be an array");
    size_t n = json_array_size(v);
    if (n == 0) return fail(e, -EINVAL, "model_dict.feature_names is empty");
    if (n > MODEL_MAX_FEATURES)
        return fail(e, -EINVAL, "model_dict.feature_names has %zu features (at most %d)", n,
                    MODEL_MAX_FEATURES);
    for (size_t i = 0; i < n; i++) {
        const json_t *s = json_array_get(v, i);
        if (!json_is_string(s)) return fail(e, -EINVAL, "model_dict.feature_names[%zu] must be a string", i);
        if (!(m->name[i] = strdup(json_string_value(s)))) return fail(e, -ENOMEM, "out of memory");
        m->n_features = (unsigned)i + 1;
    }
    return 0;
}

/* slopes/intercepts: element 0 belongs to the score, element i+1 to feature i. */
static int parse_rescale(Err *e, const json_t *dict, Model *m)
{
    double slopes[MODEL_MAX_FEATURES + 1], intercepts[MODEL_MAX_FEATURES + 1];
    size_t ns = 0, ni = 0;
    const json_t *sv = json_object_get(dict, "slopes"), *iv = json_object_get(dict, "intercepts");
    if (!m->rescale && !sv && !iv) return 0; /* not used without normalisation */
    if (json_is_array(sv) && json_array_size(sv) != m->n_features + 1)
        return fail(e, -EINVAL, "model_dict.slopes has %zu entries, expected %u (1 + features)",
                    json_array_size(sv), m->n_features + 1);
    if (json_is_array(iv) && json_array_size(iv) != m->n_features + 1)
        return fail(e, -EINVAL, "model_dict.intercepts has %zu entries, expected %u (1 + features)",
                    json_array_size(iv), m->n_features + 1);
    int err = get_number_array(e, sv, "model_dict.slopes", slopes, MODEL_MAX_FEATURES + 1, &ns);
    if (err) return err;
    err = get_number_array(e, iv, "model_dict.intercepts", intercepts, MODEL_MAX_FEATURES + 1, &ni);
    if (err) return err;
    m->slope = slopes[0];
    m->intercept = intercepts[0];
    for (unsigned i = 0; i < m->n_features; i++) {
        m->f_slope[i] = slopes[i + 1];
        m->f_intercept[i] = intercepts[i + 1];
    }
    return 0;
}

static int parse_clip(Err *e, const json_t *dict, Model *m, int disable_clip)
{
    const json_t *v = json_object_get(dict, "score_clip");
    if (!v) return 0;
    double mm[2];
    size_t n = 0;
    int err = get_number_array(e, v, "model_dict.score_clip", mm, 2, &n);
    if (err) return err;
    if (n != 2) return fail(e, -EINVAL, "model_dict.score_clip must be [min, max]");
    m->clip = !disable_clip;
    m->clip_min = mm[0];
    m->clip_max = mm[1];
    return 0;
}

static int parse_knots(Err *e, const json_t *v, Transform *t)
{
    if (json_is_null(v)) return 0;
    if (!json_is_array(v))
        return fail(e, -EINVAL, "model_dict.score_transform.knots must be an array of [x, y]");
    size_t n = json_array_size(v);
    if (n > MAX_KNOTS)
        return fail(e, -EINVAL, "model_dict.score_transform.knots has %zu knots (at most %d)", n, MAX_KNOTS);
    for (size_t i = 0; i < n; i++) {
        double xy[2];
        size_t k = 0;
        char name[64];
        snprintf(name, sizeof(name), "model_dict.score_transform.knots[%zu]", i);
        int err = get_number_array(e, json_array_get(v, i), name, xy, 2, &k);
        if (err) return err;
        if (k != 2) return fail(e, -EINVAL, "%s must be [x, y]", name);
        t->knot_x[i] = xy[0];
        t->knot_y[i] = xy[1];
        /* libvmaf silently produces garbage for knots that do not increase; refuse them */
        if (i > 0 && !(t->knot_x[i - 1] < t->knot_x[i] && t->knot_y[i - 1] <= t->knot_y[i]))
            return fail(e, -EINVAL,
                        "model_dict.score_transform.knots must increase in x and "
                        "not decrease in y");
    }
    t->knots_on = 1;
    t->n_knots = (unsigned)n;
    return 0;
}

static int parse_transform(Err *e, const json_t *dict, Model *m, int enable_transform)
{
    const json_t *v = json_object_get(dict, "score_transform");
    if (!v) return 0;
    if (!json_is_object(v)) return fail(e, -EINVAL, "model_dict.score_transform must be an object");
    Transform *t = &m->tr;
    static const char *const pname[3] = { "p0", "p1", "p2" };
    int err;
    for (int i = 0; i < 3; i++) {
        const json_t *p = json_object_get(v, pname[i]);
        if (!p || json_is_null(p)) continue;
        char name[48];
        snprintf(name, sizeof(name), "model_dict.score_transform.%s", pname[i]);
        if ((err = get_number(e, p, name, &t->p[i]))) return err;
        t->has_p[i] = 1;
    }
    const json_t *k = json_object_get(v, "knots");
    if (k && (err = parse_knots(e, k, t))) return err;
    const json_t *f;
    if ((f = json_object_get(v, "enabled")) &&
        (err = get_flag(e, f, "model_dict.score_transform.enabled", &t->enabled)))
        return err;
    if ((f = json_object_get(v, "out_lte_in")) &&
        (err = get_flag(e, f, "model_dict.score_transform.out_lte_in", &t->out_lte_in)))
        return err;
    if ((f = json_object_get(v, "out_gte_in")) &&
        (err = get_flag(e, f, "model_dict.score_transform.out_gte_in", &t->out_gte_in)))
        return err;
    /* as in libvmaf, enable_transform only acts on a model that has a score_transform */
    if (enable_transform) t->enabled = 1;
    return 0;
}

/* Numbers and booleans (also as strings) become a value; other strings ("bilinear") are
 * kept as text for extractors with string options. */
static int opt_value(Err *e, const json_t *v, const char *field, ModelFeatureOpt *o)
{
    if (json_is_number(v)) {
        o->value = json_number_value(v);
        if (!isfinite(o->value)) return fail(e, -EINVAL, "%s: not a finite number", field);
        return 0;
    }
    if (json_is_boolean(v)) {
        o->value = json_is_true(v);
        return 0;
    }
    if (json_is_string(v)) {
        const char *s = json_string_value(v);
        char *end;
        if (!strcmp(s, "true") || !strcmp(s, "false")) {
            o->value = !strcmp(s, "true");
            return 0;
        }
        o->value = strtod(s, &end);
        if (end != s && !*end && isfinite(o->value)) return 0;
        if (end != s && !*end) return fail(e, -EINVAL, "%s: not a finite number", field);
        if (!*s || strlen(s) >= sizeof(o->text)) return fail(e, -EINVAL, "%s: empty or too long", field);
        memcpy(o->text, s, strlen(s) + 1);
        o->is_text = 1;
        o->value = 0;
        return 0;
    }
    return fail(e, -EINVAL, "%s must be a number, a boolean or a string", field);
}

static int parse_feature_opts(Err *e, const json_t *dict, Model *m)
{
    const json_t *v = json_object_get(dict, "feature_opts_dicts");
    if (!v) return 0;
    if (!json_is_array(v)) return fail(e, -EINVAL, "model_dict.feature_opts_dicts must be an array");
    size_t n = json_array_size(v);
    if (n > m->n_features)
        return fail(e, -EINVAL, "model_dict.feature_opts_dicts has %zu entries for %u features", n,
                    m->n_features);
    for (size_t i = 0; i < n; i++) {
        const json_t *d = json_array_get(v, i);
        if (!json_is_object(d))
            return fail(e, -EINVAL, "model_dict.feature_opts_dicts[%zu] must be an object", i);
        const char *key;
        const json_t *val;
        json_object_foreach((json_t *)d, key, val)
        {
            char field[128];
            snprintf(field, sizeof(field), "model_dict.feature_opts_dicts[%zu].%s", i, key);
            if (m->n_opts[i] == MODEL_MAX_FEATURE_OPTS)
                return fail(e, -EINVAL, "model_dict.feature_opts_dicts[%zu] has more than %d options", i,
                            MODEL_MAX_FEATURE_OPTS);
            ModelFeatureOpt *o = &m->opt[i][m->n_opts[i]];
            if (strlen(key) >= sizeof(o->key)) return fail(e, -EINVAL, "%s: option name too long", field);
            int err = opt_value(e, val, field, o);
            if (err) return err;
            memcpy(o->key, key, strlen(key) + 1);
            m->n_opts[i]++;
        }
    }
    return 0;
}

/* ---- the embedded libsvm model text ---- */

typedef struct Cursor {
    const char *p, *end;
    unsigned line;
} Cursor;

static void skip_blanks(Cursor *c)
{
    while (c->p < c->end && (*c->p == ' ' || *c->p == '\t' || *c->p == '\r')) c->p++;
}

static void skip_space(Cursor *c)
{
    while (c->p < c->end && (*c->p == ' ' || *c->p == '\t' || *c->p == '\r' || *c->p == '\n')) {
        if (*c->p == '\n') c->line++;
        c->p++;
    }
}

/* Next whitespace-separated word of the header into buf; 0 at the end of the text. */
static int next_word(Cursor *c, char *buf, size_t n)
{
    skip_space(c);
    size_t k = 0;
    while (c->p < c->end && !strchr(" \t\r\n", *c->p)) {
        if (k + 1 < n) buf[k++] = *c->p;
        c->p++;
    }
    buf[k] = 0;
    return k > 0;
}

/* A number that must end at a blank, a line end, ':' (SV index) or the end of the text.
 * The text is not NUL-terminated at c->end, so the number is copied out first. -1: not a
 * number; NOT_FINITE: nan or inf, which strtod reads but no model may hold (one NaN in a
 * support vector makes every score NaN). */
#define NOT_FINITE (-2)
static int read_double(Cursor *c, double *out)
{
    char buf[128];
    size_t k = 0;
    while (c->p + k < c->end && k + 1 < sizeof(buf) && !strchr(" \t\r\n:", c->p[k])) {
        buf[k] = c->p[k];
        k++;
    }
    buf[k] = 0;
    if (c->p + k < c->end && !strchr(" \t\r\n:", c->p[k])) return -1; /* too long */
    char *end;
    *out = strtod(buf, &end);
    if (k == 0 || end != buf + k) return -1;
    c->p += k;
    return isfinite(*out) ? 0 : NOT_FINITE;
}

static int read_uint(Cursor *c, unsigned long max, unsigned long *out)
{
    double v;
    if (read_double(c, &v) || !(v >= 0 && v <= (double)max) || v != floor(v)) return -1;
    *out = (unsigned long)v;
    return 0;
}

#define SVM_FIELD "model_dict.model"

static int parse_svm_header(Err *e, Cursor *c, Svm *s)
{
    char w[64];
    int have_type = 0, have_kernel = 0, have_gamma = 0, have_rho = 0, have_total = 0;
    unsigned long nr_class = 2, total = 0;
    while (next_word(c, w, sizeof(w)) && strcmp(w, "SV")) {
        char v[64];
        int bad = 0;
        if (!strcmp(w, "svm_type")) {
            bad = !next_word(c, v, sizeof(v));
            if (!bad && strcmp(v, "nu_svr") && strcmp(v, "epsilon_svr"))
                return fail(e, -ENOTSUP, SVM_FIELD ": svm_type %s is not supported (nu_svr)", v);
            have_type = 1;
        } else if (!strcmp(w, "kernel_type")) {
            bad = !next_word(c, v, sizeof(v));
            if (!bad && strcmp(v, "rbf"))
                return fail(e, -ENOTSUP, SVM_FIELD ": kernel_type %s is not supported (rbf)", v);
            have_kernel = 1;
        } else if (!strcmp(w, "gamma")) {
            skip_space(c);
            bad = read_double(c, &s->gamma);
            have_gamma = 1;
        } else if (!strcmp(w, "rho")) {
            /* regression models have nr_class 2, hence a single rho */
            skip_space(c);
            bad = read_double(c, &s->rho);
            have_rho = 1;
        } else if (!strcmp(w, "nr_class")) {
            skip_space(c);
            bad = read_uint(c, 1000, &nr_class);
            if (!bad && nr_class != 2)
                return fail(e, -EINVAL, SVM_FIELD ": nr_class must be 2 for a regression model");
        } else if (!strcmp(w, "total_sv")) {
            skip_space(c);
            bad = read_uint(c, 10000000, &total) || total == 0;
            s->n_sv = (unsigned)total;
            have_total = 1;
        } else if (!strcmp(w, "degree") || !strcmp(w, "coef0")) {
            double ignored; /* parameters of other kernels */
            skip_space(c);
            bad = read_double(c, &ignored);
        } else {
            return fail(e, -EINVAL, SVM_FIELD ": unexpected '%s' in the header (line %u)", w, c->line);
        }
        if (bad == NOT_FINITE)
            return fail(e, -EINVAL, SVM_FIELD ": %s: not a finite number (line %u)", w, c->line);
        if (bad) return fail(e, -EINVAL, SVM_FIELD ": bad value for %s (line %u)", w, c->line);
    }
    if (strcmp(w, "SV")) return fail(e, -EINVAL, SVM_FIELD ": no SV section");
    if (!have_type) return fail(e, -EINVAL, SVM_FIELD ": svm_type missing");
    if (!have_kernel) return fail(e, -EINVAL, SVM_FIELD ": kernel_type missing");
    if (!have_gamma) return fail(e, -EINVAL, SVM_FIELD ": gamma missing");
    if (!have_rho) return fail(e, -EINVAL, SVM_FIELD ": rho missing");
    if (!have_total) return fail(e, -EINVAL, SVM_FIELD ": total_sv missing");
    /* the support vectors start on the line after "SV" */
    skip_blanks(c);
    if (c->p < c->end && *c->p != '\n')
        return fail(e, -EINVAL, SVM_FIELD ": text after SV (line %u)", c->line);
    if (c->p < c->end) {
        c->p++;
        c->line++;
    }
    return 0;
}

/* One SV line "coef i:v i:v ..." with strictly increasing indices 1..MODEL_MAX_FEATURES;
 * values go to row (dense, pre-zeroed). */
static int parse_sv_line(Err *e, Cursor *c, unsigned j, double *coef, double *row, unsigned *dim)
{
    unsigned line = c->line, sv = j + 1;
    int bad = read_double(c, coef);
    if (bad == NOT_FINITE)
        return fail(e, -EINVAL, SVM_FIELD ": support vector %u, coefficient: not a finite number (line %u)",
                    sv, line);
    if (bad) return fail(e, -EINVAL, SVM_FIELD ": support vector %u (line %u): bad coefficient", sv, line);
    unsigned long prev = 0;
    for (;;) {
        skip_blanks(c);
        if (c->p >= c->end || *c->p == '\n') break;
        unsigned long idx;
        double v;
        if (read_uint(c, MODEL_MAX_FEATURES, &idx) || idx <= prev || c->p >= c->end || *c->p != ':')
            return fail(e, -EINVAL,
                        SVM_FIELD ": support vector %u (line %u): bad index (need "
                                  "increasing 1..%d followed by ':')",
                        sv, line, MODEL_MAX_FEATURES);
        c->p++;
        if ((bad = read_double(c, &v)) == NOT_FINITE)
            return fail(e, -EINVAL,
                        SVM_FIELD ": support vector %u, feature %lu: not a finite number (line %u)", sv, idx,
                        line);
        if (bad)
            return fail(e, -EINVAL, SVM_FIELD ": support vector %u (line %u): bad value for index %lu", sv,
                        line, idx);
        row[idx - 1] = v;
        prev = idx;
    }
    if (prev > *dim) *dim = (unsigned)prev;
    if (c->p < c->end) {
        c->p++;
        c->line++;
    }
    return 0;
}

static int parse_svm_body(Err *e, const char *text, size_t len, Svm *s, unsigned n_features)
{
    Cursor c = { text, text + len, 1 };
    int err = parse_svm_header(e, &c, s);
    if (err) return err;
    s->coef = malloc(sizeof(double) * s->n_sv);
    double *rows = calloc((size_t)s->n_sv * MODEL_MAX_FEATURES, sizeof(double));
    if (!s->coef || !rows) {
        free(rows);
        return fail(e, -ENOMEM, "out of memory");
    }
    unsigned dim = n_features;
    for (unsigned j = 0; j < s->n_sv; j++) {
        skip_blanks(&c);
        if (c.p >= c.end) {
            free(rows);
            return fail(e, -EINVAL, SVM_FIELD ": total_sv is %u but only %u support vectors follow", s->n_sv,
                        j);
        }
        err = parse_sv_line(e, &c, j, &s->coef[j], rows + (size_t)j * MODEL_MAX_FEATURES, &dim);
        if (err) {
            free(rows);
            return err;
        }
    }
    /* pack to dim columns; columns past the features meet a query value of 0 */
    for (unsigned j = 0; j < s->n_sv; j++)
        memmove(rows + (size_t)j * dim, rows + (size_t)j * MODEL_MAX_FEATURES, sizeof(double) * dim);
    s->sv = rows;
    s->dim = dim;
    return 0;
}

static int parse_svm(Err *e, const json_t *dict, Model *m)
{
    const json_t *v = json_object_get(dict, "model");
    if (!v) return fail(e, -EINVAL, "model_dict.model missing");
    if (!json_is_string(v)) return fail(e, -EINVAL, "model_dict.model must be a string");
    return parse_svm_body(e, json_string_value(v), json_string_length(v), &m->svm, m->n_features);
}

static int parse_model_dict(Err *e, const json_t *root, Model *m, int enable_transform, int disable_clip)
{
    if (!json_is_object(root)) return fail(e, -EINVAL, "the top level must be an object");
    const json_t *dict = json_object_get(root, "model_dict");
    if (!dict) return fail(e, -EINVAL, "model_dict missing");
    if (!json_is_object(dict)) return fail(e, -EINVAL, "model_dict must be an object");
    int err;
    if ((err = parse_types(e, dict, m))) return err;
    if ((err = parse_feature_names(e, dict, m))) return err;
    if ((err = parse_rescale(e, dict, m))) return err;
    if ((err = parse_clip(e, dict, m, disable_clip))) return err;
    if ((err = parse_transform(e, dict, m, enable_transform))) return err;
    if ((err = parse_feature_opts(e, dict, m))) return err;
    if ((err = parse_chroma(e, dict, m))) return err;
    return parse_svm(e, dict, m);
}

int model_parse(const char *json, size_t len, int enable_transform, int disable_clip, Model **out,
                char *errbuf, size_t errlen)
{
    Err e = { errbuf, errlen };
    if (errbuf && errlen) errbuf[0] = 0;
    if (!out) return -EINVAL;
    *out = NULL;
    if (!json) return fail(&e, -EINVAL, "no text");
    json_error_t jerr;
    json_t *root = json_loadb(json, len, JSON_REJECT_DUPLICATES, &jerr);
    if (!root) return fail(&e, -EINVAL, "not valid JSON (line %d: %s)", jerr.line, jerr.text);
    Model *m = calloc(1, sizeof(*m));
    /* numbers in the SVM text and option strings are written with '.', whatever the
     * caller's locale: parse them in the C locale (thread-local switch, no global state) */
    locale_t c_loc = newlocale(LC_NUMERIC_MASK, "C", (locale_t)0);
    int err;
    if (!m || !c_loc) {
        err = fail(&e, -ENOMEM, "out of memory");
    } else {
        locale_t old = uselocale(c_loc);
        err = parse_model_dict(&e, root, m, enable_transform, disable_clip);
        uselocale(old);
    }
    if (c_loc) freelocale(c_loc);
    json_decref(root);
    if (err) {
        model_free(m);
        return err;
    }
    *out = m;
    return 0;
}

void model_free(Model *m)
{
    if (!m) return;
    for (unsigned i = 0; i < MODEL_MAX_FEATURES; i++) free(m->name[i]);
    free(m->svm.coef);
    free(m->svm.sv);
    free(m);
}

unsigned model_feature_count(const Model *m)
{
    return m->n_features;
}

const char *model_feature_name(const Model *m, unsigned i)
{
    return i < m->n_features ? m->name[i] : NULL;
}

unsigned model_feature_opts(const Model *m, unsigned i, const ModelFeatureOpt **opts)
{
    if (i >= m->n_features) {
        *opts = NULL;
        return 0;
    }
    *opts = m->opt[i];
    return m->n_opts[i];
}

/* ---- prediction ---- */

/* Σ_j coef_j · exp(−γ·‖x − SV_j‖²) − ρ. libsvm walks both sparse vectors in index order
 * adding (x−sv)² for shared indices and x² or sv² for indices only one side has; with the
 * absent entries stored as 0 the dense loop below adds the very same terms in the same
 * order, so the result matches to the last bit. The SVs are summed in file order (spec
 * section 6: a pairwise sum differs in the last bits). */
static double svm_value(const Svm *s, const double *x)
{
    double sum = 0;
    for (unsigned j = 0; j < s->n_sv; j++) {
        const double *sv = s->sv + (size_t)j * s->dim;
        double d2 = 0;
        for (unsigned k = 0; k < s->dim; k++) {
            double d = x[k] - sv[k];
            d2 += d * d;
        }
        sum += s->coef[j] * exp(-s->gamma * d2);
    }
    return sum - s->rho;
}

/* Linear pieces through consecutive knots, extended beyond the ends. Every segment is
 * visited and a later match overrides an earlier one, as in libvmaf, so a value that sits
 * exactly on an inner knot takes the right-hand segment. */
static double piecewise(const Transform *t, double x)
{
    if (t->n_knots < 2) return x;
    double y = 0.0;
    unsigned last = t->n_knots - 2;
    for (unsigned i = 0; i <= last; i++) {
        double x0 = t->knot_x[i], y0 = t->knot_y[i], x1 = t->knot_x[i + 1], y1 = t->knot_y[i + 1];
        int inside = x0 <= x && x <= x1;
        int below = i == 0 && x < x0, above = i == last && x > x1;
        if (!(inside || below || above)) continue;
        if (y0 == y1) {
            y = y0;
            continue;
        }
        double a, b;
        if (x0 == 0) {
            b = y0;
            a = (y1 - b) / x1;
        } else {
            a = (y1 - y0) / (x1 - x0);
            b = y0 - x0 * a;
        }
        y = a * x + b;
    }
    return y;
}

static double transform(const Transform *t, double y)
{
    double out = y;
    if (t->has_p[0] || t->has_p[1] || t->has_p[2]) {
        out = 0.; /* terms added in this order, p2·y·y as (p2·y)·y */
        if (t->has_p[0]) out += t->p[0];
        if (t->has_p[1]) out += t->p[1] * y;
        if (t->has_p[2]) out += t->p[2] * y * y;
    }
    if (t->knots_on) out = piecewise(t, out);
    if (t->out_lte_in && out > y) out = y;
    if (t->out_gte_in && out < y) out = y;
    return out;
}

/* On the normalised values x, as libvmaf does it: both features are denormalised from x
 * (which need not give back the raw value exactly), the correction is normalised again. */
static void chroma_correct(const Model *m, double *x)
{
    const ChromaCorrection *cc = &m->chroma;
    const unsigned g = cc->guiding, d = cc->guided;
    const double guided = m->rescale ? (x[d] - m->f_intercept[d]) / m->f_slope[d] : x[d];
    if (guided != 0.0) return;
    const double guiding = m->rescale ? (x[g] - m->f_intercept[g]) / m->f_slope[g] : x[g];
    const double corrected = (-cc->c * guiding) + cc->c;
    x[d] = m->rescale ? m->f_slope[d] * corrected + m->f_intercept[d] : corrected;
}

double model_predict_raw(const Model *m, const double *features)
{
    double x[MODEL_MAX_FEATURES] = { 0 };
    for (unsigned i = 0; i < m->n_features; i++)
        x[i] = m->rescale ? m->f_slope[i] * features[i] + m->f_intercept[i] : features[i];
    if (m->chroma.on) chroma_correct(m, x);
    double y = svm_value(&m->svm, x);
    if (m->rescale) y = (y - m->intercept) / m->slope;
    return y;
}

double model_finish(const Model *m, double y)
{
    if (m->tr.enabled) y = transform(&m->tr, y);
    if (m->clip) {
        y = y < m->clip_min ? m->clip_min : y;
        y = y > m->clip_max ? m->clip_max : y;
    }
    return y;
}

double model_predict(const Model *m, const double *features)
{
    return model_finish(m, model_predict_raw(m, features));
}
