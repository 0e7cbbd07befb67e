/* Integer ADM decoupling (spec 4.4), contrast-masking and denominator rows, SIMD body shared
 * by adm_avx2.c and adm_avx512.c, included after adm_simd.h (same V_* conventions and row
 * tails: AVX-512 masks the last step, AVX2 leaves it to the scalar definitions in
 * adm_kernels.h). These rows work on VN32 int32 lanes a step; their 64-bit products are
 * taken on the even lanes and on odd() of them. simd_kernels() at the end fills the function
 * table with every ADM kernel of both headers; the ISA file's init function calls it.
 *
 * Lane conditions have the type C with C_* operations: a mask register on AVX-512, a compare
 * vector on AVX2 (V_MASKZ and V_BLEND select by them). Besides the V_* and C_* operations,
 * each ISA file defines the pieces whose instruction sequences differ:
 *   hsum64()       wrapping sum of the 64-bit lanes;
 *   sar64()        64-bit arithmetic shift by one count for |x| < 2^62 (Sar64, sar64_setup());
 *                  AVX2 has none and biases a logical shift;
 *   cone32()       level 0 angle test from the int32 dot products (int32 -> float -> double
 *                  halves; AVX2 has no unsigned conversion);
 *   cone64()       levels 1-3 angle test of the even lanes from int64 dot products (AVX2 has
 *                  no int64 -> float conversion and rounds through double to odd);
 *   limit_pd()     adm_enhance's limit in double, in halves of the vector;
 *   V_SRAV64, V_MIN64, V_MAX64, V_EXP_U32, V_APPLYSIGN32: single AVX-512 instructions that
 *                  AVX2 builds from several.
 * V_ALLZERO(v) tests a whole vector for zero. Two switches let an ISA file take a different
 * road where the int64 arithmetic is emulated:
 *   ADM_DECOUPLE32_PD  decouple32_pd(), its own step of the levels 1-3 decoupling in double;
 *   ADM_CM0_SKIP_ZERO  level 0 masking skips the cubes of steps under the threshold. */

#define VN32 (VN16 / 2)

/* ---- level 0 decoupling ---- */

/* Q15 ratio t/o through the Q30 reciprocal d (4.4): (d*t + 2^14) >> 15 split as
 * (d >> 15)*t + ((d & 0x7fff)*t + 2^14) >> 15, every part exact in int32; clamped to
 * [0, 32768]. o == 0 gives 32768. */
static inline V ratio0(V d, V t, C o_zero)
{
    const V hi = V_MULLO32(V_SRAI32(d, 15), t);
    const V lo = V_MULLO32(V_AND(d, set1(0x7FFF)), t);
    V k = V_ADD32(hi, V_SRAI32(V_ADD32(lo, set1(16384)), 15));
    k = V_MIN32(V_MAX32(k, V_ZERO()), set1(32768));
    return V_BLEND(o_zero, k, set1(32768));
}

/* Level 0 angle flags: the dot products of int16 pairs in int32 (madd), tested by cone32. */
static inline C angle0(V oh, V ov, V th, V tv, float cos1sq)
{
    const V lo16 = set1(0xFFFF);
    const V po = V_OR(V_AND(oh, lo16), V_SLLI32(ov, 16));
    const V pt = V_OR(V_AND(th, lo16), V_SLLI32(tv, 16));
    return cone32(V_MADD(po, pt), V_MADD(po, po), V_MADD(pt, pt), cos1sq);
}

/* The enhancement limit (adm_enhance) where `on` is set: min(rst*egl, t) for o > 0, max for
 * o < 0, truncated. With an integral egl the products are exact integers in int32 (the
 * caller checks the range), otherwise they are formed in double like the definition
 * (limit_pd). */
static inline V enhance(V rst, V o, V t, C on, double egl, bool int_gain)
{
    if (!C_ANY(on)) return rst;
    V g;
    if (int_gain) {
        const V p = V_MULLO32(rst, set1((int32_t)egl));
        g = V_BLEND(C_GT32(o, V_ZERO()), V_MAX32(p, t), V_MIN32(p, t));
    } else {
        g = limit_pd(rst, o, t, egl);
    }
    return V_BLEND(on, rst, g);
}

static inline bool integral_gain(double egl)
{
    return egl >= -32767.0 && egl <= 32767.0 && egl == (double)(int32_t)egl;
}

/* Most samples need no reciprocal: k is 32768 where o = 0 or where t has o's sign and a
 * larger magnitude (then d*t >= 2^30 - 2^14 for |o| < 2^15), and 0 where t is 0 or of the
 * other sign. The gather of d is skipped for a step without any other sample, and the
 * angle test for a step where no k can be positive. */
static void decouple0_row(const int16_t *const o[3], const int16_t *const t[3], int n, double egl,
                          float cos1sq, const int32_t *div, int16_t *const r[3], int16_t *const a[3])
{
    const bool int_gain = integral_gain(egl);
    int j = 0;
    for (; V_MORE(j, n, VN32); j += VN32) {
        const M32 m = V_MASK32(n - j);
        V ob[3], tb[3], k[3], any = V_ZERO();
        for (int b = 0; b < ADM_BANDS; b++) {
            ob[b] = V_LOAD16TO32(m, o[b] + j);
            tb[b] = V_LOAD16TO32(m, t[b] + j);
            any = V_OR(any, V_OR(ob[b], tb[b]));
        }
        /* flat areas: every band zero (half the steps on the bench clips) gives zeros */
        if (V_ALLZERO(any)) {
            for (int b = 0; b < ADM_BANDS; b++) {
                V_STORE32TO16(r[b] + j, m, V_ZERO());
                V_STORE32TO16(a[b] + j, m, V_ZERO());
            }
            continue;
        }
        C o_zero[3], act = C_NONE();
        for (int b = 0; b < ADM_BANDS; b++) {
            o_zero[b] = C_EQ32(ob[b], V_ZERO());
            /* o and t non-zero with the same sign */
            const C same = C_GT32(V_MULLO32(ob[b], tb[b]), V_ZERO());
            const C over = C_AND(same, C_GT32(V_ABS32(tb[b]), V_ABS32(ob[b])));
            k[b] = V_MASKZ(C_OR(o_zero[b], over), set1(32768));
            if (C_ANY_ANDNOT(over, same)) { /* some sample of `same` is not `over` */
                const V d = V_GATHER32(div, V_ADD32(ob[b], set1(32768)));
                k[b] = ratio0(d, tb[b], o_zero[b]);
            }
            act = C_OR(act, same);
        }
        const C flag = C_ANY(act) ? angle0(ob[ADM_H], ob[ADM_V], tb[ADM_H], tb[ADM_V], cos1sq) : C_NONE();
        for (int b = 0; b < ADM_BANDS; b++) {
            V rst = V_SRAI32(V_ADD32(V_MULLO32(k[b], ob[b]), set1(16384)), 15);
            rst = wrap16(rst);
            const C on = C_ANDNOT(o_zero[b], C_AND(flag, C_GT32(k[b], V_ZERO())));
            rst = enhance(rst, ob[b], tb[b], on, egl, int_gain);
            V_STORE32TO16(r[b] + j, m, rst);
            V_STOREWRAP16(a[b] + j, m, V_SUB32(tb[b], rst));
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

/* ---- levels 1-3 decoupling: the 64-bit products in even/odd halves ---- */

/* Angle flags (bit i: even int32 lane 2i) from int64 dot products, wrapping like the
 * definition's, tested by cone64. */
static inline unsigned angle_even(V oh, V ov, V th, V tv, float cos1sq)
{
    const V ot = V_ADD64(V_MUL32(oh, th), V_MUL32(ov, tv));
    const V oo = V_ADD64(V_MUL32(oh, oh), V_MUL32(ov, ov));
    const V tt = V_ADD64(V_MUL32(th, th), V_MUL32(tv, tv));
    return cone64(ot, oo, tt, cos1sq);
}

/* Bit i of an 8-bit mask moved to bit 2i. */
static inline unsigned spread8(unsigned x)
{
    x = (x | x << 4) & 0x0F0F;
    x = (x | x << 2) & 0x3333;
    return (x | x << 1) & 0x5555;
}

static inline C angle32(V oh, V ov, V th, V tv, float cos1sq)
{
    const unsigned e = angle_even(oh, ov, th, tv, cos1sq);
    const unsigned o = angle_even(odd(oh), odd(ov), odd(th), odd(tv), cos1sq);
    return C_FROM_BITS(spread8(e) | spread8(o) << 1);
}

/* (q + round) >> sh clamped to [0, 32768], for the 64-bit lanes of one half. */
static inline V ratio_half(V q, V round, V sh)
{
    const V k = V_SRAV64(V_ADD64(q, round), sh);
    return V_MIN64(V_MAX64(k, V_ZERO()), V_SET1_64(32768));
}

/* |o| rounded to its 15 leading bits, m (4.4), and the shift s that undoes that rounding
 * (0 for |o| < 2^15). */
static inline V recip_index32(V o, V *s_out)
{
    const V one = set1(1);
    const V mag = V_ABS32(o); /* |INT32_MIN| = 2^31 as uint32 */
    /* s = bit length of |o| minus 15 (at least 0): the float exponent of |o| with its low 8
     * bits cleared (exact in a float) */
    const V e = V_EXP_U32(V_AND(mag, set1(~0xFF)));
    const V s = V_MAX32(V_SUB32(e, set1(127 + 14)), V_ZERO());
    const V half = V_SRLI32(V_SLLV32(one, s), 1); /* 0 when s = 0 */
    *s_out = s;
    return V_SRLV32(V_ADD32(mag, half), s);
}

/* o's signed Q30 reciprocal from the table, sign(o) * div[m], and s. */
static inline V recip32(V o, const int32_t *div, V *s_out)
{
    const V m = recip_index32(o, s_out);
    /* |d| <= 2^30 */
    return V_APPLYSIGN32(V_GATHER32(div, V_ADD32(m, set1(32768))), o);
}

/* adm_ratio_q15_32 of VN32 samples. */
static inline V ratio32(V o, V t, const int32_t *div)
{
    const V one = set1(1);
    V s;
    const V d = recip32(o, div, &s);
    const V sh = V_ADD32(s, set1(15));
    /* libvmaf's rounding term is the int 1 << (14 + s): 2^31 wraps to -2^31 */
    const V round = V_SLLV32(one, V_SUB32(sh, one));
    const V ke = ratio_half(V_MUL32(d, t), V_SEXT_EVEN64(round), V_AND(sh, V_SET1_64(0xFFFFFFFF)));
    const V ko = ratio_half(V_MUL32(odd(d), odd(t)), V_SEXT_ODD64(round), V_SRLI64(sh, 32));
    return V_BLEND(C_EQ32(o, V_ZERO()), join(ke, ko), set1(32768));
}

/* wrap32((k * o + 16384) >> 15) of VN32 samples (k in [0, 32768]; see V_SHRI64). */
static inline V restore32(V k, V o)
{
    const V r = V_SET1_64(16384);
    const V e = V_SHRI64(V_ADD64(V_MUL32(k, o), r), 15);
    const V od = V_SHRI64(V_ADD64(V_MUL32(odd(k), odd(o)), r), 15);
    return join(e, od);
}

#if ADM_DECOUPLE32_PD
/* A step of VN32 samples at j in double precision (the ISA file's): false, with nothing
 * stored, where that is not exact for some sample. */
static bool decouple32_pd(const int32_t *const o[3], const int32_t *const t[3], int j, double egl,
                          float cos1sq, int32_t *const r[3], int32_t *const a[3]);
#endif

static void decouple32_row(const int32_t *const o[3], const int32_t *const t[3], int n, double egl,
                           float cos1sq, const int32_t *div, int32_t *const r[3], int32_t *const a[3])
{
    int j = 0;
    for (; V_MORE(j, n, VN32); j += VN32) {
#if ADM_DECOUPLE32_PD
        if (decouple32_pd(o, t, j, egl, cos1sq, r, a)) continue;
#endif
        const M32 m = V_MASK32(n - j);
        V ob[3], tb[3];
        for (int b = 0; b < ADM_BANDS; b++) {
            ob[b] = V_LOAD32(m, o[b] + j);
            tb[b] = V_LOAD32(m, t[b] + j);
        }
        const C flag = angle32(ob[ADM_H], ob[ADM_V], tb[ADM_H], tb[ADM_V], cos1sq);
        for (int b = 0; b < ADM_BANDS; b++) {
            const V k = ratio32(ob[b], tb[b], div);
            const C on = C_AND(C_AND_NZ32(flag, ob[b]), C_GT32(k, V_ZERO()));
            /* int32 products could overflow here: the double path, which is the definition */
            const V rst = enhance(restore32(k, ob[b]), ob[b], tb[b], on, egl, false);
            V_STORE32(r[b] + j, m, rst);
            V_STORE32(a[b] + j, m, V_SUB32(tb[b], rst));
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

/* ---- contrast masking ---- */

/* Threshold of VN32 samples (adm_thr): the 3x3 off-centre weights and the centre weight. */
static inline V thr_lanes(const int32_t *const f[3], const int32_t *c, int j, M32 m)
{
    V s = V_LOAD32(m, c + j);
    for (int r = 0; r < 3; r++) {
        s = V_ADD32(s, V_LOAD32(m, f[r] + j - 1));
        s = V_ADD32(s, V_LOAD32(m, f[r] + j + 1));
        if (r != 1) s = V_ADD32(s, V_LOAD32(m, f[r] + j));
    }
    return s;
}

typedef struct Cube {
    V sq_round, round;
    __m128i sq;
    Sar64 shift;
} Cube;

static inline Cube cube_setup(int sq, int shift)
{
    return (Cube){ V_SET1_64((int64_t)1 << (sq - 1)), V_SET1_64(shift > 0 ? (int64_t)1 << (shift - 1) : 0),
                   _mm_cvtsi32_si128(sq), sar64_setup(shift) };
}

/* ((wrap32((m^2 + 2^(sq-1)) >> sq) * m + round) >> shift of the even lanes (m >= 0); the
 * signed product lies in (-2^62, 2^62), as sar64 needs. */
static inline V cube(V mm, const Cube *c)
{
    const V m2 = V_SRL64(V_ADD64(V_MULU32(mm, mm), c->sq_round), c->sq);
    return sar64(V_ADD64(V_MUL32(m2, mm), c->round), &c->shift);
}

/* acc + the cubes of the even and odd lanes of mm. */
static inline V cube_acc(V acc, V mm, const Cube *c)
{
    return V_ADD64(V_ADD64(acc, cube(mm, c)), cube(odd(mm), c));
}

static void cm0_row(const int16_t *const x[3], const int32_t *const f[3], const int32_t *c, int n,
                    const uint16_t fix[3], const int shift[3], int64_t sum[3])
{
    static const int sub[3] = { 10, 10, 12 };
    static const int sq[3] = { 29, 29, 30 };
    Cube cb[3];
    V acc[3];
    for (int b = 0; b < ADM_BANDS; b++) {
        cb[b] = cube_setup(sq[b], shift[b]);
        acc[b] = V_ZERO();
    }
    int j = 0;
    for (; V_MORE(j, n, VN32); j += VN32) {
        const M32 m = V_MASK32(n - j);
        const V thr = thr_lanes(f, c, j, m);
        V mm[3], any = V_ZERO();
        for (int b = 0; b < ADM_BANDS; b++) {
            const V v = V_ABS32(V_MULLO32(V_LOAD16TO32(m, x[b] + j), set1(fix[b])));
            mm[b] = V_MAXZ32(m, V_SUB32(v, V_SLL32(thr, _mm_cvtsi32_si128(sub[b]))));
            any = V_OR(any, mm[b]);
        }
#if ADM_CM0_SKIP_ZERO
        /* most steps of level 0 lie under the threshold in every band (78 % of the bands on
         * the bench clips), and zeros add nothing: on AVX2, where the cubes' 64-bit shifts are
         * emulated, skipping them saves more than the branch costs (2 % of an ADM run); on
         * AVX-512 it does not */
        if (!C_ANY(C_GT32(any, V_ZERO()))) continue;
#else
        (void)any;
#endif
        for (int b = 0; b < ADM_BANDS; b++) acc[b] = cube_acc(acc[b], mm[b], &cb[b]);
    }
    int64_t rest[3] = { 0, 0, 0 };
    if (j < n) {
        const int16_t *t[3] = { x[0] + j, x[1] + j, x[2] + j };
        const int32_t *ff[3] = { f[0] + j, f[1] + j, f[2] + j };
        adm_cm0_row_c(t, ff, c + j, n - j, fix, shift, rest);
    }
    for (int b = 0; b < ADM_BANDS; b++) sum[b] = adm_add64(hsum64(acc[b]), rest[b]);
}

static void cm32_row(const int32_t *const x[3], const int32_t *const f[3], const int32_t *c, int n,
                     const uint32_t fix[3], int shift, int64_t sum[3])
{
    const Cube cb = cube_setup(30, shift);
    V acc[3] = { V_ZERO(), V_ZERO(), V_ZERO() };
    int j = 0;
    for (; V_MORE(j, n, VN32); j += VN32) {
        const M32 m = V_MASK32(n - j);
        const V thr = thr_lanes(f, c, j, m);
        for (int b = 0; b < ADM_BANDS; b++) {
            const V v = V_ABS32(scale28(V_LOAD32(m, x[b] + j), set1((int32_t)fix[b])));
            acc[b] = cube_acc(acc[b], V_MAXZ32(m, V_SUB32(v, thr)), &cb);
        }
    }
    int64_t rest[3] = { 0, 0, 0 };
    if (j < n) {
        const int32_t *t[3] = { x[0] + j, x[1] + j, x[2] + j };
        const int32_t *ff[3] = { f[0] + j, f[1] + j, f[2] + j };
        adm_cm32_row_c(t, ff, c + j, n - j, fix, shift, rest);
    }
    for (int b = 0; b < ADM_BANDS; b++) sum[b] = adm_add64(hsum64(acc[b]), rest[b]);
}

/* ---- denominator ---- */

static void den0_row(const int16_t *const x[3], int n, uint64_t sum[3])
{
    for (int b = 0; b < ADM_BANDS; b++) {
        V acc = V_ZERO();
        int j = 0;
        for (; V_MORE(j, n, VN32); j += VN32) {
            /* |x| as uint16: |-32768| = 32768 */
            const V v = V_LOADABS16TO32(V_MASK32(n - j), x[b] + j);
            const V v2 = V_MULLO32(v, v);
            acc = V_ADD64(acc, V_MULU32(v2, v));
            acc = V_ADD64(acc, V_MULU32(odd(v2), odd(v)));
        }
        uint64_t rest[3] = { 0, 0, 0 };
        if (j < n) {
            const int16_t *t[3] = { x[b] + j, x[b] + j, x[b] + j };
            adm_den0_row_c(t, n - j, rest);
        }
        sum[b] = (uint64_t)hsum64(acc) + rest[0];
    }
}

/* ((((v^2 + 2^q) >> q) * v) + round) >> shift on the even lanes; the middle term can reach
 * 2^32 (v = 2^31, q = 30), so its high half is multiplied separately. */
static inline V den_cube(V v, V q_round, __m128i q, V round, __m128i shift)
{
    const V t = V_SRL64(V_ADD64(V_MULU32(v, v), q_round), q);
    const V p = V_ADD64(V_MULU32(t, v), V_SLLI64(V_MULU32(V_SRLI64(t, 32), v), 32));
    return V_SRL64(V_ADD64(p, round), shift);
}

static void den32_row(const int32_t *const x[3], int n, int sq_shift, int shift, uint64_t sum[3])
{
    const V q_round = V_SET1_64((int64_t)1 << sq_shift);
    const V round = V_SET1_64((int64_t)1 << (shift - 1));
    const __m128i q = _mm_cvtsi32_si128(sq_shift), sh = _mm_cvtsi32_si128(shift);
    for (int b = 0; b < ADM_BANDS; b++) {
        V acc = V_ZERO();
        int j = 0;
        for (; V_MORE(j, n, VN32); j += VN32) {
            const V v = V_ABS32(V_LOAD32(V_MASK32(n - j), x[b] + j));
            /* masked-off lanes (AVX-512's tail) contribute (2^q >> q) * 0 = 0 */
            acc = V_ADD64(acc, den_cube(v, q_round, q, round, sh));
            acc = V_ADD64(acc, den_cube(odd(v), q_round, q, round, sh));
        }
        uint64_t rest[3] = { 0, 0, 0 };
        if (j < n) {
            const int32_t *t[3] = { x[b] + j, x[b] + j, x[b] + j };
            adm_den32_row_c(t, n - j, sq_shift, shift, rest);
        }
        sum[b] = (uint64_t)hsum64(acc) + rest[0];
    }
}

/* ---- the function table: every ADM row kernel of this ISA ---- */

static void simd_kernels(AdmKernels *k)
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
