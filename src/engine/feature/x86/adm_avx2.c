/* Integer ADM row kernels, AVX2: 8 int32 lanes (4 int64) per step; the last partial step of
 * a row is left to the scalar definition in adm_kernels.h. Each kernel reproduces that
 * definition bit for bit, including the int16/int32 wraps and the float/double steps of the
 * angle test (same operations, same order). The DWT passes are the shared body in adm_simd.h. */
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

static inline V odd(V x)
{
    return _mm256_srli_epi64(x, 32);
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

/* ---- DWT (adm_simd.h): 16 int16 / 8 int32 / 4 int64 lanes a step, whole steps only ---- */

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
#define V_SHRI64 _mm256_srli_epi64 /* logical: bits 28..59 need no sign fill */
#define V_BLEND_ODD32(e, o) _mm256_blend_epi32((e), (o), 0xAA)
#define V_SEXT_LO16(x) _mm256_cvtepi16_epi32(_mm256_castsi256_si128(x))
#define V_SEXT_HI16(x) _mm256_cvtepi16_epi32(_mm256_extracti128_si256((x), 1))
#define V_MASK_LO(m) (m)
#define V_MASK_HI(m) (m)

/* Rows (adm_simd_rows.h): 8 int32 lanes a step. */
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

#include "adm_simd.h"

/* ---- decoupling ---- */

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

/* f32 of int32 lanes whose INT32_MIN stands for +2^31 (see the AVX-512 version). */
static inline __m256 f32_wrapped(V x)
{
    const V big = _mm256_cmpeq_epi32(x, set1(INT32_MIN));
    return _mm256_blendv_ps(_mm256_cvtepi32_ps(x), _mm256_set1_ps(2147483648.0f), _mm256_castsi256_ps(big));
}

/* Level 0 angle flags of 8 samples as a bit mask. */
static inline unsigned angle0(V oh, V ov, V th, V tv, float cos1sq)
{
    const V lo16 = set1(0xFFFF);
    const V po = _mm256_or_si256(_mm256_and_si256(oh, lo16), _mm256_slli_epi32(ov, 16));
    const V pt = _mm256_or_si256(_mm256_and_si256(th, lo16), _mm256_slli_epi32(tv, 16));
    const V ot = _mm256_madd_epi16(po, pt);
    const __m256 fd = f32_wrapped(ot);
    const __m256 foo = f32_wrapped(_mm256_madd_epi16(po, po));
    const __m256 ftt = f32_wrapped(_mm256_madd_epi16(pt, pt));
    const __m256d c = _mm256_set1_pd(cos1sq);
    const unsigned lo = cone4(to_pd(_mm256_castps256_ps128(fd)), to_pd(_mm256_castps256_ps128(foo)),
                              to_pd(_mm256_castps256_ps128(ftt)), c);
    const unsigned hi = cone4(to_pd(_mm256_extractf128_ps(fd, 1)), to_pd(_mm256_extractf128_ps(foo, 1)),
                              to_pd(_mm256_extractf128_ps(ftt, 1)), c);
    /* dot >= 0: the float of the true dot product is never negative where ot wrapped */
    const unsigned pos = ~(unsigned)_mm256_movemask_ps(fd) & 0xFF;
    return pos & (lo | hi << 4);
}

/* Q15 ratio t/o through the Q30 reciprocal d, split so that every part is exact in int32
 * (see the AVX-512 version); clamped to [0, 32768], 32768 where o == 0. */
static inline V ratio0(V d, V t, V o_zero)
{
    const V hi = _mm256_mullo_epi32(_mm256_srai_epi32(d, 15), t);
    const V lo = _mm256_mullo_epi32(_mm256_and_si256(d, set1(0x7FFF)), t);
    V k = _mm256_add_epi32(hi, _mm256_srai_epi32(_mm256_add_epi32(lo, set1(16384)), 15));
    k = _mm256_min_epi32(_mm256_max_epi32(k, zero()), set1(32768));
    return _mm256_blendv_epi8(k, set1(32768), o_zero);
}

/* min(g, t) where o > 0, max(g, t) otherwise, in double with the definition's compares,
 * truncated to int32; four lanes. */
static inline __m128i limit4(__m128i rst, __m128i o, __m128i t, double egl)
{
    const __m256d g = _mm256_mul_pd(_mm256_cvtepi32_pd(rst), _mm256_set1_pd(egl));
    const __m256d td = _mm256_cvtepi32_pd(t);
    const __m256d pos = _mm256_castsi256_pd(_mm256_cvtepi32_epi64(_mm_cmpgt_epi32(o, _mm_setzero_si128())));
    const __m256d lt = _mm256_cmp_pd(g, td, _CMP_LT_OQ), gt = _mm256_cmp_pd(g, td, _CMP_GT_OQ);
    const __m256d take = _mm256_blendv_pd(gt, lt, pos);
    return _mm256_cvttpd_epi32(_mm256_blendv_pd(td, g, take));
}

/* adm_enhance on the lanes of `on` (see the AVX-512 version for the integral-gain path). */
static inline V enhance8(V rst, V o, V t, V on, double egl, bool int_gain)
{
    if (_mm256_testz_si256(on, on)) return rst;
    V g;
    if (int_gain) {
        const V p = _mm256_mullo_epi32(rst, set1((int32_t)egl));
        const V pos = _mm256_cmpgt_epi32(o, zero());
        g = _mm256_blendv_epi8(_mm256_max_epi32(p, t), _mm256_min_epi32(p, t), pos);
    } else {
        const __m128i lo = limit4(_mm256_castsi256_si128(rst), _mm256_castsi256_si128(o),
                                  _mm256_castsi256_si128(t), egl);
        const __m128i hi = limit4(_mm256_extracti128_si256(rst, 1), _mm256_extracti128_si256(o, 1),
                                  _mm256_extracti128_si256(t, 1), egl);
        g = _mm256_inserti128_si256(_mm256_castsi128_si256(lo), hi, 1);
    }
    return _mm256_blendv_epi8(rst, g, on);
}

static inline bool integral_gain(double egl)
{
    return egl >= -32767.0 && egl <= 32767.0 && egl == (double)(int32_t)egl;
}

/* The gather of the reciprocal and the angle test are skipped where no sample needs them
 * (see the AVX-512 version). */
static void decouple0_row(const int16_t *const o[3], const int16_t *const t[3], int n, double egl,
                          float cos1sq, const int32_t *div, int16_t *const r[3], int16_t *const a[3])
{
    const bool int_gain = integral_gain(egl);
    int j = 0;
    for (; j + 8 <= n; j += 8) {
        V ob[3], tb[3], k[3], o_zero[3], act = zero();
        for (int b = 0; b < ADM_BANDS; b++) {
            ob[b] = load16(o[b] + j);
            tb[b] = load16(t[b] + j);
            o_zero[b] = _mm256_cmpeq_epi32(ob[b], zero());
            const V same = _mm256_cmpgt_epi32(_mm256_mullo_epi32(ob[b], tb[b]), zero());
            const V over = _mm256_and_si256(same, _mm256_cmpgt_epi32(_mm256_abs_epi32(tb[b]),
                                                                     _mm256_abs_epi32(ob[b])));
            k[b] = _mm256_and_si256(_mm256_or_si256(o_zero[b], over), set1(32768));
            if (!_mm256_testc_si256(over, same)) { /* some sample of `same` is not `over` */
                const V d = _mm256_i32gather_epi32(div, _mm256_add_epi32(ob[b], set1(32768)), 4);
                k[b] = ratio0(d, tb[b], o_zero[b]);
            }
            act = _mm256_or_si256(act, same);
        }
        const V flag = _mm256_testz_si256(act, act)
                           ? zero()
                           : lanes_of(angle0(ob[ADM_H], ob[ADM_V], tb[ADM_H], tb[ADM_V], cos1sq));
        for (int b = 0; b < ADM_BANDS; b++) {
            V rst = _mm256_srai_epi32(_mm256_add_epi32(_mm256_mullo_epi32(k[b], ob[b]), set1(16384)), 15);
            rst = wrap16(rst);
            const V on = _mm256_andnot_si256(o_zero[b],
                                             _mm256_and_si256(flag, _mm256_cmpgt_epi32(k[b], zero())));
            rst = enhance8(rst, ob[b], tb[b], on, egl, int_gain);
            store16(r[b] + j, rst);
            store16(a[b] + j, wrap16(_mm256_sub_epi32(tb[b], rst)));
        }
    }
    if (j < n) {
        const int16_t *oo[3] = { o[0] + j, o[1] + j, o[2] + j };
        const int16_t *tt[3] = { t[0] + j, t[1] + j, t[2] + j };
        int16_t *const rr[3] = { r[0] + j, r[1] + j, r[2] + j };
        int16_t *const aa[3] = { a[0] + j, a[1] + j, a[2] + j };
        adm_decouple0_row_c(oo, tt, n - j, egl, cos1sq, div, rr, aa);
    }
}

/* ---- levels 1-3 decoupling ---- */

/* Correctly rounded float of four int64 lanes. The sum hi*2^32 + lo is formed in double
 * with its exact error (TwoSum); a double rounded to odd (the error pushes an even last bit
 * one step toward the exact value) then rounds to float exactly like a direct conversion. */
static inline __m128 f32_of_i64(V x)
{
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

/* Angle flags (4 bits) of four samples in the even int32 lanes. */
static inline unsigned angle32(V oh, V ov, V th, V tv, float cos1sq)
{
    const V ot = _mm256_add_epi64(_mm256_mul_epi32(oh, th), _mm256_mul_epi32(ov, tv));
    const V oo = _mm256_add_epi64(_mm256_mul_epi32(oh, oh), _mm256_mul_epi32(ov, ov));
    const V tt = _mm256_add_epi64(_mm256_mul_epi32(th, th), _mm256_mul_epi32(tv, tv));
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

/* floor(x / 2^s) of int64 lanes with |x| < 2^62, per-lane s in [0, 62]. */
static inline V srav64(V x, V s)
{
    const V bias = set1_64((int64_t)1 << 62);
    return _mm256_sub_epi64(_mm256_srlv_epi64(_mm256_add_epi64(x, bias), s), _mm256_srlv_epi64(bias, s));
}

/* adm_ratio_q15_32 of 8 samples (int32 lanes in, int32 lanes out). */
static inline V ratio32(V o, V t, const int32_t *div)
{
    const V mag = _mm256_abs_epi32(o); /* |INT32_MIN| = 2^31 as uint32 */
    /* bit length from the float exponent of |o| with its low 8 bits cleared (exact) */
    const V e = _mm256_and_si256(
        _mm256_srli_epi32(_mm256_castps_si256(_mm256_cvtepi32_ps(_mm256_and_si256(mag, set1(~0xFF)))), 23),
        set1(0xFF));
    const V s = _mm256_max_epi32(_mm256_sub_epi32(e, set1(127 + 14)), zero());
    const V half = _mm256_srli_epi32(_mm256_sllv_epi32(set1(1), s), 1);
    const V m = _mm256_srlv_epi32(_mm256_add_epi32(mag, half), s);
    V d = _mm256_i32gather_epi32(div, _mm256_add_epi32(m, set1(32768)), 4);
    d = _mm256_sign_epi32(d, o); /* d * sign(o); d <= 2^30 cannot wrap */
    const V sh = _mm256_add_epi32(s, set1(15));
    /* the int 1 << (14 + s): 2^31 wraps to -2^31 */
    const V round = _mm256_sllv_epi32(set1(1), _mm256_sub_epi32(sh, set1(1)));
    V k[2];
    for (int h = 0; h < 2; h++) {
        const V dd = h ? odd(d) : d, tt = h ? odd(t) : t;
        const V rr = h ? odd(round) : round, ss = h ? odd(sh) : sh;
        const V r64 = sext64(rr);
        const V s64 = _mm256_and_si256(ss, set1_64(0xFFFFFFFF));
        V q = _mm256_add_epi64(_mm256_mul_epi32(dd, tt), r64);
        q = srav64(q, s64);
        q = _mm256_blendv_epi8(q, zero(), _mm256_cmpgt_epi64(zero(), q));
        q = _mm256_blendv_epi8(q, set1_64(32768), _mm256_cmpgt_epi64(q, set1_64(32768)));
        k[h] = q;
    }
    const V kk = join(k[0], k[1]);
    return _mm256_blendv_epi8(kk, set1(32768), _mm256_cmpeq_epi32(o, zero()));
}

/* wrap32((k * o + 16384) >> 15) of 8 samples (k in [0, 32768]). */
static inline V restore32(V k, V o)
{
    const V r = set1_64(16384);
    const V e = _mm256_srl_epi64(_mm256_add_epi64(_mm256_mul_epi32(k, o), r), _mm_cvtsi32_si128(15));
    const V od = _mm256_srl_epi64(_mm256_add_epi64(_mm256_mul_epi32(odd(k), odd(o)), r),
                                  _mm_cvtsi32_si128(15));
    return join(e, od);
}

/* adm_enhance of 8 int32 samples (levels 1-3): int64 products for an integral egl. */
static inline V enhance32(V rst, V o, V t, V on, double egl, bool int_gain)
{
    if (_mm256_testz_si256(on, on)) return rst;
    if (!int_gain) return enhance8(rst, o, t, on, egl, false);
    V g[2];
    const V pos = _mm256_cmpgt_epi32(o, zero());
    for (int h = 0; h < 2; h++) {
        const V rr = h ? odd(rst) : rst, tt = h ? odd(t) : t;
        const V p = _mm256_mul_epi32(rr, set1((int32_t)egl));
        const V t64 = sext64(tt);
        const V lt = _mm256_cmpgt_epi64(t64, p); /* p < t */
        const V mn = _mm256_blendv_epi8(t64, p, lt), mx = _mm256_blendv_epi8(p, t64, lt);
        const V ps = h ? odd(pos) : pos;
        const V ps64 = _mm256_cmpgt_epi64(_mm256_and_si256(ps, set1_64(1)), zero());
        g[h] = _mm256_blendv_epi8(mx, mn, ps64);
    }
    return _mm256_blendv_epi8(rst, join(g[0], g[1]), on);
}

static void decouple32_row(const int32_t *const o[3], const int32_t *const t[3], int n, double egl,
                           float cos1sq, const int32_t *div, int32_t *const r[3], int32_t *const a[3])
{
    const bool int_gain = integral_gain(egl);
    int j = 0;
    for (; j + 8 <= n; j += 8) {
        V ob[3], tb[3];
        for (int b = 0; b < ADM_BANDS; b++) {
            ob[b] = load32(o[b] + j);
            tb[b] = load32(t[b] + j);
        }
        const unsigned fe = angle32(ob[ADM_H], ob[ADM_V], tb[ADM_H], tb[ADM_V], cos1sq);
        const unsigned fo = angle32(odd(ob[ADM_H]), odd(ob[ADM_V]), odd(tb[ADM_H]), odd(tb[ADM_V]), cos1sq);
        /* even lanes 0,2,4,6 from fe, odd lanes from fo */
        unsigned bits = 0;
        for (int q = 0; q < 4; q++) bits |= ((fe >> q) & 1u) << (2 * q) | ((fo >> q) & 1u) << (2 * q + 1);
        const V flag = lanes_of(bits);
        for (int b = 0; b < ADM_BANDS; b++) {
            const V k = ratio32(ob[b], tb[b], div);
            V rst = restore32(k, ob[b]);
            const V on = _mm256_andnot_si256(_mm256_cmpeq_epi32(ob[b], zero()),
                                             _mm256_and_si256(flag, _mm256_cmpgt_epi32(k, zero())));
            rst = enhance32(rst, ob[b], tb[b], on, egl, int_gain);
            store32(r[b] + j, rst);
            store32(a[b] + j, _mm256_sub_epi32(tb[b], rst));
        }
    }
    if (j < n) {
        const int32_t *oo[3] = { o[0] + j, o[1] + j, o[2] + j };
        const int32_t *tt[3] = { t[0] + j, t[1] + j, t[2] + j };
        int32_t *const rr[3] = { r[0] + j, r[1] + j, r[2] + j };
        int32_t *const aa[3] = { a[0] + j, a[1] + j, a[2] + j };
        adm_decouple32_row_c(oo, tt, n - j, egl, cos1sq, div, rr, aa);
    }
}

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

#include "adm_simd_rows.h"

void adm_kernels_init_avx2(AdmKernels *k)
{
    k->dwt0_vert_8 = dwt0_vert_8;
    k->dwt0_vert_16 = dwt0_vert_16;
    k->dwt0_horz = dwt0_horz;
    k->dwt1_vert = dwt1_vert;
    k->dwt_vert_32 = dwt_vert_32;
    k->dwt_horz_32 = dwt_horz_32;
    k->decouple0_row = decouple0_row;
    k->decouple32_row = decouple32_row;
    k->csf0_row = csf0_row;
    k->csf32_row = csf32_row;
    k->cm0_row = cm0_row;
    k->cm32_row = cm32_row;
    k->den0_row = den0_row;
    k->den32_row = den32_row;
}
