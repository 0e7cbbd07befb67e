/* `vmafx results --sub`: the controller keeps a job's report as JSON, XML and CSV; libvmaf's
 * MicroDVD subtitles are the CSV's rows in another layout ("{N}{N+1}frame: N|name: value|"),
 * the values copied as the report wrote them, so the text equals `vmafx score --sub`'s. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "client.h"

#define MAX_COLUMNS 4096

typedef struct Out {
    char *p;
    size_t len, cap;
} Out;

static int put(Out *o, const char *s, size_t n)
{
    if (o->len + n + 1 > o->cap) {
        size_t cap = (o->cap + n + 1) * 2;
        char *p = realloc(o->p, cap);
        if (!p) return -1;
        o->p = p;
        o->cap = cap;
    }
    memcpy(o->p + o->len, s, n);
    o->len += n;
    o->p[o->len] = 0;
    return 0;
}

/* Splits line (modified) at commas: the fields before each comma (the report ends each
 * field with one). */
static size_t split(char *line, char **f, size_t max)
{
    size_t n = 0;
    for (char *c; n < max && (c = strchr(line, ',')); line = c + 1) {
        *c = 0;
        f[n++] = line;
    }
    return n;
}

static int row(Out *o, char *line, char **names, size_t nn)
{
    char *f[MAX_COLUMNS + 1], head[64];
    size_t n = split(line, f, MAX_COLUMNS + 1);
    if (n != nn + 1)
        return cli_error("results --sub: a frame of this report lacks some features: ask for --csv or "
                         "--json"),
               -1;
    unsigned frame = (unsigned)strtoul(f[0], NULL, 10);
    int len = snprintf(head, sizeof(head), "{%u}{%u}frame: %u|", frame, frame + 1, frame);
    if (put(o, head, (size_t)len)) return -1;
    for (size_t i = 0; i < nn; i++)
        if (put(o, names[i], strlen(names[i])) || put(o, ": ", 2) || put(o, f[i + 1], strlen(f[i + 1])) ||
            put(o, "|", 1))
            return -1;
    return put(o, "\n", 1);
}

char *client_csv_to_sub(const char *csv, size_t len, size_t *out_len)
{
    char *text = malloc(len + 1), *names[MAX_COLUMNS + 1], *save = NULL;
    Out o = { 0 };
    if (!text) return cli_error("out of memory"), NULL;
    memcpy(text, csv, len);
    text[len] = 0;
    char *header = strtok_r(text, "\n", &save);
    size_t nn = header ? split(header, names, MAX_COLUMNS + 1) : 0;
    int bad = !nn || strcmp(names[0], "Frame") || nn > MAX_COLUMNS || put(&o, "", 0);
    if (!header || bad) cli_error("results --sub: the report is not libvmaf's CSV layout");
    for (char *line = bad ? NULL : strtok_r(NULL, "\n", &save); line && !bad;
         line = strtok_r(NULL, "\n", &save))
        bad = row(&o, line, names + 1, nn - 1) != 0;
    free(text);
    if (bad) {
        free(o.p);
        return NULL;
    }
    *out_len = o.len;
    return o.p;
}
