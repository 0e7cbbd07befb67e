/* libvmafx: VMAF, PSNR, SSIM and MS-SSIM scoring, bit-exact with libvmaf 3.2.0.
 *
 * The library does no I/O: the caller hands it pictures and model JSON text, and gets
 * per-frame features, pooled scores and report text back. Every call takes a context the
 * caller owns; nothing is global, so several contexts may score in parallel threads.
 *
 * Errors: functions return 0 on success or a negative errno-style code; a one-line
 * message is then available from vmafx_last_error(). */
#ifndef VMAFX_VMAFX_H
#define VMAFX_VMAFX_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define VMAFX_VERSION "0.1.0"

enum VmafxPixelFormat {
    VMAFX_PIX_FMT_YUV420P = 1,
    VMAFX_PIX_FMT_YUV422P,
    VMAFX_PIX_FMT_YUV444P,
};

/* A planar YUV picture. 8-bit samples are uint8_t, 9..16-bit samples are uint16_t with the
 * value in the low bits. Chroma planes are ceil(w/2) (4:2:0, 4:2:2) by ceil(h/2) (4:2:0). */
typedef struct VmafxPicture {
    enum VmafxPixelFormat pix_fmt;
    unsigned bpc;        /* bits per component: 8, 10, 12 or 16 */
    unsigned w[3], h[3]; /* plane sizes in samples */
    ptrdiff_t stride[3]; /* bytes between rows */
    void *data[3];
    void *buf; /* owning allocation (vmafx_picture_alloc) */
} VmafxPicture;

int vmafx_picture_alloc(VmafxPicture *pic, enum VmafxPixelFormat fmt, unsigned bpc, unsigned w, unsigned h);
/* n pictures of one geometry in one allocation, each still released on its own with
 * vmafx_picture_free (the memory goes when the last one is): fewer page faults, and huge
 * pages for big pictures, than n separate allocations. */
int vmafx_picture_alloc_many(VmafxPicture *pics, unsigned n, enum VmafxPixelFormat fmt, unsigned bpc,
                             unsigned w, unsigned h);
void vmafx_picture_free(VmafxPicture *pic);
/* Bytes of one frame in the tightly packed planar layout of .yuv/.y4m files. */
size_t vmafx_picture_frame_bytes(enum VmafxPixelFormat fmt, unsigned bpc, unsigned w, unsigned h);

/* Kernel level; VMAFX_CPU_AUTO picks the best the CPU has (or $VMAFX_CPU is read by the CLI).
 * VMAFX_CPU_AVX512VNNI: AVX-512 plus its VNNI dot products (VIF's filters use them).
 * VMAFX_CPU_AVX2VNNI: AVX2 plus the VEX-coded AVX-VNNI dot products, for CPUs that have them
 * without AVX-512 (Intel Alder Lake and later client CPUs); it ranks between AVX2 and AVX512
 * (a level the CPU lacks falls back to the next one below) but comes last in the enum, where
 * it keeps the values of the others. */
enum VmafxCpu {
    VMAFX_CPU_AUTO = 0,
    VMAFX_CPU_SCALAR,
    VMAFX_CPU_AVX2,
    VMAFX_CPU_AVX512,
    VMAFX_CPU_AVX512VNNI,
    VMAFX_CPU_AVX2VNNI
};

/* A level's name as --cpu and VMAFX_CPU spell it ("auto", "scalar", "avx2", "avx2vnni",
 * "avx512", "avx512vnni"); NULL for a value outside the enum. */
const char *vmafx_cpu_name(enum VmafxCpu cpu);
/* The level a name spells; -EINVAL (and *out unchanged) for any other string. */
int vmafx_cpu_parse(const char *name, enum VmafxCpu *out);

/* Where extractors put side files (CAMBI's heat maps, option heatmaps_path): the engine does
 * no file I/O itself, its caller does. Both return 0 or a negative errno. create() makes an
 * empty file name in dir (dir created as needed); write_at() writes into a file created
 * before, and may be called from several scoring threads at once (different offsets). */
typedef struct VmafxFileSink {
    int (*create)(void *user, const char *dir, const char *name);
    int (*write_at)(void *user, const char *dir, const char *name, uint64_t offset, const void *data,
                    size_t len);
    void *user;
} VmafxFileSink;

typedef struct VmafxConfig {
    unsigned n_threads; /* 0 or 1: score in the calling thread */
    unsigned subsample; /* score every n-th frame (0 or 1: all) */
    enum VmafxCpu cpu;
    const VmafxFileSink *files; /* NULL: options that write files are refused */
    /* A frame-range chunk of a longer stream (one job scored in pieces, then merged with
     * vmafx_merge_begin/end): the first picture fed has index start_index; pictures below
     * score_from only serve as the previous pictures temporal features read (nothing is
     * extracted from them); with partial set vmafx_flush only finishes the frames (no
     * look-ahead features, models or pooling), and the raw values are read back with
     * vmafx_raw_*. All 0: a whole stream. */
    unsigned start_index, score_from;
    int partial;
} VmafxConfig;

typedef struct VmafxContext VmafxContext;

int vmafx_init(VmafxContext **ctx, const VmafxConfig *cfg);
void vmafx_close(VmafxContext *ctx);
const char *vmafx_last_error(const VmafxContext *ctx);

typedef struct VmafxModelConfig {
    const char *name;     /* output name of the score; NULL: "vmaf" */
    int enable_transform; /* apply the model's score_transform ("phone" model) */
    int disable_clip;     /* do not clip to the model's score_clip */
    int debug;            /* extractors also emit debug features (per-scale num/den) */
    /* Extractor options overriding the model's own, "EXTRACTOR.KEY=VALUE" joined by ':'
     * ("vif.vif_enhn_gain_limit=1.0:adm.adm_enhn_gain_limit=1.2"; libvmaf's per-model feature
     * overloads); entries for extractors the model does not use are ignored. May be NULL. */
    const char *feature_options;
    /* Only the model's features are computed (with its options), not its score: libvmaf's
     * `vmaf -n -m ...` (no prediction). The model gets no name and no output. */
    int features_only;
} VmafxModelConfig;

/* Loads a model from libvmaf's JSON text, or a model collection (the bootstrap models: the
 * main model, its submodels NAME_0001..., and per frame NAME_bagging, NAME_stddev,
 * NAME_ci_p95_lo, NAME_ci_p95_hi, as libvmaf writes them). */
int vmafx_use_model(VmafxContext *ctx, const char *json, size_t len, const VmafxModelConfig *cfg);
/* Loads a model compiled into the library: "vmaf_v0.6.1", "vmaf_v0.6.1neg", "vmaf_4k_v0.6.1", ... */
int vmafx_use_builtin_model(VmafxContext *ctx, const char *version, const VmafxModelConfig *cfg);
/* Names of the built-in models, NULL-terminated. */
const char *const *vmafx_builtin_models(void);

/* Adds an extra feature extractor by name ("psnr", "float_ssim", "float_ms_ssim", "vif",
 * "adm", "motion", "cambi"), with options "key=value:key=value" (may be NULL). */
int vmafx_use_feature(VmafxContext *ctx, const char *name, const char *options);

/* Name of the i-th feature extractor --feature accepts ("vif", "adm", ...), NULL past the
 * last one. */
const char *vmafx_feature_extractor(unsigned i);
/* 1 when some feature extractor of the context reads the pictures' U and V planes, 0 when
 * only Y is read (a caller may then leave U and V unfilled: vmafx score does not read them
 * from a local y4m / raw yuv file). Asked after the models and features are set. */
int vmafx_reads_chroma(const VmafxContext *ctx);
/* The catalog of what the engine computes, as malloc'ed JSON text (NULL when out of memory):
 * {"default_model": NAME, "models": [{"name", "features": [{"name", "options": {..}}]}],
 *  "features": [{"name", "provides": [..], "options": [{"name", "alias", "type",
 *  "default", "min", "max", "names_features"}]}]}. GET /v1/models serves it. */
char *vmafx_catalog_json(void);
/* Records a value computed elsewhere as feature `name` of frame `frame` (libvmaf's
 * vmaf_import_feature_score); it is reported like an extracted feature. -EEXIST if that
 * frame already has a value for the name. */
int vmafx_import_feature_score(VmafxContext *ctx, const char *name, unsigned frame, double value);

/* Scores one picture pair. Frames must come in order 0, 1, 2, ...; the pictures are only
 * read during the call. All pictures must share geometry, format and bit depth. */
int vmafx_score_pictures(VmafxContext *ctx, const VmafxPicture *ref, const VmafxPicture *dis);
/* Like vmafx_score_pictures, but instead of copying the pictures the engine may exchange them
 * for pictures of its own with the same layout (vmafx_picture_alloc's, same format, bit depth
 * and size): on return *ref and *dis may hold other buffers, with unspecified pixels, that the
 * caller owns and may fill with the next frame. Saves two picture copies per frame. */
int vmafx_score_pictures_swap(VmafxContext *ctx, VmafxPicture *ref, VmafxPicture *dis);
/* Ends the stream: computes look-ahead features (motion2) and the model scores. */
int vmafx_flush(VmafxContext *ctx);

/* A chunk's raw values (config.partial), after vmafx_flush(): every stored series, internal
 * working values included, in report order (internal ones last). */
unsigned vmafx_raw_count(const VmafxContext *ctx);
/* The geometry of the pictures scored (0, or -EINVAL before the first picture). */
int vmafx_geometry(const VmafxContext *ctx, enum VmafxPixelFormat *fmt, unsigned *bpc, unsigned *w,
                   unsigned *h);
const char *vmafx_raw_name(const VmafxContext *ctx, unsigned i);
int vmafx_raw_value(const VmafxContext *ctx, unsigned i, unsigned frame, double *out); /* -ENOENT */

/* Merging chunks: begin with the stream's picture geometry (instead of feeding pictures),
 * import every chunk's raw values frame by frame in increasing frame order (each frame's
 * series in the chunk's raw order) with vmafx_import_feature_score, then end with the
 * number of frames: look-ahead features, models and pooling run as vmafx_flush does, so
 * the results equal those of one context fed the whole stream. */
int vmafx_merge_begin(VmafxContext *ctx, enum VmafxPixelFormat fmt, unsigned bpc, unsigned w, unsigned h);
int vmafx_merge_end(VmafxContext *ctx, unsigned n_frames);

/* Results, after vmafx_flush(). Output names are libvmaf's ("integer_adm2", "vmaf", ...). */
unsigned vmafx_frame_count(const VmafxContext *ctx); /* frames fed in */
unsigned vmafx_feature_count(const VmafxContext *ctx);
const char *vmafx_feature_name(const VmafxContext *ctx, unsigned i);
/* Value of a feature (by output or internal name) at a frame; -ENOENT if absent. */
int vmafx_feature_value(const VmafxContext *ctx, const char *name, unsigned frame, double *out);

enum VmafxPool { VMAFX_POOL_MEAN, VMAFX_POOL_HARMONIC_MEAN, VMAFX_POOL_MIN, VMAFX_POOL_MAX };
/* Pools a feature over the scored frames (all, or every subsample-th). */
int vmafx_feature_pooled(const VmafxContext *ctx, const char *name, enum VmafxPool how, double *out);
/* A clip-level value an extractor set after the last frame (the report's aggregate_metrics,
 * e.g. "apsnr_y": PSNR of the error summed over the clip, FFmpeg's psnr summary); 0, or
 * -ENOENT when there is none of that name (known only after vmafx_flush). */
int vmafx_aggregate(const VmafxContext *ctx, const char *name, double *out);
/* Output name of the i-th model (in the order they were added; a collection adds its main
 * model and then each submodel), or NULL. */
const char *vmafx_model_name(const VmafxContext *ctx, unsigned i);

enum VmafxFormat { VMAFX_FORMAT_XML, VMAFX_FORMAT_JSON, VMAFX_FORMAT_CSV, VMAFX_FORMAT_SUB };

typedef struct VmafxReportInfo {
    double fps;          /* printed in the "fps" field; not a result */
    unsigned frames_ref; /* frame counts of the inputs, reported when they differ */
    unsigned frames_dis; /* (0 and 0: not reported) */
    const char *note;    /* free text recorded in the report (e.g. scaling); may be NULL */
} VmafxReportInfo;

/* Writes the report in libvmaf's layouts into a malloc'ed, NUL-terminated string. */
int vmafx_write_report(const VmafxContext *ctx, enum VmafxFormat fmt, const VmafxReportInfo *info,
                       char **text, size_t *len);

#ifdef __cplusplus
}
#endif
#endif
