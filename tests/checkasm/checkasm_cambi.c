/* checkasm: CAMBI kernels (engine/feature/cambi_kernels.h) — flat-pixel rows, the 7x7 box
 * count, the mode filter, decimation, the sliding window histogram and the c-values — on
 * rows of awkward widths with random, extreme and banded (few distinct values) samples, every
 * output compared with guard elements around it; and the whole extractor through the public
 * API (no-reference and full-reference). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checkasm.h"
#include "engine/feature/cambi.h"

#define GUARD 64 /* elements checked on both sides of every output row */

static const int widths[] = { 1,  2,  3,  4,  7,  8,   9,   15,  16,  17,  31, 32,
                              33, 47, 63, 64, 65, 100, 127, 129, 216, 576, 961 };

enum { BANDED = FILL_COUNT, N_MODES }; /* values from a handful: equal neighbours, ties */

static const char *mode_name(int m)
{
    return m == BANDED ? "banded" : checkasm_fill_name((enum CheckasmFill)m);
}

/* n samples of bit depth bpc in a given pattern. */
static void fill(uint16_t *p, size_t n, unsigned bpc, int mode)
{
    if (mode != BANDED) {
        checkasm_fill16(p, n, bpc, (enum CheckasmFill)mode);
        return;
    }
    uint16_t v = (uint16_t)checkasm_rand_below(1u << bpc);
    const unsigned run = checkasm_rand() & 1 ? 6 : 40; /* short runs, or whole vectors */
    for (size_t i = 0; i < n; i++) {
        if (checkasm_rand_below(run) == 0) v = (uint16_t)((v + checkasm_rand_below(5)) & ((1u << bpc) - 1));
        p[i] = v;
    }
}

/* A row of w elements with GUARD elements on both sides, all set to a marker. */
typedef struct Row {
    uint16_t *mem, *p;
    size_t n;
} Row;

static Row row_new(int w)
{
    Row r = { .n = (size_t)(w > 0 ? w : 0) + 2 * GUARD };
    r.mem = malloc(r.n * sizeof(uint16_t));
    for (size_t i = 0; i < r.n; i++) r.mem[i] = 0x5a5a;
    r.p = r.mem + GUARD;
    return r;
}

static long first_diff16(const uint16_t *a, const uint16_t *b, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (a[i] != b[i]) return (long)i;
    return -1;
}

static void report16(const Row *want, const Row *got, const char *kernel, enum VmafxCpu level, int w,
                     int mode)
{
    long d = first_diff16(want->mem, got->mem, want->n);
    checkasm_check(d < 0, kernel, level, "w=%d %s: first difference at %ld (%u, scalar %u)", w,
                   mode_name(mode), d - GUARD, d < 0 ? 0 : got->mem[d], d < 0 ? 0 : want->mem[d]);
}

/* ---- row kernels ----------------------------------------------------------------------- */

static void check_flat(const CambiKernels *lv, int w, int mode)
{
    Row row = row_new(w + 1), below = row_new(w);
    fill(row.p, (size_t)w + 1, 10, mode);
    fill(below.p, (size_t)w, 10, mode);
    for (int i = 0; i < w; i++)
        if (checkasm_rand_below(3) == 0) below.p[i] = row.p[i];
    for (int last = 0; last < 2; last++) {
        Row want = row_new(w);
        lv[0].flat_row(row.p, last ? NULL : below.p, want.p, w);
        for (int l = 1; l < checkasm_level_count(); l++) {
            Row got = row_new(w);
            lv[l].flat_row(row.p, last ? NULL : below.p, got.p, w);
            report16(&want, &got, last ? "cambi_flat_row (last row)" : "cambi_flat_row", checkasm_level(l), w,
                     mode);
            free(got.mem);
        }
        free(want.mem);
    }
    free(row.mem);
    free(below.mem);
}

static void check_box(const CambiKernels *lv, int w, int mode)
{
    Row colsum = row_new(w + 2 * CAMBI_MASK_HALF), add = row_new(w), sub = row_new(w);
    for (int i = 0; i < w; i++) {
        /* column counts of 7 rows: 0..7 (all 7 at the extreme) */
        colsum.p[i + CAMBI_MASK_HALF] = (uint16_t)(mode == FILL_MAX    ? 7
                                                   : mode == FILL_ZERO ? 0
                                                                       : checkasm_rand_below(8));
        add.p[i] = (uint16_t)checkasm_rand_below(2);
        sub.p[i] = (uint16_t)checkasm_rand_below(2);
    }
    for (int k = 0; k < CAMBI_MASK_HALF; k++) colsum.p[k] = colsum.p[w + CAMBI_MASK_HALF + k] = 0;
    Row want = row_new(w + 2 * CAMBI_MASK_HALF);
    memcpy(want.mem, colsum.mem, want.n * sizeof(uint16_t));
    lv[0].box_update(want.p + CAMBI_MASK_HALF, add.p, sub.p, w);
    const int thr = 7 + (int)checkasm_rand_below(24);
    Row mask_want = row_new(w);
    lv[0].mask_row(colsum.p + CAMBI_MASK_HALF, mask_want.p, w, thr);
    for (int l = 1; l < checkasm_level_count(); l++) {
        Row got = row_new(w + 2 * CAMBI_MASK_HALF), mask_got = row_new(w);
        memcpy(got.mem, colsum.mem, got.n * sizeof(uint16_t));
        lv[l].box_update(got.p + CAMBI_MASK_HALF, add.p, sub.p, w);
        report16(&want, &got, "cambi_box_update", checkasm_level(l), w, mode);
        lv[l].mask_row(colsum.p + CAMBI_MASK_HALF, mask_got.p, w, thr);
        report16(&mask_want, &mask_got, "cambi_mask_row", checkasm_level(l), w, mode);
        free(got.mem);
        free(mask_got.mem);
    }
    free(want.mem);
    free(mask_want.mem);
    free(colsum.mem);
    free(add.mem);
    free(sub.mem);
}

static void check_mode(const CambiKernels *lv, int w, int mode)
{
    const unsigned bpc = checkasm_rand() & 1 ? 16 : 10; /* mode3 compares unsigned 16 bits */
    Row a = row_new(w), b = row_new(w), c = row_new(w);
    fill(a.p, (size_t)w, bpc, mode);
    fill(b.p, (size_t)w, bpc, mode);
    fill(c.p, (size_t)w, bpc, mode);
    for (int i = 0; i < w; i++) {
        unsigned t = checkasm_rand_below(4);
        if (t == 1) b.p[i] = a.p[i];
        if (t == 2) c.p[i] = a.p[i];
        if (t == 3) c.p[i] = b.p[i];
    }
    Row hw = row_new(w), vw = row_new(w);
    lv[0].mode_h(a.p, hw.p, w);
    lv[0].mode_v(a.p, b.p, c.p, vw.p, w);
    for (int l = 1; l < checkasm_level_count(); l++) {
        Row hg = row_new(w), vg = row_new(w);
        lv[l].mode_h(a.p, hg.p, w);
        lv[l].mode_v(a.p, b.p, c.p, vg.p, w);
        report16(&hw, &hg, "cambi_mode_h", checkasm_level(l), w, mode);
        report16(&vw, &vg, "cambi_mode_v", checkasm_level(l), w, mode);
        free(hg.mem);
        free(vg.mem);
    }
    free(hw.mem);
    free(vw.mem);
    free(a.mem);
    free(b.mem);
    free(c.mem);
}

/* Out of place, and in place (dst == src, as the extractor's first row). */
static void check_decimate(const CambiKernels *lv, int w, int mode)
{
    Row src = row_new(2 * w);
    fill(src.p, 2 * (size_t)w, 16, mode);
    Row want = row_new(w), want_in = row_new(2 * w);
    lv[0].decimate_row(src.p, want.p, w);
    memcpy(want_in.mem, src.mem, src.n * sizeof(uint16_t));
    lv[0].decimate_row(want_in.p, want_in.p, w);
    for (int l = 1; l < checkasm_level_count(); l++) {
        Row got = row_new(w), got_in = row_new(2 * w);
        lv[l].decimate_row(src.p, got.p, w);
        memcpy(got_in.mem, src.mem, src.n * sizeof(uint16_t));
        lv[l].decimate_row(got_in.p, got_in.p, w);
        report16(&want, &got, "cambi_decimate_row", checkasm_level(l), w, mode);
        report16(&want_in, &got_in, "cambi_decimate_row (in place)", checkasm_level(l), w, mode);
        free(got.mem);
        free(got_in.mem);
    }
    free(want.mem);
    free(want_in.mem);
    free(src.mem);
}

/* ---- histogram and c-values ------------------------------------------------------------ */

/* Thresholds as the extractor makes them, for random options. */
static void random_params(CambiCParams *p, float *lut)
{
    const double vlt = checkasm_rand_below(3) ? 0.0 : checkasm_rand_below(3000) / 100.0;
    const double tvi = 0.001 + checkasm_rand_below(1000) / 10000.0;
    cambi_c_params(p, (int)checkasm_rand_below(6), tvi, vlt, (int)checkasm_rand_below(2), lut,
                   CAMBI_LUT_SIZE);
}

/* A picture row of values around the band, mask mostly set. */
static void band_row(uint16_t *img, uint16_t *mask, int w, const CambiCParams *p, int mode)
{
    fill(img, (size_t)w, 10, mode);
    if (mode == BANDED) { /* runs of one value, in and around the band */
        int v = p->base - 3 + (int)checkasm_rand_below((unsigned)p->size + 6);
        for (int i = 0; i < w; i++) {
            if (checkasm_rand_below(24) == 0)
                v = p->base - 3 + (int)checkasm_rand_below((unsigned)p->size + 6);
            img[i] = (uint16_t)(v < 0 ? 0 : v);
            mask[i] = checkasm_rand_below(9) != 0;
        }
        return;
    }
    for (int i = 0; i < w; i++) {
        if (mode != FILL_ZERO && mode != FILL_MAX && checkasm_rand_below(4))
            img[i] = (uint16_t)(p->base - 40 + (int)checkasm_rand_below((unsigned)p->size + 80));
        mask[i] = checkasm_rand_below(5) != 0;
    }
}

static size_t hist_elems(const CambiCParams *p, int w)
{
    return (size_t)(p->size + CAMBI_MAX_DIFFS + 1) * w + CAMBI_SLACK;
}

static void check_hist(const CambiKernels *lv, int w, int mode)
{
    CambiCParams p;
    static float lut[CAMBI_LUT_SIZE];
    random_params(&p, lut);
    static const int pads[] = { 1, 2, 3, 4, 7, 8, 16, 32 };
    const int pad = pads[checkasm_rand_below(8)];
    const size_t n = hist_elems(&p, w);
    uint16_t *start = malloc(n * sizeof(uint16_t)), *want = malloc(n * sizeof(uint16_t));
    uint16_t *got = malloc(n * sizeof(uint16_t));
    for (size_t i = 0; i < n; i++) start[i] = (uint16_t)checkasm_rand_below(200);
    Row img[2] = { row_new(w), row_new(w) }, mask[2] = { row_new(w), row_new(w) };
    for (int k = 0; k < 2; k++) band_row(img[k].p, mask[k].p, w, &p, mode);
    if (mode == BANDED) memcpy(img[1].p, img[0].p, (size_t)w * sizeof(uint16_t)); /* same values */
    for (int which = 0; which < 3; which++) { /* add and sub, add only, sub only */
        const uint16_t *a = which == 2 ? NULL : img[0].p, *am = which == 2 ? NULL : mask[0].p;
        const uint16_t *s = which == 1 ? NULL : img[1].p, *sm = which == 1 ? NULL : mask[1].p;
        memcpy(want, start, n * sizeof(uint16_t));
        lv[0].hist_slide(want, w, pad, p.base, p.size, a, am, s, sm);
        for (int l = 1; l < checkasm_level_count(); l++) {
            memcpy(got, start, n * sizeof(uint16_t));
            lv[l].hist_slide(got, w, pad, p.base, p.size, a, am, s, sm);
            long d = first_diff16(want, got, n);
            checkasm_check(d < 0, "cambi_hist_slide", checkasm_level(l),
                           "w=%d pad=%d %s rows %d: first difference at value row %ld col %ld", w, pad,
                           mode_name(mode), which, d / w, d % w);
        }
    }
    free(start);
    free(want);
    free(got);
    for (int k = 0; k < 2; k++) {
        free(img[k].mem);
        free(mask[k].mem);
    }
}

static void check_c_values(const CambiKernels *lv, int w, int mode)
{
    CambiCParams p;
    static float lut[CAMBI_LUT_SIZE];
    random_params(&p, lut);
    const size_t n = hist_elems(&p, w);
    uint16_t *hist = malloc(n * sizeof(uint16_t));
    /* counts of one window (at most 65 x 65 pixels in all): p0 + pmax stays in the table */
    for (size_t i = 0; i < n; i++)
        hist[i] = (uint16_t)(mode == FILL_MAX ? 2112 : mode == FILL_ZERO ? 0 : checkasm_rand_below(2113));
    Row img = row_new(w), mask = row_new(w);
    band_row(img.p, mask.p, w, &p, mode);
    float *want = malloc(((size_t)w + 2 * GUARD) * sizeof(float));
    float *got = malloc(((size_t)w + 2 * GUARD) * sizeof(float));
    memset(want, 0x5a, ((size_t)w + 2 * GUARD) * sizeof(float));
    lv[0].c_values_row(want + GUARD, hist, img.p, mask.p, w, &p);
    for (int l = 1; l < checkasm_level_count(); l++) {
        memset(got, 0x5a, ((size_t)w + 2 * GUARD) * sizeof(float));
        lv[l].c_values_row(got + GUARD, hist, img.p, mask.p, w, &p);
        long d = -1;
        for (size_t i = 0; i < (size_t)w + 2 * GUARD && d < 0; i++)
            if (memcmp(&want[i], &got[i], sizeof(float))) d = (long)i;
        checkasm_check(d < 0, "cambi_c_values_row", checkasm_level(l),
                       "w=%d %s diffs=%d: first difference at %ld (%g, scalar %g)", w, mode_name(mode),
                       p.num_diffs, d - GUARD, d < 0 ? 0 : got[d], d < 0 ? 0 : want[d]);
    }
    free(want);
    free(got);
    free(hist);
    free(img.mem);
    free(mask.mem);
}

/* ---- pooling --------------------------------------------------------------------------- */

/* n c-value-like floats: mostly zeros or few distinct values (ties), c-value sized quotients,
 * a wide range of magnitudes (sums that round: the quick-select fallback), or (never
 * c-values) negative values and -0 */
static void fill_c(float *c, int n, int kind)
{
    for (int i = 0; i < n; i++) {
        const uint32_t r = checkasm_rand();
        const float q = (float)(1 + r % 4) * (float)(1 + (r >> 2) % 900) * (float)(1 + (r >> 12) % 60) /
                        (float)(3 + (r >> 18) % 2000);
        switch (kind) {
        case 0: c[i] = r % 8 ? 0.0f : q; break;       /* mostly zeros */
        case 1: c[i] = (float)(r % 5) * 0.75f; break; /* ties */
        case 2: c[i] = r % 3 ? q : 0.0f; break;
        case 3: c[i] = ldexpf((float)(r & 0xffffff), (int)((r >> 24) % 60) - 90); break; /* wide */
        case 4: c[i] = (float)(r >> 8) * 1e6f; break;                                    /* large */
        default: c[i] = r % 7 ? q : r % 5 ? 0.0f : r % 3 ? -q : -0.0f;                   /* signs */
        }
    }
}

static void check_pool(int n, int kind)
{
    static const double topks[] = { 0.6, 0.0001, 0.05, 0.5, 0.999, 1.0 };
    float *c = malloc((size_t)n * sizeof(float)), *d = malloc((size_t)n * sizeof(float));
    fill_c(c, n, kind);
    for (size_t t = 0; t < sizeof topks / sizeof topks[0]; t++) {
        memcpy(d, c, (size_t)n * sizeof(float));
        const double want = cambi_top_k_mean_select(d, topks[t], n);
        memcpy(d, c, (size_t)n * sizeof(float));
        CambiPoolScan scan;
        cambi_pool_reset(&scan);
        for (int i = 0, piece = 1 + (int)checkasm_rand_below(700); i < n; i += piece)
            cambi_pool_scan(&scan, d + i, n - i < piece ? n - i : piece);
        const double got = cambi_top_k_mean(d, topks[t], n, &scan);
        checkasm_check(!memcmp(&want, &got, sizeof want), "cambi_top_k_mean", VMAFX_CPU_SCALAR,
                       "n=%d kind=%d topk=%g: %.17g, quick-select %.17g", n, kind, topks[t], got, want);
    }
    free(c);
    free(d);
}

/* ---- benchmarks ------------------------------------------------------------------------ */

static void bench(void)
{
    static const unsigned frames[][3] = { { 576, 324, 8 }, { 576, 324, 10 }, { 1920, 1080, 8 } };
    for (size_t i = 0; i < sizeof frames / sizeof frames[0]; i++) {
        char what[32];
        snprintf(what, sizeof what, "frame %ux%u %u-bit", frames[i][0], frames[i][1], frames[i][2]);
        for (int l = 0; l < checkasm_level_count(); l++)
            checkasm_bench_report("cambi (extractor)", what, checkasm_level(l),
                                  checkasm_time_feature("cambi", NULL, checkasm_level(l), frames[i][0],
                                                        frames[i][1], frames[i][2]));
    }
}

void checkasm_check_cambi(void)
{
    CambiKernels lv[CHECKASM_MAX_LEVELS];
    for (int l = 0; l < checkasm_level_count(); l++) cambi_kernels_init(&lv[l], checkasm_level(l));
    const int rounds = checkasm_quick() ? 1 : 3;
    for (size_t i = 0; i < sizeof widths / sizeof widths[0]; i++)
        for (int m = 0; m < N_MODES; m++)
            for (int r = 0; r < rounds; r++) {
                const int w = widths[i];
                check_flat(lv, w, m);
                check_box(lv, w, m);
                check_mode(lv, w, m);
                check_decimate(lv, w, m);
                check_hist(lv, w, m);
                check_c_values(lv, w, m);
            }
    static const int pool_sizes[] = { 1, 2, 3, 7, 8, 9, 100, 4097, 46656, 186624 };
    for (size_t i = 0; i < sizeof pool_sizes / sizeof pool_sizes[0]; i++)
        for (int kind = 0; kind < 6; kind++)
            for (int r = 0; r < rounds; r++) check_pool(pool_sizes[i], kind);
    checkasm_check_feature("cambi", NULL);
    checkasm_check_feature("cambi", "full_ref=true:max_log_contrast=4:cambi_vis_lum_threshold=1");
    if (checkasm_bench()) bench();
}
