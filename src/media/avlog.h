/* libav* diagnostics: kept out of the terminal, remembered for error messages: per input
 * where libav says which context logs (AvlogSink), else per thread. */
#ifndef VMAFX_MEDIA_AVLOG_H
#define VMAFX_MEDIA_AVLOG_H

#include <pthread.h>
#include <stddef.h>

/* One input's lines. A decoder logs from its own worker threads (frame and slice threads),
 * and the input is opened on one thread and read on another, so a thread-local line would
 * miss them: the lines of the contexts a sink is attached to (avlog_attach) go to the sink,
 * whatever thread logs them. */
typedef struct AvlogSink {
    unsigned magic;
    pthread_mutex_t lock;
    char last[256];
    char damage[256];
} AvlogSink;

void avlog_sink_init(AvlogSink *k);
void avlog_sink_destroy(AvlogSink *k);
/* ctx: an AVFormatContext or AVCodecContext whose opaque the caller leaves to the sink
 * (frame-thread copies of a codec context keep it). */
void avlog_attach(void *ctx, AvlogSink *k);
/* Forgets the sink's and the calling thread's last line. */
void avlog_sink_clear(AvlogSink *k);
/* The sink's last line since avlog_sink_clear, else the calling thread's (copied into
 * buf); "" if none. */
const char *avlog_sink_last(AvlogSink *k, char *buf, size_t n);
/* As avlog_damage, for the sink or the calling thread; NULL if none. */
const char *avlog_sink_damage(AvlogSink *k, char *buf, size_t n);
void avlog_sink_damage_reset(AvlogSink *k);

/* Installs the log hook once per process (idempotent, thread-safe). */
void avlog_init(void);
/* Forgets the calling thread's last libav error line. */
void avlog_clear(void);
/* The calling thread's last libav message of warning or error level, "" if none. */
const char *avlog_last(void);
/* The first line since avlog_damage_reset() in which a demuxer says the input is cut short or
 * damaged while carrying on as if it had simply ended ("File ended prematurely"), or NULL. */
const char *avlog_damage(void);
void avlog_damage_reset(void);
/* Text of a libav error code ("Input/output error"). */
const char *avlog_strerror(int code, char *buf, size_t n);

#endif
