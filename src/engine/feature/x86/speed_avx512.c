/* SpEED kernels, AVX-512 (see speed_simd.h); the covariance's sixteen accumulators are two
 * vectors of eight doubles, as in libvmaf's AVX-512 kernel. Bit-exact with speed_kernels.h. */
#include <immintrin.h>

#include "../speed_kernels.h"

typedef __m512 VF;
#define VN 16
#define F_ZERO() _mm512_setzero_ps()
#define F_SET1(x) _mm512_set1_ps(x)
#define F_LOADU(p) _mm512_loadu_ps(p)
#define F_STOREU(p, v) _mm512_storeu_ps((p), (v))
#define F_ADD _mm512_add_ps
#define F_SUB _mm512_sub_ps
#define F_MUL _mm512_mul_ps
#define F_FROM_U8(p) \
    _mm512_cvtepi32_ps(_mm512_cvtepu8_epi32(_mm_loadu_si128((const __m128i *)(const void *)(p))))
#define F_FROM_U16(p) \
    _mm512_cvtepi32_ps(_mm512_cvtepu16_epi32(_mm256_loadu_si256((const __m256i *)(const void *)(p))))

/* the first n (1..16) lanes; the others are not touched */
#define LANES(n) ((__mmask16)((1u << (n)) - 1))
#define F_LOADU_N(p, n) _mm512_maskz_loadu_ps(LANES(n), (p))
#define F_STOREU_N(p, v, n) _mm512_mask_storeu_ps((p), LANES(n), (v))

#define MM_R 4
#define MM_MANY(nv) mm_4_##nv

#include "speed_simd.h"

static inline __m512d centred(const float *p, __m512d mean)
{
    return _mm512_sub_pd(_mm512_cvtps_pd(_mm256_loadu_ps(p)), mean);
}

static double cov(const float *x, const float *y, ptrdiff_t stride, unsigned h, unsigned w, double mx,
                  double my)
{
    const __m512d vmx = _mm512_set1_pd(mx), vmy = _mm512_set1_pd(my);
    __m512d a0 = _mm512_setzero_pd(), a1 = a0; /* lanes 0-7, 8-15 */
    double tail = 0;
    for (unsigned i = 0; i < h; i++) {
        const float *rx = x + (ptrdiff_t)i * stride, *ry = y + (ptrdiff_t)i * stride;
        unsigned j = 0;
        for (; j + 16 <= w; j += 16) {
            a0 = _mm512_fmadd_pd(centred(rx + j, vmx), centred(ry + j, vmy), a0);
            a1 = _mm512_fmadd_pd(centred(rx + j + 8, vmx), centred(ry + j + 8, vmy), a1);
        }
        for (; j + 8 <= w; j += 8) a0 = _mm512_fmadd_pd(centred(rx + j, vmx), centred(ry + j, vmy), a0);
        for (; j < w; j++) tail += ((double)rx[j] - mx) * ((double)ry[j] - my);
    }
    const __m512d s = _mm512_add_pd(a0, a1);
    const __m256d q = _mm256_add_pd(_mm512_extractf64x4_pd(s, 1), _mm512_castpd512_pd256(s));
    const __m128d h2 = _mm_add_pd(_mm256_extractf128_pd(q, 1), _mm256_castpd256_pd128(q));
    return (_mm_cvtsd_f64(h2) + _mm_cvtsd_f64(_mm_unpackhi_pd(h2, h2))) + tail;
}

void speed_kernels_avx512(SpeedKernels *k)
{
    k->load_8 = simd_load_8;
    k->load_16 = simd_load_16;
    k->sub = simd_sub;
    k->vtap = simd_vtap;
    k->cov = cov;
    k->matmul = simd_matmul;
}
