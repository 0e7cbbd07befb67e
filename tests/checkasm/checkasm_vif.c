/* checkasm: integer VIF kernels (engine/feature/vif_kernels.h) — statistics rows at every
 * scale and bit depth, down-sampling rows — and the whole extractor through the public API. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checkasm.h"
#include "engine/cpu.h"
#include "engine/feature/vif_kernels.h"

#define POOL 24 /* rows to draw the tap windows from (repeats model mirroring) */

static uint16_t log_tab[VIF_LOG_ENTRIES + VIF_LOG_SLACK];
static VifLog2Arith log_arith;

/* The kernel sets under test: one per level, and where the CPU has AVX512-VNNI (whose build
 * the avx512 level takes) the plain AVX-512 build as well. [0] is the scalar reference. */
typedef struct Variant {
    enum VmafxCpu level;
    const char *tag;
    VifKernels k;
} Variant;

static Variant variants[CHECKASM_MAX_LEVELS];
static int n_variants;

static void variants_init(void)
{
    n_variants = 0;
    for (int l = 0; l < checkasm_level_count(); l++) {
        Variant *v = &variants[n_variants++];
        v->level = checkasm_level(l);
        /* the VNNI builds are levels of their own: each VIF path is checked */
        v->tag = "";
        vif_kernels_init(&v->k, v->level);
    }
}

/* Rows of exactly w samples each (so a sanitizer build sees any read past the row). */
typedef struct RowPool {
    void *ref[POOL], *dis[POOL];
    const void *tap_ref[VIF_MAX_TAPS], *tap_dis[VIF_MAX_TAPS];
    void *scratch;
    unsigned w;
} RowPool;

static void pool_fill(RowPool *p, unsigned w, unsigned bpc, enum CheckasmFill mode, int taps)
{
    const size_t bytes = bpc == 8 ? 1 : 2;
    p->w = w;
    for (int r = 0; r < POOL; r++) {
        p->ref[r] = malloc(w * bytes);
        p->dis[r] = malloc(w * bytes);
        /* mostly a distorted copy (correlated: the log terms), sometimes its own pattern */
        int own = checkasm_rand_below(4) == 0;
        if (bpc == 8) {
            checkasm_fill8(p->ref[r], w, mode);
            if (own) checkasm_fill8(p->dis[r], w, (enum CheckasmFill)checkasm_rand_below(FILL_COUNT));
            else checkasm_distort8(p->dis[r], p->ref[r], w);
        } else {
            checkasm_fill16(p->ref[r], w, bpc, mode);
            if (own) checkasm_fill16(p->dis[r], w, bpc, (enum CheckasmFill)checkasm_rand_below(FILL_COUNT));
            else checkasm_distort16(p->dis[r], p->ref[r], w, bpc);
        }
    }
    /* a window of consecutive rows, or one with repeated rows as at the picture's edges */
    int start = (int)checkasm_rand_below(POOL - taps + 1), mirrored = checkasm_rand() & 1;
    for (int k = 0; k < taps; k++) {
        int r = mirrored ? (int)checkasm_rand_below(POOL) : start + k;
        p->tap_ref[k] = p->ref[r];
        p->tap_dis[k] = p->dis[r];
    }
    p->scratch = aligned_alloc(64, VIF_SCRATCH_BYTES(w));
}

/* Kernels must not depend on what the scratch held before. */
static void scratch_garbage(RowPool *p)
{
    uint32_t *s = p->scratch;
    for (size_t i = 0; i < VIF_SCRATCH_BYTES(p->w) / 4; i++) s[i] = checkasm_rand();
}

static void pool_free(RowPool *p)
{
    for (int r = 0; r < POOL; r++) {
        free(p->ref[r]);
        free(p->dis[r]);
    }
    free(p->scratch);
}

static VifFilter filter_for(int scale, unsigned bpc, int down)
{
    VifFilter f = { 0 };
    f.coef = vif_filter_coef(down ? scale + 1 : scale, &f.taps);
    f.shift_mu = scale ? 16 : (int)bpc;
    f.shift_sq = down ? 0 : scale ? 16 : 2 * ((int)bpc - 8);
    return f;
}

static double random_gain_limit(void)
{
    switch (checkasm_rand_below(3)) {
    case 0: return 100.0;
    case 1: return 1.0;
    default: return 1.0 + checkasm_rand_below(99000) / 1000.0;
    }
}

static void call_stats(const VifKernels *k, const RowPool *p, unsigned bpc, const VifFilter *f,
                       const VifTermParams *tp, VifSums *s)
{
    if (bpc == 8)
        k->stats_8((const uint8_t *const *)p->tap_ref, (const uint8_t *const *)p->tap_dis, p->w, f,
                   p->scratch, tp, s);
    else
        k->stats_16((const uint16_t *const *)p->tap_ref, (const uint16_t *const *)p->tap_dis, p->w, f,
                    p->scratch, tp, s);
}

static void call_down(const VifKernels *k, const RowPool *p, unsigned bpc, const VifFilter *f,
                      uint16_t *out_r, uint16_t *out_d)
{
    if (bpc == 8)
        k->down_8((const uint8_t *const *)p->tap_ref, (const uint8_t *const *)p->tap_dis, p->w, f, p->scratch,
                  out_r, out_d);
    else
        k->down_16((const uint16_t *const *)p->tap_ref, (const uint16_t *const *)p->tap_dis, p->w, f,
                   p->scratch, out_r, out_d);
}

/* The (scale, bit depth) cases of each kernel: 8-bit exists at scale 0 only; 16-bit samples
 * are scale 0 above 8 bits and every scale >= 1 (full 16-bit range). */
typedef struct Case {
    int scale;
    unsigned bpc;
} Case;

static const Case stats_cases[] = {
    { 0, 8 }, { 0, 10 }, { 0, 12 }, { 0, 16 }, { 1, 16 }, { 2, 16 }, { 3, 16 }
};
static const Case down_cases[] = { { 0, 8 }, { 0, 10 }, { 0, 12 }, { 0, 16 }, { 1, 16 }, { 2, 16 } };

static const unsigned widths[] = { 1,  2,  3,  4,  5,  6,  7,  9,   10,  15,  16,  17,  31,
                                   32, 33, 47, 63, 64, 65, 95, 127, 129, 300, 576, 1023 };

static const char *case_name(const char *what, const Case *c, const char *tag, char *buf, size_t n)
{
    snprintf(buf, n, "vif_%s_%s s%d %u-bit%s", what, c->bpc == 8 ? "8" : "16", c->scale, c->bpc, tag);
    return buf;
}

static void check_stats(const Case *c, unsigned w, enum CheckasmFill mode)
{
    const VifFilter f = filter_for(c->scale, c->bpc, 0);
    if ((int)w <= f.taps / 2) return; /* mirroring needs w > taps/2 */
    RowPool p;
    pool_fill(&p, w, c->bpc, mode, f.taps);
    const VifTermParams tp = { log_tab, random_gain_limit(), NULL };
    const VifSums init = { checkasm_rand_below(1000), checkasm_rand_below(1000), checkasm_rand_below(1000),
                           checkasm_rand_below(1000) };
    VifSums want = init;
    scratch_garbage(&p);
    call_stats(&variants[0].k, &p, c->bpc, &f, &tp, &want);
    char name[64];
    for (int l = 1; l < n_variants; l++)
        for (int arith = 0; arith <= (variants[l].k.log2_check != NULL); arith++) {
            /* levels with an arithmetic log: both ways to the table's entries */
            VifTermParams tl = tp;
            tl.log2_arith = arith ? &log_arith : NULL;
            VifSums got = init;
            scratch_garbage(&p);
            call_stats(&variants[l].k, &p, c->bpc, &f, &tl, &got);
            case_name("stats", c, arith ? " log2-arith" : variants[l].tag, name, sizeof name);
            checkasm_check(memcmp(&got, &want, sizeof got) == 0, name, variants[l].level,
                           "w=%u %s egl=%g: num_log %lld/%lld den_log %lld/%lld num_non_log %lld/%lld "
                           "den_non_log %lld/%lld (got/scalar)",
                           w, checkasm_fill_name(mode), tp.gain_limit, (long long)got.num_log,
                           (long long)want.num_log, (long long)got.den_log, (long long)want.den_log,
                           (long long)got.num_non_log, (long long)want.num_non_log,
                           (long long)got.den_non_log, (long long)want.den_non_log);
        }
    pool_free(&p);
}

/* Statistics rows down a whole picture, as the driver calls them (VifFilter.row counting up,
 * each level with its own scratch from row to row), twice over the same row buffers with new
 * contents: kernels may keep per-row data while a row stays in the window, and must forget
 * it at row 0. Sometimes a sample lies above the bit depth (a malformed picture), which a
 * shortcut for samples below 2^12 must notice. Not far above in general: the levels' 16-bit
 * mean planes hold sum c*x >> bpc below 2^16 only, which one sample of at most 2^bpc + 6
 * among in-range samples keeps; far larger samples give other sums than the scalar kernels,
 * as they always have. */
static void check_stats_pass(unsigned bpc, unsigned w, unsigned h, enum CheckasmFill mode)
{
    VifFilter f = filter_for(0, bpc, 0);
    if ((int)w <= f.taps / 2 || (int)h <= f.taps / 2) return;
    uint16_t **ref = malloc(h * sizeof *ref), **dis = malloc(h * sizeof *dis);
    for (unsigned y = 0; y < h; y++) {
        ref[y] = malloc(w * 2);
        dis[y] = malloc(w * 2);
    }
    void *scratch[CHECKASM_MAX_LEVELS];
    for (int l = 0; l < n_variants; l++) {
        scratch[l] = aligned_alloc(64, VIF_SCRATCH_BYTES(w));
        uint32_t *g = scratch[l];
        for (size_t i = 0; i < VIF_SCRATCH_BYTES(w) / 4; i++) g[i] = checkasm_rand();
    }
    const VifTermParams tp = { log_tab, 100.0, NULL };
    char name[64];
    snprintf(name, sizeof name, "vif_stats_16 s0 %u-bit pass", bpc);
    for (int pass = 0; pass < 2; pass++) {
        /* 12 bits, sometimes: a black picture with one sample far above 2^12 (12000-15999: its
         * square no longer splits into two 12-bit halves, while the mean planes still hold it) */
        const int far = bpc == 12 && (checkasm_rand() & 1);
        for (unsigned y = 0; y < h; y++) {
            checkasm_fill16(ref[y], w, bpc, far ? FILL_ZERO : mode);
            checkasm_distort16(dis[y], ref[y], w, bpc);
        }
        const int bad_row = far || checkasm_rand_below(3) == 0 ? (int)checkasm_rand_below(h) : -1;
        if (bad_row >= 0)
            dis[bad_row][checkasm_rand_below(w)] = (uint16_t)(far ? 12000 + checkasm_rand_below(4000)
                                                                  : (1u << bpc) + checkasm_rand_below(7));
        for (unsigned y = 0; y < h; y++) {
            const uint16_t *r[VIF_MAX_TAPS], *d[VIF_MAX_TAPS];
            for (int k = 0; k < f.taps; k++) {
                int i = (int)y - f.taps / 2 + k;
                i = i < 0 ? -i : i >= (int)h ? 2 * (int)h - 2 - i : i;
                r[k] = ref[i];
                d[k] = dis[i];
            }
            f.row = y;
            VifSums want = { 0, 0, 0, 0 };
            variants[0].k.stats_16(r, d, w, &f, scratch[0], &tp, &want);
            for (int l = 1; l < n_variants; l++) {
                VifSums got = { 0, 0, 0, 0 };
                variants[l].k.stats_16(r, d, w, &f, scratch[l], &tp, &got);
                checkasm_check(memcmp(&got, &want, sizeof got) == 0, name, variants[l].level,
                               "w=%u h=%u %s pass %d row %u (malformed row %d): num_log %lld/%lld den_log "
                               "%lld/%lld num_non_log %lld/%lld den_non_log %lld/%lld (got/scalar)",
                               w, h, checkasm_fill_name(mode), pass, y, bad_row, (long long)got.num_log,
                               (long long)want.num_log, (long long)got.den_log, (long long)want.den_log,
                               (long long)got.num_non_log, (long long)want.num_non_log,
                               (long long)got.den_non_log, (long long)want.den_non_log);
            }
        }
    }
    for (int l = 0; l < n_variants; l++) free(scratch[l]);
    for (unsigned y = 0; y < h; y++) {
        free(ref[y]);
        free(dis[y]);
    }
    free(ref);
    free(dis);
}

#define GUARD 16

static void check_down(const Case *c, unsigned w, enum CheckasmFill mode)
{
    const VifFilter f = filter_for(c->scale, c->bpc, 1);
    if ((int)w <= f.taps / 2) return;
    RowPool p;
    pool_fill(&p, w, c->bpc, mode, f.taps);
    const unsigned n = w / 2 + GUARD;
    uint16_t *want_r = malloc(n * 2), *want_d = malloc(n * 2), *got_r = malloc(n * 2), *got_d = malloc(n * 2);
    for (unsigned i = 0; i < n; i++) want_r[i] = want_d[i] = 0xa5a5;
    scratch_garbage(&p);
    call_down(&variants[0].k, &p, c->bpc, &f, want_r, want_d);
    char name[64];
    for (int l = 1; l < n_variants; l++) {
        for (unsigned i = 0; i < n; i++) got_r[i] = got_d[i] = 0xa5a5;
        scratch_garbage(&p);
        call_down(&variants[l].k, &p, c->bpc, &f, got_r, got_d);
        case_name("down", c, variants[l].tag, name, sizeof name);
        unsigned bad = 0;
        while (bad < n && got_r[bad] == want_r[bad] && got_d[bad] == want_d[bad]) bad++;
        checkasm_check(bad == n, name, variants[l].level,
                       "w=%u %s: first difference at column %u (of %u; >= %u is past the row): "
                       "ref %u/%u dis %u/%u (got/scalar)",
                       w, checkasm_fill_name(mode), bad, w / 2, w / 2, bad < n ? got_r[bad] : 0,
                       bad < n ? want_r[bad] : 0, bad < n ? got_d[bad] : 0, bad < n ? want_d[bad] : 0);
    }
    free(want_r);
    free(want_d);
    free(got_r);
    free(got_d);
    pool_free(&p);
}

/* ---- benchmarks ------------------------------------------------------------------------ */

typedef struct BenchRow {
    const VifKernels *k;
    RowPool p;
    Case c;
    VifFilter f;
    VifTermParams tp;
    int down;
    uint16_t *out_r, *out_d;
} BenchRow;

static void bench_call(void *ctx)
{
    BenchRow *b = ctx;
    VifSums s = { 0, 0, 0, 0 };
    if (b->down) call_down(b->k, &b->p, b->c.bpc, &b->f, b->out_r, b->out_d);
    else call_stats(b->k, &b->p, b->c.bpc, &b->f, &b->tp, &s);
}

static void bench_rows(void)
{
    static const struct {
        Case c;
        int down;
        unsigned w;
    } rows[] = {
        { { 0, 8 }, 0, 576 },  { { 0, 8 }, 0, 1920 }, { { 0, 10 }, 0, 576 }, { { 1, 16 }, 0, 288 },
        { { 1, 16 }, 0, 960 }, { { 2, 16 }, 0, 144 }, { { 3, 16 }, 0, 72 },  { { 0, 8 }, 1, 576 },
        { { 0, 8 }, 1, 1920 }, { { 0, 10 }, 1, 576 }, { { 1, 16 }, 1, 288 },
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        BenchRow b = { .c = rows[i].c, .down = rows[i].down };
        b.f = filter_for(b.c.scale, b.c.bpc, b.down);
        pool_fill(&b.p, rows[i].w, b.c.bpc, FILL_SMOOTH, b.f.taps);
        b.tp = (VifTermParams){ log_tab, 100.0, NULL };
        b.out_r = malloc(rows[i].w);
        b.out_d = malloc(rows[i].w);
        char name[64], what[32];
        snprintf(what, sizeof what, "row w=%u", rows[i].w);
        for (int l = 0; l < n_variants; l++)
            for (int arith = 0; arith <= (!b.down && variants[l].k.log2_check != NULL); arith++) {
                /* stats rows of levels with an arithmetic log: the table way, then arithmetic */
                b.k = &variants[l].k;
                b.tp.log2_arith = arith ? &log_arith : NULL;
                /* statistics rows in the middle of a pass (VifFilter.row): a kernel's per-row data
                 * from the first call is there for the timed ones, as for all but one row of a
                 * window in the driver's pass */
                b.f.row = 0;
                bench_call(&b);
                b.f.row = 1;
                case_name(b.down ? "down" : "stats", &b.c, arith ? " log2-arith" : variants[l].tag, name,
                          sizeof name);
                checkasm_bench_report(name, what, variants[l].level, checkasm_time(bench_call, &b));
            }
        free(b.out_r);
        free(b.out_d);
        pool_free(&b.p);
    }
    static const unsigned frames[][3] = { { 576, 324, 8 }, { 576, 324, 10 }, { 1920, 1080, 8 } };
    for (size_t i = 0; i < sizeof frames / sizeof frames[0]; i++) {
        char what[32];
        snprintf(what, sizeof what, "frame %ux%u %u-bit", frames[i][0], frames[i][1], frames[i][2]);
        for (int l = 0; l < checkasm_level_count(); l++)
            checkasm_bench_report("vif (extractor)", what, checkasm_level(l),
                                  checkasm_time_feature("vif", NULL, checkasm_level(l), frames[i][0],
                                                        frames[i][1], frames[i][2]));
    }
}

void checkasm_check_vif(void)
{
    vif_log2_table_init(log_tab);
    vif_log2_arith_init(&log_arith);
    variants_init();
    /* the arithmetic log must reproduce every table entry (else the extractor falls back to
     * the table, correct but slower) */
    for (int l = 1; l < n_variants; l++)
        if (variants[l].k.log2_check)
            checkasm_check(variants[l].k.log2_check(&log_arith, log_tab), "vif_log2_arith", variants[l].level,
                           "the arithmetic log differs from the table (libm's log2f?)");
    const int rounds = checkasm_quick() ? 1 : 2;
    for (size_t w = 0; w < sizeof widths / sizeof widths[0]; w++)
        for (int m = 0; m < FILL_COUNT; m++)
            for (int r = 0; r < rounds; r++) {
                for (size_t c = 0; c < sizeof stats_cases / sizeof stats_cases[0]; c++)
                    check_stats(&stats_cases[c], widths[w], (enum CheckasmFill)m);
                for (size_t c = 0; c < sizeof down_cases / sizeof down_cases[0]; c++)
                    check_down(&down_cases[c], widths[w], (enum CheckasmFill)m);
            }
    static const unsigned pass_sizes[][2] = { { 16, 9 }, { 33, 12 }, { 64, 30 }, { 95, 17 }, { 129, 40 } };
    for (size_t i = 0; i < sizeof pass_sizes / sizeof pass_sizes[0]; i++)
        for (int m = 0; m < FILL_COUNT; m++) {
            check_stats_pass(10, pass_sizes[i][0], pass_sizes[i][1], (enum CheckasmFill)m);
            check_stats_pass(12, pass_sizes[i][0], pass_sizes[i][1], (enum CheckasmFill)m);
        }
    checkasm_check_feature("vif", "debug=true");
    checkasm_check_feature("vif", "debug=true:vif_enhn_gain_limit=1.0");
    if (checkasm_bench()) bench_rows();
}
