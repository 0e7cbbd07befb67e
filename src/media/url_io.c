/* See url_io.h. The demuxer or the y4m parser reads an outer AVIOContext whose callbacks
 * read an inner one opened by avio_open2. An inner HTTP connection always starts at a known
 * byte offset (libavformat's "offset" option, i.e. a Range request) and is only read forward,
 * so a resume or a seek is simply a new inner connection at the wanted byte. */
#include <errno.h>
#include <limits.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/vfs.h>

#include <libavutil/dict.h>
#include <libavutil/error.h>
#include <libavutil/mem.h>

#include "libav_api.h"
#include "avlog.h"
#include "base/integrity.h"
#include "io_stats.h"
#include "url_io_impl.h"

#define FUSE_SUPER_MAGIC 0x65735546

static int interrupted(void *opaque)
{
    UrlIo *io = opaque;
    return atomic_load(&io->cancel);
}

static int is_http_url(const char *url)
{
    return !strncasecmp(url, "http://", 7) || !strncasecmp(url, "https://", 8);
}

int url_open_inner(UrlIo *io, int64_t offset)
{
    AVDictionary *o = NULL;
    av_dict_set_int(&o, "rw_timeout", io->stall_us, 0);
    if (io->is_http) {
        av_dict_set_int(&o, "offset", offset, 0);
        av_dict_set(&o, "icy", "0", 0);
        av_dict_set(&o, "user_agent", "vmafx/" VMAFX_VERSION, 0);
        /* libavformat trusts any certificate unless told otherwise; an input is only as
         * trustworthy as the server that sent it */
        av_dict_set(&o, "tls_verify", "1", 0);
        if (io->ca_file) av_dict_set(&o, "ca_file", io->ca_file, 0);
    }
    avlog_clear();
    int r = avio_open2(&io->inner, io->url, AVIO_FLAG_READ, &io->icb, &o);
    av_dict_free(&o);
    return r;
}

void url_delivered(UrlIo *io, const unsigned char *buf, int n)
{
    if (io->iv) integrity_update_at(io->iv, io->pos, buf, (size_t)n);
    io->pos += n;
    if ((size_t)n >= OVERLAP) {
        memcpy(io->tail, buf + n - OVERLAP, OVERLAP);
        io->tail_len = OVERLAP;
        return;
    }
    size_t keep = io->tail_len + (size_t)n > OVERLAP ? OVERLAP - (size_t)n : io->tail_len;
    memmove(io->tail, io->tail + io->tail_len - keep, keep);
    memcpy(io->tail + keep, buf, n);
    io->tail_len = keep + n;
}

static int read_inner(UrlIo *io, unsigned char *buf, int size)
{
    if (atomic_load(&io->cancel)) return AVERROR_EXIT;
    if (io->at_end) return AVERROR_EOF;
    avlog_clear();
    int64_t t0 = io_stats_begin(io->stats);
    int r = avio_read_partial(io->inner, buf, size);
    io_stats_end(io->stats, t0, r);
    if (r > 0) {
        url_delivered(io, buf, r);
        return r;
    }
    if (r == 0 || r == AVERROR_EOF) /* libav's http already reports a short body as EIO */
        return url_premature(io) ? AVERROR(EIO) : AVERROR_EOF;
    return r;
}

static int read_cb(void *opaque, uint8_t *buf, int size)
{
    UrlIo *io = opaque;
    for (;;) {
        if (io->err) return io->err;
        int r = read_inner(io, buf, size);
        if (r > 0 || r == AVERROR_EOF) return r;
        if (!io->resumable || !url_transient(r)) return url_fail(io, r);
        if ((r = url_resume(io, r)) < 0) return r;
    }
}

/* An HTTP seek is a new connection at the target; the old one stays until the new one is
 * up, so a failed seek leaves the transfer where it was. */
static int reopen_at(UrlIo *io, int64_t target)
{
    if (io->size >= 0 && target >= io->size) { /* a Range at the very end is answered 416 */
        avio_closep(&io->inner);
        io->at_end = 1;
        return 0;
    }
    AVIOContext *old = io->inner;
    io->inner = NULL;
    int r = url_open_inner(io, target);
    if (r < 0) {
        io->inner = old;
        return r;
    }
    avio_closep(&old);
    io->at_end = 0;
    return 0;
}

/* A demuxer may try a seek and cope with its failure (e.g. looking for an index at the end of
 * a cut file), so a failed seek is not sticky; the reason is kept for the message should the
 * demuxer give up. */
static int64_t seek_cb(void *opaque, int64_t offset, int whence)
{
    UrlIo *io = opaque;
    if (whence & AVSEEK_SIZE) return io->size >= 0 ? io->size : AVERROR(ENOSYS);
    whence &= ~AVSEEK_FORCE;
    if (io->err) return io->err;
    int64_t target = whence == SEEK_SET                    ? offset
                     : whence == SEEK_CUR                  ? io->pos + offset
                     : whence == SEEK_END && io->size >= 0 ? io->size + offset
                                                           : -1;
    if (target < 0) return AVERROR(EINVAL);
    if (!io->seekable) return AVERROR(ESPIPE);
    int64_t r = io->is_http ? reopen_at(io, target) : avio_seek(io->inner, target, SEEK_SET);
    if (r < 0) {
        char cause[256];
        url_cause_text((int)r, cause, sizeof(cause));
        snprintf(io->seek_why, sizeof(io->seek_why), "seek to byte %lld failed: %s", (long long)target,
                 cause);
        return r;
    }
    io->pos = target;
    io->tail_len = 0;
    return target;
}

static int setup_outer(UrlIo *io)
{
    unsigned char *buf = av_malloc(IO_BUF);
    if (!buf) return AVERROR(ENOMEM);
    io->outer = avio_alloc_context(buf, IO_BUF, 0, io, read_cb, NULL, seek_cb);
    if (!io->outer) {
        av_free(buf);
        return AVERROR(ENOMEM);
    }
    io->outer->seekable = io->seekable ? AVIO_SEEKABLE_NORMAL : 0;
    return 0;
}

/* For the debug-io line: what the inner reads go to ("fuse" for a file on a FUSE mount). */
static const char *via(const char *url, int is_http)
{
    struct statfs fs;
    if (is_http) return "http";
    if (strncmp(url, "file:", 5)) return "url";
    return !statfs(url + 5, &fs) && (unsigned long)fs.f_type == FUSE_SUPER_MAGIC ? "fuse" : "file";
}

int url_io_open(UrlIo **out, const char *url, const char *name, const MediaOptions *opt, char *why, size_t n)
{
    if (libav_load(why, n) < 0) return -ELIBACC;
    avlog_init();
    UrlIo *io = calloc(1, sizeof(*io));
    if (!io || !(io->url = strdup(url)) || !(io->name = strdup(name))) {
        url_io_close(io);
        return -ENOMEM;
    }
    io->is_http = is_http_url(url);
    if (opt->tls_ca_file && !(io->ca_file = strdup(opt->tls_ca_file))) {
        url_io_close(io);
        return -ENOMEM;
    }
    io->stall_us = (int64_t)((opt->stall_timeout > 0 ? opt->stall_timeout : 30) * 1e6);
    io->retries = opt->http_retries;
    io->iv = opt->integrity;
    io->log = opt->log;
    io->log_user = opt->log_user;
    io->icb = (AVIOInterruptCB){ interrupted, io };
    io->size = -1;
    atomic_init(&io->cancel, 0);
    io->stats = io_stats_new(name, via(url, io->is_http));
    int r = url_open_inner(io, 0);
    if (r < 0) {
        char cause[256];
        if (r == AVERROR(ETIMEDOUT))
            snprintf(cause, sizeof(cause), "stalled: no answer for %.3g s (limit: --stall-timeout)",
                     io->stall_us / 1e6);
        else url_cause_text(r, cause, sizeof(cause));
        snprintf(why, n, "cannot open: %s%s", cause,
                 strstr(cause, "certificate") ? " (to trust its CA: --tls-ca-file)" : "");
        url_io_close(io);
        return r;
    }
    int64_t size = avio_size(io->inner);
    io->size = size > 0 ? size : -1;
    io->seekable = (io->inner->seekable & AVIO_SEEKABLE_NORMAL) != 0;
    io->resumable = io->is_http && io->seekable && io->size > 0;
    if ((r = setup_outer(io)) < 0) {
        url_io_close(io);
        return r;
    }
    *out = io;
    return 0;
}

void url_io_close(UrlIo *io)
{
    if (!io) return;
    io_stats_finish(io->stats, 1);
    avio_closep(&io->inner);
    if (io->outer) av_freep(&io->outer->buffer);
    avio_context_free(&io->outer);
    free(io->url);
    free(io->name);
    free(io->ca_file);
    free(io);
}

void url_io_cancel(UrlIo *io)
{
    atomic_store(&io->cancel, 1);
}
AVIOContext *url_io_avio(UrlIo *io)
{
    return io->outer;
}
const AVIOInterruptCB *url_io_interrupt(UrlIo *io)
{
    return &io->icb;
}

int url_io_error(const UrlIo *io, char *why, size_t n)
{
    if (io->err) {
        snprintf(why, n, "%s", io->why);
        return io->err;
    }
    if (io->outer && io->outer->error < 0) {
        char err[128];
        snprintf(why, n, "%s", avlog_strerror(io->outer->error, err, sizeof(err)));
        return io->outer->error;
    }
    return 0;
}

const char *url_io_seek_error(const UrlIo *io)
{
    return io->seek_why;
}

int url_io_complete(UrlIo *io, char *why, size_t n)
{
    if (!io->iv || io->err) return url_io_error(io, why, n);
    /* a size-only check needs the furthest byte, not every byte: what a seek passed over
     * (a chunk starting at its frame) is not fetched for it */
    int64_t from = io->iv->type == HASH_NONE ? io->iv->end : integrity_resume_offset(io->iv);
    if (io->size < 0 || from >= io->size || !io->seekable) return 0;
    int64_t r = seek_cb(io, from, SEEK_SET);
    if (r < 0) {
        snprintf(why, n, "%s", *io->seek_why ? io->seek_why : "cannot seek to verify the rest");
        return (int)r;
    }
    unsigned char *buf = av_malloc(IO_BUF);
    if (!buf) return AVERROR(ENOMEM);
    while ((r = read_cb(io, buf, IO_BUF)) > 0) {}
    av_free(buf);
    if (r != AVERROR_EOF) {
        url_io_error(io, why, n);
        return (int)r;
    }
    return 0;
}

int url_io_peek(UrlIo *io, unsigned char *buf, int n)
{
    int got = avio_read(io->outer, buf, n);
    if (got < 0 && got != AVERROR_EOF) return got;
    if (avio_seek(io->outer, 0, SEEK_SET) < 0) return io->err ? io->err : AVERROR(EIO);
    return got < 0 ? 0 : got;
}

int64_t url_io_tell(UrlIo *io)
{
    return avio_seek(io->outer, 0, SEEK_CUR);
}

int64_t url_io_size(const UrlIo *io)
{
    return io->size;
}

int url_io_seek_to(UrlIo *io, int64_t target, char *why, size_t n)
{
    if (!io->seekable) {
        snprintf(why, n, "the %s does not take range requests", io->is_http ? "server" : "input");
        return -ESPIPE;
    }
    *io->seek_why = 0;
    int64_t r = avio_seek(io->outer, target, SEEK_SET);
    if (r >= 0) return 0;
    snprintf(why, n, "%s", *io->seek_why ? io->seek_why : "the seek failed");
    *io->seek_why = 0; /* the reader goes on from where it was: nothing failed for it */
    return (int)r;
}

int url_io_peek_here(UrlIo *io, unsigned char *buf, int n)
{
    int64_t at = avio_seek(io->outer, 0, SEEK_CUR);
    int got = avio_read(io->outer, buf, n);
    if (got < 0 && got != AVERROR_EOF) return got;
    /* the bytes are in the buffer: going back to them makes no request */
    if (avio_seek(io->outer, at, SEEK_SET) < 0) return io->err ? io->err : AVERROR(EIO);
    return got < 0 ? 0 : got;
}

static int bs_getc(void *h)
{
    unsigned char c;
    return avio_read(((UrlIo *)h)->outer, &c, 1) == 1 ? c : -1;
}

static size_t bs_read(void *h, void *buf, size_t n)
{
    UrlIo *io = h;
    size_t done = 0;
    while (done < n) {
        int want = n - done > INT_MAX / 2 ? INT_MAX / 2 : (int)(n - done);
        int r = avio_read(io->outer, (unsigned char *)buf + done, want);
        if (r <= 0) break;
        done += (size_t)r;
    }
    return done;
}

static int bs_status(void *h, char *why, size_t n)
{
    return url_io_error(h, why, n);
}

void url_io_bytestream(UrlIo *io, ByteStream *bs)
{
    *bs = (ByteStream){ bs_getc, bs_read, bs_status, io };
}
