/* Integer VIF (visual information fidelity), bit-exact with libvmaf's "vif" extractor
 * (spec section 3). Four scales: scale 0 is the luma plane, scale s+1 is scale s low-passed
 * with the scale-(s+1) kernel and decimated 2:1. At every scale local means and (co)variances
 * of reference and distorted picture are taken with the scale's kernel, and per-pixel
 * information terms are summed as fixed-point logs. The integer types and shifts below are
 * part of the definition: they reproduce libvmaf's rounding to the last bit. */
#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "../big_alloc.h"
#include "extractor.h"
#include "vif_kernels.h"

#define N_SCALES 4
#define MAX_TAPS VIF_MAX_TAPS
#define NAME_LEN 128
#define SIGMA_NSQ (65536 << 1) /* noise variance 2 in 8-bit units, Q16 (spec 3.4) */

/* Q16 kernels, one per scale, each summing to 65536 (spec 3.1). */
static const uint16_t filter_s0[17] = { 489,  935,  1640, 2640, 3896, 5274, 6547, 7455, 7784,
                                        7455, 6547, 5274, 3896, 2640, 1640, 935,  489 };
static const uint16_t filter_s1[9] = { 1244, 3663, 7925, 12590, 14692, 12590, 7925, 3663, 1244 };
static const uint16_t filter_s2[5] = { 3571, 16004, 26386, 16004, 3571 };
static const uint16_t filter_s3[3] = { 10904, 43728, 10904 };
static const uint16_t *const filter[N_SCALES] = { filter_s0, filter_s1, filter_s2, filter_s3 };
static const int filter_taps[N_SCALES] = { 17, 9, 5, 3 };

/* Collector features, in libvmaf's order of writing (which is the report order). */
enum {
    /* clang-format off */
    F_SCALE0, F_SCALE1, F_SCALE2, F_SCALE3, F_VIF, F_NUM, F_DEN,
    F_NUM_S0, F_DEN_S0, F_NUM_S1, F_DEN_S1, F_NUM_S2, F_DEN_S2, F_NUM_S3, F_DEN_S3,
    N_FEATURES
};
/* clang-format on */

static const char *const provides[N_FEATURES + 1] = { "VMAF_integer_feature_vif_scale0_score",
                                                      "VMAF_integer_feature_vif_scale1_score",
                                                      "VMAF_integer_feature_vif_scale2_score",
                                                      "VMAF_integer_feature_vif_scale3_score",
                                                      "integer_vif",
                                                      "integer_vif_num",
                                                      "integer_vif_den",
                                                      "integer_vif_num_scale0",
                                                      "integer_vif_den_scale0",
                                                      "integer_vif_num_scale1",
                                                      "integer_vif_den_scale1",
                                                      "integer_vif_num_scale2",
                                                      "integer_vif_den_scale2",
                                                      "integer_vif_num_scale3",
                                                      "integer_vif_den_scale3",
                                                      NULL };

enum { OPT_EGL, OPT_DEBUG, OPT_SKIP_SCALE0, N_OPTIONS };

static const ExtractorOption options[N_OPTIONS] = {
    { "vif_enhn_gain_limit", "egl", 100.0, 1.0, 100.0, true, false },
    { "debug", "debug", 0, 0, 1, false, false },
    { "vif_skip_scale0", "ssclz", 0, 0, 1, true, true },
};

typedef struct VifState {
    unsigned w[N_SCALES], h[N_SCALES], bpc;
    bool debug, skip_scale0;
    VifKernels k;
    VifTermParams tp;
    uint16_t *img_ref[N_SCALES], *img_dis[N_SCALES]; /* scales 1..3; [0] is the picture */
    void *scratch;                                   /* the kernels' row buffers */
    void *mem;                                       /* owns all the buffers above */
    uint16_t log2_tab[VIF_LOG_ENTRIES + VIF_LOG_SLACK];
    VifLog2Arith log2_arith;
    char name[N_FEATURES][NAME_LEN];
} VifState;

/* One scale of the picture pair as the kernels see it. */
typedef struct VifPlanes {
    const uint8_t *ref, *dis;
    ptrdiff_t stride; /* bytes */
    unsigned w, h;
    bool wide; /* uint16_t samples */
} VifPlanes;

/* ---- fixed-point log2 (spec 3.4) ------------------------------------------------------- */

void vif_log2_table_init(uint16_t *tab)
{
    /* single-precision log2 and round-half-away: the table libvmaf builds, bit for bit */
    for (unsigned i = VIF_LOG_BASE; i < 65536; i++)
        tab[i - VIF_LOG_BASE] = (uint16_t)round(log2f((float)i) * 2048);
    for (unsigned i = 0; i < VIF_LOG_SLACK; i++) tab[VIF_LOG_ENTRIES + i] = 0;
}

void vif_log2_arith_init(VifLog2Arith *a)
{
    const double k = 1048576.0 / log(2.0); /* 2^20 / ln 2 */
    for (int i = 0; i < 16; i++) {
        double centre = 1.0 + (i + 0.5) / 16.0;
        a->inv[i] = 1.0 / centre;
        a->base[i] = -1048576.0 * log2(a->inv[i]);
    }
    for (int n = 1; n <= 6; n++) a->poly[n - 1] = (n % 2 ? k : -k) / n;
}

/* 2048 * log2(v) from the top 16 bits of v (v >= 2^15). */
static inline int32_t log2_fixed(const uint16_t *tab, uint64_t v)
{
    int k = 48 - __builtin_clzll(v);
    return tab[(v >> k) - VIF_LOG_BASE] + 2048 * k;
}

const uint16_t *vif_filter_coef(int scale, int *taps)
{
    *taps = filter_taps[scale];
    return filter[scale];
}

/* ---- scalar kernels: the definition ----------------------------------------------------- */

/* Vertical moments of one row (spec 3.3): means and second moments of the reference (x) and
 * distorted (y) picture, shifted to the scale's fixed point; padded by 16 elements both sides. */
typedef struct VifRow {
    uint32_t *mu_x, *mu_y, *xx, *yy, *xy;
} VifRow;

/* Row r of a kernel's scratch, with 16 spare elements in front. */
static uint32_t *scratch_row(void *scratch, unsigned w, int r)
{
    return (uint32_t *)((uint8_t *)scratch + VIF_SCRATCH_PREP + (size_t)r * VIF_SCRATCH_ROW(w)) + 16;
}

static VifRow scratch_moments(void *scratch, unsigned w)
{
    return (VifRow){ scratch_row(scratch, w, 0), scratch_row(scratch, w, 1), scratch_row(scratch, w, 2),
                     scratch_row(scratch, w, 3), scratch_row(scratch, w, 4) };
}

static inline uint64_t round_shift_u64(uint64_t x, int s)
{
    return s ? (x + ((uint64_t)1 << (s - 1))) >> s : x;
}

static void vmoments_8(const uint8_t *const *ref, const uint8_t *const *dis, const VifFilter *f, unsigned w,
                       const VifRow *out)
{
    /* 32-bit sums: 65536 * 255^2 still fits, so 8-bit squares need no shift (spec 13.4) */
    const uint32_t round_mu = 1u << (f->shift_mu - 1);
    for (unsigned j = 0; j < w; j++) {
        uint32_t mx = 0, my = 0, xx = 0, yy = 0, xy = 0;
        for (int k = 0; k < f->taps; k++) {
            uint32_t x = ref[k][j], y = dis[k][j];
            uint32_t cx = f->coef[k] * x, cy = f->coef[k] * y;
            mx += cx;
            my += cy;
            xx += cx * x;
            yy += cy * y;
            xy += cx * y;
        }
        out->mu_x[j] = (mx + round_mu) >> f->shift_mu;
        out->mu_y[j] = (my + round_mu) >> f->shift_mu;
        out->xx[j] = xx;
        out->yy[j] = yy;
        out->xy[j] = xy;
    }
}

static void vmoments_16(const uint16_t *const *ref, const uint16_t *const *dis, const VifFilter *f,
                        unsigned w, const VifRow *out)
{
    const uint32_t round_mu = 1u << (f->shift_mu - 1);
    for (unsigned j = 0; j < w; j++) {
        uint32_t mx = 0, my = 0;
        uint64_t xx = 0, yy = 0, xy = 0;
        for (int k = 0; k < f->taps; k++) {
            uint32_t x = ref[k][j], y = dis[k][j];
            uint32_t cx = f->coef[k] * x, cy = f->coef[k] * y;
            mx += cx;
            my += cy;
            xx += (uint64_t)cx * x;
            yy += (uint64_t)cy * y;
            xy += (uint64_t)cx * y;
        }
        out->mu_x[j] = (uint16_t)((mx + round_mu) >> f->shift_mu);
        out->mu_y[j] = (uint16_t)((my + round_mu) >> f->shift_mu);
        out->xx[j] = (uint32_t)round_shift_u64(xx, f->shift_sq);
        out->yy[j] = (uint32_t)round_shift_u64(yy, f->shift_sq);
        out->xy[j] = (uint32_t)round_shift_u64(xy, f->shift_sq);
    }
}

/* Rounded high half of a 32x32-bit product: mu^2 at the variance's scale (spec 3.3). */
static inline uint32_t mul_hi_round(uint32_t a, uint32_t b)
{
    return (uint32_t)(((uint64_t)a * b + 2147483648u) >> 32);
}

/* Per-pixel information terms of spec 3.4 for one pixel's variances. */
static inline void add_terms(int32_t sxx, int32_t syy, int32_t sxy, const VifTermParams *tp, VifSums *acc)
{
    if (syy < 0) syy = 0;
    if (sxx < SIGMA_NSQ) { /* flat reference: the linear term */
        acc->num_non_log += syy;
        acc->den_non_log++;
        return;
    }
    acc->den_log += log2_fixed(tp->log2_tab, (uint32_t)(SIGMA_NSQ + sxx)) - 2048 * 17;
    if (sxy <= 0 || syy <= 0) return;
    /* double arithmetic in exactly libvmaf's order; no contraction to fma (-ffp-contract=off) */
    const double eps = 65536 * 1.0e-10;
    double g = sxy / (sxx + eps);
    int32_t sv = (int32_t)(syy - g * sxy);
    if (sv < 0) sv = 0;
    if (!(g < tp->gain_limit)) g = tp->gain_limit;
    uint32_t n1 = (uint32_t)(sv + SIGMA_NSQ);
    int64_t n2 = (int64_t)(g * g * sxx) + n1;
    acc->num_log += log2_fixed(tp->log2_tab, (uint64_t)n2) - log2_fixed(tp->log2_tab, n1);
}

static void hterms(const VifRow *row, const uint16_t *coef, int taps, unsigned w, const VifTermParams *tp,
                   VifSums *sums)
{
    const int half = taps / 2;
    VifSums acc = *sums;
    for (unsigned j = 0; j < w; j++) {
        uint32_t mx = 0, my = 0;
        uint64_t xx = 0, yy = 0, xy = 0;
        for (int k = 0; k < taps; k++) {
            const ptrdiff_t c = (ptrdiff_t)j - half + k;
            mx += coef[k] * row->mu_x[c];
            my += coef[k] * row->mu_y[c];
            xx += (uint64_t)coef[k] * row->xx[c];
            yy += (uint64_t)coef[k] * row->yy[c];
            xy += (uint64_t)coef[k] * row->xy[c];
        }
        /* unsigned differences reinterpreted as int32, as libvmaf stores them */
        int32_t sxx = (int32_t)((uint32_t)((xx + 32768) >> 16) - mul_hi_round(mx, mx));
        int32_t syy = (int32_t)((uint32_t)((yy + 32768) >> 16) - mul_hi_round(my, my));
        int32_t sxy = (int32_t)((uint32_t)((xy + 32768) >> 16) - mul_hi_round(mx, my));
        add_terms(sxx, syy, sxy, tp, &acc);
    }
    *sums = acc;
}

/* Fills the spare elements left and right of a row by mirroring (spec 3.1). */
static void pad_row(uint32_t *r, unsigned w, int half)
{
    for (int f = 1; f <= half; f++) {
        r[-f] = r[f];
        r[(int)w - 1 + f] = r[(int)w - 1 - f];
    }
}

static void pad_moments(const VifRow *row, unsigned w, int half)
{
    pad_row(row->mu_x, w, half);
    pad_row(row->mu_y, w, half);
    pad_row(row->xx, w, half);
    pad_row(row->yy, w, half);
    pad_row(row->xy, w, half);
}

static void stats_row_8(const uint8_t *const *ref, const uint8_t *const *dis, unsigned w, const VifFilter *f,
                        void *scratch, const VifTermParams *tp, VifSums *sums)
{
    VifRow row = scratch_moments(scratch, w);
    vmoments_8(ref, dis, f, w, &row);
    pad_moments(&row, w, f->taps / 2);
    hterms(&row, f->coef, f->taps, w, tp, sums);
}

static void stats_row_16(const uint16_t *const *ref, const uint16_t *const *dis, unsigned w,
                         const VifFilter *f, void *scratch, const VifTermParams *tp, VifSums *sums)
{
    VifRow row = scratch_moments(scratch, w);
    vmoments_16(ref, dis, f, w, &row);
    pad_moments(&row, w, f->taps / 2);
    hterms(&row, f->coef, f->taps, w, tp, sums);
}

/* The vertical low-pass for both sample types; 32-bit sums suffice (65536 * 65535). */
/* clang-format off */
#define DEFINE_VBLUR(NAME, T)                                                              \
    static void NAME(const T *const *ref, const T *const *dis, const VifFilter *f,        \
                     unsigned w, uint32_t *out_ref, uint32_t *out_dis)                     \
    {                                                                                      \
        const uint32_t rnd = 1u << (f->shift_mu - 1);                                      \
        for (unsigned j = 0; j < w; j++) {                                                 \
            uint32_t a = 0, b = 0;                                                         \
            for (int k = 0; k < f->taps; k++) {                                            \
                a += f->coef[k] * (uint32_t)ref[k][j];                                     \
                b += f->coef[k] * (uint32_t)dis[k][j];                                     \
            }                                                                              \
            out_ref[j] = (uint16_t)((a + rnd) >> f->shift_mu);                             \
            out_dis[j] = (uint16_t)((b + rnd) >> f->shift_mu);                             \
        }                                                                                  \
    }
/* clang-format on */

DEFINE_VBLUR(vblur_8, uint8_t)
DEFINE_VBLUR(vblur_16, uint16_t)

/* Horizontal low-pass of padded rows evaluated at even columns only: out[j] = blur(2j). */
static void hblur_decimate(const uint32_t *ref, const uint32_t *dis, const uint16_t *coef, int taps,
                           unsigned w_out, uint16_t *out_ref, uint16_t *out_dis)
{
    const int half = taps / 2;
    for (unsigned j = 0; j < w_out; j++) {
        uint32_t a = 0, b = 0;
        for (int k = 0; k < taps; k++) {
            const ptrdiff_t c = 2 * (ptrdiff_t)j - half + k;
            a += coef[k] * ref[c];
            b += coef[k] * dis[c];
        }
        out_ref[j] = (uint16_t)((a + 32768) >> 16);
        out_dis[j] = (uint16_t)((b + 32768) >> 16);
    }
}

static void down_row_8(const uint8_t *const *ref, const uint8_t *const *dis, unsigned w, const VifFilter *f,
                       void *scratch, uint16_t *out_ref, uint16_t *out_dis)
{
    uint32_t *br = scratch_row(scratch, w, 0), *bd = scratch_row(scratch, w, 1);
    vblur_8(ref, dis, f, w, br, bd);
    pad_row(br, w, f->taps / 2);
    pad_row(bd, w, f->taps / 2);
    hblur_decimate(br, bd, f->coef, f->taps, w / 2, out_ref, out_dis);
}

static void down_row_16(const uint16_t *const *ref, const uint16_t *const *dis, unsigned w,
                        const VifFilter *f, void *scratch, uint16_t *out_ref, uint16_t *out_dis)
{
    uint32_t *br = scratch_row(scratch, w, 0), *bd = scratch_row(scratch, w, 1);
    vblur_16(ref, dis, f, w, br, bd);
    pad_row(br, w, f->taps / 2);
    pad_row(bd, w, f->taps / 2);
    hblur_decimate(br, bd, f->coef, f->taps, w / 2, out_ref, out_dis);
}

void vif_kernels_init(VifKernels *k, enum VmafxCpu level)
{
    /* the scalar kernels define the results; SIMD siblings replace them level by level */
    *k = (VifKernels){ stats_row_8, stats_row_16, down_row_8, down_row_16, NULL };
#if VMAFX_HAVE_X86
    /* each SIMD table holds every VIF kernel: exactly one of them replaces the scalar ones */
    if (level == VMAFX_CPU_AVX512VNNI) vif_kernels_avx512_vnni(k);
    else if (cpu_level_avx512(level)) vif_kernels_avx512(k);
    else if (level == VMAFX_CPU_AVX2VNNI) vif_kernels_avx2_vnni(k);
    else if (cpu_level_avx2(level)) vif_kernels_avx2(k);
#else
    (void)level;
#endif
}

/* ---- driver --------------------------------------------------------------------------- */

/* Reflection without repeating the edge sample (spec 0); valid for n > taps/2. */
static inline int mirror(int i, int n)
{
    return i < 0 ? -i : i >= n ? 2 * n - 2 - i : i;
}

/* Rows of the vertical tap window centred on row i, mirrored at the picture edges. */
static void tap_rows(const VifPlanes *pl, int i, int taps, const void **ref, const void **dis)
{
    for (int k = 0; k < taps; k++) {
        ptrdiff_t off = (ptrdiff_t)mirror(i - taps / 2 + k, (int)pl->h) * pl->stride;
        ref[k] = pl->ref + off;
        dis[k] = pl->dis + off;
    }
}

static VifPlanes scale_planes(const VifState *s, const FrameInput *in, int scale)
{
    if (scale == 0)
        return (VifPlanes){ in->ref->data[0], in->dis->data[0], in->ref->stride[0],
                            s->w[0],          s->h[0],          s->bpc > 8 };
    return (VifPlanes){ (const uint8_t *)s->img_ref[scale],
                        (const uint8_t *)s->img_dis[scale],
                        (ptrdiff_t)(s->w[scale] * sizeof(uint16_t)),
                        s->w[scale],
                        s->h[scale],
                        true };
}

/* Integer sums of spec 3.4 over one scale. */
static VifSums scale_sums(VifState *s, const VifPlanes *pl, int scale)
{
    /* scale 0 above 8 bits is brought to the 8-bit scale here (spec 3.3); scales >= 1 are Q16 */
    VifFilter f = { filter[scale], filter_taps[scale], scale ? 16 : (int)s->bpc,
                    scale ? 16 : 2 * ((int)s->bpc - 8), 0 };
    const void *r[MAX_TAPS], *d[MAX_TAPS];
    VifSums sums = { 0 };
    for (unsigned i = 0; i < pl->h; i++) {
        f.row = i;
        tap_rows(pl, (int)i, f.taps, r, d);
        if (pl->wide)
            s->k.stats_16((const uint16_t *const *)r, (const uint16_t *const *)d, pl->w, &f, s->scratch,
                          &s->tp, &sums);
        else
            s->k.stats_8((const uint8_t *const *)r, (const uint8_t *const *)d, pl->w, &f, s->scratch, &s->tp,
                         &sums);
    }
    return sums;
}

/* Scale s+1 from scale s (spec 3.2): the next scale's kernel, kept at even rows/columns. */
static void downsample(VifState *s, const VifPlanes *pl, int scale)
{
    const int next = scale + 1;
    const VifFilter f = { filter[next], filter_taps[next], scale ? 16 : (int)s->bpc, 0, 0 };
    const void *r[MAX_TAPS], *d[MAX_TAPS];
    for (unsigned i = 0; i < s->h[next]; i++) {
        tap_rows(pl, 2 * (int)i, f.taps, r, d);
        uint16_t *out_r = s->img_ref[next] + (size_t)i * s->w[next];
        uint16_t *out_d = s->img_dis[next] + (size_t)i * s->w[next];
        if (pl->wide)
            s->k.down_16((const uint16_t *const *)r, (const uint16_t *const *)d, pl->w, &f, s->scratch, out_r,
                         out_d);
        else
            s->k.down_8((const uint8_t *const *)r, (const uint8_t *const *)d, pl->w, &f, s->scratch, out_r,
                        out_d);
    }
}

typedef struct VifScore {
    float num, den;
} VifScore;

/* Spec 3.5: double expressions of the integer sums, each rounded to float. */
static VifScore scale_score(const VifSums *a)
{
    VifScore v;
    v.num = (float)(a->num_log / 2048.0 + (a->den_non_log - (a->num_non_log / 16384.0) / 65025.0));
    v.den = (float)(a->den_log / 2048.0 + a->den_non_log);
    return v;
}

static int put(const VifState *s, FeatureCollector *out, int f, unsigned frame, double v)
{
    return collector_put(out, s->name[f], frame, v);
}

static int write_scores(const VifState *s, FeatureCollector *out, unsigned frame, const VifScore *sc)
{
    int err = 0;
    for (int i = 0; i < N_SCALES && !err; i++) {
        /* a skipped scale 0 reads 0; the division is in float (spec 3.5) */
        float v = i == 0 && s->skip_scale0 ? 0.0f : sc[i].num / sc[i].den;
        err = put(s, out, F_SCALE0 + i, frame, v);
    }
    if (err || !s->debug) return err;
    double num = 0, den = 0;
    for (int i = s->skip_scale0 ? 1 : 0; i < N_SCALES; i++) {
        num += sc[i].num;
        den += sc[i].den;
    }
    if ((err = put(s, out, F_VIF, frame, den == 0.0 ? 1.0 : num / den)) ||
        (err = put(s, out, F_NUM, frame, num)) || (err = put(s, out, F_DEN, frame, den)))
        return err;
    for (int i = 0; i < N_SCALES && !err; i++) {
        bool skip = i == 0 && s->skip_scale0;
        err = put(s, out, F_NUM_S0 + 2 * i, frame, skip ? 0.0 : sc[i].num);
        if (!err) err = put(s, out, F_DEN_S0 + 2 * i, frame, skip ? -1.0 : sc[i].den);
    }
    return err;
}

static int extract(void *priv, const FrameInput *in, FeatureCollector *out)
{
    VifState *s = priv;
    VifScore sc[N_SCALES] = { { 0, 0 } };
    for (int scale = 0; scale < N_SCALES; scale++) {
        VifPlanes pl = scale_planes(s, in, scale);
        if (scale > 0 || !s->skip_scale0) {
            VifSums sums = scale_sums(s, &pl, scale);
            sc[scale] = scale_score(&sums);
        }
        if (scale + 1 < N_SCALES) downsample(s, &pl, scale);
    }
    return write_scores(s, out, in->index, sc);
}

static size_t round64(size_t n)
{
    return (n + 63) & ~(size_t)63;
}

/* One 64-byte aligned block for the kernels' scratch and the pyramid images. */
static int alloc_buffers(VifState *s)
{
    size_t img[N_SCALES] = { 0 }, total = VIF_SCRATCH_BYTES(s->w[0]);
    for (int i = 1; i < N_SCALES; i++) {
        img[i] = round64((size_t)s->w[i] * s->h[i] * sizeof(uint16_t));
        total += 2 * img[i];
    }
    uint8_t *p = big_zeroed(total); /* per worker, megabytes at 1080p: huge pages */
    if (!p) return -ENOMEM;
    s->mem = p;
    for (int i = 1; i < N_SCALES; i++) {
        s->img_ref[i] = (uint16_t *)p;
        p += img[i];
        s->img_dis[i] = (uint16_t *)p;
        p += img[i];
    }
    /* the scratch last: rows a kernel level leaves unused (the AVX2 VIF ring at other depths or
     * widths) then lie past the pictures, in pages never touched, not in the block's huge
     * pages, which become resident whole */
    s->scratch = p;
    return 0;
}

static int init(void *priv, const ExtractorParams *p)
{
    VifState *s = priv;
    /* Every scale must be wider and taller than its kernel's half width, else the mirrored
     * borders leave the picture (libvmaf then reads stale memory): scale 3 needs 2 samples,
     * i.e. 16 at scale 0. */
    if (p->w < 16 || p->h < 16) return -ERANGE;
    if (p->bpc < 8 || p->bpc > 16) return -EINVAL;
    s->bpc = p->bpc;
    s->w[0] = p->w;
    s->h[0] = p->h;
    for (int i = 1; i < N_SCALES; i++) {
        s->w[i] = s->w[i - 1] / 2;
        s->h[i] = s->h[i - 1] / 2;
    }
    s->tp.gain_limit = p->opt[OPT_EGL];
    s->debug = p->opt[OPT_DEBUG] != 0;
    s->skip_scale0 = p->opt[OPT_SKIP_SCALE0] != 0;
    vif_log2_table_init(s->log2_tab);
    s->tp.log2_tab = s->log2_tab;
    vif_kernels_init(&s->k, p->kernels->level);
    vif_log2_arith_init(&s->log2_arith);
    /* the arithmetic log replaces three gathers per 8 pixels by ~55 vector operations: 20 %
     * off the statistics row on AMD Zen 5; where gathers are fast it may not pay */
    const bool arith = p->kernels->slow_gathers && s->k.log2_check &&
                       s->k.log2_check(&s->log2_arith, s->log2_tab);
    s->tp.log2_arith = arith ? &s->log2_arith : NULL;
    for (int f = 0; f < N_FEATURES; f++)
        feature_name(s->name[f], NAME_LEN, provides[f], feature_output_name(provides[f]), p->suffix);
    return alloc_buffers(s);
}

static void close_vif(void *priv)
{
    VifState *s = priv;
    big_free(s->mem);
    s->mem = NULL;
}

const FeatureExtractor extractor_vif = {
    .name = "vif",
    .provides = provides,
    .options = options,
    .n_options = N_OPTIONS,
    .flags = 0,
    .priv_size = sizeof(VifState),
    .init = init,
    .extract = extract,
    .flush = NULL,
    .close = close_vif,
};
