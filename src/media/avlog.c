/* libav* logs through one process-wide callback without a user pointer. Printing its lines
 * would break the "one error line" rule of the CLI, and dropping them loses the detail that
 * explains a failure ("Stream ends prematurely at 33592320, should be 83980800"). So the hook
 * keeps the last warning- or error-level line, with secrets removed: in the input's sink when
 * the logging context is a format or codec context with a sink attached (its decoder's
 * worker threads log there too), and always in the logging thread's own slot (url_io's
 * lines come from the thread that demuxes). VMAFX_LIBAV_LOG=1 also passes everything,
 * unfiltered, to libav's default printer, for debugging. */
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
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
    "File ended prematurely",  /* matroska / webm: an element runs past the end */
    "partial file",            /* mov / mp4: a sample lies beyond the end */
    "Stream ends prematurely", /* http: fewer bytes than Content-Length */
};
static pthread_once_t once = PTHREAD_ONCE_INIT;
static int passthrough; /* written once under pthread_once, then only read */

static void strip_newline(char *s)
{
    size_t n = strlen(s);
    while (n && (s[n - 1] == '\n' || s[n - 1] == '\r')) s[--n] = 0;
}

#define SINK_MAGIC 0x61766c6fu /* "avlo" */

/* The sink attached to the logging context, or NULL. */
static AvlogSink *sink_of(void *avcl)
{
    const AVClass *cls = avcl ? *(const AVClass **)avcl : NULL;
    void *opaque = NULL;
    if (cls && !strcmp(cls->class_name, "AVFormatContext")) opaque = ((AVFormatContext *)avcl)->opaque;
    else if (cls && !strcmp(cls->class_name, "AVCodecContext")) opaque = ((AVCodecContext *)avcl)->opaque;
    AvlogSink *k = opaque;
    return k && k->magic == SINK_MAGIC ? k : NULL;
}

static int is_damage(const char *line)
{
    for (size_t i = 0; i < sizeof(damage_marks) / sizeof(damage_marks[0]); i++)
        if (strstr(line, damage_marks[i])) return 1;
    return 0;
}

static void keep(char *last, char *damage, const char *redacted, size_t cap)
{
    snprintf(last, cap, "%s", redacted);
    if (!*damage && is_damage(redacted)) snprintf(damage, cap, "%s", redacted);
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
    char clean[sizeof(last_line)];
    redact_copy(clean, sizeof(clean), line); /* it may end up in a job's report */
    keep(last_line, damage_line, clean, sizeof(last_line));
    AvlogSink *k = sink_of(avcl);
    if (!k) return;
    pthread_mutex_lock(&k->lock);
    keep(k->last, k->damage, clean, sizeof(k->last));
    pthread_mutex_unlock(&k->lock);
}

static void install(void)
{
    const char *e = getenv("VMAFX_LIBAV_LOG");
    passthrough = e && *e && strcmp(e, "0");
    av_log_set_callback(hook);
}

void avlog_init(void)
{
    pthread_once(&once, install);
}
void avlog_clear(void)
{
    last_line[0] = 0;
}
void avlog_damage_reset(void)
{
    damage_line[0] = 0;
}
const char *avlog_last(void)
{
    return last_line;
}
const char *avlog_damage(void)
{
    return *damage_line ? damage_line : NULL;
}

void avlog_sink_init(AvlogSink *k)
{
    memset(k, 0, sizeof(*k));
    k->magic = SINK_MAGIC;
    pthread_mutex_init(&k->lock, NULL);
}

void avlog_sink_destroy(AvlogSink *k)
{
    k->magic = 0;
    pthread_mutex_destroy(&k->lock);
}

void avlog_attach(void *ctx, AvlogSink *k)
{
    const AVClass *cls = *(const AVClass **)ctx;
    if (!strcmp(cls->class_name, "AVFormatContext")) ((AVFormatContext *)ctx)->opaque = k;
    else if (!strcmp(cls->class_name, "AVCodecContext")) ((AVCodecContext *)ctx)->opaque = k;
}

void avlog_sink_clear(AvlogSink *k)
{
    avlog_clear();
    pthread_mutex_lock(&k->lock);
    k->last[0] = 0;
    pthread_mutex_unlock(&k->lock);
}

/* The calling thread logs for this input too (its I/O layer, whose context has no sink);
 * a line of either kind since the last clear explains the failure at hand. */
const char *avlog_sink_last(AvlogSink *k, char *buf, size_t n)
{
    pthread_mutex_lock(&k->lock);
    snprintf(buf, n, "%s", *k->last ? k->last : last_line);
    pthread_mutex_unlock(&k->lock);
    return buf;
}

const char *avlog_sink_damage(AvlogSink *k, char *buf, size_t n)
{
    pthread_mutex_lock(&k->lock);
    snprintf(buf, n, "%s", *k->damage ? k->damage : damage_line);
    pthread_mutex_unlock(&k->lock);
    return *buf ? buf : NULL;
}

void avlog_sink_damage_reset(AvlogSink *k)
{
    avlog_damage_reset();
    pthread_mutex_lock(&k->lock);
    k->damage[0] = 0;
    pthread_mutex_unlock(&k->lock);
}

const char *avlog_strerror(int code, char *buf, size_t n)
{
    if (av_strerror(code, buf, n) < 0) snprintf(buf, n, "error %d", code);
    return buf;
}
