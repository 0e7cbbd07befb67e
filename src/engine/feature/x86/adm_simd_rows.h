/* Integer ADM decoupling, contrast-masking and denominator rows, SIMD body shared by
 * adm_avx2.c and adm_avx512.c (after adm_simd.h, with the same V_* conventions and row tails:
 * AVX-512 masks the last step, AVX2 leaves it to the scalar definitions in adm_kernels.h).
 * These rows work on VN32 int32 lanes a step; their 64-bit products are taken on the even
 * lanes and on odd() of them. Each ISA file also defines hsum64(), the wrapping sum of the
 * 64-bit lanes, and sar64() (with its Sar64 / sar64_setup()), an arithmetic shift of 64-bit
 * lanes by one count, for values in (-2^62, 2^62). */

#define VN32 (VN16 / 2)

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
        for (int b = 0; b < ADM_BANDS; b++) {
            const V v = V_ABS32(V_MULLO32(V_LOAD16TO32(m, x[b] + j), set1(fix[b])));
            const V mm = V_MAXZ32(m, V_SUB32(v, V_SLL32(thr, _mm_cvtsi32_si128(sub[b]))));
            acc[b] = cube_acc(acc[b], mm, &cb[b]);
        }
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
