/* Integer ADM DWT passes (spec 4.1) and CSF rows, SIMD body shared by adm_avx2.c and
 * adm_avx512.c. Each includes this file after defining the vector type V, VN16 (16-bit lanes
 * per vector), the mask types M16 / M32 / M64 (for steps of 16-, 32- and 64-bit lanes), the
 * half-vector type VH, the helpers set1(), odd(), join() and csf16_d(), and the V_*
 * operations used below.
 *
 * Row tails: V_MORE(j, n, step) says whether a step at j is taken. AVX-512 takes every step,
 * the last one under a mask (V_MASK* of the samples left; masked-off lanes load as 0 and are
 * not stored); AVX2 takes only whole steps (its masks are dummies) and leaves the rest of the
 * row to the scalar definitions in adm_kernels.h, on offset rows.
 *
 * The decoupling, masking and denominator rows follow in adm_simd_rows.h. The CSF's diagonal
 * carry (csf16_d) stays in the ISA files: AVX-512 adds it under a mask register, AVX2 with a
 * compare vector. */

static inline V pair(int lo, int hi)
{
    return set1((int32_t)(((uint32_t)hi << 16) | ((uint32_t)lo & 0xFFFF)));
}

/* ---- DWT level 0 ---- */

/* Vertical taps of VN16 int16 samples -> lo/hi: centred samples, or 8-bit ones with the mean
 * folded into add_lo. The pair products are exact in int32 (|sum| < 54822 * 2^15) and the
 * results fit int16; unpack lo/hi then pack restores the sample order within each 128-bit
 * lane. */
static inline void vert_taps(V x0, V x1, V x2, V x3, V add_lo, V add_hi, __m128i bpc, int16_t *lo,
                             int16_t *hi, M16 m)
{
    const V cl01 = pair(ADM_LO0, ADM_LO1), cl23 = pair(ADM_LO2, ADM_LO3);
    const V ch01 = pair(ADM_HI0, ADM_HI1), ch23 = pair(ADM_HI2, ADM_HI3);
    const V a_lo = V_UNPACKLO16(x0, x1), a_hi = V_UNPACKHI16(x0, x1);
    const V b_lo = V_UNPACKLO16(x2, x3), b_hi = V_UNPACKHI16(x2, x3);
    V l0 = V_ADD32(V_MADD(a_lo, cl01), V_MADD(b_lo, cl23));
    V l1 = V_ADD32(V_MADD(a_hi, cl01), V_MADD(b_hi, cl23));
    V h0 = V_ADD32(V_MADD(a_lo, ch01), V_MADD(b_lo, ch23));
    V h1 = V_ADD32(V_MADD(a_hi, ch01), V_MADD(b_hi, ch23));
    l0 = V_SRA32(V_ADD32(l0, add_lo), bpc);
    l1 = V_SRA32(V_ADD32(l1, add_lo), bpc);
    h0 = V_SRA32(V_ADD32(h0, add_hi), bpc);
    h1 = V_SRA32(V_ADD32(h1, add_hi), bpc);
    V_STORE16(lo, m, V_PACKS32(l0, l1));
    V_STORE16(hi, m, V_PACKS32(h0, h1));
}

/* 8-bit samples are not centred: sum LO (x - 128) = sum LO x - 128 * 46342 (the high-pass
 * taps sum to 0), so the mean moves into the low-pass rounding constant. */
static void dwt0_vert_8(const uint8_t *const s[4], int n, int16_t *lo, int16_t *hi)
{
    const V add_lo = set1(128 - 128 * 46342), add_hi = set1(128);
    const __m128i sh = _mm_cvtsi32_si128(8);
    int j = 0;
    for (; V_MORE(j, n, VN16); j += VN16) {
        const M16 m = V_MASK16(n - j);
        V x[4];
        for (int k = 0; k < 4; k++) x[k] = V_LOAD8TO16(m, s[k] + j);
        vert_taps(x[0], x[1], x[2], x[3], add_lo, add_hi, sh, lo + j, hi + j, m);
    }
    if (j < n) {
        const uint8_t *t[4] = { s[0] + j, s[1] + j, s[2] + j, s[3] + j };
        adm_dwt0_vert_8_c(t, n - j, lo + j, hi + j);
    }
}

static void dwt0_vert_16(const uint16_t *const s[4], int n, int bpc, int16_t *lo, int16_t *hi)
{
    /* x - 2^(bpc-1) in 16-bit arithmetic is exact for every bpc <= 16 */
    const V c = V_SET1_16(1 << (bpc - 1)), half = set1(1 << (bpc - 1));
    const __m128i sh = _mm_cvtsi32_si128(bpc);
    int j = 0;
    for (; V_MORE(j, n, VN16); j += VN16) {
        const M16 m = V_MASK16(n - j);
        V x[4];
        for (int k = 0; k < 4; k++) x[k] = V_SUB16(V_LOAD16(m, s[k] + j), c);
        vert_taps(x[0], x[1], x[2], x[3], half, half, sh, lo + j, hi + j, m);
    }
    if (j < n) {
        const uint16_t *t[4] = { s[0] + j, s[1] + j, s[2] + j, s[3] + j };
        adm_dwt0_vert_16_c(t, n - j, bpc, lo + j, hi + j);
    }
}

/* Output j of a 4-tap pass over padded int16 rows: pairs (x[2j-1], x[2j]) and
 * (x[2j+1], x[2j+2]) are the int32 lanes of two loads, one madd each. */
static inline V horz_taps16(V p01, V p23, V c01, V c23)
{
    const V s = V_ADD32(V_MADD(p01, c01), V_MADD(p23, c23));
    return V_SRAI32(V_ADD32(s, set1(32768)), 16);
}

static void dwt0_horz(const int16_t *lo, const int16_t *hi, int m, int16_t *a, int16_t *const band[3])
{
    const V cl01 = pair(ADM_LO0, ADM_LO1), cl23 = pair(ADM_LO2, ADM_LO3);
    const V ch01 = pair(ADM_HI0, ADM_HI1), ch23 = pair(ADM_HI2, ADM_HI3);
    int j = 0;
    for (; V_MORE(j, m, VN16 / 2); j += VN16 / 2) {
        const M32 k = V_MASK32(m - j);
        const V l01 = V_LOAD32(k, lo + 2 * j - 1), l23 = V_LOAD32(k, lo + 2 * j + 1);
        const V h01 = V_LOAD32(k, hi + 2 * j - 1), h23 = V_LOAD32(k, hi + 2 * j + 1);
        /* every result is within int16 (|sum| <= 54822 * 2^15), so no wrap is needed */
        V_STORE32TO16(a + j, k, horz_taps16(l01, l23, cl01, cl23));
        V_STORE32TO16(band[ADM_V] + j, k, horz_taps16(l01, l23, ch01, ch23));
        V_STORE32TO16(band[ADM_H] + j, k, horz_taps16(h01, h23, cl01, cl23));
        V_STORE32TO16(band[ADM_D] + j, k, horz_taps16(h01, h23, ch01, ch23));
    }
    if (j < m) {
        int16_t *const b[3] = { band[0] + j, band[1] + j, band[2] + j };
        adm_dwt0_horz_c(lo + 2 * j, hi + 2 * j, m - j, a + j, b);
    }
}

/* ---- DWT levels 1-3 ---- */

/* Level 1 vertical pass: the int16 taps of vert_taps without rounding or shift, the int32
 * sums stored in sample order (V_STORE_UNPACKED32). */
static void dwt1_vert(const int16_t *const s[4], int n, int32_t *lo, int32_t *hi)
{
    const V cl01 = pair(ADM_LO0, ADM_LO1), cl23 = pair(ADM_LO2, ADM_LO3);
    const V ch01 = pair(ADM_HI0, ADM_HI1), ch23 = pair(ADM_HI2, ADM_HI3);
    int j = 0;
    for (; V_MORE(j, n, VN16); j += VN16) {
        const M16 m = V_MASK16(n - j);
        V x[4];
        for (int k = 0; k < 4; k++) x[k] = V_LOAD16(m, s[k] + j);
        const V a_lo = V_UNPACKLO16(x[0], x[1]), a_hi = V_UNPACKHI16(x[0], x[1]);
        const V b_lo = V_UNPACKLO16(x[2], x[3]), b_hi = V_UNPACKHI16(x[2], x[3]);
        const V l0 = V_ADD32(V_MADD(a_lo, cl01), V_MADD(b_lo, cl23));
        const V l1 = V_ADD32(V_MADD(a_hi, cl01), V_MADD(b_hi, cl23));
        const V h0 = V_ADD32(V_MADD(a_lo, ch01), V_MADD(b_lo, ch23));
        const V h1 = V_ADD32(V_MADD(a_hi, ch01), V_MADD(b_hi, ch23));
        V_STORE_UNPACKED32(lo + j, m, l0, l1);
        V_STORE_UNPACKED32(hi + j, m, h0, h1);
    }
    if (j < n) {
        const int16_t *t[4] = { s[0] + j, s[1] + j, s[2] + j, s[3] + j };
        adm_dwt1_vert_c(t, n - j, lo + j, hi + j);
    }
}

/* Levels 2 and 3 vertical, all horizontal passes: 64-bit sums. */

/* (c0 x0 + c1 x1 + c2 x2 + c3 x3 + round) >> shift on the even int32 lanes, as int64 (only
 * the low 32 bits are kept: see V_SHR64). */
static inline V fir64(V x0, V x1, V x2, V x3, const V c[4], V round, __m128i shift)
{
    V s = V_ADD64(V_MUL32(x0, c[0]), V_MUL32(x1, c[1]));
    s = V_ADD64(s, V_MUL32(x2, c[2]));
    s = V_ADD64(s, V_MUL32(x3, c[3]));
    return V_SHR64(V_ADD64(s, round), shift);
}

static void dwt_vert_32(const int32_t *const s[4], int n, int64_t round, int shift, int32_t *lo, int32_t *hi)
{
    const V cl[4] = { set1(ADM_LO0), set1(ADM_LO1), set1(ADM_LO2), set1(ADM_LO3) };
    const V ch[4] = { set1(ADM_HI0), set1(ADM_HI1), set1(ADM_HI2), set1(ADM_HI3) };
    const V rnd = V_SET1_64(round);
    const __m128i sh = _mm_cvtsi32_si128(shift);
    int j = 0;
    for (; V_MORE(j, n, VN16 / 2); j += VN16 / 2) {
        const M32 k = V_MASK32(n - j);
        const V x0 = V_LOAD32(k, s[0] + j), x1 = V_LOAD32(k, s[1] + j);
        const V x2 = V_LOAD32(k, s[2] + j), x3 = V_LOAD32(k, s[3] + j);
        const V y0 = odd(x0), y1 = odd(x1), y2 = odd(x2), y3 = odd(x3);
        const V le = fir64(x0, x1, x2, x3, cl, rnd, sh), lodd = fir64(y0, y1, y2, y3, cl, rnd, sh);
        const V he = fir64(x0, x1, x2, x3, ch, rnd, sh), hodd = fir64(y0, y1, y2, y3, ch, rnd, sh);
        V_STORE32(lo + j, k, join(le, lodd));
        V_STORE32(hi + j, k, join(he, hodd));
    }
    if (j < n) {
        const int32_t *t[4] = { s[0] + j, s[1] + j, s[2] + j, s[3] + j };
        adm_dwt_vert_32_c(t, n - j, round, shift, lo + j, hi + j);
    }
}

static void dwt_horz_32(const int32_t *lo, const int32_t *hi, int m, int64_t round, int shift, int32_t *a,
                        int32_t *const band[3])
{
    const V cl[4] = { set1(ADM_LO0), set1(ADM_LO1), set1(ADM_LO2), set1(ADM_LO3) };
    const V ch[4] = { set1(ADM_HI0), set1(ADM_HI1), set1(ADM_HI2), set1(ADM_HI3) };
    const V rnd = V_SET1_64(round);
    const __m128i sh = _mm_cvtsi32_si128(shift);
    /* output j reads x[2j-1 .. 2j+2]: with 64-bit lanes loaded at x + 2j - 1 and x + 2j + 1,
     * the low halves are taps 0 and 2, the high halves taps 1 and 3; VN16 / 4 outputs a step */
    int j = 0;
    for (; V_MORE(j, m, VN16 / 4); j += VN16 / 4) {
        const M32 k = V_MASK32(2 * (m - j));
        const M64 k8 = V_MASK64(m - j);
        const V l0 = V_LOAD32(k, lo + 2 * j - 1), l2 = V_LOAD32(k, lo + 2 * j + 1);
        const V h0 = V_LOAD32(k, hi + 2 * j - 1), h2 = V_LOAD32(k, hi + 2 * j + 1);
        const V l1 = odd(l0), l3 = odd(l2), h1 = odd(h0), h3 = odd(h2);
        V_STOREH32(a + j, k8, V_NARROW64(fir64(l0, l1, l2, l3, cl, rnd, sh)));
        V_STOREH32(band[ADM_V] + j, k8, V_NARROW64(fir64(l0, l1, l2, l3, ch, rnd, sh)));
        V_STOREH32(band[ADM_H] + j, k8, V_NARROW64(fir64(h0, h1, h2, h3, cl, rnd, sh)));
        V_STOREH32(band[ADM_D] + j, k8, V_NARROW64(fir64(h0, h1, h2, h3, ch, rnd, sh)));
    }
    if (j < m) {
        int32_t *const b[3] = { band[0] + j, band[1] + j, band[2] + j };
        adm_dwt_horz_32_c(lo + 2 * j, hi + 2 * j, m - j, round, shift, a + j, b);
    }
}

/* ---- CSF ---- */

/* Level 0 CSF in 16-bit lanes (VN16 samples per step). With P = fix * x:
 *   H, V: (P + 2^14) >> 15 = mulhrs(x, fix) for fix < 2^15, x + mulhrs(x, fix - 2^15) above;
 *   D:    (P + 65535) >> 17 = (hi16(P) + (lo16(P) != 0)) >> 1 (csf16_d, in the ISA files:
 *         AVX-512 adds the carry under a mask register, AVX2 with a compare vector);
 *   weights: (4369 ac + 2048) >> 12 = ac + ((4368 ac + 2^15) >> 16) and
 *            (8738 ac + 2048) >> 12 = 2 ac + ((8736 ac + 2^15) >> 16), where
 *            (k ac + 2^15) >> 16 = mulhi_epu16(ac, k) + (top bit of mullo(ac, k)).
 * 16-bit wrapping arithmetic gives exactly the definition's int16 wraps; ac = |c| is read
 * unsigned, so |-32768| = 32768 as there. */
static inline V weight16(V ac, V k)
{
    return V_ADD16(V_MULHI_EPU16(ac, k), V_SRLI16(V_MULLO16(ac, k), 15));
}

static inline V csf16_hv(V x, uint16_t fix)
{
    const V r = V_MULHRS16(x, V_SET1_16(fix & 0x7FFF));
    return fix & 0x8000 ? V_ADD16(r, x) : r;
}

static void csf0_row(const int16_t *const x[3], int n, const uint16_t fix[3], int32_t *fsum, int32_t *csum)
{
    const V k30 = V_SET1_16(4368), k15 = V_SET1_16(8736);
    int j = 0;
    for (; V_MORE(j, n, VN16); j += VN16) {
        const M16 m = V_MASK16(n - j);
        V fs_lo = V_ZERO(), fs_hi = fs_lo, cs_lo = fs_lo, cs_hi = fs_lo, xb[3];
        for (int b = 0; b < ADM_BANDS; b++) xb[b] = V_LOAD16(m, x[b] + j);
        /* the weights of zeros are zero (flat areas: about half the steps) */
        if (!V_ALLZERO(V_OR(V_OR(xb[0], xb[1]), xb[2])))
            for (int b = 0; b < ADM_BANDS; b++) {
                const V c = b == ADM_D ? csf16_d(xb[b], fix[b]) : csf16_hv(xb[b], fix[b]);
                const V ac = V_ABS16(c);
                const V f = V_ADD16(ac, weight16(ac, k30));
                const V w = V_ADD16(V_ADD16(ac, ac), weight16(ac, k15));
                fs_lo = V_ADD32(fs_lo, V_SEXT_LO16(f));
                fs_hi = V_ADD32(fs_hi, V_SEXT_HI16(f));
                cs_lo = V_ADD32(cs_lo, V_SEXT_LO16(w));
                cs_hi = V_ADD32(cs_hi, V_SEXT_HI16(w));
            }
        V_STORE32(fsum + j, V_MASK_LO(m), fs_lo);
        V_STORE32(fsum + j + VN16 / 2, V_MASK_HI(m), fs_hi);
        V_STORE32(csum + j, V_MASK_LO(m), cs_lo);
        V_STORE32(csum + j + VN16 / 2, V_MASK_HI(m), cs_hi);
    }
    if (j < n) {
        const int16_t *t[3] = { x[0] + j, x[1] + j, x[2] + j };
        adm_csf0_row_c(t, n - j, fix, fsum + j, csum + j);
    }
}

/* High 32 bits of (ac * k - 2^31) per int32 lane: the levels 1-3 weights (the shift by 32
 * of the definition keeps exactly the high half). */
static inline V weight32(V ac, V k)
{
    const V bias = V_SET1_64(-2147483648LL);
    const V e = V_ADD64(V_MUL32(ac, k), bias);
    const V o = V_ADD64(V_MUL32(odd(ac), k), bias);
    return V_BLEND_ODD32(V_SRLI64(e, 32), o);
}

/* wrap32((x * f + 2^27) >> 28) per int32 lane (f < 2^31; see V_SHRI64). */
static inline V scale28(V x, V f)
{
    const V r = V_SET1_64(1 << 27);
    const V e = V_SHRI64(V_ADD64(V_MUL32(x, f), r), 28);
    const V o = V_SHRI64(V_ADD64(V_MUL32(odd(x), f), r), 28);
    return join(e, o);
}

static void csf32_row(const int32_t *const x[3], int n, const uint32_t fix[3], int32_t *fsum, int32_t *csum)
{
    const V k30 = set1(143165577), k15 = set1(286331153);
    int j = 0;
    for (; V_MORE(j, n, VN16 / 2); j += VN16 / 2) {
        const M32 m = V_MASK32(n - j);
        V fs = V_ZERO(), cs = V_ZERO(), xb[3];
        for (int b = 0; b < ADM_BANDS; b++) xb[b] = V_LOAD32(m, x[b] + j);
        if (V_ALLZERO(V_OR(V_OR(xb[0], xb[1]), xb[2]))) {
            /* flat areas: each band's weights of 0 are floor(-1/2) = -1 */
            fs = cs = set1(-ADM_BANDS);
        } else {
            for (int b = 0; b < ADM_BANDS; b++) {
                /* |INT32_MIN| stays INT32_MIN, as in the definition */
                const V ac = V_ABS32(scale28(xb[b], set1((int32_t)fix[b])));
                fs = V_ADD32(fs, weight32(ac, k30));
                cs = V_ADD32(cs, weight32(ac, k15));
            }
        }
        V_STORE32(fsum + j, m, fs);
        V_STORE32(csum + j, m, cs);
    }
    if (j < n) {
        const int32_t *t[3] = { x[0] + j, x[1] + j, x[2] + j };
        adm_csf32_row_c(t, n - j, fix, fsum + j, csum + j);
    }
}
