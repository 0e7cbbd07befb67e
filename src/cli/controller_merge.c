/* The controller's merge of a chunked job (see controller_merge.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "controller_merge.h"
#include "pipeline/chunk.h"

static int reports(const PipelineScore *sc, char **json, char **xml, char **csv, char *err, size_t en)
{
    size_t len;
    int e = pipeline_report(sc, VMAFX_FORMAT_JSON, json, &len, err, en);
    if (!e) e = pipeline_report(sc, VMAFX_FORMAT_XML, xml, &len, err, en);
    if (!e) e = pipeline_report(sc, VMAFX_FORMAT_CSV, csv, &len, err, en);
    return e;
}

int cli_merge_chunks(const char *spec, const char *const *texts, const size_t *lens, unsigned n, char **json,
                     char **xml, char **csv, char *err, size_t en)
{
    *json = *xml = *csv = NULL;
    JobSpec *job = malloc(sizeof(*job));
    char field[128];
    if (!job) {
        snprintf(err, en, "merging the chunks: out of memory");
        return -1;
    }
    PipelineSettings set = { .threads = 1 };
    PipelineScore sc = { 0 };
    int e = jobspec_parse(spec, strlen(spec), job, NULL, NULL, field, sizeof(field), err, en);
    if (!e) e = pipeline_merge(job, &set, texts, lens, n, &sc, err, en);
    if (!e) e = reports(&sc, json, xml, csv, err, en);
    pipeline_score_free(&sc);
    free(job);
    if (!e) return 0;
    free(*json);
    free(*xml);
    free(*csv);
    *json = *xml = *csv = NULL;
    return -1;
}
