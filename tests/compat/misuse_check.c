/* Bad use of the libvmaf API: every call below is wrong in one way and must return
 * libvmaf's error code (-EINVAL) without crashing or leaking; run under the sanitizers too.
 * Prints each case; exit status 1 if any returned something else. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <libvmaf.h>

static int failures;

static void expect(const char *what, int got, int want)
{
    printf("%-60s %s (%d)\n", what, got == want ? "ok" : "WRONG", got);
    if (got != want) failures++;
}

static VmafContext *open_ctx(void)
{
    VmafConfiguration cfg = { .log_level = VMAF_LOG_LEVEL_NONE };
    VmafContext *v = NULL;
    if (vmaf_init(&v, cfg)) return NULL;
    VmafModel *m;
    VmafModelConfig mc = { 0 };
    if (vmaf_model_load(&m, &mc, "vmaf_v0.6.1") || vmaf_use_features_from_model(v, m)) return NULL;
    vmaf_model_destroy(m); /* the context keeps what it needs */
    return v;
}

static void fill(VmafPicture *p, int v)
{
    for (int i = 0; i < 3; i++)
        for (unsigned y = 0; y < p->h[i]; y++)
            memset((char *)p->data[i] + y * p->stride[i], v, p->w[i] * (p->bpc > 8 ? 2 : 1));
}

static int pair(VmafPicture *r, VmafPicture *d, unsigned bpc, unsigned w, unsigned h)
{
    if (vmaf_picture_alloc(r, VMAF_PIX_FMT_YUV420P, bpc, w, h)) return -1;
    if (vmaf_picture_alloc(d, VMAF_PIX_FMT_YUV420P, bpc, w, h)) return -1;
    fill(r, 0x40);
    fill(d, 0x42);
    return 0;
}

static void null_arguments(void)
{
    VmafConfiguration cfg = { 0 };
    VmafContext *v = open_ctx();
    double s;
    expect("vmaf_init(NULL)", vmaf_init(NULL, cfg), -EINVAL);
    expect("vmaf_close(NULL)", vmaf_close(NULL), -EINVAL);
    expect("vmaf_use_feature(NULL ctx)", vmaf_use_feature(NULL, "psnr", NULL), -EINVAL);
    expect("vmaf_use_feature(NULL name)", vmaf_use_feature(v, NULL, NULL), -EINVAL);
    expect("vmaf_use_features_from_model(NULL model)", vmaf_use_features_from_model(v, NULL), -EINVAL);
    expect("vmaf_read_pictures(NULL ctx)", vmaf_read_pictures(NULL, NULL, NULL, 0), -EINVAL);
    expect("vmaf_feature_score_at_index(NULL score)", vmaf_feature_score_at_index(v, "vmaf", NULL, 0),
           -EINVAL);
    expect("vmaf_score_at_index(NULL model)", vmaf_score_at_index(v, NULL, &s, 0), -EINVAL);
    expect("vmaf_import_feature_score(NULL name)", vmaf_import_feature_score(v, NULL, 1, 0), -EINVAL);
    expect("vmaf_write_output(NULL path)", vmaf_write_output(v, NULL, VMAF_OUTPUT_FORMAT_JSON), -EINVAL);
    expect("vmaf_picture_alloc(NULL)", vmaf_picture_alloc(NULL, VMAF_PIX_FMT_YUV420P, 8, 16, 16), -EINVAL);
    expect("vmaf_picture_unref(NULL)", vmaf_picture_unref(NULL), -EINVAL);
    expect("vmaf_feature_dictionary_set(NULL)", vmaf_feature_dictionary_set(NULL, "a", "b"), -EINVAL);
    expect("vmaf_feature_dictionary_free(NULL)", vmaf_feature_dictionary_free(NULL), -EINVAL);
    expect("vmaf_model_load(NULL)", vmaf_model_load(NULL, NULL, "vmaf_v0.6.1"), -EINVAL);
    expect("vmaf_model_feature_overload(NULL)", vmaf_model_feature_overload(NULL, "adm", NULL), -EINVAL);
    expect("vmaf_fetch_preallocated_picture(no pool)",
           vmaf_fetch_preallocated_picture(v, &(VmafPicture){ 0 }), -EINVAL);
    expect("vmaf_register_metadata_handler(no callback)",
           vmaf_register_metadata_handler(v, (VmafMetadataConfiguration){ .feature_name = "vmaf" }), -EINVAL);
    vmaf_model_destroy(NULL);
    vmaf_model_collection_destroy(NULL);
    vmaf_close(v);
}

static void bad_names(void)
{
    VmafContext *v = open_ctx();
    VmafModel *m = NULL;
    VmafModelCollection *mc = NULL;
    VmafModelConfig cfg = { 0 };
    expect("vmaf_use_feature(unknown)", vmaf_use_feature(v, "no_such_feature", NULL), -EINVAL);
    VmafFeatureDictionary *d = NULL;
    vmaf_feature_dictionary_set(&d, "no_such_option", "1");
    expect("vmaf_use_feature(psnr, unknown option)", vmaf_use_feature(v, "psnr", d), -EINVAL);
    vmaf_feature_dictionary_free(&d); /* still ours after a failure */
    expect("vmaf_model_load(unknown version)", vmaf_model_load(&m, &cfg, "vmaf_v9"), -EINVAL);
    expect("vmaf_model_load_from_path(missing)", vmaf_model_load_from_path(&m, &cfg, "/nonexistent.json"),
           -EINVAL);
    expect("vmaf_model_collection_load", vmaf_model_collection_load(&m, &mc, &cfg, "vmaf_b_v9"), -EINVAL);
    expect("vmaf_picture_alloc(bpc 7)",
           vmaf_picture_alloc(&(VmafPicture){ 0 }, VMAF_PIX_FMT_YUV420P, 7, 16, 16), -EINVAL);
    expect("vmaf_picture_alloc(bpc 17)",
           vmaf_picture_alloc(&(VmafPicture){ 0 }, VMAF_PIX_FMT_YUV420P, 17, 16, 16), -EINVAL);
    expect("vmaf_picture_alloc(UNKNOWN)",
           vmaf_picture_alloc(&(VmafPicture){ 0 }, VMAF_PIX_FMT_UNKNOWN, 8, 16, 16), -EINVAL);
    expect("vmaf_picture_alloc(0x0)", vmaf_picture_alloc(&(VmafPicture){ 0 }, VMAF_PIX_FMT_YUV420P, 8, 0, 0),
           -EINVAL);
    expect("vmaf_preallocate_pictures(0 pictures)",
           vmaf_preallocate_pictures(v, (VmafPictureConfiguration){ { 16, 16, 8, VMAF_PIX_FMT_YUV420P }, 0 }),
           -EINVAL);
    vmaf_close(v);
}

static void bad_pictures(void)
{
    VmafContext *v = open_ctx();
    VmafPicture r, d, zero = { 0 };
    pair(&r, &d, 8, 64, 48);
    expect("vmaf_read_pictures(ref, NULL)", vmaf_read_pictures(v, &r, NULL, 0), -EINVAL);
    expect("vmaf_read_pictures(not allocated)", vmaf_read_pictures(v, &zero, &d, 0), -EINVAL);
    expect("vmaf_read_pictures(index 5 first)", vmaf_read_pictures(v, &r, &d, 5), -EINVAL);
    expect("vmaf_read_pictures(good pair)", vmaf_read_pictures(v, &r, &d, 0), 0);
    expect("vmaf_picture_unref(consumed picture)", vmaf_picture_unref(&r), -EINVAL);
    VmafPicture r2, d2;
    pair(&r2, &d2, 8, 32, 48);
    expect("vmaf_read_pictures(other size)", vmaf_read_pictures(v, &r2, &d2, 1), -EINVAL);
    vmaf_picture_unref(&r2);
    vmaf_picture_unref(&d2);
    pair(&r2, &d2, 10, 64, 48);
    expect("vmaf_read_pictures(other depth)", vmaf_read_pictures(v, &r2, &d2, 1), -EINVAL);
    vmaf_picture_unref(&r2);
    vmaf_picture_unref(&d2);
    pair(&r2, &d2, 8, 64, 48);
    VmafPicture d3;
    vmaf_picture_alloc(&d3, VMAF_PIX_FMT_YUV444P, 8, 64, 48);
    expect("vmaf_read_pictures(ref 4:2:0, dist 4:4:4)", vmaf_read_pictures(v, &r2, &d3, 1), -EINVAL);
    vmaf_picture_unref(&d3);
    expect("vmaf_read_pictures(second pair)", vmaf_read_pictures(v, &r2, &d2, 1), 0);
    double s;
    expect("vmaf_score_pooled(before flush)",
           vmaf_feature_score_pooled(v, "vmaf", VMAF_POOL_METHOD_MEAN, &s, 0, 1), -EINVAL);
    expect("vmaf_write_output(before flush)", vmaf_write_output(v, "/dev/null", VMAF_OUTPUT_FORMAT_JSON),
           -EINVAL);
    expect("flush", vmaf_read_pictures(v, NULL, NULL, 0), 0);
    expect("flush again", vmaf_read_pictures(v, NULL, NULL, 0), -EINVAL);
    pair(&r2, &d2, 8, 64, 48);
    expect("vmaf_read_pictures(after flush)", vmaf_read_pictures(v, &r2, &d2, 2), -EINVAL);
    vmaf_picture_unref(&r2);
    vmaf_picture_unref(&d2);
    expect("vmaf_feature_score_at_index(index 7)", vmaf_feature_score_at_index(v, "vmaf", &s, 7), -EINVAL);
    expect("vmaf_feature_score_at_index(unknown)", vmaf_feature_score_at_index(v, "nope", &s, 0), -EINVAL);
    expect("vmaf_feature_score_pooled(low > high)",
           vmaf_feature_score_pooled(v, "vmaf", VMAF_POOL_METHOD_MEAN, &s, 1, 0), -EINVAL);
    expect("vmaf_feature_score_pooled(method 0)",
           vmaf_feature_score_pooled(v, "vmaf", VMAF_POOL_METHOD_UNKNOWN, &s, 0, 1), -EINVAL);
    expect("vmaf_feature_score_pooled(method 99)",
           vmaf_feature_score_pooled(v, "vmaf", (enum VmafPoolingMethod)99, &s, 0, 1), -EINVAL);
    expect("vmaf_feature_score_pooled(past the end)",
           vmaf_feature_score_pooled(v, "vmaf", VMAF_POOL_METHOD_MEAN, &s, 0, 9), -EINVAL);
    expect("vmaf_feature_score_pooled(good)",
           vmaf_feature_score_pooled(v, "vmaf", VMAF_POOL_METHOD_HARMONIC_MEAN, &s, 0, 1), 0);
    expect("vmaf_write_output(format NONE)", vmaf_write_output(v, "/dev/null", VMAF_OUTPUT_FORMAT_NONE),
           -EINVAL);
    expect("vmaf_write_output(format 42)", vmaf_write_output(v, "/dev/null", (enum VmafOutputFormat)42),
           -EINVAL);
    expect("vmaf_write_output(no such folder)",
           vmaf_write_output(v, "/nonexistent/x.json", VMAF_OUTPUT_FORMAT_JSON), -EINVAL);
    expect("vmaf_import_feature_score(twice)",
           vmaf_import_feature_score(v, "ext", 1, 0) | vmaf_import_feature_score(v, "ext", 2, 0), -EINVAL);
    expect("vmaf_close", vmaf_close(v), 0);
    expect("vmaf_close again (double close)", vmaf_close(v), -EINVAL);
}

static void empty_context(void)
{
    VmafContext *v = open_ctx();
    expect("flush with no pictures", vmaf_read_pictures(v, NULL, NULL, 0), 0);
    expect("vmaf_write_output(no pictures)", vmaf_write_output(v, "/dev/null", VMAF_OUTPUT_FORMAT_XML),
           -EINVAL);
    double s;
    expect("vmaf_feature_score_pooled(no pictures)",
           vmaf_feature_score_pooled(v, "vmaf", VMAF_POOL_METHOD_MEAN, &s, 0, 0), -EINVAL);
    vmaf_close(v);
}

int main(void)
{
    null_arguments();
    bad_names();
    bad_pictures();
    empty_context();
    printf("%s\n", failures ? "FAILED" : "all refused as libvmaf does");
    return failures ? 1 : 0;
}
