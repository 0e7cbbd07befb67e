/* checkasm: the runner (see checkasm.h): family table, levels, random inputs, reporting,
 * timing, and the whole-extractor comparison through the public API. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "checkasm.h"
#include "engine/cpu.h"

static const struct {
    const char *name;
    void (*run)(void);
} families[] = {
    { "vif", checkasm_check_vif },     { "adm", checkasm_check_adm },     { "motion", checkasm_check_motion },
    { "cambi", checkasm_check_cambi }, { "speed", checkasm_check_speed }, { "float", checkasm_check_float },
};

static struct {
    uint64_t rng;
    int bench, quick;
    unsigned checks, failures;
    int n_levels;
    enum VmafxCpu levels[CHECKASM_MAX_LEVELS];
} st = { .rng = 0x9e3779b97f4a7c15ull };

/* ---- levels ---------------------------------------------------------------------------- */

int checkasm_level_count(void)
{
    return st.n_levels;
}
enum VmafxCpu checkasm_level(int i)
{
    return st.levels[i];
}

static void levels_init(void)
{
    int n;
    const enum VmafxCpu *ranked = cpu_levels(&n);
    st.n_levels = 0;
    for (int i = 0; i < n && st.n_levels < CHECKASM_MAX_LEVELS; i++)
        if (cpu_runs(ranked[i])) st.levels[st.n_levels++] = ranked[i];
}

/* ---- random inputs --------------------------------------------------------------------- */

uint32_t checkasm_rand(void)
{
    /* xorshift64*: fast, and the same sequence for the same seed everywhere */
    st.rng ^= st.rng >> 12;
    st.rng ^= st.rng << 25;
    st.rng ^= st.rng >> 27;
    return (uint32_t)((st.rng * 0x2545f4914f6cdd1dull) >> 32);
}

uint32_t checkasm_rand_below(uint32_t n)
{
    return (uint32_t)(((uint64_t)checkasm_rand() * n) >> 32);
}

const char *checkasm_fill_name(enum CheckasmFill mode)
{
    static const char *const names[FILL_COUNT] = { "random", "zero", "max", "extreme", "smooth" };
    return names[mode];
}

static uint32_t clampu(int64_t v, uint32_t max)
{
    return v < 0 ? 0 : v > (int64_t)max ? max : (uint32_t)v;
}

/* One sample of a pattern; state carries the smooth pattern's level along the row. */
static uint32_t pattern(enum CheckasmFill mode, uint32_t max, int64_t *state)
{
    switch (mode) {
    case FILL_RANDOM: return checkasm_rand_below(max + 1);
    case FILL_ZERO: return 0;
    case FILL_MAX: return max;
    case FILL_EXTREME: return checkasm_rand() & 1 ? max : 0;
    default: break;
    }
    /* smooth: runs of a flat level, ramps, and occasional small noise */
    uint32_t r = checkasm_rand_below(64);
    if (r == 0) *state = checkasm_rand_below(max + 1);
    else if (r < 8) *state += (int64_t)checkasm_rand_below(max / 64 + 2) - (max / 128 + 1);
    *state = clampu(*state, max);
    int64_t noise = r < 24 ? (int64_t)checkasm_rand_below(3) - 1 : 0;
    return clampu(*state + noise, max);
}

void checkasm_fill8(uint8_t *p, size_t n, enum CheckasmFill mode)
{
    int64_t s = checkasm_rand_below(256);
    for (size_t i = 0; i < n; i++) p[i] = (uint8_t)pattern(mode, 255, &s);
}

void checkasm_fill16(uint16_t *p, size_t n, unsigned bpc, enum CheckasmFill mode)
{
    const uint32_t max = (1u << bpc) - 1;
    int64_t s = checkasm_rand_below(max + 1);
    for (size_t i = 0; i < n; i++) p[i] = (uint16_t)pattern(mode, max, &s);
}

static uint32_t distort(uint32_t v, uint32_t max)
{
    uint32_t r = checkasm_rand_below(16);
    if (r == 0) return checkasm_rand_below(max + 1); /* unrelated */
    if (r < 4) return v;                             /* untouched */
    int64_t amp = max / 32 + 1;
    return clampu((int64_t)v + (int64_t)checkasm_rand_below((uint32_t)(2 * amp + 1)) - amp, max);
}

void checkasm_distort8(uint8_t *dst, const uint8_t *ref, size_t n)
{
    for (size_t i = 0; i < n; i++) dst[i] = (uint8_t)distort(ref[i], 255);
}

void checkasm_distort16(uint16_t *dst, const uint16_t *ref, size_t n, unsigned bpc)
{
    for (size_t i = 0; i < n; i++) dst[i] = (uint16_t)distort(ref[i], (1u << bpc) - 1);
}

/* ---- reporting and timing -------------------------------------------------------------- */

int checkasm_check(int ok, const char *kernel, enum VmafxCpu level, const char *fmt, ...)
{
    st.checks++;
    if (ok) return 1;
    st.failures++;
    if (st.failures > 50) return 0; /* enough to see the pattern */
    printf("FAIL  %s [%s]: ", kernel, vmafx_cpu_name(level));
    va_list ap;
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    putchar('\n');
    return 0;
}

int checkasm_bench(void)
{
    return st.bench;
}
int checkasm_quick(void)
{
    return st.quick;
}

/* CPU time of this thread: time spent descheduled (a busy machine) does not count. */
static double now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return ts.tv_sec * 1e9 + ts.tv_nsec;
}

double checkasm_time(void (*fn)(void *ctx), void *ctx)
{
    fn(ctx); /* warm caches and branch predictors */
    const double budget = st.quick ? 5e6 : 40e6;
    double best = 0;
    for (unsigned n = 1;; n *= 2) {
        double t0 = now_ns();
        for (unsigned i = 0; i < n; i++) fn(ctx);
        double t = now_ns() - t0;
        best = t / n;
        if (t > budget / 4 || n >= (1u << 24)) break;
    }
    /* three more rounds of the same length; the fastest is the least disturbed */
    unsigned n = best > 0 ? (unsigned)(budget / 4 / best) + 1 : 1;
    for (int r = 0; r < 3; r++) {
        double t0 = now_ns();
        for (unsigned i = 0; i < n; i++) fn(ctx);
        double t = (now_ns() - t0) / n;
        if (t < best) best = t;
    }
    return best;
}

void checkasm_bench_report(const char *kernel, const char *what, enum VmafxCpu level, double ns)
{
    printf("bench %-22s %-18s %-7s %12.1f ns/call\n", kernel, what, vmafx_cpu_name(level), ns);
}

/* ---- whole-extractor comparison -------------------------------------------------------- */

typedef struct Clip {
    VmafxPicture ref[3], dis[3];
    unsigned n;
} Clip;

/* A picture with blocks of the fill patterns (so that flat and textured areas meet). */
static void fill_picture(VmafxPicture *p, const VmafxPicture *like, unsigned frame)
{
    for (int pl = 0; pl < 3; pl++) {
        for (unsigned y = 0; y < p->h[pl]; y++) {
            uint8_t *row = (uint8_t *)p->data[pl] + (ptrdiff_t)y * p->stride[pl];
            const uint8_t *lrow = like ? (const uint8_t *)like->data[pl] + (ptrdiff_t)y * like->stride[pl]
                                       : NULL;
            for (unsigned x0 = 0; x0 < p->w[pl]; x0 += 16) {
                unsigned n = p->w[pl] - x0 < 16 ? p->w[pl] - x0 : 16;
                enum CheckasmFill mode = (enum CheckasmFill)(((x0 / 16) * 7 + (y / 16) * 3 + frame) %
                                                             FILL_COUNT);
                if (p->bpc == 8) {
                    if (lrow) checkasm_distort8(row + x0, lrow + x0, n);
                    else checkasm_fill8(row + x0, n, mode);
                } else {
                    uint16_t *r16 = (uint16_t *)(void *)row + x0;
                    if (lrow) checkasm_distort16(r16, (const uint16_t *)(const void *)lrow + x0, n, p->bpc);
                    else checkasm_fill16(r16, n, p->bpc, mode);
                }
            }
        }
    }
}

static int clip_make(Clip *c, unsigned w, unsigned h, unsigned bpc, unsigned frames)
{
    enum VmafxPixelFormat fmt = (w | h) & 1 ? VMAFX_PIX_FMT_YUV444P : VMAFX_PIX_FMT_YUV420P;
    c->n = frames;
    for (unsigned f = 0; f < frames; f++) {
        if (vmafx_picture_alloc(&c->ref[f], fmt, bpc, w, h) ||
            vmafx_picture_alloc(&c->dis[f], fmt, bpc, w, h))
            return -1;
        fill_picture(&c->ref[f], NULL, f);
        fill_picture(&c->dis[f], &c->ref[f], f);
    }
    return 0;
}

static void clip_free(Clip *c)
{
    for (unsigned f = 0; f < c->n; f++) {
        vmafx_picture_free(&c->ref[f]);
        vmafx_picture_free(&c->dis[f]);
    }
}

/* Scores a clip; returns the context (NULL when the extractor refused it). */
static VmafxContext *score_clip(const char *feature, const char *options, enum VmafxCpu level, const Clip *c)
{
    VmafxConfig cfg = { .n_threads = 1, .cpu = level };
    VmafxContext *ctx;
    if (vmafx_init(&ctx, &cfg)) return NULL;
    int err = vmafx_use_feature(ctx, feature, options);
    for (unsigned f = 0; f < c->n && !err; f++) err = vmafx_score_pictures(ctx, &c->ref[f], &c->dis[f]);
    if (!err) err = vmafx_flush(ctx);
    if (err) {
        vmafx_close(ctx);
        return NULL;
    }
    return ctx;
}

/* Every feature of every frame equal, bit for bit. */
static void compare_contexts(const VmafxContext *a, const VmafxContext *b, const char *kernel,
                             enum VmafxCpu level, const char *what)
{
    unsigned n = vmafx_feature_count(a);
    if (!checkasm_check(n == vmafx_feature_count(b), kernel, level, "%s: %u features, scalar %u", what,
                        vmafx_feature_count(b), n))
        return;
    for (unsigned i = 0; i < n; i++) {
        const char *name = vmafx_feature_name(a, i);
        for (unsigned f = 0; f < vmafx_frame_count(a); f++) {
            double va = 0, vb = 0;
            int ea = vmafx_feature_value(a, name, f, &va), eb = vmafx_feature_value(b, name, f, &vb);
            if (!checkasm_check(ea == eb && memcmp(&va, &vb, sizeof va) == 0, kernel, level,
                                "%s frame %u %s: %.17g, scalar %.17g", what, f, name, vb, va))
                return;
        }
    }
}

void checkasm_check_feature(const char *feature, const char *options)
{
    static const unsigned sizes[][2] = {
        { 16, 16 }, { 17, 240 },  { 240, 17 },  { 33, 65 },   { 65, 33 },
        { 63, 31 }, { 176, 144 }, { 301, 173 }, { 576, 324 },
    };
    static const unsigned depths[] = { 8, 10, 12, 16 };
    char kernel[64];
    snprintf(kernel, sizeof kernel, "%s (frames)", feature);
    const unsigned n_sizes = st.quick ? 5 : sizeof sizes / sizeof sizes[0];
    for (unsigned s = 0; s < n_sizes; s++) {
        for (unsigned d = 0; d < sizeof depths / sizeof depths[0]; d++) {
            Clip c = { .n = 0 };
            if (clip_make(&c, sizes[s][0], sizes[s][1], depths[d], 3)) {
                checkasm_check(0, kernel, VMAFX_CPU_SCALAR, "cannot allocate pictures");
                clip_free(&c);
                return;
            }
            char what[64];
            snprintf(what, sizeof what, "%ux%u %u-bit", sizes[s][0], sizes[s][1], depths[d]);
            VmafxContext *ref = score_clip(feature, options, VMAFX_CPU_SCALAR, &c);
            for (int l = 1; ref && l < st.n_levels; l++) {
                VmafxContext *got = score_clip(feature, options, st.levels[l], &c);
                if (checkasm_check(got != NULL, kernel, st.levels[l], "%s: scoring failed", what))
                    compare_contexts(ref, got, kernel, st.levels[l], what);
                if (got) vmafx_close(got);
            }
            if (ref) vmafx_close(ref);
            clip_free(&c);
        }
    }
}

typedef struct FeatureRun {
    VmafxContext *ctx;
    const Clip *clip;
    unsigned frame;
    int err;
} FeatureRun;

static void run_frame(void *p)
{
    FeatureRun *r = p;
    unsigned f = r->frame++ % r->clip->n;
    if (!r->err) r->err = vmafx_score_pictures(r->ctx, &r->clip->ref[f], &r->clip->dis[f]);
}

double checkasm_time_feature(const char *feature, const char *options, enum VmafxCpu level, unsigned w,
                             unsigned h, unsigned bpc)
{
    Clip c = { .n = 0 };
    VmafxConfig cfg = { .n_threads = 1, .cpu = level };
    FeatureRun r = { NULL, &c, 0, 0 };
    double ns = -1;
    if (!clip_make(&c, w, h, bpc, 3) && !vmafx_init(&r.ctx, &cfg)) {
        /* one context scoring frame after frame: set-up cost stays out of the figure */
        if (!vmafx_use_feature(r.ctx, feature, options)) ns = checkasm_time(run_frame, &r);
        if (r.err) ns = -1;
        vmafx_close(r.ctx);
    }
    clip_free(&c);
    return ns;
}

/* ---- main ------------------------------------------------------------------------------ */

int main(int argc, char **argv)
{
    const char *only = NULL;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--bench")) st.bench = 1;
        else if (!strcmp(argv[i], "--quick")) st.quick = 1;
        else if (!strcmp(argv[i], "--seed") && i + 1 < argc) st.rng = strtoull(argv[++i], NULL, 0) | 1;
        else if (!strcmp(argv[i], "--test") && i + 1 < argc) only = argv[++i];
        else {
            fprintf(stderr, "usage: checkasm [--bench] [--quick] [--seed N] [--test FAMILY]\n");
            return 2;
        }
    }
    levels_init();
    printf("checkasm: levels");
    for (int i = 0; i < st.n_levels; i++) printf(" %s", vmafx_cpu_name(st.levels[i]));
    printf("\n");
    int ran = 0;
    for (size_t f = 0; f < sizeof families / sizeof families[0]; f++) {
        if (only && strcmp(only, families[f].name)) continue;
        unsigned before = st.failures, checks = st.checks;
        families[f].run();
        ran = 1;
        if (st.checks == checks) {
            /* a family that compared nothing proved nothing (e.g. only the scalar level) */
            printf("FAIL %s: compared nothing\n", families[f].name);
            st.failures++;
        }
        printf("%-5s %s: %u comparisons\n", st.failures == before ? "ok" : "FAIL", families[f].name,
               st.checks - checks);
    }
    if (!ran) {
        fprintf(stderr, "checkasm: no family named '%s'\n", only);
        return 2;
    }
    printf("checkasm: %u comparisons, %u failed\n", st.checks, st.failures);
    return st.failures ? 1 : 0;
}
