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

/* The name with '_' and '-' swapped ("frame_cnt" <-> "frame-cnt"), or 0 when it has neither. */
static int other_spelling(const char *name, char *out, size_t n)
{
    if (!strpbrk(name, "_-") || strlen(name) >= n) return 0;
    size_t i = 0;
    for (; name[i]; i++) out[i] = name[i] == '_' ? '-' : name[i] == '-' ? '_' : name[i];
    out[i] = 0;
    return 1;
}

/* Every long option also answers to its other spelling (libvmaf names its flags with '_',
 * vmafx's own have '-': users type either); aliases has room for n names. */
static void build_getopt(const ConfigOption *opts, size_t n, struct option *lo, char *so,
                         char (*aliases)[CONFIG_NAME_MAX])
{
    size_t k = 0, m = 0;
    *so++ = ':'; /* report missing arguments distinctly */
    for (size_t i = 0; i < n; i++) {
        int arg = opts[i].type == OPT_FLAG ? no_argument : required_argument;
        lo[m++] = (struct option){ opts[i].name, arg, NULL, 256 + (int)i };
        if (other_spelling(opts[i].name, aliases[i], CONFIG_NAME_MAX))
            lo[m++] = (struct option){ aliases[i], arg, NULL, 256 + (int)i };
        if (opts[i].short_name) {
            so[k++] = (char)opts[i].short_name;
            if (arg == required_argument) so[k++] = ':';
        }
    }
    lo[m] = (struct option){ "help", no_argument, NULL, 255 };
    lo[m + 1] = (struct option){ 0 };
    so[k] = 0;
}

static const ConfigOption *long_option(const ConfigOption *opts, size_t n, const char *arg)
{
    char name[CONFIG_NAME_MAX], alias[CONFIG_NAME_MAX];
    snprintf(name, sizeof(name), "%.*s", (int)strcspn(arg, "="), arg);
    for (size_t i = 0; i < n; i++)
        if (!strcmp(opts[i].name, name) ||
            (other_spelling(opts[i].name, alias, sizeof(alias)) && !strcmp(alias, name)))
            return &opts[i];
    return NULL;
}

static int is_number(const char *s)
{
    return s && *s && strspn(s, "0123456789") == strlen(s);
}

/* "-h" is help, as users expect, unless the table gives -h a value (vmafx score's --height,
 * as libvmaf's) and a number follows: "-h 1080" is a height, "-h" alone or before another
 * flag is help. Values of other options ("-o -h") are stepped over. */
static void help_for_h(const ConfigOption *opts, size_t n, int argc, char **argv)
{
    const ConfigOption *h = NULL;
    for (size_t i = 0; i < n; i++)
        if (opts[i].short_name == 'h') h = &opts[i];
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--")) return;
        if (!strcmp(a, "-h")) {
            if (!h || h->type == OPT_FLAG || !is_number(i + 1 < argc ? argv[i + 1] : NULL))
                argv[i] = (char *)"--help";
            else i++;
            continue;
        }
        const ConfigOption *o = NULL;
        if (!strncmp(a, "--", 2) && !strchr(a, '=')) o = long_option(opts, n, a + 2);
        else if (a[0] == '-' && a[1] && !a[2])
            for (size_t k = 0; k < n && !o; k++)
                if (opts[k].short_name == a[1]) o = &opts[k];
        if (o && o->type != OPT_FLAG) i++; /* its value */
    }
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

int config_parse(ConfigValues *v, const ConfigOption *opts, size_t n, int argc, char **argv, char *err,
                 size_t errlen)
{
    memset(v, 0, sizeof(*v));
    v->opts = opts;
    v->n = n;
    if (n > CONFIG_MAX_OPTIONS) {
        snprintf(err, errlen, "too many options");
        return -1;
    }
    struct option lo[2 * CONFIG_MAX_OPTIONS + 2];
    char so[3 * CONFIG_MAX_OPTIONS + 2];
    char aliases[CONFIG_MAX_OPTIONS][CONFIG_NAME_MAX];
    build_getopt(opts, n, lo, so, aliases);
    help_for_h(opts, n, argc, argv);
    optind = 1;
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, so, lo, NULL)) != -1) {
        if (c == 255) {
            v->help = 1;
            continue;
        }
        if (c == '?' || c == ':') {
            const char *bad = argv[optind - 1];
            snprintf(err, errlen, c == ':' ? "option %s needs a value" : "unknown option %s", bad);
            return -1;
        }
        int i = option_of(opts, n, c);
        if (i < 0) {
            snprintf(err, errlen, "unknown option");
            return -1;
        }
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

#define HELP_WIDTH 100    /* columns of --help */
#define HELP_FLAGS_MAX 32 /* a flag column wider than this puts its text on the next line */

/* "-r, --reference PATH" / "    --feature NAME". */
static int flag_text(char *out, size_t n, const ConfigOption *o)
{
    int len = o->short_name ? snprintf(out, n, "-%c, --%s", o->short_name, o->name)
                            : snprintf(out, n, "    --%s", o->name);
    if (o->metavar && len >= 0 && (size_t)len < n)
        len += snprintf(out + len, n - (size_t)len, " %s", o->metavar);
    return len;
}

/* text from column col, wrapped at HELP_WIDTH with later lines indented to col. */
static void wrapped(FILE *f, const char *text, int col)
{
    int at = col;
    while (*text) {
        while (*text == ' ') text++;
        if (!*text) break;
        int word = (int)strcspn(text, " ");
        if (at > col && at + 1 + word > HELP_WIDTH) {
            fprintf(f, "\n%*s", col, "");
            at = col;
        }
        at += fprintf(f, "%s%.*s", at > col ? " " : "", word, text);
        text += word;
    }
    fputc('\n', f);
}

void config_help(FILE *f, const char *usage, const ConfigOption *opts, size_t n)
{
    char flag[CONFIG_NAME_MAX * 2 + 32], text[2048];
    int width = 0;
    for (size_t i = 0; i < n; i++) {
        int len = flag_text(flag, sizeof(flag), &opts[i]);
        if (len <= HELP_FLAGS_MAX && len > width) width = len;
    }
    fprintf(f, "%s\n\nOptions (long names take '_' or '-' alike: --frame_cnt or --frame-cnt):\n", usage);
    for (size_t i = 0; i < n; i++) {
        int len = flag_text(flag, sizeof(flag), &opts[i]);
        int k = snprintf(text, sizeof(text), "%s", opts[i].help);
        if (opts[i].def && k < (int)sizeof(text))
            k += snprintf(text + k, sizeof(text) - (size_t)k, " (default: %s)", opts[i].def);
        if (opts[i].env && k < (int)sizeof(text))
            snprintf(text + k, sizeof(text) - (size_t)k, " [$%s]", opts[i].env);
        if (len > width) fprintf(f, "  %s\n%*s", flag, width + 4, "");
        else fprintf(f, "  %-*s  ", width, flag);
        wrapped(f, text, width + 4);
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
