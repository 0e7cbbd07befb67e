/* libvmaf's model collections (read_json_model.c): {"0": model, "1": model, ...}. Key "0" is
 * the main model; keys "1".."n" are the bootstrap submodels, taken while the keys run on
 * without a gap (other keys are ignored, as libvmaf does). Each is parsed by model_parse(). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "model.h"

static int parse_member(const json_t *v, int enable_transform, int disable_clip, Model **out, unsigned i,
                        char *err, size_t errlen)
{
    char *text = json_dumps(v, JSON_COMPACT);
    if (!text) {
        snprintf(err, errlen, "model JSON: out of memory");
        return -ENOMEM;
    }
    char why[256];
    int e = model_parse(text, strlen(text), enable_transform, disable_clip, out, why, sizeof(why));
    free(text);
    if (e) snprintf(err, errlen, "model collection, model \"%u\": %s", i, why);
    return e;
}

int model_parse_collection(const char *json, size_t len, int enable_transform, int disable_clip, Model **out,
                           unsigned *n, char *err, size_t errlen)
{
    *n = 0;
    json_error_t jerr;
    json_t *root = json_loadb(json, len, 0, &jerr);
    if (!root || !json_is_object(root) || json_object_get(root, "model_dict") ||
        !json_object_get(root, "0")) {
        json_decref(root);
        int e = model_parse(json, len, enable_transform, disable_clip, out, err, errlen);
        if (!e) *n = 1;
        return e;
    }
    int e = 0;
    for (unsigned i = 0; i < MODEL_MAX_COLLECTION && !e; i++) {
        char key[16];
        snprintf(key, sizeof(key), "%u", i);
        const json_t *v = json_object_get(root, key);
        if (!v) break;
        e = parse_member(v, enable_transform, disable_clip, &out[i], i, err, errlen);
        if (!e) *n = i + 1;
    }
    if (!e && *n < 2) {
        snprintf(err, errlen, "model collection: no bootstrap model \"1\"");
        e = -EINVAL;
    }
    json_decref(root);
    if (e) {
        for (unsigned i = 0; i < *n; i++) model_free(out[i]);
        *n = 0;
    }
    return e;
}
