/* Integer ADM row kernels, AVX2: 8 int32 lanes (4 int64) per step; the last partial step of
 * a row is left to the scalar definition in adm_kernels.h. Each kernel reproduces that
 * definition bit for bit, including the int16/int32 wraps and the float/double steps of the
 * angle test (same operations, same order). The kernels are the shared bodies in adm_simd.h
 * (DWT, CSF) and adm_simd_rows.h (decoupling, masking, denominator); this file supplies the
 * vector operations, with compare vectors for lane conditions. */
#include <immintrin.h>
#include <math.h>

#include "../adm_kernels.h"

typedef __m256i V;

static inline V set1(int32_t x)
{
    return _mm256_set1_epi32(x);
}
static inline V set1_64(int64_t x)
{
    return _mm256_set1_epi64x(x);
}
static inline V zero(void)
{
    return _mm256_setzero_si256();
}

static inline V load16(const int16_t *p)
{
    return _mm256_cvtepi16_epi32(_mm_loadu_si128((const __m128i *)(const void *)p));
}

static inline V load32(const int32_t *p)
{
    return _mm256_loadu_si256((const V *)(const void *)p);
}
static inline void store32(int32_t *p, V x)
{
    _mm256_storeu_si256((V *)(void *)p, x);
}

/* Eight int32 lanes holding int16 values -> eight int16. */
static inline void store16(int16_t *p, V x)
{
    const V packed = _mm256_permute4x64_epi64(_mm256_packs_epi32(x, x), 0x08);
    _mm_storeu_si128((__m128i *)(void *)p, _mm256_castsi256_si128(packed));
}

/* The int32 value of each lane's low 16 bits (adm_wrap16 per lane). */
static inline V wrap16(V x)
{
    return _mm256_srai_epi32(_mm256_slli_epi32(x, 16), 16);
}

/* The odd int32 lanes moved into the low halves of the 64-bit lanes, for the 32x32->64
 * multiplies, which read those alone: a shuffle, which runs beside the multiplies on Intel
 * cores, where a 64-bit shift competes with them for ports 0 and 1. The high halves keep the odd
 * lanes too: a 64-bit value needs V_SRLI64(x, 32). */
static inline V odd(V x)
{
    return _mm256_shuffle_epi32(x, 0xf5);
}

/* Low 32 bits of the even (e) and odd (o) 64-bit results back into one int32 vector. */
static inline V join(V e, V o)
{
    return _mm256_blend_epi32(e, _mm256_slli_epi64(o, 32), 0xAA);
}

/* The low dwords of four 64-bit lanes, packed into four int32. */
static inline __m128i low_dwords(V x)
{
    return _mm256_castsi256_si128(_mm256_permutevar8x32_epi32(x, _mm256_setr_epi32(0, 2, 4, 6, 0, 2, 4, 6)));
}

/* Lane mask (all ones / zero per int32 lane) from the low 8 bits of bits. */
static inline V lanes_of(unsigned bits)
{
    const V b = _mm256_setr_epi32(1, 2, 4, 8, 16, 32, 64, 128);
    return _mm256_cmpeq_epi32(_mm256_and_si256(set1((int32_t)bits), b), b);
}

/* ---- DWT and CSF (adm_simd.h): 16 int16 / 8 int32 / 4 int64 lanes a step, whole steps only ---- */

#define VN16 16
typedef int M16; /* no masks: whole steps, the rest of a row goes to the scalar definition */
typedef int M32;
typedef int M64;
typedef __m128i VH;

#define V_MORE(j, n, step) ((j) + (step) <= (n))
#define V_MASK16(rem) ((void)(rem), 0)
#define V_MASK32(rem) ((void)(rem), 0)
#define V_MASK64(rem) ((void)(rem), 0)

#define V_SET1_16(x) _mm256_set1_epi16((short)(x))
#define V_SET1_64 set1_64
#define V_ADD32 _mm256_add_epi32
#define V_ADD64 _mm256_add_epi64
#define V_SUB16 _mm256_sub_epi16
#define V_MADD _mm256_madd_epi16
#define V_MUL32 _mm256_mul_epi32
#define V_UNPACKLO16 _mm256_unpacklo_epi16
#define V_UNPACKHI16 _mm256_unpackhi_epi16
#define V_PACKS32 _mm256_packs_epi32
#define V_SRA32 _mm256_sra_epi32
#define V_SRAI32 _mm256_srai_epi32
/* no 64-bit arithmetic shift in AVX2: only the low 32 bits are kept and shift <= 16, so a
 * logical shift gives the same bits */
#define V_SHR64 _mm256_srl_epi64

#define V_LOAD8TO16(m, p) \
    ((void)(m), _mm256_cvtepu8_epi16(_mm_loadu_si128((const __m128i *)(const void *)(p))))
#define V_LOAD16(m, p) ((void)(m), _mm256_loadu_si256((const V *)(const void *)(p)))
#define V_LOAD32(m, p) ((void)(m), load32((const int32_t *)(const void *)(p)))
#define V_STORE16(p, m, v) ((void)(m), _mm256_storeu_si256((V *)(void *)(p), (v)))
#define V_STORE32(p, m, v) ((void)(m), store32((p), (v)))
#define V_STORE32TO16(p, m, v) ((void)(m), store16((p), (v)))
#define V_NARROW64 low_dwords
#define V_STOREH32(p, m, v) ((void)(m), _mm_storeu_si128((__m128i *)(void *)(p), (v)))

/* The int32 sums of an unpacklo (e) / unpackhi (o) pair back in sample order: they hold
 * samples 0-3 / 4-7 of each 128-bit lane. */
static inline void store_unpacked32(int32_t *p, V e, V o)
{
    store32(p, _mm256_permute2x128_si256(e, o, 0x20));
    store32(p + 8, _mm256_permute2x128_si256(e, o, 0x31));
}
#define V_STORE_UNPACKED32(p, m, e, o) ((void)(m), store_unpacked32((p), (e), (o)))

/* CSF (adm_simd.h): the diagonal band's carry (lo16(P) != 0) as a compare vector. */
static inline V csf16_d(V x, uint16_t fix)
{
    const V f = _mm256_set1_epi16((int16_t)fix);
    V hi = _mm256_mulhi_epi16(x, f);
    if (fix & 0x8000) hi = _mm256_add_epi16(hi, x); /* x * fix = x * (fix - 2^16) + x 2^16 */
    /* + 1 unless the low half is 0 (where the compare gives -1) */
    const V low_zero = _mm256_cmpeq_epi16(_mm256_mullo_epi16(x, f), _mm256_setzero_si256());
    hi = _mm256_add_epi16(_mm256_add_epi16(hi, _mm256_set1_epi16(1)), low_zero);
    return _mm256_srai_epi16(hi, 1);
}

#define V_ZERO zero
#define V_ADD16 _mm256_add_epi16
#define V_ABS16 _mm256_abs_epi16
#define V_ABS32 _mm256_abs_epi32
#define V_MULHI_EPU16 _mm256_mulhi_epu16
#define V_MULLO16 _mm256_mullo_epi16
#define V_MULHRS16 _mm256_mulhrs_epi16
#define V_SRLI16 _mm256_srli_epi16
#define V_SRLI64 _mm256_srli_epi64
#define V_SHRI64 _mm256_srli_epi64 /* logical: only the low 32 bits are kept (bits 15..46 or 28..59) */
#define V_BLEND_ODD32(e, o) _mm256_blend_epi32((e), (o), 0xAA)
#define V_SEXT_LO16(x) _mm256_cvtepi16_epi32(_mm256_castsi256_si128(x))
#define V_SEXT_HI16(x) _mm256_cvtepi16_epi32(_mm256_extracti128_si256((x), 1))
#define V_MASK_LO(m) (m)
#define V_MASK_HI(m) (m)

/* ---- decoupling, masking, denominator rows (adm_simd_rows.h): 8 int32 / 4 int64 lanes ---- */

#define V_MULLO32 _mm256_mullo_epi32
#define V_MULU32 _mm256_mul_epu32
#define V_SRL64 _mm256_srl_epi64
#define V_SLLI64 _mm256_slli_epi64
#define V_SUB32 _mm256_sub_epi32
#define V_SLL32 _mm256_sll_epi32
#define V_MAXZ32(m, x) ((void)(m), _mm256_max_epi32((x), _mm256_setzero_si256()))
/* eight int16 sign-extended to int32 */
#define V_LOAD16TO32(m, p) ((void)(m), load16(p))
/* eight int16 -> |x| as uint16 -> int32 */
#define V_LOADABS16TO32(m, p) \
    ((void)(m), _mm256_cvtepu16_epi32(_mm_abs_epi16(_mm_loadu_si128((const __m128i *)(const void *)(p)))))

/* Lane conditions C: compare vectors (all ones / zero per int32 lane). */
typedef __m256i C;
#define C_NONE zero
#define C_EQ32 _mm256_cmpeq_epi32
#define C_GT32 _mm256_cmpgt_epi32
#define C_AND _mm256_and_si256
#define C_OR _mm256_or_si256
#define C_ANDNOT _mm256_andnot_si256 /* ~a & b */
#define C_ANY(c) (!_mm256_testz_si256((c), (c)))
#define C_ANY_ANDNOT(a, b) (!_mm256_testc_si256((a), (b))) /* some lane of b not in a */
#define C_FROM_BITS lanes_of
#define C_AND_NZ32(c, x) _mm256_andnot_si256(_mm256_cmpeq_epi32((x), zero()), (c)) /* c where x != 0 */
#define V_MASKZ _mm256_and_si256
#define V_BLEND(c, a, b) _mm256_blendv_epi8((a), (b), (c)) /* b where c, else a */
#define V_GATHER32(base, idx) _mm256_i32gather_epi32((base), (idx), 4)
#define V_AND _mm256_and_si256
#define V_OR _mm256_or_si256
#define V_ALLZERO(v) _mm256_testz_si256((v), (v))
#define V_MIN32 _mm256_min_epi32
#define V_MAX32 _mm256_max_epi32
#define V_SLLI32 _mm256_slli_epi32
#define V_SRLI32 _mm256_srli_epi32
#define V_SLLV32 _mm256_sllv_epi32
#define V_SRLV32 _mm256_srlv_epi32
#define V_APPLYSIGN32 _mm256_sign_epi32 /* d * sign(o): 0 where o = 0, which ratio32 overrides */
#define V_STOREWRAP16(p, m, v) ((void)(m), store16((p), wrap16(v)))

/* The biased float exponent of int32 lanes read as uint32 with the low 8 bits clear (exact;
 * 2^31 converts as -2^31, whose sign bit is masked off). */
static inline V exp_u32(V x)
{
    return _mm256_and_si256(_mm256_srli_epi32(_mm256_castps_si256(_mm256_cvtepi32_ps(x)), 23), set1(0xFF));
}
#define V_EXP_U32 exp_u32

/* dot*dot >= cos1sq * oo * tt for four doubles. The definition scales the three products by
 * 2^-12 first; the powers of two cancel exactly (no rounding, no overflow). */
static inline unsigned cone4(__m256d d, __m256d oo, __m256d tt, __m256d c)
{
    const __m256d lhs = _mm256_mul_pd(d, d);
    const __m256d rhs = _mm256_mul_pd(_mm256_mul_pd(c, oo), tt);
    return (unsigned)_mm256_movemask_pd(_mm256_cmp_pd(lhs, rhs, _CMP_GE_OQ));
}

static inline __m256d to_pd(__m128 f)
{
    return _mm256_cvtps_pd(f);
}

/* f32 of int32 lanes whose INT32_MIN stands for +2^31 (see the AVX-512 cone32). */
static inline __m256 f32_wrapped(V x)
{
    const V big = _mm256_cmpeq_epi32(x, set1(INT32_MIN));
    return _mm256_blendv_ps(_mm256_cvtepi32_ps(x), _mm256_set1_ps(2147483648.0f), _mm256_castsi256_ps(big));
}

/* Level 0 angle test of 8 samples from the int32 dot products (angle0): in 4-lane double
 * halves. dot >= 0: the float of the true dot product is never negative where ot wrapped. */
static inline C cone32(V ot, V oo, V tt, float cos1sq)
{
    const __m256 fd = f32_wrapped(ot), foo = f32_wrapped(oo), ftt = f32_wrapped(tt);
    const __m256d c = _mm256_set1_pd(cos1sq);
    const unsigned lo = cone4(to_pd(_mm256_castps256_ps128(fd)), to_pd(_mm256_castps256_ps128(foo)),
                              to_pd(_mm256_castps256_ps128(ftt)), c);
    const unsigned hi = cone4(to_pd(_mm256_extractf128_ps(fd, 1)), to_pd(_mm256_extractf128_ps(foo, 1)),
                              to_pd(_mm256_extractf128_ps(ftt, 1)), c);
    const unsigned pos = ~(unsigned)_mm256_movemask_ps(fd) & 0xFF;
    return lanes_of(pos & (lo | hi << 4));
}

/* min(g, t) where o > 0, max(g, t) otherwise, g = rst * egl, in double with the definition's
 * compares, truncated to int32; four lanes of exact doubles. */
static inline __m128i limit4_pd(__m256d rst, __m256d o, __m256d t, double egl)
{
    const __m256d g = _mm256_mul_pd(rst, _mm256_set1_pd(egl));
    const __m256d pos = _mm256_cmp_pd(o, _mm256_setzero_pd(), _CMP_GT_OQ);
    const __m256d lt = _mm256_cmp_pd(g, t, _CMP_LT_OQ), gt = _mm256_cmp_pd(g, t, _CMP_GT_OQ);
    const __m256d take = _mm256_blendv_pd(gt, lt, pos);
    return _mm256_cvttpd_epi32(_mm256_blendv_pd(t, g, take));
}

static inline __m128i limit4(__m128i rst, __m128i o, __m128i t, double egl)
{
    return limit4_pd(_mm256_cvtepi32_pd(rst), _mm256_cvtepi32_pd(o), _mm256_cvtepi32_pd(t), egl);
}

/* Two 4-lane halves as one vector. */
static inline V join_halves(__m128i lo, __m128i hi)
{
    return _mm256_inserti128_si256(_mm256_castsi128_si256(lo), hi, 1);
}

/* The enhancement limit of adm_enhance in double (enhance), in two 4-lane halves. */
static inline V limit_pd(V rst, V o, V t, double egl)
{
    const __m128i lo = limit4(_mm256_castsi256_si128(rst), _mm256_castsi256_si128(o),
                              _mm256_castsi256_si128(t), egl);
    const __m128i hi = limit4(_mm256_extracti128_si256(rst, 1), _mm256_extracti128_si256(o, 1),
                              _mm256_extracti128_si256(t, 1), egl);
    return join_halves(lo, hi);
}

/* Correctly rounded float of four int64 lanes. The sum hi*2^32 + lo is formed in double
 * with its exact error (TwoSum); a double rounded to odd (the error pushes an even last bit
 * one step toward the exact value) then rounds to float exactly like a direct conversion. */
static inline __m128 f32_of_i64(V x)
{
    /* |x| < 2^51 (all lanes, the usual case): 2^52 + 2^51 + x has x in its mantissa, so the
     * double is exact and its rounding to float is the direct conversion's */
    const V magic = set1_64(0x4338000000000000); /* 2^52 + 2^51 */
    if (_mm256_testz_si256(_mm256_add_epi64(x, set1_64((int64_t)1 << 51)), set1_64(-((int64_t)1 << 52))))
        return _mm256_cvtpd_ps(
            _mm256_sub_pd(_mm256_castsi256_pd(_mm256_add_epi64(x, magic)), _mm256_castsi256_pd(magic)));
    const V idx = _mm256_setr_epi32(1, 3, 5, 7, 0, 2, 4, 6);
    const V p = _mm256_permutevar8x32_epi32(x, idx);
    const __m128i hi = _mm256_castsi256_si128(p), lo = _mm256_extracti128_si256(p, 1);
    const __m256d dh = _mm256_mul_pd(_mm256_cvtepi32_pd(hi), _mm256_set1_pd(4294967296.0));
    const __m256d dl = _mm256_add_pd(_mm256_cvtepi32_pd(_mm_xor_si128(lo, _mm_set1_epi32(INT32_MIN))),
                                     _mm256_set1_pd(2147483648.0));
    const __m256d s = _mm256_add_pd(dh, dl);
    const __m256d bb = _mm256_sub_pd(s, dh);
    const __m256d err = _mm256_add_pd(_mm256_sub_pd(dh, _mm256_sub_pd(s, bb)), _mm256_sub_pd(dl, bb));
    const V sbits = _mm256_castpd_si256(s);
    const V inexact = _mm256_castpd_si256(_mm256_cmp_pd(err, _mm256_setzero_pd(), _CMP_NEQ_OQ));
    const V even = _mm256_cmpeq_epi64(_mm256_and_si256(sbits, set1_64(1)), zero());
    /* same signs: one step away from zero (+1 on the bits); different signs: -1 */
    const V differ = _mm256_cmpgt_epi64(zero(), _mm256_xor_si256(sbits, _mm256_castpd_si256(err)));
    const V step = _mm256_or_si256(differ, set1_64(1));
    const V fix = _mm256_and_si256(_mm256_and_si256(inexact, even), step);
    return _mm256_cvtpd_ps(_mm256_castsi256_pd(_mm256_add_epi64(sbits, fix)));
}

/* Levels 1-3 angle test (4 bits) from the int64 dot products of four samples (angle_even). */
static inline unsigned cone64(V ot, V oo, V tt, float cos1sq)
{
    const __m256d d = to_pd(f32_of_i64(ot));
    const unsigned pos = (unsigned)_mm256_movemask_pd(_mm256_cmp_pd(d, _mm256_setzero_pd(), _CMP_GE_OQ));
    return pos & cone4(d, to_pd(f32_of_i64(oo)), to_pd(f32_of_i64(tt)), _mm256_set1_pd(cos1sq));
}

/* The low int32 of each 64-bit lane, sign-extended. */
static inline V sext64(V x)
{
    const V b = set1_64(0x80000000);
    return _mm256_sub_epi64(_mm256_xor_si256(_mm256_and_si256(x, set1_64(0xFFFFFFFF)), b), b);
}
#define V_SEXT_EVEN64 sext64
#define V_SEXT_ODD64(x) sext64(odd(x))

/* floor(x / 2^s) of int64 lanes with |x| < 2^62, per-lane s in [0, 62]: no 64-bit
 * arithmetic shift in AVX2, a bias of 2^62 makes it a logical one. */
static inline V srav64(V x, V s)
{
    const V bias = set1_64((int64_t)1 << 62);
    return _mm256_sub_epi64(_mm256_srlv_epi64(_mm256_add_epi64(x, bias), s), _mm256_srlv_epi64(bias, s));
}
#define V_SRAV64 srav64

/* No 64-bit min/max in AVX2: a compare and a blend. */
static inline V max64(V a, V b)
{
    return _mm256_blendv_epi8(a, b, _mm256_cmpgt_epi64(b, a));
}
static inline V min64(V a, V b)
{
    return _mm256_blendv_epi8(a, b, _mm256_cmpgt_epi64(a, b));
}
#define V_MAX64 max64
#define V_MIN64 min64

/* Sum of four 64-bit lanes, wrapping (the sums are taken modulo 2^64 everywhere). */
static inline int64_t hsum64(V x)
{
    const __m128i s = _mm_add_epi64(_mm256_castsi256_si128(x), _mm256_extracti128_si256(x, 1));
    return (int64_t)((uint64_t)_mm_cvtsi128_si64(s) + (uint64_t)_mm_extract_epi64(s, 1));
}

/* No 64-bit arithmetic shift in AVX2: for |x| < 2^62 a bias of 2^62 makes it a logical one. */
typedef struct Sar64 {
    V bias, bias_shifted;
    __m128i count;
} Sar64;

static inline Sar64 sar64_setup(int shift)
{
    const int64_t bias = (int64_t)1 << 62;
    return (Sar64){ set1_64(bias), set1_64(bias >> shift), _mm_cvtsi32_si128(shift) };
}

static inline V sar64(V x, const Sar64 *s)
{
    return _mm256_sub_epi64(_mm256_srl_epi64(_mm256_add_epi64(x, s->bias), s->count), s->bias_shifted);
}

#define ADM_DECOUPLE32_PD 1
#define ADM_CM0_SKIP_ZERO 1
#include "adm_simd.h"
#include "adm_simd_rows.h"

/* ---- levels 1-3 decoupling in double precision ---- */

/* AVX2 has no 64-bit arithmetic shift, min, max or conversion to float, which the int64 steps
 * of the definition need; in double, where that is exact, a step takes far fewer instructions
 * (and a division replaces the reciprocal table's gather):
 * - the ratio k = clamp((d*t + 2^(sh-1)) >> sh, 0, 32768) is floor(d*2^-sh * t + 1/2), with
 *   |d| = floor(2^30 / m) from a division (the quotient of 2^30 by m <= 2^15 is at least 2^-45
 *   of itself from the next integer, far more than a double's rounding): exact where
 *   |d*t| < 2^53, and beyond that (|d*t| / 2^sh >= 2^22 with sh <= 31) the rounded product
 *   clamps the same way; o = INT32_MIN (sh = 32, where libvmaf's rounding term wraps
 *   negative) is left to the int64 step;
 * - the restored band (k*o + 16384) >> 15 is below 2^46 before the shift;
 * - the angle test's dot products are below 2^53 where every o and t of the step is below
 *   2^26, so their doubles round to the definition's floats; steps with larger values (most
 *   of levels 2 and 3) take the int64 test.
 * Steps where every o and t is zero (flat areas: a quarter of them on the bench clips) give
 * zeros. */

static inline __m256d pd_lo(V x)
{
    return _mm256_cvtepi32_pd(_mm256_castsi256_si128(x));
}
static inline __m256d pd_hi(V x)
{
    return _mm256_cvtepi32_pd(_mm256_extracti128_si256(x, 1));
}
static inline __m256d f32_pd(__m256d x)
{
    return _mm256_cvtps_pd(_mm256_cvtpd_ps(x));
}
static inline __m256d floor_pd(__m256d x)
{
    return _mm256_round_pd(x, _MM_FROUND_TO_NEG_INF | _MM_FROUND_NO_EXC);
}

/* The angle test (adm_angle_flag) of four samples. */
static inline unsigned cone_pd(__m256d oh, __m256d ov, __m256d th, __m256d tv, __m256d c)
{
    const __m256d d = f32_pd(_mm256_add_pd(_mm256_mul_pd(oh, th), _mm256_mul_pd(ov, tv)));
    const __m256d oo = f32_pd(_mm256_add_pd(_mm256_mul_pd(oh, oh), _mm256_mul_pd(ov, ov)));
    const __m256d tt = f32_pd(_mm256_add_pd(_mm256_mul_pd(th, th), _mm256_mul_pd(tv, tv)));
    const unsigned pos = (unsigned)_mm256_movemask_pd(_mm256_cmp_pd(d, _mm256_setzero_pd(), _CMP_GE_OQ));
    return pos & cone4(d, oo, tt, c);
}

/* One band of a step: r = the restored band (enhanced where flag), a = t - r. */
static inline void band_pd(V o, V t, V flag, double egl, int32_t *r, int32_t *a)
{
    V s;
    const V m = recip_index32(o, &s);
    /* 2^-(s + 15) as floats (s <= 16 here) */
    const __m256 scale = _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_sub_epi32(set1(127 - 15), s), 23));
    const __m256d sc[2] = { _mm256_cvtps_pd(_mm256_castps256_ps128(scale)),
                            _mm256_cvtps_pd(_mm256_extractf128_ps(scale, 1)) };
    const __m256d od[2] = { pd_lo(o), pd_hi(o) }, td[2] = { pd_lo(t), pd_hi(t) },
                  mm[2] = { pd_lo(m), pd_hi(m) };
    __m256d rd[2];
    __m128i ki[2], ri[2];
    for (int h = 0; h < 2; h++) {
        /* d * 2^-sh with o's sign; o = 0 (m = 0) gives an infinite d, and k = 0 or NaN, which
         * the clamp makes 0 (maxpd returns its second operand for a NaN): r = 0 either way */
        const __m256d d = _mm256_xor_pd(floor_pd(_mm256_div_pd(_mm256_set1_pd(1073741824.0), mm[h])),
                                        _mm256_and_pd(od[h], _mm256_set1_pd(-0.0)));
        const __m256d q = _mm256_mul_pd(_mm256_mul_pd(d, sc[h]), td[h]);
        __m256d k = floor_pd(_mm256_add_pd(q, _mm256_set1_pd(0.5)));
        k = _mm256_min_pd(_mm256_max_pd(k, _mm256_setzero_pd()), _mm256_set1_pd(32768.0));
        const __m256d rk = _mm256_add_pd(_mm256_mul_pd(k, od[h]), _mm256_set1_pd(16384.0));
        rd[h] = floor_pd(_mm256_mul_pd(rk, _mm256_set1_pd(1.0 / 32768)));
        ki[h] = _mm256_cvttpd_epi32(k);
        ri[h] = _mm256_cvttpd_epi32(rd[h]);
    }
    V rst = join_halves(ri[0], ri[1]);
    /* o != 0 and k > 0 (o = 0 gives rst = 0 whatever k, as the definition's 32768 does) */
    const V on = C_AND(C_AND_NZ32(flag, o), C_GT32(join_halves(ki[0], ki[1]), zero()));
    if (C_ANY(on))
        rst = V_BLEND(on, rst,
                      join_halves(limit4_pd(rd[0], od[0], td[0], egl), limit4_pd(rd[1], od[1], td[1], egl)));
    store32(r, rst);
    store32(a, _mm256_sub_epi32(t, rst));
}

static bool decouple32_pd(const int32_t *const o[3], const int32_t *const t[3], int j, double egl,
                          float cos1sq, int32_t *const r[3], int32_t *const a[3])
{
    V ob[3], tb[3], big = zero(), min = zero();
    for (int b = 0; b < ADM_BANDS; b++) {
        ob[b] = load32(o[b] + j);
        tb[b] = load32(t[b] + j);
        big = _mm256_or_si256(big, _mm256_or_si256(_mm256_abs_epi32(ob[b]), _mm256_abs_epi32(tb[b])));
        min = _mm256_or_si256(min, _mm256_cmpeq_epi32(ob[b], set1(INT32_MIN)));
    }
    if (_mm256_testz_si256(big, big)) {
        for (int b = 0; b < ADM_BANDS; b++) {
            store32(r[b] + j, zero());
            store32(a[b] + j, zero());
        }
        return true;
    }
    if (!_mm256_testz_si256(min, min)) return false;
    V flag;
    if (_mm256_testz_si256(big, set1(-(1 << 26)))) {
        const __m256d c = _mm256_set1_pd(cos1sq);
        const unsigned lo = cone_pd(pd_lo(ob[ADM_H]), pd_lo(ob[ADM_V]), pd_lo(tb[ADM_H]), pd_lo(tb[ADM_V]),
                                    c);
        const unsigned hi = cone_pd(pd_hi(ob[ADM_H]), pd_hi(ob[ADM_V]), pd_hi(tb[ADM_H]), pd_hi(tb[ADM_V]),
                                    c);
        flag = lanes_of(lo | hi << 4);
    } else {
        flag = angle32(ob[ADM_H], ob[ADM_V], tb[ADM_H], tb[ADM_V], cos1sq);
    }
    for (int b = 0; b < ADM_BANDS; b++) band_pd(ob[b], tb[b], flag, egl, r[b] + j, a[b] + j);
    return true;
}

void adm_kernels_init_avx2(AdmKernels *k)
{
    simd_kernels(k);
}
