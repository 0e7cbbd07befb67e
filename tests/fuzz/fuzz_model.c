/* Model files (engine/model): the JSON, and — when the first byte is odd — the libsvm text
 * inside a fixed, valid model JSON, so the SVM parser is reached on every input. Properties: a
 * refusal has a reason; a model that loads never predicts NaN for finite features (a
 * non-finite number in a model must be refused at load). */
#include <math.h>

#include "fuzz.h"
#include "engine/model/model.h"

static const char *HEAD =
    "{\"model_dict\": {\"model_type\": \"LIBSVMNUSVR\", \"norm_type\": \"linear_rescale\","
    " \"feature_names\": [\"VMAF_integer_feature_adm2_score\", \"VMAF_integer_feature_motion2_score\"],"
    " \"slopes\": [0.01, 1.0, 0.5], \"intercepts\": [-0.1, 0.0, 0.0],"
    " \"score_clip\": [0.0, 100.0], \"model\": ";

static char *wrap_svm(const uint8_t *data, size_t size)
{
    /* the libsvm text as a JSON string: escape what JSON needs */
    size_t head = strlen(HEAD);
    char *s = malloc(head + 6 * size + 8);
    if (!s) abort();
    size_t o = head;
    memcpy(s, HEAD, head);
    s[o++] = '"';
    for (size_t i = 0; i < size; i++) {
        unsigned char c = data[i];
        if (c == '"' || c == '\\') o += (size_t)sprintf(s + o, "\\%c", c);
        else if (c == '\n') o += (size_t)sprintf(s + o, "\\n");
        else if (c < 0x20 || c >= 0x7f) o += (size_t)sprintf(s + o, "\\u%04x", c);
        else s[o++] = (char)c;
    }
    strcpy(s + o, "\"}}");
    return s;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) return 0;
    char *json = data[0] & 1 ? wrap_svm(data + 1, size - 1) : fuzz_string(data + 1, size - 1);
    Model *m = NULL;
    char err[512] = "";
    if (model_parse(json, strlen(json), data[0] & 2, data[0] & 4, &m, err, sizeof(err)) < 0) {
        FUZZ_CHECK(err[0], "refused without a reason");
    } else {
        unsigned n = model_feature_count(m);
        FUZZ_CHECK(n > 0 && n <= 64, "%u features", n);
        double f[64];
        for (unsigned i = 0; i < n; i++) f[i] = 0.5;
        double score = model_predict(m, f);
        FUZZ_CHECK(!isnan(score), "a loaded model predicts %g", score);
        model_free(m);
    }
    free(json);
    return 0;
}
