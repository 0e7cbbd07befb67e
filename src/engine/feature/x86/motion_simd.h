/* Integer motion row kernels, SIMD body shared by motion_avx2.c and motion_avx512.c. Each
 * includes this file after defining the vector type V, VN16 (16-bit lanes per vector), the
 * mask types M16 / M32 (for steps of 16- and 32-bit lanes) and the V_* operations below.
 *
 * Row tails: V_MORE(j, w, n) says whether a step of n samples at j is taken. AVX-512 takes
 * every step, the last one under a mask (V_MASK16 / V_MASK32 of the samples left; masked-off
 * lanes load as 0 and are not stored); AVX2 takes only whole steps (its masks are dummies) and
 * leaves the rest of the row to the scalar definitions in motion_kernels.h. Either way the
 * results are those of the scalar kernels, bit for bit.
 *
 * Arithmetic (all of it exact in int32):
 * - Vertical taps of 16-bit differences (|d| < 2^15): the pairs (d0,d1), (d2,d3) and (d4, 1)
 *   against (K0,K1), (K2,K1), (K0, rounding) in three pmaddwd, or where |d| <= 2^14 (all depths
 *   but 15 bits) the sums (d0+d4, d1+d3) and (d2, 1) against (K0,K1), (K2, rounding) in two;
 *   then the shift and the split store (unpack and pack cancel: the samples come back in
 *   order).
 * - 16-bit samples at bpc 16, whose differences do not fit int16: with x = 256 h + l
 *   (h = x >> 8, l = x & 255), (256 A + B + 2^15) >> 16 = (A + ((B + 2^15) >> 8)) >> 8 where
 *   A and B, the tap sums of h and of l, stay far inside int32.
 * - Horizontal pass from the split row: the same identity, with the symmetric tap pairs
 *   (x0 + x4, x1 + x3) and the centre as pmaddwd operands. Its results come in unpack order,
 *   which a sum of magnitudes does not see. */

static inline V set1(int32_t x)
{
    return V_SET1_32(x);
}

static inline V pair(int lo, int hi)
{
    return set1((int32_t)(((uint32_t)hi << 16) | ((uint32_t)lo & 0xFFFF)));
}

/* VN16 differences as int16 -> the split row at j; returns any | the results. */
static inline __attribute__((always_inline)) V
vtaps16(const V d[5], int rnd, __m128i shift, const MotionRow *y, unsigned j, M16 m, V any, const int sym)
{
    const V one = V_SET1_16(1);
    V lo, hi;
    if (sym) {
        /* the symmetric taps summed first (|d| <= 2^14 here, so the sums fit int16) */
        const V c01 = pair(MOTION_K0, MOTION_K1), c2 = pair(MOTION_K2, rnd);
        const V d04 = V_ADD16(d[0], d[4]), d13 = V_ADD16(d[1], d[3]);
        lo = V_ADD32(V_MADD(V_UNPACKLO16(d04, d13), c01), V_MADD(V_UNPACKLO16(d[2], one), c2));
        hi = V_ADD32(V_MADD(V_UNPACKHI16(d04, d13), c01), V_MADD(V_UNPACKHI16(d[2], one), c2));
    } else {
        const V c01 = pair(MOTION_K0, MOTION_K1), c23 = pair(MOTION_K2, MOTION_K1);
        const V c4 = pair(MOTION_K0, rnd);
        lo = V_MADD(V_UNPACKLO16(d[0], d[1]), c01);
        hi = V_MADD(V_UNPACKHI16(d[0], d[1]), c01);
        lo = V_ADD32(lo, V_MADD(V_UNPACKLO16(d[2], d[3]), c23));
        hi = V_ADD32(hi, V_MADD(V_UNPACKHI16(d[2], d[3]), c23));
        lo = V_ADD32(lo, V_MADD(V_UNPACKLO16(d[4], one), c4));
        hi = V_ADD32(hi, V_MADD(V_UNPACKHI16(d[4], one), c4));
    }
    lo = V_SRA32(lo, shift);
    hi = V_SRA32(hi, shift);
    const V yh = V_PACKS32(V_SRAI32(lo, 8), V_SRAI32(hi, 8));
    const V yl = V_PACKS32(V_AND(lo, set1(255)), V_AND(hi, set1(255)));
    V_STORE16(y->hi + j, m, yh);
    V_STORE16(y->lo + j, m, yl);
    return V_OR(any, V_OR(lo, hi));
}

/* The row tail of j, through the scalar definition on offset rows. */
static inline MotionRow row_at(const MotionRow *y, unsigned j)
{
    return (MotionRow){ y->hi + j, y->lo + j };
}

/* The whole steps of a row whose differences fit int16: 8-bit samples (p8, c8) or, if wide,
 * 16-bit ones at bpc < 16 (p16, c16), the other pair NULL; sym (bpc <= 14) sums the symmetric taps
 * first. Returns any | the results, and in *jp where the steps stopped. */
static inline __attribute__((always_inline)) V vrow_steps(const uint8_t *const *p8, const uint8_t *const *c8,
                                                          const uint16_t *const *p16,
                                                          const uint16_t *const *c16, unsigned w, int bpc,
                                                          const MotionRow *y, unsigned *jp, const int wide,
                                                          const int sym)
{
    const __m128i sh = _mm_cvtsi32_si128(bpc);
    V any = V_ZERO();
    unsigned j = 0;
    for (; V_MORE(j, w, VN16); j += VN16) {
        const M16 m = V_MASK16(w - j);
        V d[5];
        for (int k = 0; k < MOTION_TAPS; k++)
            d[k] = wide ? V_SUB16(V_LOAD16(m, p16[k] + j), V_LOAD16(m, c16[k] + j))
                        : V_SUB16(V_LOAD8TO16(m, p8[k] + j), V_LOAD8TO16(m, c8[k] + j));
        any = vtaps16(d, 1 << (bpc - 1), sh, y, j, m, any, sym);
    }
    *jp = j;
    return any;
}

static int32_t simd_vrow_8(const uint8_t *const prev[MOTION_TAPS], const uint8_t *const cur[MOTION_TAPS],
                           unsigned w, const MotionRow *y)
{
    unsigned j;
    const V any = vrow_steps(prev, cur, NULL, NULL, w, 8, y, &j, 0, 1);
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
    return rest || V_ANY(any);
}

/* The tap sums A (of x >> 8, into *a_out) and B (of x & 255, returned). */
static inline V split_taps(const V x[5], V *a_out)
{
    V h[5], l[5];
    for (int k = 0; k < 5; k++) {
        h[k] = V_SRAI32(x[k], 8);
        l[k] = V_AND(x[k], set1(255));
    }
    V a = V_MULLO32(V_ADD32(h[0], h[4]), set1(MOTION_K0));
    a = V_ADD32(a, V_MULLO32(V_ADD32(h[1], h[3]), set1(MOTION_K1)));
    a = V_ADD32(a, V_MULLO32(h[2], set1(MOTION_K2)));
    V b = V_MULLO32(V_ADD32(l[0], l[4]), set1(MOTION_K0));
    b = V_ADD32(b, V_MULLO32(V_ADD32(l[1], l[3]), set1(MOTION_K1)));
    b = V_ADD32(b, V_MULLO32(l[2], set1(MOTION_K2)));
    *a_out = a;
    return b;
}

static inline V split_result(V a, V b)
{
    return V_SRAI32(V_ADD32(a, V_SRAI32(V_ADD32(b, set1(32768)), 8)), 8);
}

static int32_t simd_vrow_16(const uint16_t *const prev[MOTION_TAPS], const uint16_t *const cur[MOTION_TAPS],
                            unsigned w, int bpc, const MotionRow *y)
{
    V any = V_ZERO();
    unsigned j = 0;
    if (bpc <= 14) {
        any = vrow_steps(NULL, NULL, prev, cur, w, bpc, y, &j, 1, 1);
    } else if (bpc == 15) {
        any = vrow_steps(NULL, NULL, prev, cur, w, bpc, y, &j, 1, 0);
    } else {
        for (; V_MORE(j, w, VN16 / 2); j += VN16 / 2) {
            const M32 m = V_MASK32(w - j);
            V d[5], a;
            for (int k = 0; k < MOTION_TAPS; k++)
                d[k] = V_SUB32(V_LOAD16TO32(m, prev[k] + j), V_LOAD16TO32(m, cur[k] + j));
            const V b = split_taps(d, &a);
            const V r = split_result(a, b);
            V_STORE32TO16(y->hi + j, m, V_SRAI32(r, 8));
            V_STORE32TO16(y->lo + j, m, V_AND(r, set1(255)));
            any = V_OR(any, r);
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
    return rest || V_ANY(any);
}

/* VN16 outputs of the horizontal pass per step, from the split row. */
static uint32_t simd_hrow(const MotionRow *y, unsigned w)
{
    const V c01 = pair(MOTION_K0, MOTION_K1), ch = pair(MOTION_K2, 0), cl = pair(MOTION_K2, 256);
    const V zero = V_ZERO(), c128 = V_SET1_16(128);
    V sum = zero;
    unsigned j = 0;
    for (; V_MORE(j, w, VN16); j += VN16) {
        const M16 m = V_MASK16(w - j);
        V h[5], l[5];
        for (int k = 0; k < MOTION_TAPS; k++) {
            h[k] = V_LOAD16(m, y->hi + j - 2 + k);
            l[k] = V_LOAD16(m, y->lo + j - 2 + k);
        }
        const V h04 = V_ADD16(h[0], h[4]), h13 = V_ADD16(h[1], h[3]);
        const V l04 = V_ADD16(l[0], l[4]), l13 = V_ADD16(l[1], l[3]);
        /* b holds the 2^15 rounding (128 * 256); masked-off lanes give 0 */
        const V a0 = V_ADD32(V_MADD(V_UNPACKLO16(h04, h13), c01), V_MADD(V_UNPACKLO16(h[2], zero), ch));
        const V b0 = V_ADD32(V_MADD(V_UNPACKLO16(l04, l13), c01), V_MADD(V_UNPACKLO16(l[2], c128), cl));
        const V a1 = V_ADD32(V_MADD(V_UNPACKHI16(h04, h13), c01), V_MADD(V_UNPACKHI16(h[2], zero), ch));
        const V b1 = V_ADD32(V_MADD(V_UNPACKHI16(l04, l13), c01), V_MADD(V_UNPACKHI16(l[2], c128), cl));
        const V z0 = V_SRAI32(V_ADD32(a0, V_SRAI32(b0, 8)), 8);
        const V z1 = V_SRAI32(V_ADD32(a1, V_SRAI32(b1, 8)), 8);
        sum = V_ADD32(sum, V_ADD32(V_ABS32(z0), V_ABS32(z1)));
    }
    uint32_t total = V_HSUM32(sum);
    if (j < w) {
        const MotionRow t = row_at(y, j);
        total += motion_hrow_c(&t, w - j);
    }
    return total;
}
