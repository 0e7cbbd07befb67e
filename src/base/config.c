/* Table-driven option parsing (see config.h). */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"

static int list_append(ConfigValues *v, size_t i, const char *val)
{
    const char **l = realloc(v->list[i], (v->list_n[i] + 1) * sizeof(*l));
    if (!l) return -1;
    l[v->list_n[i]++] = val;
    v->list[i] = l;
    return 0;
}

static void build_getopt(const ConfigOption *opts, size_t n, struct option *lo, char *so)
{
    size_t k = 0;
    *so++ = ':';   /* report missing arguments distinctly */
    for (size_t i = 0; i < n; i++) {
        int arg = opts[i].type == OPT_FLAG ? no_argument : required_argument;
        lo[i] = (struct option){ opts[i].name, arg, NULL, 256 + (int)i };
        if (opts[i].short_name) {
            so[k++] = (char)opts[i].short_name;
            if (arg == required_argument) so[k++] = ':';
        }
    }
    lo[n] = (struct option){ "help", no_argument, NULL, 255 };
    lo[n + 1] = (struct option){ 0 };
    so[k] = 0;
}

static int option_of(const ConfigOption *opts, size_t n, int c)
{
    if (c >= 256 && (size_t)(c - 256) < n) return c - 256;
    for (size_t i = 0; i < n; i++)
        if (opts[i].short_name == c) return (int)i;
    return -1;
}

static void apply_env_and_defaults(ConfigValues *v)
{
    for (size_t i = 0; i < v->n; i++) {
        if (v->value[i] || v->list_n[i]) continue;
        const char *e = v->opts[i].env ? getenv(v->opts[i].env) : NULL;
        if (e && *e) {
            if (v->opts[i].type == OPT_LIST) list_append(v, i, e);
            v->value[i] = e;
        } else {
            v->value[i] = v->opts[i].def;
        }
    }
}

int config_parse(ConfigValues *v, const ConfigOption *opts, size_t n, int argc, char **argv,
                 char *err, size_t errlen)
{
    memset(v, 0, sizeof(*v));
    v->opts = opts;
    v->n = n;
    if (n > CONFIG_MAX_OPTIONS) { snprintf(err, errlen, "too many options"); return -1; }
    struct option lo[CONFIG_MAX_OPTIONS + 2];
    char so[3 * CONFIG_MAX_OPTIONS + 2];
    build_getopt(opts, n, lo, so);
    optind = 1;
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, so, lo, NULL)) != -1) {
        if (c == 255) { v->help = 1; continue; }
        if (c == '?' || c == ':') {
            const char *bad = argv[optind - 1];
            snprintf(err, errlen, c == ':' ? "option %s needs a value" : "unknown option %s", bad);
            return -1;
        }
        int i = option_of(opts, n, c);
        if (i < 0) { snprintf(err, errlen, "unknown option"); return -1; }
        const char *val = opts[i].type == OPT_FLAG ? "1" : optarg;
        if (opts[i].type == OPT_LIST && list_append(v, (size_t)i, val)) {
            snprintf(err, errlen, "out of memory");
            return -1;
        }
        v->value[i] = val;
    }
    v->positional = argv + optind;
    v->n_positional = argc - optind;
    apply_env_and_defaults(v);
    return 0;
}

void config_free(ConfigValues *v)
{
    for (size_t i = 0; i < v->n; i++) free(v->list[i]);
    memset(v, 0, sizeof(*v));
}

int config_index(const ConfigValues *v, const char *name)
{
    for (size_t i = 0; i < v->n; i++)
        if (!strcmp(v->opts[i].name, name)) return (int)i;
    return -1;
}

const char *config_str(const ConfigValues *v, const char *name)
{
    int i = config_index(v, name);
    return i < 0 ? NULL : v->value[i];
}

int config_flag(const ConfigValues *v, const char *name)
{
    const char *s = config_str(v, name);
    return s && strcmp(s, "0") && strcmp(s, "false") && *s;
}

int config_uint(const ConfigValues *v, const char *name, unsigned *out, char *err, size_t errlen)
{
    const char *s = config_str(v, name);
    if (!s) return 0;
    char *end;
    errno = 0;
    unsigned long x = strtoul(s, &end, 10);
    if (errno || end == s || *end || *s == '-' || x > 0xffffffffUL) {
        snprintf(err, errlen, "--%s: '%s' is not a non-negative integer", name, s);
        return -1;
    }
    *out = (unsigned)x;
    return 0;
}

void config_help(FILE *f, const char *usage, const ConfigOption *opts, size_t n)
{
    fprintf(f, "%s\n\nOptions:\n", usage);
    for (size_t i = 0; i < n; i++) {
        char flag[64];
        if (opts[i].short_name)
            snprintf(flag, sizeof(flag), "-%c, --%s", opts[i].short_name, opts[i].name);
        else
            snprintf(flag, sizeof(flag), "    --%s", opts[i].name);
        fprintf(f, "  %-26s %-6s %s", flag, opts[i].metavar ? opts[i].metavar : "", opts[i].help);
        if (opts[i].def) fprintf(f, " (default: %s)", opts[i].def);
        if (opts[i].env) fprintf(f, " [$%s]", opts[i].env);
        fputc('\n', f);
    }
}

void config_markdown(FILE *f, const ConfigOption *opts, size_t n)
{
    fprintf(f, "| flag | environment | default | meaning |\n|---|---|---|---|\n");
    for (size_t i = 0; i < n; i++) {
        fprintf(f, "| `--%s`", opts[i].name);
        if (opts[i].short_name) fprintf(f, " / `-%c`", opts[i].short_name);
        fprintf(f, " | %s%s%s | %s | %s |\n", opts[i].env ? "`" : "", opts[i].env ? opts[i].env : "",
                opts[i].env ? "`" : "", opts[i].def ? opts[i].def : "", opts[i].help);
    }
}
