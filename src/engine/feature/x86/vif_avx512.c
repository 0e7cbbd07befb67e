/* Integer VIF kernels for AVX-512 (F, BW, DQ, VL): 32 samples per step. The shared body is
 * vif_simd.h; this file supplies the vector operations and the per-pixel terms. Built twice:
 * plain, and with VIF_VNNI for CPUs with AVX512-VNNI, where one vpdpwssd replaces each
 * pmaddwd + paddd pair of the filters (the same sums modulo 2^32, so the same results). */
#include <immintrin.h>
#include <stdint.h>
#include <string.h>

#include "../vif_kernels.h"

typedef __m512i VI;
#define VN 32

#define I_ZERO() _mm512_setzero_si512()
#define I_SET1_16(x) _mm512_set1_epi16((short)(x))
#define I_SET1_32(x) _mm512_set1_epi32((int)(x))
#define I_SET1_64(x) _mm512_set1_epi64((long long)(x))
#define I_LOADU(p) _mm512_loadu_si512((const void *)(p))
#define I_STOREU(p, v) _mm512_storeu_si512((void *)(p), (v))
#define I_LOAD8S(p) \
    _mm512_cvtepi8_epi16(_mm256_xor_si256(_mm256_loadu_si256((const __m256i *)(p)), _mm256_set1_epi8(-128)))
#define I_MULLO16 _mm512_mullo_epi16
#define I_MULHI_U16 _mm512_mulhi_epu16
#define I_SLLI16 _mm512_slli_epi16
#define I_SRLI16 _mm512_srli_epi16
#define I_ADD16 _mm512_add_epi16
#define I_ADD32 _mm512_add_epi32
#define I_SUB32 _mm512_sub_epi32
#define I_ADD64 _mm512_add_epi64
#define I_AND _mm512_and_si512
#define I_OR _mm512_or_si512
#define I_XOR _mm512_xor_si512
#define I_MADD _mm512_madd_epi16
#if VIF_VNNI
#define I_DPWSSD _mm512_dpwssd_epi32
#else
#define I_DPWSSD(acc, a, b) _mm512_add_epi32((acc), _mm512_madd_epi16((a), (b)))
#endif
#define I_IN_REGISTER(v) ((void)0) /* see vif_avx2.c */
#define I_AS_IS(v) __asm__("" : "+v"(v))
#define I_MULU _mm512_mul_epu32
#define I_MULS _mm512_mul_epi32
#define I_SRLI64 _mm512_srli_epi64
#define I_ODD32(v) _mm512_shuffle_epi32((v), (_MM_PERM_ENUM)0xf5) /* see vif_avx2.c */
#define I_SLLI64 _mm512_slli_epi64
#define I_SRLI32 _mm512_srli_epi32
#define I_SLLI32 _mm512_slli_epi32
#define I_SRAI32 _mm512_srai_epi32
#define I_SRL64 _mm512_srl_epi64
#define I_SRL32 _mm512_srl_epi32
#define I_SLL32 _mm512_sll_epi32
#define I_UNPACKLO16 _mm512_unpacklo_epi16
#define I_UNPACKHI16 _mm512_unpackhi_epi16
#define I_PACKS32 _mm512_packs_epi32
#define I_PACKUS32 _mm512_packus_epi32
#define I_BLEND_ODD32(even, odd) _mm512_mask_blend_epi32(0xaaaa, (even), (odd))
/* Not the ring of products (vif_avx2.c): slower here; 10-bit, paired CPU time on Zen 5 with
 * it: 576x324 1.105, 1920x1080 1.123. */
#define VIF_RING 0
#define I_LANES_GE32(v, k) ((unsigned)_mm512_cmpge_epi32_mask((v), _mm512_set1_epi32(k)))

/* ---- per-pixel terms (spec 3.4), 16 pixels at a time in two halves of 8 doubles -------- */

/* Non-flat pixels wait in a queue until STAGE of them fill whole vectors for the log terms:
 * in video most 16-pixel steps mix flat and non-flat pixels (a third of the lanes would go
 * through the logs for nothing), and the sums do not depend on the order of the pixels. */
#define STAGE 64

typedef struct StatAcc {
    __m512i num_log, den_log, num_non_log; /* 64-bit lanes */
    int64_t den_non_log;
    unsigned n; /* queued pixels */
    int32_t sxx[STAGE + 16], syy[STAGE + 16], sxy[STAGE + 16];
} StatAcc;

static inline void stat_init(StatAcc *a)
{
    a->num_log = a->den_log = a->num_non_log = _mm512_setzero_si512();
    a->den_non_log = 0;
    a->n = 0;
}

/* Lane sum in unsigned (two's-complement wrap is defined there): gcc finishes
 * _mm512_reduce_add_epi64 with signed scalar adds, which UBSan flags on extreme inputs. */
static inline int64_t hsum64(__m512i v)
{
    uint64_t lane[8], sum = 0;
    _mm512_storeu_si512(lane, v);
    for (int i = 0; i < 8; i++) sum += lane[i];
    return (int64_t)sum;
}

static void stat_flush(StatAcc *a, const VifTermParams *tp);

static inline void stat_reduce(StatAcc *a, const VifTermParams *tp, VifSums *s)
{
    stat_flush(a, tp);
    s->num_log += hsum64(a->num_log);
    s->den_log += hsum64(a->den_log);
    s->num_non_log += hsum64(a->num_non_log);
    s->den_non_log += a->den_non_log;
}

/* T[m] + 2048 * biased exponent of a double holding an integer >= 2^15: the fixed-point log
 * of spec 3.4 plus 2048 * (1023 + 15), read straight from the double's bits (exact below
 * 2^53: the top 16 bits of the integer are the implicit one and 15 mantissa bits). */
static inline __m512i log2_biased(__m512d v, __mmask8 m, const uint16_t *tab)
{
    __m512i q = _mm512_srli_epi64(_mm512_castpd_si512(v), 37);
    __m512i idx = _mm512_and_si512(q, _mm512_set1_epi64(0x7fff));
    /* only the lanes that count are loaded */
    __m512i t = _mm512_mask_i64gather_epi64(_mm512_setzero_si512(), m, idx, (const void *)tab, 2);
    t = _mm512_and_si512(t, _mm512_set1_epi64(0xffff));
    return _mm512_add_epi64(t, _mm512_slli_epi64(_mm512_srli_epi64(q, 15), 11));
}

/* The same from arithmetic (VifLog2Arith in vif_kernels.h): no table, every lane computed. */
static inline __m512i log2_biased_arith(__m512d v, const VifLog2Arith *a)
{
    const __m512i bits = _mm512_castpd_si512(v);
    /* x: the mantissa cut to its top 15 bits, with the exponent of 1.0 */
    __m512i xb = _mm512_and_si512(bits, _mm512_set1_epi64(0x7fffll << 37));
    __m512d x = _mm512_castsi512_pd(_mm512_or_si512(xb, _mm512_set1_epi64(0x3ffll << 52)));
    /* the segment: the top 4 mantissa bits (permutex2var reads only the low 4 index bits) */
    __m512i seg = _mm512_srli_epi64(bits, 48);
    __m512d inv = _mm512_permutex2var_pd(_mm512_loadu_pd(a->inv), seg, _mm512_loadu_pd(a->inv + 8));
    __m512d base = _mm512_permutex2var_pd(_mm512_loadu_pd(a->base), seg, _mm512_loadu_pd(a->base + 8));
    __m512d r = _mm512_fmsub_pd(x, inv, _mm512_set1_pd(1.0));
    __m512d p = _mm512_set1_pd(a->poly[5]);
    for (int n = 4; n >= 0; n--) p = _mm512_fmadd_pd(p, r, _mm512_set1_pd(a->poly[n]));
    __m512d q = _mm512_fmadd_pd(p, r, base);
    __m512i qi = _mm512_cvt_roundpd_epi64(q, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    /* + 256 rounds half away; + 15 << 20 is the table's 2048 * 15 after the shift */
    __m512i t = _mm512_srli_epi64(_mm512_add_epi64(qi, _mm512_set1_epi64(256 + (15ll << 20))), 9);
    return _mm512_add_epi64(t, _mm512_slli_epi64(_mm512_srli_epi64(bits, 52), 11));
}

/* log2_biased() through whichever of the two the parameters allow. */
static inline __m512i log2_term(__m512d v, __mmask8 m, const VifTermParams *tp)
{
    return tp->log2_arith ? log2_biased_arith(v, tp->log2_arith) : log2_biased(v, m, tp->log2_tab);
}

static int log2_check(const VifLog2Arith *a, const uint16_t *tab)
{
    /* m * 2^s plus lower bits that the cut must ignore, up to the 2^45 the terms stay under */
    static const int shifts[] = { 0, 3, 17, 29 };
    for (int s = 0; s < 4; s++)
        for (unsigned m = VIF_LOG_BASE; m < 2 * VIF_LOG_BASE; m += 8) {
            __m512i mi = _mm512_add_epi64(_mm512_set1_epi64(m), _mm512_setr_epi64(0, 1, 2, 3, 4, 5, 6, 7));
            __m512i low = _mm512_set1_epi64(((1ll << shifts[s]) - 1) & 0x5a5a5a5a5ll);
            __m512d v = _mm512_cvtepi64_pd(_mm512_or_si512(_mm512_slli_epi64(mi, shifts[s]), low));
            __m128i t = _mm_loadu_si128((const __m128i *)(const void *)(tab + m - VIF_LOG_BASE));
            __m512i want = _mm512_add_epi64(_mm512_cvtepu16_epi64(t),
                                            _mm512_set1_epi64(2048ll * (1023 + 15 + shifts[s])));
            if (_mm512_cmpneq_epi64_mask(log2_biased_arith(v, a), want)) return 0;
        }
    return 1;
}

/* The mask of the first n of 16 lanes. */
static inline __mmask16 first_lanes(unsigned n)
{
    return n >= 16 ? 0xffff : (__mmask16)((1u << n) - 1);
}

static inline __m512d trunc_pd(__m512d v)
{
    return _mm512_roundscale_pd(v, _MM_FROUND_TO_ZERO | _MM_FROUND_NO_EXC);
}

static inline void stat_half(StatAcc *a, __m256i sxx, __m256i syy, __m256i sxy, __mmask8 nonflat,
                             __mmask8 logm, const VifTermParams *tp)
{
    const __m512d nsq = _mm512_set1_pd(131072.0);
    __m512d dx = _mm512_cvtepi32_pd(sxx);
    __m512i den = _mm512_sub_epi64(log2_term(_mm512_add_pd(dx, nsq), nonflat, tp),
                                   _mm512_set1_epi64(2048 * (1023 + 15 + 17)));
    a->den_log = _mm512_mask_add_epi64(a->den_log, nonflat, a->den_log, den);
    if (!logm) return;
    /* the scalar order of operations, one IEEE operation each (no fused multiply-add) */
    const double eps = 65536 * 1.0e-10;
    __m512d dy = _mm512_cvtepi32_pd(syy), dxy = _mm512_cvtepi32_pd(sxy);
    __m512d g = _mm512_div_pd(dxy, _mm512_add_pd(dx, _mm512_set1_pd(eps)));
    __m512d sv = trunc_pd(_mm512_sub_pd(dy, _mm512_mul_pd(g, dxy)));
    sv = _mm512_max_pd(sv, _mm512_setzero_pd());
    g = _mm512_min_pd(g, _mm512_set1_pd(tp->gain_limit));
    __m512d n1 = _mm512_add_pd(sv, nsq);
    __m512d n2 = _mm512_add_pd(trunc_pd(_mm512_mul_pd(_mm512_mul_pd(g, g), dx)), n1);
    __m512i num = _mm512_sub_epi64(log2_term(n2, logm, tp), log2_term(n1, logm, tp));
    a->num_log = _mm512_mask_add_epi64(a->num_log, logm, a->num_log, num);
}

/* The terms of n queued non-flat pixels from the front of the queue (n <= STAGE + 16). */
static inline void stat_queued(StatAcc *a, unsigned n, const VifTermParams *tp)
{
    const __m512i zero = _mm512_setzero_si512();
    for (unsigned i = 0; i < n; i += 16) {
        const __mmask16 m = first_lanes(n - i);
        __m512i sxx = _mm512_loadu_si512(a->sxx + i), syy = _mm512_loadu_si512(a->syy + i);
        __m512i sxy = _mm512_loadu_si512(a->sxy + i);
        __mmask16 logm = _mm512_mask_cmpgt_epi32_mask(m, sxy, zero) & _mm512_cmpgt_epi32_mask(syy, zero);
        stat_half(a, _mm512_castsi512_si256(sxx), _mm512_castsi512_si256(syy), _mm512_castsi512_si256(sxy),
                  (__mmask8)m, (__mmask8)logm, tp);
        if (m >> 8)
            stat_half(a, _mm512_extracti64x4_epi64(sxx, 1), _mm512_extracti64x4_epi64(syy, 1),
                      _mm512_extracti64x4_epi64(sxy, 1), (__mmask8)(m >> 8), (__mmask8)(logm >> 8), tp);
    }
}

static void stat_flush(StatAcc *a, const VifTermParams *tp)
{
    stat_queued(a, a->n, tp);
    a->n = 0;
}

static inline void stat_add(StatAcc *a, __m512i sxx, __m512i syy, __m512i sxy, unsigned nvalid,
                            const VifTermParams *tp)
{
    const __mmask16 valid = first_lanes(nvalid);
    syy = _mm512_max_epi32(syy, _mm512_setzero_si512());
    __mmask16 flat = _mm512_mask_cmplt_epi32_mask(valid, sxx, _mm512_set1_epi32(131072));
    __mmask16 nonflat = valid & ~flat;
    if (flat) {
        __m256i y0 = _mm512_castsi512_si256(syy), y1 = _mm512_extracti64x4_epi64(syy, 1);
        a->den_non_log += __builtin_popcount(flat);
        a->num_non_log = _mm512_mask_add_epi64(a->num_non_log, (__mmask8)flat, a->num_non_log,
                                               _mm512_cvtepi32_epi64(y0));
        a->num_non_log = _mm512_mask_add_epi64(a->num_non_log, (__mmask8)(flat >> 8), a->num_non_log,
                                               _mm512_cvtepi32_epi64(y1));
    }
    if (!nonflat) return;
    _mm512_storeu_si512(a->sxx + a->n, _mm512_maskz_compress_epi32(nonflat, sxx));
    _mm512_storeu_si512(a->syy + a->n, _mm512_maskz_compress_epi32(nonflat, syy));
    _mm512_storeu_si512(a->sxy + a->n, _mm512_maskz_compress_epi32(nonflat, sxy));
    a->n += (unsigned)__builtin_popcount(nonflat);
    if (a->n < STAGE) return;
    /* whole vectors now, the rest (< 16) to the front */
    const unsigned done = a->n & ~15u, left = a->n - done;
    stat_queued(a, done, tp);
    memmove(a->sxx, a->sxx + done, left * sizeof(int32_t));
    memmove(a->syy, a->syy + done, left * sizeof(int32_t));
    memmove(a->sxy, a->sxy + done, left * sizeof(int32_t));
    a->n = left;
}

/* The terms of a step whose nvalid pixels are all flat (sigma_x^2 < 2^17): each counts one
 * in den_non_log and its sigma_y^2 (negative as zero) in num_non_log. */
static inline void stat_flat(StatAcc *a, __m512i syy, unsigned nvalid)
{
    const __mmask16 valid = first_lanes(nvalid);
    syy = _mm512_maskz_max_epi32(valid, syy, _mm512_setzero_si512());
    __m512i s = _mm512_add_epi64(_mm512_cvtepi32_epi64(_mm512_castsi512_si256(syy)),
                                 _mm512_cvtepi32_epi64(_mm512_extracti64x4_epi64(syy, 1)));
    a->num_non_log = _mm512_add_epi64(a->num_non_log, s);
    a->den_non_log += nvalid;
}

/* n values of a vector of 32-bit lanes (each <= 65535) as uint16. */
static inline void store_out16(uint16_t *dst, __m512i v, unsigned n)
{
    __mmask16 m = first_lanes(n);
    _mm512_mask_cvtepi32_storeu_epi16(dst, m, v);
}

#include "vif_simd.h"

#if VIF_VNNI
void vif_kernels_avx512_vnni(VifKernels *k)
#else
void vif_kernels_avx512(VifKernels *k)
#endif
{
    k->stats_8 = simd_stats_8;
    k->stats_16 = simd_stats_16;
    k->down_8 = simd_down_8;
    k->down_16 = simd_down_16;
    k->log2_check = log2_check;
}
