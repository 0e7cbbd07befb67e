/* SpEED float kernels, SIMD body shared by speed_avx2.c and speed_avx512.c. Each includes this
 * file after defining VF (a vector of VN floats) and the F_* operations below. Every lane
 * does, for its element, the scalar definition's operations in the scalar order (separate
 * multiplies and adds, no fusing), so the results are the scalar kernels' bit for bit; the
 * elements past the last whole vector go through the scalar definitions. */

static void simd_load_8(float *dst, const uint8_t *src, unsigned n)
{
    const VF off = F_SET1(-128.0f);
    unsigned x = 0;
    for (; x + VN <= n; x += VN) F_STOREU(dst + x, F_ADD(F_FROM_U8(src + x), off));
    speed_load_8_c(dst + x, src + x, n - x);
}

static void simd_load_16(float *dst, const uint16_t *src, unsigned n, float scale)
{
    const VF off = F_SET1(-128.0f), sc = F_SET1(scale);
    unsigned x = 0;
    for (; x + VN <= n; x += VN) F_STOREU(dst + x, F_ADD(F_MUL(F_FROM_U16(src + x), sc), off));
    speed_load_16_c(dst + x, src + x, n - x, scale);
}

static void simd_sub(float *a, const float *b, unsigned n)
{
    unsigned x = 0;
    for (; x + VN <= n; x += VN) F_STOREU(a + x, F_SUB(F_LOADU(a + x), F_LOADU(b + x)));
    speed_sub_c(a + x, b + x, n - x);
}

static void simd_vtap(float *acc, const float *row, float f, unsigned n)
{
    const VF vf = F_SET1(f);
    unsigned x = 0;
    for (; x + 2 * VN <= n; x += 2 * VN) {
        F_STOREU(acc + x, F_ADD(F_LOADU(acc + x), F_MUL(vf, F_LOADU(row + x))));
        F_STOREU(acc + x + VN, F_ADD(F_LOADU(acc + x + VN), F_MUL(vf, F_LOADU(row + x + VN))));
    }
    for (; x + VN <= n; x += VN) F_STOREU(acc + x, F_ADD(F_LOADU(acc + x), F_MUL(vf, F_LOADU(row + x))));
    speed_vtap_c(acc + x, row + x, f, n - x);
}

/* Matrix product in blocks of MM_R rows x NV vectors (NV <= 4, the last one possibly partial:
 * masked loads and stores) whose sums stay in registers over all of k: independent chains
 * for the adder's latency. A term is skipped only when its a[i][k] is 0 in every row of the
 * block; the others' +-0 terms change nothing (see speed_kernels.h), so every element is the
 * definition's. */
/* clang-format off */
#define MM_BLOCK(R, NV)                                                                          \
static void mm_##R##_##NV(float *d, const float *a, const float *b, unsigned kk, unsigned m,    \
                          unsigned last)                                                        \
{                                                                                                \
    VF acc[R][NV];                                                                               \
    for (unsigned r = 0; r < R; r++)                                                             \
        for (unsigned v = 0; v < NV; v++) acc[r][v] = F_ZERO();                                  \
    for (unsigned k = 0; k < kk; k++) {                                                          \
        int any = 0;                                                                             \
        for (unsigned r = 0; r < R; r++) any |= a[(size_t)r * kk + k] != 0.0f;                   \
        if (!any) continue;                                                                      \
        const float *bk = b + (size_t)k * m;                                                     \
        VF bv[NV];                                                                               \
        for (unsigned v = 0; v + 1 < NV; v++) bv[v] = F_LOADU(bk + v * VN);                      \
        bv[NV - 1] = F_LOADU_N(bk + (NV - 1) * VN, last);                                        \
        for (unsigned r = 0; r < R; r++) {                                                       \
            const VF av = F_SET1(a[(size_t)r * kk + k]);                                         \
            for (unsigned v = 0; v < NV; v++) acc[r][v] = F_ADD(acc[r][v], F_MUL(av, bv[v]));    \
        }                                                                                        \
    }                                                                                            \
    for (unsigned r = 0; r < R; r++) {                                                           \
        for (unsigned v = 0; v + 1 < NV; v++) F_STOREU(d + (size_t)r * m + v * VN, acc[r][v]);   \
        F_STOREU_N(d + (size_t)r * m + (NV - 1) * VN, acc[r][NV - 1], last);                     \
    }                                                                                            \
}
/* clang-format on */

typedef void (*MmBlock)(float *d, const float *a, const float *b, unsigned kk, unsigned m, unsigned last);

/* clang-format off */
#define MM_BLOCK_X(R, NV) MM_BLOCK(R, NV)     /* expands MM_R first */
MM_BLOCK(1, 1) MM_BLOCK(1, 2) MM_BLOCK(1, 3) MM_BLOCK(1, 4)
MM_BLOCK_X(MM_R, 1) MM_BLOCK_X(MM_R, 2) MM_BLOCK_X(MM_R, 3) MM_BLOCK_X(MM_R, 4)
/* clang-format on */

static void simd_matmul(float *dst, const float *a, const float *b, unsigned n, unsigned kk, unsigned m)
{
    static const MmBlock one[5] = { NULL, mm_1_1, mm_1_2, mm_1_3, mm_1_4 };
    static const MmBlock many[5] = { NULL, MM_MANY(1), MM_MANY(2), MM_MANY(3), MM_MANY(4) };
    for (unsigned j = 0; j < m; j += 4 * VN) {
        const unsigned left = m - j, nv = left >= 4 * VN ? 4 : (left + VN - 1) / VN;
        const unsigned last = left - (nv - 1) * VN > VN ? VN : left - (nv - 1) * VN;
        unsigned i = 0;
        for (; i + MM_R <= n; i += MM_R)
            many[nv](dst + (size_t)i * m + j, a + (size_t)i * kk, b + j, kk, m, last);
        for (; i < n; i++) one[nv](dst + (size_t)i * m + j, a + (size_t)i * kk, b + j, kk, m, last);
    }
}
