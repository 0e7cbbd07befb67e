/* `vmafx score --chunk` / `--merge` (see score_chunk.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "output.h"
#include "score_chunk.h"

#define CHUNK_FILE_MAX (1u << 30)

int score_chunk_parse(const char *spec, PipelineChunk *c)
{
    char *end;
    errno = 0;
    unsigned long first = strtoul(spec, &end, 10);
    if (end == spec || *end != ':' || errno || first > 0x7fffffff)
        return cli_error("--chunk %s: expected FIRST:END (frame numbers, END empty for the end)", spec);
    const char *e = end + 1;
    unsigned long last = 0;
    if (*e) {
        last = strtoul(e, &end, 10);
        if (*end || errno || last <= first || last > 0x7fffffff)
            return cli_error("--chunk %s: END must be a frame number above FIRST", spec);
    }
    *c = (PipelineChunk){ (unsigned)first, (unsigned)last };
    return 0;
}

int score_chunk_write(const PipelineScore *sc, const PipelineChunk *c, const char *path)
{
    char *text, err[300];
    size_t len;
    if (pipeline_chunk_write(sc, c, 1.0 / (sc->run.info.fps > 0 ? sc->run.info.fps : 1) * sc->run.scored,
                             &text, &len, err, sizeof(err)))
        return cli_error("%s", err);
    int rc = output_write_text(text, len, path);
    free(text);
    return rc;
}

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        cli_error("--merge %s: cannot open (%s)", path, strerror(errno));
        return NULL;
    }
    size_t cap = 1 << 16, got = 0;
    char *buf = malloc(cap);
    size_t k;
    while (buf && (k = fread(buf + got, 1, cap - got, f)) > 0) {
        got += k;
        if (got == cap) {
            char *p = cap < CHUNK_FILE_MAX ? realloc(buf, cap * 2) : NULL;
            if (!p) free(buf);
            buf = p;
            cap *= 2;
        }
    }
    int bad = !buf || ferror(f);
    fclose(f);
    if (bad) {
        free(buf);
        cli_error("--merge %s: cannot read (unreadable, or larger than 1 GiB)", path);
        return NULL;
    }
    *len = got;
    return buf;
}

int score_merge_files(const ConfigValues *v, const JobSpec *req, const PipelineSettings *set,
                      PipelineScore *sc)
{
    int i = config_index(v, "merge");
    size_t count = v->list_n[i];
    char **texts = calloc(count, sizeof(*texts));
    size_t *lens = calloc(count, sizeof(*lens));
    int rc = texts && lens ? 0 : cli_error("--merge: out of memory");
    for (size_t k = 0; k < count && !rc; k++)
        if (!(texts[k] = slurp(v->list[i][k], &lens[k]))) rc = -1;
    char err[600];
    if (!rc &&
        pipeline_merge(req, set, (const char *const *)texts, lens, (unsigned)count, sc, err, sizeof(err)))
        rc = cli_error("%s", err);
    for (size_t k = 0; texts && k < count; k++) free(texts[k]);
    free(texts);
    free(lens);
    return rc;
}
