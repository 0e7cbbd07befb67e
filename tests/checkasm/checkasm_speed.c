/* checkasm: SpEED kernels (engine/feature/speed_kernels.h) — sample loading at every bit
 * depth, row difference, vertical filter tap, the double covariance sum and the float matrix
 * product — on random and extreme values of awkward sizes; then whole planes through the SpEED
 * pipeline at each level (sizes, prescale methods, kernel scales), and both extractors
 * through the public API. Every comparison is bit for bit. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checkasm.h"
#include "engine/feature/speed.h"

static const unsigned widths[] = { 1,  2,  3,  7,  8,  9,  15, 16,  17,  23,  24,
                                   25, 31, 32, 33, 47, 64, 65, 100, 127, 288, 577 };

/* A float of the kind the kernels see, or an extreme one. */
static float rand_float(enum CheckasmFill mode)
{
    switch (mode) {
    case FILL_ZERO: return checkasm_rand() & 1 ? 0.0f : -0.0f;
    case FILL_MAX: return checkasm_rand() & 1 ? 3.0e38f : -3.0e38f;
    case FILL_EXTREME: {
        static const float v[] = {
            0.0f, -0.0f, 1e-40f, -1e-40f, 1e-30f, 1e30f, -128.0f, 127.75f, 1.0f, -1.0f
        };
        return v[checkasm_rand_below(sizeof v / sizeof v[0])];
    }
    case FILL_SMOOTH: return (float)((int)checkasm_rand_below(2001) - 1000) / 64.0f;
    default: {
        /* a full 24-bit mantissa at exponents 2^-12 .. 2^7: sums of products then need more
         * than a double's 53 bits, so their order shows in the result */
        const float m = 1.0f + (float)(checkasm_rand() >> 9) / 8388608.0f;
        const float v = ldexpf(m, (int)checkasm_rand_below(20) - 12);
        return checkasm_rand() & 1 ? v : -v;
    }
    }
}

static void fill_floats(float *p, size_t n, enum CheckasmFill mode)
{
    for (size_t i = 0; i < n; i++) p[i] = rand_float(mode);
}

static int same_floats(const float *a, const float *b, size_t n, size_t *at)
{
    for (size_t i = 0; i < n; i++)
        if (memcmp(&a[i], &b[i], sizeof(float))) {
            *at = i;
            return 0;
        }
    return 1;
}

/* ---- row kernels ----------------------------------------------------------------------- */

static void check_rows(const SpeedKernels *lv, unsigned w, enum CheckasmFill mode)
{
    static const unsigned depths[] = { 8, 9, 10, 12, 16 };
    float *want = malloc(w * sizeof(float)), *got = malloc(w * sizeof(float));
    float *row = malloc(w * sizeof(float));
    void *src = malloc(w * 2);
    size_t at = 0;
    for (size_t d = 0; d < sizeof depths / sizeof depths[0]; d++) {
        const unsigned bpc = depths[d];
        const float scale = ldexpf(1.0f, 8 - (int)bpc);
        if (bpc == 8) checkasm_fill8(src, w, mode);
        else checkasm_fill16(src, w, bpc, mode);
        if (bpc == 8) lv[0].load_8(want, src, w);
        else lv[0].load_16(want, src, w, scale);
        for (int l = 1; l < checkasm_level_count(); l++) {
            if (bpc == 8) lv[l].load_8(got, src, w);
            else lv[l].load_16(got, src, w, scale);
            checkasm_check(same_floats(want, got, w, &at), bpc == 8 ? "speed_load_8" : "speed_load_16",
                           checkasm_level(l), "w=%u %u-bit %s: element %zu", w, bpc, checkasm_fill_name(mode),
                           at);
        }
    }
    /* a -= b and acc += f * row on random or extreme floats */
    fill_floats(row, w, mode);
    fill_floats(want, w, (enum CheckasmFill)checkasm_rand_below(FILL_COUNT));
    const float f = rand_float(checkasm_rand() & 1 ? mode : FILL_RANDOM);
    float *base = malloc(w * sizeof(float));
    memcpy(base, want, w * sizeof(float));
    for (int op = 0; op < 2; op++) {
        memcpy(want, base, w * sizeof(float));
        if (op) lv[0].vtap(want, row, f, w);
        else lv[0].sub(want, row, w);
        for (int l = 1; l < checkasm_level_count(); l++) {
            memcpy(got, base, w * sizeof(float));
            if (op) lv[l].vtap(got, row, f, w);
            else lv[l].sub(got, row, w);
            checkasm_check(same_floats(want, got, w, &at), op ? "speed_vtap" : "speed_sub", checkasm_level(l),
                           "w=%u %s: element %zu", w, checkasm_fill_name(mode), at);
        }
    }
    free(base);
    free(src);
    free(row);
    free(got);
    free(want);
}

/* ---- covariance and matrix product ----------------------------------------------------- */

static void check_cov(const SpeedKernels *lv, unsigned w, unsigned h, enum CheckasmFill mode)
{
    const ptrdiff_t stride = w + 4 + checkasm_rand_below(8);
    float *p = malloc(sizeof(float) * (size_t)stride * (h + 4));
    /* finite values only: the planes hold filtered samples */
    fill_floats(p, (size_t)stride * (h + 4), mode == FILL_MAX ? FILL_EXTREME : mode);
    for (size_t i = 0; i < (size_t)stride * (h + 4); i++)
        if (fabsf(p[i]) > 1e20f) p[i] = p[i] > 0 ? 255.0f : -255.0f;
    const float *x = p + checkasm_rand_below(3),
                *y = p + checkasm_rand_below(3) * stride + checkasm_rand_below(3);
    const double mx = rand_float(FILL_SMOOTH), my = rand_float(FILL_SMOOTH);
    const double want = lv[0].cov(x, y, stride, h, w, mx, my);
    for (int l = 1; l < checkasm_level_count(); l++) {
        const double got = lv[l].cov(x, y, stride, h, w, mx, my);
        checkasm_check(memcmp(&got, &want, sizeof got) == 0, "speed_cov", checkasm_level(l),
                       "%ux%u %s: %.17g, scalar %.17g", w, h, checkasm_fill_name(mode), got, want);
    }
    free(p);
}

static void check_matmul(const SpeedKernels *lv, unsigned n, unsigned kk, unsigned m, enum CheckasmFill mode)
{
    float *a = malloc(sizeof(float) * n * kk), *b = malloc(sizeof(float) * kk * m);
    float *want = malloc(sizeof(float) * n * m), *got = malloc(sizeof(float) * n * m);
    fill_floats(a, (size_t)n * kk, mode == FILL_MAX ? FILL_RANDOM : mode);
    fill_floats(b, (size_t)kk * m, FILL_RANDOM);
    /* reflector-like rows: identity rows and zero columns, which the kernels skip */
    for (unsigned i = 0; i < n; i++)
        for (unsigned k = 0; k < kk; k++)
            if (checkasm_rand_below(3) == 0) a[i * kk + k] = checkasm_rand() & 1 ? 0.0f : -0.0f;
    if (checkasm_rand() & 1)
        for (size_t i = 0; i < (size_t)kk * m; i += 1 + checkasm_rand_below(5)) b[i] = -0.0f;
    lv[0].matmul(want, a, b, n, kk, m);
    size_t at = 0;
    for (int l = 1; l < checkasm_level_count(); l++) {
        memset(got, 0x5a, sizeof(float) * n * m);
        lv[l].matmul(got, a, b, n, kk, m);
        checkasm_check(same_floats(want, got, (size_t)n * m, &at), "speed_matmul", checkasm_level(l),
                       "%ux%ux%u %s: element %zu (%.9g, scalar %.9g)", n, kk, m, checkasm_fill_name(mode), at,
                       got[at], want[at]);
    }
    free(got);
    free(want);
    free(b);
    free(a);
}

/* ---- whole planes through the pipeline ------------------------------------------------- */

static void check_plane(unsigned w, unsigned h, unsigned bpc, const SpeedOptions *o, int diff)
{
    const size_t bytes = bpc == 8 ? 1 : 2;
    const ptrdiff_t stride = (ptrdiff_t)(w * bytes + 64);
    uint8_t *pl[4];
    for (int i = 0; i < 4; i++) {
        pl[i] = malloc((size_t)stride * h);
        for (unsigned y = 0; y < h; y++) {
            uint8_t *row = pl[i] + y * stride;
            const enum CheckasmFill mode = (enum CheckasmFill)((y / 8 + i) % FILL_COUNT);
            if (i && checkasm_rand_below(4)) { /* mostly a distorted copy */
                if (bpc == 8) checkasm_distort8(row, pl[0] + y * stride, w);
                else
                    checkasm_distort16((uint16_t *)(void *)row, (uint16_t *)(void *)(pl[0] + y * stride), w,
                                       bpc);
            } else if (bpc == 8) {
                checkasm_fill8(row, w, mode == FILL_ZERO ? FILL_SMOOTH : mode);
            } else {
                checkasm_fill16((uint16_t *)(void *)row, w, bpc, mode == FILL_ZERO ? FILL_SMOOTH : mode);
            }
        }
    }
    const SpeedPlane ref = { pl[0], diff ? pl[1] : NULL, stride, stride, bpc };
    const SpeedPlane dis = { pl[2], diff ? pl[3] : NULL, stride, stride, bpc };
    char why[256], what[96];
    snprintf(what, sizeof what, "%ux%u %u-bit%s ps %g m %d ks %g", w, h, bpc, diff ? " diff" : "",
             o->prescale, (int)o->method, o->kernelscale);
    float want = 0;
    int bad_want = 0;
    for (int l = 0; l < checkasm_level_count(); l++) {
        Speed s;
        if (speed_init(&s, o, w, h, checkasm_level(l), "plane", why, sizeof why)) {
            checkasm_check(0, "speed (plane)", checkasm_level(l), "%s: %s", what, why);
            break;
        }
        float got;
        const int bad = speed_plane_score(&s, &ref, &dis, &got);
        speed_close(&s);
        if (l == 0) {
            want = got;
            bad_want = bad;
            continue;
        }
        checkasm_check(memcmp(&got, &want, sizeof got) == 0 && bad == bad_want, "speed (plane)",
                       checkasm_level(l), "%s: %.9g (singular %d), scalar %.9g (%d)", what, got, bad, want,
                       bad_want);
    }
    for (int i = 0; i < 4; i++) free(pl[i]);
}

static void check_planes(void)
{
    static const unsigned sizes[][2] = { { 80, 80 }, { 83, 97 }, { 161, 95 }, { 300, 170 }, { 577, 325 } };
    static const double prescales[] = { 1.0, 0.6, 1.3 };
    static const double kscales[] = { 1.0, 0.5, 2.0, 360.0 / 97.0 };
    const unsigned n_sizes = checkasm_quick() ? 3 : sizeof sizes / sizeof sizes[0];
    for (unsigned s = 0; s < n_sizes; s++) {
        for (int m = 0; m < 4; m++) {
            const unsigned bpc = (unsigned[]){ 8, 10, 12, 16 }[(s + m) % 4];
            const double ps = prescales[(s + m) % 3];
            SpeedOptions o = { kscales[(s * 3 + m) % 4], ps, (enum SpeedScaleMethod)m, 0.29, 0.1 * m,
                               (int)((s + m) % 7) };
            const unsigned w = sizes[s][0], h = sizes[s][1];
            if ((unsigned)(w * ps + 0.5) < 80 || (unsigned)(h * ps + 0.5) < 80) o.prescale = 1.0;
            check_plane(w, h, bpc, &o, m & 1);
        }
    }
}

/* ---- benchmarks ------------------------------------------------------------------------ */

typedef struct BenchSpeed {
    const SpeedKernels *k;
    float *a, *b, *c;
    unsigned w, h;
    int which;
} BenchSpeed;

static void bench_call(void *ctx)
{
    BenchSpeed *b = ctx;
    if (b->which == 0) b->k->vtap(b->c, b->a, 0.25f, b->w);
    else if (b->which == 1) b->k->cov(b->a, b->b, b->w, b->h, b->w - 4, 0.5, -0.25);
    else b->k->matmul(b->c, b->a, b->b, 25, 25, 25);
}

static void bench(const SpeedKernels *lv)
{
    BenchSpeed b = { .w = 1920, .h = 61 };
    b.a = malloc(sizeof(float) * 1920 * 64);
    b.b = malloc(sizeof(float) * 1920 * 64);
    b.c = malloc(sizeof(float) * 1920 * 64);
    fill_floats(b.a, 1920 * 64, FILL_SMOOTH);
    fill_floats(b.b, 1920 * 64, FILL_SMOOTH);
    fill_floats(b.c, 1920 * 64, FILL_SMOOTH);
    static const char *const names[] = { "speed_vtap", "speed_cov", "speed_matmul" };
    static const char *const what[] = { "row w=1920", "120x61 window", "25x25x25" };
    for (b.which = 0; b.which < 3; b.which++) {
        if (b.which == 1) b.w = 120;
        for (int l = 0; l < checkasm_level_count(); l++) {
            b.k = &lv[l];
            checkasm_bench_report(names[b.which], what[b.which], checkasm_level(l),
                                  checkasm_time(bench_call, &b));
        }
    }
    free(b.a);
    free(b.b);
    free(b.c);
    static const unsigned frames[][3] = { { 576, 324, 8 }, { 1920, 1080, 8 } };
    for (size_t i = 0; i < sizeof frames / sizeof frames[0]; i++) {
        char w[32];
        snprintf(w, sizeof w, "frame %ux%u %u-bit", frames[i][0], frames[i][1], frames[i][2]);
        for (int l = 0; l < checkasm_level_count(); l++) {
            checkasm_bench_report("speed_chroma (extr.)", w, checkasm_level(l),
                                  checkasm_time_feature("speed_chroma", NULL, checkasm_level(l), frames[i][0],
                                                        frames[i][1], frames[i][2]));
            checkasm_bench_report("speed_temporal (extr.)", w, checkasm_level(l),
                                  checkasm_time_feature("speed_temporal", NULL, checkasm_level(l),
                                                        frames[i][0], frames[i][1], frames[i][2]));
        }
    }
}

void checkasm_check_speed(void)
{
    SpeedKernels lv[CHECKASM_MAX_LEVELS];
    for (int l = 0; l < checkasm_level_count(); l++) speed_kernels_init(&lv[l], checkasm_level(l));
    const int rounds = checkasm_quick() ? 1 : 3;
    for (int r = 0; r < rounds; r++)
        for (int m = 0; m < FILL_COUNT; m++) {
            for (size_t w = 0; w < sizeof widths / sizeof widths[0]; w++) {
                check_rows(lv, widths[w], (enum CheckasmFill)m);
                check_cov(lv, widths[w], 1 + checkasm_rand_below(6), (enum CheckasmFill)m);
                check_matmul(lv, 1 + checkasm_rand_below(4), 1 + checkasm_rand_below(30), widths[w],
                             (enum CheckasmFill)m);
            }
            check_matmul(lv, 25, 25, 25, (enum CheckasmFill)m);
            check_cov(lv, 116, 61, (enum CheckasmFill)m);
        }
    check_planes();
    checkasm_check_feature("speed_chroma", NULL);
    checkasm_check_feature("speed_temporal", "speed_use_ref_diff=true");
    checkasm_check_feature("speed_chroma", "speed_prescale=0.9:speed_prescale_method=bilinear:"
                                           "speed_weight_var_mode=5:speed_nn_floor=0.1");
    if (checkasm_bench()) bench(lv);
}
