/* Helpers shared by the service programs' settings (see service_options.h). */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "score_options.h"
#include "service_options.h"

size_t score_options(ConfigOption *out, size_t cap)
{
    size_t n = N_SCORE_OPTIONS < cap ? N_SCORE_OPTIONS : cap;
    memcpy(out, score_option_rows, n * sizeof(*out));
    return n + storage_option_rows(out + n, cap - n, NULL);
}

static int wanted(const char *flag, const char *const *only)
{
    if (!only) return 1;
    for (; *only; only++)
        if (!strcmp(*only, flag)) return 1;
    return 0;
}

size_t storage_option_rows(ConfigOption *out, size_t cap, const char *const *only)
{
    size_t count, k = 0;
    const StorageSetting *s = storage_settings(&count);
    for (size_t i = 0; i < count && k < cap; i++)
        if (wanted(s[i].flag, only))
            out[k++] =
                (ConfigOption){ s[i].flag, 0, s[i].env, OPT_STRING, s[i].def, s[i].metavar, s[i].help };
    return k;
}

int apply_storage_options(const ConfigValues *v, StorageConfig *cfg, char *err, size_t n)
{
    size_t count;
    const StorageSetting *s = storage_settings(&count);
    for (size_t i = 0; i < count; i++) {
        int k = config_index(v, s[i].flag);
        if (k < 0 || !v->value[k]) continue;
        int e = storage_config_set(cfg, s[i].flag, v->value[k], err, n);
        if (e) return e;
    }
    return 0;
}

int option_seconds(const ConfigValues *v, const char *name, double min, double max, double *out, char *err,
                   size_t n)
{
    const char *s = config_str(v, name);
    if (!s) return 0;
    char *end;
    double x = strtod(s, &end);
    if (end == s || *end || !isfinite(x) || x < min || x > max) {
        snprintf(err, n, "--%s: '%s' is not a number of seconds from %g to %g", name, s, min, max);
        return -1;
    }
    *out = x;
    return 0;
}

int option_bytes(const ConfigValues *v, const char *name, size_t min, size_t *out, char *err, size_t n)
{
    const char *s = config_str(v, name);
    if (!s) return 0;
    char *end;
    errno = 0;
    unsigned long long x = strtoull(s, &end, 10);
    int shift = !*end ? 0 : !strcmp(end, "K") ? 10 : !strcmp(end, "M") ? 20 : !strcmp(end, "G") ? 30 : -1;
    if (errno || end == s || *s == '-' || shift < 0 || x > (1ULL << 40) >> shift || (x << shift) < min) {
        snprintf(err, n, "--%s: '%s' is not a size of at least %zu bytes (suffix K, M or G allowed)", name, s,
                 min);
        return -1;
    }
    *out = (size_t)(x << shift);
    return 0;
}
