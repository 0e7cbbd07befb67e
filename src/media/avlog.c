/* libav* logs through one process-wide callback without a user pointer. Printing its lines
 * would break the "one error line" rule of the CLI, and dropping them loses the detail that
 * explains a failure ("Stream ends prematurely at 33592320, should be 83980800"). So the hook
 * keeps the last warning- or error-level line of each thread, with secrets removed: every
 * input decodes in its own thread, so that line belongs to the input whose error is being
 * reported. VMAFX_LIBAV_LOG=1 also passes everything, unfiltered, to libav's default printer,
 * for debugging. */
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libavutil/error.h>
#include <libavutil/log.h>

#include "libav_api.h"
#include "avlog.h"
#include "base/redact.h"

static _Thread_local char last_line[256];
static _Thread_local char damage_line[256];

/* Demuxers that meet a cut-short input log one of these and then report a clean end (or a
 * partial packet): the run must fail instead of scoring fewer frames. */
static const char *const damage_marks[] = {
    "File ended prematurely",      /* matroska / webm: an element runs past the end */
    "partial file",                /* mov / mp4: a sample lies beyond the end */
    "Stream ends prematurely",     /* http: fewer bytes than Content-Length */
};
static pthread_once_t once = PTHREAD_ONCE_INIT;
static int passthrough;   /* written once under pthread_once, then only read */

static void strip_newline(char *s)
{
    size_t n = strlen(s);
    while (n && (s[n - 1] == '\n' || s[n - 1] == '\r')) s[--n] = 0;
}

static void hook(void *avcl, int level, const char *fmt, va_list ap)
{
    if (passthrough) {
        va_list copy;
        va_copy(copy, ap);
        av_log_default_callback(avcl, level, fmt, copy);
        va_end(copy);
    }
    if (level > AV_LOG_WARNING) return;
    char line[sizeof(last_line)];
    vsnprintf(line, sizeof(line), fmt, ap);
    strip_newline(line);
    if (!*line) return;
    redact_copy(last_line, sizeof(last_line), line);   /* it may end up in a job's report */
    for (size_t i = 0; i < sizeof(damage_marks) / sizeof(damage_marks[0]); i++)
        if (!*damage_line && strstr(line, damage_marks[i]))
            memcpy(damage_line, last_line, sizeof(last_line));
}

static void install(void)
{
    const char *e = getenv("VMAFX_LIBAV_LOG");
    passthrough = e && *e && strcmp(e, "0");
    av_log_set_callback(hook);
}

void avlog_init(void) { pthread_once(&once, install); }
void avlog_clear(void) { last_line[0] = 0; }
void avlog_damage_reset(void) { damage_line[0] = 0; }
const char *avlog_last(void) { return last_line; }
const char *avlog_damage(void) { return *damage_line ? damage_line : NULL; }

const char *avlog_strerror(int code, char *buf, size_t n)
{
    if (av_strerror(code, buf, n) < 0) snprintf(buf, n, "error %d", code);
    return buf;
}
