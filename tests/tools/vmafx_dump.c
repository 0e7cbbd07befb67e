/* vmafx-dump: every feature of every frame at full precision (%.17g), in the layout of the
 * conformance set's golden .tsv files, for bit-exact comparison.
 *   vmafx-dump REF.y4m DIS.y4m MODEL OUT.tsv [debug]
 * MODEL is a built-in version (vmaf_v0.6.1) or a path to a model JSON file. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vmafx/vmafx.h"
#include "media/media.h"

static int die(const char *msg)
{
    fprintf(stderr, "vmafx-dump: %s\n", msg);
    return 1;
}

static int add_model(VmafxContext *ctx, const char *model, int debug)
{
    VmafxModelConfig cfg = { .name = "vmaf", .debug = debug };
    if (!strchr(model, '/')) return vmafx_use_builtin_model(ctx, model, &cfg);
    FILE *f = fopen(model, "rb");
    if (!f) return -1;
    static char buf[1 << 20];
    size_t n = fread(buf, 1, sizeof(buf) - 1, f);
    fclose(f);
    return vmafx_use_model(ctx, buf, n, &cfg);
}

static void write_tsv(const VmafxContext *ctx, FILE *out)
{
    unsigned nf = vmafx_feature_count(ctx);
    fprintf(out, "frame");
    for (unsigned i = 0; i < nf; i++) fprintf(out, "\t%s", vmafx_feature_name(ctx, i));
    fputc('\n', out);
    for (unsigned k = 0; k < vmafx_frame_count(ctx); k++) {
        fprintf(out, "%u", k);
        for (unsigned i = 0; i < nf; i++) {
            double v;
            if (vmafx_feature_value(ctx, vmafx_feature_name(ctx, i), k, &v)) fprintf(out, "\t");
            else fprintf(out, "\t%.17g", v);
        }
        fputc('\n', out);
    }
    double mean;
    if (!vmafx_feature_pooled(ctx, "vmaf", VMAFX_POOL_MEAN, &mean))
        fprintf(out, "#pooled_mean\t%.17g\n", mean);
}

int main(int argc, char **argv)
{
    if (argc < 5) return die("usage: vmafx-dump REF.y4m DIS.y4m MODEL OUT.tsv [debug]");
    int debug = argc > 5 && !strcmp(argv[5], "debug");
    char err[512];
    FrameSource *ref, *dis;
    MediaOptions ro = { .label = "reference input" }, dop = { .label = "distorted input" };
    if (media_open(&ref, argv[1], &ro, err, sizeof(err)) || media_open(&dis, argv[2], &dop, err, sizeof(err)))
        return die(err);
    const MediaGeometry *g = media_geometry(ref);
    VmafxPicture rp, dp;
    if (vmafx_picture_alloc(&rp, g->fmt, g->bpc, g->w, g->h) ||
        vmafx_picture_alloc(&dp, g->fmt, g->bpc, g->w, g->h))
        return die("out of memory");
    VmafxContext *ctx;
    VmafxConfig cfg = { .n_threads = 1 };
    const char *cpu = getenv("VMAFX_CPU");
    if (cpu && vmafx_cpu_parse(cpu, &cfg.cpu)) return die("VMAFX_CPU: unknown kernel level");
    if (vmafx_init(&ctx, &cfg) || add_model(ctx, argv[3], debug)) return die(vmafx_last_error(ctx));
    int r1, r2;
    while ((r1 = media_read(ref, &rp, err, sizeof(err))) == 1 &&
           (r2 = media_read(dis, &dp, err, sizeof(err))) == 1)
        if (vmafx_score_pictures(ctx, &rp, &dp)) return die(vmafx_last_error(ctx));
    if (r1 < 0) return die(err);
    if (vmafx_flush(ctx)) return die(vmafx_last_error(ctx));
    FILE *out = strcmp(argv[4], "-") ? fopen(argv[4], "w") : stdout;
    if (!out) return die("cannot write output");
    write_tsv(ctx, out);
    if (out != stdout) fclose(out);
    vmafx_close(ctx);
    vmafx_picture_free(&rp);
    vmafx_picture_free(&dp);
    media_close(ref);
    media_close(dis);
    return 0;
}
