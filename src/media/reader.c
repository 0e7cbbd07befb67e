/* One thread per input: read (decode) a frame, scale it if needed, queue it. Decoding both
 * inputs thus overlaps with scoring, and the queue bounds memory. */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "media.h"
#include "queue.h"
#include "scale.h"

struct MediaReader {
    FrameSource *src;
    Scaler *scaler;      /* NULL when the source already has the output size */
    VmafxPicture native; /* a frame at the source's size, before scaling */
    MediaGeometry out;
    FrameQueue *q;
    pthread_t thread;
    int started;
    unsigned popped;
};

static void *reader_main(void *arg)
{
    MediaReader *r = arg;
    char err[600];
    for (;;) {
        VmafxPicture *slot = media_queue_slot(r->q);
        if (!slot) break;
        int k = media_read(r->src, r->scaler ? &r->native : slot, err, sizeof(err));
        if (k <= 0) {
            media_queue_end(r->q, k, err);
            break;
        }
        if (r->scaler) scaler_run(r->scaler, &r->native, slot);
        media_queue_push(r->q);
    }
    return NULL;
}

static int setup_scaling(MediaReader *r, enum MediaScaleAlgo algo, char *err, size_t n)
{
    const MediaGeometry *g = media_geometry(r->src);
    if (g->w == r->out.w && g->h == r->out.h) return 0;
    char why[200];
    int e = scaler_open(&r->scaler, g, r->out.w, r->out.h, algo, why, sizeof(why));
    if (e) {
        snprintf(err, n, "%s: %s", media_name(r->src), why);
        return e;
    }
    return vmafx_picture_alloc(&r->native, g->fmt, g->bpc, g->w, g->h);
}

int media_reader_start(MediaReader **out, FrameSource *src, unsigned out_w, unsigned out_h,
                       enum MediaScaleAlgo algo, unsigned depth, char *err, size_t n)
{
    MediaReader *r = calloc(1, sizeof(*r));
    if (!r) {
        media_close(src);
        snprintf(err, n, "out of memory");
        return -ENOMEM;
    }
    *err = 0;
    r->src = src;
    r->out = *media_geometry(src);
    r->out.w = out_w;
    r->out.h = out_h;
    int e = setup_scaling(r, algo, err, n);
    if (!e && (e = media_queue_init(&r->q, depth, &r->out)) == 0 &&
        (e = -pthread_create(&r->thread, NULL, reader_main, r)) == 0)
        r->started = 1;
    if (e) {
        if (e == -ENOMEM || e == -EAGAIN) snprintf(err, n, "%s: out of memory", media_name(src));
        else if (!*err) snprintf(err, n, "%s: cannot start reading (%s)", media_name(src), strerror(-e));
        media_reader_stop(r);
        return e;
    }
    *out = r;
    return 0;
}

int media_reader_peek(MediaReader *r, unsigned i, const VmafxPicture **pic, char *err, size_t n)
{
    return media_queue_peek(r->q, i, pic, err, n, -1);
}

int media_reader_poll(MediaReader *r, unsigned i, const VmafxPicture **pic, int timeout_ms, char *err,
                      size_t n)
{
    return media_queue_peek(r->q, i, pic, err, n, timeout_ms);
}

VmafxPicture *media_reader_front(MediaReader *r)
{
    return media_queue_front(r->q);
}

void media_reader_pop(MediaReader *r)
{
    media_queue_pop(r->q);
    r->popped++;
}

unsigned media_reader_frames_hint(const MediaReader *r)
{
    return media_frames_hint(r->src);
}

unsigned media_reader_frames(const MediaReader *r)
{
    return r->popped;
}
const MediaGeometry *media_reader_geometry(const MediaReader *r)
{
    return &r->out;
}
const char *media_reader_name(const MediaReader *r)
{
    return media_name(r->src);
}

void media_reader_stop(MediaReader *r)
{
    if (!r) return;
    if (r->started) {
        media_queue_cancel(r->q);
        media_cancel(r->src);
        pthread_join(r->thread, NULL);
    }
    media_queue_free(r->q);
    scaler_close(r->scaler);
    vmafx_picture_free(&r->native);
    media_close(r->src);
    free(r);
}
