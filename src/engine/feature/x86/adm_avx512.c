/* Integer ADM row kernels, AVX-512 (F, BW, DQ, VL): 16 samples per step, tails by masks.
 * Each kernel reproduces its scalar definition in adm_kernels.h bit for bit, including the
 * int16/int32 wraps and the float/double steps of the angle test (same operations, same
 * order). The kernels are the shared bodies in adm_simd.h (DWT, CSF) and adm_simd_rows.h
 * (decoupling, masking, denominator); this file supplies the vector operations, with mask
 * registers for lane conditions. */
#include <immintrin.h>
#include <math.h>

#include "../adm_kernels.h"

typedef __m512i V;

static inline __mmask16 tail16(int rem)
{
    return rem >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << rem) - 1);
}

static inline __mmask32 tail32(int rem)
{
    return rem >= 32 ? (__mmask32)0xFFFFFFFFu : (__mmask32)((1u << rem) - 1);
}

static inline V set1(int32_t x)
{
    return _mm512_set1_epi32(x);
}

/* int16 samples -> int32 lanes, and back with a two's-complement wrap. */
static inline V load16(const int16_t *p, __mmask16 m)
{
    return _mm512_cvtepi16_epi32(_mm256_maskz_loadu_epi16(m, p));
}

static inline void store16(int16_t *p, __mmask16 m, V x)
{
    _mm256_mask_storeu_epi16(p, m, _mm512_cvtepi32_epi16(x));
}

static inline V load32(const int32_t *p, __mmask16 m)
{
    return _mm512_maskz_loadu_epi32(m, p);
}

/* The int32 value of each lane's low 16 bits, sign-extended (adm_wrap16 per lane). */
static inline V wrap16(V x)
{
    return _mm512_srai_epi32(_mm512_slli_epi32(x, 16), 16);
}

/* Sum of the eight 64-bit lanes, wrapping (the sums are taken modulo 2^64 everywhere; the
 * compiler's reduction helper adds in signed arithmetic). */
static inline int64_t hsum64(V x)
{
    const __m256i a = _mm256_add_epi64(_mm512_castsi512_si256(x), _mm512_extracti64x4_epi64(x, 1));
    const __m128i b = _mm_add_epi64(_mm256_castsi256_si128(a), _mm256_extracti128_si256(a, 1));
    return (int64_t)((uint64_t)_mm_cvtsi128_si64(b) + (uint64_t)_mm_extract_epi64(b, 1));
}

/* The odd int32 lanes moved into the low halves of the 64-bit lanes (see adm_avx2.c). */
static inline V odd(V x)
{
    return _mm512_shuffle_epi32(x, (_MM_PERM_ENUM)0xf5);
}

/* Low 32 bits of the even (e) and odd (o) 64-bit results back into one int32 vector. */
static inline V join(V e, V o)
{
    return _mm512_mask_blend_epi32(0xAAAA, e, _mm512_slli_epi64(o, 32));
}

/* ---- DWT and CSF (adm_simd.h): 32 int16 / 16 int32 / 8 int64 lanes a step, tails by masks ---- */

#define VN16 32
typedef __mmask32 M16;
typedef __mmask16 M32;
typedef __mmask8 M64;
typedef __m256i VH;

static inline __mmask8 tail8(int rem)
{
    return (__mmask8)(rem >= 8 ? 0xFF : (1u << rem) - 1);
}

#define V_MORE(j, n, step) ((j) < (n))
#define V_MASK16 tail32
#define V_MASK32 tail16
#define V_MASK64 tail8

#define V_SET1_16(x) _mm512_set1_epi16((short)(x))
#define V_SET1_64 _mm512_set1_epi64
#define V_ADD32 _mm512_add_epi32
#define V_ADD64 _mm512_add_epi64
#define V_SUB16 _mm512_sub_epi16
#define V_MADD _mm512_madd_epi16
#define V_MUL32 _mm512_mul_epi32
#define V_UNPACKLO16 _mm512_unpacklo_epi16
#define V_UNPACKHI16 _mm512_unpackhi_epi16
#define V_PACKS32 _mm512_packs_epi32
#define V_SRA32 _mm512_sra_epi32
#define V_SRAI32 _mm512_srai_epi32
#define V_SHR64 _mm512_sra_epi64

#define V_LOAD8TO16(m, p) _mm512_cvtepu8_epi16(_mm256_maskz_loadu_epi8((m), (p)))
#define V_LOAD16(m, p) _mm512_maskz_loadu_epi16((m), (p))
#define V_LOAD32(m, p) load32((const int32_t *)(const void *)(p), (m))
#define V_STORE16(p, m, v) _mm512_mask_storeu_epi16((p), (m), (v))
#define V_STORE32(p, m, v) _mm512_mask_storeu_epi32((p), (m), (v))
#define V_STORE32TO16(p, m, v) store16((p), (m), (v))
#define V_NARROW64 _mm512_cvtepi64_epi32
#define V_STOREH32(p, m, v) _mm256_mask_storeu_epi32((p), (m), (v))

/* The int32 sums of an unpacklo (e) / unpackhi (o) pair back in sample order (they hold
 * samples 0-3 / 4-7 of each 128-bit lane), 32 samples under the mask of 16-bit lanes. */
static inline void store_unpacked32(int32_t *p, __mmask32 m, V e, V o)
{
    const V i0 = _mm512_setr_epi32(0, 1, 2, 3, 16, 17, 18, 19, 4, 5, 6, 7, 20, 21, 22, 23);
    const V i1 = _mm512_setr_epi32(8, 9, 10, 11, 24, 25, 26, 27, 12, 13, 14, 15, 28, 29, 30, 31);
    _mm512_mask_storeu_epi32(p, (__mmask16)m, _mm512_permutex2var_epi32(e, i0, o));
    _mm512_mask_storeu_epi32(p + 16, (__mmask16)(m >> 16), _mm512_permutex2var_epi32(e, i1, o));
}
#define V_STORE_UNPACKED32 store_unpacked32

/* CSF (adm_simd.h): the diagonal band's carry (lo16(P) != 0) added under a mask register. */
static inline V csf16_d(V x, uint16_t fix)
{
    V hi = _mm512_mulhi_epi16(x, _mm512_set1_epi16((int16_t)fix));
    if (fix & 0x8000) hi = _mm512_add_epi16(hi, x); /* x * fix = x * (fix - 2^16) + x 2^16 */
    const __mmask32 carry = _mm512_test_epi16_mask(_mm512_mullo_epi16(x, _mm512_set1_epi16((int16_t)fix)),
                                                   _mm512_set1_epi16(-1));
    hi = _mm512_mask_add_epi16(hi, carry, hi, _mm512_set1_epi16(1));
    return _mm512_srai_epi16(hi, 1);
}

#define V_ZERO _mm512_setzero_si512
#define V_ADD16 _mm512_add_epi16
#define V_ABS16 _mm512_abs_epi16
#define V_ABS32 _mm512_abs_epi32
#define V_MULHI_EPU16 _mm512_mulhi_epu16
#define V_MULLO16 _mm512_mullo_epi16
#define V_MULHRS16 _mm512_mulhrs_epi16
#define V_SRLI16 _mm512_srli_epi16
#define V_SRLI64 _mm512_srli_epi64
#define V_SHRI64 _mm512_srai_epi64
#define V_BLEND_ODD32(e, o) _mm512_mask_blend_epi32(0xAAAA, (e), (o))
#define V_SEXT_LO16(x) _mm512_cvtepi16_epi32(_mm512_castsi512_si256(x))
#define V_SEXT_HI16(x) _mm512_cvtepi16_epi32(_mm512_extracti64x4_epi64((x), 1))
#define V_MASK_LO(m) ((__mmask16)(m))
#define V_MASK_HI(m) ((__mmask16)((m) >> 16))

/* ---- decoupling, masking, denominator rows (adm_simd_rows.h): 16 int32 / 8 int64 lanes ---- */

#define V_MULLO32 _mm512_mullo_epi32
#define V_MULU32 _mm512_mul_epu32
#define V_SRL64 _mm512_srl_epi64
#define V_SLLI64 _mm512_slli_epi64
#define V_SUB32 _mm512_sub_epi32
#define V_SLL32 _mm512_sll_epi32
#define V_MAXZ32(m, x) _mm512_maskz_max_epi32((m), (x), _mm512_setzero_si512())
/* up to sixteen int16 sign-extended to int32 */
#define V_LOAD16TO32(m, p) load16((p), (m))
/* up to sixteen int16 -> |x| as uint16 -> int32 */
#define V_LOADABS16TO32(m, p) _mm512_cvtepu16_epi32(_mm256_abs_epi16(_mm256_maskz_loadu_epi16((m), (p))))

/* Lane conditions C: mask registers. */
typedef __mmask16 C;
#define C_NONE() ((__mmask16)0)
#define C_EQ32 _mm512_cmpeq_epi32_mask
#define C_GT32 _mm512_cmpgt_epi32_mask
#define C_AND(a, b) ((__mmask16)((a) & (b)))
#define C_OR(a, b) ((__mmask16)((a) | (b)))
#define C_ANDNOT(a, b) ((__mmask16)(~(a) & (b)))
#define C_ANY(c) ((c) != 0)
#define C_ANY_ANDNOT(a, b) (C_ANDNOT((a), (b)) != 0)
#define C_FROM_BITS(x) ((__mmask16)(x))
#define C_AND_NZ32(c, x) _mm512_mask_cmpneq_epi32_mask((c), (x), _mm512_setzero_si512()) /* c where x != 0 */
#define V_MASKZ _mm512_maskz_mov_epi32
#define V_BLEND(c, a, b) _mm512_mask_mov_epi32((a), (c), (b)) /* b where c, else a */
#define V_GATHER32(base, idx) _mm512_i32gather_epi32((idx), (base), 4)
#define V_AND _mm512_and_si512
#define V_OR _mm512_or_si512
#define V_ALLZERO(v) (_mm512_test_epi32_mask((v), (v)) == 0)
#define V_MIN32 _mm512_min_epi32
#define V_MAX32 _mm512_max_epi32
#define V_SLLI32 _mm512_slli_epi32
#define V_SRLI32 _mm512_srli_epi32
#define V_SLLV32 _mm512_sllv_epi32
#define V_SRLV32 _mm512_srlv_epi32
#define V_SRAV64 _mm512_srav_epi64
#define V_MIN64 _mm512_min_epi64
#define V_MAX64 _mm512_max_epi64
#define V_STOREWRAP16 V_STORE32TO16 /* vpmovdw keeps the low 16 bits */

/* The biased float exponent of uint32 lanes with the low 8 bits clear (exact). */
#define V_EXP_U32(x) _mm512_srli_epi32(_mm512_castps_si512(_mm512_cvtepu32_ps(x)), 23)

/* d negated where o < 0. */
static inline V applysign32(V d, V o)
{
    return _mm512_mask_sub_epi32(d, _mm512_cmplt_epi32_mask(o, _mm512_setzero_si512()),
                                 _mm512_setzero_si512(), d);
}
#define V_APPLYSIGN32 applysign32

/* The int64 of the even (low) or odd (high) int32 of each 64-bit lane, sign-extended. */
static inline V sext_even(V x)
{
    return _mm512_srai_epi64(_mm512_slli_epi64(x, 32), 32);
}
#define V_SEXT_EVEN64 sext_even
#define V_SEXT_ODD64(x) _mm512_srai_epi64((x), 32)

/* Eight doubles from each half of sixteen floats. */
static inline __m512d lo_pd(__m512 f)
{
    return _mm512_cvtps_pd(_mm512_castps512_ps256(f));
}
static inline __m512d hi_pd(__m512 f)
{
    return _mm512_cvtps_pd(_mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(f), 1)));
}

/* dot*dot >= cos1sq * oo * tt in double, in the definition's order of operations. */
static inline __mmask8 cone8(__m512d d, __m512d oo, __m512d tt, __m512d c)
{
    const __m512d lhs = _mm512_mul_pd(d, d);
    const __m512d rhs = _mm512_mul_pd(_mm512_mul_pd(c, oo), tt);
    return _mm512_cmp_pd_mask(lhs, rhs, _CMP_GE_OQ);
}

/* The definition scales the three products by 2^-12 before comparing; the powers of two
 * cancel exactly (no rounding, no overflow), so the unscaled floats are compared. */
static inline __mmask16 cone16(__m512 fd, __m512 foo, __m512 ftt, float cos1sq)
{
    const __m512d c = _mm512_set1_pd(cos1sq);
    const __mmask8 lo = cone8(lo_pd(fd), lo_pd(foo), lo_pd(ftt), c);
    const __mmask8 hi = cone8(hi_pd(fd), hi_pd(foo), hi_pd(ftt), c);
    return (__mmask16)(lo | ((unsigned)hi << 8));
}

/* Level 0 angle test of 16 samples from the int32 dot products (angle0): only
 * 2 * (-32768)^2 = 2^31 can wrap, to INT32_MIN (read unsigned for oo and tt; for ot it
 * converts to -2^31, the same square, and the sign is taken from the integer). */
static inline C cone32(V ot, V oo, V tt, float cos1sq)
{
    const __mmask16 pos = _mm512_cmpge_epi32_mask(ot, _mm512_setzero_si512()) |
                          _mm512_cmpeq_epi32_mask(ot, set1(INT32_MIN));
    return pos & cone16(_mm512_cvtepi32_ps(ot), _mm512_cvtepu32_ps(oo), _mm512_cvtepu32_ps(tt), cos1sq);
}

/* Levels 1-3 angle test of 8 samples from their int64 dot products (angle_even):
 * int64 -> float, then double (unscaled, see cone16). */
static inline unsigned cone64(V ot, V oo, V tt, float cos1sq)
{
    const __mmask8 pos = _mm512_cmpge_epi64_mask(ot, _mm512_setzero_si512());
    return pos & cone8(_mm512_cvtps_pd(_mm512_cvtepi64_ps(ot)), _mm512_cvtps_pd(_mm512_cvtepi64_ps(oo)),
                       _mm512_cvtps_pd(_mm512_cvtepi64_ps(tt)), _mm512_set1_pd(cos1sq));
}

/* The enhancement limit of adm_enhance in double (enhance), in two 8-lane halves: min/max
 * as the definition's compares, g < t ? g : t and g > t ? g : t. */
static inline V limit_pd(V rst, V o, V t, double egl)
{
    const __mmask16 pos = _mm512_cmpgt_epi32_mask(o, _mm512_setzero_si512());
    const __m512d e = _mm512_set1_pd(egl);
    const __m256i r_lo = _mm512_castsi512_si256(rst), r_hi = _mm512_extracti64x4_epi64(rst, 1);
    const __m256i t_lo = _mm512_castsi512_si256(t), t_hi = _mm512_extracti64x4_epi64(t, 1);
    const __m512d g_lo = _mm512_mul_pd(_mm512_cvtepi32_pd(r_lo), e);
    const __m512d g_hi = _mm512_mul_pd(_mm512_cvtepi32_pd(r_hi), e);
    const __m512d tl = _mm512_cvtepi32_pd(t_lo), thh = _mm512_cvtepi32_pd(t_hi);
    const __mmask8 p_lo = (__mmask8)pos, p_hi = (__mmask8)(pos >> 8);
    const __mmask8 lt_lo = _mm512_cmp_pd_mask(g_lo, tl, _CMP_LT_OQ);
    const __mmask8 lt_hi = _mm512_cmp_pd_mask(g_hi, thh, _CMP_LT_OQ);
    const __mmask8 gt_lo = _mm512_cmp_pd_mask(g_lo, tl, _CMP_GT_OQ);
    const __mmask8 gt_hi = _mm512_cmp_pd_mask(g_hi, thh, _CMP_GT_OQ);
    const __mmask8 s_lo = (p_lo & lt_lo) | (~p_lo & gt_lo);
    const __mmask8 s_hi = (p_hi & lt_hi) | (~p_hi & gt_hi);
    const __m512d v_lo = _mm512_mask_mov_pd(tl, s_lo, g_lo);
    const __m512d v_hi = _mm512_mask_mov_pd(thh, s_hi, g_hi);
    return _mm512_inserti64x4(_mm512_castsi256_si512(_mm512_cvttpd_epi32(v_lo)), _mm512_cvttpd_epi32(v_hi),
                              1);
}

/* The 64-bit arithmetic shift by one count (sar64 of adm_simd_rows.h). */
typedef struct Sar64 {
    __m128i count;
} Sar64;

static inline Sar64 sar64_setup(int shift)
{
    return (Sar64){ _mm_cvtsi32_si128(shift) };
}

static inline V sar64(V x, const Sar64 *s)
{
    return _mm512_sra_epi64(x, s->count);
}

#include "adm_simd.h"
#include "adm_simd_rows.h"

void adm_kernels_init_avx512(AdmKernels *k)
{
    simd_kernels(k);
}
