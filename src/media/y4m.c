/* YUV4MPEG2: "YUV4MPEG2 W<w> H<h> [F.. I.. A.. X..] [C<colourspace>]\n", then per frame
 * "FRAME[ params]\n" and the planar samples (>8-bit: 16-bit little-endian words). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "y4m.h"

#define Y4M_LINE_MAX 512

static int read_line(const ByteStream *bs, char *buf, size_t n)
{
    size_t i = 0;
    int c;
    while ((c = bs->getc(bs->h)) != -1 && c != '\n') {
        if (i + 1 >= n) return -EINVAL;
        buf[i++] = (char)c;
    }
    buf[i] = 0;
    if (c == -1) return i ? -EIO : 0; /* EOF inside a line: cut short */
    return 1;
}

/* Colourspace tag → format and bit depth ("420jpeg", "422p10", "444p12", ...). */
static int parse_colourspace(const char *tag, MediaGeometry *geo)
{
    static const struct {
        const char *prefix;
        enum VmafxPixelFormat fmt;
    } fmts[] = {
        { "420", VMAFX_PIX_FMT_YUV420P },
        { "422", VMAFX_PIX_FMT_YUV422P },
        { "444", VMAFX_PIX_FMT_YUV444P },
    };
    for (size_t i = 0; i < sizeof(fmts) / sizeof(fmts[0]); i++) {
        if (strncmp(tag, fmts[i].prefix, 3)) continue;
        const char *rest = tag + 3;
        geo->fmt = fmts[i].fmt;
        geo->bpc = 8;
        if (*rest == 'p' && rest[1] >= '0' && rest[1] <= '9') {
            char *end;
            long b = strtol(rest + 1, &end, 10);
            if (*end || b < 8 || b > 16) return -EINVAL;
            geo->bpc = (unsigned)b;
        } else if (*rest && strcmp(rest, "jpeg") && strcmp(rest, "mpeg2") && strcmp(rest, "paldv")) {
            return -EINVAL;
        }
        return 0;
    }
    return -EINVAL;
}

static int parse_dim(const char *tok, unsigned *out)
{
    char *end;
    long v = strtol(tok + 1, &end, 10);
    if (*end || v <= 0 || v > 32768) return -EINVAL;
    *out = (unsigned)v;
    return 0;
}

/* "F30000:1001": the frame rate as a ratio; "F0:0" (unknown) leaves it 0. */
static int parse_rate(const char *tok, double *fps)
{
    char *end;
    long num = strtol(tok + 1, &end, 10);
    if (*end != ':' || num < 0) return -EINVAL;
    long den = strtol(end + 1, &end, 10);
    if (*end || den < 0) return -EINVAL;
    *fps = num > 0 && den > 0 ? (double)num / (double)den : 0;
    return 0;
}

int y4m_read_header(const ByteStream *bs, MediaGeometry *geo, char *why, size_t n)
{
    char line[Y4M_LINE_MAX];
    int r = read_line(bs, line, sizeof(line));
    if (r <= 0 || strncmp(line, "YUV4MPEG2", 9) || (line[9] && line[9] != ' ')) {
        snprintf(why, n, "not a YUV4MPEG2 stream (bad or missing header)");
        return -EINVAL;
    }
    memset(geo, 0, sizeof(*geo));
    geo->fmt = VMAFX_PIX_FMT_YUV420P;
    geo->bpc = 8;
    char *save = NULL;
    for (char *t = strtok_r(line + 9, " ", &save); t; t = strtok_r(NULL, " ", &save)) {
        int bad = 0;
        if (*t == 'W') bad = parse_dim(t, &geo->w);
        else if (*t == 'H') bad = parse_dim(t, &geo->h);
        else if (*t == 'C') bad = parse_colourspace(t + 1, geo);
        else if (*t == 'F') bad = parse_rate(t, &geo->fps);
        if (bad) {
            snprintf(why, n, "corrupt y4m header: bad value '%.40s'", t);
            return -EINVAL;
        }
    }
    if (!geo->w || !geo->h) {
        snprintf(why, n, "corrupt y4m header: missing width or height");
        return -EINVAL;
    }
    return 0;
}

int y4m_read_frame_header(const ByteStream *bs, char *why, size_t n)
{
    char line[Y4M_LINE_MAX];
    int r = read_line(bs, line, sizeof(line));
    if (r == 0) return 0;
    if (r < 0 || strncmp(line, "FRAME", 5) || (line[5] && line[5] != ' ')) {
        snprintf(why, n, r == -EIO ? "truncated frame header" : "lost y4m framing (no FRAME marker)");
        return -EIO;
    }
    return 1;
}
