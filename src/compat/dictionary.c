/* VmafFeatureDictionary: extractor options as key/value text, turned into the engine's
 * "key=value:key=value" option string when a feature or model is registered. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compat.h"

static int find(const VmafFeatureDictionary *d, const char *key)
{
    for (unsigned i = 0; i < d->n; i++)
        if (!strcmp(d->e[i].key, key)) return (int)i;
    return -1;
}

EXPORT int vmaf_feature_dictionary_set(VmafFeatureDictionary **dict, const char *key, const char *val)
{
    if (!dict || !key || !val || !*key) return -EINVAL;
    /* ':' and '=' would split the engine's option string in the wrong places */
    if (strpbrk(key, ":=.") || strchr(val, ':')) {
        compat_log(NULL, VMAF_LOG_LEVEL_ERROR, "feature option %s=%s: ':' '=' '.' not allowed", key, val);
        return -EINVAL;
    }
    VmafFeatureDictionary *d = *dict;
    if (!d && !(d = *dict = calloc(1, sizeof(*d)))) return -ENOMEM;
    char *v = strdup(val);
    if (!v) return -ENOMEM;
    int i = find(d, key);
    if (i >= 0) { /* a later value replaces an earlier one */
        free(d->e[i].val);
        d->e[i].val = v;
        return 0;
    }
    if (d->n == d->cap) {
        unsigned cap = d->cap ? d->cap * 2 : 8;
        void *e = realloc(d->e, cap * sizeof(*d->e));
        if (!e) {
            free(v);
            return -ENOMEM;
        }
        d->e = e;
        d->cap = cap;
    }
    if (!(d->e[d->n].key = strdup(key))) {
        free(v);
        return -ENOMEM;
    }
    d->e[d->n++].val = v;
    return 0;
}

EXPORT int vmaf_feature_dictionary_free(VmafFeatureDictionary **dict)
{
    if (!dict) return -EINVAL;
    VmafFeatureDictionary *d = *dict;
    if (!d) return 0;
    for (unsigned i = 0; i < d->n; i++) {
        free(d->e[i].key);
        free(d->e[i].val);
    }
    free(d->e);
    free(d);
    *dict = NULL;
    return 0;
}

int dictionary_join(const VmafFeatureDictionary *d, const char *prefix, char *buf, size_t n)
{
    size_t len = 0;
    buf[0] = 0;
    for (unsigned i = 0; d && i < d->n; i++) {
        int k = snprintf(buf + len, n - len, "%s%s%s=%s", len ? ":" : "", prefix ? prefix : "", d->e[i].key,
                         d->e[i].val);
        if (k < 0 || (size_t)k >= n - len) return -EINVAL;
        len += (size_t)k;
    }
    return 0;
}
