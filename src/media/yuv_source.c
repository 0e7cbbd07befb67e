/* y4m and raw planar yuv over a ByteStream: a file descriptor for local files and standard
 * input (the fast path: a whole frame read straight into the picture), libavformat protocols
 * for URLs. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>

#include "bytestream.h"
#include "source_impl.h"
#include "url_io.h"
#include "y4m.h"

typedef struct YuvSource {
    ByteStream bs;
    FdStream *f;
    UrlIo *io;
    int is_y4m;
    int luma_only; /* MediaOptions.luma_only, where the stream can pass over bytes */
    MediaGeometry geo;
    size_t frame_bytes;
    unsigned char *skipbuf;
    struct iovec *iov;     /* where a frame's bytes go: a plane, or a row of a padded one */
    int iov_cap, luma_iov; /* iov[0..luma_iov) is the Y plane */
} YuvSource;

enum { SKIP_CHUNK = 1 << 20 };
/* What follows a y4m frame: "FRAME\n", read with the frame's samples (see fd_stream_readv) */
enum { Y4M_FRAME_LINE = 6 };

/* A short read: the stream's own error if it has one, else the input ended mid-frame. */
static int short_read(YuvSource *s, unsigned index, size_t got, char *why, size_t n)
{
    char reason[320];
    if (s->bs.status(s->bs.h, reason, sizeof(reason)) < 0) {
        snprintf(why, n, "frame %u: %s", index, reason);
        return -EIO;
    }
    snprintf(why, n, "truncated frame %u (%zu of %zu bytes): the %s is cut short", index, got, s->frame_bytes,
             s->io ? "stream" : "file");
    return -EIO;
}

/* 1 = a frame follows, 0 = clean end, <0 = error. Raw yuv has no frame marker: its end is
 * found by the first read of the frame coming back empty (see yuv_read, read_bytes). */
static int frame_start(YuvSource *s, unsigned index, char *why, size_t n)
{
    if (!s->is_y4m) return 1;
    char reason[160], stream_err[320];
    int r = y4m_read_frame_header(&s->bs, reason, sizeof(reason));
    if (r == 1) return 1;
    /* an end of stream may hide a failed read (e.g. fewer bytes than the server announced) */
    int e = s->bs.status(s->bs.h, stream_err, sizeof(stream_err));
    if (e < 0) {
        snprintf(why, n, "frame %u: %s", index, stream_err);
        return e;
    }
    if (r < 0) snprintf(why, n, "frame %u: %s", index, reason);
    return r;
}

/* Reads len bytes at offset done of the frame; 0 = all read, 1 = clean end before the
 * frame's first byte (raw yuv), <0 = error. */
static int read_bytes(YuvSource *s, void *dst, size_t len, size_t done, unsigned index, char *why, size_t n)
{
    size_t k = s->bs.read(s->bs.h, dst, len);
    if (k == len) return 0;
    if (k == 0 && done == 0 && !s->is_y4m) {
        char reason[320];
        if (s->bs.status(s->bs.h, reason, sizeof(reason)) == 0) return 1;
    }
    return short_read(s, index, done + k, why, n);
}

/* Bytes of a local file read between checks of 9- to 15-bit samples (samples_check): few
 * enough that the check finds them still in the core's L2 cache, where a whole 1080p frame
 * read at once would not be. Elsewhere (FUSE, a pipe, a URL) a read may be a round trip, so a
 * frame is read as before and checked after. */
enum { CHECK_CHUNK = 128 << 10 };

static int checked_depth(const YuvSource *s)
{
    return s->geo.bpc > 8 && s->geo.bpc < 16;
}

static size_t check_chunk(const YuvSource *s)
{
    return checked_depth(s) && s->f && fd_stream_is_local(s->f) ? CHECK_CHUNK : SIZE_MAX;
}

/* The picture's planes as iovecs in file order: one per plane, or one per row where the
 * picture pads its rows; planes of checked samples in pieces of at most CHECK_CHUNK bytes. */
static int frame_iov(YuvSource *s, const VmafxPicture *pic)
{
    size_t bps = s->geo.bpc > 8 ? 2 : 1, piece = check_chunk(s);
    int need = 0, cnt = 0;
    for (int p = 0; p < 3; p++) {
        size_t row = pic->w[p] * bps, plane = row * pic->h[p];
        need += (size_t)pic->stride[p] == row ? (int)(1 + (plane - 1) / piece) : (int)pic->h[p];
    }
    if (need > s->iov_cap) {
        struct iovec *v = realloc(s->iov, (size_t)need * sizeof(*v));
        if (!v) return -ENOMEM;
        s->iov = v;
        s->iov_cap = need;
    }
    for (int p = 0; p < 3; p++) {
        size_t row = pic->w[p] * bps;
        if ((size_t)pic->stride[p] == row) {
            char *at = pic->data[p];
            for (size_t left = row * pic->h[p], k; left; left -= k, at += k)
                s->iov[cnt++] = (struct iovec){ at, k = left < piece ? left : piece };
        } else {
            for (unsigned y = 0; y < pic->h[p]; y++)
                s->iov[cnt++] = (struct iovec){ (char *)pic->data[p] + y * pic->stride[p], row };
        }
        if (!p) s->luma_iov = cnt;
    }
    return cnt;
}

/* A local file or pipe: the iovecs in one readv(2) (a padded picture of over a thousand
 * rows: a few), with `ahead` bytes of read-ahead (see fd_stream_readv). A URL: one read per
 * iovec. */
static size_t read_iov(YuvSource *s, const struct iovec *iov, int cnt, size_t ahead)
{
    if (s->f) return fd_stream_readv(s->f, iov, cnt, ahead);
    size_t done = 0;
    for (int i = 0; i < cnt; i++) {
        size_t k = s->bs.read(s->bs.h, iov[i].iov_base, iov[i].iov_len);
        done += k;
        if (k < iov[i].iov_len) break;
    }
    return done;
}

static size_t iov_bytes(const struct iovec *iov, int cnt)
{
    size_t sum = 0;
    for (int i = 0; i < cnt; i++) sum += iov[i].iov_len;
    return sum;
}

/* Where a frame is read: its picture, its number, and the first sample refused (-EINVAL in
 * bad, the reason in why). */
typedef struct FrameRead {
    const VmafxPicture *pic;
    unsigned index;
    int bad;
    char *why;
    size_t n;
} FrameRead;

/* Reads iov[0..cnt) as read_iov does; checked samples in groups of at most check_chunk()
 * bytes, each looked at straight after its read. Returns the bytes read: short at the end of
 * the input, or where a group held a sample above the depth (fr->bad). */
static size_t read_part(YuvSource *s, FrameRead *fr, const struct iovec *iov, int cnt, size_t ahead)
{
    if (!checked_depth(s)) return read_iov(s, iov, cnt, ahead);
    size_t done = 0, chunk = check_chunk(s);
    for (int i = 0, k; i < cnt; i = k) {
        size_t want = iov[i].iov_len;
        for (k = i + 1; k < cnt && want + iov[k].iov_len <= chunk; k++) want += iov[k].iov_len;
        size_t got = read_iov(s, iov + i, k - i, k == cnt ? ahead : 0);
        done += got;
        if (got < want) break;
        for (int j = i; j < k && !fr->bad; j++)
            fr->bad = samples_check(fr->pic, iov[j].iov_base, iov[j].iov_len, fr->index, fr->why, fr->n);
        if (fr->bad) break;
    }
    return done;
}

/* luma_only: the Y plane, then a seek over U and V (copying them from the page cache is a
 * third of a 4:2:0 frame's read cost); where the seek cannot be made (a file cut short) the
 * rest is read as usual, which then says what is missing. */
static size_t read_luma(YuvSource *s, FrameRead *fr, int cnt)
{
    /* no read-ahead: what follows is U, not the next "FRAME" line */
    size_t luma = iov_bytes(s->iov, s->luma_iov), got = read_part(s, fr, s->iov, s->luma_iov, 0);
    if (got < luma) return got;
    const struct iovec *rest = s->iov + s->luma_iov;
    size_t chroma = iov_bytes(rest, cnt - s->luma_iov), ahead = s->is_y4m ? Y4M_FRAME_LINE : 0;
    if (!fd_stream_pass_over(s->f, (int64_t)chroma, ahead)) return luma + chroma;
    return got + read_part(s, fr, rest, cnt - s->luma_iov, ahead);
}

static int yuv_read(void *impl, VmafxPicture *pic, unsigned index, char *why, size_t n)
{
    YuvSource *s = impl;
    int r = frame_start(s, index, why, n);
    if (r <= 0) return r;
    int cnt = frame_iov(s, pic);
    if (cnt < 0) return cnt;
    size_t want = iov_bytes(s->iov, cnt);
    FrameRead fr = { pic, index, 0, why, n };
    size_t got = s->luma_only ? read_luma(s, &fr, cnt)
                              : read_part(s, &fr, s->iov, cnt, s->is_y4m ? Y4M_FRAME_LINE : 0);
    if (fr.bad) return fr.bad;
    if (got == want) return 1;
    char reason[320];
    if (got == 0 && !s->is_y4m && s->bs.status(s->bs.h, reason, sizeof(reason)) == 0) return 0;
    return short_read(s, index, got, why, n);
}

static int yuv_skip(void *impl, unsigned index, char *why, size_t n)
{
    YuvSource *s = impl;
    int r = frame_start(s, index, why, n);
    if (r <= 0) return r;
    if (s->f && !fd_stream_seek_forward(s->f, (int64_t)s->frame_bytes)) return 1; /* a local file */
    if (!s->skipbuf && !(s->skipbuf = malloc(SKIP_CHUNK))) return -ENOMEM;
    for (size_t done = 0; done < s->frame_bytes;) {
        size_t chunk = s->frame_bytes - done < SKIP_CHUNK ? s->frame_bytes - done : SKIP_CHUNK;
        r = read_bytes(s, s->skipbuf, chunk, done, index, why, n);
        if (r) return r > 0 ? 0 : r;
        done += chunk;
    }
    return 1;
}

/* Behind a URL: one range request to the first frame wanted instead of reading every byte
 * before it. A y4m frame is "FRAME\n" and its samples only when no frame has parameters,
 * so the seek needs the stream's length to be whole frames of that size and "FRAME\n" at
 * the computed byte; anything else (and a server that does not take range requests) reads
 * forward. Local files seek frame by frame in skip(). */
static int yuv_seek(void *impl, unsigned frames, SeekNote *note, char *why, size_t n)
{
    YuvSource *s = impl;
    if (!s->io) return 0;
    int64_t start = url_io_tell(s->io), size = url_io_size(s->io);
    int64_t per = (int64_t)s->frame_bytes + (s->is_y4m ? 6 : 0);
    int64_t target = start + (int64_t)frames * per;
    char reason[400] = "";
    if (start < 0 || size < 0) snprintf(reason, sizeof(reason), "the server did not announce the length");
    else if (s->is_y4m && (size - start) % per)
        snprintf(reason, sizeof(reason), "the frames are not all of one size (frame parameters?)");
    else if (target >= size) snprintf(reason, sizeof(reason), "the input ends before that frame");
    else if (url_io_seek_to(s->io, target, reason, sizeof(reason)) == 0) {
        unsigned char mark[6];
        if (!s->is_y4m || (url_io_peek_here(s->io, mark, 6) == 6 && !memcmp(mark, "FRAME\n", 6))) {
            snprintf(note->text, sizeof(note->text), "seeked to frame %u at byte %lld (range request)",
                     frames, (long long)target);
            return (int)frames;
        }
        if (url_io_seek_to(s->io, start, reason, sizeof(reason)) < 0) {
            snprintf(why, n, "lost the y4m framing at byte %lld and could not go back: %s", (long long)target,
                     reason);
            return -EIO;
        }
        snprintf(reason, sizeof(reason), "no \"FRAME\" marker at byte %lld", (long long)target);
    }
    snprintf(note->text, sizeof(note->text), "read %u frames forward: %s", frames, reason);
    snprintf(note->fallback, sizeof(note->fallback), "%s", reason);
    return 0;
}

static void yuv_cancel(void *impl)
{
    YuvSource *s = impl;
    if (s->io) url_io_cancel(s->io);
}

static void yuv_close(void *impl)
{
    YuvSource *s = impl;
    fd_stream_close(s->f);
    url_io_close(s->io);
    free(s->skipbuf);
    free(s->iov);
    free(s);
}

static const SourceOps yuv_ops = { yuv_read, yuv_skip, yuv_seek, yuv_cancel, yuv_close };

static int read_geometry(YuvSource *s, const MediaOptions *opt, char *why, size_t n)
{
    if (s->is_y4m) {
        char reason[200];
        int r = y4m_read_header(&s->bs, &s->geo, reason, sizeof(reason));
        char stream_err[320];
        if (r && s->bs.status(s->bs.h, stream_err, sizeof(stream_err)) < 0)
            snprintf(why, n, "%s", stream_err);
        else if (r) snprintf(why, n, "%s", reason);
        return r;
    }
    if (!opt->raw.w || !opt->raw.h || !opt->raw.bpc || !opt->raw.fmt) {
        snprintf(why, n,
                 "not a .y4m file, and raw .yuv input needs --width, --height, "
                 "--pixel_format and --bitdepth");
        return -EINVAL;
    }
    s->geo = opt->raw;
    return 0;
}

/* Frames a local file holds, from its size (a y4m frame adds its "FRAME\n" line); 0 when
 * not a regular file. Only for the progress line: reading still decides. */
static unsigned frames_in_file(const YuvSource *s)
{
    int64_t left = s->f ? fd_stream_remaining(s->f) : -1;
    size_t per = s->frame_bytes + (s->is_y4m ? 6 : 0);
    return left > 0 ? (unsigned)((size_t)left / per) : 0;
}

int yuv_source_open(SourceBackend *b, FdStream *f, UrlIo *io, int is_y4m, const MediaOptions *opt, char *why,
                    size_t n)
{
    YuvSource *s = calloc(1, sizeof(*s));
    if (!s) {
        fd_stream_close(f);
        url_io_close(io);
        return -ENOMEM;
    }
    *s = (YuvSource){
        .f = f, .io = io, .is_y4m = is_y4m, .luma_only = opt->luma_only && f && fd_stream_can_pass_over(f)
    };
    if (io) url_io_bytestream(io, &s->bs);
    else fd_stream_bytestream(f, &s->bs);
    int r = read_geometry(s, opt, why, n);
    if (!r) {
        s->frame_bytes = vmafx_picture_frame_bytes(s->geo.fmt, s->geo.bpc, s->geo.w, s->geo.h);
        if (!s->frame_bytes) {
            snprintf(why, n, "unsupported %s geometry or bit depth", is_y4m ? "y4m" : "raw");
            r = -EINVAL;
        }
    }
    if (r) {
        yuv_close(s);
        return r;
    }
    *b = (SourceBackend){ &yuv_ops, s, s->geo, is_y4m ? "y4m" : "raw yuv", io, frames_in_file(s) };
    return 0;
}
