/* ABI check: the layout of every public struct and the value of every enum constant of
 * vmafx's libvmaf headers, against the numbers of Netflix's libvmaf 3.2.0 headers
 * (libvmaf/include/libvmaf/{libvmaf,model,picture,feature}.h, version.h.in and, for the
 * metadata handler, libvmaf/src/metadata.h, at commit f85a8536), measured on x86-64 Linux
 * (LP64) by compiling those headers with gcc 12 and printing sizeof/offsetof/the values.
 * A program compiled against Netflix's headers runs on libvmaf.so.3 from vmafx only if
 * every line here holds. Prints each mismatch; exit status 1 if any. */
#include <stddef.h>
#include <stdio.h>

#include "libvmaf/libvmaf.h"
#include "libvmaf/version.h"

static int failures, checks;

static void expect(const char *what, long long got, long long want)
{
    checks++;
    if (got == want) return;
    printf("MISMATCH %s: vmafx %lld, libvmaf 3.2.0 %lld\n", what, got, want);
    failures++;
}

#define SIZE(t, n) expect("sizeof(" #t ")", (long long)sizeof(t), n)
#define OFF(t, f, n) expect("offsetof(" #t ", " #f ")", (long long)offsetof(t, f), n)
#define VAL(c, n) expect(#c, (long long)(c), n)

int main(void)
{
#if !defined(__x86_64__) || !defined(__LP64__)
    puts("SKIP: the recorded numbers are x86-64 LP64's");
    return 77;
#endif
    SIZE(VmafConfiguration, 32);
    OFF(VmafConfiguration, log_level, 0);
    OFF(VmafConfiguration, n_threads, 4);
    OFF(VmafConfiguration, n_subsample, 8);
    OFF(VmafConfiguration, cpumask, 16);
    OFF(VmafConfiguration, gpumask, 24);
    SIZE(VmafPicture, 96);
    OFF(VmafPicture, pix_fmt, 0);
    OFF(VmafPicture, bpc, 4);
    OFF(VmafPicture, w, 8);
    OFF(VmafPicture, h, 20);
    OFF(VmafPicture, stride, 32);
    OFF(VmafPicture, data, 56);
    OFF(VmafPicture, ref, 80);
    OFF(VmafPicture, priv, 88);
    SIZE(VmafModelConfig, 16);
    OFF(VmafModelConfig, name, 0);
    OFF(VmafModelConfig, flags, 8);
    SIZE(VmafModelCollectionScore, 40);
    OFF(VmafModelCollectionScore, type, 0);
    OFF(VmafModelCollectionScore, bootstrap.bagging_score, 8);
    OFF(VmafModelCollectionScore, bootstrap.stddev, 16);
    OFF(VmafModelCollectionScore, bootstrap.ci.p95.lo, 24);
    OFF(VmafModelCollectionScore, bootstrap.ci.p95.hi, 32);
    SIZE(VmafPictureConfiguration, 20);
    OFF(VmafPictureConfiguration, pic_params.w, 0);
    OFF(VmafPictureConfiguration, pic_params.h, 4);
    OFF(VmafPictureConfiguration, pic_params.bpc, 8);
    OFF(VmafPictureConfiguration, pic_params.pix_fmt, 12);
    OFF(VmafPictureConfiguration, pic_cnt, 16);
    SIZE(VmafMetadata, 24);
    OFF(VmafMetadata, feature_name, 0);
    OFF(VmafMetadata, picture_index, 8);
    OFF(VmafMetadata, score, 16);
    SIZE(VmafMetadataConfiguration, 24);
    OFF(VmafMetadataConfiguration, feature_name, 0);
    OFF(VmafMetadataConfiguration, callback, 8);
    OFF(VmafMetadataConfiguration, data, 16);
    SIZE(enum VmafLogLevel, 4);
    SIZE(enum VmafPixelFormat, 4);
    VAL(VMAF_LOG_LEVEL_NONE, 0);
    VAL(VMAF_LOG_LEVEL_ERROR, 1);
    VAL(VMAF_LOG_LEVEL_WARNING, 2);
    VAL(VMAF_LOG_LEVEL_INFO, 3);
    VAL(VMAF_LOG_LEVEL_DEBUG, 4);
    VAL(VMAF_OUTPUT_FORMAT_NONE, 0);
    VAL(VMAF_OUTPUT_FORMAT_XML, 1);
    VAL(VMAF_OUTPUT_FORMAT_JSON, 2);
    VAL(VMAF_OUTPUT_FORMAT_CSV, 3);
    VAL(VMAF_OUTPUT_FORMAT_SUB, 4);
    VAL(VMAF_POOL_METHOD_UNKNOWN, 0);
    VAL(VMAF_POOL_METHOD_MIN, 1);
    VAL(VMAF_POOL_METHOD_MAX, 2);
    VAL(VMAF_POOL_METHOD_MEAN, 3);
    VAL(VMAF_POOL_METHOD_HARMONIC_MEAN, 4);
    VAL(VMAF_POOL_METHOD_NB, 5);
    VAL(VMAF_PIX_FMT_UNKNOWN, 0);
    VAL(VMAF_PIX_FMT_YUV420P, 1);
    VAL(VMAF_PIX_FMT_YUV422P, 2);
    VAL(VMAF_PIX_FMT_YUV444P, 3);
    VAL(VMAF_PIX_FMT_YUV400P, 4);
    VAL(VMAF_MODEL_FLAGS_DEFAULT, 0);
    VAL(VMAF_MODEL_FLAG_DISABLE_CLIP, 1);
    VAL(VMAF_MODEL_FLAG_ENABLE_TRANSFORM, 2);
    VAL(VMAF_MODEL_FLAG_DISABLE_TRANSFORM, 4);
    VAL(VMAF_MODEL_COLLECTION_SCORE_UNKNOWN, 0);
    VAL(VMAF_MODEL_COLLECTION_SCORE_BOOTSTRAP, 1);
    VAL(VMAF_API_VERSION_MAJOR, 3);
    VAL(VMAF_API_VERSION_MINOR, 2);
    VAL(VMAF_API_VERSION_PATCH, 0);
    printf("%d ABI checks, %d mismatches\n", checks, failures);
    return failures ? 1 : 0;
}
