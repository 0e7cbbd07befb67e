/* A frame-count probe (executor.h): the inputs, opened from where storage made them
 * readable and with the job's options, counted by the media layer without decoding. */
#include <stdio.h>
#include <string.h>

#include "executor.h"
#include "media/media.h"

static int count_one(const char *path, const char *label, const PipelineSpec *p, unsigned *frames, char *err,
                     size_t n)
{
    MediaOptions o = { .label = label,
                       .raw = p->raw,
                       .stall_timeout = p->stall_timeout,
                       .http_retries = p->http_retries,
                       .tls_ca_file = p->tls_ca_file };
    int exact;
    return media_count_frames(path, &o, frames, &exact, err, n);
}

int exec_probe(const JobSpec *job, const ExecSettings *set, const PipelineInputs *in, ExecResult *res,
               char *err, size_t n)
{
    PipelineSpec p;
    int e = pipeline_spec_from_request(job, &set->run, in, &p, err, n);
    if (!e) e = count_one(in->ref_path, in->ref_label, &p, &res->probe_frames[0], err, n);
    if (!e) e = count_one(in->dis_path, in->dis_label, &p, &res->probe_frames[1], err, n);
    res->probe = !e;
    return e;
}
