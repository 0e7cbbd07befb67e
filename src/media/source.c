/* Frame sources over stdio streams: y4m (header + FRAME records) and raw planar yuv. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "media.h"
#include "y4m.h"

struct FrameSource {
    FILE *f;
    int is_stdin, is_y4m;
    char *name;              /* label + path, for messages */
    MediaGeometry geo;
    unsigned frames;
    unsigned char *skipbuf;  /* row buffer for media_skip */
};

static int fmt_err(char *err, size_t n, const FrameSource *s, const char *what, int code)
{
    snprintf(err, n, "%s: %s", s->name, what);
    return code;
}

enum VmafxPixelFormat media_parse_pix_fmt(const char *s)
{
    if (!strcmp(s, "420") || !strcmp(s, "yuv420p")) return VMAFX_PIX_FMT_YUV420P;
    if (!strcmp(s, "422") || !strcmp(s, "yuv422p")) return VMAFX_PIX_FMT_YUV422P;
    if (!strcmp(s, "444") || !strcmp(s, "yuv444p")) return VMAFX_PIX_FMT_YUV444P;
    return 0;
}

static int open_stream(FrameSource *s, const char *path, char *err, size_t n)
{
    if (!strcmp(path, "-")) {
        s->f = stdin;
        s->is_stdin = 1;
        return 0;
    }
    s->f = fopen(path, "rb");
    if (!s->f) {
        char why[160];
        snprintf(why, sizeof(why), "cannot open (%s)", strerror(errno));
        return fmt_err(err, n, s, why, -errno);
    }
    setvbuf(s->f, NULL, _IOFBF, 1 << 20);
    return 0;
}

/* Peeks at the first bytes: y4m starts with its magic. */
static int sniff_y4m(FrameSource *s)
{
    int c = fgetc(s->f);
    if (c == EOF) return 0;
    ungetc(c, s->f);
    return c == 'Y';
}

int media_open(FrameSource **out, const char *path, const MediaOptions *opt, char *err, size_t n)
{
    FrameSource *s = calloc(1, sizeof(*s));
    if (!s) return -ENOMEM;
    size_t len = strlen(path) + strlen(opt->label) + 3;
    if (!(s->name = malloc(len))) { free(s); return -ENOMEM; }
    snprintf(s->name, len, "%s %s", opt->label, path);
    int r = open_stream(s, path, err, n);
    if (r) goto fail;
    s->is_y4m = s->is_stdin || sniff_y4m(s);
    if (s->is_y4m) {
        char why[200];
        r = y4m_read_header(s->f, &s->geo, why, sizeof(why));
        if (r) { fmt_err(err, n, s, why, r); goto fail; }
    } else {
        if (!opt->raw.w || !opt->raw.h || !opt->raw.bpc || !opt->raw.fmt) {
            r = fmt_err(err, n, s, "not a .y4m file, and raw .yuv input needs --width, --height, "
                        "--pixel_format and --bitdepth", -EINVAL);
            goto fail;
        }
        s->geo = opt->raw;
        if (!vmafx_picture_frame_bytes(s->geo.fmt, s->geo.bpc, s->geo.w, s->geo.h)) {
            r = fmt_err(err, n, s, "unsupported raw geometry or bit depth", -EINVAL);
            goto fail;
        }
    }
    *out = s;
    return 0;
fail:
    media_close(s);
    return r;
}

void media_close(FrameSource *s)
{
    if (!s) return;
    if (s->f && !s->is_stdin) fclose(s->f);
    free(s->skipbuf);
    free(s->name);
    free(s);
}

const MediaGeometry *media_geometry(const FrameSource *s) { return &s->geo; }
unsigned media_frames(const FrameSource *s) { return s->frames; }

/* Start of a frame: 1 = frame follows, 0 = clean end, <0 error. */
static int frame_start(FrameSource *s, char *err, size_t n)
{
    if (!s->is_y4m) {
        int c = fgetc(s->f);
        if (c == EOF) return ferror(s->f) ? fmt_err(err, n, s, "read error", -EIO) : 0;
        ungetc(c, s->f);
        return 1;
    }
    char why[160];
    int r = y4m_read_frame_header(s->f, why, sizeof(why));
    if (r < 0) {
        char msg[200];
        snprintf(msg, sizeof(msg), "frame %u: %s", s->frames, why);
        return fmt_err(err, n, s, msg, r);
    }
    return r;
}

static int truncated(FrameSource *s, char *err, size_t n, size_t got, size_t want)
{
    char msg[200];
    if (ferror(s->f))
        snprintf(msg, sizeof(msg), "read error in frame %u", s->frames);
    else
        snprintf(msg, sizeof(msg), "truncated frame %u (%zu of %zu bytes): the file is cut short",
                 s->frames, got, want);
    return fmt_err(err, n, s, msg, -EIO);
}

int media_read(FrameSource *s, VmafxPicture *pic, char *err, size_t n)
{
    int r = frame_start(s, err, n);
    if (r <= 0) return r;
    size_t bps = s->geo.bpc > 8 ? 2 : 1, got = 0;
    size_t want = vmafx_picture_frame_bytes(s->geo.fmt, s->geo.bpc, s->geo.w, s->geo.h);
    for (int p = 0; p < 3; p++) {
        size_t row = pic->w[p] * bps;
        for (unsigned y = 0; y < pic->h[p]; y++) {
            size_t k = fread((char *)pic->data[p] + y * pic->stride[p], 1, row, s->f);
            got += k;
            if (k != row) return truncated(s, err, n, got, want);
        }
    }
    s->frames++;
    return 1;
}

int media_skip(FrameSource *s, char *err, size_t n)
{
    int r = frame_start(s, err, n);
    if (r <= 0) return r;
    size_t want = vmafx_picture_frame_bytes(s->geo.fmt, s->geo.bpc, s->geo.w, s->geo.h);
    if (!s->skipbuf && !(s->skipbuf = malloc(1 << 16))) return -ENOMEM;
    size_t got = 0;
    while (got < want) {
        size_t chunk = want - got < (1 << 16) ? want - got : (1 << 16);
        size_t k = fread(s->skipbuf, 1, chunk, s->f);
        got += k;
        if (k != chunk) return truncated(s, err, n, got, want);
    }
    s->frames++;
    return 1;
}
