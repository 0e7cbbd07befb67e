/* The scoring context's life cycle and frame loop: extractor states per worker, the runner
 * that hands them picture pairs, model prediction at flush. */
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "context_impl.h"

int ctx_fail(VmafxContext *ctx, int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(ctx->err, sizeof(ctx->err), fmt, ap);
    va_end(ap);
    return code;
}

int vmafx_init(VmafxContext **out, const VmafxConfig *cfg)
{
    if (!out) return -EINVAL;
    VmafxContext *ctx = calloc(1, sizeof(*ctx));
    if (!ctx) return -ENOMEM;
    if (cfg) ctx->cfg = *cfg;
    if (ctx->cfg.subsample == 0) ctx->cfg.subsample = 1;
    kernels_init(&ctx->kernels, ctx->cfg.cpu);
    pthread_mutex_init(&ctx->err_lock, NULL);
    int err = collector_new(&ctx->fc);
    if (err) {
        free(ctx);
        return err;
    }
    *out = ctx;
    return 0;
}

void ctx_close_instance(Instance *in, unsigned n_workers)
{
    for (unsigned w = 0; in->priv && w < n_workers; w++) {
        if (in->priv[w] && in->fx->close) in->fx->close(in->priv[w]);
        free(in->priv[w]);
    }
    free(in->priv);
    in->priv = NULL;
    for (unsigned k = 0; k < EXTRACTOR_MAX_OPTIONS; k++) {
        free(in->text[k]);
        in->text[k] = NULL;
    }
}

void vmafx_close(VmafxContext *ctx)
{
    if (!ctx) return;
    runner_free(ctx->runner);
    for (unsigned i = 0; i < ctx->n_inst; i++) ctx_close_instance(&ctx->inst[i], ctx->n_workers);
    for (unsigned i = 0; i < ctx->n_models; i++) model_free(ctx->models[i].model);
    collector_free(ctx->fc);
    pthread_mutex_destroy(&ctx->err_lock);
    free(ctx);
}

const char *vmafx_last_error(const VmafxContext *ctx)
{
    return ctx ? ctx->err : "no context";
}
static int init_instance(VmafxContext *ctx, Instance *in, unsigned *history)
{
    char why[256] = "";
    ExtractorParams p = {
        .w = ctx->w,
        .h = ctx->h,
        .bpc = ctx->bpc,
        .pix_fmt = ctx->pix_fmt,
        .suffix = in->suffix,
        .kernels = &ctx->kernels,
        .text = (const char *const *)in->text,
        .files = ctx->cfg.files,
        .why = why,
        .why_len = sizeof(why),
        .history = history,
    };
    memcpy(p.opt, in->opt, sizeof(p.opt));
    if (!(in->priv = calloc(ctx->n_workers, sizeof(*in->priv))))
        return ctx_fail(ctx, -ENOMEM, "out of memory");
    for (unsigned w = 0; w < ctx->n_workers; w++) {
        if (!(in->priv[w] = calloc(1, in->fx->priv_size ? in->fx->priv_size : 1)))
            return ctx_fail(ctx, -ENOMEM, "out of memory");
        int err = in->fx->init(in->priv[w], &p);
        if (err) {
            free(in->priv[w]);
            in->priv[w] = NULL;
            if (why[0])
                return ctx_fail(ctx, err, "feature %s cannot score %ux%u %u-bit pictures: %s", in->fx->name,
                                ctx->w, ctx->h, ctx->bpc, why);
            return ctx_fail(ctx, err, "feature %s cannot score %ux%u %u-bit pictures%s", in->fx->name, ctx->w,
                            ctx->h, ctx->bpc,
                            err == -ERANGE ? ": the picture is too small for it"
                            : err == -EDOM ? ": an option value it does not support"
                                           : "");
        }
    }
    return 0;
}

/* Runs every extractor due at this frame with the worker's own extractor states. */
static int score_frame(void *arg, unsigned worker, const FrameInput *in)
{
    VmafxContext *ctx = arg;
    if (in->index < ctx->cfg.score_from) return 0; /* a chunk's warm-up: history only */
    int scored = in->index % ctx->cfg.subsample == 0;
    for (unsigned i = 0; i < ctx->n_inst; i++) {
        const FeatureExtractor *fx = ctx->inst[i].fx;
        if (!scored && !(fx->flags & EXTRACTOR_EVERY_FRAME)) continue;
        int err = fx->extract(ctx->inst[i].priv[worker], in, ctx->fc);
        if (err) {
            pthread_mutex_lock(&ctx->err_lock);
            if (!ctx->worker_err[0])
                snprintf(ctx->worker_err, sizeof(ctx->worker_err), "frame %u: feature %s failed (%s)",
                         in->index, fx->name, strerror(-err));
            pthread_mutex_unlock(&ctx->err_lock);
            return err;
        }
    }
    return 0;
}

static int init_instances(VmafxContext *ctx, enum VmafxPixelFormat fmt, unsigned bpc, unsigned w, unsigned h,
                          unsigned *history)
{
    ctx->w = w;
    ctx->h = h;
    ctx->bpc = bpc;
    ctx->pix_fmt = fmt;
    ctx->n_workers = ctx->cfg.n_threads > 1 ? ctx->cfg.n_threads : 1;
    *history = 1;
    for (unsigned i = 0; i < ctx->n_inst; i++) {
        int err = init_instance(ctx, &ctx->inst[i], history);
        if (err) return err;
    }
    return 0;
}

static int start(VmafxContext *ctx, const VmafxPicture *ref)
{
    unsigned history;
    int err = init_instances(ctx, ref->pix_fmt, ref->bpc, ref->w[0], ref->h[0], &history);
    if (err) return err;
    err = runner_new(&ctx->runner, ctx->n_workers > 1 ? ctx->n_workers : 0, history, ref, score_frame, ctx);
    if (err) return ctx_fail(ctx, err, "cannot start %u worker threads", ctx->n_workers);
    runner_start_at(ctx->runner, ctx->cfg.start_index);
    ctx->n_frames = ctx->cfg.start_index;
    for (unsigned i = 0; i < ctx->n_inst; i++)
        if ((ctx->inst[i].fx->flags & EXTRACTOR_PREV_DIS) && (err = runner_want_prev_dis(ctx->runner)))
            return ctx_fail(ctx, err, "out of memory");
    ctx->started = 1;
    return 0;
}

static int same_geometry(const VmafxContext *ctx, const VmafxPicture *p)
{
    return p->w[0] == ctx->w && p->h[0] == ctx->h && p->bpc == ctx->bpc && p->pix_fmt == ctx->pix_fmt;
}

static int worker_failed(VmafxContext *ctx, int err)
{
    pthread_mutex_lock(&ctx->err_lock);
    ctx_fail(ctx, err, "%s", ctx->worker_err[0] ? ctx->worker_err : "scoring failed");
    pthread_mutex_unlock(&ctx->err_lock);
    return err;
}

static int score_pair(VmafxContext *ctx, VmafxPicture *ref, VmafxPicture *dis, int take)
{
    if (!ctx || !ref || !dis) return -EINVAL;
    if (ctx->flushed) return ctx_fail(ctx, -EINVAL, "the context was already flushed");
    if (ref->w[0] != dis->w[0] || ref->h[0] != dis->h[0] || ref->bpc != dis->bpc ||
        ref->pix_fmt != dis->pix_fmt)
        return ctx_fail(ctx, -EINVAL, "reference and distorted pictures differ in size, format or bit depth");
    if (!ctx->started) {
        int err = start(ctx, ref);
        if (err) return err;
    } else if (!ctx->runner) {
        return ctx_fail(ctx, -EINVAL, "a merging context scores no pictures");
    } else if (!same_geometry(ctx, ref)) {
        return ctx_fail(ctx, -EINVAL, "frame %u: picture geometry changed mid-stream", ctx->n_frames);
    }
    int err = runner_submit(ctx->runner, ref, dis, ctx->n_frames, take);
    if (err) return worker_failed(ctx, err);
    ctx->n_frames++;
    return 0;
}

int vmafx_score_pictures(VmafxContext *ctx, const VmafxPicture *ref, const VmafxPicture *dis)
{
    /* without take the runner only reads the pictures */
    return score_pair(ctx, (VmafxPicture *)ref, (VmafxPicture *)dis, 0);
}

int vmafx_score_pictures_swap(VmafxContext *ctx, VmafxPicture *ref, VmafxPicture *dis)
{
    return score_pair(ctx, ref, dis, 1);
}

static int predict_models(VmafxContext *ctx)
{
    for (unsigned m = 0; m < ctx->n_models; m++) {
        ModelSlot *slot = &ctx->models[m];
        if (slot->boot_n) { /* a bootstrap collection: scored by bootstrap.c */
            m += slot->boot_n - 1;
            continue;
        }
        unsigned nf = model_feature_count(slot->model);
        for (unsigned i = 0; i < ctx->n_frames; i += ctx->cfg.subsample) {
            double x[MODEL_MAX_FEATURES];
            for (unsigned f = 0; f < nf; f++)
                if (collector_get(ctx->fc, slot->feature[f], i, &x[f]))
                    return ctx_fail(ctx, -EINVAL, "model %s: feature %s missing at frame %u", slot->name,
                                    slot->feature[f], i);
            int err = collector_put(ctx->fc, slot->name, i, model_predict(slot->model, x));
            if (err) return ctx_fail(ctx, err, "model %s: cannot store score of frame %u", slot->name, i);
        }
    }
    return 0;
}

int vmafx_flush(VmafxContext *ctx)
{
    if (!ctx) return -EINVAL;
    if (ctx->flushed) return 0;
    if (ctx->n_frames <= ctx->cfg.score_from) return ctx_fail(ctx, -ENODATA, "no frames were scored");
    int err = runner_finish(ctx->runner);
    if (err) return worker_failed(ctx, err);
    if (ctx->cfg.partial) { /* a chunk: its raw values are merged with the others' */
        collector_sort(ctx->fc);
        ctx->flushed = 1;
        return 0;
    }
    for (int early = 1; early >= 0; early--)
        for (unsigned i = 0; i < ctx->n_inst; i++) {
            Instance *in = &ctx->inst[i];
            if (!in->fx->flush || !(in->fx->flags & EXTRACTOR_EARLY_FLUSH) != !early) continue;
            err = in->fx->flush(in->priv[0], ctx->fc, ctx->n_frames);
            if (err) return ctx_fail(ctx, err, "feature %s: flush failed", in->fx->name);
        }
    if ((err = predict_models(ctx))) return err;
    if ((err = ctx_predict_bootstrap(ctx))) return err;
    collector_sort(ctx->fc);
    ctx->flushed = 1;
    return 0;
}

int vmafx_merge_begin(VmafxContext *ctx, enum VmafxPixelFormat fmt, unsigned bpc, unsigned w, unsigned h)
{
    if (!ctx) return -EINVAL;
    if (ctx->started) return ctx_fail(ctx, -EINVAL, "a merge must begin before anything is scored");
    ctx->cfg.n_threads = 1; /* flush reads the first worker's extractor states only */
    unsigned history;
    int err = init_instances(ctx, fmt, bpc, w, h, &history);
    if (err) return err;
    ctx->started = 1; /* no runner: vmafx_score_pictures is refused below */
    return 0;
}

int vmafx_merge_end(VmafxContext *ctx, unsigned n_frames)
{
    if (!ctx || !ctx->started || ctx->runner) return -EINVAL;
    ctx->n_frames = n_frames;
    return vmafx_flush(ctx);
}
