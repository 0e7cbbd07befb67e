/* vmafx-model-eval: a model's per-frame prediction from given feature values, without any
 * picture, to test the model arithmetic (normalisation, SVR, chroma correction, transform,
 * clip) against libvmaf's golden scores on its own.
 *   vmafx-model-eval MODEL [enable_transform]
 * MODEL is a built-in version or a path to a model JSON file. Prints the model's feature
 * names on one line (tab-separated), then reads lines of as many numbers from stdin and
 * prints each prediction as %.17g. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/model/builtin.h"
#include "engine/model/model.h"

static int die(const char *msg)
{
    fprintf(stderr, "vmafx-model-eval: %s\n", msg);
    return 1;
}

static char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    size_t cap = 1 << 16, n = 0, k;
    char *buf = malloc(cap);
    while (buf && (k = fread(buf + n, 1, cap - n, f)) > 0) {
        n += k;
        if (n == cap) {
            char *b = realloc(buf, cap *= 2);
            if (!b) {
                free(buf);
                buf = NULL;
            } else buf = b;
        }
    }
    fclose(f);
    *len = n;
    return buf;
}

int main(int argc, char **argv)
{
    if (argc < 2) return die("usage: vmafx-model-eval MODEL [enable_transform]");
    size_t len;
    char *owned = NULL;
    const char *json = builtin_model_json(argv[1]);
    if (json) len = strlen(json);
    else if (!(json = owned = read_file(argv[1], &len))) return die("cannot read the model");
    Model *m;
    char err[256];
    int enable_transform = argc > 2 && !strcmp(argv[2], "enable_transform");
    if (model_parse(json, len, enable_transform, 0, &m, err, sizeof(err))) return die(err);
    free(owned);
    const unsigned n = model_feature_count(m);
    for (unsigned i = 0; i < n; i++) printf("%s%s", i ? "\t" : "", model_feature_name(m, i));
    putchar('\n');
    double x[MODEL_MAX_FEATURES];
    for (;;) {
        for (unsigned i = 0; i < n; i++)
            if (scanf("%lf", &x[i]) != 1) {
                model_free(m);
                return i ? die("incomplete line of feature values") : 0;
            }
        printf("%.17g\n", model_predict(m, x));
    }
}
