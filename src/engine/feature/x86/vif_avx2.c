/* Integer VIF kernels for AVX2: 16 samples per step. The shared body is vif_simd.h; this
 * file supplies the vector operations and the per-pixel terms. Built twice: plain, and with
 * VIF_VNNI for CPUs with AVX-VNNI, where one VEX vpdpwssd replaces each pmaddwd + paddd pair
 * of the filters (the same sums modulo 2^32, so the same results). */
#include <immintrin.h>
#include <stdint.h>
#include <string.h>

#include "../vif_kernels.h"

typedef __m256i VI;
#define VN 16

#define I_ZERO() _mm256_setzero_si256()
#define I_SET1_16(x) _mm256_set1_epi16((short)(x))
#define I_SET1_32(x) _mm256_set1_epi32((int)(x))
#define I_SET1_64(x) _mm256_set1_epi64x((long long)(x))
#define I_LOADU(p) _mm256_loadu_si256((const __m256i *)(const void *)(p))
#define I_STOREU(p, v) _mm256_storeu_si256((__m256i *)(void *)(p), (v))
#define I_LOAD8S(p)       \
    _mm256_cvtepi8_epi16( \
        _mm_xor_si128(_mm_loadu_si128((const __m128i *)(const void *)(p)), _mm_set1_epi8(-128)))
#define I_MULLO16 _mm256_mullo_epi16
#define I_MULHI_U16 _mm256_mulhi_epu16
#define I_SLLI16 _mm256_slli_epi16
#define I_SRLI16 _mm256_srli_epi16
#define I_ADD16 _mm256_add_epi16
#define I_ADD32 _mm256_add_epi32
#define I_SUB32 _mm256_sub_epi32
#define I_ADD64 _mm256_add_epi64
#define I_AND _mm256_and_si256
#define I_OR _mm256_or_si256
#define I_XOR _mm256_xor_si256
#define I_MADD _mm256_madd_epi16
#if VIF_VNNI
#define I_DPWSSD _mm256_dpwssd_avx_epi32
#define I_IN_REGISTER(v) ((void)0)
#else
#define I_DPWSSD(acc, a, b) _mm256_add_epi32((acc), _mm256_madd_epi16((a), (b)))
/* gcc folds the horizontal pass's loads into both pmaddwd of each (even and odd outputs): one
 * load in a register instead is 4 % of a plain avx2 run (576x324 8-bit, Zen 5), 1.6 % at 10
 * bits; with VNNI (and on AVX-512) the folded loads are faster, by 1-2 % */
#define I_IN_REGISTER(v) __asm__("" : "+x"(v))
#endif
#define I_AS_IS(v) __asm__("" : "+x"(v))
#define I_MULU _mm256_mul_epu32
#define I_MULS _mm256_mul_epi32
#define I_SRLI64 _mm256_srli_epi64
/* The odd 32-bit lanes moved to the even positions, which the 32x32->64 multiplies read: a
 * shuffle (port 5 on Intel cores) rather than a 64-bit shift, which competes with the multiplies
 * for ports 0 and 1 (Haswell: port 0 alone). VIF's 16-bit vertical pass on the Haswell model
 * (bench/mca_estimate.py): 8 % fewer cycles; the other models and Zen 5 measured: unchanged. */
#define I_ODD32(v) _mm256_shuffle_epi32((v), 0xf5)
#define I_SLLI64 _mm256_slli_epi64
#define I_SRLI32 _mm256_srli_epi32
#define I_SLLI32 _mm256_slli_epi32
#define I_SRAI32 _mm256_srai_epi32
#define I_SRL64 _mm256_srl_epi64
#define I_SRL32 _mm256_srl_epi32
#define I_SLL32 _mm256_sll_epi32
#define I_UNPACKLO16 _mm256_unpacklo_epi16
#define I_UNPACKHI16 _mm256_unpackhi_epi16
#define I_PACKS32 _mm256_packs_epi32
#define I_PACKUS32 _mm256_packus_epi32
#define I_BLEND_ODD32(even, odd) _mm256_blend_epi32((even), (odd), 0xaa)
/* Scale 0 of 10- and 12-bit pictures by the ring of products (vif_simd.h; rows of up to 706
 * columns): fewer multiplies, which Intel cores run on one or two ports. 10-bit, paired CPU
 * time against the 16-bit pass, Zen 5: 576x324 0.983 (avx2vnni 0.964); the Haswell, Skylake
 * and Ice Lake models (bench/mca_estimate.py): 5-6 % fewer cycles for the whole 576x324 run. */
#define VIF_RING 1
#define I_LANES_GE32(v, k) \
    ((unsigned)_mm256_movemask_ps(_mm256_castsi256_ps(_mm256_cmpgt_epi32((v), _mm256_set1_epi32((k)-1)))))

/* ---- per-pixel terms (spec 3.4), 8 pixels at a time in two halves of 4 doubles --------- */

typedef struct StatAcc {
    __m256i num_log, den_log, num_non_log; /* 64-bit lanes */
    int64_t den_non_log;
    int64_t den_tab, num_tab; /* the table parts of den_log and num_log */
} StatAcc;

static inline void stat_init(StatAcc *a)
{
    a->num_log = a->den_log = a->num_non_log = _mm256_setzero_si256();
    a->den_non_log = 0;
    a->den_tab = a->num_tab = 0;
}

static inline int64_t hsum64(__m256i v)
{
    __m128i s = _mm_add_epi64(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));
    return _mm_cvtsi128_si64(s) + _mm_extract_epi64(s, 1);
}

static inline void stat_reduce(const StatAcc *a, const VifTermParams *tp, VifSums *s)
{
    (void)tp;
    s->num_log += hsum64(a->num_log) + a->num_tab;
    s->den_log += hsum64(a->den_log) + a->den_tab;
    s->num_non_log += hsum64(a->num_non_log);
    s->den_non_log += a->den_non_log;
}

static inline __m256d trunc_pd(__m256d v)
{
    return _mm256_round_pd(v, _MM_FROUND_TO_ZERO | _MM_FROUND_NO_EXC);
}

/* Lanes of a 32-bit mask (4 lanes) widened to 64-bit lanes. */
static inline __m256i wide_mask(__m128i m)
{
    return _mm256_cvtepi32_epi64(m);
}

/* The fixed-point log2 of spec 3.4 of a double holding an integer v >= 2^15, in two parts:
 * q = its bits >> 37 holds the 15 bits below the leading one (the table index) and, above them,
 * the biased exponent, so that L(v) = T[q & 0x7fff] + 2048 * (q >> 15) - 2048 * (1023 + 15). */
static inline __m256i log2_bits(__m256d v)
{
    return _mm256_srli_epi64(_mm256_castpd_si256(v), 37);
}

/* 2048 * biased exponent: the part of L(v) the vector accumulates. */
static inline __m256i log2_exp(__m256i q)
{
    return _mm256_slli_epi64(_mm256_srli_epi64(q, 15), 11);
}

/* The table part, summed over the lanes of m: four scalar loads (the other lanes read the zero
 * past the table's end). On Zen 5 a 4-lane vpgatherqq costs more than the loads, their
 * extraction and the adds: 3 % of an avx2 run (576x324, 8- and 10-bit). */
static inline int64_t log2_tab_sum(__m256i q, __m256i m, const uint16_t *tab)
{
    __m256i idx = _mm256_blendv_epi8(_mm256_set1_epi64x(VIF_LOG_ENTRIES),
                                     _mm256_and_si256(q, _mm256_set1_epi64x(0x7fff)), m);
    __m128i lo = _mm256_castsi256_si128(idx), hi = _mm256_extracti128_si256(idx, 1);
    return (int64_t)tab[_mm_cvtsi128_si64(lo)] + tab[_mm_extract_epi64(lo, 1)] + tab[_mm_cvtsi128_si64(hi)] +
           tab[_mm_extract_epi64(hi, 1)];
}

static inline void stat_half(StatAcc *a, __m128i sxx, __m128i syy, __m128i sxy, __m128i nonflat, __m128i logm,
                             const VifTermParams *tp)
{
    const __m256d nsq = _mm256_set1_pd(131072.0);
    __m256d dx = _mm256_cvtepi32_pd(sxx);
    const __m256i nf = wide_mask(nonflat);
    __m256i qd = log2_bits(_mm256_add_pd(dx, nsq));
    a->den_tab += log2_tab_sum(qd, nf, tp->log2_tab);
    __m256i den = _mm256_sub_epi64(log2_exp(qd), _mm256_set1_epi64x(2048 * (1023 + 15 + 17)));
    a->den_log = _mm256_add_epi64(a->den_log, _mm256_and_si256(den, nf));
    if (_mm_testz_si128(logm, logm)) return;
    /* the scalar order of operations, one IEEE operation each (no fused multiply-add) */
    const double eps = 65536 * 1.0e-10;
    __m256d dy = _mm256_cvtepi32_pd(syy), dxy = _mm256_cvtepi32_pd(sxy);
    __m256d g = _mm256_div_pd(dxy, _mm256_add_pd(dx, _mm256_set1_pd(eps)));
    __m256d sv = trunc_pd(_mm256_sub_pd(dy, _mm256_mul_pd(g, dxy)));
    sv = _mm256_max_pd(sv, _mm256_setzero_pd());
    g = _mm256_min_pd(g, _mm256_set1_pd(tp->gain_limit));
    __m256d n1 = _mm256_add_pd(sv, nsq);
    __m256d n2 = _mm256_add_pd(trunc_pd(_mm256_mul_pd(_mm256_mul_pd(g, g), dx)), n1);
    const __m256i lm = wide_mask(logm);
    __m256i q2 = log2_bits(n2), q1 = log2_bits(n1);
    a->num_tab += log2_tab_sum(q2, lm, tp->log2_tab) - log2_tab_sum(q1, lm, tp->log2_tab);
    __m256i num = _mm256_sub_epi64(log2_exp(q2), log2_exp(q1));
    a->num_log = _mm256_add_epi64(a->num_log, _mm256_and_si256(num, lm));
}

/* All ones in the first n 32-bit lanes. */
static inline __m256i valid_lanes(unsigned n)
{
    return _mm256_cmpgt_epi32(_mm256_set1_epi32((int)n), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
}

static inline void stat_add(StatAcc *a, __m256i sxx, __m256i syy, __m256i sxy, unsigned nvalid,
                            const VifTermParams *tp)
{
    const __m256i zero = _mm256_setzero_si256();
    __m256i valid = valid_lanes(nvalid);
    syy = _mm256_max_epi32(syy, zero);
    __m256i flat = _mm256_and_si256(valid, _mm256_cmpgt_epi32(_mm256_set1_epi32(131072), sxx));
    __m256i nonflat = _mm256_andnot_si256(flat, valid);
    __m256i logm = _mm256_and_si256(nonflat, _mm256_and_si256(_mm256_cmpgt_epi32(sxy, zero),
                                                              _mm256_cmpgt_epi32(syy, zero)));
    a->den_non_log += __builtin_popcount((unsigned)_mm256_movemask_ps(_mm256_castsi256_ps(flat)));
    __m128i y0 = _mm256_castsi256_si128(syy), y1 = _mm256_extracti128_si256(syy, 1);
    __m128i f0 = _mm256_castsi256_si128(flat), f1 = _mm256_extracti128_si256(flat, 1);
    a->num_non_log = _mm256_add_epi64(a->num_non_log,
                                      _mm256_and_si256(_mm256_cvtepi32_epi64(y0), wide_mask(f0)));
    a->num_non_log = _mm256_add_epi64(a->num_non_log,
                                      _mm256_and_si256(_mm256_cvtepi32_epi64(y1), wide_mask(f1)));
    __m128i n0 = _mm256_castsi256_si128(nonflat), n1 = _mm256_extracti128_si256(nonflat, 1);
    if (!_mm_testz_si128(n0, n0))
        stat_half(a, _mm256_castsi256_si128(sxx), y0, _mm256_castsi256_si128(sxy), n0,
                  _mm256_castsi256_si128(logm), tp);
    if (!_mm_testz_si128(n1, n1))
        stat_half(a, _mm256_extracti128_si256(sxx, 1), y1, _mm256_extracti128_si256(sxy, 1), n1,
                  _mm256_extracti128_si256(logm, 1), tp);
}

/* The terms of a step whose nvalid pixels are all flat (sigma_x^2 < 2^17): each counts one
 * in den_non_log and its sigma_y^2 (negative as zero) in num_non_log. */
static inline void stat_flat(StatAcc *a, __m256i syy, unsigned nvalid)
{
    syy = _mm256_max_epi32(syy, _mm256_setzero_si256());
    if (nvalid < 8) syy = _mm256_and_si256(syy, valid_lanes(nvalid));
    __m256i s = _mm256_add_epi64(_mm256_cvtepi32_epi64(_mm256_castsi256_si128(syy)),
                                 _mm256_cvtepi32_epi64(_mm256_extracti128_si256(syy, 1)));
    a->num_non_log = _mm256_add_epi64(a->num_non_log, s);
    a->den_non_log += nvalid;
}

/* n values of a vector of 32-bit lanes (each <= 65535) as uint16. */
static inline void store_out16(uint16_t *dst, __m256i v, unsigned n)
{
    __m128i p = _mm256_castsi256_si128(_mm256_permute4x64_epi64(_mm256_packus_epi32(v, v), 0x08));
    if (n >= 8) {
        _mm_storeu_si128((__m128i *)(void *)dst, p);
        return;
    }
    uint16_t tmp[8];
    _mm_storeu_si128((__m128i *)(void *)tmp, p);
    memcpy(dst, tmp, n * sizeof(uint16_t));
}

#include "vif_simd.h"

#if VIF_VNNI
void vif_kernels_avx2_vnni(VifKernels *k)
#else
void vif_kernels_avx2(VifKernels *k)
#endif
{
    k->stats_8 = simd_stats_8;
    k->stats_16 = simd_stats_16;
    k->down_8 = simd_down_8;
    k->down_16 = simd_down_16;
}
