/* Integer motion row kernels, AVX2: 16 samples per step, whole steps only (the last partial
 * step of a row goes to the scalar definition in motion_kernels.h). The shared body is
 * motion_simd.h; this file supplies the vector operations. */
#include <immintrin.h>

#include "../motion_kernels.h"

typedef __m256i V;
#define VN16 16
typedef int M16; /* no masks: whole steps only */
typedef int M32;

#define V_MORE(j, w, n) ((j) + (n) <= (w))
#define V_MASK16(rem) ((void)(rem), 0)
#define V_MASK32(rem) ((void)(rem), 0)

#define V_ZERO() _mm256_setzero_si256()
#define V_SET1_16(x) _mm256_set1_epi16((short)(x))
#define V_SET1_32(x) _mm256_set1_epi32((int)(x))
#define V_ADD16 _mm256_add_epi16
#define V_SUB16 _mm256_sub_epi16
#define V_ADD32 _mm256_add_epi32
#define V_SUB32 _mm256_sub_epi32
#define V_MULLO32 _mm256_mullo_epi32
#define V_MADD _mm256_madd_epi16
#define V_UNPACKLO16 _mm256_unpacklo_epi16
#define V_UNPACKHI16 _mm256_unpackhi_epi16
#define V_PACKS32 _mm256_packs_epi32
#define V_SRA32 _mm256_sra_epi32
#define V_SRAI32 _mm256_srai_epi32
#define V_AND _mm256_and_si256
#define V_OR _mm256_or_si256
#define V_ABS32 _mm256_abs_epi32
#define V_ANY(v) (!_mm256_testz_si256((v), (v)))

/* 16 bytes widened to int16 */
#define V_LOAD8TO16(m, p) \
    ((void)(m), _mm256_cvtepu8_epi16(_mm_loadu_si128((const __m128i *)(const void *)(p))))
#define V_LOAD16(m, p) ((void)(m), _mm256_loadu_si256((const __m256i *)(const void *)(p)))
/* 8 uint16 widened to int32 */
#define V_LOAD16TO32(m, p) \
    ((void)(m), _mm256_cvtepu16_epi32(_mm_loadu_si128((const __m128i *)(const void *)(p))))
#define V_STORE16(p, m, v) ((void)(m), _mm256_storeu_si256((__m256i *)(void *)(p), (v)))

/* Eight int32 lanes holding int16 values -> eight int16. */
static inline void store8_16(int16_t *p, __m256i x)
{
    const __m256i packed = _mm256_permute4x64_epi64(_mm256_packs_epi32(x, x), 0x08);
    _mm_storeu_si128((__m128i *)(void *)p, _mm256_castsi256_si128(packed));
}
#define V_STORE32TO16(p, m, v) ((void)(m), store8_16((p), (v)))

/* wrapping 32-bit sum of the lanes */
static inline uint32_t hsum32(__m256i v)
{
    __m128i s = _mm_add_epi32(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));
    s = _mm_add_epi32(s, _mm_shuffle_epi32(s, 0x4E));
    s = _mm_add_epi32(s, _mm_shuffle_epi32(s, 0xB1));
    return (uint32_t)_mm_cvtsi128_si32(s);
}
#define V_HSUM32 hsum32

#include "motion_simd.h"

void motion_kernels_init_avx2(MotionKernels *k)
{
    k->vrow_8 = simd_vrow_8;
    k->vrow_16 = simd_vrow_16;
    k->hrow = simd_hrow;
}
