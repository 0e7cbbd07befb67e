/* Resuming a cut transfer: only where it is safe (url_io sets resumable when the server
 * announced the length and takes range requests), a bounded number of times, with backoff,
 * logged, and only after proving the new connection restarted at the asked byte. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <libavutil/error.h>

#include "libav_api.h"
#include "url_io_impl.h"

/* Failures a new connection may cure; a stall is not one of them (it already cost
 * --stall-timeout seconds, and the storage layer has its own retries). */
int url_transient(int code)
{
    return code == AVERROR(EIO) || code == AVERROR(ECONNRESET) || code == AVERROR(EPIPE) ||
           code == AVERROR(ECONNREFUSED) || code == AVERROR(ECONNABORTED) || code == AVERROR(ENETUNREACH) ||
           code == AVERROR(EHOSTUNREACH) || code == AVERROR_HTTP_SERVER_ERROR;
}

static int sleep_ms(UrlIo *io, unsigned ms)
{
    for (unsigned t = 0; t < ms; t += 20) {
        if (atomic_load(&io->cancel)) return -1;
        nanosleep(&(struct timespec){ 0, 20 * 1000000L }, NULL);
    }
    return 0;
}

static void log_retry(UrlIo *io, int cause, unsigned ms)
{
    if (!io->log) return;
    char what[256], msg[600];
    if (cause == AVERROR(EIO) && url_premature(io))
        snprintf(what, sizeof(what), "connection closed after %lld of %lld bytes", (long long)io->pos,
                 (long long)io->size);
    else url_cause_text(cause, what, sizeof(what));
    snprintf(msg, sizeof(msg),
             "%s: %s; resuming at byte %lld with a range request in %.2f s "
             "(retry %u of %u)",
             io->name, what, (long long)io->pos, ms / 1000.0, io->total, io->retries);
    io->log(io->log_user, msg);
}

static int read_exactly(AVIOContext *pb, unsigned char *buf, int n)
{
    int got = 0;
    while (got < n) {
        int r = avio_read(pb, buf + got, n - got);
        if (r <= 0) return r < 0 && r != AVERROR_EOF ? r : AVERROR(EIO);
        got += r;
    }
    return 0;
}

/* A resumed connection must be the same resource, restarted at the asked byte: a server
 * that ignores Range would answer from byte 0 and the bytes would silently shift. */
static int check_resumed(UrlIo *io)
{
    int64_t size = avio_size(io->inner);
    if (size != io->size) {
        char msg[200];
        snprintf(msg, sizeof(msg), "the resource changed size during the transfer (%lld, now %lld)",
                 (long long)io->size, (long long)size);
        return url_fail_msg(io, AVERROR(EINVAL), msg);
    }
    unsigned char again[OVERLAP];
    int r = read_exactly(io->inner, again, (int)io->tail_len);
    if (r < 0) return r;
    if (memcmp(again, io->tail, io->tail_len))
        return url_fail_msg(io, AVERROR(EINVAL),
                            "the server did not resume the transfer at the asked "
                            "byte (the overlapping bytes differ)");
    return 0;
}

int url_resume(UrlIo *io, int cause)
{
    for (;;) {
        if (io->total >= io->retries) return url_fail(io, cause);
        io->total++;
        unsigned ms = BACKOFF_FIRST_MS << (io->total - 1);
        if (ms > BACKOFF_MAX_MS) ms = BACKOFF_MAX_MS;
        log_retry(io, cause, ms);
        if (sleep_ms(io, ms)) return url_fail(io, AVERROR_EXIT);
        avio_closep(&io->inner);
        int r = url_open_inner(io, io->pos - (int64_t)io->tail_len);
        if (r >= 0) r = check_resumed(io);
        if (r >= 0) return 0;
        if (io->err) return io->err;
        if (!url_transient(r)) return url_fail(io, r);
        cause = r;
    }
}
