/* Picks the backend for an input (see media_open in media.h) and gives every message the
 * input's name. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libavformat/avformat.h>
#include <libavutil/avstring.h>

#include "libav_api.h"
#include "base/integrity.h"
#include "bytestream.h"
#include "source_impl.h"
#include "url_io.h"

struct FrameSource {
    SourceBackend b;
    char *name; /* label + path, for messages */
    unsigned frames;
    IntegrityVerifier *iv; /* the caller's, or NULL */
    int checked;           /* iv was finished */
    SeekNote seek;         /* see media_seek_note */
};

enum VmafxPixelFormat media_parse_pix_fmt(const char *s)
{
    if (!strcmp(s, "420") || !strcmp(s, "yuv420p")) return VMAFX_PIX_FMT_YUV420P;
    if (!strcmp(s, "422") || !strcmp(s, "yuv422p")) return VMAFX_PIX_FMT_YUV422P;
    if (!strcmp(s, "444") || !strcmp(s, "yuv444p")) return VMAFX_PIX_FMT_YUV444P;
    return 0;
}

/* "scheme://..." with an RFC 3986 scheme. */
static int is_url(const char *path)
{
    if (!isalpha((unsigned char)*path)) return 0;
    const char *p = path + 1;
    while (isalnum((unsigned char)*p) || *p == '+' || *p == '-' || *p == '.') p++;
    return !strncmp(p, "://", 3);
}

/* Messages end up in logs and job reports: a URL's user:password and its query string
 * (where pre-signed URLs keep their signatures) are left out. */
static char *display_name(const char *label, const char *path)
{
    size_t len = strlen(label) + strlen(path) + 8;
    char *s = malloc(len);
    if (!s) return NULL;
    if (!is_url(path)) {
        snprintf(s, len, "%s %s", label, path);
        return s;
    }
    const char *host = strstr(path, "://") + 3;
    const char *end = host + strcspn(host, "/?#");
    const char *at = memchr(host, '@', (size_t)(end - host));
    if (at) host = at + 1;
    size_t rest = strcspn(host, "?#");
    snprintf(s, len, "%s %.*s%.*s%s", label, (int)(strstr(path, "://") + 3 - path), path, (int)rest, host,
             host[rest] == '?' ? "?..." : "");
    return s;
}

/* Lower-case extension of the last path element, ignoring a URL's query ("" if none). */
static void extension(const char *path, char *ext, size_t n)
{
    size_t len = is_url(path) ? strcspn(path, "?#") : strlen(path);
    const char *dot = NULL;
    for (const char *p = path; p < path + len; p++) {
        if (*p == '/') dot = NULL;
        else if (*p == '.') dot = p;
    }
    size_t k = 0;
    if (dot)
        for (const char *p = dot + 1; p < path + len && k + 1 < n; p++)
            ext[k++] = (char)tolower((unsigned char)*p);
    ext[k] = 0;
}

static int demuxer_claims(const char *ext)
{
    if (libav_load(NULL, 0) < 0) return 0;
    void *it = NULL;
    const AVInputFormat *f;
    while ((f = av_demuxer_iterate(&it)))
        if (f->extensions && strcmp(f->name, "rawvideo") && av_match_name(ext, f->extensions)) return 1;
    return 0;
}

static int is_raw(const char *path, const MediaOptions *opt)
{
    char ext[16];
    extension(path, ext, sizeof(ext));
    if (!strcmp(ext, "yuv") || !strcmp(ext, "raw")) return 1;
    return opt->raw.w && (!*ext || !demuxer_claims(ext));
}

static int open_local(SourceBackend *b, const char *path, const char *name, const MediaOptions *opt,
                      char *why, size_t n)
{
    int is_stdin = !strcmp(path, "-");
    FdStream *f;
    int r = fd_stream_open(&f, path, name, opt->integrity);
    if (r < 0) {
        snprintf(why, n, "cannot open (%s)", strerror(-r));
        return r;
    }
    int c = fd_stream_peek(f); /* y4m starts with its magic; peeking works on pipes too */
    int y4m = is_stdin || c == 'Y';
    if (!y4m && is_raw(path, opt) && (r = raw_check(f, opt, name, why, n)) < 0) {
        fd_stream_close(f);
        return r;
    }
    if (y4m || is_raw(path, opt)) return yuv_source_open(b, f, NULL, y4m, opt, why, n);
    fd_stream_close(f);
    /* "file:" keeps a colon in a local name from being read as a protocol */
    size_t len = strlen(path) + 6;
    char *url = malloc(len);
    if (!url) return -ENOMEM;
    snprintf(url, len, "file:%s", path);
    UrlIo *io;
    r = url_io_open(&io, url, name, opt, why, n);
    free(url);
    return r < 0 ? r : libav_source_open(b, io, path, opt, why, n);
}

static int open_url(SourceBackend *b, const char *url, const char *name, const MediaOptions *opt, char *why,
                    size_t n)
{
    UrlIo *io;
    int r = url_io_open(&io, url, name, opt, why, n);
    if (r < 0) return r;
    unsigned char magic[9];
    int got = url_io_peek(io, magic, sizeof(magic));
    if (got < 0) {
        url_io_error(io, why, n);
        url_io_close(io);
        return got;
    }
    if (got == 9 && !memcmp(magic, "YUV4MPEG2", 9)) return yuv_source_open(b, NULL, io, 1, opt, why, n);
    if (is_raw(url, opt)) return yuv_source_open(b, NULL, io, 0, opt, why, n);
    return libav_source_open(b, io, url, opt, why, n);
}

static int open_backend(FrameSource *s, const char *path, const MediaOptions *opt, char *err, size_t n)
{
    char why[512] = "";
    int r = is_url(path) ? open_url(&s->b, path, s->name, opt, why, sizeof(why))
                         : open_local(&s->b, path, s->name, opt, why, sizeof(why));
    if (r < 0) snprintf(err, n, "%s: %s", s->name, *why ? why : strerror(-r));
    return r;
}

/* Lets the backend pass over the first frames its fast way; a backend that lost its place
 * is opened again (its frames then decoded from the start: slow, never wrong). 0 or <0;
 * on failure s->b is closed. */
static int seek_start(FrameSource *s, const char *path, const MediaOptions *opt, char *err, size_t n)
{
    if (!opt->skip_frames || !s->b.ops->seek) return 0;
    char why[512] = "";
    int r = s->b.ops->seek(s->b.impl, opt->skip_frames, &s->seek, why, sizeof(why));
    if (r == SOURCE_REOPEN) {
        s->b.ops->close(s->b.impl);
        return open_backend(s, path, opt, err, n);
    }
    if (r < 0) {
        snprintf(err, n, "%s: %s", s->name, *why ? why : strerror(-r));
        s->b.ops->close(s->b.impl);
        return r;
    }
    s->frames = (unsigned)r;
    return 0;
}

int media_open(FrameSource **out, const char *path, const MediaOptions *opt, char *err, size_t n)
{
    FrameSource *s = calloc(1, sizeof(*s));
    if (!s || !(s->name = display_name(opt->label, path))) {
        free(s);
        return -ENOMEM;
    }
    int r = open_backend(s, path, opt, err, n);
    if (!r) r = seek_start(s, path, opt, err, n);
    if (r < 0) {
        free(s->name);
        free(s);
        return r == MEDIA_ENDED_EARLY ? -EIO : r; /* that one means a short input only */
    }
    s->iv = opt->integrity;
    for (unsigned i = s->frames; i < opt->skip_frames; i++) {
        if ((r = media_skip(s, err, n)) == 1) continue;
        if (r == 0)
            snprintf(err, n, "%s: has only %u frames, cannot start at frame %u", s->name, i,
                     opt->skip_frames);
        media_close(s);
        return r == 0 ? MEDIA_ENDED_EARLY : r == MEDIA_ENDED_EARLY ? -EIO : r;
    }
    *out = s;
    return 0;
}

void media_close(FrameSource *s)
{
    if (!s) return;
    s->b.ops->close(s->b.impl);
    free(s->name);
    free(s);
}

const MediaGeometry *media_geometry(const FrameSource *s)
{
    return &s->b.geo;
}
unsigned media_frames_hint(const FrameSource *s)
{
    return s->b.frames_hint;
}
const char *media_name(const FrameSource *s)
{
    return s->name;
}
const char *media_kind(const FrameSource *s)
{
    return s->b.what;
}
const char *media_seek_note(const FrameSource *s)
{
    return s->seek.text;
}
const char *media_seek_fallback(const FrameSource *s)
{
    return s->seek.fallback;
}
unsigned media_frames(const FrameSource *s)
{
    return s->frames;
}
void media_cancel(FrameSource *s)
{
    s->b.ops->cancel(s->b.impl);
}

/* At the clean end: every byte must have reached the verifier, and the check must pass. */
static int verify(FrameSource *s, char *why, size_t n)
{
    if (!s->iv || s->checked) return 0;
    s->checked = 1;
    int r = s->b.io ? url_io_complete(s->b.io, why, n) : 0;
    return r < 0 ? r : integrity_finish(s->iv, why, n);
}

static int done(FrameSource *s, int r, char *why, size_t wn, char *err, size_t n)
{
    if (r == 0) r = verify(s, why, wn);
    if (r < 0) snprintf(err, n, "%s: %s", s->name, why);
    if (r == 1) s->frames++;
    return r;
}

int media_read(FrameSource *s, VmafxPicture *pic, char *err, size_t n)
{
    char why[512] = "";
    return done(s, s->b.ops->read(s->b.impl, pic, s->frames, why, sizeof(why)), why, sizeof(why), err, n);
}

int media_skip(FrameSource *s, char *err, size_t n)
{
    char why[512] = "";
    return done(s, s->b.ops->skip(s->b.impl, s->frames, why, sizeof(why)), why, sizeof(why), err, n);
}
