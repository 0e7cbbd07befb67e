/* Checks of raw .yuv input before it is read. Raw yuv has no header: its geometry comes from
 * flags, and a wrong one used to show only as "the file is cut short" at some frame deep into
 * the file (blaming the file), or, when the size happened to fit, as a score of the wrong
 * pixels without a word. A local file's size is known at open, so a size that is no multiple
 * of the frame is refused at once, with the numbers; and where the size fits both 8-bit and
 * 16-bit samples, the first frame's bytes are looked at for the other bit depth. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bytestream.h"
#include "source_impl.h"

#define SAMPLE_MAX (4u << 20) /* bytes looked at: enough for any picture's statistics */

static const char *fmt_name(enum VmafxPixelFormat f)
{
    return f == VMAFX_PIX_FMT_YUV420P ? "4:2:0" : f == VMAFX_PIX_FMT_YUV422P ? "4:2:2" : "4:4:4";
}

/* 86400000 as "86,400,000". */
static void grouped(char *out, size_t n, unsigned long long x)
{
    char digits[32];
    int len = snprintf(digits, sizeof(digits), "%llu", x);
    size_t k = 0;
    for (int i = 0; i < len && k + 2 < n; i++) {
        if (i && (len - i) % 3 == 0) out[k++] = ',';
        out[k++] = digits[i];
    }
    out[k] = 0;
}

static void warn(const MediaOptions *opt, const char *name, const char *what)
{
    if (!opt->log) return;
    char msg[640];
    snprintf(msg, sizeof(msg), "%s: %s", name, what);
    opt->log(opt->log_user, msg);
}

/* Read as 16-bit little-endian words, 8-bit data has values far above a 10- or 12-bit
 * maximum (any byte of 4 or more in the high half). */
static void check_wide(const unsigned char *b, size_t len, const MediaGeometry *g, const MediaOptions *opt,
                       const char *name)
{
    unsigned max = (1u << g->bpc) - 1, top = 0;
    for (size_t i = 0; i + 1 < len; i += 2) {
        unsigned v = b[i] | (unsigned)b[i + 1] << 8;
        if (v > top) top = v;
    }
    if (top <= max) return;
    char msg[320];
    snprintf(msg, sizeof(msg),
             "read as %u-bit, the first frame has values up to %u (above %u): the file looks "
             "8-bit (-b 8 / bitdepth 8?)",
             g->bpc, top, max);
    warn(opt, name, msg);
}

/* Read as bytes, 10- or 12-bit little-endian data has every second byte at most 3 (15),
 * while the others span the range; 8-bit pictures are not like that (a dark one has both
 * small). */
static void check_narrow(const unsigned char *b, size_t len, const MediaOptions *opt, const char *name)
{
    unsigned odd = 0, even = 0;
    for (size_t i = 0; i + 1 < len; i += 2) {
        if (b[i] > even) even = b[i];
        if (b[i + 1] > odd) odd = b[i + 1];
    }
    if (odd > 15 || even <= 15) return;
    char msg[320];
    snprintf(msg, sizeof(msg),
             "read as 8-bit, every second byte of the first frame is at most %u, as in %u-bit "
             "little-endian samples: the file looks %u-bit (-b %u / bitdepth %u?)",
             odd, odd <= 3 ? 10 : 12, odd <= 3 ? 10 : 12, odd <= 3 ? 10 : 12, odd <= 3 ? 10 : 12);
    warn(opt, name, msg);
}

static void check_depth(FdStream *f, int64_t size, size_t frame, const MediaOptions *opt, const char *name)
{
    const MediaGeometry *g = &opt->raw;
    size_t f8 = vmafx_picture_frame_bytes(g->fmt, 8, g->w, g->h);
    int fits_both = g->bpc == 8 ? size % (int64_t)(2 * f8) == 0 : g->bpc < 16 && size % (int64_t)f8 == 0;
    if (!fits_both || !size) return;
    size_t len = frame < SAMPLE_MAX ? frame : SAMPLE_MAX;
    unsigned char *b = malloc(len);
    if (!b) return;
    if (fd_stream_pread(f, b, len, 0) == (ssize_t)len) {
        if (g->bpc == 8) check_narrow(b, len, opt, name);
        else check_wide(b, len, g, opt, name);
    }
    free(b);
}

int raw_check(FdStream *f, const MediaOptions *opt, const char *name, char *why, size_t n)
{
    const MediaGeometry *g = &opt->raw;
    int64_t size = fd_stream_remaining(f);
    size_t frame = g->w && g->h && g->fmt ? vmafx_picture_frame_bytes(g->fmt, g->bpc, g->w, g->h) : 0;
    if (size < 0 || !frame) return 0; /* a pipe; or no geometry, which the parser reports */
    if (size % (int64_t)frame) {
        char sz[40], fb[40];
        grouped(sz, sizeof(sz), (unsigned long long)size);
        grouped(fb, sizeof(fb), frame);
        snprintf(why, n,
                 "size %s is not a multiple of the %s-byte frame of %ux%u %s %u-bit: wrong -w/-h/-p/-b?", sz,
                 fb, g->w, g->h, fmt_name(g->fmt), g->bpc);
        return -EINVAL;
    }
    check_depth(f, size, frame, opt, name);
    return 0;
}
