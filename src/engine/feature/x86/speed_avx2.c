/* SpEED kernels, AVX2 (see speed_simd.h); the covariance keeps the definition's sixteen
 * accumulators as four vectors of four doubles. Bit-exact with speed_kernels.h. */
#include <immintrin.h>

#include "../speed_kernels.h"

typedef __m256 VF;
#define VN 8
#define F_ZERO() _mm256_setzero_ps()
#define F_SET1(x) _mm256_set1_ps(x)
#define F_LOADU(p) _mm256_loadu_ps(p)
#define F_STOREU(p, v) _mm256_storeu_ps((p), (v))
#define F_ADD _mm256_add_ps
#define F_SUB _mm256_sub_ps
#define F_MUL _mm256_mul_ps
#define F_FROM_U8(p) \
    _mm256_cvtepi32_ps(_mm256_cvtepu8_epi32(_mm_loadl_epi64((const __m128i *)(const void *)(p))))
#define F_FROM_U16(p) \
    _mm256_cvtepi32_ps(_mm256_cvtepu16_epi32(_mm_loadu_si128((const __m128i *)(const void *)(p))))

/* the first n (1..8) lanes; the others are not touched */
static inline __m256i lanes(unsigned n)
{
    return _mm256_cmpgt_epi32(_mm256_set1_epi32((int)n), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
}
#define F_LOADU_N(p, n) _mm256_maskload_ps((p), lanes(n))
#define F_STOREU_N(p, v, n) _mm256_maskstore_ps((p), lanes(n), (v))

#define MM_R 2
#define MM_MANY(nv) mm_2_##nv

#include "speed_simd.h"

static inline __m256d centred(const float *p, __m256d mean)
{
    return _mm256_sub_pd(_mm256_cvtps_pd(_mm_loadu_ps(p)), mean);
}

static double cov(const float *x, const float *y, ptrdiff_t stride, unsigned h, unsigned w, double mx,
                  double my)
{
    const __m256d vmx = _mm256_set1_pd(mx), vmy = _mm256_set1_pd(my);
    __m256d a0 = _mm256_setzero_pd(), a1 = a0, a2 = a0, a3 = a0; /* lanes 0-3 ... 12-15 */
    double tail = 0;
    for (unsigned i = 0; i < h; i++) {
        const float *rx = x + (ptrdiff_t)i * stride, *ry = y + (ptrdiff_t)i * stride;
        unsigned j = 0;
        for (; j + 16 <= w; j += 16) {
            a0 = _mm256_fmadd_pd(centred(rx + j, vmx), centred(ry + j, vmy), a0);
            a1 = _mm256_fmadd_pd(centred(rx + j + 4, vmx), centred(ry + j + 4, vmy), a1);
            a2 = _mm256_fmadd_pd(centred(rx + j + 8, vmx), centred(ry + j + 8, vmy), a2);
            a3 = _mm256_fmadd_pd(centred(rx + j + 12, vmx), centred(ry + j + 12, vmy), a3);
        }
        for (; j + 8 <= w; j += 8) {
            a0 = _mm256_fmadd_pd(centred(rx + j, vmx), centred(ry + j, vmy), a0);
            a1 = _mm256_fmadd_pd(centred(rx + j + 4, vmx), centred(ry + j + 4, vmy), a1);
        }
        for (; j < w; j++) tail += ((double)rx[j] - mx) * ((double)ry[j] - my);
    }
    /* s[l] = a[l] + a[l + 8]; q[l] = s[l + 4] + s[l]; (q2 + q0) + (q3 + q1) */
    const __m256d q = _mm256_add_pd(_mm256_add_pd(a1, a3), _mm256_add_pd(a0, a2));
    const __m128d h2 = _mm_add_pd(_mm256_extractf128_pd(q, 1), _mm256_castpd256_pd128(q));
    return (_mm_cvtsd_f64(h2) + _mm_cvtsd_f64(_mm_unpackhi_pd(h2, h2))) + tail;
}

void speed_kernels_avx2(SpeedKernels *k)
{
    k->load_8 = simd_load_8;
    k->load_16 = simd_load_16;
    k->sub = simd_sub;
    k->vtap = simd_vtap;
    k->cov = cov;
    k->matmul = simd_matmul;
}
