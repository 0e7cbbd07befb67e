/* The event ring and its streams (see events.h). One mutex guards the ring; a condition
 * variable wakes the streams when an event arrives or the hub stops. */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#include "base/mono.h"
#include "events.h"
#include "http.h"
#include "store.h"

#define RECENT 256 /* jobs whose last progress event is remembered for coalescing */

typedef struct Recent {
    char id[JOB_ID_LEN];
    double at;
} Recent;

struct EventHub {
    EventConfig cfg;
    pthread_mutex_t lock;
    pthread_cond_t more;
    char **text; /* ring: the event with id i is at i % cfg.ring */
    size_t *len;
    long long first_id, next_id;
    int stopping;
    unsigned streams;
    unsigned long long lagged;
    Recent recent[RECENT];
};

struct EventStream {
    EventHub *h;
    long long next; /* id of the next event to send */
    char *out;      /* what read() still has to hand over, from off */
    size_t len, off;
};

static const char hello[] = ": vmafx job events\n\n";
static const char keepalive[] = ": keepalive\n\n";

int events_open(EventHub **out, const EventConfig *cfg)
{
    EventHub *h = calloc(1, sizeof(*h));
    if (!h) return -ENOMEM;
    h->cfg = *cfg;
    if (h->cfg.ring < 1) h->cfg.ring = 1;
    if (h->cfg.max_lag > h->cfg.ring || !h->cfg.max_lag) h->cfg.max_lag = h->cfg.ring;
    h->text = calloc(h->cfg.ring, sizeof(*h->text));
    h->len = calloc(h->cfg.ring, sizeof(*h->len));
    if (!h->text || !h->len) {
        events_close(h);
        return -ENOMEM;
    }
    struct timeval tv;
    gettimeofday(&tv, NULL);
    h->first_id = h->next_id = (long long)tv.tv_sec * 1000000 + tv.tv_usec;
    pthread_condattr_t a;
    pthread_condattr_init(&a);
    pthread_condattr_setclock(&a, CLOCK_MONOTONIC);
    pthread_cond_init(&h->more, &a);
    pthread_condattr_destroy(&a);
    pthread_mutex_init(&h->lock, NULL);
    *out = h;
    return 0;
}

void events_stop(EventHub *h)
{
    if (!h) return;
    pthread_mutex_lock(&h->lock);
    h->stopping = 1;
    pthread_cond_broadcast(&h->more);
    pthread_mutex_unlock(&h->lock);
}

void events_close(EventHub *h)
{
    if (!h) return;
    if (h->text) {
        for (unsigned i = 0; i < h->cfg.ring; i++) free(h->text[i]);
        pthread_cond_destroy(&h->more);
        pthread_mutex_destroy(&h->lock);
    }
    free(h->text);
    free(h->len);
    free(h);
}

/* A job seen again within progress_every_s is not due; a slot whose job was last seen
 * longer ago than that restricts nothing, so it is free for another job. */
int events_progress_due(EventHub *h, const char *job_id, double now)
{
    int due = 0;
    Recent *slot = NULL;
    pthread_mutex_lock(&h->lock);
    for (int i = 0; i < RECENT; i++) {
        Recent *e = &h->recent[i];
        int stale = now - e->at >= h->cfg.progress_every_s || now < e->at;
        if (!strcmp(e->id, job_id)) {
            slot = e;
            due = stale;
            break;
        }
        if (!slot && (!e->id[0] || stale)) slot = e;
    }
    if (slot && (due || strcmp(slot->id, job_id))) {
        snprintf(slot->id, sizeof(slot->id), "%s", job_id);
        slot->at = now;
        due = 1;
    }
    pthread_mutex_unlock(&h->lock);
    return due; /* every slot busy with a job seen just now: dropped too */
}

long long events_publish(EventHub *h, const char *data)
{
    size_t cap = strlen(data) + 64;
    char *text = malloc(cap);
    if (!text) return 0;
    pthread_mutex_lock(&h->lock);
    long long id = h->next_id++;
    size_t slot = (size_t)(id % h->cfg.ring);
    int n = snprintf(text, cap, "id: %lld\nevent: job\ndata: %s\n\n", id, data);
    free(h->text[slot]);
    h->text[slot] = text;
    h->len[slot] = (size_t)n;
    pthread_cond_broadcast(&h->more);
    pthread_mutex_unlock(&h->lock);
    return id;
}

static long long oldest(const EventHub *h)
{
    long long o = h->next_id - h->cfg.ring;
    return o > h->first_id ? o : h->first_id;
}

EventStream *events_stream_open(EventHub *h, long long last_id)
{
    EventStream *s = calloc(1, sizeof(*s));
    if (!s) return NULL;
    s->h = h;
    s->out = (char *)hello;
    s->len = sizeof(hello) - 1;
    pthread_mutex_lock(&h->lock);
    int room = !h->stopping && h->streams < h->cfg.max_streams;
    if (room) h->streams++;
    s->next = h->next_id;
    /* resume only from what is still kept and not already too far behind */
    if (last_id >= 0 && last_id + 1 >= oldest(h) && last_id + 1 <= h->next_id &&
        h->next_id - (last_id + 1) <= h->cfg.max_lag)
        s->next = last_id + 1;
    pthread_mutex_unlock(&h->lock);
    if (!room) {
        free(s);
        return NULL;
    }
    return s;
}

static void set_out(EventStream *s, char *text, size_t len)
{
    if (s->out != hello && s->out != keepalive) free(s->out);
    s->out = text;
    s->len = len;
    s->off = 0;
}

static long hand_over(EventStream *s, char *buf, size_t max)
{
    size_t n = s->len - s->off < max ? s->len - s->off : max;
    memcpy(buf, s->out + s->off, n);
    s->off += n;
    return (long)n;
}

/* The next event (copied, so the ring may move on), a keep-alive after a quiet period, the
 * end when the hub stops, or an error when the stream fell behind. */
long events_stream_read(void *stream, char *buf, size_t max)
{
    EventStream *s = stream;
    EventHub *h = s->h;
    if (s->off < s->len) return hand_over(s, buf, max);
    struct timespec until = mono_deadline(h->cfg.keepalive_s);
    pthread_mutex_lock(&h->lock);
    for (;;) {
        if (h->stopping) break;
        if (h->next_id - s->next > h->cfg.max_lag || s->next < oldest(h)) {
            h->lagged++;
            long long behind = h->next_id - s->next;
            pthread_mutex_unlock(&h->lock);
            log_msg(&h->cfg.log, VLOG_WARN, "events",
                    "an event stream fell %lld events behind: its client reads "
                    "too slowly, the stream is ended",
                    behind);
            return HTTP_STREAM_ERROR;
        }
        if (s->next < h->next_id) {
            size_t slot = (size_t)(s->next % h->cfg.ring), len = h->len[slot];
            char *copy = malloc(len);
            if (copy) memcpy(copy, h->text[slot], len);
            s->next++;
            pthread_mutex_unlock(&h->lock);
            if (!copy) return HTTP_STREAM_ERROR;
            set_out(s, copy, len);
            return hand_over(s, buf, max);
        }
        if (pthread_cond_timedwait(&h->more, &h->lock, &until) == ETIMEDOUT) {
            pthread_mutex_unlock(&h->lock);
            set_out(s, (char *)keepalive, sizeof(keepalive) - 1);
            return hand_over(s, buf, max);
        }
    }
    pthread_mutex_unlock(&h->lock);
    return HTTP_STREAM_END;
}

void events_stream_done(void *stream)
{
    EventStream *s = stream;
    pthread_mutex_lock(&s->h->lock);
    s->h->streams--;
    pthread_mutex_unlock(&s->h->lock);
    set_out(s, NULL, 0);
    free(s);
}

void events_counts(EventHub *h, unsigned *streams, unsigned long long *lagged)
{
    pthread_mutex_lock(&h->lock);
    *streams = h->streams;
    *lagged = h->lagged;
    pthread_mutex_unlock(&h->lock);
}
