/* The controller's job events, served as server-sent events on GET /v1/events (see
 * docs/controller.md): one in-memory ring of the latest events, each already in its wire
 * form ("id: N\nevent: job\ndata: JSON\n\n"), and the streams reading it.
 *
 * Publishers (request threads, the sweeper) append and never wait for a reader. Each stream
 * keeps only its position in the ring: a stream that falls more than max_lag events behind
 * the newest (its client reads too slowly) is ended, so a slow client costs nothing but its
 * own connection. Ids are consecutive and start at the microseconds since the epoch when the
 * controller started, so they keep growing across restarts: a Last-Event-ID from before a
 * restart is older than the ring and the stream starts fresh. A client sees a gap when the
 * first id it gets is not its Last-Event-ID + 1. */
#ifndef VMAFX_CONTROLLER_EVENTS_H
#define VMAFX_CONTROLLER_EVENTS_H

#include <stddef.h>

#include "base/log.h"

typedef struct EventHub EventHub;

typedef struct EventConfig {
    unsigned ring;           /* events kept for Last-Event-ID */
    unsigned max_streams;    /* streams at once; more are refused (503) */
    unsigned max_lag;        /* events a stream may be behind before it is ended (<= ring) */
    double keepalive_s;      /* a comment line this often on a quiet stream */
    double progress_every_s; /* progress events of one job at most this often */
    Log log;
} EventConfig;

int events_open(EventHub **out, const EventConfig *cfg);
/* Ends every stream (they return HTTP_STREAM_END); the hub itself stays until events_close. */
void events_stop(EventHub *h);
void events_close(EventHub *h);

/* 1 when a progress event for job_id is due now (and counted as sent), 0 when one was sent
 * less than progress_every_s ago: the caller then drops it. */
int events_progress_due(EventHub *h, const char *job_id, double now);
/* Appends one event with data (one line of JSON); its id is returned (0 when out of memory). */
long long events_publish(EventHub *h, const char *data);

typedef struct EventStream EventStream;
/* A new stream starting after last_id (< 0: only new events); NULL when max_streams are
 * already open (or out of memory). */
EventStream *events_stream_open(EventHub *h, long long last_id);
/* HttpStream's read and done (see http.h). */
long events_stream_read(void *stream, char *buf, size_t max);
void events_stream_done(void *stream);

/* Counts for /metrics: streams open, streams ended for lagging. */
void events_counts(EventHub *h, unsigned *streams, unsigned long long *lagged);

#endif
