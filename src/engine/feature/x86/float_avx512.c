/* Float kernels for AVX-512: 16 floats per step. The shared body is float_simd.h. */
#include <immintrin.h>

#include "../float_kernels.h"

typedef __m512 VF;
typedef __m512i VI;
typedef __m512d VD;
typedef __mmask16 VM;
#define VN 16

#define V_ZERO() _mm512_setzero_ps()
#define V_SET1(x) _mm512_set1_ps(x)
#define V_LOADU(p) _mm512_loadu_ps(p)
#define V_STOREU(p, v) _mm512_storeu_ps((p), (v))
#define V_ADD _mm512_add_ps
#define V_SUB _mm512_sub_ps
#define V_MUL _mm512_mul_ps
#define V_DIV _mm512_div_ps
#define V_MAX _mm512_max_ps
#define V_MIN _mm512_min_ps
#define V_LT(a, b) _mm512_cmp_ps_mask((a), (b), _CMP_LT_OQ)
#define V_BLEND(m, a, b) _mm512_mask_blend_ps((m), (a), (b))
#define V_CASTI _mm512_castps_si512
#define V_CASTF _mm512_castsi512_ps
#define I_SET1(x) _mm512_set1_epi32(x)
#define I_AND _mm512_and_si512
#define I_OR _mm512_or_si512
#define I_SUB _mm512_sub_epi32
#define I_SRLI _mm512_srli_epi32
#define I_CVTF _mm512_cvtepi32_ps
#define VD_SET1(x) _mm512_set1_pd(x)
#define VD_LO(v) _mm512_cvtps_pd(_mm512_castps512_ps256(v))
#define VD_HI(v) _mm512_cvtps_pd(_mm512_extractf32x8_ps((v), 1))
#define VD_ADD _mm512_add_pd
#define VD_MUL _mm512_mul_pd
#define VD_DIV _mm512_div_pd
#define VD_PACK(lo, hi) \
    _mm512_insertf32x8(_mm512_castps256_ps512(_mm512_cvtpd_ps(lo)), _mm512_cvtpd_ps(hi), 1)

#include "float_simd.h"

void float_kernels_avx512(FloatKernels *k)
{
    k->vert = vert_simd;
    k->vert5 = vert5_simd;
    k->horz = horz_simd;
    k->vif_terms = vif_terms_simd;
    k->dwt_vert = dwt_vert_simd;
    k->dwt_horz = dwt_horz_simd;
    k->cm_row = cm_row_simd;
    /* decouple stays AVX2's: rcp14 is not rcpss's estimate, so libvmaf's results need vrcpps */
}
