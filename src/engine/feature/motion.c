/* Integer motion, bit-exact with libvmaf's "motion" extractor (spec section 5).
 *
 * Per frame n >= 1 the SAD of the low-passed difference of the luma planes of the reference
 * pictures n-1 and n ("VMAF_integer_feature_motion_sad_score"; 0 at frame 0); with
 * motion_five_frame_window (the HFR models) of the pictures n-2 and n, from frame 2 on. The
 * model feature motion2 needs the SAD of the next frame, so motion2 and motion3 are derived
 * from the stored SAD series at flush. extract() keeps no history between frames: everything
 * it needs arrives in FrameInput (prev_ref, prev_prev_ref), so frames may be scored out of
 * order.
 *
 * The per-pixel work is in the row kernels of motion_kernels.h (scalar or SIMD, chosen in
 * init); this file walks the rows and mirrors the picture edges. */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "extractor.h"
#include "motion_kernels.h"
#include "prefetch.h"

#define NAME_LEN 128
#define TAPS MOTION_TAPS
#define HALF MOTION_HALF

enum { F_SAD, F_MOTION, F_MOTION2, F_MOTION3, N_FEATURES };

static const char *const provides[N_FEATURES + 1] = { "VMAF_integer_feature_motion_sad_score",
                                                      "VMAF_integer_feature_motion_score",
                                                      "VMAF_integer_feature_motion2_score",
                                                      "VMAF_integer_feature_motion3_score", NULL };

enum {
    /* clang-format off */
    OPT_FORCE_ZERO, OPT_BLEND_FACTOR, OPT_BLEND_OFFSET, OPT_FPS_WEIGHT, OPT_MAX_VAL,
    OPT_MOVING_AVERAGE, OPT_DEBUG, OPT_FIVE_FRAME, N_OPTIONS
};
/* clang-format on */

static const ExtractorOption options[N_OPTIONS] = {
    { "motion_force_zero", "force_0", 0, 0, 1, true, true },
    { "motion_blend_factor", "mbf", 1.0, 0.0, 1.0, true, false },
    { "motion_blend_offset", "mbo", 40.0, 0.0, 1000.0, true, false },
    { "motion_fps_weight", "mfw", 1.0, 0.0, 5.0, true, false },
    { "motion_max_val", "mmxv", 10000.0, 0.0, 10000.0, true, false },
    { "motion_moving_average", "mma", 0, 0, 1, true, true },
    { "debug", "debug", 0, 0, 1, false, false },
    { "motion_five_frame_window", "mffw", 0, 0, 1, true, true },
};

typedef struct MotionState {
    unsigned w, h, bpc;
    double blend_factor, blend_offset, fps_weight, max_val;
    bool force_zero, moving_average, debug;
    unsigned first; /* first frame with a SAD: 1, or 2 with the five-frame window */
    MotionKernels k;
    int16_t *y_mem; /* the two halves of the vertical-pass row, padded */
    MotionRow y;
    char name[N_FEATURES][NAME_LEN];
} MotionState;

/* ---- kernel table --------------------------------------------------------------------- */

void motion_kernels_init(MotionKernels *k, enum VmafxCpu level)
{
    *k = (MotionKernels){ motion_vrow_8_c, motion_vrow_16_c, motion_hrow_c };
#if VMAFX_HAVE_X86
    if (cpu_level_avx2(level)) motion_kernels_init_avx2(k);
    if (cpu_level_avx512(level)) motion_kernels_init_avx512(k);
#else
    (void)level;
#endif
}

/* ---- per-frame SAD -------------------------------------------------------------------- */

/* Reflection without repeating the edge sample (spec 0); valid for n > HALF. */
static inline int mirror(int i, int n)
{
    return i < 0 ? -i : i >= n ? 2 * n - 2 - i : i;
}

static void pad_row(int16_t *y, unsigned w)
{
    for (int f = 1; f <= HALF; f++) {
        y[-f] = y[f];
        y[(int)w - 1 + f] = y[(int)w - 1 - f];
    }
}

/* Sum of |blur(prev - cur)| over the luma plane (spec 5). */
static uint64_t frame_sad(const MotionState *s, const VmafxPicture *prev, const VmafxPicture *cur)
{
    const uint8_t *p = prev->data[0], *c = cur->data[0];
    uint64_t sad = 0;
    for (unsigned i = 0; i < s->h; i++) {
        const uint8_t *pr[TAPS], *cr[TAPS];
        for (int k = 0; k < TAPS; k++) {
            int row = mirror((int)i - HALF + k, (int)s->h);
            pr[k] = p + (ptrdiff_t)row * prev->stride[0];
            cr[k] = c + (ptrdiff_t)row * cur->stride[0];
        }
        /* the next row reads one row beyond these five (mirrored rows are cached) */
        if (i + HALF + 1 < s->h) {
            const size_t row_bytes = (size_t)s->w * (s->bpc > 8 ? 2 : 1);
            prefetch_row(p + (ptrdiff_t)(i + HALF + 1) * prev->stride[0], row_bytes);
            prefetch_row(c + (ptrdiff_t)(i + HALF + 1) * cur->stride[0], row_bytes);
        }
        int32_t any;
        if (s->bpc > 8) {
            const uint16_t *pr16[TAPS], *cr16[TAPS];
            for (int k = 0; k < TAPS; k++) {
                pr16[k] = (const uint16_t *)(const void *)pr[k];
                cr16[k] = (const uint16_t *)(const void *)cr[k];
            }
            any = s->k.vrow_16(pr16, cr16, s->w, (int)s->bpc, &s->y);
        } else {
            any = s->k.vrow_8(pr, cr, s->w, &s->y);
        }
        if (!any) continue;
        pad_row(s->y.hi, s->w);
        pad_row(s->y.lo, s->w);
        sad += s->k.hrow(&s->y, s->w);
    }
    return sad;
}

static int extract(void *priv, const FrameInput *in, FeatureCollector *out)
{
    MotionState *s = priv;
    double score = 0.0;
    if (!s->force_zero && in->index >= s->first) {
        const VmafxPicture *prev = s->first == 2 ? in->prev_prev_ref : in->prev_ref;
        if (!prev) return -EINVAL;
        uint64_t sad = frame_sad(s, prev, in->ref);
        score = (double)sad / 256. / (s->w * s->h) * s->fps_weight;
        if (!(score < s->max_val)) score = s->max_val;
    }
    int err = collector_put(out, s->name[F_SAD], in->index, score);
    /* libvmaf's debug "motion" score is the SAD itself */
    if (!err && s->debug) err = collector_put(out, s->name[F_MOTION], in->index, score);
    return err;
}

/* ---- motion2 / motion3 at the end of the stream ---------------------------------------- */

static double blend(const MotionState *s, double m)
{
    double lo = s->blend_offset < m ? s->blend_offset : m;
    return m * s->blend_factor + (1 - s->blend_factor) * lo;
}

static double clip_max(const MotionState *s, double m)
{
    return m < s->max_val ? m : s->max_val;
}

/* motion2 of frame i from the SAD series: the smaller of its own SAD (its five-frame
 * window's previous SAD, i-1) and the next frame's; the own SAD at the last frame; 0 before
 * the first SAD. The five-frame window's first frame has no previous SAD and takes the
 * next frame's (libvmaf). */
static double motion2_at(const MotionState *s, FeatureCollector *out, unsigned i)
{
    if (i < s->first) return 0.0;
    double own, next, lo;
    collector_get(out, s->name[F_SAD], i, &own);
    if (collector_get(out, s->name[F_SAD], i + 1, &next)) return own;
    const unsigned lo_idx = s->first == 2 ? i - 1 : i;
    if (lo_idx < s->first) return next;
    collector_get(out, s->name[F_SAD], lo_idx, &lo);
    return lo < next ? lo : next;
}

/* motion3 is motion2 blended and clipped (optionally averaged with the previous frame's),
 * the frames before the first SAD stamped with the first SAD's value (spec 5 and 14). */
static int flush(void *priv, FeatureCollector *out, unsigned n_frames)
{
    MotionState *s = priv;
    unsigned n = 0;
    double v;
    while (n < n_frames && !collector_get(out, s->name[F_SAD], n, &v)) n++;
    if (n < n_frames) return -EINVAL; /* every frame must have its SAD (EVERY_FRAME) */

    double stamp = 0.0, prev_processed = 0.0;
    if (n > s->first && !collector_get(out, s->name[F_SAD], s->first, &v)) stamp = clip_max(s, blend(s, v));
    for (unsigned i = 0; i < n; i++) {
        const double m2 = motion2_at(s, out, i);
        double m3;
        if (i < s->first) {
            m3 = prev_processed = stamp;
        } else {
            double processed = clip_max(s, blend(s, m2));
            m3 = s->moving_average ? (processed + prev_processed) / 2.0 : processed;
            prev_processed = processed;
        }
        int err = collector_put(out, s->name[F_MOTION2], i, m2);
        if (!err) err = collector_put(out, s->name[F_MOTION3], i, m3);
        if (err) return err;
    }
    return 0;
}

/* ---- life cycle ------------------------------------------------------------------------ */

static int init(void *priv, const ExtractorParams *p)
{
    MotionState *s = priv;
    /* the 5-tap mirrored window needs 3 rows and columns (smaller: libvmaf reads outside) */
    if (p->w < 3 || p->h < 3) return -ERANGE;
    if (p->bpc < 8 || p->bpc > 16) return -EINVAL;
    s->w = p->w;
    s->h = p->h;
    s->bpc = p->bpc;
    s->force_zero = p->opt[OPT_FORCE_ZERO] != 0;
    s->blend_factor = p->opt[OPT_BLEND_FACTOR];
    s->blend_offset = p->opt[OPT_BLEND_OFFSET];
    s->fps_weight = p->opt[OPT_FPS_WEIGHT];
    s->max_val = p->opt[OPT_MAX_VAL];
    s->moving_average = p->opt[OPT_MOVING_AVERAGE] != 0;
    s->debug = p->opt[OPT_DEBUG] != 0;
    s->first = p->opt[OPT_FIVE_FRAME] != 0 ? 2 : 1;
    if (s->first == 2 && p->history && *p->history < 2) *p->history = 2;
    motion_kernels_init(&s->k, p->kernels ? p->kernels->level : VMAFX_CPU_SCALAR);
    for (int f = 0; f < N_FEATURES; f++)
        feature_name(s->name[f], NAME_LEN, provides[f], feature_output_name(provides[f]), p->suffix);
    s->y_mem = calloc(2 * ((size_t)p->w + 2 * HALF), sizeof(*s->y_mem));
    if (!s->y_mem) return -ENOMEM;
    s->y.hi = s->y_mem + HALF;
    s->y.lo = s->y.hi + p->w + 2 * HALF;
    return 0;
}

static void close_motion(void *priv)
{
    MotionState *s = priv;
    free(s->y_mem);
    s->y_mem = NULL;
}

const FeatureExtractor extractor_motion = {
    .name = "motion",
    .provides = provides,
    .options = options,
    .n_options = N_OPTIONS,
    .flags = EXTRACTOR_TEMPORAL | EXTRACTOR_EVERY_FRAME,
    .priv_size = sizeof(MotionState),
    .init = init,
    .extract = extract,
    .flush = flush,
    .close = close_motion,
};
