/* Integer ADM decoupling, contrast-masking and denominator rows, SIMD body shared by
 * adm_avx2.c and adm_avx512.c (after adm_simd.h, with the same V_* conventions and row tails:
 * AVX-512 masks the last step, AVX2 leaves it to the scalar definitions in adm_kernels.h).
 * These rows work on VN32 int32 lanes a step; their 64-bit products are taken on the even
 * lanes and on odd() of them. Each ISA file also defines hsum64(), the wrapping sum of the
 * 64-bit lanes. */

#define VN32 (VN16 / 2)

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
