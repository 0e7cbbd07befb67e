/* Integer ADM: the row kernels, shared by the scalar extractor (adm.c), which defines the
 * results, and its SIMD siblings (x86/adm_avx2.c, x86/adm_avx512.c), which must reproduce
 * them bit for bit and use the scalar versions below for their row tails.
 *
 * Level 0 works on int16 bands, levels 1-3 on int32 bands; the stored widths are part of the
 * definition (spec 4), so every narrowing below is an explicit two's-complement wrap.
 * Band order everywhere: ADM_H, ADM_V, ADM_D. */
#ifndef VMAFX_ENGINE_ADM_KERNELS_H
#define VMAFX_ENGINE_ADM_KERNELS_H

#include <stdbool.h>
#include <stddef.h>
#include <math.h>
#include <stdint.h>

#include "vmafx/vmafx.h"

/* db2 analysis filters in Q15 (4.1); the low-pass taps sum to 46342, the high-pass to 0. */
#define ADM_LO0 15826
#define ADM_LO1 27411
#define ADM_LO2 7345
#define ADM_LO3 (-4240)
#define ADM_HI0 (-4240)
#define ADM_HI1 (-7345)
#define ADM_HI2 27411
#define ADM_HI3 (-15826)

enum { ADM_H, ADM_V, ADM_D, ADM_BANDS };

/* Spare samples the caller keeps in front of and behind the rows it passes to the
 * horizontal DWT (index -1, n, n+1: the mirrored taps) and to the masking kernels (the
 * 3x3 neighbourhood, index -1 and n). */
#define ADM_PAD_FRONT 1
#define ADM_PAD_BACK 2

typedef struct AdmKernels {
    /* Level 0 vertical pass of one output row (4.1): taps s[0..3] -> lo/hi rows of n. */
    void (*dwt0_vert_8)(const uint8_t *const s[4], int n, int16_t *lo, int16_t *hi);
    void (*dwt0_vert_16)(const uint16_t *const s[4], int n, int bpc, int16_t *lo, int16_t *hi);
    /* Level 0 horizontal pass: padded lo/hi rows of (n) samples -> m = (n+1)/2 outputs of the
     * approximation band a and of the three detail bands. */
    void (*dwt0_horz)(const int16_t *lo, const int16_t *hi, int m, int16_t *a, int16_t *const band[3]);
    /* Level 1 vertical pass from the int16 level-0 approximation band: no rounding, no shift,
     * and the sums are exact in int32 (|sum| <= 54822 * 2^15), so 64 bits are not needed. */
    void (*dwt1_vert)(const int16_t *const s[4], int n, int32_t *lo, int32_t *hi);
    /* Levels 1-3 (4.2): 64-bit accumulation, a rounding constant and a shift per pass. */
    void (*dwt_vert_32)(const int32_t *const s[4], int n, int64_t round, int shift, int32_t *lo, int32_t *hi);
    void (*dwt_horz_32)(const int32_t *lo, const int32_t *hi, int m, int64_t round, int shift, int32_t *a,
                        int32_t *const band[3]);
    /* Decoupling of n samples (4.4): o/t = reference/distorted bands, r/a = restored and
     * additive parts. */
    void (*decouple0_row)(const int16_t *const o[3], const int16_t *const t[3], int n, double egl,
                          float cos1sq, const int32_t *div, int16_t *const r[3], int16_t *const a[3]);
    void (*decouple32_row)(const int32_t *const o[3], const int32_t *const t[3], int n, double egl,
                           float cos1sq, const int32_t *div, int32_t *const r[3], int32_t *const a[3]);
    /* CSF of n samples of the three bands (4.6, 4.7): per sample, the sum over the bands of
     * the off-centre masking weight f (|c|/30) and of the centre weight (|c|/15). */
    void (*csf0_row)(const int16_t *const x[3], int n, const uint16_t fix[3], int32_t *fsum, int32_t *csum);
    void (*csf32_row)(const int32_t *const x[3], int n, const uint32_t fix[3], int32_t *fsum, int32_t *csum);
    /* Masked cube sums of n samples (4.7) -> one sum per band. f[0..2] are the off-centre
     * weight rows above, at and below the row (readable at index -1 and n), c the centre
     * weights of the row. */
    void (*cm0_row)(const int16_t *const x[3], const int32_t *const f[3], const int32_t *c, int n,
                    const uint16_t fix[3], const int shift[3], int64_t sum[3]);
    void (*cm32_row)(const int32_t *const x[3], const int32_t *const f[3], const int32_t *c, int n,
                     const uint32_t fix[3], int shift, int64_t sum[3]);
    /* Reference cube sums of n samples (4.8) -> one sum per band. */
    void (*den0_row)(const int16_t *const x[3], int n, uint64_t sum[3]);
    void (*den32_row)(const int32_t *const x[3], int n, int sq_shift, int shift, uint64_t sum[3]);
} AdmKernels;

/* Fills k for the given level (never above what the CPU has: the caller's KernelTable). */
void adm_kernels_init(AdmKernels *k, enum VmafxCpu level);
void adm_kernels_init_avx2(AdmKernels *k);
void adm_kernels_init_avx512(AdmKernels *k);

/* ---- scalar definitions ---------------------------------------------------------------- */

/* Two's-complement narrowing and |x| as libvmaf's C code does them on gcc/x86 (where
 * abs(INT32_MIN) stays INT32_MIN). */
static inline int16_t adm_wrap16(int32_t x)
{
    return (int16_t)(uint16_t)(uint32_t)x;
}
static inline int32_t adm_wrap32(int64_t x)
{
    return (int32_t)(uint32_t)(uint64_t)x;
}
static inline int32_t adm_abs32(int32_t x)
{
    return (int32_t)(x < 0 ? 0u - (uint32_t)x : (uint32_t)x);
}

/* clang-format off */
#define ADM_DEFINE_DWT0_VERT(NAME, PIX)                                                       \
    static inline void NAME(const PIX *const s[4], int n, int bpc, int16_t *lo, int16_t *hi)  \
    {                                                                                         \
        /* Centring each sample on 2^(bpc-1) equals libvmaf's subtraction of              */  \
        /* 46342 * 2^(bpc-1) from the low-pass sum (the high-pass taps sum to 0), and it  */  \
        /* keeps every sum inside int32 even for 16-bit input.                            */  \
        const int32_t half = 1 << (bpc - 1);                                                  \
        for (int j = 0; j < n; j++) {                                                         \
            const int32_t x0 = s[0][j] - half, x1 = s[1][j] - half;                           \
            const int32_t x2 = s[2][j] - half, x3 = s[3][j] - half;                           \
            const int32_t l = ADM_LO0 * x0 + ADM_LO1 * x1 + ADM_LO2 * x2 + ADM_LO3 * x3;      \
            const int32_t h = ADM_HI0 * x0 + ADM_HI1 * x1 + ADM_HI2 * x2 + ADM_HI3 * x3;      \
            lo[j] = adm_wrap16((l + half) >> bpc);                                            \
            hi[j] = adm_wrap16((h + half) >> bpc);                                            \
        }                                                                                     \
    }
/* clang-format on */

ADM_DEFINE_DWT0_VERT(adm_dwt0_vert_8_c_bpc, uint8_t)
ADM_DEFINE_DWT0_VERT(adm_dwt0_vert_16_c, uint16_t)

static inline void adm_dwt0_vert_8_c(const uint8_t *const s[4], int n, int16_t *lo, int16_t *hi)
{
    adm_dwt0_vert_8_c_bpc(s, n, 8, lo, hi);
}

/* Output j uses inputs 2j-1 .. 2j+2; the caller has mirrored index -1 to 1 and n, n+1 to
 * n-1, n-2 (4.1). */
static inline int32_t adm_fir16(const int16_t *x, int c0, int c1, int c2, int c3)
{
    return adm_wrap16((c0 * x[-1] + c1 * x[0] + c2 * x[1] + c3 * x[2] + 32768) >> 16);
}

static inline void adm_dwt0_horz_c(const int16_t *lo, const int16_t *hi, int m, int16_t *a,
                                   int16_t *const band[3])
{
    for (int j = 0; j < m; j++) {
        const int16_t *l = lo + 2 * j, *h = hi + 2 * j;
        a[j] = (int16_t)adm_fir16(l, ADM_LO0, ADM_LO1, ADM_LO2, ADM_LO3);
        band[ADM_V][j] = (int16_t)adm_fir16(l, ADM_HI0, ADM_HI1, ADM_HI2, ADM_HI3);
        band[ADM_H][j] = (int16_t)adm_fir16(h, ADM_LO0, ADM_LO1, ADM_LO2, ADM_LO3);
        band[ADM_D][j] = (int16_t)adm_fir16(h, ADM_HI0, ADM_HI1, ADM_HI2, ADM_HI3);
    }
}

static inline int32_t adm_fir32(int64_t c0, int64_t c1, int64_t c2, int64_t c3, int32_t x0, int32_t x1,
                                int32_t x2, int32_t x3, int64_t round, int shift)
{
    return adm_wrap32((c0 * x0 + c1 * x1 + c2 * x2 + c3 * x3 + round) >> shift);
}

static inline void adm_dwt_vert_32_c(const int32_t *const s[4], int n, int64_t round, int shift, int32_t *lo,
                                     int32_t *hi)
{
    for (int j = 0; j < n; j++) {
        lo[j] = adm_fir32(ADM_LO0, ADM_LO1, ADM_LO2, ADM_LO3, s[0][j], s[1][j], s[2][j], s[3][j], round,
                          shift);
        hi[j] = adm_fir32(ADM_HI0, ADM_HI1, ADM_HI2, ADM_HI3, s[0][j], s[1][j], s[2][j], s[3][j], round,
                          shift);
    }
}

/* Level 1 vertical pass: adm_fir32 with round 0 and shift 0 on int16 inputs. */
static inline void adm_dwt1_vert_c(const int16_t *const s[4], int n, int32_t *lo, int32_t *hi)
{
    for (int j = 0; j < n; j++) {
        lo[j] = adm_fir32(ADM_LO0, ADM_LO1, ADM_LO2, ADM_LO3, s[0][j], s[1][j], s[2][j], s[3][j], 0, 0);
        hi[j] = adm_fir32(ADM_HI0, ADM_HI1, ADM_HI2, ADM_HI3, s[0][j], s[1][j], s[2][j], s[3][j], 0, 0);
    }
}

static inline void adm_dwt_horz_32_c(const int32_t *lo, const int32_t *hi, int m, int64_t round, int shift,
                                     int32_t *a, int32_t *const band[3])
{
    for (int j = 0; j < m; j++) {
        const int32_t *l = lo + 2 * j - 1, *h = hi + 2 * j - 1;
        a[j] = adm_fir32(ADM_LO0, ADM_LO1, ADM_LO2, ADM_LO3, l[0], l[1], l[2], l[3], round, shift);
        band[ADM_V][j] = adm_fir32(ADM_HI0, ADM_HI1, ADM_HI2, ADM_HI3, l[0], l[1], l[2], l[3], round, shift);
        band[ADM_H][j] = adm_fir32(ADM_LO0, ADM_LO1, ADM_LO2, ADM_LO3, h[0], h[1], h[2], h[3], round, shift);
        band[ADM_D][j] = adm_fir32(ADM_HI0, ADM_HI1, ADM_HI2, ADM_HI3, h[0], h[1], h[2], h[3], round, shift);
    }
}

/* Is the angle between the (H,V) vectors of reference and distorted below 1 degree?
 * libvmaf converts the int64 dot products to float first, then continues in double (4.4). */
static inline bool adm_angle_flag(int64_t oh, int64_t ov, int64_t th, int64_t tv, float cos1sq)
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
static inline double adm_enhance(int32_t rst, int32_t o, int32_t t, double egl)
{
    const double g = rst * egl;
    if (o > 0) return g < t ? g : t;
    return g > t ? g : t;
}

static inline int32_t adm_clamp_q15(int64_t k)
{
    return (int32_t)(k < 0 ? 0 : (k > 32768 ? 32768 : k));
}

/* The same limit where libvmaf's SIMD code applies it: restored * egl rounded to the nearest
 * integer (ties to even, its cvtpd_epi32/epi64), then bounded by the distorted value. It
 * differs from adm_enhance only when egl is not an integer. */
static inline int64_t adm_enhance_rounded(int32_t rst, int32_t o, int32_t t, double egl)
{
    const int64_t g = (int64_t)nearbyint(rst * egl);
    if (o > 0) return g < t ? g : t;
    return g > t ? g : t;
}

/* Columns [0, round_below) take adm_enhance_rounded, the rest adm_enhance (see
 * adm_decouple0_row_libvmaf). */
static inline void adm_decouple0_row_split(const int16_t *const o[3], const int16_t *const t[3], int n,
                                           double egl, float cos1sq, const int32_t *div, int16_t *const r[3],
                                           int16_t *const a[3], int round_below)
{
    for (int j = 0; j < n; j++) {
        const bool flag = adm_angle_flag(o[ADM_H][j], o[ADM_V][j], t[ADM_H][j], t[ADM_V][j], cos1sq);
        for (int b = 0; b < ADM_BANDS; b++) {
            const int32_t ob = o[b][j], tb = t[b][j];
            /* k = t/o in Q15 through the Q30 reciprocal table */
            const int32_t k = ob == 0 ? 32768 : adm_clamp_q15(((int64_t)div[ob + 32768] * tb + 16384) >> 15);
            int16_t rst = adm_wrap16((k * ob + 16384) >> 15);
            if (flag && k > 0 && ob != 0)
                rst = j < round_below ? (int16_t)adm_enhance_rounded(rst, ob, tb, egl)
                                      : (int16_t)adm_enhance(rst, ob, tb, egl);
            r[b][j] = rst;
            a[b][j] = adm_wrap16(tb - rst);
        }
    }
}

/* Decoupling with truncation everywhere (libvmaf's C code; every built-in model's egl). */
static inline void adm_decouple0_row_c(const int16_t *const o[3], const int16_t *const t[3], int n,
                                       double egl, float cos1sq, const int32_t *div, int16_t *const r[3],
                                       int16_t *const a[3])
{
    adm_decouple0_row_split(o, t, n, egl, cos1sq, div, r, a, 0);
}

/* t/o in Q15 for int32 o: |o| is first rounded to its 15 leading bits so that the 2^15-entry
 * reciprocal table still applies, and the shift is undone afterwards (4.4). */
static inline int32_t adm_ratio_q15_32(int32_t o, int32_t t, const int32_t *div)
{
    if (o == 0) return 32768;
    uint32_t m = (uint32_t)adm_abs32(o);
    int s = 0;
    if (m >= 32768) {
        s = 17 - __builtin_clz(m);
        m = (m + (1u << (s - 1))) >> s;
    }
    const int64_t round = (int32_t)(1u << (14 + s)); /* int in libvmaf: 2^31 wraps */
    const int64_t q = (int64_t)div[m + 32768] * t * (o < 0 ? -1 : 1);
    return adm_clamp_q15((q + round) >> (15 + s));
}

static inline void adm_decouple32_row_split(const int32_t *const o[3], const int32_t *const t[3], int n,
                                            double egl, float cos1sq, const int32_t *div, int32_t *const r[3],
                                            int32_t *const a[3], int round_below)
{
    for (int j = 0; j < n; j++) {
        const bool flag = adm_angle_flag(o[ADM_H][j], o[ADM_V][j], t[ADM_H][j], t[ADM_V][j], cos1sq);
        for (int b = 0; b < ADM_BANDS; b++) {
            const int32_t ob = o[b][j], tb = t[b][j];
            const int32_t k = adm_ratio_q15_32(ob, tb, div);
            int32_t rst = adm_wrap32(((int64_t)k * ob + 16384) >> 15);
            if (flag && k > 0 && ob != 0)
                rst = j < round_below ? (int32_t)adm_enhance_rounded(rst, ob, tb, egl)
                                      : (int32_t)adm_enhance(rst, ob, tb, egl);
            r[b][j] = rst;
            a[b][j] = (int32_t)((uint32_t)tb - (uint32_t)rst);
        }
    }
}

/* Decoupling with a non-integer enhancement gain limit, as libvmaf 3.2.0's reference outputs
 * have it: its AVX-512 code (which made the goldens) rounds restored * egl in the columns it
 * takes 16 at a time from the left edge of the working area and truncates in the remaining
 * n % 16, where its C code truncates everywhere. With an integer egl (1, 100: every built-in
 * model) both are adm_decouple*_row_c; vmafx uses these at every kernel level, so every level
 * gives the same numbers. */
static inline void adm_decouple0_row_libvmaf(const int16_t *const o[3], const int16_t *const t[3], int n,
                                             double egl, float cos1sq, const int32_t *div,
                                             int16_t *const r[3], int16_t *const a[3])
{
    adm_decouple0_row_split(o, t, n, egl, cos1sq, div, r, a, n - n % 16);
}

static inline void adm_decouple32_row_libvmaf(const int32_t *const o[3], const int32_t *const t[3], int n,
                                              double egl, float cos1sq, const int32_t *div,
                                              int32_t *const r[3], int32_t *const a[3])
{
    adm_decouple32_row_split(o, t, n, egl, cos1sq, div, r, a, n - n % 16);
}

static inline void adm_decouple32_row_c(const int32_t *const o[3], const int32_t *const t[3], int n,
                                        double egl, float cos1sq, const int32_t *div, int32_t *const r[3],
                                        int32_t *const a[3])
{
    adm_decouple32_row_split(o, t, n, egl, cos1sq, div, r, a, 0);
}

/* Level 0 CSF (4.6): c = x * rfactor in Q(21|23) brought to Q12 (the D band rounds with
 * 65535, as libvmaf does); off-centre weight |c|/30 and centre weight |c|/15 in Q17, each
 * stored as int16 before being summed. */
static inline void adm_csf0_row_c(const int16_t *const x[3], int n, const uint16_t fix[3], int32_t *fsum,
                                  int32_t *csum)
{
    static const int shift[3] = { 15, 15, 17 };
    static const int32_t round[3] = { 16384, 16384, 65535 };
    for (int j = 0; j < n; j++) {
        uint32_t fs = 0, cs = 0;
        for (int b = 0; b < ADM_BANDS; b++) {
            const int32_t c = adm_wrap16((fix[b] * (int32_t)x[b][j] + round[b]) >> shift[b]);
            const int32_t ac = c < 0 ? -c : c;
            fs += (uint32_t)(int32_t)adm_wrap16((4369 * ac + 2048) >> 12);
            cs += (uint32_t)(int32_t)adm_wrap16((8738 * ac + 2048) >> 12);
        }
        fsum[j] = (int32_t)fs;
        csum[j] = (int32_t)cs;
    }
}

/* Levels 1-3 CSF: c = x * rfactor(Q32) >> 28; the weights 2^32/30 and 2^32/15 are applied with
 * a rounding constant of -2^31 (libvmaf keeps 1u<<31 in an int32), i.e. floor(v - 0.5). The
 * factors are below 2^31 (the largest CSF factor is about 2^28). */
static inline void adm_csf32_row_c(const int32_t *const x[3], int n, const uint32_t fix[3], int32_t *fsum,
                                   int32_t *csum)
{
    for (int j = 0; j < n; j++) {
        uint32_t fs = 0, cs = 0;
        for (int b = 0; b < ADM_BANDS; b++) {
            const int32_t c = adm_wrap32(((int64_t)fix[b] * x[b][j] + (1 << 27)) >> 28);
            const int64_t ac = adm_abs32(c);
            fs += (uint32_t)adm_wrap32((143165577 * ac - 2147483648LL) >> 32);
            cs += (uint32_t)adm_wrap32((286331153 * ac - 2147483648LL) >> 32);
        }
        fsum[j] = (int32_t)fs;
        csum[j] = (int32_t)cs;
    }
}

/* The masking sums wrap modulo 2^64 like libvmaf's int64 sums on gcc/x86 (they stay far
 * from it on pictures; the per-sample shift by the band width is there for that). */
static inline int64_t adm_add64(int64_t a, int64_t b)
{
    return (int64_t)((uint64_t)a + (uint64_t)b);
}

/* Threshold (4.7): the eight neighbours' off-centre weights plus the centre weight, all
 * bands together, wrapping like libvmaf's int32 sums. */
static inline int32_t adm_thr(const int32_t *const f[3], const int32_t *c, int j)
{
    uint32_t s = (uint32_t)c[j];
    for (int r = 0; r < 3; r++)
        s += (uint32_t)f[r][j - 1] + (uint32_t)f[r][j + 1] + (r != 1 ? (uint32_t)f[r][j] : 0u);
    return (int32_t)s;
}

/* Level 0 masking (4.7): x = |r * rfactor| (Q27 for H,V, Q29 for D) minus the threshold
 * brought to the same Q, clipped at 0, then x^3 with intermediate rounding shifts. */
static inline void adm_cm0_row_c(const int16_t *const x[3], const int32_t *const f[3], const int32_t *c,
                                 int n, const uint16_t fix[3], const int shift[3], int64_t sum[3])
{
    static const int sub[3] = { 10, 10, 12 };
    static const int sq[3] = { 29, 29, 30 };
    for (int b = 0; b < ADM_BANDS; b++) sum[b] = 0;
    for (int j = 0; j < n; j++) {
        const uint32_t thr = (uint32_t)adm_thr(f, c, j);
        for (int b = 0; b < ADM_BANDS; b++) {
            const int64_t round = shift[b] > 0 ? (int64_t)1 << (shift[b] - 1) : 0;
            const int32_t v = adm_abs32(x[b][j] * (int32_t)fix[b]);
            int32_t m = (int32_t)((uint32_t)v - (thr << sub[b]));
            if (m < 0) m = 0;
            const int32_t m2 = adm_wrap32(((int64_t)m * m + ((int64_t)1 << (sq[b] - 1))) >> sq[b]);
            sum[b] = adm_add64(sum[b], ((int64_t)m2 * m + round) >> shift[b]);
        }
    }
}

/* Levels 1-3 masking: x = r * rfactor(Q32) >> 28, then as level 0 with fixed shifts. */
static inline void adm_cm32_row_c(const int32_t *const x[3], const int32_t *const f[3], const int32_t *c,
                                  int n, const uint32_t fix[3], int shift, int64_t sum[3])
{
    const int64_t round = (int64_t)1 << (shift - 1);
    for (int b = 0; b < ADM_BANDS; b++) sum[b] = 0;
    for (int j = 0; j < n; j++) {
        const uint32_t thr = (uint32_t)adm_thr(f, c, j);
        for (int b = 0; b < ADM_BANDS; b++) {
            const int32_t v = adm_wrap32(((int64_t)x[b][j] * fix[b] + (1 << 27)) >> 28);
            int32_t m = (int32_t)((uint32_t)adm_abs32(v) - thr);
            if (m < 0) m = 0;
            const int32_t m2 = adm_wrap32(((int64_t)m * m + (1 << 29)) >> 30);
            sum[b] = adm_add64(sum[b], ((int64_t)m2 * m + round) >> shift);
        }
    }
}

static inline void adm_den0_row_c(const int16_t *const x[3], int n, uint64_t sum[3])
{
    for (int b = 0; b < ADM_BANDS; b++) {
        uint64_t acc = 0;
        for (int j = 0; j < n; j++) {
            const uint64_t v = (uint16_t)adm_abs32(x[b][j]);
            acc += v * v * v;
        }
        sum[b] = acc;
    }
}

/* Levels 1-3 denominator (4.8): the square is rounded with 2^q, not 2^(q-1), as in libvmaf. */
static inline void adm_den32_row_c(const int32_t *const x[3], int n, int sq_shift, int shift, uint64_t sum[3])
{
    const uint64_t round = (uint64_t)1 << (shift - 1);
    for (int b = 0; b < ADM_BANDS; b++) {
        uint64_t acc = 0;
        for (int j = 0; j < n; j++) {
            const uint64_t v = (uint32_t)adm_abs32(x[b][j]);
            acc += ((((v * v + ((uint64_t)1 << sq_shift)) >> sq_shift) * v) + round) >> shift;
        }
        sum[b] = acc;
    }
}

#endif
