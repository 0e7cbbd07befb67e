/* libvmaf 3.2.0 API, as implemented by vmafx's compatibility library (libvmaf.so.3).
 *
 * Written for vmafx from the API's published facts — function names and signatures, enum
 * values, struct layouts — so that programs built against Netflix's libvmaf 3.2.0 build and
 * run against vmafx unchanged. Every function returns 0 or a negative errno code (-EINVAL
 * for bad arguments or use, -ENOMEM); the reason is logged on stderr at
 * VMAF_LOG_LEVEL_ERROR and above. See docs/libvmaf-compat.md for what is and is not there. */
#ifndef VMAFX_LIBVMAF_LIBVMAF_H
#define VMAFX_LIBVMAF_LIBVMAF_H

#include <stdint.h>
#include <stdio.h>

#include "model.h"
#include "picture.h"
#include "feature.h"

#ifdef __cplusplus
extern "C" {
#endif

enum VmafLogLevel {
    VMAF_LOG_LEVEL_NONE = 0,
    VMAF_LOG_LEVEL_ERROR = 1,
    VMAF_LOG_LEVEL_WARNING = 2,
    VMAF_LOG_LEVEL_INFO = 3,
    VMAF_LOG_LEVEL_DEBUG = 4,
};

enum VmafOutputFormat {
    VMAF_OUTPUT_FORMAT_NONE = 0,
    VMAF_OUTPUT_FORMAT_XML = 1,
    VMAF_OUTPUT_FORMAT_JSON = 2,
    VMAF_OUTPUT_FORMAT_CSV = 3,
    VMAF_OUTPUT_FORMAT_SUB = 4,
};

enum VmafPoolingMethod {
    VMAF_POOL_METHOD_UNKNOWN = 0,
    VMAF_POOL_METHOD_MIN = 1,
    VMAF_POOL_METHOD_MAX = 2,
    VMAF_POOL_METHOD_MEAN = 3,
    VMAF_POOL_METHOD_HARMONIC_MEAN = 4,
    VMAF_POOL_METHOD_NB = 5,
};

/* cpumask bits turn instruction sets off: 1 SSE2, 2 SSE3/SSSE3, 4 SSE4.1, 8 AVX2,
 * 16 AVX-512, 32 AVX-512 ICL. vmafx has scalar, AVX2 and AVX-512 kernels: 8 (or any lower
 * bit, which libvmaf's x86 code also needs) forces scalar, 16 or 32 caps at AVX2.
 * gpumask is accepted and ignored (no GPU paths). */
typedef struct VmafConfiguration {
    enum VmafLogLevel log_level;
    unsigned n_threads;
    unsigned n_subsample;
    uint64_t cpumask;
    uint64_t gpumask;
} VmafConfiguration;

typedef struct VmafContext VmafContext;

int vmaf_init(VmafContext **vmaf, VmafConfiguration cfg);
int vmaf_close(VmafContext *vmaf);

/* Registers the extractors a model needs (a set: shared features are computed once). */
int vmaf_use_features_from_model(VmafContext *vmaf, VmafModel *model);
int vmaf_use_features_from_model_collection(VmafContext *vmaf, VmafModelCollection *model_collection);
/* Registers one extractor by libvmaf's name ("psnr", "float_ssim", ...). On success the
 * context owns opts_dict; on failure the caller still does. */
int vmaf_use_feature(VmafContext *vmaf, const char *feature_name, VmafFeatureDictionary *opts_dict);

/* Records a score computed elsewhere, as if an extractor had produced it. */
int vmaf_import_feature_score(VmafContext *vmaf, const char *feature_name, double value, unsigned index);

/* Scores a picture pair; the context takes both references (they are unref'ed for the
 * caller). Call with ref and dist NULL to flush once all pictures are in. */
int vmaf_read_pictures(VmafContext *vmaf, VmafPicture *ref, VmafPicture *dist, unsigned index);

int vmaf_score_at_index(VmafContext *vmaf, VmafModel *model, double *score, unsigned index);
int vmaf_score_at_index_model_collection(VmafContext *vmaf, VmafModelCollection *model_collection,
                                         VmafModelCollectionScore *score, unsigned index);
int vmaf_feature_score_at_index(VmafContext *vmaf, const char *feature_name, double *score, unsigned index);

/* Pooled over pictures index_low..index_high inclusive (every n_subsample-th). */
int vmaf_score_pooled(VmafContext *vmaf, VmafModel *model, enum VmafPoolingMethod pool_method, double *score,
                      unsigned index_low, unsigned index_high);
int vmaf_score_pooled_model_collection(VmafContext *vmaf, VmafModelCollection *model_collection,
                                       enum VmafPoolingMethod pool_method, VmafModelCollectionScore *score,
                                       unsigned index_low, unsigned index_high);
int vmaf_feature_score_pooled(VmafContext *vmaf, const char *feature_name, enum VmafPoolingMethod pool_method,
                              double *score, unsigned index_low, unsigned index_high);

typedef struct VmafPictureConfiguration {
    struct {
        unsigned w, h;
        unsigned bpc;
        enum VmafPixelFormat pix_fmt;
    } pic_params;
    unsigned pic_cnt;
} VmafPictureConfiguration;

/* A pool of pic_cnt pictures; vmaf_fetch_preallocated_picture hands one out (-EAGAIN
 * style waits do not exist: it blocks until one is unref'ed back). */
int vmaf_preallocate_pictures(VmafContext *vmaf, VmafPictureConfiguration cfg);
int vmaf_fetch_preallocated_picture(VmafContext *vmaf, VmafPicture *pic);

int vmaf_write_output(VmafContext *vmaf, const char *output_path, enum VmafOutputFormat fmt);

const char *vmaf_version(void);

/* Exported by libvmaf 3.2.0 without being in its installed headers (it lives in
 * libvmaf's src/metadata.h); declared here for vmafx's users. The callback receives each
 * score of feature_name (or of every feature when feature_name is NULL) once it is final. */
typedef struct VmafMetadata {
    char *feature_name;
    unsigned picture_index;
    double score;
} VmafMetadata;

typedef struct VmafMetadataConfiguration {
    char *feature_name;
    void (*callback)(void *data, VmafMetadata *metadata);
    void *data;
} VmafMetadataConfiguration;

int vmaf_register_metadata_handler(VmafContext *vmaf, VmafMetadataConfiguration cfg);

#ifdef __cplusplus
}
#endif
#endif
