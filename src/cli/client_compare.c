/* `vmafx compare A B`: two completed jobs' per-frame scores side by side, frame by frame
 * (paired by frame number): the mean of each and of the difference B - A, each one's "1 %
 * low" (the mean of its lowest 1 % of frames, at least one frame: what a viewer notices
 * first), and the frames where B falls furthest below A. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "client.h"

typedef struct Pair {
    unsigned frame;
    double a, b;
} Pair;

static json_t *get(const ApiClient *api, const char *id, const char *tail)
{
    char path[200];
    int status;
    json_t *j;
    if (!*id || strlen(id) > 64 || strspn(id, "0123456789abcdefABCDEF-") != strlen(id))
        return cli_error("compare: '%.100s' is not a job id", id), NULL;
    snprintf(path, sizeof(path), "/v1/jobs/%s%s", id, tail);
    if (client_call(api, "GET", path, NULL, NULL, &status, &j)) return NULL;
    if (status == 200 && j) return j;
    client_refused(status, j);
    json_decref(j);
    return NULL;
}

/* The metric's value per frame number (NAN where a frame lacks it); count = last frame + 1. */
static double *per_frame(json_t *report, const char *metric, size_t *count)
{
    json_t *frames = json_object_get(report, "frames"), *f;
    size_t i, n = 0;
    json_array_foreach(frames, i, f)
    {
        json_int_t k = json_integer_value(json_object_get(f, "frameNum"));
        if (k >= 0 && (size_t)k + 1 > n) n = (size_t)k + 1;
    }
    double *v = malloc((n ? n : 1) * sizeof(*v));
    if (!v) return NULL;
    for (i = 0; i < n; i++) v[i] = NAN;
    json_array_foreach(frames, i, f)
    {
        json_int_t k = json_integer_value(json_object_get(f, "frameNum"));
        json_t *x = json_object_get(json_object_get(f, "metrics"), metric);
        if (k >= 0 && json_is_number(x)) v[k] = json_number_value(x);
    }
    *count = n;
    return v;
}

static int by_value(const void *x, const void *y)
{
    double a = *(const double *)x, b = *(const double *)y;
    return (a > b) - (a < b);
}

static int by_diff(const void *x, const void *y)
{
    const Pair *p = x, *q = y;
    double a = p->b - p->a, b = q->b - q->a;
    return (a > b) - (a < b);
}

/* Mean of the lowest 1 % (at least one value); sorts v. */
static double low_1pct(double *v, size_t n)
{
    qsort(v, n, sizeof(*v), by_value);
    size_t k = (n + 99) / 100;
    double s = 0;
    for (size_t i = 0; i < k; i++) s += v[i];
    return s / (double)k;
}

typedef struct Stats {
    double mean_a, mean_b, low_a, low_b, min_diff, max_diff;
} Stats;

static int stats(const Pair *p, size_t n, Stats *st)
{
    double *a = malloc(n * sizeof(*a)), *b = malloc(n * sizeof(*b));
    if (!a || !b) return free(a), free(b), cli_error("out of memory");
    memset(st, 0, sizeof(*st));
    st->min_diff = INFINITY;
    st->max_diff = -INFINITY;
    for (size_t i = 0; i < n; i++) {
        a[i] = p[i].a;
        b[i] = p[i].b;
        st->mean_a += p[i].a / (double)n;
        st->mean_b += p[i].b / (double)n;
        double d = p[i].b - p[i].a;
        st->min_diff = d < st->min_diff ? d : st->min_diff;
        st->max_diff = d > st->max_diff ? d : st->max_diff;
    }
    st->low_a = low_1pct(a, n);
    st->low_b = low_1pct(b, n);
    free(a);
    free(b);
    return 0;
}

static void print_text(const char *ida, const char *idb, const char *metric, Pair *p, size_t n,
                       const Stats *st, unsigned worst, int all)
{
    printf("%s: A %s, B %s, %zu frames\n", metric, ida, idb, n);
    printf("%-8s  %12s  %12s  %12s\n", "", "A", "B", "B - A");
    printf("%-8s  %12.6f  %12.6f  %+12.6f\n", "mean", st->mean_a, st->mean_b, st->mean_b - st->mean_a);
    printf("%-8s  %12.6f  %12.6f  %+12.6f\n", "1% low", st->low_a, st->low_b, st->low_b - st->low_a);
    printf("difference per frame: from %+f to %+f\n", st->min_diff, st->max_diff);
    if (all)
        for (size_t i = 0; i < n; i++)
            printf("frame %u  %f  %f  %+f\n", p[i].frame, p[i].a, p[i].b, p[i].b - p[i].a);
    qsort(p, n, sizeof(*p), by_diff);
    printf("worst frames (B furthest below A):\n");
    for (size_t i = 0; i < n && i < worst; i++)
        printf("  frame %u  A %f  B %f  %+f\n", p[i].frame, p[i].a, p[i].b, p[i].b - p[i].a);
}

static void print_json(const char *ida, const char *idb, const char *metric, Pair *p, size_t n,
                       const Stats *st, unsigned worst)
{
    json_t *frames = json_array(), *w = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(frames, json_pack("{sisfsfsf}", "frame", (int)p[i].frame, "a", p[i].a, "b",
                                                p[i].b, "diff", p[i].b - p[i].a));
    qsort(p, n, sizeof(*p), by_diff);
    for (size_t i = 0; i < n && i < worst; i++)
        json_array_append_new(w, json_pack("{sisfsfsf}", "frame", (int)p[i].frame, "a", p[i].a, "b", p[i].b,
                                           "diff", p[i].b - p[i].a));
    json_t *j = json_pack("{sssssssIs{sfsf}s{sfsf}s{sfsfsf}soso}", "metric", metric, "a", ida, "b", idb,
                          "frames_compared", (json_int_t)n, "mean", "a", st->mean_a, "b", st->mean_b,
                          "low_1pct", "a", st->low_a, "b", st->low_b, "diff", "mean", st->mean_b - st->mean_a,
                          "min", st->min_diff, "max", st->max_diff, "worst", w, "per_frame", frames);
    json_dumpf(j, stdout, JSON_INDENT(2) | JSON_REAL_PRECISION(15));
    putchar('\n');
    json_decref(j);
}

/* The frames both reports have the metric for, by frame number. */
static Pair *pair_up(const double *va, size_t na, const double *vb, size_t nb, size_t *n)
{
    size_t m = na < nb ? na : nb;
    Pair *p = malloc((m ? m : 1) * sizeof(*p));
    *n = 0;
    for (size_t k = 0; p && k < m; k++)
        if (!isnan(va[k]) && !isnan(vb[k])) p[(*n)++] = (Pair){ (unsigned)k, va[k], vb[k] };
    return p;
}

static int compare(const ConfigValues *v, json_t *ja, json_t *jb, json_t *ra, json_t *rb, const char *metric)
{
    size_t na = 0, nb = 0, n = 0;
    double *va = per_frame(ra, metric, &na), *vb = per_frame(rb, metric, &nb);
    Pair *p = va && vb ? pair_up(va, na, vb, nb, &n) : NULL;
    free(va);
    free(vb);
    if (!p) {
        cli_error("out of memory");
        return 1;
    }
    int rc = 0;
    Stats st = { 0 };
    char err[200];
    unsigned worst = 5;
    if (!n) rc = 2, cli_error("compare: no frame has %s in both reports (see --metric)", metric);
    else if (config_uint(v, "worst", &worst, err, sizeof(err))) rc = 2, cli_error("compare: %s", err);
    else if (stats(p, n, &st)) rc = 1;
    const char *ida = json_string_value(json_object_get(ja, "id")),
               *idb = json_string_value(json_object_get(jb, "id"));
    if (!rc && config_flag(v, "json")) print_json(ida, idb, metric, p, n, &st, worst);
    else if (!rc) print_text(ida, idb, metric, p, n, &st, worst, config_flag(v, "per-frame"));
    free(p);
    return rc;
}

int client_compare(const ApiClient *api, const ConfigValues *v, const char *a, const char *b)
{
    json_t *ja = get(api, a, ""), *jb = ja ? get(api, b, "") : NULL;
    json_t *ra = jb ? get(api, a, "/frames?format=json") : NULL,
           *rb = ra ? get(api, b, "/frames?format=json") : NULL;
    int rc = 1;
    char metric[160];
    const char *given = config_str(v, "metric");
    if (rb && !given && client_model_key(ja, 0, metric, sizeof(metric)))
        cli_error("compare: job %s names no model: give --metric", a);
    else if (rb) rc = compare(v, ja, jb, ra, rb, given ? given : metric);
    json_decref(ja);
    json_decref(jb);
    json_decref(ra);
    json_decref(rb);
    return rc;
}
