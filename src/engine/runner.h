/* The frame runner: hands picture pairs to the extractors, in the calling thread or on a
 * pool of worker threads (frame-level parallelism). Pictures are copied (or their buffers
 * exchanged, when the caller gives them away) into a bounded pool of slots, so memory does
 * not grow with clip length; a slot's reference stays alive until the next frame (or two),
 * which read it as prev_ref (and prev_prev_ref) (temporal features). */
#ifndef VMAFX_ENGINE_RUNNER_H
#define VMAFX_ENGINE_RUNNER_H

#include "vmafx/vmafx.h"
#include "feature/extractor.h"

/* Scores one frame on worker `worker` (0 .. n_workers-1); returns 0 or a negative code. */
typedef int (*FrameFn)(void *arg, unsigned worker, const FrameInput *in);

typedef struct Runner Runner;

/* history: how many previous references frames read (1: prev_ref; 2: also prev_prev_ref,
 * which costs one more picture). */
int runner_new(Runner **out, unsigned n_workers, unsigned history, const VmafxPicture *like, FrameFn fn,
               void *arg);
/* The first picture submitted will have this index (a chunk of a longer stream): frames
 * before it have no previous pictures. Call before the first runner_submit. */
void runner_start_at(Runner *r, unsigned first);
/* Also hands each frame the previous frame's distorted picture (FrameInput.prev_dis); call
 * before the first runner_submit. 0 or -ENOMEM. */
int runner_want_prev_dis(Runner *r);
/* Queues frame `index` (frames come in order); blocks while the pool is full. Returns the
 * first error a worker hit so far, if any. The pictures are copied, or with `take` exchanged
 * for pictures of the runner's (of the same layout) whose pixels the caller then overwrites;
 * without `take` they are only read (the casts from const are safe). */
int runner_submit(Runner *r, VmafxPicture *ref, VmafxPicture *dis, unsigned index, int take);
/* Waits until every queued frame is done; returns the first error. */
int runner_finish(Runner *r);
void runner_free(Runner *r);

#endif
