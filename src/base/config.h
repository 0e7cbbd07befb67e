/* One table defines every setting of a program: flag, environment variable, default and
 * help text. Parsing, --help and docs/configuration.md all come from that table. */
#ifndef VMAFX_BASE_CONFIG_H
#define VMAFX_BASE_CONFIG_H

#include <stddef.h>
#include <stdio.h>

typedef enum { OPT_STRING, OPT_UINT, OPT_FLAG, OPT_LIST } OptType;

typedef struct ConfigOption {
    const char *name; /* long flag without "--" */
    int short_name;   /* single-letter flag or 0 */
    const char *env;  /* environment variable or NULL */
    OptType type;
    const char *def;     /* default (text) or NULL */
    const char *metavar; /* shown in --help, e.g. "PATH" */
    const char *help;
} ConfigOption;

#define CONFIG_MAX_OPTIONS 64
#define CONFIG_NAME_MAX 64 /* longest long flag name, and one */

typedef struct ConfigValues {
    const ConfigOption *opts;
    size_t n;
    const char *value[CONFIG_MAX_OPTIONS]; /* last value (flag: "1"), or default, or NULL */
    const char **list[CONFIG_MAX_OPTIONS]; /* OPT_LIST: every value given, in order */
    size_t list_n[CONFIG_MAX_OPTIONS];
    char **positional;
    int n_positional;
    int help; /* --help was given */
} ConfigValues;

/* Parses argv (argv[0] is the command name) then the environment for options not given.
 * Every long flag also answers to its other spelling ("--frame_cnt" and "--frame-cnt");
 * "-h" is --help unless the table gives -h a value and a number follows ("-h 1080"); such a
 * "-h" is rewritten in argv to "--help". Returns 0, or -1 with a one-line message in err. */
int config_parse(ConfigValues *v, const ConfigOption *opts, size_t n, int argc, char **argv, char *err,
                 size_t errlen);
void config_free(ConfigValues *v);

/* Index of an option by long name (programming error if absent: returns -1). */
int config_index(const ConfigValues *v, const char *name);
const char *config_str(const ConfigValues *v, const char *name);
/* Unsigned value; -1 with a message naming the flag if it is not a number. */
int config_uint(const ConfigValues *v, const char *name, unsigned *out, char *err, size_t errlen);
int config_flag(const ConfigValues *v, const char *name);

void config_help(FILE *f, const char *usage, const ConfigOption *opts, size_t n);
/* Markdown table of the options (for docs/configuration.md). */
void config_markdown(FILE *f, const ConfigOption *opts, size_t n);

#endif
