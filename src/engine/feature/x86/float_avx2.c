/* Float kernels for AVX2: 8 floats per step. The shared body is float_simd.h. */
#include <immintrin.h>

#include "../float_kernels.h"

typedef __m256 VF;
typedef __m256i VI;
typedef __m256d VD;
typedef __m256 VM;
#define VN 8

#define V_ZERO() _mm256_setzero_ps()
#define V_SET1(x) _mm256_set1_ps(x)
#define V_LOADU(p) _mm256_loadu_ps(p)
#define V_STOREU(p, v) _mm256_storeu_ps((p), (v))
#define V_ADD _mm256_add_ps
#define V_SUB _mm256_sub_ps
#define V_MUL _mm256_mul_ps
#define V_DIV _mm256_div_ps
#define V_MAX _mm256_max_ps
#define V_MIN _mm256_min_ps
#define V_LT(a, b) _mm256_cmp_ps((a), (b), _CMP_LT_OQ)
#define V_BLEND(m, a, b) _mm256_blendv_ps((a), (b), (m))
#define V_GE(a, b) _mm256_cmp_ps((a), (b), _CMP_GE_OQ)
#define V_AND_MASK _mm256_and_ps
#define V_RCP _mm256_rcp_ps
#define VD_LT(a, b) _mm256_cmp_pd((a), (b), _CMP_LT_OQ)
#define VD_BLEND(m, a, b) _mm256_blendv_pd((a), (b), (m))
#define VD_MIN _mm256_min_pd
#define VD_MAX _mm256_max_pd
#define V_CASTI _mm256_castps_si256
#define V_CASTF _mm256_castsi256_ps
#define I_SET1(x) _mm256_set1_epi32(x)
#define I_AND _mm256_and_si256
#define I_OR _mm256_or_si256
#define I_SUB _mm256_sub_epi32
#define I_SRLI _mm256_srli_epi32
#define I_CVTF _mm256_cvtepi32_ps
#define VD_SET1(x) _mm256_set1_pd(x)
#define VD_LO(v) _mm256_cvtps_pd(_mm256_castps256_ps128(v))
#define VD_HI(v) _mm256_cvtps_pd(_mm256_extractf128_ps((v), 1))
#define VD_ADD _mm256_add_pd
#define VD_MUL _mm256_mul_pd
#define VD_DIV _mm256_div_pd
#define VD_PACK(lo, hi) _mm256_set_m128(_mm256_cvtpd_ps(hi), _mm256_cvtpd_ps(lo))

#include "float_simd.h"

void float_kernels_avx2(FloatKernels *k)
{
    k->vert = vert_simd;
    k->vert5 = vert5_simd;
    k->horz = horz_simd;
    k->vif_terms = vif_terms_simd;
    k->dwt_vert = dwt_vert_simd;
    k->dwt_horz = dwt_horz_simd;
    k->cm_row = cm_row_simd;
    k->decouple = decouple_simd;
}
