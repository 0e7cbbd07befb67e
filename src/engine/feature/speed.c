/* SpEED core (see speed.h): geometry, buffers, kernel table, and one plane pair's score. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../cpu.h"
#include "speed.h"

/* ---- kernel table ---------------------------------------------------------------------- */

/* clang-format off */
static void load_8(float *d, const uint8_t *s, unsigned n) { speed_load_8_c(d, s, n); }
static void load_16(float *d, const uint16_t *s, unsigned n, float sc) { speed_load_16_c(d, s, n, sc); }
static void sub(float *a, const float *b, unsigned n) { speed_sub_c(a, b, n); }
static void vtap(float *acc, const float *row, float f, unsigned n) { speed_vtap_c(acc, row, f, n); }
/* clang-format on */

static double cov(const float *x, const float *y, ptrdiff_t stride, unsigned h, unsigned w, double mx,
                  double my)
{
    return speed_cov_c(x, y, stride, h, w, mx, my);
}

static void matmul(float *d, const float *a, const float *b, unsigned n, unsigned kk, unsigned m)
{
    speed_matmul_c(d, a, b, n, kk, m);
}

void speed_kernels_init(SpeedKernels *k, enum VmafxCpu level)
{
    *k = (SpeedKernels){ load_8, load_16, sub, vtap, cov, matmul };
#if VMAFX_HAVE_X86
    if (cpu_level_avx2(level)) speed_kernels_avx2(k);
    if (cpu_level_avx512(level)) speed_kernels_avx512(k);
#else
    (void)level;
#endif
}

/* ---- geometry -------------------------------------------------------------------------- */

int speed_kernelscale_valid(double kernelscale)
{
    /* libvmaf's list of kernel scales (vif_tools.h), compared in float */
    static const float valid[] = {
        1.0f,        1.0f / 2.0f, 3.0f / 2.0f,  2.0f,         2.0f / 3.0f, 24.0f / 10.0f, 360.0f / 97.0f,
        4.0f / 3.0f, 3.5f / 3.0f, 3.75f / 3.0f, 4.25f / 3.0f, 5.0f / 3.0f, 3.0f,          1.0f / 2.25f,
        1.4746f,     1.54f,       1.6f,         1.06667f,     0.711111f,   0.740740f,     1.111111f,
    };
    for (size_t i = 0; i < sizeof(valid) / sizeof(valid[0]); i++)
        if (fabsf((float)kernelscale - valid[i]) < 1e-3) return 1;
    return 0;
}

int speed_geometry(SpeedGeometry *g, unsigned w, unsigned h, double prescale, const char *what, char *why,
                   size_t why_len)
{
    memset(g, 0, sizeof(*g));
    g->w = w;
    g->h = h;
    g->sw = (unsigned)(int)(w * prescale + 0.5);
    g->sh = (unsigned)(int)(h * prescale + 0.5);
    g->resize = !(fabs(prescale - 1.0) < 1.0e-3);
    g->ow = g->sw >> SPEED_SCALES;
    g->oh = g->sh >> SPEED_SCALES;
    g->bw = g->ow / SPEED_BLOCK;
    g->bh = g->oh / SPEED_BLOCK;
    g->nb = g->bw * g->bh;
    if (!g->nb) {
        /* the smallest plane: 80 samples after prescale (16:1 decimation, one 5-sample block) */
        const unsigned need = 16 * SPEED_BLOCK;
        snprintf(why, why_len,
                 "image too small: %s of %ux%u%s give %ux%u after the 16:1 "
                 "decimation, and SpEED needs at least %ux%u there (planes of at least %ux%u "
                 "samples)",
                 what, g->sw, g->sh, g->resize ? " after speed_prescale" : "", g->ow, g->oh, SPEED_BLOCK,
                 SPEED_BLOCK, need, need);
        return -ERANGE;
    }
    if (!g->resize && (g->sw != w || g->sh != h)) {
        /* libvmaf skips the resize but works on the rounded size (reading unset samples) */
        snprintf(why, why_len,
                 "speed_prescale=%g is within 1e-3 of 1 but changes the %ux%u "
                 "plane's size, which libvmaf does not support",
                 prescale, w, h);
        return -EINVAL;
    }
    g->cw = g->bw * SPEED_BLOCK - SPEED_BLOCK + 1;
    g->ch = g->bh * SPEED_BLOCK - SPEED_BLOCK + 1;
    return 0;
}

/* ---- life cycle ------------------------------------------------------------------------ */

static void *alloc_floats(size_t n)
{
    return aligned_alloc(64, ((n * sizeof(float)) + 63) & ~(size_t)63);
}

static int alloc_buffers(Speed *s);

int speed_init(Speed *s, const SpeedOptions *o, unsigned w, unsigned h, enum VmafxCpu level, const char *what,
               char *why, size_t why_len)
{
    memset(s, 0, sizeof(*s));
    s->o = *o;
    if (!speed_kernelscale_valid(o->kernelscale)) {
        snprintf(why, why_len,
                 "speed_kernelscale=%g is not one of the kernel scales libvmaf "
                 "accepts (1, 0.5, 1.5, 2, 2/3, 2.4, 360/97, 4/3, 3.5/3, 3.75/3, 4.25/3, 5/3, 3, "
                 "1/2.25, 1.4746, 1.54, 1.6, 1.06667, 0.711111, 0.74074, 1.111111)",
                 o->kernelscale);
        return -EINVAL;
    }
    int err = speed_geometry(&s->g, w, h, o->prescale, what, why, why_len);
    if (err) return err;
    speed_kernels_init(&s->k, level);
    speed_filters_init(s);
    if ((err = alloc_buffers(s))) speed_close(s);
    return err;
}

static int alloc_buffers(Speed *s)
{
    const SpeedGeometry *g = &s->g;
    const size_t row = ((size_t)(g->sw > g->w ? g->sw : g->w) + 15) & ~(size_t)15;
    s->dec_stride = (g->ow + 15) & ~15u;
    const size_t plane = s->dec_stride * g->oh;
    const size_t nb25 = (size_t)SPEED_BLOCK_N * g->nb;
    s->row = alloc_floats(row);
    s->row2 = alloc_floats(row);
    s->acc = alloc_floats(row);
    s->dec = alloc_floats(plane);
    s->tmp = alloc_floats(plane > nb25 ? plane : nb25);
    s->indep = alloc_floats(nb25);
    s->sol = alloc_floats(nb25);
    s->linalg = alloc_floats(SPEED_LINALG_FLOATS);
    for (int i = 0; i < 2; i++) {
        SpeedBlocks *b = i ? &s->dis : &s->ref;
        b->entropy = alloc_floats(g->nb);
        b->variance = alloc_floats(g->nb);
        if (!b->entropy || !b->variance) return -ENOMEM;
    }
    if (g->resize) {
        s->full_stride = ((size_t)g->w + 15) & ~(size_t)15;
        if (!(s->full = alloc_floats(s->full_stride * g->h))) return -ENOMEM;
    }
    if (!s->row || !s->row2 || !s->acc || !s->dec || !s->tmp || !s->indep || !s->sol || !s->linalg)
        return -ENOMEM;
    return speed_scale_init(s);
}

void speed_close(Speed *s)
{
    void *bufs[] = { s->full,        s->col0,         s->col1,        s->colw,        s->row, s->row2,
                     s->acc,         s->dec,          s->tmp,         s->indep,       s->sol, s->linalg,
                     s->ref.entropy, s->ref.variance, s->dis.entropy, s->dis.variance };
    for (size_t i = 0; i < sizeof(bufs) / sizeof(bufs[0]); i++) free(bufs[i]);
    memset(s, 0, sizeof(*s));
}

/* ---- one plane pair -------------------------------------------------------------------- */

int speed_plane_score(Speed *s, const SpeedPlane *ref, const SpeedPlane *dis, float *score)
{
    speed_filter_plane(s, ref);
    const int bad_ref = speed_block_params(s, &s->ref);
    speed_filter_plane(s, dis);
    const int bad_dis = speed_block_params(s, &s->dis);
    /* one side singular (rare): 0 rather than an inflated score */
    *score = bad_ref != bad_dis ? 0.0f : speed_blocks_score(s);
    return bad_ref || bad_dis;
}
