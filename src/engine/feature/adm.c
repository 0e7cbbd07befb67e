/* Integer ADM ("adm"): the detail-loss metric adm2 of libvmaf's integer path, its per-level
 * scores, the additive-impairment metric AIM and their blend adm3 (spec section 4).
 *
 * Per frame and per level (0..3) of a db2 wavelet pyramid of the luma plane:
 *   1. DWT of reference and distorted picture (4.1, 4.2),
 *   2. split of the distorted detail bands into restored (r) and additive (a) parts (4.4),
 *   3. denominator: cube sum of the CSF-weighted reference bands (4.8),
 *   4. numerator: CSF of a gives a masking threshold for r, cube sum of what exceeds it (4.6, 4.7),
 *   5. AIM: the same with the roles of r and a exchanged and no noise term (4.9).
 *
 * The CSF weights of step 4 come from adm_csf.c: Watson's (default), Barten's, or the fixed
 * Barten/Watson blends of the VMAF v1 models (adm_csf_mode 0-3).
 *
 * A level is computed in one sweep down its rows: each new row of bands is decoupled and
 * weighted at once, and the masking sums of the row above follow as soon as its 3x3
 * neighbourhood exists. Only the approximation band is kept whole (it feeds the next level);
 * everything else lives in a few rows that stay in the cache. All per-pixel work is in the
 * row kernels of adm_kernels.h, reached through AdmKernels (scalar or SIMD, chosen in init). */
#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "extractor.h"
#include "adm_kernels.h"
#include "adm_csf.h"
#include "prefetch.h"
#include "../big_alloc.h"

#define N_LEVELS 4
#define N_BANDS ADM_BANDS
#define NAME_LEN 96
#define MIN_SIZE 33 /* below this libvmaf's DWT reads outside its level-3 input (see init) */
#define ROW_PAD 16  /* int32 elements kept free in front of and behind every row buffer */
#define RING 3      /* rows of decoupled bands and CSF weights kept for the 3x3 masking */

enum { SIDE_REF, SIDE_DIS };

/* ---- option table (order = index into p->opt) ---- */
enum {
    /* clang-format off */
    OPT_EGL, OPT_NVD, OPT_RDH, OPT_CSF_MODE, OPT_DEBUG, OPT_NW, OPT_DLMW, OPT_MIN,
    OPT_CSF_SCALE, OPT_CSF_DIAG, OPT_SKIP_AIM, OPT_SKIP_S0, N_OPTS
};
/* clang-format on */

static const ExtractorOption adm_options[N_OPTS] = {
    /* clang-format off */
    [OPT_EGL]      = { "adm_enhn_gain_limit", "egl", 100.0, 1.0, 100.0, true, false },
    [OPT_NVD]      = { "adm_norm_view_dist", "nvd", 3.0, 0.75, 24.0, true, false },
    [OPT_RDH]      = { "adm_ref_display_height", "rdh", 1080.0, 1.0, 4320.0, true, false },
    [OPT_CSF_MODE] = { "adm_csf_mode", "csf", 0.0, 0.0, 3.0, true, false },
    [OPT_DEBUG]    = { "debug", NULL, 0.0, 0.0, 1.0, false, false },
    [OPT_NW]       = { "adm_noise_weight", "nw", 0.03125, 0.0, 1500.0, true, false },
    [OPT_DLMW]     = { "adm_dlm_weight", "dlmw", 0.5, 0.0, 1.0, true, false },
    [OPT_MIN]      = { "adm_min_val", "min", 0.0, 0.0, 1.0, true, false },
    [OPT_CSF_SCALE]= { "adm_csf_scale", "scf", 1.0, 0.0, 50.0, true, false },
    [OPT_CSF_DIAG] = { "adm_csf_diag_scale", "scfd", 1.0, 0.0, 50.0, true, false },
    /* libvmaf does not name features after adm_skip_aim (AIM then reads 0) */
    [OPT_SKIP_AIM] = { "adm_skip_aim", NULL, 0.0, 0.0, 1.0, false, true },
    [OPT_SKIP_S0]  = { "adm_skip_scale0", "ssz", 0.0, 0.0, 1.0, true, true },
};
/* clang-format on */

/* ---- output features, in libvmaf's order of writing (the report order follows it) ---- */
enum {
    /* clang-format off */
    F_ADM2, F_AIM, F_ADM3, F_SCALE0,
    F_DBG_ADM = F_SCALE0 + N_LEVELS, F_DBG_NUM, F_DBG_DEN, F_DBG_NUM_SCALE0,
    N_FEATURES = F_DBG_NUM_SCALE0 + 2 * N_LEVELS
};
/* clang-format on */

static const char *const adm_provides[] = { "VMAF_integer_feature_adm2_score",
                                            "VMAF_integer_feature_aim_score",
                                            "VMAF_integer_feature_adm3_score",
                                            "integer_adm_scale0",
                                            "integer_adm_scale1",
                                            "integer_adm_scale2",
                                            "integer_adm_scale3",
                                            "integer_adm",
                                            "integer_adm_num",
                                            "integer_adm_den",
                                            "integer_adm_num_scale0",
                                            "integer_adm_den_scale0",
                                            "integer_adm_num_scale1",
                                            "integer_adm_den_scale1",
                                            "integer_adm_num_scale2",
                                            "integer_adm_den_scale2",
                                            "integer_adm_num_scale3",
                                            "integer_adm_den_scale3",
                                            NULL };

/* ---- kernel table ---- */

void adm_kernels_init(AdmKernels *k, enum VmafxCpu level)
{
    *k = (AdmKernels){
        .dwt0_vert_8 = adm_dwt0_vert_8_c,
        .dwt0_vert_16 = adm_dwt0_vert_16_c,
        .dwt0_horz = adm_dwt0_horz_c,
        .dwt1_vert = adm_dwt1_vert_c,
        .dwt_vert_32 = adm_dwt_vert_32_c,
        .dwt_horz_32 = adm_dwt_horz_32_c,
        .decouple0_row = adm_decouple0_row_c,
        .decouple32_row = adm_decouple32_row_c,
        .csf0_row = adm_csf0_row_c,
        .csf32_row = adm_csf32_row_c,
        .cm0_row = adm_cm0_row_c,
        .cm32_row = adm_cm32_row_c,
        .den0_row = adm_den0_row_c,
        .den32_row = adm_den32_row_c,
    };
#if VMAFX_HAVE_X86
    if (cpu_level_avx2(level)) adm_kernels_init_avx2(k);
    if (cpu_level_avx512(level)) adm_kernels_init_avx512(k);
#else
    (void)level;
#endif
}

/* ---- per-level constants ---- */

typedef struct Region {
    int top, bottom, left, right;
} Region;

typedef struct AdmLevel {
    int w, h;            /* band size */
    Region work;         /* decoupling and CSF (scoring region grown for the 3x3) */
    Region score;        /* numerator and denominator */
    uint16_t fix0[3];    /* level 0 CSF factors, Q21 (H,V) and Q23 (D) */
    uint32_t fix32[3];   /* levels 1-3 CSF factors, Q32 */
    int cm_shift[3];     /* per-sample cube shift of the masking sums */
    int cm_row_shift;    /* per-row shift of the masking sums */
    double cm_scale0[3]; /* level 0: 2^(remaining fraction bits) of the masking sums */
    float cm_scale32;    /* levels 1-3: the same, kept in float as libvmaf does */
    int den_row_shift;   /* per-row shift of the denominator sums */
    int den_cub_shift;   /* levels 1-3 per-sample cube shift */
    double den_scale;    /* 2^(remaining fraction bits) of the denominator sums */
    double rf_cube[3];   /* rfactor^3 (double) for the denominator */
    float noise;         /* (area * noise_weight)^(1/3) */
} AdmLevel;

/* Rows of one band triple: level 0 stores int16 samples, levels 1-3 int32, in the same
 * buffers (sized for int32). */
typedef struct BandRows {
    int16_t *s16[N_BANDS];
    int32_t *s32[N_BANDS];
} BandRows;

typedef struct AdmState {
    AdmKernels k;
    int w, h, bpc;
    bool debug, skip_aim, skip_scale0;
    double egl, dlm_weight, min_val;
    float cos1sq;
    AdmLevel lv[N_LEVELS];

    void *mem;
    int32_t *div;                 /* Q30 reciprocals, index 32768 + o, o in [-32768, 32768] */
    int16_t *ll0[2];              /* level 0 approximation band [side] */
    int32_t *ll[2][2];            /* levels 1-3 approximation bands [side][level parity]; [0]
                                  * (level 2) shares the memory of ll0 */
    int32_t *a_last;              /* level 3 approximation row (not used further) */
    void *lo, *hi;                /* DWT vertical-pass rows (padded for the horizontal taps) */
    BandRows band[2];             /* current row of the detail bands [side] */
    BandRows r[RING], a[RING];    /* decoupled rows, slot = row % RING */
    int32_t *fr[RING], *cr[RING]; /* CSF weights of r: off-centre (padded) and centre */
    int32_t *fa[RING], *ca[RING]; /* the same for a */

    char names[N_FEATURES][NAME_LEN];
} AdmState;

static inline double pow2(int e)
{
    return pow(2.0, e);
}

static inline int ceil_log2(double x)
{
    return (int)ceil(log2(x));
}

static void region_setup(AdmLevel *L)
{
    /* expressions as in libvmaf: a border of 10% (0.1 is a double), truncated toward 0 */
    const int left = (int)(L->w * 0.1 - 0.5), top = (int)(L->h * 0.1 - 0.5);
    L->score = (Region){ top, L->h - top, left, L->w - left };
    int wl = (int)(L->w * 0.1 - 0.5 - 1), wt = (int)(L->h * 0.1 - 0.5 - 1);
    int wr = L->w - wl + 2, wb = L->h - wt + 2;
    L->work = (Region){ wt < 0 ? 0 : wt, wb > L->h ? L->h : wb, wl < 0 ? 0 : wl, wr > L->w ? L->w : wr };
}

static void level_setup(AdmLevel *L, int level, const AdmCsfParams *csf, double nw)
{
    region_setup(L);
    const Region *s = &L->score;
    const int sw = s->right - s->left, sh = s->bottom - s->top;
    const int area = sw * sh;
    float w[2];
    adm_csf_weights(csf, level, w);
    const float rf[3] = { w[0], w[0], w[1] };
    for (int b = 0; b < N_BANDS; b++) L->rf_cube[b] = pow(rf[b], 3);
    L->noise = powf((float)(area * nw), 1.0f / 3.0f);
    L->cm_row_shift = ceil_log2(L->h);

    if (level == 0) {
        /* libvmaf's fixed level-0 integers for the default viewing condition differ slightly
         * from the formula (4.5 quirk); Watson's CSF only. adm_csf_check() has made sure
         * that every factor fits its type. */
        if (fabs(csf->nvd * csf->rdh - 3.0 * 1080) < 1.0e-8 && csf->mode == ADM_CSF_WATSON) {
            L->fix0[0] = L->fix0[1] = 36453;
            L->fix0[2] = 49417;
        } else {
            L->fix0[0] = L->fix0[1] = (uint16_t)(rf[0] * pow2(21));
            L->fix0[2] = (uint16_t)(rf[2] * pow2(23));
        }
        L->cm_shift[0] = L->cm_shift[1] = (int)ceil(log2(L->w) - 4);
        L->cm_shift[2] = (int)ceil(log2(L->w) - 3);
        L->cm_scale0[0] = pow2(52 - L->cm_shift[0] - L->cm_row_shift);
        L->cm_scale0[1] = L->cm_scale0[0];
        L->cm_scale0[2] = pow2(57 - L->cm_shift[2] - L->cm_row_shift);
        const int sa = (int)ceil(log2(area) - 20);
        L->den_row_shift = sa > 0 ? sa : 0;
        L->den_scale = pow2(18 - L->den_row_shift);
    } else {
        static const int cm_bits[N_LEVELS] = { 0, 45, 39, 36 };
        static const int den_bits[N_LEVELS] = { 0, 32, 27, 23 };
        for (int b = 0; b < N_BANDS; b++) L->fix32[b] = (uint32_t)(rf[b] * pow2(32));
        L->cm_shift[0] = L->cm_shift[1] = L->cm_shift[2] = ceil_log2(L->w);
        L->cm_scale32 = (float)pow2(cm_bits[level] - L->cm_shift[0] - L->cm_row_shift);
        L->den_cub_shift = ceil_log2(sw);
        L->den_row_shift = ceil_log2(sh);
        L->den_scale = pow2(den_bits[level] - L->den_row_shift - L->den_cub_shift);
    }
}

/* ---- one level, row by row ---- */

/* Source index of DWT tap position t of an n-sample signal (4.1): -1 mirrors to 1, positions
 * past the end reflect with the edge sample repeated. */
static inline int dwt_tap(int t, int n)
{
    return t < 0 ? -t : (t >= n ? 2 * n - 1 - t : t);
}

/* The horizontal pass reads the vertical-pass rows at index -1, n and n+1 (same rule). */
static void pad_dwt16(int16_t *x, int n)
{
    x[-1] = x[1];
    x[n] = x[n - 1];
    x[n + 1] = x[n - 2];
}

static void pad_dwt32(int32_t *x, int n)
{
    x[-1] = x[1];
    x[n] = x[n - 1];
    x[n + 1] = x[n - 2];
}

/* Row i of the level-0 bands of one picture (4.1). */
static void dwt_row0(AdmState *s, const VmafxPicture *pic, int side, int i)
{
    const int W = s->w, H = s->h, m = s->lv[0].w;
    const uint8_t *base = pic->data[0];
    const ptrdiff_t stride = pic->stride[0];
    int16_t *lo = s->lo, *hi = s->hi;
    /* the next output row reads two rows beyond these four (mirrored rows are cached) */
    const size_t row_bytes = (size_t)W * (s->bpc > 8 ? 2 : 1);
    for (int t = 2 * i + 3; t < 2 * i + 5 && t < H; t++) prefetch_row(base + t * stride, row_bytes);
    if (s->bpc == 8) {
        const uint8_t *row[4];
        for (int k = 0; k < 4; k++) row[k] = base + dwt_tap(2 * i - 1 + k, H) * stride;
        s->k.dwt0_vert_8(row, W, lo, hi);
    } else {
        const uint16_t *row[4];
        for (int k = 0; k < 4; k++) row[k] = (const uint16_t *)(base + dwt_tap(2 * i - 1 + k, H) * stride);
        s->k.dwt0_vert_16(row, W, s->bpc, lo, hi);
    }
    pad_dwt16(lo, W);
    pad_dwt16(hi, W);
    s->k.dwt0_horz(lo, hi, m, s->ll0[side] + (size_t)i * m, s->band[side].s16);
}

/* Row i of the level 1-3 bands from the previous level's approximation band (4.2). */
static void dwt_row32(AdmState *s, int level, int side, int i)
{
    /* level 1 has no vertical rounding or shift (its own kernel) */
    static const int64_t v_round[N_LEVELS] = { 0, 0, 32768, 32768 };
    static const int v_shift[N_LEVELS] = { 0, 0, 16, 16 };
    static const int64_t h_round[N_LEVELS] = { 0, 16384, 32768, 16384 };
    static const int h_shift[N_LEVELS] = { 0, 15, 16, 15 };
    const int n = s->lv[level - 1].w, nh = s->lv[level - 1].h, m = s->lv[level].w;
    int32_t *lo = s->lo, *hi = s->hi;
    if (level == 1) {
        const int16_t *row[4];
        for (int k = 0; k < 4; k++) row[k] = s->ll0[side] + (size_t)dwt_tap(2 * i - 1 + k, nh) * n;
        s->k.dwt1_vert(row, n, lo, hi);
    } else {
        const int32_t *src = s->ll[side][(level - 1) & 1];
        const int32_t *row[4];
        for (int k = 0; k < 4; k++) row[k] = src + (size_t)dwt_tap(2 * i - 1 + k, nh) * n;
        s->k.dwt_vert_32(row, n, v_round[level], v_shift[level], lo, hi);
    }
    pad_dwt32(lo, n);
    pad_dwt32(hi, n);
    int32_t *a = level == N_LEVELS - 1 ? s->a_last : s->ll[side][level & 1] + (size_t)i * m;
    s->k.dwt_horz_32(lo, hi, m, h_round[level], h_shift[level], a, s->band[side].s32);
}

typedef struct LevelSums {
    uint64_t den[N_BANDS];
    int64_t num[N_BANDS], aim[N_BANDS];
} LevelSums;

/* Denominator sums of the current reference row (4.8). */
static void den_row(AdmState *s, int level, LevelSums *sums)
{
    static const int sq_shift[N_LEVELS] = { 0, 31, 30, 31 };
    const AdmLevel *L = &s->lv[level];
    const int left = L->score.left, n = L->score.right - left;
    uint64_t row[N_BANDS];
    if (level == 0) {
        const int16_t *x[3];
        for (int b = 0; b < N_BANDS; b++) x[b] = s->band[SIDE_REF].s16[b] + left;
        s->k.den0_row(x, n, row);
    } else {
        const int32_t *x[3];
        for (int b = 0; b < N_BANDS; b++) x[b] = s->band[SIDE_REF].s32[b] + left;
        s->k.den32_row(x, n, sq_shift[level], L->den_cub_shift, row);
    }
    const uint64_t round = L->den_row_shift ? (uint64_t)1 << (L->den_row_shift - 1) : 0;
    for (int b = 0; b < N_BANDS; b++) sums->den[b] += (row[b] + round) >> L->den_row_shift;
}

/* The masking reads the off-centre weights one column beyond the scoring region; at a band
 * edge that column mirrors to 1 on the left and repeats w-1 on the right (section 14). */
static void pad_weights(const AdmLevel *L, int32_t *f)
{
    if (L->score.left == 0) f[-1] = f[1];
    if (L->score.right == L->w) f[L->w] = f[L->w - 1];
}

/* Decoupling of row i and the CSF weights of both parts (4.4, 4.6), over the working
 * columns, into ring slot i % RING. */
static void decouple_row(AdmState *s, int level, int i)
{
    const AdmLevel *L = &s->lv[level];
    const int left = L->work.left, n = L->work.right - left, slot = i % RING;
    if (level == 0) {
        const int16_t *o[3], *t[3], *rc[3], *ac[3];
        int16_t *r[3], *a[3];
        for (int b = 0; b < N_BANDS; b++) {
            o[b] = s->band[SIDE_REF].s16[b] + left;
            t[b] = s->band[SIDE_DIS].s16[b] + left;
            rc[b] = r[b] = s->r[slot].s16[b] + left;
            ac[b] = a[b] = s->a[slot].s16[b] + left;
        }
        s->k.decouple0_row(o, t, n, s->egl, s->cos1sq, s->div, r, a);
        s->k.csf0_row(ac, n, L->fix0, s->fa[slot] + left, s->ca[slot] + left);
        s->k.csf0_row(rc, n, L->fix0, s->fr[slot] + left, s->cr[slot] + left);
    } else {
        const int32_t *o[3], *t[3], *rc[3], *ac[3];
        int32_t *r[3], *a[3];
        for (int b = 0; b < N_BANDS; b++) {
            o[b] = s->band[SIDE_REF].s32[b] + left;
            t[b] = s->band[SIDE_DIS].s32[b] + left;
            rc[b] = r[b] = s->r[slot].s32[b] + left;
            ac[b] = a[b] = s->a[slot].s32[b] + left;
        }
        s->k.decouple32_row(o, t, n, s->egl, s->cos1sq, s->div, r, a);
        s->k.csf32_row(ac, n, L->fix32, s->fa[slot] + left, s->ca[slot] + left);
        s->k.csf32_row(rc, n, L->fix32, s->fr[slot] + left, s->cr[slot] + left);
    }
    pad_weights(L, s->fa[slot]);
    pad_weights(L, s->fr[slot]);
}

/* Masked cube sums of one band triple of row q with the weights of the other part (4.7). */
static void cm_one(AdmState *s, int level, const BandRows *x, int32_t *const f_ring[RING], const int32_t *c,
                   const int rows[3], int64_t out[N_BANDS])
{
    const AdmLevel *L = &s->lv[level];
    const int left = L->score.left, n = L->score.right - left;
    const int32_t *f[3];
    for (int k = 0; k < 3; k++) f[k] = f_ring[rows[k] % RING] + left;
    int64_t row[N_BANDS];
    if (level == 0) {
        const int16_t *xs[3];
        for (int b = 0; b < N_BANDS; b++) xs[b] = x->s16[b] + left;
        s->k.cm0_row(xs, f, c + left, n, L->fix0, L->cm_shift, row);
    } else {
        const int32_t *xs[3];
        for (int b = 0; b < N_BANDS; b++) xs[b] = x->s32[b] + left;
        s->k.cm32_row(xs, f, c + left, n, L->fix32, L->cm_shift[0], row);
    }
    const int64_t round = (int64_t)1 << (L->cm_row_shift - 1);
    for (int b = 0; b < N_BANDS; b++) out[b] = adm_add64(out[b], adm_add64(row[b], round) >> L->cm_row_shift);
}

/* Numerator (r masked by the weights of a) and AIM (a masked by those of r) of row q. Rows
 * mirror like columns: above row 0 is row 1, below the last row is the row itself. */
static void cm_rows(AdmState *s, int level, int q, LevelSums *sums)
{
    const AdmLevel *L = &s->lv[level];
    if (q < L->score.top || q >= L->score.bottom) return;
    const int rows[3] = { q == 0 ? 1 : q - 1, q, q == L->h - 1 ? q : q + 1 };
    const int slot = q % RING;
    cm_one(s, level, &s->r[slot], s->fa, s->ca[slot], rows, sums->num);
    if (!s->skip_aim) cm_one(s, level, &s->a[slot], s->fr, s->cr[slot], rows, sums->aim);
}

/* One level: every row is transformed (the approximation band feeds the next level); the
 * working rows are decoupled; the masking of row q runs once row q+1 is there. With
 * adm_skip_scale0, level 0 is only transformed (libvmaf then low-passes it alone, which
 * gives the same approximation band). */
static void level_sweep(AdmState *s, int level, const VmafxPicture *ref, const VmafxPicture *dis,
                        LevelSums *sums)
{
    const AdmLevel *L = &s->lv[level];
    const bool dwt_only = level == 0 && s->skip_scale0;
    memset(sums, 0, sizeof(*sums));
    for (int i = 0; i < L->h; i++) {
        if (level == 0) {
            dwt_row0(s, ref, SIDE_REF, i);
            dwt_row0(s, dis, SIDE_DIS, i);
        } else {
            dwt_row32(s, level, SIDE_REF, i);
            dwt_row32(s, level, SIDE_DIS, i);
        }
        if (dwt_only) continue;
        if (i >= L->score.top && i < L->score.bottom) den_row(s, level, sums);
        if (i >= L->work.top && i < L->work.bottom) decouple_row(s, level, i);
        if (i > 0) cm_rows(s, level, i - 1, sums);
    }
    if (!dwt_only) cm_rows(s, level, L->h - 1, sums);
}

/* Sum over the three bands of (value^(1/3) + noise), in float, H then V then D. */
static float band_total(const double v[3], float noise)
{
    const float third = 1.0f / 3.0f;
    const float h = powf((float)v[0], third) + noise;
    const float vv = powf((float)v[1], third) + noise;
    const float d = powf((float)v[2], third) + noise;
    return h + vv + d;
}

static float den_score(const AdmLevel *L, const LevelSums *sums)
{
    double csf[3];
    for (int b = 0; b < N_BANDS; b++) csf[b] = ((double)sums->den[b] / L->den_scale) * L->rf_cube[b];
    return band_total(csf, L->noise);
}

static float cm_score(const AdmLevel *L, int level, const int64_t acc[N_BANDS], float noise)
{
    double v[3];
    for (int b = 0; b < N_BANDS; b++) {
        /* level 0 scales in double, levels 1-3 convert the sum to float first (libvmaf) */
        v[b] = level == 0 ? (float)((double)acc[b] / L->cm_scale0[b]) : (float)acc[b] / L->cm_scale32;
    }
    return band_total(v, noise);
}

typedef struct AdmScores {
    double adm2, aim, num, den;
    float num_s[N_LEVELS], den_s[N_LEVELS];
} AdmScores;

static void adm_compute(AdmState *s, const VmafxPicture *ref, const VmafxPicture *dis, AdmScores *out)
{
    double num = 0, den = 0, aim_num = 0;
    for (int level = 0; level < N_LEVELS; level++) {
        const AdmLevel *L = &s->lv[level];
        LevelSums sums;
        level_sweep(s, level, ref, dis, &sums);
        float d, n, a;
        if (level == 0 && s->skip_scale0) {
            d = 1e-10f; /* libvmaf's stand-in denominator of the skipped level */
            n = a = 0.0f;
        } else {
            d = den_score(L, &sums);
            n = cm_score(L, level, sums.num, L->noise);
            /* AIM: threshold from the restored part, masked signal the additive part, no
             * noise term; 0 when skipped */
            a = s->skip_aim ? 0.0f : cm_score(L, level, sums.aim, 0.0f);
        }
        out->num_s[level] = n;
        out->den_s[level] = d;
        num += n;
        den += d;
        aim_num += a;
    }
    const double limit = 1e-10 * (s->w * s->h) / (1920.0 * 1080.0);
    if (num < limit) num = 0;
    if (den < limit) den = 0;
    /* libvmaf leaves AIM unset when den is 0 (flat reference); 0 is reported then */
    out->adm2 = den == 0.0 ? 1.0 : num / den;
    out->aim = den == 0.0 ? 0.0 : aim_num / den;
    out->num = num;
    out->den = den;
}

/* ---- extractor interface ---- */

static size_t align64(size_t n)
{
    return (n + 63) & ~(size_t)63;
}

/* Carves the approximation planes and the row buffers out of one allocation; with base NULL
 * only sizes it. Every row has ROW_PAD int32 of slack on both sides. */
static size_t layout(AdmState *s, uint8_t *base)
{
    const size_t n0 = (size_t)s->lv[0].w * s->lv[0].h, n1 = (size_t)s->lv[1].w * s->lv[1].h;
    /* vertical-pass rows: int16 of the picture width (level 0) or int32 of the level-0 band
     * width (levels 1-3); other rows: at most a level-0 band width of int32 */
    const size_t dwt_row = (size_t)s->w + 2 * ROW_PAD, band_row = (size_t)s->lv[0].w + 2 * ROW_PAD;
    size_t off = 0;
/* clang-format off */
#define CARVE(ptr, type, count, skip)                                          \
    do {                                                                       \
        if (base) (ptr) = (type *)(void *)(base + off) + (skip);               \
        off += align64(sizeof(type) * (count));                                \
    } while (0)
/* clang-format on */
#define CARVE_ROW(ptr) CARVE(ptr, int32_t, band_row, ROW_PAD)
    CARVE(s->div, int32_t, 65537, 0);
    const size_t n2 = (size_t)s->lv[2].w * s->lv[2].h;
    for (int side = 0; side < 2; side++) {
        /* level 0 (int16) and, once level 1 has read it, level 2 (int32) */
        CARVE(s->ll0[side], int16_t, n0 > 2 * n2 ? n0 : 2 * n2, 0);
        if (base) s->ll[side][0] = (int32_t *)(void *)s->ll0[side];
        CARVE(s->ll[side][1], int32_t, n1, 0); /* levels 1 and 3 */
    }
    CARVE(s->lo, int32_t, dwt_row, ROW_PAD);
    CARVE(s->hi, int32_t, dwt_row, ROW_PAD);
    CARVE_ROW(s->a_last);
    for (int b = 0; b < N_BANDS; b++) {
        for (int side = 0; side < 2; side++) {
            CARVE_ROW(s->band[side].s32[b]);
            s->band[side].s16[b] = (int16_t *)(void *)s->band[side].s32[b];
        }
        for (int k = 0; k < RING; k++) {
            CARVE_ROW(s->r[k].s32[b]);
            CARVE_ROW(s->a[k].s32[b]);
            s->r[k].s16[b] = (int16_t *)(void *)s->r[k].s32[b];
            s->a[k].s16[b] = (int16_t *)(void *)s->a[k].s32[b];
        }
    }
    for (int k = 0; k < RING; k++) {
        CARVE_ROW(s->fr[k]);
        CARVE_ROW(s->cr[k]);
        CARVE_ROW(s->fa[k]);
        CARVE_ROW(s->ca[k]);
    }
#undef CARVE_ROW
#undef CARVE
    return off;
}

static void build_names(AdmState *s, const char *suffix)
{
    static const struct {
        int id;
        const char *base, *alias;
    } fixed[] = {
        { F_ADM2, "VMAF_integer_feature_adm2_score", "integer_adm2" },
        { F_AIM, "VMAF_integer_feature_aim_score", "integer_aim" },
        { F_ADM3, "VMAF_integer_feature_adm3_score", "integer_adm3" },
        { F_DBG_ADM, "integer_adm", "integer_adm" },
        { F_DBG_NUM, "integer_adm_num", "integer_adm_num" },
        { F_DBG_DEN, "integer_adm_den", "integer_adm_den" },
    };
    for (size_t i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++)
        feature_name(s->names[fixed[i].id], NAME_LEN, fixed[i].base, fixed[i].alias, suffix);
    for (int l = 0; l < N_LEVELS; l++) {
        char n[NAME_LEN];
        snprintf(n, sizeof(n), "integer_adm_scale%d", l);
        feature_name(s->names[F_SCALE0 + l], NAME_LEN, n, n, suffix);
        snprintf(n, sizeof(n), "integer_adm_num_scale%d", l);
        feature_name(s->names[F_DBG_NUM_SCALE0 + 2 * l], NAME_LEN, n, n, suffix);
        snprintf(n, sizeof(n), "integer_adm_den_scale%d", l);
        feature_name(s->names[F_DBG_NUM_SCALE0 + 2 * l + 1], NAME_LEN, n, n, suffix);
    }
}

static AdmCsfParams csf_params(const double *opt)
{
    return (AdmCsfParams){ .mode = (int)opt[OPT_CSF_MODE],
                           .nvd = opt[OPT_NVD],
                           .rdh = (int)opt[OPT_RDH],
                           .scale = opt[OPT_CSF_SCALE],
                           .diag_scale = opt[OPT_CSF_DIAG] };
}

static int adm_check(const double *opt, char *why, size_t n)
{
    if (opt[OPT_CSF_MODE] != floor(opt[OPT_CSF_MODE]) || opt[OPT_RDH] != floor(opt[OPT_RDH])) {
        snprintf(why, n, "adm_csf_mode and adm_ref_display_height must be integers");
        return -EINVAL;
    }
    const AdmCsfParams csf = csf_params(opt);
    return adm_csf_check(&csf, why, n);
}

static int adm_init(void *priv, const ExtractorParams *p)
{
    AdmState *s = priv;
    const AdmCsfParams csf = csf_params(p->opt);
    char why[160];
    /* normally refused before, at setup; here for callers that skip check() */
    if (adm_check(p->opt, why, sizeof(why))) return -EINVAL;
    /* every level's DWT input must have >= 5 samples per side for libvmaf's index rule and
     * the level-0 cube shift ceil(log2(w) - 4) must be positive */
    if (p->w < MIN_SIZE || p->h < MIN_SIZE) {
        if (p->why_len)
            snprintf(p->why, p->why_len,
                     "the %ux%u picture is too small (the integer ADM needs "
                     "at least %dx%d)",
                     p->w, p->h, MIN_SIZE, MIN_SIZE);
        return -ERANGE;
    }

    adm_kernels_init(&s->k, p->kernels ? p->kernels->level : VMAFX_CPU_SCALAR);
    s->w = (int)p->w;
    s->h = (int)p->h;
    s->bpc = (int)p->bpc;
    s->egl = p->opt[OPT_EGL];
    if (s->egl != floor(s->egl)) { /* libvmaf's rounding of a fractional limit: adm_kernels.h */
        s->k.decouple0_row = adm_decouple0_row_libvmaf;
        s->k.decouple32_row = adm_decouple32_row_libvmaf;
    }
    s->debug = p->opt[OPT_DEBUG] != 0.0;
    s->dlm_weight = p->opt[OPT_DLMW];
    s->min_val = p->opt[OPT_MIN];
    s->skip_aim = p->opt[OPT_SKIP_AIM] != 0.0;
    s->skip_scale0 = p->opt[OPT_SKIP_S0] != 0.0;
    s->cos1sq = (float)(cos(1.0 * M_PI / 180.0) * cos(1.0 * M_PI / 180.0));

    int w = s->w, h = s->h;
    for (int l = 0; l < N_LEVELS; l++) {
        w = (w + 1) / 2;
        h = (h + 1) / 2;
        s->lv[l].w = w;
        s->lv[l].h = h;
        level_setup(&s->lv[l], l, &csf, p->opt[OPT_NW]);
    }

    const size_t size = layout(s, NULL);
    s->mem = big_zeroed(size); /* per worker, megabytes at 1080p: huge pages */
    if (!s->mem) return -ENOMEM;
    layout(s, s->mem);
    s->div[32768] = 0;
    for (int i = 1; i <= 32768; i++) {
        s->div[32768 + i] = (int32_t)((1 << 30) / i);
        s->div[32768 - i] = -s->div[32768 + i];
    }
    build_names(s, p->suffix);
    return 0;
}

static int adm_extract(void *priv, const FrameInput *in, FeatureCollector *out)
{
    AdmState *s = priv;
    AdmScores r;
    adm_compute(s, in->ref, in->dis, &r);

    double v[N_FEATURES];
    v[F_ADM2] = r.adm2;
    v[F_AIM] = r.aim;
    const double adm3 = r.adm2 * s->dlm_weight + (1 - r.aim) * (1 - s->dlm_weight);
    v[F_ADM3] = adm3 > s->min_val ? adm3 : s->min_val;
    for (int l = 0; l < N_LEVELS; l++) {
        v[F_SCALE0 + l] = (double)r.num_s[l] / (double)r.den_s[l];
        v[F_DBG_NUM_SCALE0 + 2 * l] = r.num_s[l];
        v[F_DBG_NUM_SCALE0 + 2 * l + 1] = r.den_s[l];
    }
    v[F_DBG_ADM] = r.adm2;
    v[F_DBG_NUM] = r.num;
    v[F_DBG_DEN] = r.den;

    const int n = s->debug ? N_FEATURES : F_DBG_ADM;
    for (int i = 0; i < n; i++) {
        int err = collector_put(out, s->names[i], in->index, v[i]);
        if (err) return err;
    }
    return 0;
}

static void adm_close(void *priv)
{
    AdmState *s = priv;
    big_free(s->mem);
    s->mem = NULL;
}

const FeatureExtractor extractor_adm = {
    .name = "adm",
    .provides = adm_provides,
    .options = adm_options,
    .n_options = N_OPTS,
    .flags = 0,
    .priv_size = sizeof(AdmState),
    .init = adm_init,
    .extract = adm_extract,
    .close = adm_close,
    .check = adm_check,
};
