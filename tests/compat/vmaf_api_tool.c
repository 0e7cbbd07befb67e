/* A libvmaf API client written the way Netflix's `vmaf` tool uses the API (tools/vmaf.c):
 * it reads two .y4m files, takes pictures from a preallocated pool, feeds them in order,
 * flushes, pools each model's score (mean) and writes the report. It accepts the same flags
 * as `vmaf` for what the conformance goldens use, so tests/test_compat_api.py can replay
 * golden/COMMANDS.txt with it in place of `vmaf`:
 *   -r REF.y4m -d DIS.y4m [-m MODEL]... [--feature NAME[=K=V:K=V]]... [--threads N]
 *   [--subsample N] [--cpumask N] [--frame_cnt N] [--frame_skip_ref N] [--frame_skip_dist N]
 *   [--json|--xml|--csv|--sub] -o OUT [-q]
 * MODEL: version=V or path=P, with :name=N :enable_transform :disable_clip :EXTRACTOR.KEY=V. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libvmaf.h>

typedef struct Y4m {
    FILE *f;
    unsigned w, h, bpc, cw, ch; /* luma and (file) chroma plane sizes */
    enum VmafPixelFormat fmt;
} Y4m;

static int y4m_open(Y4m *y, const char *path)
{
    memset(y, 0, sizeof(*y));
    if (!(y->f = fopen(path, "rb"))) {
        fprintf(stderr, "%s: %s\n", path, strerror(errno));
        return -1;
    }
    char line[512];
    if (!fgets(line, sizeof(line), y->f) || strncmp(line, "YUV4MPEG2 ", 10)) {
        fprintf(stderr, "%s: not a y4m file\n", path);
        return -1;
    }
    const char *c = "420";
    y->bpc = 8;
    for (char *t = strtok(line + 10, " \n"); t; t = strtok(NULL, " \n")) {
        if (t[0] == 'W') y->w = (unsigned)atoi(t + 1);
        if (t[0] == 'H') y->h = (unsigned)atoi(t + 1);
        if (t[0] == 'C') {
            c = t + 1;
            char *p = strstr(t, "p1"); /* C420p10, C444p12, ...; not C420jpeg */
            if (p) y->bpc = (unsigned)atoi(p + 1);
        }
    }
    unsigned sx = strncmp(c, "444", 3) != 0, sy = strncmp(c, "420", 3) == 0;
    y->fmt = !sx ? VMAF_PIX_FMT_YUV444P : sy ? VMAF_PIX_FMT_YUV420P : VMAF_PIX_FMT_YUV422P;
    y->cw = (y->w + sx) >> sx;
    y->ch = (y->h + sy) >> sy;
    return y->w && y->h ? 0 : -1;
}

/* Reads the next frame into pic (allocated for this geometry); 1 at end of file. */
static int y4m_read(Y4m *y, VmafPicture *pic)
{
    char line[128];
    if (!fgets(line, sizeof(line), y->f)) return 1;
    if (strncmp(line, "FRAME", 5)) return -1;
    size_t bps = y->bpc > 8 ? 2 : 1;
    for (int p = 0; p < 3; p++) {
        unsigned fw = p ? y->cw : y->w, fh = p ? y->ch : y->h;
        unsigned char row[65536];
        for (unsigned r = 0; r < fh; r++) {
            if (fread(row, bps, fw, y->f) != fw) return -1;
            if (r < pic->h[p])
                memcpy((char *)pic->data[p] + r * pic->stride[p], row,
                       bps * (fw < pic->w[p] ? fw : pic->w[p]));
        }
    }
    return 0;
}

static int skip_frames(Y4m *y, unsigned n, VmafPicture *scratch)
{
    for (unsigned i = 0; i < n; i++)
        if (y4m_read(y, scratch)) return -1;
    return 0;
}

typedef struct Args {
    const char *ref, *dis, *out;
    const char *model[8], *feature[16];
    unsigned n_model, n_feature, threads, subsample, frame_cnt, skip_ref, skip_dis;
    unsigned long long cpumask;
    enum VmafOutputFormat fmt;
} Args;

static int parse_args(int argc, char **argv, Args *a)
{
    memset(a, 0, sizeof(*a));
    a->fmt = VMAF_OUTPUT_FORMAT_XML;
    for (int i = 1; i < argc; i++) {
        const char *k = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        int takes = 1;
        if (!strcmp(k, "-r") || !strcmp(k, "--reference")) a->ref = v;
        else if (!strcmp(k, "-d") || !strcmp(k, "--distorted")) a->dis = v;
        else if (!strcmp(k, "-o") || !strcmp(k, "--output")) a->out = v;
        else if ((!strcmp(k, "-m") || !strcmp(k, "--model")) && a->n_model < 8) a->model[a->n_model++] = v;
        else if (!strcmp(k, "--feature") && a->n_feature < 16) a->feature[a->n_feature++] = v;
        else if (!strcmp(k, "--threads")) a->threads = v ? (unsigned)atoi(v) : 0;
        else if (!strcmp(k, "--subsample")) a->subsample = v ? (unsigned)atoi(v) : 0;
        else if (!strcmp(k, "--cpumask")) a->cpumask = v ? strtoull(v, NULL, 0) : 0;
        else if (!strcmp(k, "--frame_cnt")) a->frame_cnt = v ? (unsigned)atoi(v) : 0;
        else if (!strcmp(k, "--frame_skip_ref")) a->skip_ref = v ? (unsigned)atoi(v) : 0;
        else if (!strcmp(k, "--frame_skip_dist")) a->skip_dis = v ? (unsigned)atoi(v) : 0;
        else {
            takes = 0;
            if (!strcmp(k, "--json")) a->fmt = VMAF_OUTPUT_FORMAT_JSON;
            else if (!strcmp(k, "--xml")) a->fmt = VMAF_OUTPUT_FORMAT_XML;
            else if (!strcmp(k, "--csv")) a->fmt = VMAF_OUTPUT_FORMAT_CSV;
            else if (!strcmp(k, "--sub")) a->fmt = VMAF_OUTPUT_FORMAT_SUB;
            else if (strcmp(k, "-q") && strcmp(k, "--quiet")) {
                fprintf(stderr, "unknown argument %s\n", k);
                return -1;
            }
        }
        if (takes && !v) {
            fprintf(stderr, "%s needs a value\n", k);
            return -1;
        }
        i += takes;
    }
    if (!a->ref || !a->dis) {
        fprintf(stderr, "-r and -d are required\n");
        return -1;
    }
    if (!a->n_model) a->model[a->n_model++] = "version=vmaf_v0.6.1";
    return 0;
}

/* "version=V:name=N:enable_transform:vif.key=val" -> a loaded model with its overloads. */
static int load_model(const char *spec, VmafModel **model, char *name_buf, size_t n)
{
    char buf[512], *save = NULL, *version = NULL, *path = NULL;
    VmafModelConfig cfg = { .name = NULL, .flags = VMAF_MODEL_FLAGS_DEFAULT };
    snprintf(buf, sizeof(buf), "%s", spec);
    for (char *kv = strtok_r(buf, ":", &save); kv; kv = strtok_r(NULL, ":", &save)) {
        char *eq = strchr(kv, '='), *val = eq ? eq + 1 : NULL;
        if (eq) *eq = 0;
        if (!strcmp(kv, "version")) version = val;
        else if (!strcmp(kv, "path")) path = val;
        else if (!strcmp(kv, "name")) cfg.name = strncpy(name_buf, val ? val : "", n - 1);
        else if (!strcmp(kv, "enable_transform")) cfg.flags |= VMAF_MODEL_FLAG_ENABLE_TRANSFORM;
        else if (!strcmp(kv, "disable_clip")) cfg.flags |= VMAF_MODEL_FLAG_DISABLE_CLIP;
    }
    int err = version ? vmaf_model_load(model, &cfg, version)
                      : vmaf_model_load_from_path(model, &cfg, path ? path : "");
    if (err) return err;
    snprintf(buf, sizeof(buf), "%s", spec);
    for (char *kv = strtok_r(buf, ":", &save); kv; kv = strtok_r(NULL, ":", &save)) {
        char *dot = strchr(kv, '.'), *eq = strchr(kv, '=');
        if (!dot || !eq || dot > eq || !strncmp(kv, "path", 4) || !strncmp(kv, "version", 7)) continue;
        *dot = *eq = 0;
        VmafFeatureDictionary *d = NULL;
        if ((err = vmaf_feature_dictionary_set(&d, dot + 1, eq + 1)) ||
            (err = vmaf_model_feature_overload(*model, kv, d))) {
            vmaf_feature_dictionary_free(&d);
            return err;
        }
    }
    return 0;
}

static int use_feature(VmafContext *vmaf, const char *spec)
{
    char buf[512], *save = NULL;
    snprintf(buf, sizeof(buf), "%s", spec);
    char *eq = strchr(buf, '=');
    VmafFeatureDictionary *d = NULL;
    if (eq) {
        *eq = 0;
        for (char *kv = strtok_r(eq + 1, ":", &save); kv; kv = strtok_r(NULL, ":", &save)) {
            char *e = strchr(kv, '=');
            if (!e) return -EINVAL;
            *e = 0;
            int err = vmaf_feature_dictionary_set(&d, kv, e + 1);
            if (err) return err;
        }
    }
    int err = vmaf_use_feature(vmaf, buf, d);
    if (err) vmaf_feature_dictionary_free(&d);
    return err;
}

static int run(const Args *a, VmafContext *vmaf, Y4m *ref, Y4m *dis, unsigned *n_read)
{
    VmafPictureConfiguration pc = { .pic_params = { ref->w, ref->h, ref->bpc, ref->fmt },
                                    .pic_cnt = 2 * (a->threads ? a->threads : 1) + 2 };
    int err = vmaf_preallocate_pictures(vmaf, pc);
    if (err) return err;
    VmafPicture scratch;
    if ((err = vmaf_picture_alloc(&scratch, ref->fmt, ref->bpc, ref->w, ref->h))) return err;
    err = skip_frames(ref, a->skip_ref, &scratch) || skip_frames(dis, a->skip_dis, &scratch);
    vmaf_picture_unref(&scratch);
    if (err) return -EIO;
    for (unsigned i = 0; !a->frame_cnt || i < a->frame_cnt; i++) {
        VmafPicture r, d;
        if ((err = vmaf_fetch_preallocated_picture(vmaf, &r))) return err;
        if ((err = vmaf_fetch_preallocated_picture(vmaf, &d))) return err;
        int er = y4m_read(ref, &r), ed = y4m_read(dis, &d);
        if (er || ed) {
            vmaf_picture_unref(&r);
            vmaf_picture_unref(&d);
            if (er < 0 || ed < 0) return -EIO;
            break;
        }
        if ((err = vmaf_read_pictures(vmaf, &r, &d, i))) return err;
        *n_read = i + 1;
    }
    return vmaf_read_pictures(vmaf, NULL, NULL, 0);
}

int main(int argc, char **argv)
{
    Args a;
    if (parse_args(argc, argv, &a)) return 2;
    Y4m ref, dis;
    if (y4m_open(&ref, a.ref) || y4m_open(&dis, a.dis)) return 1;
    VmafConfiguration cfg = { .log_level = VMAF_LOG_LEVEL_INFO,
                              .n_threads = a.threads,
                              .n_subsample = a.subsample,
                              .cpumask = a.cpumask };
    VmafContext *vmaf;
    int err = vmaf_init(&vmaf, cfg);
    if (err) {
        fprintf(stderr, "vmaf_init: %d\n", err);
        return 1;
    }
    VmafModel *model[8] = { 0 };
    char names[8][128];
    for (unsigned i = 0; i < a.n_model && !err; i++) {
        if ((err = load_model(a.model[i], &model[i], names[i], sizeof(names[i]))))
            fprintf(stderr, "problem loading model %s\n", a.model[i]);
        else if ((err = vmaf_use_features_from_model(vmaf, model[i])))
            fprintf(stderr, "problem using model %s\n", a.model[i]);
    }
    for (unsigned i = 0; i < a.n_feature && !err; i++)
        if ((err = use_feature(vmaf, a.feature[i])))
            fprintf(stderr, "problem with feature %s\n", a.feature[i]);
    unsigned n = 0;
    if (!err && (err = run(&a, vmaf, &ref, &dis, &n))) fprintf(stderr, "problem reading pictures: %d\n", err);
    for (unsigned i = 0; i < a.n_model && !err; i++) {
        double s;
        if ((err = vmaf_score_pooled(vmaf, model[i], VMAF_POOL_METHOD_MEAN, &s, 0, n - 1)))
            fprintf(stderr, "problem pooling model %u\n", i);
    }
    if (!err && a.out && (err = vmaf_write_output(vmaf, a.out, a.fmt)))
        fprintf(stderr, "problem writing %s\n", a.out);
    for (unsigned i = 0; i < a.n_model; i++) vmaf_model_destroy(model[i]);
    vmaf_close(vmaf);
    fclose(ref.f);
    fclose(dis.f);
    return err ? 1 : 0;
}
