/* Chunk texts and their merge (see chunk.h).
 *
 *   vmafx-chunk 1
 *   geometry FMT BPC W H          the pictures the engine saw (after scaling)
 *   range FIRST END OPEN          job frames [FIRST, END) scored; OPEN 1: the job ends there
 *                                 (END = FIRST, OPEN 1: the inputs end before FIRST; such an
 *                                 empty chunk has geometry 0 0 0 0 and no series)
 *   counts REF DIS                frame counts the report shows when they differ (OPEN only)
 *   time SECS                     scoring time, for the merged report's fps
 *   note LEN                      then LEN bytes of the report's note and a newline
 *   series N                      then N names, one a line, in the engine's raw order
 *   frame F K                     then K lines "SERIES VALUE" (hexadecimal float), per frame
 *   end
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chunk.h"

#define CHUNK_MAGIC "vmafx-chunk 1"

typedef struct Buf {
    char *p;
    size_t len, cap;
    int oom;
} Buf;

static void put(Buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Appends; the second try always fits (the first one measured), else oom is set. */
static void put(Buf *b, const char *fmt, ...)
{
    for (int tries = 0; tries < 2 && !b->oom; tries++) {
        va_list ap;
        va_start(ap, fmt);
        int k = vsnprintf(b->p ? b->p + b->len : NULL, b->p ? b->cap - b->len : 0, fmt, ap);
        va_end(ap);
        if (k < 0) break;
        if (b->p && b->len + (size_t)k < b->cap) {
            b->len += (size_t)k;
            return;
        }
        size_t cap = b->cap ? b->cap : 1 << 16;
        while (cap <= b->len + (size_t)k) cap *= 2;
        char *p = realloc(b->p, cap);
        if (!p) break;
        b->p = p;
        b->cap = cap;
    }
    b->oom = 1;
}

static void put_frame(Buf *b, const VmafxContext *ctx, unsigned frame, unsigned n_series)
{
    unsigned k = 0;
    double v;
    for (unsigned i = 0; i < n_series; i++) k += !vmafx_raw_value(ctx, i, frame, &v);
    put(b, "frame %u %u\n", frame, k);
    for (unsigned i = 0; i < n_series; i++)
        if (!vmafx_raw_value(ctx, i, frame, &v)) put(b, "%u %a\n", i, v);
}

int pipeline_chunk_write(const PipelineScore *sc, const PipelineChunk *chunk, double secs, char **text,
                         size_t *len, char *err, size_t n)
{
    enum VmafxPixelFormat fmt = 0;
    unsigned bpc = 0, w = 0, h = 0;
    const int empty = !sc->run.scored; /* the inputs end before the chunk (pipeline_run) */
    if (!empty && vmafx_geometry(sc->ctx, &fmt, &bpc, &w, &h)) {
        snprintf(err, n, "chunk: nothing was scored");
        return -EINVAL;
    }
    const unsigned end = chunk->first + sc->run.scored;
    const int open = !chunk->end || end < chunk->end; /* the inputs (or frame_cnt) ended it */
    const char *note = sc->run.info.note ? sc->run.info.note : "";
    Buf b = { 0 };
    put(&b, "%s\ngeometry %d %u %u %u\nrange %u %u %d\ncounts %u %u\ntime %a\nnote %zu\n%s\n", CHUNK_MAGIC,
        (int)fmt, bpc, w, h, chunk->first, end, open, sc->run.info.frames_ref, sc->run.info.frames_dis, secs,
        strlen(note), note);
    const unsigned n_series = empty ? 0 : vmafx_raw_count(sc->ctx);
    put(&b, "series %u\n", n_series);
    for (unsigned i = 0; i < n_series; i++) put(&b, "%s\n", vmafx_raw_name(sc->ctx, i));
    for (unsigned f = chunk->first; f < end; f++) put_frame(&b, sc->ctx, f, n_series);
    put(&b, "end\n");
    if (b.oom) {
        free(b.p);
        snprintf(err, n, "chunk: out of memory");
        return -ENOMEM;
    }
    *text = b.p;
    *len = b.len;
    return 0;
}

/* ---- reading ----------------------------------------------------------------------------- */

typedef struct Chunk {
    char *copy; /* the text, NUL-terminated, cut into lines in place */
    char *cur, *stop;
    unsigned first, end;
    int open, fmt;
    unsigned bpc, w, h, ref_n, dis_n;
    double secs;
    const char *note;
    unsigned n_series;
    char **names;
} Chunk;

static char *next_line(Chunk *c)
{
    if (c->cur >= c->stop) return NULL;
    char *line = c->cur, *nl = memchr(line, '\n', (size_t)(c->stop - line));
    if (!nl) return NULL;
    *nl = 0;
    c->cur = nl + 1;
    return line;
}

static int read_note(Chunk *c)
{
    size_t len;
    char *l = next_line(c);
    if (!l || sscanf(l, "note %zu", &len) != 1 || len >= (size_t)(c->stop - c->cur)) return -1;
    c->note = c->cur;
    c->cur[len] = 0;
    c->cur += len + 1;
    return 0;
}

static int read_head(Chunk *c)
{
    char *l[5];
    for (int i = 0; i < 5; i++)
        if (!(l[i] = next_line(c))) return -1;
    if (strcmp(l[0], CHUNK_MAGIC) ||
        sscanf(l[1], "geometry %d %u %u %u", &c->fmt, &c->bpc, &c->w, &c->h) != 4 ||
        sscanf(l[2], "range %u %u %d", &c->first, &c->end, &c->open) != 3 ||
        sscanf(l[3], "counts %u %u", &c->ref_n, &c->dis_n) != 2 || strncmp(l[4], "time ", 5))
        return -1;
    c->secs = strtod(l[4] + 5, NULL);
    if (read_note(c)) return -1;
    char *s = next_line(c);
    if (!s || sscanf(s, "series %u", &c->n_series) != 1 || c->n_series > 100000) return -1;
    if (!(c->names = calloc(c->n_series + 1, sizeof(*c->names)))) return -1;
    for (unsigned i = 0; i < c->n_series; i++)
        if (!(c->names[i] = next_line(c)) || !*c->names[i]) return -1;
    return c->end > c->first || (c->end == c->first && c->open) ? 0 : -1;
}

static int chunk_open(Chunk *c, const char *text, size_t len)
{
    memset(c, 0, sizeof(*c));
    if (!(c->copy = malloc(len + 1))) return -1;
    memcpy(c->copy, text, len);
    c->copy[len] = 0;
    c->cur = c->copy;
    c->stop = c->copy + len;
    return read_head(c);
}

static void chunk_close(Chunk *c)
{
    free(c->names);
    free(c->copy);
}

int pipeline_chunk_range(const char *text, size_t len, unsigned *first, unsigned *end, int *open)
{
    Chunk c;
    int e = chunk_open(&c, text, len);
    *first = c.first;
    *end = c.end;
    *open = c.open;
    chunk_close(&c);
    return e ? -EINVAL : 0;
}

/* The chunk's values into the merging engine, frame by frame as it stores them. */
static int import_values(Chunk *c, VmafxContext *ctx, unsigned idx, char *err, size_t n)
{
    char *l;
    unsigned expect = c->first;
    while ((l = next_line(c)) && strcmp(l, "end")) {
        unsigned f, k;
        if (sscanf(l, "frame %u %u", &f, &k) != 2 || f != expect++) goto bad;
        for (unsigned j = 0; j < k; j++) {
            unsigned s;
            char *v = next_line(c), *rest;
            if (!v || sscanf(v, "%u", &s) != 1 || s >= c->n_series || !(rest = strchr(v, ' '))) goto bad;
            int e = vmafx_import_feature_score(ctx, c->names[s], f, strtod(rest + 1, NULL));
            if (e) {
                snprintf(err, n, "chunk %u (frames %u-%u): %s", idx, c->first, c->end, vmafx_last_error(ctx));
                return e;
            }
        }
    }
    if (l && expect == c->end) return 0;
bad:
    snprintf(err, n, "chunk %u (frames %u-%u): malformed values", idx, c->first, c->end);
    return -EINVAL;
}

static int by_first(const void *a, const void *b)
{
    const Chunk *x = a, *y = b;
    return x->first < y->first ? -1 : x->first > y->first;
}

/* After the chunk that met the job's end (at frame end) only empty chunks may follow, each
 * saying the inputs end before its first frame (a frame count can overstate the frames that
 * decode), one per first frame. */
static int check_past_end(const Chunk *c, unsigned i, unsigned end, char *err, size_t n)
{
    if (c[i].end != c[i].first || !c[i].open || c[i].first < end) {
        snprintf(err, n, "chunks: the job ends at frame %u, before the chunk at frame %u", end, c[i].first);
        return -EINVAL;
    }
    if (c[i].first == c[i - 1].first) {
        snprintf(err, n, "chunks: the empty chunk at frame %u is there twice", c[i].first);
        return -EINVAL;
    }
    return 0;
}

/* Together the chunks must be frames 0 .. end without gap or overlap up to the first one
 * that met the end of the job (*last), which scored something or follows one that did. */
static int check_cover(const Chunk *c, unsigned count, unsigned *last, char *err, size_t n)
{
    unsigned want = 0, ended = count;
    for (unsigned i = 0; i < count; i++) {
        if (ended < i) {
            if (check_past_end(c, i, want, err, n)) return -EINVAL;
            continue;
        }
        if (c[i].first != want) {
            snprintf(err, n, "chunks: frames %u-%u missing or scored twice",
                     want < c[i].first ? want : c[i].first, want < c[i].first ? c[i].first : want);
            return -EINVAL;
        }
        want = c[i].end;
        if (c[i].open) ended = i;
        if (c[i].end > c[i].first &&
            (c[i].fmt != c[0].fmt || c[i].bpc != c[0].bpc || c[i].w != c[0].w || c[i].h != c[0].h)) {
            snprintf(err, n, "chunks: chunk at frame %u scored other pictures than the first", c[i].first);
            return -EINVAL;
        }
    }
    if (ended == count || !want) {
        snprintf(err, n,
                 ended == count ? "chunks: the job ends at frame %u, but no chunk reached it"
                                : "chunks: no frames were scored (the inputs end before frame %u)",
                 want);
        return -EINVAL;
    }
    *last = ended;
    return 0;
}

static int merge_chunks(const JobSpec *req, const PipelineSettings *set, Chunk *c, unsigned count,
                        PipelineScore *out, char *err, size_t n)
{
    qsort(c, count, sizeof(*c), by_first);
    unsigned at = 0;
    int e = check_cover(c, count, &at, err, n);
    PipelineSettings whole = *set;
    whole.chunk = NULL;
    if (!e) e = pipeline_engine_for_request(req, &whole, out, err, n);
    if (!e && (e = vmafx_merge_begin(out->ctx, (enum VmafxPixelFormat)c[0].fmt, c[0].bpc, c[0].w, c[0].h)))
        snprintf(err, n, "merging chunks: %s", vmafx_last_error(out->ctx));
    double secs = 0;
    for (unsigned i = 0; !e && i < count; i++) {
        e = import_values(&c[i], out->ctx, i, err, n);
        secs += c[i].secs;
    }
    if (e) return e;
    const Chunk *last = &c[at];
    if ((e = vmafx_merge_end(out->ctx, last->end))) {
        snprintf(err, n, "merging chunks: %s", vmafx_last_error(out->ctx));
        return e;
    }
    PipelineResult *r = &out->run;
    r->scored = last->end;
    snprintf(r->note, sizeof(r->note), "%s", last->note);
    r->info = (VmafxReportInfo){ .fps = secs > 0 ? last->end / secs : 0,
                                 .frames_ref = last->ref_n,
                                 .frames_dis = last->dis_n,
                                 .note = *r->note ? r->note : NULL };
    return 0;
}

int pipeline_merge(const JobSpec *req, const PipelineSettings *set, const char *const *texts,
                   const size_t *lens, unsigned count, PipelineScore *out, char *err, size_t n)
{
    memset(out, 0, sizeof(*out));
    Chunk *c = count ? calloc(count, sizeof(*c)) : NULL;
    if (!c) {
        snprintf(err, n, count ? "merging chunks: out of memory" : "merging chunks: none");
        return count ? -ENOMEM : -EINVAL;
    }
    int e = 0;
    for (unsigned i = 0; i < count && !e; i++)
        if (chunk_open(&c[i], texts[i], lens[i])) {
            snprintf(err, n, "chunk %u: not a chunk result (or truncated)", i);
            e = -EINVAL;
        }
    if (!e) e = merge_chunks(req, set, c, count, out, err, n);
    for (unsigned i = 0; i < count; i++) chunk_close(&c[i]);
    free(c);
    return e;
}
