/* Integer ADM ("adm"): the detail-loss metric adm2 of libvmaf's integer path, its per-level
 * scores, the additive-impairment metric AIM and their blend adm3 (spec section 4).
 *
 * Per frame and per level (0..3) of a db2 wavelet pyramid of the luma plane:
 *   1. DWT of reference and distorted picture (4.1, 4.2),
 *   2. split of the distorted detail bands into restored (r) and additive (a) parts (4.4),
 *   3. denominator: cube sum of the CSF-weighted reference bands (4.8),
 *   4. numerator: CSF of a gives a masking threshold for r, cube sum of what exceeds it (4.6, 4.7),
 *   5. AIM: the same with the roles of r and a exchanged and no noise term (4.9).
 * Level 0 works on int16 bands, levels 1-3 on int32 bands; the stored widths are part of the
 * definition, so every narrowing below is an explicit two's-complement wrap.
 *
 * All the per-pixel work is in the *_row kernels (plain signatures, one row at a time), reached
 * through AdmKernels so that SIMD versions can be chosen in init(). */
#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "extractor.h"

#define N_LEVELS 4
#define NAME_LEN 96
#define MIN_SIZE 33  /* below this libvmaf's DWT reads outside its level-3 input (see init) */

/* db2 analysis filters in Q15 (4.1); the low-pass taps sum to 46342, the high-pass to 0. */
#define LO0 15826
#define LO1 27411
#define LO2 7345
#define LO3 (-4240)
#define HI0 (-4240)
#define HI1 (-7345)
#define HI2 27411
#define HI3 (-15826)

enum { BAND_H, BAND_V, BAND_D, N_BANDS };
enum { SIDE_REF, SIDE_DIS };

/* ---- option table (order = index into p->opt) ---- */
enum { OPT_EGL, OPT_NVD, OPT_RDH, OPT_CSF_MODE, OPT_DEBUG, OPT_NW, OPT_DLMW, OPT_MIN, N_OPTS };

static const ExtractorOption adm_options[N_OPTS] = {
    [OPT_EGL]      = { "adm_enhn_gain_limit", "egl", 100.0, 1.0, 100.0, true, false },
    [OPT_NVD]      = { "adm_norm_view_dist", "nvd", 3.0, 0.75, 24.0, true, false },
    [OPT_RDH]      = { "adm_ref_display_height", "rdh", 1080.0, 1.0, 4320.0, true, false },
    [OPT_CSF_MODE] = { "adm_csf_mode", "csf", 0.0, 0.0, 3.0, true, false },
    [OPT_DEBUG]    = { "debug", NULL, 0.0, 0.0, 1.0, false, false },
    [OPT_NW]       = { "adm_noise_weight", "nw", 0.03125, 0.0, 1500.0, true, false },
    [OPT_DLMW]     = { "adm_dlm_weight", "dlmw", 0.5, 0.0, 1.0, true, false },
    [OPT_MIN]      = { "adm_min_val", "min", 0.0, 0.0, 1.0, true, false },
};

/* ---- output features, in libvmaf's order of writing (the report order follows it) ---- */
enum {
    F_ADM2, F_AIM, F_ADM3, F_SCALE0,
    F_DBG_ADM = F_SCALE0 + N_LEVELS, F_DBG_NUM, F_DBG_DEN, F_DBG_NUM_SCALE0,
    N_FEATURES = F_DBG_NUM_SCALE0 + 2 * N_LEVELS
};

static const char *const adm_provides[] = {
    "VMAF_integer_feature_adm2_score", "VMAF_integer_feature_aim_score",
    "VMAF_integer_feature_adm3_score",
    "integer_adm_scale0", "integer_adm_scale1", "integer_adm_scale2", "integer_adm_scale3",
    "integer_adm", "integer_adm_num", "integer_adm_den",
    "integer_adm_num_scale0", "integer_adm_den_scale0", "integer_adm_num_scale1",
    "integer_adm_den_scale1", "integer_adm_num_scale2", "integer_adm_den_scale2",
    "integer_adm_num_scale3", "integer_adm_den_scale3",
    NULL
};

/* ---- kernels ---- */

typedef struct AdmKernels {
    /* level 0 vertical pass: 4 source rows -> low/high rows (mean removed, Q(bpc) dropped) */
    void (*dwt0_vert_8)(const uint8_t *s0, const uint8_t *s1, const uint8_t *s2,
                        const uint8_t *s3, int n, int bpc, int16_t *lo, int16_t *hi);
    void (*dwt0_vert_16)(const uint16_t *s0, const uint16_t *s1, const uint16_t *s2,
                         const uint16_t *s3, int n, int bpc, int16_t *lo, int16_t *hi);
    /* level 0 horizontal pass: n input samples -> (n+1)/2 outputs of each band */
    void (*dwt0_horz)(const int16_t *lo, const int16_t *hi, int n, int32_t *a,
                      int16_t *v, int16_t *h, int16_t *d);
    /* levels 1-3 passes, 64-bit accumulation with a rounding constant and a shift */
    void (*dwt_vert_32)(const int32_t *s0, const int32_t *s1, const int32_t *s2,
                        const int32_t *s3, int n, int64_t round, int shift,
                        int32_t *lo, int32_t *hi);
    void (*dwt_horz_32)(const int32_t *lo, const int32_t *hi, int n, int64_t round, int shift,
                        int32_t *a, int32_t *v, int32_t *h, int32_t *d);
    /* decoupling of n samples: o/t = reference/distorted H,V,D; r/a = restored/additive */
    void (*decouple0_row)(const int16_t *const o[3], const int16_t *const t[3], int n,
                          double egl, float cos1sq, const int32_t *div,
                          int16_t *const r[3], int16_t *const a[3]);
    void (*decouple32_row)(const int32_t *const o[3], const int32_t *const t[3], int n,
                           double egl, float cos1sq, const int32_t *div,
                           int32_t *const r[3], int32_t *const a[3]);
    /* CSF of n samples of the three bands -> per pixel sum over bands of the off-centre
     * masking weight (|c|/30) and of the centre weight (|c|/15) */
    void (*csf0_row)(const int16_t *const x[3], int n, const uint16_t fix[3],
                     int32_t *fsum, int32_t *csum);
    void (*csf32_row)(const int32_t *const x[3], int n, const uint32_t fix[3],
                      int32_t *fsum, int32_t *csum);
    /* masking threshold of columns [j0, j1) of a row of a w-wide band */
    void (*thr_row)(const int32_t *f_up, const int32_t *f_mid, const int32_t *f_down,
                    const int32_t *c_mid, int w, int j0, int j1, int32_t *thr);
    /* masked cube sums of n samples -> one int64 per band */
    void (*cm0_row)(const int16_t *const x[3], const int32_t *thr, int n,
                    const uint16_t fix[3], const int shift[3], int64_t sum[3]);
    void (*cm32_row)(const int32_t *const x[3], const int32_t *thr, int n,
                     const uint32_t fix[3], int shift, int64_t sum[3]);
    /* reference cube sums of n samples -> one uint64 per band */
    void (*den0_row)(const int16_t *const x[3], int n, uint64_t sum[3]);
    void (*den32_row)(const int32_t *const x[3], int n, int sq_shift, int shift,
                      uint64_t sum[3]);
} AdmKernels;

/* Two's-complement narrowing and |x| as the C code of libvmaf does them on gcc/x86 (where
 * abs(INT32_MIN) stays INT32_MIN). */
static inline int16_t wrap16(int32_t x) { return (int16_t)(uint16_t)(uint32_t)x; }
static inline int32_t wrap32(int64_t x) { return (int32_t)(uint32_t)(uint64_t)x; }
static inline int32_t abs32(int32_t x)
{
    return (int32_t)(x < 0 ? 0u - (uint32_t)x : (uint32_t)x);
}

/* Source index of DWT tap position t of an n-sample signal (4.1): -1 mirrors to 1, positions
 * past the end reflect with the edge sample repeated. */
static inline int dwt_tap(int t, int n)
{
    return t < 0 ? -t : (t >= n ? 2 * n - 1 - t : t);
}

#define DEFINE_DWT0_VERT(NAME, PIX)                                                           \
    static void NAME(const PIX *s0, const PIX *s1, const PIX *s2, const PIX *s3, int n,       \
                     int bpc, int16_t *lo, int16_t *hi)                                       \
    {                                                                                         \
        /* Centring each sample on 2^(bpc-1) equals libvmaf's subtraction of              */  \
        /* 46342 * 2^(bpc-1) from the low-pass sum (the high-pass taps sum to 0), and it  */  \
        /* keeps every sum inside int32 even for 16-bit input.                            */  \
        const int32_t half = 1 << (bpc - 1);                                                  \
        for (int j = 0; j < n; j++) {                                                         \
            const int32_t x0 = s0[j] - half, x1 = s1[j] - half;                               \
            const int32_t x2 = s2[j] - half, x3 = s3[j] - half;                               \
            lo[j] = wrap16((LO0 * x0 + LO1 * x1 + LO2 * x2 + LO3 * x3 + half) >> bpc);        \
            hi[j] = wrap16((HI0 * x0 + HI1 * x1 + HI2 * x2 + HI3 * x3 + half) >> bpc);        \
        }                                                                                     \
    }

DEFINE_DWT0_VERT(dwt0_vert_8_c, uint8_t)
DEFINE_DWT0_VERT(dwt0_vert_16_c, uint16_t)

static void dwt0_horz_c(const int16_t *lo, const int16_t *hi, int n, int32_t *a,
                        int16_t *v, int16_t *h, int16_t *d)
{
    const int m = (n + 1) / 2;
    for (int j = 0; j < m; j++) {
        const int k0 = dwt_tap(2 * j - 1, n), k1 = 2 * j;
        const int k2 = dwt_tap(2 * j + 1, n), k3 = dwt_tap(2 * j + 2, n);
        const int32_t l0 = lo[k0], l1 = lo[k1], l2 = lo[k2], l3 = lo[k3];
        const int32_t h0 = hi[k0], h1 = hi[k1], h2 = hi[k2], h3 = hi[k3];
        /* the approximation band feeds level 1 as int32, after its int16 storage wrap */
        a[j] = wrap16((LO0 * l0 + LO1 * l1 + LO2 * l2 + LO3 * l3 + 32768) >> 16);
        v[j] = wrap16((HI0 * l0 + HI1 * l1 + HI2 * l2 + HI3 * l3 + 32768) >> 16);
        h[j] = wrap16((LO0 * h0 + LO1 * h1 + LO2 * h2 + LO3 * h3 + 32768) >> 16);
        d[j] = wrap16((HI0 * h0 + HI1 * h1 + HI2 * h2 + HI3 * h3 + 32768) >> 16);
    }
}

static inline int32_t fir32(int64_t c0, int64_t c1, int64_t c2, int64_t c3, int32_t x0,
                            int32_t x1, int32_t x2, int32_t x3, int64_t round, int shift)
{
    return wrap32((c0 * x0 + c1 * x1 + c2 * x2 + c3 * x3 + round) >> shift);
}

static void dwt_vert_32_c(const int32_t *s0, const int32_t *s1, const int32_t *s2,
                          const int32_t *s3, int n, int64_t round, int shift,
                          int32_t *lo, int32_t *hi)
{
    for (int j = 0; j < n; j++) {
        lo[j] = fir32(LO0, LO1, LO2, LO3, s0[j], s1[j], s2[j], s3[j], round, shift);
        hi[j] = fir32(HI0, HI1, HI2, HI3, s0[j], s1[j], s2[j], s3[j], round, shift);
    }
}

static void dwt_horz_32_c(const int32_t *lo, const int32_t *hi, int n, int64_t round,
                          int shift, int32_t *a, int32_t *v, int32_t *h, int32_t *d)
{
    const int m = (n + 1) / 2;
    for (int j = 0; j < m; j++) {
        const int k0 = dwt_tap(2 * j - 1, n), k1 = 2 * j;
        const int k2 = dwt_tap(2 * j + 1, n), k3 = dwt_tap(2 * j + 2, n);
        a[j] = fir32(LO0, LO1, LO2, LO3, lo[k0], lo[k1], lo[k2], lo[k3], round, shift);
        v[j] = fir32(HI0, HI1, HI2, HI3, lo[k0], lo[k1], lo[k2], lo[k3], round, shift);
        h[j] = fir32(LO0, LO1, LO2, LO3, hi[k0], hi[k1], hi[k2], hi[k3], round, shift);
        d[j] = fir32(HI0, HI1, HI2, HI3, hi[k0], hi[k1], hi[k2], hi[k3], round, shift);
    }
}

/* Is the angle between the (H,V) vectors of reference and distorted below 1 degree?
 * libvmaf converts the int64 dot products to float first, then continues in double (4.4). */
static inline bool angle_flag(int64_t oh, int64_t ov, int64_t th, int64_t tv, float cos1sq)
{
    const int64_t ot = (int64_t)((uint64_t)(oh * th) + (uint64_t)(ov * tv));
    const int64_t oo = (int64_t)((uint64_t)(oh * oh) + (uint64_t)(ov * ov));
    const int64_t tt = (int64_t)((uint64_t)(th * th) + (uint64_t)(tv * tv));
    const double dot = (float)ot / 4096.0;
    return dot >= 0.0 && dot * dot >= cos1sq * ((float)oo / 4096.0) * ((float)tt / 4096.0);
}

/* Restored value after the enhancement gain limit: inside the 1-degree cone a restored value
 * may grow by up to egl times, but not past the distorted value (double compare, then
 * truncation back to an integer). */
static inline double enhance(int32_t rst, int32_t o, int32_t t, double egl)
{
    const double g = rst * egl;
    if (o > 0) return g < t ? g : t;
    return g > t ? g : t;
}

static inline int32_t clamp_q15(int64_t k)
{
    return (int32_t)(k < 0 ? 0 : (k > 32768 ? 32768 : k));
}

static void decouple0_row_c(const int16_t *const o[3], const int16_t *const t[3], int n,
                            double egl, float cos1sq, const int32_t *div,
                            int16_t *const r[3], int16_t *const a[3])
{
    for (int j = 0; j < n; j++) {
        const bool flag = angle_flag(o[BAND_H][j], o[BAND_V][j], t[BAND_H][j], t[BAND_V][j],
                                     cos1sq);
        for (int b = 0; b < N_BANDS; b++) {
            const int32_t ob = o[b][j], tb = t[b][j];
            /* k = t/o in Q15 through the Q30 reciprocal table */
            const int32_t k = ob == 0 ? 32768
                : clamp_q15(((int64_t)div[ob + 32768] * tb + 16384) >> 15);
            int16_t rst = wrap16((k * ob + 16384) >> 15);
            if (flag && k > 0 && ob != 0) rst = (int16_t)enhance(rst, ob, tb, egl);
            r[b][j] = rst;
            a[b][j] = wrap16(tb - rst);
        }
    }
}

/* t/o in Q15 for int32 o: |o| is first rounded to its 15 leading bits so that the 2^15-entry
 * reciprocal table still applies, and the shift is undone afterwards (4.4). */
static inline int32_t ratio_q15_32(int32_t o, int32_t t, const int32_t *div)
{
    if (o == 0) return 32768;
    uint32_t m = (uint32_t)abs32(o);
    int s = 0;
    if (m >= 32768) {
        s = 17 - __builtin_clz(m);
        m = (m + (1u << (s - 1))) >> s;
    }
    const int64_t round = (int32_t)(1u << (14 + s));   /* int in libvmaf: 2^31 wraps */
    const int64_t q = (int64_t)div[m + 32768] * t * (o < 0 ? -1 : 1);
    return clamp_q15((q + round) >> (15 + s));
}

static void decouple32_row_c(const int32_t *const o[3], const int32_t *const t[3], int n,
                             double egl, float cos1sq, const int32_t *div,
                             int32_t *const r[3], int32_t *const a[3])
{
    for (int j = 0; j < n; j++) {
        const bool flag = angle_flag(o[BAND_H][j], o[BAND_V][j], t[BAND_H][j], t[BAND_V][j],
                                     cos1sq);
        for (int b = 0; b < N_BANDS; b++) {
            const int32_t ob = o[b][j], tb = t[b][j];
            const int32_t k = ratio_q15_32(ob, tb, div);
            int32_t rst = wrap32(((int64_t)k * ob + 16384) >> 15);
            if (flag && k > 0 && ob != 0) rst = (int32_t)enhance(rst, ob, tb, egl);
            r[b][j] = rst;
            a[b][j] = (int32_t)((uint32_t)tb - (uint32_t)rst);
        }
    }
}

/* Level 0 CSF (4.6): c = x * rfactor in Q(21|23) brought to Q12 (the D band rounds with
 * 65535, as libvmaf does); off-centre weight |c|/30 and centre weight |c|/15 in Q17, each
 * stored as int16 before being summed. */
static void csf0_row_c(const int16_t *const x[3], int n, const uint16_t fix[3],
                       int32_t *fsum, int32_t *csum)
{
    static const int shift[3] = { 15, 15, 17 };
    static const int32_t round[3] = { 16384, 16384, 65535 };
    for (int j = 0; j < n; j++) {
        uint32_t fs = 0, cs = 0;
        for (int b = 0; b < N_BANDS; b++) {
            const int32_t c = wrap16((fix[b] * (int32_t)x[b][j] + round[b]) >> shift[b]);
            const int32_t ac = c < 0 ? -c : c;
            fs += (uint32_t)(int32_t)wrap16((4369 * ac + 2048) >> 12);
            cs += (uint32_t)(int32_t)wrap16((8738 * ac + 2048) >> 12);
        }
        fsum[j] = (int32_t)fs;
        csum[j] = (int32_t)cs;
    }
}

/* Levels 1-3 CSF: c = x * rfactor(Q32) >> 28; the weights 2^32/30 and 2^32/15 are applied with
 * a rounding constant of -2^31 (libvmaf keeps 1u<<31 in an int32), i.e. floor(v - 0.5). */
static void csf32_row_c(const int32_t *const x[3], int n, const uint32_t fix[3],
                        int32_t *fsum, int32_t *csum)
{
    for (int j = 0; j < n; j++) {
        uint32_t fs = 0, cs = 0;
        for (int b = 0; b < N_BANDS; b++) {
            const int32_t c = wrap32(((int64_t)fix[b] * x[b][j] + (1 << 27)) >> 28);
            const int64_t ac = abs32(c);
            fs += (uint32_t)wrap32((143165577 * ac - 2147483648LL) >> 32);
            cs += (uint32_t)wrap32((286331153 * ac - 2147483648LL) >> 32);
        }
        fsum[j] = (int32_t)fs;
        csum[j] = (int32_t)cs;
    }
}

/* Threshold (4.7): the eight neighbours' off-centre weights plus the centre weight, all
 * bands together. At the band's first column the left neighbour mirrors to column 1, at
 * the last column the right neighbour is the column itself (libvmaf's asymmetric rule,
 * section 14); the caller maps rows the same way. Sums wrap like libvmaf's int32. */
static void thr_row_c(const int32_t *f_up, const int32_t *f_mid, const int32_t *f_down,
                      const int32_t *c_mid, int w, int j0, int j1, int32_t *thr)
{
    for (int j = j0; j < j1; j++) {
        const int jl = j == 0 ? 1 : j - 1;
        const int jr = j == w - 1 ? w - 1 : j + 1;
        const uint32_t s = (uint32_t)f_up[jl] + (uint32_t)f_up[j] + (uint32_t)f_up[jr]
                         + (uint32_t)f_mid[jl] + (uint32_t)f_mid[jr]
                         + (uint32_t)f_down[jl] + (uint32_t)f_down[j] + (uint32_t)f_down[jr]
                         + (uint32_t)c_mid[j];
        thr[j - j0] = (int32_t)s;
    }
}

/* Level 0 masking (4.7): x = |r * rfactor| (Q27 for H,V, Q29 for D) minus the threshold
 * brought to the same Q, clipped at 0, then x^3 with intermediate rounding shifts. */
static void cm0_row_c(const int16_t *const x[3], const int32_t *thr, int n,
                      const uint16_t fix[3], const int shift[3], int64_t sum[3])
{
    static const int sub[3] = { 10, 10, 12 };
    static const int sq[3] = { 29, 29, 30 };
    for (int b = 0; b < N_BANDS; b++) {
        const int64_t sq_round = (int64_t)1 << (sq[b] - 1);
        const int64_t round = shift[b] > 0 ? (int64_t)1 << (shift[b] - 1) : 0;
        int64_t acc = 0;
        for (int j = 0; j < n; j++) {
            const int32_t v = abs32(x[b][j] * (int32_t)fix[b]);
            int32_t m = (int32_t)((uint32_t)v - ((uint32_t)thr[j] << sub[b]));
            if (m < 0) m = 0;
            const int32_t m2 = wrap32(((int64_t)m * m + sq_round) >> sq[b]);
            acc += ((int64_t)m2 * m + round) >> shift[b];
        }
        sum[b] = acc;
    }
}

/* Levels 1-3 masking: x = r * rfactor(Q32) >> 28, then as level 0 with fixed shifts. */
static void cm32_row_c(const int32_t *const x[3], const int32_t *thr, int n,
                       const uint32_t fix[3], int shift, int64_t sum[3])
{
    const int64_t round = (int64_t)1 << (shift - 1);
    for (int b = 0; b < N_BANDS; b++) {
        int64_t acc = 0;
        for (int j = 0; j < n; j++) {
            const int32_t v = wrap32(((int64_t)x[b][j] * fix[b] + (1 << 27)) >> 28);
            int32_t m = (int32_t)((uint32_t)abs32(v) - (uint32_t)thr[j]);
            if (m < 0) m = 0;
            const int32_t m2 = wrap32(((int64_t)m * m + (1 << 29)) >> 30);
            acc += ((int64_t)m2 * m + round) >> shift;
        }
        sum[b] = acc;
    }
}

static void den0_row_c(const int16_t *const x[3], int n, uint64_t sum[3])
{
    for (int b = 0; b < N_BANDS; b++) {
        uint64_t acc = 0;
        for (int j = 0; j < n; j++) {
            const uint64_t v = (uint16_t)abs32(x[b][j]);
            acc += v * v * v;
        }
        sum[b] = acc;
    }
}

/* Levels 1-3 denominator (4.8): the square is rounded with 2^q, not 2^(q-1), as in libvmaf. */
static void den32_row_c(const int32_t *const x[3], int n, int sq_shift, int shift,
                        uint64_t sum[3])
{
    const uint64_t round = (uint64_t)1 << (shift - 1);
    for (int b = 0; b < N_BANDS; b++) {
        uint64_t acc = 0;
        for (int j = 0; j < n; j++) {
            const uint64_t v = (uint32_t)abs32(x[b][j]);
            acc += ((((v * v + ((uint64_t)1 << sq_shift)) >> sq_shift) * v) + round) >> shift;
        }
        sum[b] = acc;
    }
}

static const AdmKernels kernels_c = {
    .dwt0_vert_8 = dwt0_vert_8_c, .dwt0_vert_16 = dwt0_vert_16_c, .dwt0_horz = dwt0_horz_c,
    .dwt_vert_32 = dwt_vert_32_c, .dwt_horz_32 = dwt_horz_32_c,
    .decouple0_row = decouple0_row_c, .decouple32_row = decouple32_row_c,
    .csf0_row = csf0_row_c, .csf32_row = csf32_row_c, .thr_row = thr_row_c,
    .cm0_row = cm0_row_c, .cm32_row = cm32_row_c,
    .den0_row = den0_row_c, .den32_row = den32_row_c,
};

/* ---- per-level constants ---- */

typedef struct Region { int top, bottom, left, right; } Region;

typedef struct AdmLevel {
    int w, h;                 /* band size */
    Region work;              /* decoupling and CSF (scoring region grown for the 3x3) */
    Region score;             /* numerator and denominator */
    uint16_t fix0[3];         /* level 0 CSF factors, Q21 (H,V) and Q23 (D) */
    uint32_t fix32[3];        /* levels 1-3 CSF factors, Q32 */
    int cm_shift[3];          /* per-sample cube shift of the masking sums */
    int cm_row_shift;         /* per-row shift of the masking sums */
    double cm_scale0[3];      /* level 0: 2^(remaining fraction bits) of the masking sums */
    float cm_scale32;         /* levels 1-3: the same, kept in float as libvmaf does */
    int den_row_shift;        /* per-row shift of the denominator sums */
    int den_cub_shift;        /* levels 1-3 per-sample cube shift */
    double den_scale;         /* 2^(remaining fraction bits) of the denominator sums */
    double rf_cube[3];        /* rfactor^3 (double) for the denominator */
    float noise;              /* (area * noise_weight)^(1/3) */
} AdmLevel;

typedef struct AdmState {
    AdmKernels k;
    int w, h, bpc;
    bool debug;
    double egl, dlm_weight, min_val;
    float cos1sq;
    AdmLevel lv[N_LEVELS];

    void *mem;
    int32_t *div;                       /* Q30 reciprocals, index 32768 + o, o in [-32768, 32768] */
    int16_t *band16[2][N_BANDS];        /* level 0 detail bands [side][band] */
    int16_t *r16[N_BANDS], *a16[N_BANDS];
    int32_t *band32[2][N_BANDS];        /* levels 1-3 detail bands */
    int32_t *r32[N_BANDS], *a32[N_BANDS];
    int32_t *ll[2][2];                  /* approximation bands [side][level parity] */
    int32_t *fsum, *csum, *thr;         /* masking threshold inputs and one threshold row */
    void *tmp;                          /* DWT vertical-pass rows */

    char names[N_FEATURES][NAME_LEN];
} AdmState;

/* Watson et al. 1997 quantisation step of DWT level lambda, orientation theta, in libvmaf's
 * mix of float and double arithmetic (4.5). The constants are double literals rounded to
 * float, as in libvmaf's float tables. */
static float quant_step(int lambda, int theta, double nvd, int rdh)
{
    static const float amp[N_LEVELS][4] = {
        { 0.62171, 0.67234, 0.72709, 0.67234 },
        { 0.34537, 0.41317, 0.49428, 0.41317 },
        { 0.18004, 0.22727, 0.28688, 0.22727 },
        { 0.091401, 0.11792, 0.15214, 0.11792 },
    };
    static const float g[4] = { 1.501, 1.0, 0.534, 1.0 };
    const float a = (float)0.495, k = (float)0.466, f0 = (float)0.401;
    const float r = (float)(nvd * rdh * M_PI / 180.0);
    const float temp = (float)log10(pow(2.0, lambda + 1) * f0 * g[theta] / r);
    const float kt = k * temp * temp;
    return (float)(2.0 * a * pow(10.0, kt) / amp[lambda][theta]);
}

static inline double pow2(int e) { return pow(2.0, e); }

static inline int ceil_log2(double x) { return (int)ceil(log2(x)); }

static void region_setup(AdmLevel *L)
{
    /* expressions as in libvmaf: a border of 10% (0.1 is a double), truncated toward 0 */
    const int left = (int)(L->w * 0.1 - 0.5), top = (int)(L->h * 0.1 - 0.5);
    L->score = (Region){ top, L->h - top, left, L->w - left };
    int wl = (int)(L->w * 0.1 - 0.5 - 1), wt = (int)(L->h * 0.1 - 0.5 - 1);
    int wr = L->w - wl + 2, wb = L->h - wt + 2;
    L->work = (Region){ wt < 0 ? 0 : wt, wb > L->h ? L->h : wb,
                        wl < 0 ? 0 : wl, wr > L->w ? L->w : wr };
}

static void level_setup(AdmLevel *L, int level, double nvd, int rdh, double nw)
{
    region_setup(L);
    const Region *s = &L->score;
    const int sw = s->right - s->left, sh = s->bottom - s->top;
    const int area = sw * sh;
    const float rf_hv = 1.0f / quant_step(level, 1, nvd, rdh);
    const float rf_d = 1.0f / quant_step(level, 2, nvd, rdh);
    const float rf[3] = { rf_hv, rf_hv, rf_d };
    for (int b = 0; b < N_BANDS; b++) L->rf_cube[b] = pow(rf[b], 3);
    L->noise = powf((float)(area * nw), 1.0f / 3.0f);
    L->cm_row_shift = ceil_log2(L->h);

    if (level == 0) {
        /* libvmaf's fixed level-0 integers for the default viewing condition differ slightly
         * from the formula (4.5 quirk) */
        if (fabs(nvd * rdh - 3.0 * 1080) < 1.0e-8) {
            L->fix0[0] = L->fix0[1] = 36453;
            L->fix0[2] = 49417;
        } else {
            L->fix0[0] = L->fix0[1] = (uint16_t)(rf[0] * pow2(21));
            L->fix0[2] = (uint16_t)(rf[2] * pow2(23));
        }
        L->cm_shift[0] = L->cm_shift[1] = (int)ceil(log2(L->w) - 4);
        L->cm_shift[2] = (int)ceil(log2(L->w) - 3);
        L->cm_scale0[0] = pow2(52 - L->cm_shift[0] - L->cm_row_shift);
        L->cm_scale0[1] = L->cm_scale0[0];
        L->cm_scale0[2] = pow2(57 - L->cm_shift[2] - L->cm_row_shift);
        const int sa = (int)ceil(log2(area) - 20);
        L->den_row_shift = sa > 0 ? sa : 0;
        L->den_scale = pow2(18 - L->den_row_shift);
    } else {
        static const int cm_bits[N_LEVELS] = { 0, 45, 39, 36 };
        static const int den_bits[N_LEVELS] = { 0, 32, 27, 23 };
        for (int b = 0; b < N_BANDS; b++) L->fix32[b] = (uint32_t)(rf[b] * pow2(32));
        L->cm_shift[0] = L->cm_shift[1] = L->cm_shift[2] = ceil_log2(L->w);
        L->cm_scale32 = (float)pow2(cm_bits[level] - L->cm_shift[0] - L->cm_row_shift);
        L->den_cub_shift = ceil_log2(sw);
        L->den_row_shift = ceil_log2(sh);
        L->den_scale = pow2(den_bits[level] - L->den_row_shift - L->den_cub_shift);
    }
}

/* ---- per-level stages ---- */

static void dwt_level0(AdmState *s, const VmafxPicture *pic, int side)
{
    const int W = s->w, H = s->h, m = s->lv[0].w;
    int16_t *lo = s->tmp, *hi = lo + W;
    const uint8_t *base = pic->data[0];
    const ptrdiff_t stride = pic->stride[0];
    int16_t *const *band = s->band16[side];
    for (int i = 0; i < s->lv[0].h; i++) {
        const int y[4] = { dwt_tap(2 * i - 1, H), 2 * i, dwt_tap(2 * i + 1, H),
                           dwt_tap(2 * i + 2, H) };
        if (s->bpc == 8)
            s->k.dwt0_vert_8(base + y[0] * stride, base + y[1] * stride, base + y[2] * stride,
                             base + y[3] * stride, W, 8, lo, hi);
        else
            s->k.dwt0_vert_16((const uint16_t *)(base + y[0] * stride),
                              (const uint16_t *)(base + y[1] * stride),
                              (const uint16_t *)(base + y[2] * stride),
                              (const uint16_t *)(base + y[3] * stride), W, s->bpc, lo, hi);
        const size_t o = (size_t)i * m;
        s->k.dwt0_horz(lo, hi, W, s->ll[side][0] + o, band[BAND_V] + o, band[BAND_H] + o,
                       band[BAND_D] + o);
    }
}

/* Levels 1-3 from the previous level's approximation band (4.2). */
static void dwt_level32(AdmState *s, int level, int side)
{
    static const int64_t v_round[N_LEVELS] = { 0, 0, 32768, 32768 };
    static const int v_shift[N_LEVELS] = { 0, 0, 16, 16 };
    static const int64_t h_round[N_LEVELS] = { 0, 16384, 32768, 16384 };
    static const int h_shift[N_LEVELS] = { 0, 15, 16, 15 };
    const int n = s->lv[level - 1].w, nh = s->lv[level - 1].h, m = s->lv[level].w;
    const int32_t *src = s->ll[side][(level - 1) & 1];
    int32_t *dst_a = s->ll[side][level & 1];
    int32_t *lo = s->tmp, *hi = lo + n;
    int32_t *const *band = s->band32[side];
    for (int i = 0; i < s->lv[level].h; i++) {
        const int y[4] = { dwt_tap(2 * i - 1, nh), 2 * i, dwt_tap(2 * i + 1, nh),
                           dwt_tap(2 * i + 2, nh) };
        s->k.dwt_vert_32(src + (size_t)y[0] * n, src + (size_t)y[1] * n,
                         src + (size_t)y[2] * n, src + (size_t)y[3] * n, n,
                         v_round[level], v_shift[level], lo, hi);
        const size_t o = (size_t)i * m;
        s->k.dwt_horz_32(lo, hi, n, h_round[level], h_shift[level], dst_a + o,
                         band[BAND_V] + o, band[BAND_H] + o, band[BAND_D] + o);
    }
}

static void decouple_level(AdmState *s, int level)
{
    const AdmLevel *L = &s->lv[level];
    const Region *g = &L->work;
    const int n = g->right - g->left;
    for (int i = g->top; i < g->bottom; i++) {
        const size_t o = (size_t)i * L->w + g->left;
        if (level == 0) {
            const int16_t *ref[3], *dis[3];
            int16_t *r[3], *a[3];
            for (int b = 0; b < N_BANDS; b++) {
                ref[b] = s->band16[SIDE_REF][b] + o;
                dis[b] = s->band16[SIDE_DIS][b] + o;
                r[b] = s->r16[b] + o;
                a[b] = s->a16[b] + o;
            }
            s->k.decouple0_row(ref, dis, n, s->egl, s->cos1sq, s->div, r, a);
        } else {
            const int32_t *ref[3], *dis[3];
            int32_t *r[3], *a[3];
            for (int b = 0; b < N_BANDS; b++) {
                ref[b] = s->band32[SIDE_REF][b] + o;
                dis[b] = s->band32[SIDE_DIS][b] + o;
                r[b] = s->r32[b] + o;
                a[b] = s->a32[b] + o;
            }
            s->k.decouple32_row(ref, dis, n, s->egl, s->cos1sq, s->div, r, a);
        }
    }
}

/* Sum over the three bands of (value^(1/3) + noise), in float, H then V then D. */
static float band_total(const double v[3], float noise)
{
    const float third = 1.0f / 3.0f;
    const float h = powf((float)v[0], third) + noise;
    const float vv = powf((float)v[1], third) + noise;
    const float d = powf((float)v[2], third) + noise;
    return h + vv + d;
}

static float den_level(AdmState *s, int level)
{
    const AdmLevel *L = &s->lv[level];
    const Region *g = &L->score;
    const int n = g->right - g->left;
    const uint64_t row_round = L->den_row_shift ? (uint64_t)1 << (L->den_row_shift - 1) : 0;
    uint64_t acc[3] = { 0, 0, 0 }, row[3];
    for (int i = g->top; i < g->bottom; i++) {
        const size_t o = (size_t)i * L->w + g->left;
        if (level == 0) {
            const int16_t *x[3] = { s->band16[SIDE_REF][0] + o, s->band16[SIDE_REF][1] + o,
                                    s->band16[SIDE_REF][2] + o };
            s->k.den0_row(x, n, row);
        } else {
            static const int sq_shift[N_LEVELS] = { 0, 31, 30, 31 };
            const int32_t *x[3] = { s->band32[SIDE_REF][0] + o, s->band32[SIDE_REF][1] + o,
                                    s->band32[SIDE_REF][2] + o };
            s->k.den32_row(x, n, sq_shift[level], L->den_cub_shift, row);
        }
        for (int b = 0; b < N_BANDS; b++) acc[b] += (row[b] + row_round) >> L->den_row_shift;
    }
    double csf[3];
    for (int b = 0; b < N_BANDS; b++) csf[b] = ((double)acc[b] / L->den_scale) * L->rf_cube[b];
    return band_total(csf, L->noise);
}

/* CSF of the masker bands over the working region into fsum/csum (see csf0_row). */
static void csf_level(AdmState *s, int level, bool masker_is_r)
{
    const AdmLevel *L = &s->lv[level];
    const Region *g = &L->work;
    const int n = g->right - g->left;
    for (int i = g->top; i < g->bottom; i++) {
        const size_t o = (size_t)i * L->w + g->left;
        if (level == 0) {
            int16_t *const *src = masker_is_r ? s->r16 : s->a16;
            const int16_t *x[3] = { src[0] + o, src[1] + o, src[2] + o };
            s->k.csf0_row(x, n, L->fix0, s->fsum + o, s->csum + o);
        } else {
            int32_t *const *src = masker_is_r ? s->r32 : s->a32;
            const int32_t *x[3] = { src[0] + o, src[1] + o, src[2] + o };
            s->k.csf32_row(x, n, L->fix32, s->fsum + o, s->csum + o);
        }
    }
}

/* Masked cube sums of the signal bands (r for adm, a for aim) over the scoring region. */
static float cm_level(AdmState *s, int level, bool signal_is_r, float noise)
{
    const AdmLevel *L = &s->lv[level];
    const Region *g = &L->score;
    const int w = L->w, n = g->right - g->left;
    const int64_t row_round = (int64_t)1 << (L->cm_row_shift - 1);
    int64_t acc[3] = { 0, 0, 0 }, row[3];
    for (int i = g->top; i < g->bottom; i++) {
        /* rows mirror like columns: above row 0 is row 1, below the last row is itself */
        const int up = i == 0 ? 1 : i - 1, down = i == L->h - 1 ? i : i + 1;
        s->k.thr_row(s->fsum + (size_t)up * w, s->fsum + (size_t)i * w,
                     s->fsum + (size_t)down * w, s->csum + (size_t)i * w, w, g->left,
                     g->right, s->thr);
        const size_t o = (size_t)i * w + g->left;
        if (level == 0) {
            int16_t *const *src = signal_is_r ? s->r16 : s->a16;
            const int16_t *x[3] = { src[0] + o, src[1] + o, src[2] + o };
            s->k.cm0_row(x, s->thr, n, L->fix0, L->cm_shift, row);
        } else {
            int32_t *const *src = signal_is_r ? s->r32 : s->a32;
            const int32_t *x[3] = { src[0] + o, src[1] + o, src[2] + o };
            s->k.cm32_row(x, s->thr, n, L->fix32, L->cm_shift[0], row);
        }
        for (int b = 0; b < N_BANDS; b++) acc[b] += (row[b] + row_round) >> L->cm_row_shift;
    }
    double v[3];
    for (int b = 0; b < N_BANDS; b++) {
        /* level 0 scales in double, levels 1-3 convert the sum to float first (libvmaf) */
        v[b] = level == 0 ? (float)((double)acc[b] / L->cm_scale0[b])
                          : (float)acc[b] / L->cm_scale32;
    }
    return band_total(v, noise);
}

typedef struct AdmScores {
    double adm2, aim, num, den;
    float num_s[N_LEVELS], den_s[N_LEVELS];
} AdmScores;

static void adm_compute(AdmState *s, const VmafxPicture *ref, const VmafxPicture *dis,
                        AdmScores *out)
{
    double num = 0, den = 0, aim_num = 0;
    for (int level = 0; level < N_LEVELS; level++) {
        for (int side = SIDE_REF; side <= SIDE_DIS; side++) {
            if (level == 0) dwt_level0(s, side == SIDE_REF ? ref : dis, side);
            else dwt_level32(s, level, side);
        }
        decouple_level(s, level);
        const float d = den_level(s, level);
        csf_level(s, level, false);
        const float n = cm_level(s, level, true, s->lv[level].noise);
        /* AIM: threshold from the restored part, masked signal the additive part, no noise */
        csf_level(s, level, true);
        const float a = cm_level(s, level, false, 0.0f);
        out->num_s[level] = n;
        out->den_s[level] = d;
        num += n;
        den += d;
        aim_num += a;
    }
    const double limit = 1e-10 * (s->w * s->h) / (1920.0 * 1080.0);
    if (num < limit) num = 0;
    if (den < limit) den = 0;
    /* libvmaf leaves AIM unset when den is 0 (flat reference); 0 is reported then */
    out->adm2 = den == 0.0 ? 1.0 : num / den;
    out->aim = den == 0.0 ? 0.0 : aim_num / den;
    out->num = num;
    out->den = den;
}

/* ---- extractor interface ---- */

static size_t align64(size_t n) { return (n + 63) & ~(size_t)63; }

/* Carves the scratch planes out of one allocation; with base NULL only sizes it. */
static size_t layout(AdmState *s, uint8_t *base)
{
    const size_t n0 = (size_t)s->lv[0].w * s->lv[0].h, n1 = (size_t)s->lv[1].w * s->lv[1].h;
    /* vertical-pass rows: two int16 rows of the picture width (level 0) or two int32 rows of
     * the level-0 band width (levels 1-3) */
    const size_t tmp = 2 * sizeof(int32_t) * (size_t)s->w;
    size_t off = 0;
#define CARVE(ptr, type, count)                                                \
    do {                                                                       \
        if (base) (ptr) = (type *)(void *)(base + off);                        \
        off += align64(sizeof(type) * (count));                                \
    } while (0)
    CARVE(s->div, int32_t, 65537);
    for (int b = 0; b < N_BANDS; b++) {
        CARVE(s->band16[SIDE_REF][b], int16_t, n0);
        CARVE(s->band16[SIDE_DIS][b], int16_t, n0);
        CARVE(s->r16[b], int16_t, n0);
        CARVE(s->a16[b], int16_t, n0);
        CARVE(s->band32[SIDE_REF][b], int32_t, n1);
        CARVE(s->band32[SIDE_DIS][b], int32_t, n1);
        CARVE(s->r32[b], int32_t, n1);
        CARVE(s->a32[b], int32_t, n1);
    }
    for (int side = 0; side < 2; side++) {
        CARVE(s->ll[side][0], int32_t, n0);   /* levels 0 and 2 */
        CARVE(s->ll[side][1], int32_t, n1);   /* levels 1 and 3 */
    }
    CARVE(s->fsum, int32_t, n0);
    CARVE(s->csum, int32_t, n0);
    CARVE(s->thr, int32_t, s->lv[0].w);
    CARVE(s->tmp, uint8_t, tmp);
#undef CARVE
    return off;
}

static void build_names(AdmState *s, const char *suffix)
{
    static const struct { int id; const char *base, *alias; } fixed[] = {
        { F_ADM2, "VMAF_integer_feature_adm2_score", "integer_adm2" },
        { F_AIM, "VMAF_integer_feature_aim_score", "integer_aim" },
        { F_ADM3, "VMAF_integer_feature_adm3_score", "integer_adm3" },
        { F_DBG_ADM, "integer_adm", "integer_adm" },
        { F_DBG_NUM, "integer_adm_num", "integer_adm_num" },
        { F_DBG_DEN, "integer_adm_den", "integer_adm_den" },
    };
    for (size_t i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++)
        feature_name(s->names[fixed[i].id], NAME_LEN, fixed[i].base, fixed[i].alias, suffix);
    for (int l = 0; l < N_LEVELS; l++) {
        char n[NAME_LEN];
        snprintf(n, sizeof(n), "integer_adm_scale%d", l);
        feature_name(s->names[F_SCALE0 + l], NAME_LEN, n, n, suffix);
        snprintf(n, sizeof(n), "integer_adm_num_scale%d", l);
        feature_name(s->names[F_DBG_NUM_SCALE0 + 2 * l], NAME_LEN, n, n, suffix);
        snprintf(n, sizeof(n), "integer_adm_den_scale%d", l);
        feature_name(s->names[F_DBG_NUM_SCALE0 + 2 * l + 1], NAME_LEN, n, n, suffix);
    }
}

static int adm_init(void *priv, const ExtractorParams *p)
{
    AdmState *s = priv;
    const double nvd = p->opt[OPT_NVD];
    const int rdh = (int)p->opt[OPT_RDH];
    /* only the Watson CSF (mode 0) is implemented; the Barten modes are refused */
    if (p->opt[OPT_CSF_MODE] != 0.0) return -ENOTSUP;
    /* libvmaf: the 16-bit data path cannot represent a coarser angular frequency */
    if (nvd * rdh < 3.0 * 1080) return -EINVAL;
    /* every level's DWT input must have >= 5 samples per side for libvmaf's index rule and
     * the level-0 cube shift ceil(log2(w) - 4) must be positive */
    if (p->w < MIN_SIZE || p->h < MIN_SIZE) return -ERANGE;

    s->k = kernels_c;   /* no SIMD kernels yet: every level uses the scalar table */
    s->w = (int)p->w;
    s->h = (int)p->h;
    s->bpc = (int)p->bpc;
    s->egl = p->opt[OPT_EGL];
    s->debug = p->opt[OPT_DEBUG] != 0.0;
    s->dlm_weight = p->opt[OPT_DLMW];
    s->min_val = p->opt[OPT_MIN];
    s->cos1sq = (float)(cos(1.0 * M_PI / 180.0) * cos(1.0 * M_PI / 180.0));

    int w = s->w, h = s->h;
    for (int l = 0; l < N_LEVELS; l++) {
        w = (w + 1) / 2;
        h = (h + 1) / 2;
        s->lv[l].w = w;
        s->lv[l].h = h;
        level_setup(&s->lv[l], l, nvd, rdh, p->opt[OPT_NW]);
    }

    const size_t size = layout(s, NULL);
    s->mem = aligned_alloc(64, size);
    if (!s->mem) return -ENOMEM;
    layout(s, s->mem);
    s->div[32768] = 0;
    for (int i = 1; i <= 32768; i++) {
        s->div[32768 + i] = (int32_t)((1 << 30) / i);
        s->div[32768 - i] = -s->div[32768 + i];
    }
    build_names(s, p->suffix);
    return 0;
}

static int adm_extract(void *priv, const FrameInput *in, FeatureCollector *out)
{
    AdmState *s = priv;
    AdmScores r;
    adm_compute(s, in->ref, in->dis, &r);

    double v[N_FEATURES];
    v[F_ADM2] = r.adm2;
    v[F_AIM] = r.aim;
    const double adm3 = r.adm2 * s->dlm_weight + (1 - r.aim) * (1 - s->dlm_weight);
    v[F_ADM3] = adm3 > s->min_val ? adm3 : s->min_val;
    for (int l = 0; l < N_LEVELS; l++) {
        v[F_SCALE0 + l] = (double)r.num_s[l] / (double)r.den_s[l];
        v[F_DBG_NUM_SCALE0 + 2 * l] = r.num_s[l];
        v[F_DBG_NUM_SCALE0 + 2 * l + 1] = r.den_s[l];
    }
    v[F_DBG_ADM] = r.adm2;
    v[F_DBG_NUM] = r.num;
    v[F_DBG_DEN] = r.den;

    const int n = s->debug ? N_FEATURES : F_DBG_ADM;
    for (int i = 0; i < n; i++) {
        int err = collector_put(out, s->names[i], in->index, v[i]);
        if (err) return err;
    }
    return 0;
}

static void adm_close(void *priv)
{
    AdmState *s = priv;
    free(s->mem);
    s->mem = NULL;
}

const FeatureExtractor extractor_adm = {
    .name = "adm",
    .provides = adm_provides,
    .options = adm_options,
    .n_options = N_OPTS,
    .flags = 0,
    .priv_size = sizeof(AdmState),
    .init = adm_init,
    .extract = adm_extract,
    .close = adm_close,
};
