/* checkasm: proves each SIMD kernel bit-exact against its scalar definition (the way dav1d's
 * checkasm does), and with --bench times each kernel at each level.
 *
 *   checkasm [--bench] [--seed N] [--test FAMILY] [--quick]
 *
 * Adding a kernel family: write checkasm_<family>.c defining checkasm_check_<family>(), declare
 * it below and add one line to the table in checkasm.c. Inside, for each kernel:
 *   for (int i = 0; i < checkasm_level_count(); i++) { level = checkasm_level(i); ... }
 * run the scalar kernel and the level's kernel on the same inputs (checkasm_rand*, the fill
 * helpers), and report each comparison with checkasm_check(ok, kernel, level, detail...).
 * With checkasm_bench() set, time calls with checkasm_time() and print them with
 * checkasm_bench_report(). checkasm_check_feature() compares a whole extractor's features
 * across levels on random pictures of awkward sizes, through the public API. */
#ifndef VMAFX_CHECKASM_H
#define VMAFX_CHECKASM_H

#include <stddef.h>
#include <stdint.h>

#include "vmafx/vmafx.h"

/* The families (one file each). */
void checkasm_check_vif(void);
void checkasm_check_adm(void);
void checkasm_check_motion(void);
void checkasm_check_cambi(void);
void checkasm_check_speed(void);
void checkasm_check_float(void);

/* At most this many levels (scalar, avx2, avx2vnni, avx512, avx512vnni). */
#define CHECKASM_MAX_LEVELS 5
/* Kernel levels this CPU runs: index 0 is VMAFX_CPU_SCALAR (the reference). */
int checkasm_level_count(void);
enum VmafxCpu checkasm_level(int i);

/* Deterministic pseudo-random numbers (seeded by --seed). */
uint32_t checkasm_rand(void);
uint32_t checkasm_rand_below(uint32_t n); /* [0, n) */

/* Sample patterns: every kernel is fed each of them. */
enum CheckasmFill {
    FILL_RANDOM,  /* uniform over [0, max] */
    FILL_ZERO,    /* all 0 */
    FILL_MAX,     /* all max */
    FILL_EXTREME, /* random mix of 0 and max */
    FILL_SMOOTH,  /* flat areas, gentle ramps and small noise (natural-picture-like) */
    FILL_COUNT
};
const char *checkasm_fill_name(enum CheckasmFill mode);
/* n samples of a row of bit depth bpc (8: uint8_t, else uint16_t). */
void checkasm_fill8(uint8_t *p, size_t n, enum CheckasmFill mode);
void checkasm_fill16(uint16_t *p, size_t n, unsigned bpc, enum CheckasmFill mode);
/* A distorted version of a reference row: mostly close to it, sometimes unrelated. */
void checkasm_distort8(uint8_t *dst, const uint8_t *ref, size_t n);
void checkasm_distort16(uint16_t *dst, const uint16_t *ref, size_t n, unsigned bpc);

/* Records one comparison; prints a FAIL line with the printf-style detail when !ok.
 * Returns ok. */
int checkasm_check(int ok, const char *kernel, enum VmafxCpu level, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Benchmarking. */
int checkasm_bench(void);
int checkasm_quick(void);
/* ns per call of fn(ctx), repeated for a few milliseconds after a warm-up. */
double checkasm_time(void (*fn)(void *ctx), void *ctx);
void checkasm_bench_report(const char *kernel, const char *what, enum VmafxCpu level, double ns);

/* Scores random picture pairs (several sizes, tall and short, 8/10/12/16-bit, 3 frames) with
 * one extractor at every level and compares every feature value bit for bit with the scalar
 * level. Sizes the extractor rejects at the scalar level are skipped. */
void checkasm_check_feature(const char *feature, const char *options);
/* ns per frame of one extractor at one level on a w x h picture pair of bit depth bpc. */
double checkasm_time_feature(const char *feature, const char *options, enum VmafxCpu level, unsigned w,
                             unsigned h, unsigned bpc);

#endif
