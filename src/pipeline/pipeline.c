/* The scoring pipeline (see pipeline.h), used by `vmafx score` and by the node, so that a
 * job's report equals the command's: the same queue depths, the same scaling plan
 * and notes, the same skip-then-sync order, the same frame counts in the report. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "pipeline.h"
#include "base/mono.h"
#include "depth.h"

#define QUEUE_DEPTH 2 /* frames decoded ahead per input: enough to overlap decoding and scoring */
/* A run that reads its inputs to their end queues small pictures deeper, up to this many
 * bytes or QUEUE_DEPTH_MAX frames per input, so that a reader is woken once per few frames
 * (see media/queue.c); 1080p stays at 2. A run that stops earlier (frame_cnt, a chunk's end)
 * keeps 2, so that it reads at most 2 frames it does not score. */
#define QUEUE_BYTES (4u << 20)
#define QUEUE_DEPTH_MAX 8

typedef struct Run {
    const PipelineSpec *s;
    const PipelineHooks *h;
    MediaReader *ref, *dis;
    unsigned ref_dropped, dis_dropped, ref_frames, dis_frames;
    unsigned depth;    /* common_bitdepth: the larger depth, 0 when both agree */
    VmafxPicture wide; /* the lower-depth input's frame, widened */
    double resample;   /* distorted frames per reference frame; 0: paired one by one */
    unsigned dis_pos;  /* distorted frames popped while resampling */
    AlignHint hint;
    unsigned seek_ref, seek_dis; /* frames each source passed over at open (a chunk's start) */
    int ended;                   /* an input ended (not frame_cnt or the chunk's end) */
    int luma_only;               /* no extractor reads U or V: the sources may skip them */
    char *err;
    size_t n;
} Run;

static int cancelled(const Run *r)
{
    return r->h->cancel && atomic_load(r->h->cancel);
}

static void notice(const Run *r, const char *msg)
{
    if (r->h->notice) r->h->notice(r->h->user, msg);
}

static const char *fmt_name(enum VmafxPixelFormat f)
{
    return f == VMAFX_PIX_FMT_YUV420P ? "4:2:0" : f == VMAFX_PIX_FMT_YUV422P ? "4:2:2" : "4:4:4";
}

static void warning(const Run *r, const char *msg)
{
    if (r->h->warning) r->h->warning(r->h->user, msg);
    else notice(r, msg);
}

static void media_notice(void *user, const char *msg)
{
    warning(user, msg);
}

static unsigned warm_start(const PipelineSpec *s);

/* A chunk starts each input at its first frame (after skip) by seeking or skipping in the
 * source, without converting or queueing the frames before; with sync the offset is found
 * from the start, so then every frame goes through the reader. */
static void plan_seek(Run *r)
{
    const PipelineSpec *s = r->s;
    unsigned warm = warm_start(s);
    if (!s->chunk || s->sync || !warm) return;
    r->seek_ref = s->skip_ref + warm;
    r->seek_dis = s->skip_dis + warm;
}

/* How a chunk's input reached its first frame, never in the report (a chunk's report equals
 * one process's): the note is a log line; reading or decoding the frames before the chunk from
 * the start (a fallback) is also a warning, one text per input and cause, so that a job's
 * chunks add it to the job's status once. */
static void seek_notice(const Run *r, const FrameSource *src)
{
    char msg[800];
    if (!*media_seek_note(src)) return;
    snprintf(msg, sizeof(msg), "%s: %s", media_name(src), media_seek_note(src));
    if (r->h->info) r->h->info(r->h->user, msg);
    if (!*media_seek_fallback(src)) return;
    snprintf(msg, sizeof(msg),
             "%s: a chunk cannot seek to its first frame, the frames before it are read from the start: %s",
             media_name(src), media_seek_fallback(src));
    warning(r, msg);
}

static int open_sources(Run *r, FrameSource **ref, FrameSource **dis)
{
    const PipelineSpec *s = r->s;
    MediaOptions o = { .raw = s->raw,
                       .stall_timeout = s->stall_timeout,
                       .http_retries = s->http_retries,
                       .tls_ca_file = s->tls_ca_file,
                       .log = media_notice,
                       .log_user = r,
                       .luma_only = r->luma_only };
    plan_seek(r);
    o.label = s->ref_label;
    o.integrity = s->ref_integrity;
    o.skip_frames = r->seek_ref;
    int e = media_open(ref, s->ref_path, &o, r->err, r->n);
    if (e) return e;
    o.label = s->dis_label;
    o.integrity = s->dis_integrity;
    o.skip_frames = r->seek_dis;
    if ((e = media_open(dis, s->dis_path, &o, r->err, r->n))) return e;
    seek_notice(r, *ref);
    seek_notice(r, *dis);
    const MediaGeometry *a = media_geometry(*ref), *b = media_geometry(*dis);
    if (a->bpc == b->bpc && a->fmt == b->fmt) return 0;
    if (s->common_bitdepth && a->fmt == b->fmt) {
        r->depth = a->bpc > b->bpc ? a->bpc : b->bpc;
        return 0;
    }
    snprintf(r->err, r->n, "inputs differ: %s is %ux%u %u-bit %s, %s is %ux%u %u-bit %s", media_name(*ref),
             a->w, a->h, a->bpc, fmt_name(a->fmt), media_name(*dis), b->w, b->h, b->bpc, fmt_name(b->fmt));
    return -EINVAL;
}

static void add_note(PipelineResult *res, const char *msg)
{
    size_t used = strlen(res->note);
    snprintf(res->note + used, sizeof(res->note) - used, "%s%s", used ? "; " : "", msg);
}

/* Frames queued ahead for an input whose pictures are w x h. */
static unsigned queue_depth(const PipelineSpec *s, const MediaGeometry *g, unsigned w, unsigned h)
{
    const unsigned window = s->sync_range + MEDIA_SYNC_WINDOW; /* --sync looks this far ahead */
    if (s->sync) return window > QUEUE_DEPTH ? window : QUEUE_DEPTH;
    size_t bytes = vmafx_picture_frame_bytes(g->fmt, g->bpc, w, h);
    if (s->frame_cnt || (s->chunk && s->chunk->end) || !bytes) return QUEUE_DEPTH;
    size_t depth = QUEUE_BYTES / bytes;
    return depth < QUEUE_DEPTH ? QUEUE_DEPTH : depth > QUEUE_DEPTH_MAX ? QUEUE_DEPTH_MAX : (unsigned)depth;
}

/* Hands the sources to reader threads, which own them from then on (even on failure). */
static int start_readers(Run *r, FrameSource *ref, FrameSource *dis, PipelineResult *res)
{
    const PipelineSpec *s = r->s;
    MediaScalePlan plan;
    char scaled[sizeof(res->note)];
    int e = media_plan_scale(media_geometry(ref), media_geometry(dis), s->scale, s->scale_w, s->scale_h,
                             &plan, scaled, sizeof(scaled), r->err, r->n);
    if (e) {
        media_close(ref);
        media_close(dis);
        return e;
    }
    if (*scaled) notice(r, scaled);
    if (*scaled) add_note(res, scaled);
    unsigned depth = queue_depth(s, media_geometry(ref), plan.ref_w, plan.ref_h);
    if ((e = media_reader_start(&r->ref, ref, plan.ref_w, plan.ref_h, plan.algo, depth, r->err, r->n))) {
        media_close(dis);
        return e;
    }
    depth = queue_depth(s, media_geometry(dis), plan.dis_w, plan.dis_h);
    return media_reader_start(&r->dis, dis, plan.dis_w, plan.dis_h, plan.algo, depth, r->err, r->n);
}

/* Different frame rates: refused, resampled (said as a notice) or warned about; said in the
 * report's note either way. */
static int check_rates(Run *r, const FrameSource *ref, const FrameSource *dis, PipelineResult *res)
{
    char msg[400];
    int e = align_rates(media_name(ref), media_geometry(ref)->fps, media_name(dis), media_geometry(dis)->fps,
                        r->s->fps_mismatch, &r->resample, msg, sizeof(msg));
    if (e) {
        snprintf(r->err, r->n, "%s", msg);
        return e;
    }
    if (!*msg) return 0;
    if (r->resample) notice(r, msg);
    else warning(r, msg);
    add_note(res, msg);
    return 0;
}

static int open_inputs(Run *r, PipelineResult *res)
{
    FrameSource *ref = NULL, *dis = NULL;
    int e = open_sources(r, &ref, &dis);
    if (!e) e = check_rates(r, ref, dis, res);
    if (e) {
        media_close(ref);
        media_close(dis);
        return e;
    }
    return start_readers(r, ref, dis, res);
}

static int skip_frames(Run *r, MediaReader *m, unsigned count)
{
    const VmafxPicture *p;
    for (unsigned i = 0; i < count; i++) {
        if (cancelled(r)) return -ECANCELED;
        int k = media_reader_peek(m, 0, &p, r->err, r->n);
        if (k < 0) return k;
        if (k == 0) {
            snprintf(r->err, r->n, "%s: has only %u frames, cannot skip %u", media_reader_name(m), i, count);
            return -EINVAL;
        }
        media_reader_pop(m);
    }
    return 0;
}

static int apply_sync(Run *r, PipelineResult *res)
{
    MediaSyncResult y;
    int e = media_sync(r->ref, r->dis, r->s->sync_range, &y, r->err, r->n);
    if (e) return e;
    if (y.offset > 0) r->ref_dropped += (unsigned)y.offset;
    else r->dis_dropped += (unsigned)-y.offset;
    char msg[300];
    snprintf(msg, sizeof(msg),
             "sync: offset %+d (%u %s frames dropped; mean luma PSNR %.2f dB over %u frames; "
             "searched +-%u)",
             y.offset, (unsigned)abs(y.offset), y.offset >= 0 ? "reference" : "distorted", y.psnr, y.compared,
             r->s->sync_range);
    notice(r, msg);
    add_note(res, msg);
    return 0;
}

static int prepare_inputs(Run *r, PipelineResult *res)
{
    int seeked = r->seek_ref || r->seek_dis; /* the sources start past the skipped frames */
    int e = seeked ? 0 : skip_frames(r, r->ref, r->s->skip_ref);
    if (!e && !seeked) e = skip_frames(r, r->dis, r->s->skip_dis);
    if (e) return e;
    r->ref_dropped = r->s->skip_ref;
    r->dis_dropped = r->s->skip_dis;
    return r->s->sync ? apply_sync(r, res) : 0;
}

/* Reads the rest of the longer input to report both frame counts (nothing is scored); a
 * failure there still fails the job. */
static int count_rest(Run *r, MediaReader *m, unsigned *total)
{
    const VmafxPicture *p;
    int k = 0;
    while (!cancelled(r) && (k = media_reader_peek(m, 0, &p, r->err, r->n)) == 1) media_reader_pop(m);
    if (cancelled(r)) return -ECANCELED;
    if (k < 0) return k;
    *total = media_reader_frames(m) + (m == r->ref ? r->seek_ref : r->seek_dis);
    return 0;
}

#define POLL_MS 20

/* Waits for the next frame of both inputs, watching both at once so that one failing is
 * reported at once even while the other is stalled (waiting for its stall timeout), and so
 * that a cancel is seen within POLL_MS. */
static int wait_pair(Run *r, const VmafxPicture **rp, const VmafxPicture **dp, int *a, int *b)
{
    *a = *b = MEDIA_PENDING;
    while (*a == MEDIA_PENDING || *b == MEDIA_PENDING) {
        if (cancelled(r)) return -ECANCELED;
        if (*a == MEDIA_PENDING) *a = media_reader_poll(r->ref, 0, rp, POLL_MS, r->err, r->n);
        if (*a < 0) return *a;
        if (*b == MEDIA_PENDING)
            *b = media_reader_poll(r->dis, 0, dp, *a == MEDIA_PENDING ? 0 : POLL_MS, r->err, r->n);
        if (*b < 0) return *b;
    }
    return 0;
}

/* 1: both have a frame; 0: one has ended (the other's rest counted); < 0: error. */
static int next_pair(Run *r, const VmafxPicture **rp, const VmafxPicture **dp)
{
    int a, b;
    int e = wait_pair(r, rp, dp, &a, &b);
    if (e) return e;
    if (a && b) return 1;
    e = a ? count_rest(r, r->ref, &r->ref_frames) : 0;
    if (!e && b) e = count_rest(r, r->dis, &r->dis_frames);
    return e;
}

/* What the progress line can promise: frame_cnt, or the shorter input's expected length
 * after what was skipped. */
static unsigned expected_frames(const Run *r)
{
    unsigned a = media_reader_frames_hint(r->ref), b = media_reader_frames_hint(r->dis);
    if (r->resample) b = (unsigned)(b / r->resample);
    a = a > r->ref_dropped ? a - r->ref_dropped : 0;
    b = b > r->dis_dropped ? b - r->dis_dropped : 0;
    unsigned t = !a ? b : !b ? a : a < b ? a : b;
    return r->s->frame_cnt && (!t || r->s->frame_cnt < t) ? r->s->frame_cnt : t;
}

/* common_bitdepth: the input of the lower depth, widened into r->wide. */
static int widen(Run *r, const VmafxPicture **rp, const VmafxPicture **dp)
{
    const VmafxPicture **low = (*rp)->bpc < r->depth ? rp : (*dp)->bpc < r->depth ? dp : NULL;
    if (!low) return 0;
    if (!r->wide.buf &&
        vmafx_picture_alloc(&r->wide, (*low)->pix_fmt, r->depth, (*low)->w[0], (*low)->h[0])) {
        snprintf(r->err, r->n, "out of memory");
        return -ENOMEM;
    }
    if (pipeline_depth_widen(*low, &r->wide)) {
        snprintf(r->err, r->n, "common bit depth: cannot widen a %u-bit picture to %u bits", (*low)->bpc,
                 r->depth);
        return -EINVAL;
    }
    *low = &r->wide;
    return 0;
}

/* Resampling: drops the distorted frames before the one shown at reference frame k's time
 * (a frame stays for several reference frames when the distorted rate is lower).
 * 1, 0 when the distorted has ended (the reference's rest counted), < 0 on error. */
static int resample_to(Run *r, unsigned k)
{
    const VmafxPicture *p;
    for (; align_resampled_slot(r->dis_pos + 1, r->resample) <= k; r->dis_pos++) {
        if (cancelled(r)) return -ECANCELED;
        int e = media_reader_peek(r->dis, 0, &p, r->err, r->n);
        if (e < 0) return e;
        if (e == 0) return count_rest(r, r->ref, &r->ref_frames);
        media_reader_pop(r->dis);
    }
    return 1;
}

/* Nothing was skipped or searched: the pairs feed the out-of-step hint. */
static int hint_wanted(const Run *r)
{
    return !r->s->sync && !r->s->skip_ref && !r->s->skip_dis && !r->resample && !r->s->chunk;
}

static unsigned chunk_first(const PipelineSpec *s)
{
    return s->chunk ? s->chunk->first : 0;
}

/* The first picture a chunk feeds the engine: its history frames, scored by nothing. */
static unsigned warm_start(const PipelineSpec *s)
{
    unsigned first = chunk_first(s);
    return first > PIPELINE_CHUNK_HISTORY ? first - PIPELINE_CHUNK_HISTORY : 0;
}

static int more_frames(const PipelineSpec *s, unsigned k)
{
    return (!s->frame_cnt || k < s->frame_cnt) && (!s->chunk || !s->chunk->end || k < s->chunk->end);
}

static void chunk_progress(Run *r, unsigned k, double secs)
{
    unsigned first = chunk_first(r->s), total = expected_frames(r);
    if (r->s->chunk && r->s->chunk->end && (!total || r->s->chunk->end < total)) total = r->s->chunk->end;
    if (k + 1 > first) r->h->progress(r->h->user, k + 1 - first, total > first ? total - first : 0, secs);
}

/* Hands the pair to the engine without copying: the queued pictures (and the widened one,
 * rewritten every frame) are exchanged for the engine's spare pictures, then popped. A
 * resampled distorted frame stays queued for several reference frames, so it is copied. */
static int score_pair(Run *r, VmafxContext *ctx, const VmafxPicture *rp, const VmafxPicture *dp)
{
    if (r->resample) return vmafx_score_pictures(ctx, rp, dp);
    VmafxPicture *ref = rp == &r->wide ? &r->wide : media_reader_front(r->ref);
    VmafxPicture *dis = dp == &r->wide ? &r->wide : media_reader_front(r->dis);
    if (ref != rp || dis != dp) return vmafx_score_pictures(ctx, rp, dp); /* not expected */
    return vmafx_score_pictures_swap(ctx, ref, dis);
}

static int score_loop(Run *r, VmafxContext *ctx, PipelineResult *res, double t0)
{
    unsigned warm = warm_start(r->s), first = chunk_first(r->s);
    unsigned k = r->seek_ref ? warm : 0; /* the job frame the inputs start at */
    for (; more_frames(r->s, k); k++) {
        if (cancelled(r)) return -ECANCELED;
        const VmafxPicture *rp, *dp;
        int e = r->resample ? resample_to(r, k) : 1;
        if (e > 0) e = next_pair(r, &rp, &dp);
        if (e < 0) return e;
        if (e == 0) {
            r->ended = 1;
            break;
        }
        if (r->depth && (e = widen(r, &rp, &dp))) return e;
        if (hint_wanted(r)) align_hint_add(&r->hint, k, rp, dp); /* before scoring takes them */
        if (k >= warm && (e = score_pair(r, ctx, rp, dp))) {
            snprintf(r->err, r->n, "scoring: %s", vmafx_last_error(ctx));
            return e;
        }
        media_reader_pop(r->ref);
        if (!r->resample) media_reader_pop(r->dis);
        if (r->h->progress) chunk_progress(r, k, mono_now() - t0);
    }
    res->scored = k > first ? k - first : 0;
    if (!r->ref_frames) r->ref_frames = media_reader_frames(r->ref) + r->seek_ref;
    if (!r->dis_frames) r->dis_frames = media_reader_frames(r->dis) + r->seek_dis;
    if (res->scored || first) return 0; /* a chunk the inputs end before: empty (chunk.h) */
    if (r->s->chunk)
        snprintf(r->err, r->n, "no frames to score from frame %u: %s has %u, %s has %u after skipping", first,
                 media_reader_name(r->ref), r->ref_frames, media_reader_name(r->dis), r->dis_frames);
    else
        snprintf(r->err, r->n, "no frames to score: %s has %u, %s has %u after skipping",
                 media_reader_name(r->ref), r->ref_frames, media_reader_name(r->dis), r->dis_frames);
    return -EINVAL;
}

static void fill_info(Run *r, PipelineResult *res, double secs)
{
    unsigned ref_n = r->ref_frames - r->ref_dropped, dis_n = r->dis_frames - r->dis_dropped;
    /* resampled: the distorted's length at the reference's rate decides */
    double dis_at_ref = r->resample ? dis_n / r->resample : dis_n;
    /* a chunk that stops before the inputs end has not seen where they end */
    int open_end = !r->s->chunk || r->ended;
    int differ = open_end && !r->s->frame_cnt && fabs(dis_at_ref - ref_n) >= (r->resample ? 1.5 : 0.5);
    char msg[400];
    if (hint_wanted(r) && align_hint_text(&r->hint, msg, sizeof(msg))) {
        warning(r, msg);
        add_note(res, msg);
    }
    if (differ) {
        snprintf(msg, sizeof(msg), "reference has %u frames, distorted has %u: scored the %u common frames",
                 ref_n, dis_n, res->scored);
        warning(r, msg);
    }
    res->info = (VmafxReportInfo){ .fps = secs > 0 ? res->scored / secs : 0,
                                   .frames_ref = differ ? ref_n : 0,
                                   .frames_dis = differ ? dis_n : 0,
                                   .note = *res->note ? res->note : NULL };
}

/* A finite model can still overflow (a tiny score slope): a NaN or infinite score fails
 * the run, so neither `vmafx score` exits 0 nor a job completes with one. */
static int scores_finite(const VmafxContext *ctx, char *err, size_t n)
{
    for (unsigned i = 0; vmafx_model_name(ctx, i); i++) {
        double mean;
        if (vmafx_feature_pooled(ctx, vmafx_model_name(ctx, i), VMAFX_POOL_MEAN, &mean) || isfinite(mean))
            continue;
        snprintf(err, n, "model %s: the score is not a finite number (%f)", vmafx_model_name(ctx, i), mean);
        return -ERANGE;
    }
    return 0;
}

/* A chunk whose inputs end before its first frame (a frame count from a container's header
 * can exceed the frames that decode; the count is only a lower bound): an empty chunk, which
 * the merge takes as lying past the job's end. The frame counts it did not see stay 0. */
static int past_end_notice(Run *r)
{
    char msg[700];
    snprintf(msg, sizeof(msg), "%s: the inputs end before the chunk's first frame %u (an empty chunk)",
             r->err, chunk_first(r->s));
    *r->err = 0;
    notice(r, msg);
    return 0;
}

int pipeline_run(VmafxContext *ctx, const PipelineSpec *s, const PipelineHooks *h, PipelineResult *res,
                 char *err, size_t n)
{
    Run r = { .s = s, .h = h, .err = err, .n = n, .luma_only = !vmafx_reads_chroma(ctx) };
    memset(res, 0, sizeof(*res));
    *err = 0;
    int e = open_inputs(&r, res);
    const int past_end = e == MEDIA_ENDED_EARLY && chunk_first(s);
    if (past_end) e = past_end_notice(&r);
    if (!e && !past_end) e = prepare_inputs(&r, res);
    double t0 = mono_now();
    if (!e && !past_end) e = score_loop(&r, ctx, res, t0);
    double secs = mono_now() - t0;
    if (!e && cancelled(&r)) e = -ECANCELED;
    /* from here res->scored 0 is an empty chunk: nothing to flush */
    if (!e && res->scored && (e = vmafx_flush(ctx))) snprintf(err, n, "scoring: %s", vmafx_last_error(ctx));
    if (!e && res->scored) e = scores_finite(ctx, err, n);
    if (!e && !past_end) fill_info(&r, res, secs);
    media_reader_stop(r.ref);
    media_reader_stop(r.dis);
    if (r.wide.buf) vmafx_picture_free(&r.wide);
    align_hint_free(&r.hint);
    if (e == -ECANCELED) snprintf(err, n, "cancelled");
    return e;
}
