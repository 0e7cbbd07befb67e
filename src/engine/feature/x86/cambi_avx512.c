/* CAMBI kernels, AVX-512 (32 x uint16, 16 x int32 / float lanes, compare masks in k
 * registers); the body is cambi_simd.h. */
#include <immintrin.h>

#include "../cambi_kernels.h"

typedef __m512i V16;
typedef __mmask32 M16;
typedef __m512i V32;
typedef __mmask16 M32;
typedef __m512 V_F;
#define N16 32
#define N32 16

/* clang-format off */
static inline V16 ld16(const uint16_t *p) { return _mm512_loadu_si512((const void *)p); }
static inline void st16(uint16_t *p, V16 v) { _mm512_storeu_si512((void *)p, v); }
static inline V16 add16(V16 a, V16 b) { return _mm512_add_epi16(a, b); }
static inline V16 sub16(V16 a, V16 b) { return _mm512_sub_epi16(a, b); }
static inline V16 min16(V16 a, V16 b) { return _mm512_min_epu16(a, b); }
static inline M16 eq16(V16 a, V16 b) { return _mm512_cmpeq_epi16_mask(a, b); }
static inline M16 gt16(V16 a, V16 b) { return _mm512_cmpgt_epi16_mask(a, b); }
static inline M16 and_m16(M16 a, M16 b) { return a & b; }
static inline M16 or_m16(M16 a, M16 b) { return a | b; }
static inline V16 sel16(M16 m, V16 a, V16 b) { return _mm512_mask_blend_epi16(m, b, a); }
static inline V16 ones16(M16 m) { return _mm512_maskz_mov_epi16(m, _mm512_set1_epi16(1)); }
static inline V16 set16(uint16_t x) { return _mm512_set1_epi16((short)x); }
/* clang-format on */
static inline V16 iota16(void)
{
    return _mm512_set_epi16(31, 30, 29, 28, 27, 26, 25, 24, 23, 22, 21, 20, 19, 18, 17, 16, 15, 14, 13, 12,
                            11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0);
}
static inline V16 mins16(V16 a, V16 b)
{
    return _mm512_min_epi16(a, b);
}
static inline V16 maskz16(M16 m, V16 v)
{
    return _mm512_maskz_mov_epi16(m, v);
}
static inline M16 in_band16(V16 r, V16 top)
{
    return _mm512_cmple_epu16_mask(r, top);
}
static inline int eq_prefix16(const int16_t *p, int k)
{
    const unsigned ne = _mm512_cmpneq_epi16_mask(ld16((const uint16_t *)p), _mm512_set1_epi16((short)k));
    return ne ? __builtin_ctz(ne) : 32;
}

static inline V32 ld_u16_to_32(const uint16_t *p)
{
    return _mm512_cvtepu16_epi32(_mm256_loadu_si256((const __m256i *)(const void *)p));
}
static inline V32 set32(int x)
{
    return _mm512_set1_epi32(x);
}
static inline V32 lane_index32(void)
{
    return _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
}
/* clang-format off */
static inline V32 add32(V32 a, V32 b) { return _mm512_add_epi32(a, b); }
static inline V32 sub32(V32 a, V32 b) { return _mm512_sub_epi32(a, b); }
static inline V32 mul32(V32 a, V32 b) { return _mm512_mullo_epi32(a, b); }
static inline V32 min32(V32 a, V32 b) { return _mm512_min_epi32(a, b); }
static inline V32 max32(V32 a, V32 b) { return _mm512_max_epi32(a, b); }
static inline M32 gt32(V32 a, V32 b) { return _mm512_cmpgt_epi32_mask(a, b); }
static inline M32 and_m32(M32 a, M32 b) { return a & b; }
static inline M32 not_m32(M32 a) { return (M32)~a; }
static inline int any32(M32 m) { return m != 0; }
static inline int all32(M32 m) { return m == 0xFFFF; }
static inline M32 eq32(V32 a, V32 b) { return _mm512_cmpeq_epi32_mask(a, b); }
static inline V32 maskz32(M32 m, V32 v) { return _mm512_maskz_mov_epi32(m, v); }
/* clang-format on */
static inline V32 gather16(const uint16_t *base, V32 idx)
{
    return _mm512_and_si512(_mm512_i32gather_epi32(idx, (const void *)base, 2), _mm512_set1_epi32(0xFFFF));
}
static inline V_F gather_f(const float *base, V32 idx)
{
    return _mm512_i32gather_ps(idx, base, 4);
}
static inline V_F cvt_f(V32 a)
{
    return _mm512_cvtepi32_ps(a);
}
static inline V_F mul_f(V_F a, V_F b)
{
    return _mm512_mul_ps(a, b);
}
static inline V_F max_f(V_F a, V_F b)
{
    return _mm512_max_ps(a, b);
}
static inline V_F zero_f(void)
{
    return _mm512_setzero_ps();
}
static inline V_F maskz_f(M32 m, V_F v)
{
    return _mm512_maskz_mov_ps(m, v);
}
static inline void st_f(float *p, V_F v)
{
    _mm512_storeu_ps(p, v);
}

#include "cambi_simd.h"

/* dst[c] = src[2c]: the low halves of 32-bit lanes, narrowed (reads stay ahead of writes). */
static void decimate_row(const uint16_t *src, uint16_t *dst, int w)
{
    int c = 0;
    for (; c + 16 <= w; c += 16)
        _mm256_storeu_si256((__m256i *)(void *)(dst + c), _mm512_cvtepi32_epi16(ld16(src + 2 * c)));
    cambi_decimate_row_c(src + 2 * c, dst + c, w - c);
}

void cambi_kernels_init_avx512(CambiKernels *k)
{
    init_table(k);
}
