/* Integer motion row kernels, AVX-512 (F, BW): tails by masks. Bit-exact with the scalar
 * definitions in motion_kernels.h. */
#include <immintrin.h>

#include "../motion_kernels.h"

typedef __m512i V;

static inline V set1(int32_t x)
{
    return _mm512_set1_epi32(x);
}

static inline V pair(int lo, int hi)
{
    return set1((int32_t)(((uint32_t)hi << 16) | ((uint32_t)lo & 0xFFFF)));
}

static inline __mmask16 tail16(unsigned rem)
{
    return rem >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << rem) - 1);
}

static inline __mmask32 tail32(unsigned rem)
{
    return rem >= 32 ? (__mmask32)0xFFFFFFFFu : (__mmask32)((1u << rem) - 1);
}

/* Vertical taps of 32 differences held as int16 (|d| < 2^15): the pairs (d0,d1), (d2,d3) and
 * (d4, 1) against (K0,K1), (K2,K1), (K0, rounding), all exact in int32; then the shift and
 * the split store (unpack and pack cancel: the samples come back in order). Returns
 * any | the results. */
static inline V vtaps16(const V d[5], int rnd, __m128i shift, const MotionRow *y, unsigned j, __mmask32 m,
                        V any)
{
    const V one = _mm512_set1_epi16(1);
    const V c01 = pair(MOTION_K0, MOTION_K1), c23 = pair(MOTION_K2, MOTION_K1);
    const V c4 = pair(MOTION_K0, rnd);
    V lo = _mm512_madd_epi16(_mm512_unpacklo_epi16(d[0], d[1]), c01);
    V hi = _mm512_madd_epi16(_mm512_unpackhi_epi16(d[0], d[1]), c01);
    lo = _mm512_add_epi32(lo, _mm512_madd_epi16(_mm512_unpacklo_epi16(d[2], d[3]), c23));
    hi = _mm512_add_epi32(hi, _mm512_madd_epi16(_mm512_unpackhi_epi16(d[2], d[3]), c23));
    lo = _mm512_add_epi32(lo, _mm512_madd_epi16(_mm512_unpacklo_epi16(d[4], one), c4));
    hi = _mm512_add_epi32(hi, _mm512_madd_epi16(_mm512_unpackhi_epi16(d[4], one), c4));
    lo = _mm512_sra_epi32(lo, shift);
    hi = _mm512_sra_epi32(hi, shift);
    const V yh = _mm512_packs_epi32(_mm512_srai_epi32(lo, 8), _mm512_srai_epi32(hi, 8));
    const V yl = _mm512_packs_epi32(_mm512_and_si512(lo, set1(255)), _mm512_and_si512(hi, set1(255)));
    _mm512_mask_storeu_epi16(y->hi + j, m, yh);
    _mm512_mask_storeu_epi16(y->lo + j, m, yl);
    return _mm512_or_si512(any, _mm512_or_si512(lo, hi));
}

static int32_t vrow_8(const uint8_t *const prev[MOTION_TAPS], const uint8_t *const cur[MOTION_TAPS],
                      unsigned w, const MotionRow *y)
{
    const __m128i sh = _mm_cvtsi32_si128(8);
    V any = _mm512_setzero_si512();
    for (unsigned j = 0; j < w; j += 32) {
        const __mmask32 m = tail32(w - j);
        V d[5];
        for (int k = 0; k < MOTION_TAPS; k++)
            d[k] = _mm512_sub_epi16(_mm512_cvtepu8_epi16(_mm256_maskz_loadu_epi8(m, prev[k] + j)),
                                    _mm512_cvtepu8_epi16(_mm256_maskz_loadu_epi8(m, cur[k] + j)));
        any = vtaps16(d, 128, sh, y, j, m, any);
    }
    return _mm512_test_epi32_mask(any, any) != 0;
}

/* (256 A + B + 2^15) >> 16 as (A + ((B + 2^15) >> 8)) >> 8: with x = 256 h + l (h = x >> 8,
 * l = x & 255) the sums A (of h) and B (of l) stay far inside int32 where the full sum of a
 * 16-bit difference or a 17-bit row value would not. */
static inline V split_taps(const V x[5], V *a_out)
{
    V h[5], l[5];
    for (int k = 0; k < 5; k++) {
        h[k] = _mm512_srai_epi32(x[k], 8);
        l[k] = _mm512_and_si512(x[k], set1(255));
    }
    V a = _mm512_mullo_epi32(_mm512_add_epi32(h[0], h[4]), set1(MOTION_K0));
    a = _mm512_add_epi32(a, _mm512_mullo_epi32(_mm512_add_epi32(h[1], h[3]), set1(MOTION_K1)));
    a = _mm512_add_epi32(a, _mm512_mullo_epi32(h[2], set1(MOTION_K2)));
    V b = _mm512_mullo_epi32(_mm512_add_epi32(l[0], l[4]), set1(MOTION_K0));
    b = _mm512_add_epi32(b, _mm512_mullo_epi32(_mm512_add_epi32(l[1], l[3]), set1(MOTION_K1)));
    b = _mm512_add_epi32(b, _mm512_mullo_epi32(l[2], set1(MOTION_K2)));
    *a_out = a;
    return b;
}

static int32_t vrow_16(const uint16_t *const prev[MOTION_TAPS], const uint16_t *const cur[MOTION_TAPS],
                       unsigned w, int bpc, const MotionRow *y)
{
    V any = _mm512_setzero_si512();
    if (bpc < 16) {
        /* both samples < 2^15: the difference fits int16 */
        const __m128i sh = _mm_cvtsi32_si128(bpc);
        for (unsigned j = 0; j < w; j += 32) {
            const __mmask32 m = tail32(w - j);
            V d[5];
            for (int k = 0; k < MOTION_TAPS; k++)
                d[k] = _mm512_sub_epi16(_mm512_maskz_loadu_epi16(m, prev[k] + j),
                                        _mm512_maskz_loadu_epi16(m, cur[k] + j));
            any = vtaps16(d, 1 << (bpc - 1), sh, y, j, m, any);
        }
    } else {
        for (unsigned j = 0; j < w; j += 16) {
            const __mmask16 m = tail16(w - j);
            V d[5], a;
            for (int k = 0; k < MOTION_TAPS; k++)
                d[k] = _mm512_sub_epi32(_mm512_cvtepu16_epi32(_mm256_maskz_loadu_epi16(m, prev[k] + j)),
                                        _mm512_cvtepu16_epi32(_mm256_maskz_loadu_epi16(m, cur[k] + j)));
            const V b = split_taps(d, &a);
            const V r =
                _mm512_srai_epi32(_mm512_add_epi32(a, _mm512_srai_epi32(_mm512_add_epi32(b, set1(32768)), 8)),
                                  8);
            _mm256_mask_storeu_epi16(y->hi + j, m, _mm512_cvtepi32_epi16(_mm512_srai_epi32(r, 8)));
            _mm256_mask_storeu_epi16(y->lo + j, m, _mm512_cvtepi32_epi16(_mm512_and_si512(r, set1(255))));
            any = _mm512_or_si512(any, r);
        }
    }
    return _mm512_test_epi32_mask(any, any) != 0;
}

/* 32 outputs of the horizontal pass from the split row: with S = 256 A + B the sums of the
 * high and low halves, (S + 2^15) >> 16 = (A + ((B + 2^15) >> 8)) >> 8, where the symmetric
 * tap pairs (x0 + x4, x1 + x3) and the centre are 16-bit madd operands. The results come in
 * unpack order, which a sum of magnitudes does not see. */
static uint32_t hrow(const MotionRow *y, unsigned w)
{
    const V c01 = pair(MOTION_K0, MOTION_K1), ch = pair(MOTION_K2, 0), cl = pair(MOTION_K2, 256);
    const V zero = _mm512_setzero_si512(), c128 = _mm512_set1_epi16(128);
    V sum = zero;
    for (unsigned j = 0; j < w; j += 32) {
        const __mmask32 m = tail32(w - j);
        V h[5], l[5];
        for (int k = 0; k < MOTION_TAPS; k++) {
            h[k] = _mm512_maskz_loadu_epi16(m, y->hi + j - 2 + k);
            l[k] = _mm512_maskz_loadu_epi16(m, y->lo + j - 2 + k);
        }
        const V h04 = _mm512_add_epi16(h[0], h[4]), h13 = _mm512_add_epi16(h[1], h[3]);
        const V l04 = _mm512_add_epi16(l[0], l[4]), l13 = _mm512_add_epi16(l[1], l[3]);
        for (int half = 0; half < 2; half++) {
            V a, b;
            if (half) {
                a = _mm512_add_epi32(_mm512_madd_epi16(_mm512_unpackhi_epi16(h04, h13), c01),
                                     _mm512_madd_epi16(_mm512_unpackhi_epi16(h[2], zero), ch));
                b = _mm512_add_epi32(_mm512_madd_epi16(_mm512_unpackhi_epi16(l04, l13), c01),
                                     _mm512_madd_epi16(_mm512_unpackhi_epi16(l[2], c128), cl));
            } else {
                a = _mm512_add_epi32(_mm512_madd_epi16(_mm512_unpacklo_epi16(h04, h13), c01),
                                     _mm512_madd_epi16(_mm512_unpacklo_epi16(h[2], zero), ch));
                b = _mm512_add_epi32(_mm512_madd_epi16(_mm512_unpacklo_epi16(l04, l13), c01),
                                     _mm512_madd_epi16(_mm512_unpacklo_epi16(l[2], c128), cl));
            }
            /* b already holds the 2^15 rounding (128 * 256); masked lanes give 0 */
            const V z = _mm512_srai_epi32(_mm512_add_epi32(a, _mm512_srai_epi32(b, 8)), 8);
            sum = _mm512_add_epi32(sum, _mm512_abs_epi32(z));
        }
    }
    /* wrapping 32-bit sum of the lanes (the compiler's reduction adds in signed int) */
    const __m256i a = _mm256_add_epi32(_mm512_castsi512_si256(sum), _mm512_extracti64x4_epi64(sum, 1));
    __m128i b = _mm_add_epi32(_mm256_castsi256_si128(a), _mm256_extracti128_si256(a, 1));
    b = _mm_add_epi32(b, _mm_shuffle_epi32(b, 0x4E));
    b = _mm_add_epi32(b, _mm_shuffle_epi32(b, 0xB1));
    return (uint32_t)_mm_cvtsi128_si32(b);
}

void motion_kernels_init_avx512(MotionKernels *k)
{
    k->vrow_8 = vrow_8;
    k->vrow_16 = vrow_16;
    k->hrow = hrow;
}
