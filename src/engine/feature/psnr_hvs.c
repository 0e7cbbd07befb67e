/* psnr_hvs: PSNR-HVS (Egiazarian et al.), libvmaf's version of Xiph's implementation
 * (libvmaf third_party/xiph/psnr_hvs.c): per plane, 8x8 blocks taken every 7 samples are
 * transformed with Daala's integer 8-point DCT; the coefficient errors above a contrast-
 * masking threshold, weighted by a CSF table, give a mean squared error on the sample scale:
 *   psnr_hvs_y/cb/cr = -10 log10(mse / (2^bpc - 1)^2),
 *   psnr_hvs = the same of 0.8 mse_y + 0.1 (mse_cb + mse_cr).
 * Float arithmetic in libvmaf's order throughout (the sums are float, as there). */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>

#include "extractor.h"

static const char *const provides[] = { "psnr_hvs_y", "psnr_hvs_cb", "psnr_hvs_cr", "psnr_hvs", NULL };

/* CSF-derived inverse quantisation matrices at the point of transparency (Xiph's tables). */
static const float csf_tab[3][8][8] = {
    {
        { 1.6193873005, 2.2901594831, 2.08509755623, 1.48366094411, 1.00227514334, 0.678296995242,
          0.466224900598, 0.3265091542 },
        { 2.2901594831, 1.94321815382, 2.04793073064, 1.68731108984, 1.2305666963, 0.868920337363,
          0.61280991668, 0.436405793551 },
        { 2.08509755623, 2.04793073064, 1.34329019223, 1.09205635862, 0.875748795257, 0.670882927016,
          0.501731932449, 0.372504254596 },
        { 1.48366094411, 1.68731108984, 1.09205635862, 0.772819797575, 0.605636379554, 0.48309405692,
          0.380429446972, 0.295774038565 },
        { 1.00227514334, 1.2305666963, 0.875748795257, 0.605636379554, 0.448996256676, 0.352889268808,
          0.283006984131, 0.226951348204 },
        { 0.678296995242, 0.868920337363, 0.670882927016, 0.48309405692, 0.352889268808, 0.27032073436,
          0.215017739696, 0.17408067321 },
        { 0.466224900598, 0.61280991668, 0.501731932449, 0.380429446972, 0.283006984131, 0.215017739696,
          0.168869545842, 0.136153931001 },
        { 0.3265091542, 0.436405793551, 0.372504254596, 0.295774038565, 0.226951348204, 0.17408067321,
          0.136153931001, 0.109083846276 },
    },
    {
        { 1.91113096927, 2.46074210438, 1.18284184739, 1.14982565193, 1.05017074788, 0.898018824055,
          0.74725392039, 0.615105596242 },
        { 2.46074210438, 1.58529308355, 1.21363250036, 1.38190029285, 1.33100189972, 1.17428548929,
          0.996404342439, 0.830890433625 },
        { 1.18284184739, 1.21363250036, 0.978712413627, 1.02624506078, 1.03145147362, 0.960060382087,
          0.849823426169, 0.731221236837 },
        { 1.14982565193, 1.38190029285, 1.02624506078, 0.861317501629, 0.801821139099, 0.751437590932,
          0.685398513368, 0.608694761374 },
        { 1.05017074788, 1.33100189972, 1.03145147362, 0.801821139099, 0.676555426187, 0.605503172737,
          0.55002013668, 0.495804539034 },
        { 0.898018824055, 1.17428548929, 0.960060382087, 0.751437590932, 0.605503172737, 0.514674450957,
          0.454353482512, 0.407050308965 },
        { 0.74725392039, 0.996404342439, 0.849823426169, 0.685398513368, 0.55002013668, 0.454353482512,
          0.389234902883, 0.342353999733 },
        { 0.615105596242, 0.830890433625, 0.731221236837, 0.608694761374, 0.495804539034, 0.407050308965,
          0.342353999733, 0.295530605237 },
    },
    {
        { 2.03871978502, 2.62502345193, 1.26180942886, 1.11019789803, 1.01397751469, 0.867069376285,
          0.721500455585, 0.593906509971 },
        { 2.62502345193, 1.69112867013, 1.17180569821, 1.3342742857, 1.28513006198, 1.13381474809,
          0.962064122248, 0.802254508198 },
        { 1.26180942886, 1.17180569821, 0.944981930573, 0.990876405848, 0.995903384143, 0.926972725286,
          0.820534991409, 0.706020324706 },
        { 1.11019789803, 1.3342742857, 0.990876405848, 0.831632933426, 0.77418706195, 0.725539939514,
          0.661776842059, 0.587716619023 },
        { 1.01397751469, 1.28513006198, 0.995903384143, 0.77418706195, 0.653238524286, 0.584635025748,
          0.531064164893, 0.478717061273 },
        { 0.867069376285, 1.13381474809, 0.926972725286, 0.725539939514, 0.584635025748, 0.496936637883,
          0.438694579826, 0.393021669543 },
        { 0.721500455585, 0.962064122248, 0.820534991409, 0.661776842059, 0.531064164893, 0.438694579826,
          0.375820256136, 0.330555063063 },
        { 0.593906509971, 0.802254508198, 0.706020324706, 0.587716619023, 0.478717061273, 0.393021669543,
          0.330555063063, 0.285345396658 },
    },
};

typedef struct PsnrHvs {
    float mask[3][8][8]; /* (csf * 0.38857...)^2: the masking weights */
} PsnrHvs;

/* ---- Daala's 8-point integer DCT (lifting steps; shifts round as Daala's) ---- */

static inline int32_t half(int32_t a) /* a / 2 rounded toward zero */
{
    return (int32_t)(((uint32_t)a >> 31) + (uint32_t)a) >> 1;
}

static inline int32_t mul_shift(int32_t a, int32_t c, int shift)
{
    return (a * c + (1 << (shift - 1))) >> shift;
}

static void dct8(int32_t out[8], const int32_t *in, int stride)
{
    int32_t t0 = in[0], t4 = in[stride], t2 = in[2 * stride], t6 = in[3 * stride];
    int32_t t7 = in[4 * stride], t3 = in[5 * stride], t5 = in[6 * stride], t1 = in[7 * stride];
    /* +1/-1 butterflies */
    t1 = t0 - t1;
    const int32_t t1h = half(t1);
    t0 -= t1h;
    t4 += t5;
    const int32_t t4h = half(t4);
    t5 -= t4h;
    t3 = t2 - t3;
    t2 -= half(t3);
    t6 += t7;
    const int32_t t6h = half(t6);
    t7 = t6h - t7;
    /* embedded 4-point DCT-II */
    t0 += t6h;
    t6 = t0 - t6;
    t2 = t4h - t2;
    t4 = t2 - t4;
    /* 2-point DCT-II: tan(pi/8), sin(pi/4) */
    t0 -= mul_shift(t4, 13573, 15);
    t4 += mul_shift(t0, 11585, 14);
    t0 -= mul_shift(t4, 13573, 15);
    /* 2-point DST-IV: angle 3pi/8 */
    t6 -= mul_shift(t2, 21895, 15);
    t2 += mul_shift(t6, 15137, 14);
    t6 -= mul_shift(t2, 21895, 15);
    /* embedded 4-point DST-IV */
    t3 += mul_shift(t5, 19195, 15);
    t5 += mul_shift(t3, 11585, 14);
    t3 -= mul_shift(t5, 7489, 13);
    t7 = half(t5) - t7;
    t5 -= t7;
    t3 = t1h - t3;
    t1 -= t3;
    /* rotations by pi/16 and 3pi/16 */
    t7 += mul_shift(t1, 3227, 15);
    t1 -= mul_shift(t7, 6393, 15);
    t7 += mul_shift(t1, 3227, 15);
    t5 += mul_shift(t3, 2485, 13);
    t3 -= mul_shift(t5, 18205, 15);
    t5 += mul_shift(t3, 2485, 13);
    out[0] = t0;
    out[1] = t1;
    out[2] = t2;
    out[3] = t3;
    out[4] = t4;
    out[5] = t5;
    out[6] = t6;
    out[7] = t7;
}

/* 2-D DCT in place: columns into rows of a temporary, then its columns. */
static void dct8x8(int32_t *b)
{
    int32_t z[64];
    for (int i = 0; i < 8; i++) dct8(z + 8 * i, b + i, 8);
    for (int i = 0; i < 8; i++) dct8(b + 8 * i, z + i, 8);
}

/* ---- one block ---- */

/* Samples of the 8x8 block at (x, y), its variance ratio (sum of the four quadrant variances
 * over the block variance: flat blocks mask less) and then its DCT. */
static float load_block(const VmafxPicture *pic, unsigned p, unsigned x, unsigned y, int32_t *b)
{
    float gmean = 0, means[4] = { 0, 0, 0, 0 }, gvar = 0, vars[4] = { 0, 0, 0, 0 };
    for (int i = 0; i < 8; i++)
        for (int j = 0; j < 8; j++) {
            const size_t o = (size_t)(y + i) * (pic->bpc > 8 ? pic->stride[p] / 2 : pic->stride[p]) + x + j;
            b[i * 8 + j] = pic->bpc > 8 ? ((const uint16_t *)pic->data[p])[o]
                                        : ((const uint8_t *)pic->data[p])[o];
            gmean += b[i * 8 + j];
            means[(i >> 2) + 2 * (j >> 2)] += b[i * 8 + j];
        }
    gmean /= 64.f;
    for (int q = 0; q < 4; q++) means[q] /= 16.f;
    for (int i = 0; i < 8; i++)
        for (int j = 0; j < 8; j++) {
            const int q = (i >> 2) + 2 * (j >> 2);
            gvar += (b[i * 8 + j] - gmean) * (b[i * 8 + j] - gmean);
            vars[q] += (b[i * 8 + j] - means[q]) * (b[i * 8 + j] - means[q]);
        }
    gvar *= 1 / 63.f * 64;
    for (int q = 0; q < 4; q++) vars[q] *= 1 / 15.f * 16;
    if (gvar > 0) gvar = (vars[0] + vars[1] + vars[2] + vars[3]) / gvar;
    dct8x8(b);
    return gvar;
}

static float masking(const int32_t *b, float var_ratio, const float mask[8][8])
{
    float m = 0;
    for (int i = 0; i < 8; i++)
        for (int j = i == 0; j < 8; j++) m += b[i * 8 + j] * b[i * 8 + j] * mask[i][j];
    return (float)(sqrt(m * var_ratio) / 32.f);
}

/* Mean CSF-weighted squared error above the masking threshold of plane p, on the sample
 * scale (libvmaf calc_psnrhvs). */
static double plane_mse(const PsnrHvs *s, const VmafxPicture *ref, const VmafxPicture *dis, unsigned p)
{
    const float(*csf)[8] = csf_tab[p];
    const float(*mask)[8] = s->mask[p];
    const int w = (int)ref->w[p], h = (int)ref->h[p];
    float ret = 0;
    int n = 0;
    int32_t bs[64], bd[64];
    for (int y = 0; y < h - 7; y += 7)
        for (int x = 0; x < w - 7; x += 7) {
            const float rs = load_block(ref, p, (unsigned)x, (unsigned)y, bs);
            const float rd = load_block(dis, p, (unsigned)x, (unsigned)y, bd);
            float m = masking(bs, rs, mask);
            const float md = masking(bd, rd, mask);
            if (md > m) m = md;
            for (int i = 0; i < 8; i++)
                for (int j = 0; j < 8; j++) {
                    float err = (float)abs(bs[i * 8 + j] - bd[i * 8 + j]);
                    if (i != 0 || j != 0) err = err < m / mask[i][j] ? 0 : err - m / mask[i][j];
                    ret += (err * csf[i][j]) * (err * csf[i][j]);
                    n++;
                }
        }
    ret /= n;
    const int32_t peak = (1 << ref->bpc) - 1;
    ret /= peak * peak;
    return ret;
}

static int init(void *priv, const ExtractorParams *p)
{
    PsnrHvs *s = priv;
    if (p->bpc > 12) return -EINVAL; /* libvmaf: bpc must be at most 12 */
    for (int q = 0; q < 3; q++)
        for (int x = 0; x < 8; x++)
            for (int y = 0; y < 8; y++)
                s->mask[q][x][y] = (float)((csf_tab[q][x][y] * 0.3885746225901003) *
                                           (csf_tab[q][x][y] * 0.3885746225901003));
    return 0;
}

static int extract(void *priv, const FrameInput *in, FeatureCollector *out)
{
    const PsnrHvs *s = priv;
    double mse[3];
    for (unsigned p = 0; p < 3; p++) {
        mse[p] = plane_mse(s, in->ref, in->dis, p);
        int err = collector_put(out, provides[p], in->index, 10 * (-1 * log10(mse[p])));
        if (err) return err;
    }
    const double all = mse[0] * .8 + .1 * (mse[1] + mse[2]);
    return collector_put(out, "psnr_hvs", in->index, 10 * (-1 * log10(all)));
}

const FeatureExtractor extractor_psnr_hvs = {
    .name = "psnr_hvs",
    .provides = provides,
    .flags = EXTRACTOR_CHROMA,
    .priv_size = sizeof(PsnrHvs),
    .init = init,
    .extract = extract,
};
