/* checkasm: integer ADM kernels (engine/feature/adm_kernels.h) — DWT rows of every level and
 * bit depth, decoupling, CSF, contrast masking and denominator rows — on rows of awkward
 * widths filled with random, flat and extreme values (the SIMD kernels must also agree where
 * the definition wraps), and the whole extractor through the public API. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checkasm.h"
#include "engine/feature/adm_kernels.h"

#define PAD 32     /* spare elements on both sides of every row; must stay untouched */
#define GUARD 0x5a /* byte pattern of the spare elements and of unwritten outputs */

static const int widths[] = { 1,  2,  3,  4,  5,  7,  8,   9,   15,  16,  17, 31,
                              32, 33, 47, 63, 64, 65, 100, 127, 129, 288, 961 };

static int32_t *div_tab;

/* ---- rows ------------------------------------------------------------------------------ */

/* A row of n elements of `size` bytes with PAD guard elements on both sides. */
typedef struct Row {
    uint8_t *mem;
    size_t size, n;
} Row;

static Row row_new(size_t n, size_t size)
{
    Row r = { malloc((n + 2 * PAD) * size), size, n };
    memset(r.mem, GUARD, (n + 2 * PAD) * size);
    return r;
}

static void *row_at(const Row *r)
{
    return r->mem + PAD * r->size;
}
static void row_free(Row *r)
{
    free(r->mem);
}
static int row_equal(const Row *a, const Row *b)
{
    return memcmp(a->mem, b->mem, (a->n + 2 * PAD) * a->size) == 0;
}

/* First differing element (PAD-relative index; negative or >= n: outside the row). */
static long row_diff(const Row *a, const Row *b)
{
    for (size_t i = 0; i < a->n + 2 * PAD; i++)
        if (memcmp(a->mem + i * a->size, b->mem + i * a->size, a->size)) return (long)i - PAD;
    return 0;
}

/* Band values: the fill patterns over the signed range, plus "small" (what natural pictures
 * give) so that the decoupling and masking take their data-dependent paths. */
enum { VAL_FILLS = FILL_COUNT, VAL_SMALL = FILL_COUNT, VAL_MODES };
/* The decoupling's edges, outside the modes every kernel is checked with: runs of zeros and
 * runs of values at the bounds where its AVX2 steps change arithmetic (|v| around 2^26, tiny
 * o against large t, INT32_MIN). */
enum { VAL_EDGE = VAL_MODES };

static const char *val_name(int mode)
{
    if (mode == VAL_EDGE) return "edge";
    return mode == VAL_SMALL ? "small" : checkasm_fill_name((enum CheckasmFill)mode);
}

static int64_t edge_value(int bits, int64_t *state)
{
    if (checkasm_rand_below(24) == 0) *state = !*state; /* runs of zeros, runs of edges */
    if (!*state) return 0;
    const int64_t top = (int64_t)1 << (bits - 1);
    static const int64_t mag[] = {
        1, 2, 3, 255, 1 << 15, (1 << 25) + 12345, (1 << 26) - 1, 1 << 26, (1 << 26) + 1, 1 << 30
    };
    const uint32_t r = checkasm_rand_below(14);
    int64_t v = r < 10 ? mag[r] : r < 13 ? (int64_t)checkasm_rand_below(1u << 26) : top;
    if (v >= top) v = top - 1 - (int64_t)checkasm_rand_below(4);
    if (r == 13 && checkasm_rand_below(2)) return -top; /* INT32_MIN (INT16_MIN) */
    return checkasm_rand_below(2) ? -v : v;
}

static int64_t value(int mode, int bits, int64_t *state)
{
    const int64_t max = ((int64_t)1 << (bits - 1)) - 1, min = -max - 1;
    if (mode == VAL_EDGE) return edge_value(bits, state);
    switch (mode) {
    case FILL_RANDOM:
        return min + (int64_t)(((uint64_t)checkasm_rand() << 32 | checkasm_rand()) >> (64 - bits));
    case FILL_ZERO: return 0;
    case FILL_MAX: return checkasm_rand() & 1 ? max : min;
    case FILL_EXTREME: {
        static const int64_t pick[4] = { 0, 1, -1, 0 };
        const uint32_t r = checkasm_rand_below(6);
        return r < 4 ? (r < 2 ? (r ? max : min) : pick[r]) : (r == 4 ? max - 1 : min + 1);
    }
    case FILL_SMOOTH:
        if (checkasm_rand_below(16) == 0) *state = (int64_t)checkasm_rand_below(1u << 12) - 2048;
        return *state + (int64_t)checkasm_rand_below(5) - 2;
    default: {
        const int64_t span = (int64_t)1 << (bits > 20 ? bits - 10 : bits - 6);
        return (int64_t)(checkasm_rand_below(
                   (uint32_t)(2 * span + 1 > 0xFFFFFFFFu ? 0xFFFFFFFFu : 2 * span + 1))) -
               span;
    }
    }
}

static void fill_values(Row *r, int mode, int bits)
{
    int64_t state = 0;
    for (long i = -PAD; i < (long)r->n + PAD; i++) {
        const int64_t v = value(mode, bits, &state);
        if (r->size == 2) ((int16_t *)row_at(r))[i] = (int16_t)v;
        else ((int32_t *)row_at(r))[i] = (int32_t)v;
    }
}

/* A distorted band row: mostly the reference scaled, shifted a little or kept, sometimes
 * unrelated, so that every decoupling case (k = 0, 0 < k < 1, k = 1, inside the cone) occurs. */
static void fill_distorted(Row *t, const Row *o, int mode, int bits)
{
    int64_t state = 0;
    const int64_t max = ((int64_t)1 << (bits - 1)) - 1, min = -max - 1;
    for (size_t i = 0; i < o->n; i++) {
        const int64_t ov = o->size == 2 ? ((int16_t *)row_at(o))[i] : ((int32_t *)row_at(o))[i];
        int64_t v;
        switch (checkasm_rand_below(8)) {
        case 0: v = value(mode, bits, &state); break;
        case 1: v = ov; break;
        case 2: v = -ov; break;
        case 3: v = ov / 2 + (int64_t)checkasm_rand_below(3) - 1; break;
        case 4: v = ov + ov / 4; break;
        case 5: v = ov * (int64_t)checkasm_rand_below(5) / 4; break;
        default: v = ov + (int64_t)checkasm_rand_below(9) - 4; break;
        }
        if (mode == VAL_EDGE && ov == 0 && checkasm_rand_below(8)) v = 0; /* whole steps of zeros */
        v = v < min ? min : v > max ? max : v;
        if (t->size == 2) ((int16_t *)row_at(t))[i] = (int16_t)v;
        else ((int32_t *)row_at(t))[i] = (int32_t)v;
    }
}

static double random_gain(void)
{
    switch (checkasm_rand_below(3)) {
    case 0: return 100.0;
    case 1: return 1.0;
    default: return 1.0 + checkasm_rand_below(99000) / 1000.0;
    }
}

/* CSF factors: libvmaf's defaults, or random ones of the same form. */
static void random_fix(uint16_t fix0[3], uint32_t fix32[3])
{
    const int dflt = checkasm_rand() & 1;
    fix0[0] = fix0[1] = dflt ? 36453 : (uint16_t)checkasm_rand();
    fix0[2] = dflt ? 49417 : (uint16_t)checkasm_rand();
    for (int b = 0; b < 3; b++)
        fix32[b] = dflt ? (b == 2 ? 61414028u : 137373792u) : checkasm_rand() >> 1; /* < 2^31 */
}

/* clang-format off */
#define FAIL_AT(name, lvl, w, mode, a, b)                                                     \
    checkasm_check(row_equal(a, b), name, lvl, "w=%d %s: first difference at %ld",           \
                   w, val_name(mode), row_diff(a, b))
/* clang-format on */

/* ---- DWT ------------------------------------------------------------------------------- */

static void check_dwt0_vert(const AdmKernels *lv, int w, unsigned bpc, int mode)
{
    Row src[4], lo[2], hi[2];
    const void *tap[4];
    for (int k = 0; k < 4; k++) {
        src[k] = row_new(w, bpc == 8 ? 1 : 2);
        if (bpc == 8) checkasm_fill8(row_at(&src[k]), w, (enum CheckasmFill)mode);
        else checkasm_fill16(row_at(&src[k]), w, bpc, (enum CheckasmFill)mode);
    }
    /* taps as at a picture edge (repeated rows) or four different rows */
    for (int k = 0; k < 4; k++)
        tap[k] = row_at(&src[checkasm_rand() & 1 ? (uint32_t)k : checkasm_rand_below(4)]);
    char name[48];
    snprintf(name, sizeof name, "adm_dwt0_vert %u-bit", bpc);
    for (int l = 0; l < checkasm_level_count(); l++) {
        const int s = l ? 1 : 0;
        lo[s] = row_new(w, 2);
        hi[s] = row_new(w, 2);
        if (bpc == 8) lv[l].dwt0_vert_8((const uint8_t *const *)tap, w, row_at(&lo[s]), row_at(&hi[s]));
        else lv[l].dwt0_vert_16((const uint16_t *const *)tap, w, (int)bpc, row_at(&lo[s]), row_at(&hi[s]));
        if (l) {
            if (FAIL_AT(name, checkasm_level(l), w, mode, &lo[1], &lo[0]))
                FAIL_AT(name, checkasm_level(l), w, mode, &hi[1], &hi[0]);
            row_free(&lo[1]);
            row_free(&hi[1]);
        }
    }
    row_free(&lo[0]);
    row_free(&hi[0]);
    for (int k = 0; k < 4; k++) row_free(&src[k]);
}

/* Horizontal passes: n input samples (the caller's padding of index -1, n, n+1 included in
 * the random row), m = (n + 1) / 2 outputs. */
static void check_dwt_horz(const AdmKernels *lv, int n, int wide, int mode)
{
    const int m = (n + 1) / 2, bits = wide ? 32 : 16;
    const size_t sz = wide ? 4 : 2;
    static const int64_t rounds[3] = { 16384, 32768, 16384 };
    static const int shifts[3] = { 15, 16, 15 };
    const int lvl = (int)checkasm_rand_below(3);
    Row lo = row_new(n, sz), hi = row_new(n, sz), out[2][4];
    fill_values(&lo, mode, bits);
    fill_values(&hi, mode, bits);
    const char *name = wide ? "adm_dwt_horz_32" : "adm_dwt0_horz";
    for (int l = 0; l < checkasm_level_count(); l++) {
        const int s = l ? 1 : 0;
        for (int b = 0; b < 4; b++) out[s][b] = row_new(m, sz);
        if (wide) {
            int32_t *const band[3] = { row_at(&out[s][1]), row_at(&out[s][2]), row_at(&out[s][3]) };
            lv[l].dwt_horz_32(row_at(&lo), row_at(&hi), m, rounds[lvl], shifts[lvl], row_at(&out[s][0]),
                              band);
        } else {
            int16_t *const band[3] = { row_at(&out[s][1]), row_at(&out[s][2]), row_at(&out[s][3]) };
            lv[l].dwt0_horz(row_at(&lo), row_at(&hi), m, row_at(&out[s][0]), band);
        }
        if (l) {
            for (int b = 0; b < 4; b++)
                if (!FAIL_AT(name, checkasm_level(l), n, mode, &out[1][b], &out[0][b])) break;
            for (int b = 0; b < 4; b++) row_free(&out[1][b]);
        }
    }
    for (int b = 0; b < 4; b++) row_free(&out[0][b]);
    row_free(&lo);
    row_free(&hi);
}

static void check_dwt1_vert(const AdmKernels *lv, int n, int mode)
{
    Row src[4], lo[2], hi[2];
    const int16_t *tap[4];
    for (int k = 0; k < 4; k++) {
        src[k] = row_new(n, 2);
        fill_values(&src[k], mode, 16);
    }
    for (int k = 0; k < 4; k++)
        tap[k] = row_at(&src[checkasm_rand() & 1 ? (uint32_t)k : checkasm_rand_below(4)]);
    for (int l = 0; l < checkasm_level_count(); l++) {
        const int s = l ? 1 : 0;
        lo[s] = row_new(n, 4);
        hi[s] = row_new(n, 4);
        lv[l].dwt1_vert(tap, n, row_at(&lo[s]), row_at(&hi[s]));
        if (l) {
            if (FAIL_AT("adm_dwt1_vert", checkasm_level(l), n, mode, &lo[1], &lo[0]))
                FAIL_AT("adm_dwt1_vert", checkasm_level(l), n, mode, &hi[1], &hi[0]);
            row_free(&lo[1]);
            row_free(&hi[1]);
        }
    }
    row_free(&lo[0]);
    row_free(&hi[0]);
    for (int k = 0; k < 4; k++) row_free(&src[k]);
}

static void check_dwt_vert_32(const AdmKernels *lv, int n, int mode)
{
    /* level 1: no rounding; levels 2 and 3: 2^15 and a shift of 16 */
    const int lvl1 = checkasm_rand() & 1;
    Row src[4], lo[2], hi[2];
    const int32_t *tap[4];
    for (int k = 0; k < 4; k++) {
        src[k] = row_new(n, 4);
        fill_values(&src[k], mode, lvl1 ? 16 : 32);
        tap[k] = row_at(&src[k]);
    }
    for (int l = 0; l < checkasm_level_count(); l++) {
        const int s = l ? 1 : 0;
        lo[s] = row_new(n, 4);
        hi[s] = row_new(n, 4);
        lv[l].dwt_vert_32(tap, n, lvl1 ? 0 : 32768, lvl1 ? 0 : 16, row_at(&lo[s]), row_at(&hi[s]));
        if (l) {
            if (FAIL_AT("adm_dwt_vert_32", checkasm_level(l), n, mode, &lo[1], &lo[0]))
                FAIL_AT("adm_dwt_vert_32", checkasm_level(l), n, mode, &hi[1], &hi[0]);
            row_free(&lo[1]);
            row_free(&hi[1]);
        }
    }
    row_free(&lo[0]);
    row_free(&hi[0]);
    for (int k = 0; k < 4; k++) row_free(&src[k]);
}

/* ---- decoupling ------------------------------------------------------------------------ */

static void check_decouple(const AdmKernels *lv, int n, int wide, int mode)
{
    const int bits = wide ? 32 : 16;
    const size_t sz = wide ? 4 : 2;
    const double egl = random_gain();
    const float cos1sq = (float)(0.99969541350954794); /* (float)(cos(1 deg)^2) */
    Row o[3], t[3], r[2][3], a[2][3];
    for (int b = 0; b < 3; b++) {
        o[b] = row_new(n, sz);
        t[b] = row_new(n, sz);
        fill_values(&o[b], mode, bits);
        fill_distorted(&t[b], &o[b], mode, bits);
    }
    const char *name = wide ? "adm_decouple32_row" : "adm_decouple0_row";
    for (int l = 0; l < checkasm_level_count(); l++) {
        const int s = l ? 1 : 0;
        for (int b = 0; b < 3; b++) {
            r[s][b] = row_new(n, sz);
            a[s][b] = row_new(n, sz);
        }
        if (wide) {
            const int32_t *oo[3] = { row_at(&o[0]), row_at(&o[1]), row_at(&o[2]) };
            const int32_t *tt[3] = { row_at(&t[0]), row_at(&t[1]), row_at(&t[2]) };
            int32_t *const rr[3] = { row_at(&r[s][0]), row_at(&r[s][1]), row_at(&r[s][2]) };
            int32_t *const aa[3] = { row_at(&a[s][0]), row_at(&a[s][1]), row_at(&a[s][2]) };
            lv[l].decouple32_row(oo, tt, n, egl, cos1sq, div_tab, rr, aa);
        } else {
            const int16_t *oo[3] = { row_at(&o[0]), row_at(&o[1]), row_at(&o[2]) };
            const int16_t *tt[3] = { row_at(&t[0]), row_at(&t[1]), row_at(&t[2]) };
            int16_t *const rr[3] = { row_at(&r[s][0]), row_at(&r[s][1]), row_at(&r[s][2]) };
            int16_t *const aa[3] = { row_at(&a[s][0]), row_at(&a[s][1]), row_at(&a[s][2]) };
            lv[l].decouple0_row(oo, tt, n, egl, cos1sq, div_tab, rr, aa);
        }
        if (l) {
            for (int b = 0; b < 3; b++) {
                if (!checkasm_check(row_equal(&r[1][b], &r[0][b]) && row_equal(&a[1][b], &a[0][b]), name,
                                    checkasm_level(l),
                                    "w=%d %s egl=%g band %d: r differs at "
                                    "%ld, a at %ld",
                                    n, val_name(mode), egl, b, row_diff(&r[1][b], &r[0][b]),
                                    row_diff(&a[1][b], &a[0][b])))
                    break;
            }
            for (int b = 0; b < 3; b++) {
                row_free(&r[1][b]);
                row_free(&a[1][b]);
            }
        }
    }
    for (int b = 0; b < 3; b++) {
        row_free(&r[0][b]);
        row_free(&a[0][b]);
        row_free(&o[b]);
        row_free(&t[b]);
    }
}

/* ---- CSF, masking, denominator --------------------------------------------------------- */

static void check_csf(const AdmKernels *lv, int n, int wide, int mode)
{
    const size_t sz = wide ? 4 : 2;
    uint16_t fix0[3];
    uint32_t fix32[3];
    random_fix(fix0, fix32);
    Row x[3], fs[2], cs[2];
    for (int b = 0; b < 3; b++) {
        x[b] = row_new(n, sz);
        fill_values(&x[b], mode, wide ? 32 : 16);
    }
    const char *name = wide ? "adm_csf32_row" : "adm_csf0_row";
    for (int l = 0; l < checkasm_level_count(); l++) {
        const int s = l ? 1 : 0;
        fs[s] = row_new(n, 4);
        cs[s] = row_new(n, 4);
        if (wide) {
            const int32_t *xx[3] = { row_at(&x[0]), row_at(&x[1]), row_at(&x[2]) };
            lv[l].csf32_row(xx, n, fix32, row_at(&fs[s]), row_at(&cs[s]));
        } else {
            const int16_t *xx[3] = { row_at(&x[0]), row_at(&x[1]), row_at(&x[2]) };
            lv[l].csf0_row(xx, n, fix0, row_at(&fs[s]), row_at(&cs[s]));
        }
        if (l) {
            if (FAIL_AT(name, checkasm_level(l), n, mode, &fs[1], &fs[0]))
                FAIL_AT(name, checkasm_level(l), n, mode, &cs[1], &cs[0]);
            row_free(&fs[1]);
            row_free(&cs[1]);
        }
    }
    row_free(&fs[0]);
    row_free(&cs[0]);
    for (int b = 0; b < 3; b++) row_free(&x[b]);
}

/* Masking rows: the weight rows hold what the CSF of random bands gives (small, mostly
 * non-negative) or random int32 (the sums must wrap alike). */
static void check_cm(const AdmKernels *lv, int n, int wide, int mode)
{
    uint16_t fix0[3];
    uint32_t fix32[3];
    random_fix(fix0, fix32);
    /* ceil(log2(w) - 4) for H and V, one more for D */
    const int s_hv = 1 + (int)checkasm_rand_below(8);
    const int shift[3] = { s_hv, s_hv, s_hv + 1 };
    const int shift32 = 1 + (int)checkasm_rand_below(12);
    Row x[3], f[3], c = row_new(n, 4);
    const int wbits = checkasm_rand() & 1 ? 32 : 18;
    for (int b = 0; b < 3; b++) {
        x[b] = row_new(n, wide ? 4 : 2);
        fill_values(&x[b], mode, wide ? 32 : 16);
        f[b] = row_new(n, 4);
        fill_values(&f[b], mode == VAL_SMALL ? VAL_SMALL : FILL_RANDOM, wbits);
    }
    fill_values(&c, mode == VAL_SMALL ? VAL_SMALL : FILL_RANDOM, wbits);
    const int32_t *ff[3] = { row_at(&f[0]), row_at(&f[1]), row_at(&f[2]) };
    int64_t want[3], got[3];
    const char *name = wide ? "adm_cm32_row" : "adm_cm0_row";
    for (int l = 0; l < checkasm_level_count(); l++) {
        int64_t *sum = l ? got : want;
        if (wide) {
            const int32_t *xx[3] = { row_at(&x[0]), row_at(&x[1]), row_at(&x[2]) };
            lv[l].cm32_row(xx, ff, row_at(&c), n, fix32, shift32, sum);
        } else {
            const int16_t *xx[3] = { row_at(&x[0]), row_at(&x[1]), row_at(&x[2]) };
            lv[l].cm0_row(xx, ff, row_at(&c), n, fix0, shift, sum);
        }
        if (l)
            checkasm_check(memcmp(got, want, sizeof got) == 0, name, checkasm_level(l),
                           "w=%d %s: %lld %lld %lld, scalar %lld %lld %lld", n, val_name(mode),
                           (long long)got[0], (long long)got[1], (long long)got[2], (long long)want[0],
                           (long long)want[1], (long long)want[2]);
    }
    for (int b = 0; b < 3; b++) {
        row_free(&x[b]);
        row_free(&f[b]);
    }
    row_free(&c);
}

static void check_den(const AdmKernels *lv, int n, int wide, int mode)
{
    static const int sq_shift[3] = { 31, 30, 31 };
    const int q = sq_shift[checkasm_rand_below(3)], shift = 2 + (int)checkasm_rand_below(10);
    Row x[3];
    for (int b = 0; b < 3; b++) {
        x[b] = row_new(n, wide ? 4 : 2);
        fill_values(&x[b], mode, wide ? 32 : 16);
    }
    uint64_t want[3], got[3];
    const char *name = wide ? "adm_den32_row" : "adm_den0_row";
    for (int l = 0; l < checkasm_level_count(); l++) {
        uint64_t *sum = l ? got : want;
        if (wide) {
            const int32_t *xx[3] = { row_at(&x[0]), row_at(&x[1]), row_at(&x[2]) };
            lv[l].den32_row(xx, n, q, shift, sum);
        } else {
            const int16_t *xx[3] = { row_at(&x[0]), row_at(&x[1]), row_at(&x[2]) };
            lv[l].den0_row(xx, n, sum);
        }
        if (l)
            checkasm_check(memcmp(got, want, sizeof got) == 0, name, checkasm_level(l),
                           "w=%d %s: %llu %llu %llu, scalar %llu %llu %llu", n, val_name(mode),
                           (unsigned long long)got[0], (unsigned long long)got[1], (unsigned long long)got[2],
                           (unsigned long long)want[0], (unsigned long long)want[1],
                           (unsigned long long)want[2]);
    }
    for (int b = 0; b < 3; b++) row_free(&x[b]);
}

/* ---- benchmarks ------------------------------------------------------------------------ */

typedef struct BenchAdm {
    const AdmKernels *k;
    int n, wide;
    Row o[3], t[3], r[3], a[3], f[3], fs, cs;
    uint16_t fix0[3];
    uint32_t fix32[3];
    const char *what;
} BenchAdm;

static void bench_call(void *ctx)
{
    BenchAdm *b = ctx;
    const int shift[3] = { 5, 5, 6 };
    int64_t s[3];
    uint64_t u[3];
    const int32_t *ff[3] = { row_at(&b->f[0]), row_at(&b->f[1]), row_at(&b->f[2]) };
    if (b->wide) {
        const int32_t *o[3] = { row_at(&b->o[0]), row_at(&b->o[1]), row_at(&b->o[2]) };
        const int32_t *t[3] = { row_at(&b->t[0]), row_at(&b->t[1]), row_at(&b->t[2]) };
        int32_t *const r[3] = { row_at(&b->r[0]), row_at(&b->r[1]), row_at(&b->r[2]) };
        int32_t *const a[3] = { row_at(&b->a[0]), row_at(&b->a[1]), row_at(&b->a[2]) };
        if (!strcmp(b->what, "decouple")) b->k->decouple32_row(o, t, b->n, 100.0, 0.99969541f, div_tab, r, a);
        else if (!strcmp(b->what, "csf")) b->k->csf32_row(o, b->n, b->fix32, row_at(&b->fs), row_at(&b->cs));
        else if (!strcmp(b->what, "cm")) b->k->cm32_row(o, ff, row_at(&b->cs), b->n, b->fix32, 9, s);
        else b->k->den32_row(o, b->n, 31, 9, u);
    } else {
        const int16_t *o[3] = { row_at(&b->o[0]), row_at(&b->o[1]), row_at(&b->o[2]) };
        const int16_t *t[3] = { row_at(&b->t[0]), row_at(&b->t[1]), row_at(&b->t[2]) };
        int16_t *const r[3] = { row_at(&b->r[0]), row_at(&b->r[1]), row_at(&b->r[2]) };
        int16_t *const a[3] = { row_at(&b->a[0]), row_at(&b->a[1]), row_at(&b->a[2]) };
        if (!strcmp(b->what, "decouple")) b->k->decouple0_row(o, t, b->n, 100.0, 0.99969541f, div_tab, r, a);
        else if (!strcmp(b->what, "csf")) b->k->csf0_row(o, b->n, b->fix0, row_at(&b->fs), row_at(&b->cs));
        else if (!strcmp(b->what, "cm")) b->k->cm0_row(o, ff, row_at(&b->cs), b->n, b->fix0, shift, s);
        else b->k->den0_row(o, b->n, u);
    }
}

static void bench_rows(const AdmKernels *lv)
{
    static const char *const whats[] = { "decouple", "csf", "cm", "den" };
    static const int ns[] = { 288, 960 };
    for (int wide = 0; wide < 2; wide++)
        for (size_t wi = 0; wi < sizeof ns / sizeof ns[0]; wi++) {
            BenchAdm b = { .n = ns[wi] >> wide, .wide = wide };
            const size_t sz = wide ? 4 : 2;
            for (int k = 0; k < 3; k++) {
                b.o[k] = row_new(b.n, sz);
                b.t[k] = row_new(b.n, sz);
                b.r[k] = row_new(b.n, sz);
                b.a[k] = row_new(b.n, sz);
                b.f[k] = row_new(b.n, 4);
                fill_values(&b.o[k], VAL_SMALL, wide ? 28 : 12);
                fill_distorted(&b.t[k], &b.o[k], VAL_SMALL, wide ? 28 : 12);
                fill_values(&b.f[k], VAL_SMALL, 14);
            }
            b.fs = row_new(b.n, 4);
            b.cs = row_new(b.n, 4);
            fill_values(&b.cs, VAL_SMALL, 14);
            b.fix0[0] = b.fix0[1] = 36453;
            b.fix0[2] = 49417;
            b.fix32[0] = b.fix32[1] = 137373792u;
            b.fix32[2] = 61414028u;
            for (size_t w = 0; w < sizeof whats / sizeof whats[0]; w++) {
                char name[48], what[32];
                b.what = whats[w];
                snprintf(name, sizeof name, "adm_%s%s_row", whats[w], wide ? "32" : "0");
                snprintf(what, sizeof what, "row w=%d", b.n);
                for (int l = 0; l < checkasm_level_count(); l++) {
                    b.k = &lv[l];
                    checkasm_bench_report(name, what, checkasm_level(l), checkasm_time(bench_call, &b));
                }
            }
            for (int k = 0; k < 3; k++) {
                row_free(&b.o[k]);
                row_free(&b.t[k]);
                row_free(&b.r[k]);
                row_free(&b.a[k]);
                row_free(&b.f[k]);
            }
            row_free(&b.fs);
            row_free(&b.cs);
        }
    static const unsigned frames[][3] = { { 576, 324, 8 }, { 576, 324, 10 }, { 1920, 1080, 8 } };
    for (size_t i = 0; i < sizeof frames / sizeof frames[0]; i++) {
        char what[32];
        snprintf(what, sizeof what, "frame %ux%u %u-bit", frames[i][0], frames[i][1], frames[i][2]);
        for (int l = 0; l < checkasm_level_count(); l++)
            checkasm_bench_report("adm (extractor)", what, checkasm_level(l),
                                  checkasm_time_feature("adm", NULL, checkasm_level(l), frames[i][0],
                                                        frames[i][1], frames[i][2]));
    }
}

/* ---- entry ----------------------------------------------------------------------------- */

void checkasm_check_adm(void)
{
    /* the extractor's Q30 reciprocal table (index 32768 + o) */
    div_tab = malloc(65537 * sizeof(*div_tab));
    div_tab[32768] = 0;
    for (int i = 1; i <= 32768; i++) {
        div_tab[32768 + i] = (int32_t)((1 << 30) / i);
        div_tab[32768 - i] = -div_tab[32768 + i];
    }
    AdmKernels lv[CHECKASM_MAX_LEVELS];
    for (int l = 0; l < checkasm_level_count(); l++) adm_kernels_init(&lv[l], checkasm_level(l));
    static const unsigned depths[] = { 8, 10, 12, 16 };
    const int rounds = checkasm_quick() ? 1 : 3;
    for (size_t wi = 0; wi < sizeof widths / sizeof widths[0]; wi++) {
        const int w = widths[wi];
        for (int r = 0; r < rounds; r++) {
            for (int m = 0; m < FILL_COUNT; m++)
                for (size_t d = 0; d < sizeof depths / sizeof depths[0]; d++)
                    check_dwt0_vert(lv, w, depths[d], m);
            for (int m = 0; m < VAL_MODES; m++)
                for (int wide = 0; wide < 2; wide++) {
                    if (w >= 3) check_dwt_horz(lv, w, wide, m);
                    check_decouple(lv, w, wide, m);
                    check_csf(lv, w, wide, m);
                    check_cm(lv, w, wide, m);
                    check_den(lv, w, wide, m);
                }
            for (int wide = 0; wide < 2; wide++) check_decouple(lv, w, wide, VAL_EDGE);
            for (int m = 0; m < VAL_MODES; m++) {
                check_dwt1_vert(lv, w, m);
                check_dwt_vert_32(lv, w, m);
            }
        }
    }
    checkasm_check_feature("adm", "debug=true");
    checkasm_check_feature("adm", "debug=true:adm_enhn_gain_limit=1.0");
    checkasm_check_feature("adm", "debug=true:adm_enhn_gain_limit=1.7:adm_norm_view_dist=4.5");
    if (checkasm_bench()) bench_rows(lv);
    free(div_tab);
}
