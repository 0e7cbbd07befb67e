/* SpEED's block statistics (libvmaf's est_params) and the score of a plane pair.
 *
 * The decimated, mean-removed plane is cut into 5x5 blocks. The 25x25 covariance K of the
 * samples at the 25 offsets within a block (over every window position) gives, per block b
 * with samples y_b, the variance estimate s_b = y_b' K^-1 y_b / 25 and, with K's eigenvalues
 * L_k, the entropy sum_k log2(L_k s_b + sigma_nn) + log2(2 pi e). A singular K gives s = 0. */
#include <math.h>
#include <string.h>

#include "speed.h"

#define EPS 1e-6

/* Means of the 25 covariance windows (float sums, row by row). */
static void window_means(const Speed *s, float *means)
{
    const SpeedGeometry *g = &s->g;
    for (int o = 0; o < SPEED_BLOCK_N; o++) {
        const float *d = s->dec + (o / SPEED_BLOCK) * s->dec_stride + o % SPEED_BLOCK;
        float sum = 0;
        for (unsigned i = 0; i < g->ch; i++)
            for (unsigned j = 0; j < g->cw; j++) sum += d[i * s->dec_stride + j];
        means[o] = sum / (float)((size_t)g->cw * g->ch);
    }
}

static void covariance(const Speed *s, float *cov, const float *means)
{
    const SpeedGeometry *g = &s->g;
    const double n = (double)((size_t)g->cw * g->ch);
    for (int a = 0; a < SPEED_BLOCK_N; a++) {
        const float *da = s->dec + (a / SPEED_BLOCK) * s->dec_stride + a % SPEED_BLOCK;
        for (int b = 0; b <= a; b++) {
            const float *db = s->dec + (b / SPEED_BLOCK) * s->dec_stride + b % SPEED_BLOCK;
            const double sum = s->k.cov(da, db, (ptrdiff_t)s->dec_stride, g->ch, g->cw, means[a], means[b]);
            cov[a * SPEED_BLOCK_N + b] = cov[b * SPEED_BLOCK_N + a] = (float)(sum / n);
        }
    }
}

/* indep[o][b]: the sample at offset o of block b. */
static void block_samples(const Speed *s, float *indep)
{
    const SpeedGeometry *g = &s->g;
    for (int o = 0; o < SPEED_BLOCK_N; o++)
        for (unsigned by = 0; by < g->bh; by++)
            for (unsigned bx = 0; bx < g->bw; bx++)
                indep[(size_t)o * g->nb + by * g->bw + bx] =
                    s->dec[(by * SPEED_BLOCK + o / SPEED_BLOCK) * s->dec_stride + bx * SPEED_BLOCK +
                           o % SPEED_BLOCK];
}

int speed_block_params(Speed *s, SpeedBlocks *out)
{
    const SpeedGeometry *g = &s->g;
    const unsigned nb = g->nb;
    float *cov = s->linalg, *eig = cov + SPEED_BLOCK_N * SPEED_BLOCK_N;
    float *scratch = eig + SPEED_BLOCK_N;
    window_means(s, eig); /* eig holds the means until step 2 */
    covariance(s, cov, eig);
    speed_eigenvalues(cov, SPEED_BLOCK_N, eig, scratch);
    block_samples(s, s->indep);
    int singular = 0;
    for (int k = 0; k < SPEED_BLOCK_N; k++) singular |= eig[k] < EPS;
    if (!singular)
        singular = speed_solve(&s->k, cov, SPEED_BLOCK_N, s->indep, (int)nb, s->sol, scratch, s->tmp) != 0;
    if (singular) memset(s->sol, 0, sizeof(float) * SPEED_BLOCK_N * nb);
    /* s_b = sum_o x[o][b] y[o][b] / 25, summed over o in order */
    float *var = out->variance;
    for (unsigned b = 0; b < nb; b++) var[b] = (s->sol[b] * s->indep[b]) / (float)SPEED_BLOCK_N;
    for (int o = 1; o < SPEED_BLOCK_N; o++) {
        const float *x = s->sol + (size_t)o * nb, *y = s->indep + (size_t)o * nb;
        for (unsigned b = 0; b < nb; b++) var[b] += (x[b] * y[b]) / (float)SPEED_BLOCK_N;
    }
    const float snn = (float)s->o.sigma_nn;
    memset(out->entropy, 0, sizeof(float) * nb);
    for (int k = 0; k < SPEED_BLOCK_N; k++) {
        const float l = eig[k] < 0 ? 0 : eig[k];
        for (unsigned b = 0; b < nb; b++) out->entropy[b] += log2(l * var[b] + snn) + log2(2 * M_PI * M_E);
    }
    return singular;
}

/* The variance each side's entropy is weighted with, per speed_weight_var_mode. */
static void weights(int mode, float vr, float vd, double *wr, double *wd)
{
    switch (mode) {
    case 0:
        *wr = log2(1 + vr);
        *wd = log2(1 + vd);
        break;
    case 1: *wr = *wd = log2(1 + vr); break;
    case 2: *wr = *wd = log2(1 + vd); break;
    case 3: *wr = *wd = log2(1 + (vr + vd) / 2.0); break;
    case 4:
        *wr = log2(1 + vr);
        *wd = log2(1 + (vr + vd) / 2.0);
        break;
    case 5:
        *wr = log2(1 + vr);
        *wd = log2(1 + (0.75 * vr + 0.25 * vd));
        break;
    default:
        *wr = log2(1 + vr);
        *wd = log2(1 + (0.25 * vr + 0.75 * vd));
        break;
    }
}

float speed_blocks_score(const Speed *s)
{
    const float snn = (float)s->o.sigma_nn, floor_ = (float)s->o.nn_floor;
    const float base = (float)(SPEED_BLOCK_N * (log2((1 + floor_) * snn) + log2(2 * M_PI * M_E)));
    float score = 0;
    for (unsigned b = 0; b < s->g.nb; b++) {
        const float er = s->ref.entropy[b], ed = s->dis.entropy[b];
        if (er < base && ed < base) continue; /* both below the noise floor: no difference */
        double wr, wd;
        weights(s->o.weight_var_mode, s->ref.variance[b], s->dis.variance[b], &wr, &wd);
        const float sr = (float)(er * wr), sd = (float)(ed * wd);
        score += fabsf(sr - sd);
    }
    return score / (float)s->g.nb;
}
