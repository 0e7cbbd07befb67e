/* Feature collector (see collector.h). Values live in per-feature arrays indexed by frame;
 * a parallel byte array says which frames were written, so any double (NaN too) is a value. */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "collector.h"

typedef struct Series {
    char *name;
    double *v;
    unsigned char *set;
    unsigned cap;
    unsigned first_frame, first_seq; /* earliest frame written, and the write's rank in it */
} Series;

typedef struct Aggregate {
    char *name;
    double value;
} Aggregate;

struct FeatureCollector {
    Series *s;
    unsigned n, cap;
    unsigned n_internal; /* series whose name starts with COLLECTOR_INTERNAL */
    Aggregate *agg;
    unsigned n_agg;
    unsigned *puts_per_frame; /* writes so far per frame: ranks writes within a frame */
    unsigned frames_cap;
    pthread_mutex_t lock;
};

int collector_new(FeatureCollector **out)
{
    FeatureCollector *c = calloc(1, sizeof(*c));
    if (!c) return -ENOMEM;
    pthread_mutex_init(&c->lock, NULL);
    *out = c;
    return 0;
}

void collector_free(FeatureCollector *c)
{
    if (!c) return;
    for (unsigned i = 0; i < c->n; i++) {
        free(c->s[i].name);
        free(c->s[i].v);
        free(c->s[i].set);
    }
    free(c->s);
    for (unsigned i = 0; i < c->n_agg; i++) free(c->agg[i].name);
    free(c->agg);
    free(c->puts_per_frame);
    pthread_mutex_destroy(&c->lock);
    free(c);
}

static int find(const FeatureCollector *c, const char *name)
{
    for (unsigned i = 0; i < c->n; i++)
        if (!strcmp(c->s[i].name, name)) return (int)i;
    return -1;
}

static Series *add_series(FeatureCollector *c, const char *name)
{
    if (c->n == c->cap) {
        unsigned cap = c->cap ? 2 * c->cap : 32;
        Series *s = realloc(c->s, cap * sizeof(*s));
        if (!s) return NULL;
        c->s = s;
        c->cap = cap;
    }
    Series *s = &c->s[c->n];
    memset(s, 0, sizeof(*s));
    if (!(s->name = strdup(name))) return NULL;
    c->n++;
    if (name[0] == COLLECTOR_INTERNAL) c->n_internal++;
    return s;
}

static int grow(Series *s, unsigned frame)
{
    if (frame < s->cap) return 0;
    unsigned cap = s->cap ? s->cap : 64;
    while (cap <= frame) cap *= 2;
    double *v = realloc(s->v, cap * sizeof(*v));
    if (!v) return -ENOMEM;
    s->v = v;
    unsigned char *set = realloc(s->set, cap);
    if (!set) return -ENOMEM;
    memset(set + s->cap, 0, cap - s->cap);
    s->set = set;
    s->cap = cap;
    return 0;
}

static int count_put(FeatureCollector *c, unsigned frame, unsigned *rank)
{
    if (frame >= c->frames_cap) {
        unsigned cap = c->frames_cap ? c->frames_cap : 64;
        while (cap <= frame) cap *= 2;
        unsigned *p = realloc(c->puts_per_frame, cap * sizeof(*p));
        if (!p) return -ENOMEM;
        memset(p + c->frames_cap, 0, (cap - c->frames_cap) * sizeof(*p));
        c->puts_per_frame = p;
        c->frames_cap = cap;
    }
    *rank = c->puts_per_frame[frame]++;
    return 0;
}

int collector_put(FeatureCollector *c, const char *name, unsigned frame, double value)
{
    int err = 0;
    unsigned rank;
    pthread_mutex_lock(&c->lock);
    int i = find(c, name);
    int fresh = i < 0;
    Series *s = fresh ? add_series(c, name) : &c->s[i];
    if (!s) {
        err = -ENOMEM;
        goto out;
    }
    if ((err = grow(s, frame)) || (err = count_put(c, frame, &rank))) goto out;
    if (s->set[frame]) {
        err = -EEXIST;
        goto out;
    }
    s->v[frame] = value;
    s->set[frame] = 1;
    if (fresh || frame < s->first_frame || (frame == s->first_frame && rank < s->first_seq)) {
        s->first_frame = frame;
        s->first_seq = rank;
    }
out:
    pthread_mutex_unlock(&c->lock);
    return err;
}

int collector_get(const FeatureCollector *c, const char *name, unsigned frame, double *value)
{
    pthread_mutex_lock((pthread_mutex_t *)&c->lock);
    int i = find(c, name), err = -ENOENT;
    if (i >= 0 && frame < c->s[i].cap && c->s[i].set[frame]) {
        *value = c->s[i].v[frame];
        err = 0;
    }
    pthread_mutex_unlock((pthread_mutex_t *)&c->lock);
    return err;
}

static int by_first_write(const void *a, const void *b)
{
    const Series *x = a, *y = b;
    const int xi = x->name[0] == COLLECTOR_INTERNAL, yi = y->name[0] == COLLECTOR_INTERNAL;
    if (xi != yi) return xi - yi; /* internal values last, out of the reported range */
    if (x->first_frame != y->first_frame) return x->first_frame < y->first_frame ? -1 : 1;
    return x->first_seq < y->first_seq ? -1 : x->first_seq > y->first_seq;
}

void collector_sort(FeatureCollector *c)
{
    if (c->n > 1) qsort(c->s, c->n, sizeof(*c->s), by_first_write); /* no features (-n alone): no array */
}

unsigned collector_count(const FeatureCollector *c)
{
    return c->n - c->n_internal;
}

unsigned collector_all_count(const FeatureCollector *c)
{
    return c->n;
}

const char *collector_name(const FeatureCollector *c, unsigned i)
{
    return i < c->n ? c->s[i].name : NULL;
}

bool collector_at(const FeatureCollector *c, unsigned i, unsigned frame, double *value)
{
    if (i >= c->n || frame >= c->s[i].cap || !c->s[i].set[frame]) return false;
    *value = c->s[i].v[frame];
    return true;
}

int collector_set_aggregate(FeatureCollector *c, const char *name, double value)
{
    int err = 0;
    pthread_mutex_lock(&c->lock);
    unsigned i = 0;
    while (i < c->n_agg && strcmp(c->agg[i].name, name)) i++;
    if (i == c->n_agg) {
        Aggregate *a = realloc(c->agg, (c->n_agg + 1) * sizeof(*a));
        char *copy = strdup(name);
        if (a) c->agg = a;
        if (!a || !copy) {
            free(copy);
            err = -ENOMEM;
            goto out;
        }
        c->agg[c->n_agg++].name = copy;
    }
    c->agg[i].value = value;
out:
    pthread_mutex_unlock(&c->lock);
    return err;
}

unsigned collector_aggregate_count(const FeatureCollector *c)
{
    return c->n_agg;
}

const char *collector_aggregate_name(const FeatureCollector *c, unsigned i)
{
    return i < c->n_agg ? c->agg[i].name : NULL;
}

double collector_aggregate_value(const FeatureCollector *c, unsigned i)
{
    return i < c->n_agg ? c->agg[i].value : 0.0;
}
