/* See queue.h. Slots [head, head + count) hold frames in order; the producer fills the slot
 * after them without holding the lock, which is safe because the consumer never looks past
 * count and the producer is the only one that moves it up.
 *
 * A producer that found the queue full sleeps until it is at most half full (or until the
 * consumer waits for a frame), then fills it again: with small pictures a reader is woken
 * once per depth / 2 frames instead of once per frame (each wake-up is a context switch). */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "queue.h"

struct FrameQueue {
    pthread_mutex_t lock;
    pthread_cond_t filled, freed;
    unsigned depth, head, count;
    int ended, end_code, cancelled;
    char end_msg[600];
    VmafxPicture pics[];
};

int media_queue_init(FrameQueue **out, unsigned depth, const MediaGeometry *geo)
{
    FrameQueue *q = calloc(1, sizeof(*q) + depth * sizeof(q->pics[0]));
    if (!q) return -ENOMEM;
    q->depth = depth;
    pthread_mutex_init(&q->lock, NULL);
    pthread_cond_init(&q->filled, NULL);
    pthread_cond_init(&q->freed, NULL);
    /* one allocation: two 1080p pictures fill whole huge pages where one leaves a tail */
    int r = vmafx_picture_alloc_many(q->pics, depth, geo->fmt, geo->bpc, geo->w, geo->h);
    if (r) {
        media_queue_free(q);
        return r;
    }
    *out = q;
    return 0;
}

void media_queue_free(FrameQueue *q)
{
    if (!q) return;
    for (unsigned i = 0; i < q->depth; i++) vmafx_picture_free(&q->pics[i]);
    pthread_cond_destroy(&q->filled);
    pthread_cond_destroy(&q->freed);
    pthread_mutex_destroy(&q->lock);
    free(q);
}

VmafxPicture *media_queue_slot(FrameQueue *q)
{
    pthread_mutex_lock(&q->lock);
    while (q->count == q->depth && !q->cancelled) pthread_cond_wait(&q->freed, &q->lock);
    VmafxPicture *p = q->cancelled ? NULL : &q->pics[(q->head + q->count) % q->depth];
    pthread_mutex_unlock(&q->lock);
    return p;
}

void media_queue_push(FrameQueue *q)
{
    pthread_mutex_lock(&q->lock);
    q->count++;
    pthread_cond_signal(&q->filled);
    pthread_mutex_unlock(&q->lock);
}

void media_queue_end(FrameQueue *q, int code, const char *msg)
{
    pthread_mutex_lock(&q->lock);
    q->ended = 1;
    q->end_code = code;
    snprintf(q->end_msg, sizeof(q->end_msg), "%s", code < 0 && msg ? msg : "");
    pthread_cond_signal(&q->filled);
    pthread_mutex_unlock(&q->lock);
}

static struct timespec deadline_after(int ms)
{
    struct timespec t;
    clock_gettime(CLOCK_REALTIME, &t);
    t.tv_sec += ms / 1000;
    t.tv_nsec += (long)(ms % 1000) * 1000000L;
    if (t.tv_nsec >= 1000000000L) {
        t.tv_sec++;
        t.tv_nsec -= 1000000000L;
    }
    return t;
}

int media_queue_peek(FrameQueue *q, unsigned i, const VmafxPicture **pic, char *err, size_t n, int timeout_ms)
{
    if (i >= q->depth) return -EINVAL;
    struct timespec until = deadline_after(timeout_ms > 0 ? timeout_ms : 0);
    pthread_mutex_lock(&q->lock);
    int r = 0;
    while (q->count <= i && !q->ended && !q->cancelled && r != ETIMEDOUT) {
        pthread_cond_signal(&q->freed); /* the producer may be waiting for the half mark */
        r = timeout_ms < 0 ? pthread_cond_wait(&q->filled, &q->lock)
                           : pthread_cond_timedwait(&q->filled, &q->lock, &until);
    }
    if (q->ended && q->end_code < 0) {
        /* the run fails anyway: say so now, not after the frames still queued */
        r = q->end_code;
        snprintf(err, n, "%s", q->end_msg);
    } else if (q->count <= i && !q->ended && !q->cancelled) {
        r = MEDIA_PENDING;
    } else if (q->count > i) {
        *pic = &q->pics[(q->head + i) % q->depth];
        r = 1;
    } else if (q->cancelled) {
        snprintf(err, n, "cancelled");
        r = -ECANCELED;
    } else {
        r = 0;
    }
    pthread_mutex_unlock(&q->lock);
    return r;
}

VmafxPicture *media_queue_front(FrameQueue *q)
{
    pthread_mutex_lock(&q->lock);
    VmafxPicture *p = q->count ? &q->pics[q->head] : NULL;
    pthread_mutex_unlock(&q->lock);
    return p;
}

void media_queue_pop(FrameQueue *q)
{
    pthread_mutex_lock(&q->lock);
    if (q->count) {
        q->head = (q->head + 1) % q->depth;
        q->count--;
        if (q->count <= q->depth / 2) pthread_cond_signal(&q->freed);
    }
    pthread_mutex_unlock(&q->lock);
}

void media_queue_cancel(FrameQueue *q)
{
    pthread_mutex_lock(&q->lock);
    q->cancelled = 1;
    pthread_cond_broadcast(&q->filled);
    pthread_cond_broadcast(&q->freed);
    pthread_mutex_unlock(&q->lock);
}
