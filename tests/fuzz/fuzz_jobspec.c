/* The job spec parser (api/jobspec.c), as the controller's submit and the node's lease use
 * it. Properties: a refusal names a field and a reason; an accepted spec's canonical text is
 * accepted again and is a fixed point (parse(canonical(s)) gives the same canonical text),
 * which is what idempotent submits rely on. */
#include "fuzz.h"
#include "api/jobspec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    JobSpec *a = calloc(1, sizeof(*a)), *b = calloc(1, sizeof(*b));
    if (!a || !b) abort();
    char field[128], err[1400];
    char *text = fuzz_string(data, size);
    if (jobspec_parse(text, size, a, NULL, NULL, field, sizeof(field), err, sizeof(err))) {
        FUZZ_CHECK(err[0], "refused without a reason");
    } else {
        char *c1 = jobspec_canonical(a);
        FUZZ_CHECK(c1, "no canonical text");
        int rc = jobspec_parse(c1, strlen(c1), b, NULL, NULL, field, sizeof(field), err, sizeof(err));
        FUZZ_CHECK(rc == 0, "canonical text refused: %s: %s", c1, err);
        char *c2 = jobspec_canonical(b);
        FUZZ_CHECK(c2 && !strcmp(c1, c2), "canonical text not a fixed point: %s vs %s", c1, c2 ? c2 : "");
        free(c1);
        free(c2);
    }
    free(text);
    free(a);
    free(b);
    return 0;
}
