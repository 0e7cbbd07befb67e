/* The libvmaf API's less travelled paths, checked for consistency with each other on a
 * synthetic clip: metadata handlers, imported scores, per-index and pooled scores (every
 * pooling method, sub-ranges), preallocated pictures with threads, feature overloads, two
 * models in one context, reports. Exit status 1 on the first inconsistency, with a message.
 * usage: compat-api-check OUT_DIR */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libvmaf.h>

#define W 96
#define H 64
#define N 10

#define CHECK(cond, ...)                                \
    do {                                                \
        if (!(cond)) {                                  \
            printf("FAIL %s:%d: ", __FILE__, __LINE__); \
            printf(__VA_ARGS__);                        \
            printf("\n");                               \
            exit(1);                                    \
        }                                               \
    } while (0)

typedef struct Seen {
    unsigned calls, last_index;
    double score[N];
} Seen;

static void on_score(void *data, VmafMetadata *m)
{
    Seen *s = data;
    if (m->picture_index < N) s->score[m->picture_index] = m->score;
    s->last_index = m->picture_index;
    s->calls++;
}

static void draw(VmafPicture *p, unsigned frame, int noise)
{
    uint32_t seed = 12345u + frame;
    for (int c = 0; c < 3; c++)
        for (unsigned y = 0; y < p->h[c]; y++) {
            uint8_t *row = (uint8_t *)p->data[c] + y * p->stride[c];
            for (unsigned x = 0; x < p->w[c]; x++) {
                seed = seed * 1103515245u + 12345u;
                int v = (int)((x * 3 + y * 2 + frame * 5) & 0xff);
                if (noise) v += (int)((seed >> 16) % 21) - 10;
                row[x] = (uint8_t)(v < 0 ? 0 : v > 255 ? 255 : v);
            }
        }
}

static VmafModel *load(const char *version, const char *name, uint64_t flags)
{
    VmafModel *m;
    VmafModelConfig cfg = { .name = name, .flags = flags };
    CHECK(!vmaf_model_load(&m, &cfg, version), "vmaf_model_load %s", version);
    return m;
}

static void check_pooling(VmafContext *v, const char *name, unsigned lo, unsigned hi)
{
    double mn = 0, mx = 0, sum = 0, inv = 0, s, got;
    for (unsigned i = lo; i <= hi; i++) {
        CHECK(!vmaf_feature_score_at_index(v, name, &s, i), "%s at %u", name, i);
        mn = i == lo || s < mn ? s : mn;
        mx = i == lo || s > mx ? s : mx;
        sum += s;
        inv += 1.0 / (s + 1.0);
    }
    unsigned n = hi - lo + 1;
    const struct {
        enum VmafPoolingMethod m;
        double want;
    } t[] = {
        { VMAF_POOL_METHOD_MIN, mn },
        { VMAF_POOL_METHOD_MAX, mx },
        { VMAF_POOL_METHOD_MEAN, sum / n },
        { VMAF_POOL_METHOD_HARMONIC_MEAN, n / inv - 1.0 },
    };
    for (unsigned k = 0; k < 4; k++) {
        CHECK(!vmaf_feature_score_pooled(v, name, t[k].m, &got, lo, hi), "pool %s", name);
        CHECK(got == t[k].want, "%s pooled method %d over %u..%u: %.17g, want %.17g", name, t[k].m, lo, hi,
              got, t[k].want);
    }
}

int main(int argc, char **argv)
{
    const char *out_dir = argc > 1 ? argv[1] : ".";
    CHECK(!strncmp(vmaf_version(), "3.2.0", 5), "version %s", vmaf_version());
    VmafConfiguration cfg = { .log_level = VMAF_LOG_LEVEL_WARNING, .n_threads = 2 };
    VmafContext *v;
    CHECK(!vmaf_init(&v, cfg), "vmaf_init");

    VmafModel *plain = load("vmaf_v0.6.1", NULL, 0);
    VmafModel *neg = load("vmaf_v0.6.1", "vmaf_egl", VMAF_MODEL_FLAG_DISABLE_CLIP);
    VmafFeatureDictionary *d = NULL;
    CHECK(!vmaf_feature_dictionary_set(&d, "adm_enhn_gain_limit", "1.0"), "dict");
    CHECK(!vmaf_model_feature_overload(neg, "adm", d), "overload");
    CHECK(!vmaf_use_features_from_model(v, plain) && !vmaf_use_features_from_model(v, neg), "use models");
    CHECK(!vmaf_use_features_from_model(v, plain), "a model used twice counts once");
    d = NULL;
    CHECK(!vmaf_feature_dictionary_set(&d, "enable_chroma", "false"), "dict");
    CHECK(!vmaf_use_feature(v, "psnr", d), "psnr");

    Seen seen_vmaf = { 0 }, seen_psnr = { 0 };
    CHECK(!vmaf_register_metadata_handler(v, (VmafMetadataConfiguration){ .feature_name = "vmaf",
                                                                          .callback = on_score,
                                                                          .data = &seen_vmaf }),
          "handler");
    CHECK(!vmaf_register_metadata_handler(v, (VmafMetadataConfiguration){ .feature_name = "psnr_y",
                                                                          .callback = on_score,
                                                                          .data = &seen_psnr }),
          "handler");

    /* a collection's statistics are read from NAME_bagging, NAME_stddev, NAME_ci_p95_lo/hi;
     * imported here, since the engine computes no bootstrap model yet */
    VmafModel *coll_main;
    VmafModelCollection *coll;
    VmafModelConfig ccfg = { .name = "coll" };
    CHECK(!vmaf_model_collection_load(&coll_main, &coll, &ccfg, "vmaf_v0.6.1"), "collection load");
    CHECK(!vmaf_use_features_from_model_collection(v, coll), "use collection");
    CHECK(!vmaf_use_features_from_model(v, coll_main), "a collection's main model is the same model");
    const char *stat[] = { "coll_bagging", "coll_stddev", "coll_ci_p95_lo", "coll_ci_p95_hi" };
    for (unsigned i = 0; i < N; i++)
        for (unsigned k = 0; k < 4; k++)
            CHECK(!vmaf_import_feature_score(v, stat[k], 10.0 * k + i, i), "import %s", stat[k]);

    VmafPictureConfiguration pc = { { W, H, 8, VMAF_PIX_FMT_YUV420P }, 4 };
    CHECK(!vmaf_preallocate_pictures(v, pc), "preallocate");
    for (unsigned i = 0; i < N; i++) {
        VmafPicture r, s;
        CHECK(!vmaf_fetch_preallocated_picture(v, &r) && !vmaf_fetch_preallocated_picture(v, &s), "fetch");
        CHECK(r.w[0] == W && r.h[1] == H / 2 && r.bpc == 8, "pool picture geometry");
        draw(&r, i, 0);
        draw(&s, i, 1);
        CHECK(!vmaf_read_pictures(v, &r, &s, i), "read %u", i);
        CHECK(!vmaf_import_feature_score(v, "imported", 1.5 * i, i), "import %u", i);
    }
    CHECK(!vmaf_read_pictures(v, NULL, NULL, 0), "flush");

    CHECK(seen_vmaf.calls == N && seen_vmaf.last_index == N - 1, "vmaf handler: %u calls", seen_vmaf.calls);
    CHECK(seen_psnr.calls == N, "psnr_y handler: %u calls", seen_psnr.calls);
    for (unsigned i = 0; i < N; i++) {
        double s;
        CHECK(!vmaf_score_at_index(v, plain, &s, i) && s == seen_vmaf.score[i],
              "metadata vmaf[%u] %.17g != score %.17g", i, seen_vmaf.score[i], s);
        CHECK(!vmaf_feature_score_at_index(v, "imported", &s, i) && s == 1.5 * i, "imported[%u]", i);
        CHECK(!vmaf_feature_score_at_index(v, "integer_adm2_egl_1", &s, i), "overloaded ADM feature at %u",
              i);
        CHECK(!vmaf_score_at_index(v, neg, &s, i), "second model at %u", i);
    }
    double cb;
    CHECK(vmaf_feature_score_at_index(v, "psnr_cb", &cb, 0) == -EINVAL, "psnr enable_chroma=false ignored");
    check_pooling(v, "vmaf", 0, N - 1);
    check_pooling(v, "vmaf", 2, 5);
    check_pooling(v, "vmaf_egl", 0, N - 1);
    check_pooling(v, "psnr_y", 3, 3);
    double a, b;
    CHECK(!vmaf_score_pooled(v, plain, VMAF_POOL_METHOD_MEAN, &a, 0, N - 1) &&
              !vmaf_feature_score_pooled(v, "vmaf", VMAF_POOL_METHOD_MEAN, &b, 0, N - 1) && a == b,
          "score_pooled");

    VmafModelCollectionScore cs;
    CHECK(!vmaf_score_pooled_model_collection(v, coll, VMAF_POOL_METHOD_MEAN, &cs, 0, N - 1) &&
              cs.type == VMAF_MODEL_COLLECTION_SCORE_BOOTSTRAP && cs.bootstrap.bagging_score == 4.5 &&
              cs.bootstrap.stddev == 14.5 && cs.bootstrap.ci.p95.lo == 24.5 && cs.bootstrap.ci.p95.hi == 34.5,
          "pooled collection %g %g %g %g", cs.bootstrap.bagging_score, cs.bootstrap.stddev,
          cs.bootstrap.ci.p95.lo, cs.bootstrap.ci.p95.hi);
    CHECK(!vmaf_score_at_index_model_collection(v, coll, &cs, 3) && cs.bootstrap.ci.p95.hi == 33,
          "collection at index 3");
    CHECK(!vmaf_score_at_index(v, coll_main, &a, 0), "collection main model score");
    const char *ext[] = { "xml", "json", "csv", "sub" };
    for (int f = VMAF_OUTPUT_FORMAT_XML; f <= VMAF_OUTPUT_FORMAT_SUB; f++) {
        char path[4096];
        snprintf(path, sizeof(path), "%s/api_check.%s", out_dir, ext[f - 1]);
        CHECK(!vmaf_write_output(v, path, (enum VmafOutputFormat)f), "write %s", path);
        FILE *fp = fopen(path, "r");
        CHECK(fp, "open %s", path);
        static char text[1 << 20];
        size_t n = fread(text, 1, sizeof(text) - 1, fp);
        fclose(fp);
        text[n] = 0;
        CHECK(strstr(text, "imported") && strstr(text, "vmaf_egl") && strstr(text, "psnr_y"),
              "%s lacks a score", path);
    }
    vmaf_model_destroy(plain);
    vmaf_model_destroy(neg);
    vmaf_model_destroy(coll_main);
    vmaf_model_collection_destroy(coll);
    CHECK(!vmaf_close(v), "close");
    printf("api consistent\n");
    return 0;
}
