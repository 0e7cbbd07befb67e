/* CAMBI, the banding metric of libvmaf 3.2 ("cambi"), bit-exact with it: options and their
 * names, the encode/source resolutions, the full-reference mode and the heat maps. The score
 * of a picture is computed in cambi_frame.c.
 *
 * Heat maps (heatmaps_path): the engine does no file I/O, so the c-values of each scale go,
 * as libvmaf writes them (16-bit samples, one file per scale, frame n at offset n * w * h * 2),
 * to the caller's VmafxFileSink (VmafxConfig.files); without one the option is refused. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cambi.h"
#include "extractor.h"

#define NAME_LEN 128
#define DEFAULT_TOPK 0.6

static const char *const eotf_names[] = { "bt1886", "pq", NULL };

/* libvmaf's options table, in its order. */
enum {
    /* clang-format off */
    OPT_MAX_VAL, OPT_ENC_W, OPT_ENC_H, OPT_ENC_BD, OPT_SRC_W, OPT_SRC_H, OPT_WINDOW, OPT_TOPK,
    OPT_CAMBI_TOPK, OPT_TVI, OPT_VLT, OPT_MLC, OPT_HEATMAPS, OPT_FULL_REF, OPT_EOTF,
    OPT_CAMBI_EOTF, OPT_HRS, N_OPTIONS
};
/* clang-format on */

static const ExtractorOption options[N_OPTIONS] = {
    { "cambi_max_val", "cmxv", 1000.0, 0.0, 1000.0, true, false },
    { "enc_width", "encw", 0, 180, 7680, true, false },
    { "enc_height", "ench", 0, 150, 7680, true, false },
    { "enc_bitdepth", "encbd", 0, 6, 16, true, false },
    { "src_width", "srcw", 0, 320, 7680, true, false },
    { "src_height", "srch", 0, 200, 4320, true, false },
    { "window_size", "ws", 65, 15, 127, true, false },
    { "topk", NULL, DEFAULT_TOPK, 0.0001, 1.0, true, false },
    { "cambi_topk", "ctpk", DEFAULT_TOPK, 0.0001, 1.0, true, false },
    { "tvi_threshold", "tvit", 0.019, 0.0001, 1.0, true, false },
    { "cambi_vis_lum_threshold", "vlt", 0.0, 0.0, 300.0, true, false },
    { "max_log_contrast", "mlc", 2, 0, 5, true, false },
    { "heatmaps_path", NULL, 0, 0, 0, false, false },
    { "full_ref", NULL, 0, 0, 1, false, true },
    { "eotf", NULL, 0, 0, 1, true, false },
    { "cambi_eotf", "ceot", 0, 0, 1, true, false },
    { "cambi_high_res_speedup", "hrs", 0, 0, 2160, true, false },
};

static const ExtractorOptionKind kinds[] = {
    { .name = "eotf", .choices = eotf_names },
    { .name = "cambi_eotf", .choices = eotf_names },
    { .name = "heatmaps_path", .text = true },
    { .name = NULL },
};

enum { F_CAMBI, F_SOURCE, F_FULL_REF, N_FEATURES };

static const char *const provides[] = { "Cambi_feature_cambi_score", NULL };
static const char *const feature_base[N_FEATURES] = { "Cambi_feature_cambi_score", "cambi_source",
                                                      "cambi_full_reference" };

typedef struct CambiState {
    unsigned enc_w, enc_h, src_w, src_h;
    int enc_bitdepth, window, src_window, high_res_speedup;
    double topk, max_val;
    bool full_ref;
    const char *heatmaps; /* directory, or NULL */
    const VmafxFileSink *files;
    CambiWork work;
    char name[N_FEATURES][NAME_LEN];
} CambiState;

/* ---- heat maps ------------------------------------------------------------------------- */

typedef struct MapWriter {
    const CambiState *s;
    unsigned frame;
} MapWriter;

static void map_file_name(const CambiState *s, int scale, char *buf, size_t n)
{
    unsigned w = s->enc_w, h = s->enc_h; /* named by the encode size halved per scale, as */
    for (int k = 0; k < scale; k++) {    /* libvmaf does, also with high_res_speedup      */
        w = (w + 1) >> 1;
        h = (h + 1) >> 1;
    }
    snprintf(buf, n, "cambi_heatmap_scale_%d_%ux%u_16b.gray", scale, w, h);
}

/* c-values as 16-bit samples scaled so that the largest possible c-value is 65535. */
static int write_map(void *user, int scale, const float *c, int w, int h)
{
    const MapWriter *mw = user;
    const CambiState *s = mw->s;
    const CambiCParams *p = &s->work.cp;
    int max_weight = p->weight[0];
    for (int d = 0; d < p->num_diffs; d++)
        if (p->weight[d] > max_weight) max_weight = p->weight[d];
    const double scaling = 65535.0 / (max_weight * s->window * s->window / 4);
    uint16_t *buf = malloc((size_t)w * h * sizeof(*buf));
    if (!buf) return -ENOMEM;
    for (size_t i = 0; i < (size_t)w * h; i++) buf[i] = (uint16_t)(scaling * c[i]);
    char name[96];
    map_file_name(s, scale, name, sizeof(name));
    const uint64_t offset = (uint64_t)mw->frame * h * w * sizeof(*buf);
    int err = s->files->write_at(s->files->user, s->heatmaps, name, offset, buf,
                                 (size_t)w * h * sizeof(*buf));
    free(buf);
    return err;
}

static int create_maps(const CambiState *s)
{
    for (int scale = 0; scale < CAMBI_SCALES; scale++) {
        char name[96];
        map_file_name(s, scale, name, sizeof(name));
        int err = s->files->create(s->files->user, s->heatmaps, name);
        if (err) return err;
    }
    return 0;
}

/* ---- frames ---------------------------------------------------------------------------- */

static int score(CambiState *s, const VmafxPicture *pic, bool source, unsigned frame, double *out)
{
    MapWriter mw = { s, frame };
    CambiPictureJob job = {
        .w = source ? s->src_w : s->enc_w,
        .h = source ? s->src_h : s->enc_h,
        .enc_bitdepth = s->enc_bitdepth,
        .window = source ? s->src_window : s->window,
        .high_res_speedup = s->high_res_speedup,
        .topk = s->topk,
        .map = s->heatmaps && !source ? write_map : NULL,
        .map_user = &mw,
    };
    return cambi_score_picture(&s->work, pic, &job, out);
}

static int extract(void *priv, const FrameInput *in, FeatureCollector *out)
{
    CambiState *s = priv;
    double dis, src;
    int err = score(s, in->dis, false, in->index, &dis);
    if (!err) err = collector_put(out, s->name[F_CAMBI], in->index, dis < s->max_val ? dis : s->max_val);
    if (err || !s->full_ref) return err;
    if ((err = score(s, in->ref, true, in->index, &src))) return err;
    double combined = dis - src > 0 ? dis - src : 0;
    err = collector_put(out, s->name[F_SOURCE], in->index, src < s->max_val ? src : s->max_val);
    if (!err)
        err = collector_put(out, s->name[F_FULL_REF], in->index,
                            combined < s->max_val ? combined : s->max_val);
    return err;
}

/* ---- life cycle ------------------------------------------------------------------------ */

#define REFUSE(...) (snprintf(p->why, p->why_len, __VA_ARGS__), -EINVAL)

/* The encode and source resolutions (libvmaf's rules: unset means the picture's, an encode
 * larger than the picture is the picture's) and their checks. */
static int resolutions(CambiState *s, const ExtractorParams *p)
{
    s->enc_w = (unsigned)p->opt[OPT_ENC_W];
    s->enc_h = (unsigned)p->opt[OPT_ENC_H];
    s->src_w = (unsigned)p->opt[OPT_SRC_W];
    s->src_h = (unsigned)p->opt[OPT_SRC_H];
    if (!s->enc_w || !s->enc_h || s->enc_w > p->w || s->enc_h > p->h) {
        s->enc_w = p->w;
        s->enc_h = p->h;
    }
    if (!s->src_w || !s->src_h) {
        s->src_w = p->w;
        s->src_h = p->h;
    }
    if (s->enc_w < CAMBI_MIN_SIZE && s->enc_h < CAMBI_MIN_SIZE)
        return REFUSE("the encode resolution %ux%u is below CAMBI's minimum (%d in width or "
                      "height)",
                      s->enc_w, s->enc_h, CAMBI_MIN_SIZE);
    if (s->src_w < CAMBI_MIN_SIZE && s->src_h < CAMBI_MIN_SIZE)
        return REFUSE("the source resolution %ux%u is below CAMBI's minimum (%d in width or "
                      "height)",
                      s->src_w, s->src_h, CAMBI_MIN_SIZE);
    if ((s->src_w > s->enc_w && s->src_h < s->enc_h) || (s->src_w < s->enc_w && s->src_h > s->enc_h))
        return REFUSE("source %ux%u and encode %ux%u resolutions must not be larger in one "
                      "dimension and smaller in the other",
                      s->src_w, s->src_h, s->enc_w, s->enc_h);
    return 0;
}

/* The five scales need the window inside the picture at every scale: libvmaf reads outside
 * the scaled picture there (so its result is not defined), vmafx refuses. */
static int window_fits(const ExtractorParams *p, unsigned w, unsigned h, int window, int hrs,
                       const char *which)
{
    unsigned sw = w, sh = h;
    for (int k = 0; k < CAMBI_SCALES - 1 + (hrs != 0); k++) {
        sw = (sw + 1) >> 1;
        sh = (sh + 1) >> 1;
    }
    if ((int)sw < window || (int)sh < window)
        return REFUSE("the %s resolution %ux%u is too narrow for CAMBI's window of %d at its "
                      "coarsest scale (%ux%u)",
                      which, w, h, window, sw, sh);
    return 0;
}

static int high_res_speedup(int hrs, unsigned w, unsigned h)
{
    const unsigned pix = w * h;
    if (hrs == 1080) return pix >= 1920u * 1080 ? hrs : 0;
    if (hrs == 1440) return pix >= 2560u * 1440 ? hrs : 0;
    if (hrs == 2160) return pix >= 3840u * 2160 ? hrs : 0;
    return 0;
}

static int init_state(CambiState *s, const ExtractorParams *p)
{
    int err = resolutions(s, p);
    if (err) return err;
    s->full_ref = p->opt[OPT_FULL_REF] != 0;
    s->enc_bitdepth = p->opt[OPT_ENC_BD] ? (int)p->opt[OPT_ENC_BD] : (int)p->bpc;
    s->max_val = p->opt[OPT_MAX_VAL];
    s->topk = p->opt[OPT_TOPK] != DEFAULT_TOPK ? p->opt[OPT_TOPK] : p->opt[OPT_CAMBI_TOPK];
    s->high_res_speedup = high_res_speedup((int)p->opt[OPT_HRS], s->enc_w, s->enc_h);
    s->window = cambi_window((int)p->opt[OPT_WINDOW], s->enc_w, s->enc_h, s->high_res_speedup);
    s->src_window = cambi_window((int)p->opt[OPT_WINDOW], s->src_w, s->src_h, s->high_res_speedup);
    const int max_window = s->window > s->src_window ? s->window : s->src_window;
    if (max_window * max_window >= CAMBI_LUT_SIZE)
        return REFUSE("window_size %d is too large for this resolution (adjusted window %d, "
                      "at most 65)",
                      (int)p->opt[OPT_WINDOW], max_window);
    if ((err = window_fits(p, s->enc_w, s->enc_h, s->window, s->high_res_speedup, "encode"))) return err;
    if (s->full_ref &&
        (err = window_fits(p, s->src_w, s->src_h, s->src_window, s->high_res_speedup, "source")))
        return err;
    /* cambi_eotf wins when it is not the default */
    const int eotf = p->opt[OPT_CAMBI_EOTF] ? (int)p->opt[OPT_CAMBI_EOTF] : (int)p->opt[OPT_EOTF];
    if (cambi_c_params(&s->work.cp, (int)p->opt[OPT_MLC], p->opt[OPT_TVI], p->opt[OPT_VLT], eotf, s->work.lut,
                       max_window * max_window + 1))
        return REFUSE("cambi_vis_lum_threshold=%g is brighter than any sample", p->opt[OPT_VLT]);
    cambi_kernels_init(&s->work.k, p->kernels ? p->kernels->level : VMAFX_CPU_SCALAR);
    const unsigned alloc_w = s->full_ref && s->src_w > s->enc_w ? s->src_w : s->enc_w;
    const unsigned alloc_h = s->full_ref && s->src_h > s->enc_h ? s->src_h : s->enc_h;
    if ((err = cambi_work_alloc(&s->work, alloc_w, alloc_h))) return err;
    for (int f = 0; f < N_FEATURES; f++)
        feature_name(s->name[f], NAME_LEN, feature_base[f], feature_output_name(feature_base[f]),
                     f == F_CAMBI ? p->suffix : "");
    const char *maps = p->text ? p->text[OPT_HEATMAPS] : NULL;
    s->heatmaps = maps && *maps ? maps : NULL;
    if (s->heatmaps) {
        s->files = p->files;
        if (!s->files)
            return REFUSE("heatmaps_path needs a place to write files, which this caller does "
                          "not provide");
        if ((err = create_maps(s)))
            return REFUSE("heatmaps_path %s: cannot create the heat-map files (%s)", s->heatmaps,
                          strerror(-err));
    }
    return 0;
}

static int init(void *priv, const ExtractorParams *p)
{
    int err = init_state(priv, p);
    if (err) cambi_work_free(&((CambiState *)priv)->work);
    return err;
}

static void close_cambi(void *priv)
{
    CambiState *s = priv;
    cambi_work_free(&s->work);
}

const FeatureExtractor extractor_cambi = {
    .name = "cambi",
    .provides = provides,
    .options = options,
    .n_options = N_OPTIONS,
    .option_kinds = kinds,
    .priv_size = sizeof(CambiState),
    .init = init,
    .extract = extract,
    .close = close_cambi,
};
