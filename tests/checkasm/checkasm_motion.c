/* checkasm: integer motion kernels (engine/feature/motion_kernels.h) — the vertical pass of
 * the picture difference at every bit depth and the horizontal pass with its SAD — on rows of
 * awkward widths, and the whole extractor through the public API. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checkasm.h"
#include "engine/feature/motion_kernels.h"

#define PAD 32 /* guard elements on both sides of every output row (>= MOTION_HALF) */

static const unsigned widths[] = { 1,  2,  3,  4,  5,  7,  8,   9,   15,  16,  17, 31,
                                   32, 33, 47, 63, 64, 65, 100, 127, 129, 576, 961 };

/* Five tap rows of prev and cur (tall pictures repeat rows at their edges: sometimes the
 * same row twice), exactly w samples each. */
typedef struct Taps {
    void *prev[MOTION_TAPS], *cur[MOTION_TAPS];
    const void *tp[MOTION_TAPS], *tc[MOTION_TAPS];
} Taps;

static void taps_fill(Taps *t, unsigned w, unsigned bpc, enum CheckasmFill mode)
{
    for (int k = 0; k < MOTION_TAPS; k++) {
        t->prev[k] = malloc(w * (bpc == 8 ? 1 : 2));
        t->cur[k] = malloc(w * (bpc == 8 ? 1 : 2));
        /* consecutive frames: mostly small changes, sometimes unrelated content */
        const int own = checkasm_rand_below(4) == 0;
        if (bpc == 8) {
            checkasm_fill8(t->prev[k], w, mode);
            if (own) checkasm_fill8(t->cur[k], w, (enum CheckasmFill)checkasm_rand_below(FILL_COUNT));
            else checkasm_distort8(t->cur[k], t->prev[k], w);
        } else {
            checkasm_fill16(t->prev[k], w, bpc, mode);
            if (own) checkasm_fill16(t->cur[k], w, bpc, (enum CheckasmFill)checkasm_rand_below(FILL_COUNT));
            else checkasm_distort16(t->cur[k], t->prev[k], w, bpc);
        }
    }
    const int mirrored = checkasm_rand() & 1;
    for (int k = 0; k < MOTION_TAPS; k++) {
        const int r = mirrored ? (int)checkasm_rand_below(MOTION_TAPS) : k;
        t->tp[k] = t->prev[r];
        t->tc[k] = t->cur[r];
    }
}

static void taps_free(Taps *t)
{
    for (int k = 0; k < MOTION_TAPS; k++) {
        free(t->prev[k]);
        free(t->cur[k]);
    }
}

static int32_t call_vrow(const MotionKernels *k, const Taps *t, unsigned w, unsigned bpc, const MotionRow *y)
{
    if (bpc == 8) return k->vrow_8((const uint8_t *const *)t->tp, (const uint8_t *const *)t->tc, w, y);
    return k->vrow_16((const uint16_t *const *)t->tp, (const uint16_t *const *)t->tc, w, (int)bpc, y);
}

/* A split row of w samples with PAD guard elements on both sides of each half. */
typedef struct SplitRow {
    int16_t *mem;
    MotionRow r;
    size_t n;
} SplitRow;

static SplitRow split_new(unsigned w)
{
    SplitRow s = { .n = w + 2 * PAD };
    s.mem = malloc(2 * s.n * sizeof(int16_t));
    memset(s.mem, 0x5a, 2 * s.n * sizeof(int16_t));
    s.r = (MotionRow){ s.mem + PAD, s.mem + s.n + PAD };
    return s;
}

static void check_vrow(const MotionKernels *lv, unsigned w, unsigned bpc, enum CheckasmFill mode)
{
    Taps t;
    taps_fill(&t, w, bpc, mode);
    SplitRow want = split_new(w);
    const int32_t any_want = call_vrow(&lv[0], &t, w, bpc, &want.r);
    char name[40];
    snprintf(name, sizeof name, "motion_vrow_%s %u-bit", bpc == 8 ? "8" : "16", bpc);
    for (int l = 1; l < checkasm_level_count(); l++) {
        SplitRow got = split_new(w);
        const int32_t any = call_vrow(&lv[l], &t, w, bpc, &got.r);
        size_t bad = 0;
        while (bad < 2 * want.n && got.mem[bad] == want.mem[bad]) bad++;
        checkasm_check(bad == 2 * want.n && !any == !any_want, name, checkasm_level(l),
                       "w=%u %s: first difference at %s %ld (%d, scalar %d), any %d/%d", w,
                       checkasm_fill_name(mode), bad < want.n ? "hi" : "lo", (long)(bad % want.n) - PAD,
                       bad < 2 * want.n ? got.mem[bad] : 0, bad < 2 * want.n ? want.mem[bad] : 0, any != 0,
                       any_want != 0);
        free(got.mem);
    }
    free(want.mem);
    taps_free(&t);
}

/* Rows as the vertical pass makes them (|y| < 2^16), mirrored into the two spare samples on
 * each side, as the extractor does. */
static void check_hrow(const MotionKernels *lv, unsigned w, enum CheckasmFill mode)
{
    if (w <= MOTION_HALF) return; /* the mirror needs w > 2 */
    int32_t *mem = malloc((w + 2 * MOTION_HALF) * 4), *y = mem + MOTION_HALF;
    int32_t level = 0;
    for (unsigned j = 0; j < w; j++) {
        switch (mode) {
        case FILL_RANDOM: y[j] = (int32_t)checkasm_rand_below(131071) - 65535; break;
        case FILL_ZERO: y[j] = 0; break;
        case FILL_MAX: y[j] = checkasm_rand() & 1 ? 65535 : -65535; break;
        case FILL_EXTREME: y[j] = (int32_t)(checkasm_rand_below(3) * 65535) - 65535; break;
        default:
            if (checkasm_rand_below(16) == 0) level = (int32_t)checkasm_rand_below(4001) - 2000;
            y[j] = level + (int32_t)checkasm_rand_below(5) - 2;
        }
    }
    for (int f = 1; f <= MOTION_HALF; f++) {
        y[-f] = y[f];
        y[(int)w - 1 + f] = y[(int)w - 1 - f];
    }
    SplitRow s = split_new(w);
    for (int j = -MOTION_HALF; j < (int)w + MOTION_HALF; j++) motion_store(&s.r, j, y[j]);
    const uint32_t want = lv[0].hrow(&s.r, w);
    for (int l = 1; l < checkasm_level_count(); l++) {
        const uint32_t got = lv[l].hrow(&s.r, w);
        checkasm_check(got == want, "motion_hrow", checkasm_level(l), "w=%u %s: %u, scalar %u", w,
                       checkasm_fill_name(mode), got, want);
    }
    free(s.mem);
    free(mem);
}

/* ---- benchmarks ------------------------------------------------------------------------ */

typedef struct BenchMotion {
    const MotionKernels *k;
    Taps t;
    unsigned w, bpc;
    SplitRow y;
    int hrow;
} BenchMotion;

static void bench_call(void *ctx)
{
    BenchMotion *b = ctx;
    if (b->hrow) b->k->hrow(&b->y.r, b->w);
    else call_vrow(b->k, &b->t, b->w, b->bpc, &b->y.r);
}

static void bench(const MotionKernels *lv)
{
    static const unsigned rows[][2] = { { 576, 8 }, { 1920, 8 }, { 576, 10 } };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        BenchMotion b = { .w = rows[i][0], .bpc = rows[i][1] };
        taps_fill(&b.t, b.w, b.bpc, FILL_SMOOTH);
        b.y = split_new(b.w);
        call_vrow(&lv[0], &b.t, b.w, b.bpc, &b.y.r);
        char name[40], what[32];
        snprintf(what, sizeof what, "row w=%u", b.w);
        for (b.hrow = 0; b.hrow < 2; b.hrow++) {
            snprintf(name, sizeof name, b.hrow ? "motion_hrow" : "motion_vrow %u-bit", b.bpc);
            for (int l = 0; l < checkasm_level_count(); l++) {
                b.k = &lv[l];
                checkasm_bench_report(name, what, checkasm_level(l), checkasm_time(bench_call, &b));
            }
        }
        free(b.y.mem);
        taps_free(&b.t);
    }
    static const unsigned frames[][3] = { { 576, 324, 8 }, { 576, 324, 10 }, { 1920, 1080, 8 } };
    for (size_t i = 0; i < sizeof frames / sizeof frames[0]; i++) {
        char what[32];
        snprintf(what, sizeof what, "frame %ux%u %u-bit", frames[i][0], frames[i][1], frames[i][2]);
        for (int l = 0; l < checkasm_level_count(); l++)
            checkasm_bench_report("motion (extractor)", what, checkasm_level(l),
                                  checkasm_time_feature("motion", NULL, checkasm_level(l), frames[i][0],
                                                        frames[i][1], frames[i][2]));
    }
}

void checkasm_check_motion(void)
{
    MotionKernels lv[CHECKASM_MAX_LEVELS];
    for (int l = 0; l < checkasm_level_count(); l++) motion_kernels_init(&lv[l], checkasm_level(l));
    static const unsigned depths[] = { 8, 10, 12, 14, 15, 16 };
    const int rounds = checkasm_quick() ? 1 : 3;
    for (size_t w = 0; w < sizeof widths / sizeof widths[0]; w++)
        for (int m = 0; m < FILL_COUNT; m++)
            for (int r = 0; r < rounds; r++) {
                for (size_t d = 0; d < sizeof depths / sizeof depths[0]; d++)
                    check_vrow(lv, widths[w], depths[d], (enum CheckasmFill)m);
                check_hrow(lv, widths[w], (enum CheckasmFill)m);
            }
    checkasm_check_feature("motion", "debug=true");
    if (checkasm_bench()) bench(lv);
}
