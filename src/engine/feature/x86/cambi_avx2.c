/* CAMBI kernels, AVX2 (16 x uint16, 8 x int32 / float lanes); the body is cambi_simd.h. */
#include <immintrin.h>

#include "../cambi_kernels.h"

typedef __m256i V16;
typedef __m256i M16;
typedef __m256i V32;
typedef __m256i M32;
typedef __m256 V_F;
#define N16 16
#define N32 8

static inline V16 ld16(const uint16_t *p)
{
    return _mm256_loadu_si256((const __m256i *)(const void *)p);
}
/* clang-format off */
static inline void st16(uint16_t *p, V16 v) { _mm256_storeu_si256((__m256i *)(void *)p, v); }
static inline V16 add16(V16 a, V16 b) { return _mm256_add_epi16(a, b); }
static inline V16 sub16(V16 a, V16 b) { return _mm256_sub_epi16(a, b); }
static inline V16 min16(V16 a, V16 b) { return _mm256_min_epu16(a, b); }
static inline M16 eq16(V16 a, V16 b) { return _mm256_cmpeq_epi16(a, b); }
static inline M16 gt16(V16 a, V16 b) { return _mm256_cmpgt_epi16(a, b); }
static inline M16 and_m16(M16 a, M16 b) { return _mm256_and_si256(a, b); }
static inline M16 or_m16(M16 a, M16 b) { return _mm256_or_si256(a, b); }
static inline V16 sel16(M16 m, V16 a, V16 b) { return _mm256_blendv_epi8(b, a, m); }
static inline V16 ones16(M16 m) { return _mm256_and_si256(m, _mm256_set1_epi16(1)); }
static inline V16 set16(uint16_t x) { return _mm256_set1_epi16((short)x); }
/* clang-format on */
static inline V16 iota16(void)
{
    return _mm256_setr_epi16(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
}
static inline V16 mins16(V16 a, V16 b)
{
    return _mm256_min_epi16(a, b);
}
static inline V16 maskz16(M16 m, V16 v)
{
    return _mm256_and_si256(m, v);
}
static inline M16 in_band16(V16 r, V16 top)
{
    return _mm256_cmpeq_epi16(_mm256_min_epu16(r, top), r);
}
static inline int eq_prefix16(const int16_t *p, int k)
{
    const unsigned ne = ~(unsigned)_mm256_movemask_epi8(
        _mm256_cmpeq_epi16(ld16((const uint16_t *)p), _mm256_set1_epi16((short)k)));
    return ne ? __builtin_ctz(ne) >> 1 : 16;
}

static inline V32 ld_u16_to_32(const uint16_t *p)
{
    return _mm256_cvtepu16_epi32(_mm_loadu_si128((const __m128i *)(const void *)p));
}
/* clang-format off */
static inline V32 set32(int x) { return _mm256_set1_epi32(x); }
static inline V32 lane_index32(void) { return _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7); }
static inline V32 add32(V32 a, V32 b) { return _mm256_add_epi32(a, b); }
static inline V32 sub32(V32 a, V32 b) { return _mm256_sub_epi32(a, b); }
static inline V32 mul32(V32 a, V32 b) { return _mm256_mullo_epi32(a, b); }
static inline V32 min32(V32 a, V32 b) { return _mm256_min_epi32(a, b); }
static inline V32 max32(V32 a, V32 b) { return _mm256_max_epi32(a, b); }
static inline M32 gt32(V32 a, V32 b) { return _mm256_cmpgt_epi32(a, b); }
static inline M32 and_m32(M32 a, M32 b) { return _mm256_and_si256(a, b); }
static inline M32 not_m32(M32 a) { return _mm256_xor_si256(a, _mm256_set1_epi32(-1)); }
static inline int any32(M32 m) { return !_mm256_testz_si256(m, m); }
static inline int all32(M32 m) { return _mm256_movemask_epi8(m) == -1; }
static inline M32 eq32(V32 a, V32 b) { return _mm256_cmpeq_epi32(a, b); }
static inline V32 maskz32(M32 m, V32 v) { return _mm256_and_si256(m, v); }
/* clang-format on */
static inline V32 gather16(const uint16_t *base, V32 idx)
{
    return _mm256_and_si256(_mm256_i32gather_epi32((const int *)(const void *)base, idx, 2),
                            _mm256_set1_epi32(0xFFFF));
}
/* clang-format off */
static inline V_F gather_f(const float *base, V32 idx) { return _mm256_i32gather_ps(base, idx, 4); }
static inline V_F cvt_f(V32 a) { return _mm256_cvtepi32_ps(a); }
static inline V_F mul_f(V_F a, V_F b) { return _mm256_mul_ps(a, b); }
static inline V_F max_f(V_F a, V_F b) { return _mm256_max_ps(a, b); }
static inline V_F zero_f(void) { return _mm256_setzero_ps(); }
static inline V_F maskz_f(M32 m, V_F v) { return _mm256_and_ps(_mm256_castsi256_ps(m), v); }
static inline void st_f(float *p, V_F v) { _mm256_storeu_ps(p, v); }
/* clang-format on */

#include "cambi_simd.h"

/* dst[c] = src[2c]: the low halves of 32-bit lanes, packed (reads stay ahead of writes). */
static void decimate_row(const uint16_t *src, uint16_t *dst, int w)
{
    const __m256i lo = _mm256_set1_epi32(0xFFFF);
    int c = 0;
    for (; c + 16 <= w; c += 16) {
        __m256i a = _mm256_and_si256(ld16(src + 2 * c), lo);
        __m256i b = _mm256_and_si256(ld16(src + 2 * c + 16), lo);
        st16(dst + c, _mm256_permute4x64_epi64(_mm256_packus_epi32(a, b), 0xD8));
    }
    cambi_decimate_row_c(src + 2 * c, dst + c, w - c);
}

void cambi_kernels_init_avx2(CambiKernels *k)
{
    init_table(k);
}
