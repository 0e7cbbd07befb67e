/* Integer motion row kernels, AVX2; the last partial step of a row is left to the scalar
 * definition in motion_kernels.h. Bit-exact with it (see the AVX-512 version for the
 * arithmetic). */
#include <immintrin.h>

#include "../motion_kernels.h"

typedef __m256i V;

static inline V set1(int32_t x)
{
    return _mm256_set1_epi32(x);
}

static inline V pair(int lo, int hi)
{
    return set1((int32_t)(((uint32_t)hi << 16) | ((uint32_t)lo & 0xFFFF)));
}

static inline V loadu(const void *p)
{
    return _mm256_loadu_si256((const V *)p);
}

/* 16 differences as int16 -> the split row, in sample order (see the AVX-512 version);
 * returns any | the results. */
static inline V vtaps16(const V d[5], int rnd, __m128i shift, const MotionRow *y, unsigned j, V any)
{
    const V one = _mm256_set1_epi16(1);
    const V c01 = pair(MOTION_K0, MOTION_K1), c23 = pair(MOTION_K2, MOTION_K1);
    const V c4 = pair(MOTION_K0, rnd);
    V lo = _mm256_madd_epi16(_mm256_unpacklo_epi16(d[0], d[1]), c01);
    V hi = _mm256_madd_epi16(_mm256_unpackhi_epi16(d[0], d[1]), c01);
    lo = _mm256_add_epi32(lo, _mm256_madd_epi16(_mm256_unpacklo_epi16(d[2], d[3]), c23));
    hi = _mm256_add_epi32(hi, _mm256_madd_epi16(_mm256_unpackhi_epi16(d[2], d[3]), c23));
    lo = _mm256_add_epi32(lo, _mm256_madd_epi16(_mm256_unpacklo_epi16(d[4], one), c4));
    hi = _mm256_add_epi32(hi, _mm256_madd_epi16(_mm256_unpackhi_epi16(d[4], one), c4));
    lo = _mm256_sra_epi32(lo, shift);
    hi = _mm256_sra_epi32(hi, shift);
    const V yh = _mm256_packs_epi32(_mm256_srai_epi32(lo, 8), _mm256_srai_epi32(hi, 8));
    const V yl = _mm256_packs_epi32(_mm256_and_si256(lo, set1(255)), _mm256_and_si256(hi, set1(255)));
    _mm256_storeu_si256((V *)(void *)(y->hi + j), yh);
    _mm256_storeu_si256((V *)(void *)(y->lo + j), yl);
    return _mm256_or_si256(any, _mm256_or_si256(lo, hi));
}

/* Eight int32 lanes holding int16 values -> eight int16. */
static inline void store8_16(int16_t *p, V x)
{
    const V packed = _mm256_permute4x64_epi64(_mm256_packs_epi32(x, x), 0x08);
    _mm_storeu_si128((__m128i *)(void *)p, _mm256_castsi256_si128(packed));
}

/* The row tail of j, through the scalar definition on offset rows. */
static inline MotionRow row_at(const MotionRow *y, unsigned j)
{
    return (MotionRow){ y->hi + j, y->lo + j };
}

static int32_t vrow_8(const uint8_t *const prev[MOTION_TAPS], const uint8_t *const cur[MOTION_TAPS],
                      unsigned w, const MotionRow *y)
{
    const __m128i sh = _mm_cvtsi32_si128(8);
    V any = _mm256_setzero_si256();
    unsigned j = 0;
    for (; j + 16 <= w; j += 16) {
        V d[5];
        for (int k = 0; k < MOTION_TAPS; k++)
            d[k] = _mm256_sub_epi16(
                _mm256_cvtepu8_epi16(_mm_loadu_si128((const __m128i *)(const void *)(prev[k] + j))),
                _mm256_cvtepu8_epi16(_mm_loadu_si128((const __m128i *)(const void *)(cur[k] + j))));
        any = vtaps16(d, 128, sh, y, j, any);
    }
    int32_t rest = 0;
    if (j < w) {
        const uint8_t *p[MOTION_TAPS], *c[MOTION_TAPS];
        for (int k = 0; k < MOTION_TAPS; k++) {
            p[k] = prev[k] + j;
            c[k] = cur[k] + j;
        }
        const MotionRow t = row_at(y, j);
        rest = motion_vrow_8_c(p, c, w - j, &t);
    }
    return rest || !_mm256_testz_si256(any, any);
}

/* See the AVX-512 version: x = 256 h + l, sums of h and of l separately. */
static inline V split_taps(const V x[5], V *a_out)
{
    V h[5], l[5];
    for (int k = 0; k < 5; k++) {
        h[k] = _mm256_srai_epi32(x[k], 8);
        l[k] = _mm256_and_si256(x[k], set1(255));
    }
    V a = _mm256_mullo_epi32(_mm256_add_epi32(h[0], h[4]), set1(MOTION_K0));
    a = _mm256_add_epi32(a, _mm256_mullo_epi32(_mm256_add_epi32(h[1], h[3]), set1(MOTION_K1)));
    a = _mm256_add_epi32(a, _mm256_mullo_epi32(h[2], set1(MOTION_K2)));
    V b = _mm256_mullo_epi32(_mm256_add_epi32(l[0], l[4]), set1(MOTION_K0));
    b = _mm256_add_epi32(b, _mm256_mullo_epi32(_mm256_add_epi32(l[1], l[3]), set1(MOTION_K1)));
    b = _mm256_add_epi32(b, _mm256_mullo_epi32(l[2], set1(MOTION_K2)));
    *a_out = a;
    return b;
}

static inline V split_result(V a, V b)
{
    return _mm256_srai_epi32(_mm256_add_epi32(a, _mm256_srai_epi32(_mm256_add_epi32(b, set1(32768)), 8)), 8);
}

static int32_t vrow_16(const uint16_t *const prev[MOTION_TAPS], const uint16_t *const cur[MOTION_TAPS],
                       unsigned w, int bpc, const MotionRow *y)
{
    V any = _mm256_setzero_si256();
    unsigned j = 0;
    if (bpc < 16) {
        const __m128i sh = _mm_cvtsi32_si128(bpc);
        for (; j + 16 <= w; j += 16) {
            V d[5];
            for (int k = 0; k < MOTION_TAPS; k++)
                d[k] = _mm256_sub_epi16(loadu(prev[k] + j), loadu(cur[k] + j));
            any = vtaps16(d, 1 << (bpc - 1), sh, y, j, any);
        }
    } else {
        for (; j + 8 <= w; j += 8) {
            V d[5], a;
            for (int k = 0; k < MOTION_TAPS; k++)
                d[k] = _mm256_sub_epi32(
                    _mm256_cvtepu16_epi32(_mm_loadu_si128((const __m128i *)(const void *)(prev[k] + j))),
                    _mm256_cvtepu16_epi32(_mm_loadu_si128((const __m128i *)(const void *)(cur[k] + j))));
            const V b = split_taps(d, &a);
            const V r = split_result(a, b);
            store8_16(y->hi + j, _mm256_srai_epi32(r, 8));
            store8_16(y->lo + j, _mm256_and_si256(r, set1(255)));
            any = _mm256_or_si256(any, r);
        }
    }
    int32_t rest = 0;
    if (j < w) {
        const uint16_t *p[MOTION_TAPS], *c[MOTION_TAPS];
        for (int k = 0; k < MOTION_TAPS; k++) {
            p[k] = prev[k] + j;
            c[k] = cur[k] + j;
        }
        const MotionRow t = row_at(y, j);
        rest = motion_vrow_16_c(p, c, w - j, bpc, &t);
    }
    return rest || !_mm256_testz_si256(any, any);
}

/* 16 outputs of the horizontal pass from the split row (see the AVX-512 version). */
static uint32_t hrow(const MotionRow *y, unsigned w)
{
    const V c01 = pair(MOTION_K0, MOTION_K1), ch = pair(MOTION_K2, 0), cl = pair(MOTION_K2, 256);
    const V zero = _mm256_setzero_si256(), c128 = _mm256_set1_epi16(128);
    V sum = zero;
    unsigned j = 0;
    for (; j + 16 <= w; j += 16) {
        V h[5], l[5];
        for (int k = 0; k < MOTION_TAPS; k++) {
            h[k] = loadu(y->hi + j - 2 + k);
            l[k] = loadu(y->lo + j - 2 + k);
        }
        const V h04 = _mm256_add_epi16(h[0], h[4]), h13 = _mm256_add_epi16(h[1], h[3]);
        const V l04 = _mm256_add_epi16(l[0], l[4]), l13 = _mm256_add_epi16(l[1], l[3]);
        const V a0 = _mm256_add_epi32(_mm256_madd_epi16(_mm256_unpacklo_epi16(h04, h13), c01),
                                      _mm256_madd_epi16(_mm256_unpacklo_epi16(h[2], zero), ch));
        const V b0 = _mm256_add_epi32(_mm256_madd_epi16(_mm256_unpacklo_epi16(l04, l13), c01),
                                      _mm256_madd_epi16(_mm256_unpacklo_epi16(l[2], c128), cl));
        const V a1 = _mm256_add_epi32(_mm256_madd_epi16(_mm256_unpackhi_epi16(h04, h13), c01),
                                      _mm256_madd_epi16(_mm256_unpackhi_epi16(h[2], zero), ch));
        const V b1 = _mm256_add_epi32(_mm256_madd_epi16(_mm256_unpackhi_epi16(l04, l13), c01),
                                      _mm256_madd_epi16(_mm256_unpackhi_epi16(l[2], c128), cl));
        const V z0 = _mm256_srai_epi32(_mm256_add_epi32(a0, _mm256_srai_epi32(b0, 8)), 8);
        const V z1 = _mm256_srai_epi32(_mm256_add_epi32(a1, _mm256_srai_epi32(b1, 8)), 8);
        sum = _mm256_add_epi32(sum, _mm256_add_epi32(_mm256_abs_epi32(z0), _mm256_abs_epi32(z1)));
    }
    __m128i s = _mm_add_epi32(_mm256_castsi256_si128(sum), _mm256_extracti128_si256(sum, 1));
    s = _mm_add_epi32(s, _mm_shuffle_epi32(s, 0x4E));
    s = _mm_add_epi32(s, _mm_shuffle_epi32(s, 0xB1));
    uint32_t total = (uint32_t)_mm_cvtsi128_si32(s);
    if (j < w) {
        const MotionRow t = row_at(y, j);
        total += motion_hrow_c(&t, w - j);
    }
    return total;
}

void motion_kernels_init_avx2(MotionKernels *k)
{
    k->vrow_8 = vrow_8;
    k->vrow_16 = vrow_16;
    k->hrow = hrow;
}
