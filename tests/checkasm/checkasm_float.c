/* checkasm: float kernels (engine/feature/float_kernels.h) — the vertical and horizontal
 * passes of the separable filters, VIF's per-pixel information terms, ADM's DWT passes,
 * decoupling and masking rows — on rows of awkward
 * widths and every filter length the float extractors use, compared bit for bit; and the
 * float extractors whole through the public API. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checkasm.h"
#include "engine/feature/float_kernels.h"

#define PAD 40 /* readable elements on both sides of a horizontal-pass input */

static const unsigned widths[] = { 1, 2, 3, 7, 8, 9, 15, 16, 17, 31, 33, 63, 65, 100, 576, 961 };
static const int tap_counts[] = { 3, 5, 9, 17, 33, 65 };

/* Luma-like samples (offset by -128, or 8-bit-scale high depths) for a fill pattern. */
static void fill_row(float *p, unsigned n, enum CheckasmFill mode)
{
    float level = 0;
    for (unsigned j = 0; j < n; j++) {
        switch (mode) {
        case FILL_RANDOM: p[j] = (float)checkasm_rand_below(4096) / 16.0f - 128.0f; break;
        case FILL_ZERO: p[j] = 0.0f; break;
        case FILL_MAX: p[j] = 127.0f; break;
        case FILL_EXTREME: p[j] = checkasm_rand() & 1 ? 127.0f : -128.0f; break;
        default:
            if (checkasm_rand_below(16) == 0) level = (float)checkasm_rand_below(256) - 128.0f;
            p[j] = level + (float)checkasm_rand_below(5) - 2.0f;
        }
    }
}

static void gaussian_like(float *f, int taps)
{
    float sum = 0;
    for (int k = 0; k < taps; k++) {
        const float x = (float)(k - taps / 2) / (taps / 5.0f + 0.5f);
        f[k] = expf(-0.5f * x * x);
        sum += f[k];
    }
    for (int k = 0; k < taps; k++) f[k] /= sum;
}

static int same(const float *a, const float *b, unsigned n, unsigned *at)
{
    for (*at = 0; *at < n; (*at)++)
        if (memcmp(&a[*at], &b[*at], sizeof(float))) return 0;
    return 1;
}

static void check_vert(const FloatKernels *lv, unsigned w, int taps, enum CheckasmFill mode)
{
    float f[FLOAT_MAX_TAPS], *x[FLOAT_MAX_TAPS], *y[FLOAT_MAX_TAPS];
    gaussian_like(f, taps);
    for (int k = 0; k < taps; k++) {
        x[k] = malloc(w * sizeof(float));
        y[k] = malloc(w * sizeof(float));
        fill_row(x[k], w, mode);
        fill_row(y[k], w, (enum CheckasmFill)checkasm_rand_below(FILL_COUNT));
    }
    float *want[6], *got[6];
    for (int q = 0; q < 6; q++) {
        want[q] = malloc(w * sizeof(float));
        got[q] = malloc(w * sizeof(float));
    }
    const float *const *cx = (const float *const *)x, *const *cy = (const float *const *)y;
    lv[0].vert(f, taps, cx, w, want[5]);
    lv[0].vert5(f, taps, cx, cy, w, want);
    for (int l = 1; l < checkasm_level_count(); l++) {
        unsigned at;
        lv[l].vert(f, taps, cx, w, got[5]);
        const int ok = same(got[5], want[5], w, &at);
        checkasm_check(ok, "float_vert", checkasm_level(l), "w=%u taps=%d %s: first difference at %u", w,
                       taps, checkasm_fill_name(mode), at);
        lv[l].vert5(f, taps, cx, cy, w, got);
        for (int q = 0; q < 5; q++) {
            const int ok5 = same(got[q], want[q], w, &at);
            checkasm_check(ok5, "float_vert5", checkasm_level(l), "w=%u taps=%d %s: output %d differs at %u",
                           w, taps, checkasm_fill_name(mode), q, at);
        }
    }
    for (int q = 0; q < 6; q++) {
        free(want[q]);
        free(got[q]);
    }
    for (int k = 0; k < taps; k++) {
        free(x[k]);
        free(y[k]);
    }
}

static void check_horz(const FloatKernels *lv, unsigned w, int taps, enum CheckasmFill mode)
{
    float f[FLOAT_MAX_TAPS];
    gaussian_like(f, taps);
    float *mem = malloc((w + 2 * PAD) * sizeof(float)), *in = mem + PAD;
    fill_row(mem, w + 2 * PAD, mode);
    float *want = malloc(w * sizeof(float)), *got = malloc(w * sizeof(float));
    lv[0].horz(f, taps, in, w, want);
    for (int l = 1; l < checkasm_level_count(); l++) {
        unsigned at;
        lv[l].horz(f, taps, in, w, got);
        const int ok = same(got, want, w, &at);
        checkasm_check(ok, "float_horz", checkasm_level(l), "w=%u taps=%d %s: first difference at %u", w,
                       taps, checkasm_fill_name(mode), at);
    }
    free(mem);
    free(want);
    free(got);
}

/* Filtered moments as the filters make them: variances near 0 (both signs, as float
 * cancellation leaves them), flat areas, anti-correlated and unrelated pairs. */
static void fill_moments(float *m[5], unsigned w, enum CheckasmFill mode)
{
    for (unsigned j = 0; j < w; j++) {
        const float mu1 = (float)checkasm_rand_below(256) - 128.0f;
        float mu2 = mode == FILL_ZERO ? mu1 : (float)checkasm_rand_below(256) - 128.0f;
        float v1, v2, c;
        switch (mode) {
        case FILL_ZERO: v1 = v2 = c = 0.0f; break;
        case FILL_EXTREME:
            v1 = (float)checkasm_rand_below(3) - 1.0f;
            v2 = (float)checkasm_rand_below(3) - 1.0f;
            c = (float)checkasm_rand_below(3) - 1.0f;
            break;
        default:
            v1 = (float)checkasm_rand_below(2000) / 4.0f;
            v2 = (float)checkasm_rand_below(2000) / 4.0f;
            c = ((float)checkasm_rand_below(2001) - 1000.0f) / 4.0f;
            if (mode == FILL_MAX) mu2 = mu1;
        }
        m[0][j] = mu1;
        m[1][j] = mu2;
        m[2][j] = mu1 * mu1 + v1;
        m[3][j] = mu2 * mu2 + v2;
        m[4][j] = mu1 * mu2 + c;
    }
}

static void check_vif_terms(const FloatKernels *lv, unsigned w, enum CheckasmFill mode,
                            const FloatVifParams *p)
{
    float *m[5], *wn = malloc(w * 4), *wd = malloc(w * 4), *gn = malloc(w * 4), *gd = malloc(w * 4);
    for (int q = 0; q < 5; q++) m[q] = malloc(w * sizeof(float));
    fill_moments(m, w, mode);
    const float *const *cm = (const float *const *)m;
    lv[0].vif_terms(cm, w, p, wn, wd);
    for (int l = 1; l < checkasm_level_count(); l++) {
        unsigned at, at2;
        lv[l].vif_terms(cm, w, p, gn, gd);
        const int ok_n = same(gn, wn, w, &at), ok_d = same(gd, wd, w, &at2);
        checkasm_check(ok_n && ok_d, "float_vif_terms", checkasm_level(l),
                       "w=%u %s nsq=%g egl=%g: num differs at %u, den at %u", w, checkasm_fill_name(mode),
                       p->sigma_nsq, p->gain_limit, at, at2);
    }
    for (int q = 0; q < 5; q++) free(m[q]);
    free(wn);
    free(wd);
    free(gn);
    free(gd);
}

static FloatVifParams vif_params(double nsq, float egl)
{
    float up = (float)nsq;
    if ((double)up < nsq) up = nextafterf(up, INFINITY);
    return (FloatVifParams){ .sigma_nsq_up = up,
                             .sigma_nsq = nsq,
                             .sigma_max_inv = (float)(powf((float)nsq, 2.0f) / (255.0 * 255.0)),
                             .gain_limit = egl };
}

/* ---- ADM kernels ---- */

/* Wavelet-band-like values: mostly small, some large, both signs. */
static void fill_band(float *p, size_t n, enum CheckasmFill mode)
{
    for (size_t j = 0; j < n; j++) {
        switch (mode) {
        case FILL_ZERO: p[j] = 0.0f; break;
        case FILL_MAX: p[j] = 500.0f; break;
        case FILL_EXTREME: p[j] = (float)checkasm_rand_below(3) * 500.0f - 500.0f; break;
        default: p[j] = ((float)checkasm_rand_below(20001) - 10000.0f) / 100.0f;
        }
    }
}

static void check_dwt(const FloatKernels *lv, unsigned w, enum CheckasmFill mode)
{
    static const float lo[4] = { 0.482962913144690, 0.836516303737469, 0.224143868041857,
                                 -0.129409522550921 };
    static const float hi[4] = { -0.129409522550921, -0.224143868041857, 0.836516303737469,
                                 -0.482962913144690 };
    float *rows[4], *wl = malloc(w * 4), *wh = malloc(w * 4), *gl = malloc(w * 4), *gh = malloc(w * 4);
    for (int k = 0; k < 4; k++) {
        rows[k] = malloc(w * sizeof(float));
        fill_row(rows[k], w, mode);
    }
    const float *const *r = (const float *const *)rows;
    lv[0].dwt_vert(r, w, lo, hi, wl, wh);
    const unsigned half = w / 2 + 1;
    float *ev = rows[0], *od = rows[1]; /* any rows serve as split inputs */
    float *hw = malloc(half * 4), *hg = malloc(half * 4);
    const unsigned j1 = w / 2 > 1 ? w / 2 - 1 : 1;
    lv[0].dwt_horz(hi, ev, od, 1, j1, hw);
    for (int l = 1; l < checkasm_level_count(); l++) {
        unsigned at = 0, at2 = 0;
        lv[l].dwt_vert(r, w, lo, hi, gl, gh);
        const int ok = same(gl, wl, w, &at) && same(gh, wh, w, &at2);
        checkasm_check(ok, "float_dwt_vert", checkasm_level(l), "w=%u %s: differs at %u/%u", w,
                       checkasm_fill_name(mode), at, at2);
        lv[l].dwt_horz(hi, ev, od, 1, j1, hg);
        const int okh = j1 <= 1 || same(hg + 1, hw + 1, j1 - 1, &at);
        checkasm_check(okh, "float_dwt_horz", checkasm_level(l), "w=%u %s: differs at %u", w,
                       checkasm_fill_name(mode), at + 1);
    }
    for (int k = 0; k < 4; k++) free(rows[k]);
    free(wl);
    free(wh);
    free(gl);
    free(gh);
    free(hw);
    free(hg);
}

static void check_decouple(const FloatKernels *lv, unsigned n, enum CheckasmFill mode, double egl)
{
    float *mem = malloc(30 * (size_t)n * sizeof(float));
    float *ref[3], *dis[3], *r[2][3], *a[2][3];
    for (int b = 0; b < 3; b++) {
        ref[b] = mem + b * n;
        dis[b] = mem + (3 + b) * n;
        for (int v = 0; v < 2; v++) {
            r[v][b] = mem + (6 + 6 * v + b) * n;
            a[v][b] = mem + (9 + 6 * v + b) * n;
        }
        fill_band(ref[b], n, mode);
    }
    /* distorted: scaled copies (within 1 degree: the gain-limit branch), rotated or unrelated */
    for (unsigned j = 0; j < n; j++) {
        const unsigned kind = checkasm_rand_below(3);
        const float g = (float)checkasm_rand_below(300) / 100.0f - 0.5f;
        for (int b = 0; b < 3; b++)
            dis[b][j] = kind == 0   ? ref[b][j] * g
                        : kind == 1 ? ref[(b + 1) % 3][j]
                                    : ((float)checkasm_rand_below(2001) - 1000.0f) / 10.0f;
    }
    const float *const *cr = (const float *const *)ref, *const *cd = (const float *const *)dis;
    lv[0].decouple(cr, cd, r[0], a[0], n, egl);
    for (int l = 1; l < checkasm_level_count(); l++) {
        lv[l].decouple(cr, cd, r[1], a[1], n, egl);
        int ok = 1;
        unsigned at = 0;
        for (int b = 0; b < 3 && ok; b++)
            ok = same(r[1][b], r[0][b], n, &at) && same(a[1][b], a[0][b], n, &at);
        checkasm_check(ok, "float_decouple", checkasm_level(l), "n=%u %s egl=%g: differs at %u", n,
                       checkasm_fill_name(mode), egl, at);
    }
    free(mem);
}

static void check_cm_row(const FloatKernels *lv, unsigned w, enum CheckasmFill mode)
{
    if (w < 3) return;
    float *mem = malloc(21 * (size_t)w * sizeof(float));
    const float *fl[3][3], *an[3], *src[3];
    float *x[2][3];
    for (int t = 0; t < 3; t++) {
        for (int y = 0; y < 3; y++) {
            float *p = mem + (3 * t + y) * w;
            fill_band(p, w, mode);
            for (unsigned j = 0; j < w; j++) p[j] = fabsf(p[j]) / 30.0f;
            fl[t][y] = p;
        }
        float *pa = mem + (9 + t) * w, *ps = mem + (12 + t) * w;
        fill_band(pa, w, mode);
        fill_band(ps, w, (enum CheckasmFill)checkasm_rand_below(FILL_COUNT));
        an[t] = pa;
        src[t] = ps;
        x[0][t] = mem + (15 + t) * w;
        x[1][t] = mem + (18 + t) * w;
    }
    const float rf[3] = { 0.10f, 0.10f, 0.06f };
    lv[0].cm_row(fl, an, src, rf, 1, w - 1, x[0]);
    for (int l = 1; l < checkasm_level_count(); l++) {
        lv[l].cm_row(fl, an, src, rf, 1, w - 1, x[1]);
        int ok = 1;
        unsigned at = 0;
        for (int t = 0; t < 3 && ok; t++) ok = same(x[1][t] + 1, x[0][t] + 1, w - 2, &at);
        checkasm_check(ok, "float_cm_row", checkasm_level(l), "w=%u %s: differs at %u", w,
                       checkasm_fill_name(mode), at + 1);
    }
    free(mem);
}

/* ---- benchmarks ---- */

static void bench(void)
{
    static const unsigned frames[][3] = { { 576, 324, 8 }, { 1920, 1080, 8 } };
    static const char *const features[] = { "float_vif", "float_adm", "float_motion" };
    for (size_t i = 0; i < sizeof frames / sizeof frames[0]; i++)
        for (size_t f = 0; f < sizeof features / sizeof features[0]; f++) {
            char what[32], name[40];
            snprintf(what, sizeof what, "frame %ux%u %u-bit", frames[i][0], frames[i][1], frames[i][2]);
            snprintf(name, sizeof name, "%s (extractor)", features[f]);
            for (int l = 0; l < checkasm_level_count(); l++)
                checkasm_bench_report(name, what, checkasm_level(l),
                                      checkasm_time_feature(features[f], NULL, checkasm_level(l),
                                                            frames[i][0], frames[i][1], frames[i][2]));
        }
}

void checkasm_check_float(void)
{
    FloatKernels lv[CHECKASM_MAX_LEVELS];
    for (int l = 0; l < checkasm_level_count(); l++) float_kernels_init(&lv[l], checkasm_level(l));
    const FloatVifParams params[] = { vif_params(2.0, 100.0f), vif_params(2.0, 1.0f), vif_params(0.1, 1.2f),
                                      vif_params(0.0, 100.0f) };
    const int rounds = checkasm_quick() ? 1 : 2;
    for (size_t w = 0; w < sizeof widths / sizeof widths[0]; w++)
        for (int m = 0; m < FILL_COUNT; m++)
            for (int r = 0; r < rounds; r++) {
                for (size_t t = 0; t < sizeof tap_counts / sizeof tap_counts[0]; t++) {
                    check_vert(lv, widths[w], tap_counts[t], (enum CheckasmFill)m);
                    check_horz(lv, widths[w], tap_counts[t], (enum CheckasmFill)m);
                }
                for (size_t p = 0; p < sizeof params / sizeof params[0]; p++)
                    check_vif_terms(lv, widths[w], (enum CheckasmFill)m, &params[p]);
                check_dwt(lv, widths[w], (enum CheckasmFill)m);
                check_cm_row(lv, widths[w], (enum CheckasmFill)m);
                check_decouple(lv, widths[w], (enum CheckasmFill)m, 100.0);
                check_decouple(lv, widths[w], (enum CheckasmFill)m, 1.0);
                check_decouple(lv, widths[w], (enum CheckasmFill)m, 1.2);
            }
    checkasm_check_feature("float_vif", "debug=true");
    checkasm_check_feature("float_vif", "vif_enhn_gain_limit=1.0:vif_kernelscale=0.5");
    checkasm_check_feature("float_adm", "debug=true");
    checkasm_check_feature("float_adm", "adm_enhn_gain_limit=1.2:adm_p_norm=2.5:adm_csf_mode=2");
    checkasm_check_feature("float_motion", NULL);
    if (checkasm_bench()) bench();
}
