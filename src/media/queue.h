/* A bounded queue of pictures between one producer thread (the decoder) and one consumer
 * (the scoring loop). Its pictures are allocated once: memory is depth pictures however long
 * the clip is, and the producer waits when the consumer falls behind. */
#ifndef VMAFX_MEDIA_QUEUE_H
#define VMAFX_MEDIA_QUEUE_H

#include <stddef.h>
#include "media.h"

typedef struct FrameQueue FrameQueue;

int media_queue_init(FrameQueue **out, unsigned depth, const MediaGeometry *geo);
void media_queue_free(FrameQueue *q);

/* Producer: a free picture to fill (waits for one), or NULL once cancelled. */
VmafxPicture *media_queue_slot(FrameQueue *q);
/* Producer: the picture from media_queue_slot now holds the next frame. */
void media_queue_push(FrameQueue *q);
/* Producer: no more frames; code 0 = clean end, < 0 = error described by msg. */
void media_queue_end(FrameQueue *q, int code, const char *msg);

/* Consumer: the i-th queued frame: 1, 0 after the clean end, or the producer's error (as
 * soon as it happened, even with frames still queued); waits at most timeout_ms (< 0: for
 * ever), then returns MEDIA_PENDING. */
int media_queue_peek(FrameQueue *q, unsigned i, const VmafxPicture **pic, char *err, size_t n,
                     int timeout_ms);
/* Consumer: the oldest frame, writable (the producer never touches a queued frame), or NULL. */
VmafxPicture *media_queue_front(FrameQueue *q);
/* Consumer: frees the oldest frame. */
void media_queue_pop(FrameQueue *q);
/* Either side: wakes everyone; the producer's media_queue_slot returns NULL from now on. */
void media_queue_cancel(FrameQueue *q);

#endif
