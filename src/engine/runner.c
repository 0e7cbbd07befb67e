/* Frame runner (see runner.h).
 *
 * Slots cycle FREE → QUEUED → RUNNING → DONE → FREE. A DONE slot is recycled only once the
 * two following frames are done too, because they read its reference as prev_ref and
 * prev_prev_ref (and its distorted picture as prev_dis). With one worker everything runs in
 * the caller's thread and only the last two references are kept (and the last distorted
 * picture, when asked). */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "runner.h"

enum SlotState { SLOT_FREE, SLOT_QUEUED, SLOT_RUNNING, SLOT_DONE };

typedef struct Slot {
    VmafxPicture ref, dis;
    unsigned index;
    enum SlotState state;
} Slot;

struct Runner {
    FrameFn fn;
    void *arg;
    unsigned n_workers, n_slots;
    Slot *slots;
    pthread_t *threads;
    pthread_mutex_t lock;
    pthread_cond_t work, space; /* a slot was queued / a slot was freed or finished */
    unsigned next_index;        /* frames submitted so far */
    int error, stop;
    unsigned history;         /* references a frame reads: 1 (index-1) or 2 (and index-2) */
    VmafxPicture prev, prev2; /* single-threaded mode: copies of the last references */
    VmafxPicture prev_dis;    /* ... and of the last distorted picture, if wanted */
    int want_prev_dis;
    unsigned first; /* index of the first picture (a chunk's warm-up start) */
};

static void copy_picture(VmafxPicture *dst, const VmafxPicture *src)
{
    size_t bps = src->bpc > 8 ? 2 : 1;
    for (int p = 0; p < 3; p++)
        for (unsigned y = 0; y < src->h[p]; y++)
            memcpy((char *)dst->data[p] + y * dst->stride[p], (const char *)src->data[p] + y * src->stride[p],
                   src->w[p] * bps);
}

/* Pictures from vmafx_picture_alloc with the same layout: their buffers can be exchanged. */
static int same_layout(const VmafxPicture *a, const VmafxPicture *b)
{
    if (!a->buf || !b->buf || a->pix_fmt != b->pix_fmt || a->bpc != b->bpc) return 0;
    for (int p = 0; p < 3; p++)
        if (a->w[p] != b->w[p] || a->h[p] != b->h[p] || a->stride[p] != b->stride[p]) return 0;
    return 1;
}

/* Puts src's pixels into dst: by exchanging the two pictures when the caller gave src away
 * (take) and their layouts match, else by copying. */
static void move_picture(VmafxPicture *dst, VmafxPicture *src, int take)
{
    if (take && same_layout(dst, src)) {
        VmafxPicture t = *dst;
        *dst = *src;
        *src = t;
    } else {
        copy_picture(dst, src);
    }
}

static Slot *slot_of(Runner *r, unsigned index)
{
    for (unsigned i = 0; i < r->n_slots; i++)
        if (r->slots[i].state != SLOT_FREE && r->slots[i].index == index) return &r->slots[i];
    return NULL;
}

/* A done slot is free once the history frames after it (which read its reference) are done
 * as well; the newest slots stay until later frames arrive or the stream ends. */
static void recycle(Runner *r, int stream_ended)
{
    for (unsigned i = 0; i < r->n_slots; i++) {
        Slot *s = &r->slots[i];
        if (s->state != SLOT_DONE) continue;
        int readers_done = 1;
        for (unsigned k = 1; k <= r->history && readers_done; k++) {
            Slot *next = slot_of(r, s->index + k);
            if (next) readers_done = next->state == SLOT_DONE;
            else readers_done = s->index + k < r->next_index || stream_ended;
        }
        if (readers_done) s->state = SLOT_FREE;
    }
}

static Slot *next_queued(Runner *r)
{
    Slot *best = NULL;
    for (unsigned i = 0; i < r->n_slots; i++) {
        Slot *s = &r->slots[i];
        if (s->state == SLOT_QUEUED && (!best || s->index < best->index)) best = s;
    }
    return best;
}

static void *worker_main(void *p)
{
    Runner *r = ((void **)p)[0];
    unsigned worker = (unsigned)(size_t)((void **)p)[1];
    free(p);
    pthread_mutex_lock(&r->lock);
    for (;;) {
        Slot *s;
        while (!(s = next_queued(r)) && !r->stop) pthread_cond_wait(&r->work, &r->lock);
        if (!s) break;
        s->state = SLOT_RUNNING;
        Slot *prev = s->index ? slot_of(r, s->index - 1) : NULL;
        Slot *prev2 = s->index > 1 && r->history > 1 ? slot_of(r, s->index - 2) : NULL;
        FrameInput in = { .ref = &s->ref,
                          .dis = &s->dis,
                          .index = s->index,
                          .prev_ref = prev ? &prev->ref : NULL,
                          .prev_prev_ref = prev2 ? &prev2->ref : NULL,
                          .prev_dis = prev && r->want_prev_dis ? &prev->dis : NULL };
        int failed = r->error; /* after an error the remaining frames are not scored */
        pthread_mutex_unlock(&r->lock);
        int err = failed ? 0 : r->fn(r->arg, worker, &in);
        pthread_mutex_lock(&r->lock);
        if (err && !r->error) r->error = err;
        s->state = SLOT_DONE;
        recycle(r, 0);
        pthread_cond_broadcast(&r->space);
    }
    pthread_mutex_unlock(&r->lock);
    return NULL;
}

/* n pictures like `like`, in one allocation (vmafx_picture_alloc_many), into out[i]. */
static int alloc_like(VmafxPicture *const *out, unsigned n, const VmafxPicture *like)
{
    VmafxPicture *pics = calloc(n, sizeof(*pics));
    if (!pics) return -ENOMEM;
    int err = vmafx_picture_alloc_many(pics, n, like->pix_fmt, like->bpc, like->w[0], like->h[0]);
    for (unsigned i = 0; !err && i < n; i++) *out[i] = pics[i];
    free(pics);
    return err;
}

static int alloc_slots(Runner *r, const VmafxPicture *like)
{
    VmafxPicture **out = calloc(2 * (size_t)r->n_slots, sizeof(*out));
    if (!out) return -ENOMEM;
    for (unsigned i = 0; i < r->n_slots; i++) {
        out[2 * i] = &r->slots[i].ref;
        out[2 * i + 1] = &r->slots[i].dis;
    }
    int err = alloc_like(out, 2 * r->n_slots, like);
    free(out);
    return err;
}

static int start_workers(Runner *r)
{
    if (!(r->threads = calloc(r->n_workers, sizeof(*r->threads)))) return -ENOMEM;
    for (unsigned i = 0; i < r->n_workers; i++) {
        void **arg = malloc(2 * sizeof(void *));
        if (!arg) return -ENOMEM;
        arg[0] = r;
        arg[1] = (void *)(size_t)i;
        if (pthread_create(&r->threads[i], NULL, worker_main, arg)) {
            free(arg);
            r->n_workers = i; /* only these are joined */
            return -EAGAIN;
        }
    }
    return 0;
}

int runner_new(Runner **out, unsigned n_workers, unsigned history, const VmafxPicture *like, FrameFn fn,
               void *arg)
{
    Runner *r = calloc(1, sizeof(*r));
    if (!r) return -ENOMEM;
    r->history = history > 1 ? 2 : 1;
    r->fn = fn;
    r->arg = arg;
    pthread_mutex_init(&r->lock, NULL);
    pthread_cond_init(&r->work, NULL);
    pthread_cond_init(&r->space, NULL);
    int err = 0;
    if (n_workers <= 1) {
        VmafxPicture *const prev[2] = { &r->prev, &r->prev2 };
        err = alloc_like(prev, r->history, like);
    } else {
        r->n_workers = n_workers;
        /* each worker holds one frame, one more is being filled, history are references */
        r->n_slots = n_workers + 1 + r->history;
        if (!(r->slots = calloc(r->n_slots, sizeof(*r->slots)))) err = -ENOMEM;
        if (!err) err = alloc_slots(r, like);
        if (!err) err = start_workers(r);
    }
    if (err) {
        runner_free(r);
        return err;
    }
    *out = r;
    return 0;
}

void runner_start_at(Runner *r, unsigned first)
{
    r->first = first;
    r->next_index = first;
}

int runner_want_prev_dis(Runner *r)
{
    r->want_prev_dis = 1;
    if (r->n_workers || r->prev_dis.buf) return 0; /* slots keep their distorted picture */
    return vmafx_picture_alloc(&r->prev_dis, r->prev.pix_fmt, r->prev.bpc, r->prev.w[0], r->prev.h[0]);
}

static int submit_inline(Runner *r, VmafxPicture *ref, VmafxPicture *dis, unsigned index, int take)
{
    const unsigned seen = index - r->first; /* pictures before this one */
    FrameInput in = { .ref = ref,
                      .dis = dis,
                      .index = index,
                      .prev_ref = seen ? &r->prev : NULL,
                      .prev_prev_ref = seen > 1 && r->history > 1 ? &r->prev2 : NULL,
                      .prev_dis = seen && r->want_prev_dis ? &r->prev_dis : NULL };
    int err = r->fn(r->arg, 0, &in);
    if (err) return err;
    if (r->history > 1) {
        VmafxPicture oldest = r->prev2; /* reused for the new reference */
        r->prev2 = r->prev;
        r->prev = oldest;
    }
    move_picture(&r->prev, ref, take);
    if (r->want_prev_dis) move_picture(&r->prev_dis, dis, take);
    return 0;
}

int runner_submit(Runner *r, VmafxPicture *ref, VmafxPicture *dis, unsigned index, int take)
{
    if (!r->n_workers) return submit_inline(r, ref, dis, index, take);
    pthread_mutex_lock(&r->lock);
    Slot *s = NULL;
    while (!r->error) {
        for (unsigned i = 0; i < r->n_slots && !s; i++)
            if (r->slots[i].state == SLOT_FREE) s = &r->slots[i];
        if (s) break;
        pthread_cond_wait(&r->space, &r->lock);
    }
    int err = r->error;
    if (!err) {
        s->state = SLOT_RUNNING; /* reserved while we fill it without the lock */
        pthread_mutex_unlock(&r->lock);
        move_picture(&s->ref, ref, take);
        move_picture(&s->dis, dis, take);
        pthread_mutex_lock(&r->lock);
        s->index = index;
        s->state = SLOT_QUEUED;
        r->next_index = index + 1;
        pthread_cond_signal(&r->work);
    }
    pthread_mutex_unlock(&r->lock);
    return err;
}

int runner_finish(Runner *r)
{
    if (!r || !r->n_workers) return 0; /* none: a merge, which feeds no pictures */
    pthread_mutex_lock(&r->lock);
    for (;;) {
        int busy = 0;
        for (unsigned i = 0; i < r->n_slots; i++)
            busy |= r->slots[i].state == SLOT_QUEUED || r->slots[i].state == SLOT_RUNNING;
        if (!busy) break;
        pthread_cond_wait(&r->space, &r->lock);
    }
    recycle(r, 1);
    int err = r->error;
    pthread_mutex_unlock(&r->lock);
    return err;
}

void runner_free(Runner *r)
{
    if (!r) return;
    if (r->threads) {
        pthread_mutex_lock(&r->lock);
        r->stop = 1;
        pthread_cond_broadcast(&r->work);
        pthread_mutex_unlock(&r->lock);
        for (unsigned i = 0; i < r->n_workers; i++) pthread_join(r->threads[i], NULL);
        free(r->threads);
    }
    for (unsigned i = 0; r->slots && i < r->n_slots; i++) {
        vmafx_picture_free(&r->slots[i].ref);
        vmafx_picture_free(&r->slots[i].dis);
    }
    free(r->slots);
    vmafx_picture_free(&r->prev);
    vmafx_picture_free(&r->prev2);
    vmafx_picture_free(&r->prev_dis);
    pthread_cond_destroy(&r->work);
    pthread_cond_destroy(&r->space);
    pthread_mutex_destroy(&r->lock);
    free(r);
}
