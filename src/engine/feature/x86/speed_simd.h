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

/* Up to four vectors of one output row at a time, accumulated over all of k in registers;
 * the row's last vector may be partial (masked loads and stores). Terms with a[i][k] == 0
 * are skipped, as in the definition. */
static void simd_matmul(float *dst, const float *a, const float *b, unsigned n, unsigned kk,
                        unsigned m)
{
    for (unsigned i = 0; i < n; i++) {
        const float *ai = a + (size_t)i * kk;
        float *di = dst + (size_t)i * m;
        for (unsigned j = 0; j < m; j += 4 * VN) {
            const unsigned left = m - j, nv = left >= 4 * VN ? 4 : (left + VN - 1) / VN;
            const unsigned last = left >= 4 * VN ? VN : left - (nv - 1) * VN;   /* lanes of the last */
            VF acc[4] = { F_ZERO(), F_ZERO(), F_ZERO(), F_ZERO() };
            for (unsigned k = 0; k < kk; k++) {
                if (ai[k] == 0.0f) continue;
                const VF av = F_SET1(ai[k]);
                const float *bk = b + (size_t)k * m + j;
                for (unsigned v = 0; v + 1 < nv; v++) acc[v] = F_ADD(acc[v], F_MUL(av, F_LOADU(bk + v * VN)));
                acc[nv - 1] = F_ADD(acc[nv - 1], F_MUL(av, F_LOADU_N(bk + (nv - 1) * VN, last)));
            }
            for (unsigned v = 0; v + 1 < nv; v++) F_STOREU(di + j + v * VN, acc[v]);
            F_STOREU_N(di + j + (nv - 1) * VN, acc[nv - 1], last);
        }
    }
}
