/* How a failed transfer is described: in terms the user can act on (a stall and its limit,
 * the bytes that arrived of those announced, what the retry policy did), with libav's own
 * detail line where it says more than the error code. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <libavutil/error.h>

#include "libav_api.h"
#include "avlog.h"
#include "url_io_impl.h"

/* The cause of a failure in words: libav's own line when it says more than the code. */
void url_cause_text(int code, char *buf, size_t n)
{
    char err[128];
    const char *detail = avlog_last();
    if (code == AVERROR_HTTP_NOT_FOUND || code == AVERROR_HTTP_FORBIDDEN ||
        code == AVERROR_HTTP_UNAUTHORIZED || code == AVERROR_HTTP_BAD_REQUEST ||
        code == AVERROR_HTTP_OTHER_4XX || code == AVERROR_HTTP_SERVER_ERROR) {
        if (!strncmp(detail, "HTTP error ", 11)) snprintf(buf, n, "%s", detail);
        else snprintf(buf, n, "%s", avlog_strerror(code, err, sizeof(err)));
        return;
    }
    avlog_strerror(code, err, sizeof(err));
    if (*detail && !strstr(detail, err)) snprintf(buf, n, "%s (%s)", err, detail);
    else snprintf(buf, n, "%s", err);
}

int url_premature(const UrlIo *io)
{
    return io->size > 0 && io->pos < io->size;
}

int url_fail_msg(UrlIo *io, int code, const char *msg)
{
    io->err = code;
    snprintf(io->why, sizeof(io->why), "%s", msg);
    return code;
}

/* What the retry policy did about a failure, for the end of its message. */
static void retry_note(const UrlIo *io, int code, char *buf, size_t n)
{
    if (io->total)
        snprintf(buf, n, " (gave up after %u %s)", io->total, io->total == 1 ? "retry" : "retries");
    else if (io->is_http && !io->resumable && url_transient(code))
        snprintf(buf, n, " (not retried: the server takes no range requests)");
    else *buf = 0;
}

/* Records why the transfer failed, in terms of what the user can act on. */
int url_fail(UrlIo *io, int code)
{
    char msg[400], cause[256], note[80];
    retry_note(io, code, note, sizeof(note));
    if (code == AVERROR(ETIMEDOUT)) {
        snprintf(msg, sizeof(msg), "stalled: no data for %.3g s at byte %lld (limit: --stall-timeout)",
                 io->stall_us / 1e6, (long long)io->pos);
    } else if (code == AVERROR_EXIT) {
        snprintf(msg, sizeof(msg), "cancelled");
    } else if (code == AVERROR(EIO) && url_premature(io)) {
        snprintf(msg, sizeof(msg), "connection closed after %lld of %lld bytes%s", (long long)io->pos,
                 (long long)io->size, note);
    } else if (code == AVERROR(EPERM) && io->total) {
        /* libav's http refuses a 200 answer to a Range request with this code */
        snprintf(msg, sizeof(msg),
                 "cut at byte %lld, and the server ignored the range request "
                 "to resume it (answered from the start)",
                 (long long)io->pos);
    } else {
        url_cause_text(code, cause, sizeof(cause));
        snprintf(msg, sizeof(msg), "read failed at byte %lld: %s%s", (long long)io->pos, cause, note);
    }
    return url_fail_msg(io, code, msg);
}
