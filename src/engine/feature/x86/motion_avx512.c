/* Integer motion row kernels, AVX-512 (F, BW): 32 samples per step, the row's last step under
 * a mask. The shared body is motion_simd.h; this file supplies the vector operations. */
#include <immintrin.h>

#include "../motion_kernels.h"

typedef __m512i V;
#define VN16 32
typedef __mmask32 M16; /* a step of 32 16-bit lanes */
typedef __mmask16 M32; /* a step of 16 32-bit lanes */

#define V_MORE(j, w, n) ((j) < (w))

static inline __mmask32 tail32(unsigned rem)
{
    return rem >= 32 ? (__mmask32)0xFFFFFFFFu : (__mmask32)((1u << rem) - 1);
}

static inline __mmask16 tail16(unsigned rem)
{
    return rem >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << rem) - 1);
}
#define V_MASK16 tail32
#define V_MASK32 tail16

#define V_ZERO() _mm512_setzero_si512()
#define V_SET1_16(x) _mm512_set1_epi16((short)(x))
#define V_SET1_32(x) _mm512_set1_epi32((int)(x))
#define V_ADD16 _mm512_add_epi16
#define V_SUB16 _mm512_sub_epi16
#define V_ADD32 _mm512_add_epi32
#define V_SUB32 _mm512_sub_epi32
#define V_MULLO32 _mm512_mullo_epi32
#define V_MADD _mm512_madd_epi16
#define V_UNPACKLO16 _mm512_unpacklo_epi16
#define V_UNPACKHI16 _mm512_unpackhi_epi16
#define V_PACKS32 _mm512_packs_epi32
#define V_SRA32 _mm512_sra_epi32
#define V_SRAI32 _mm512_srai_epi32
#define V_AND _mm512_and_si512
#define V_OR _mm512_or_si512
#define V_ABS32 _mm512_abs_epi32
#define V_ANY(v) (_mm512_test_epi32_mask((v), (v)) != 0)

/* masked-off lanes load as 0 and are not stored */
#define V_LOAD8TO16(m, p) _mm512_cvtepu8_epi16(_mm256_maskz_loadu_epi8((m), (p)))
#define V_LOAD16(m, p) _mm512_maskz_loadu_epi16((m), (p))
#define V_LOAD16TO32(m, p) _mm512_cvtepu16_epi32(_mm256_maskz_loadu_epi16((m), (p)))
#define V_STORE16(p, m, v) _mm512_mask_storeu_epi16((p), (m), (v))
#define V_STORE32TO16(p, m, v) _mm256_mask_storeu_epi16((p), (m), _mm512_cvtepi32_epi16(v))

/* wrapping 32-bit sum of the lanes (the compiler's reduction adds in signed int) */
static inline uint32_t hsum32(__m512i v)
{
    const __m256i a = _mm256_add_epi32(_mm512_castsi512_si256(v), _mm512_extracti64x4_epi64(v, 1));
    __m128i b = _mm_add_epi32(_mm256_castsi256_si128(a), _mm256_extracti128_si256(a, 1));
    b = _mm_add_epi32(b, _mm_shuffle_epi32(b, 0x4E));
    b = _mm_add_epi32(b, _mm_shuffle_epi32(b, 0xB1));
    return (uint32_t)_mm_cvtsi128_si32(b);
}
#define V_HSUM32 hsum32

#include "motion_simd.h"

void motion_kernels_init_avx512(MotionKernels *k)
{
    k->vrow_8 = simd_vrow_8;
    k->vrow_16 = simd_vrow_16;
    k->hrow = simd_hrow;
}
