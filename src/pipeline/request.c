/* A scoring request, run (see request.h): options to the pipeline's spec, models and
 * features to the engine, then pipeline_run. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "request.h"

/* Whether the request's presets compare inputs at a common bit depth. */
static int common_bitdepth(const JobSpec *req)
{
    JobSpec *x = malloc(sizeof(*x));
    char field[64], err[256];
    int r = x && !jobspec_expand(req, x, field, sizeof(field), err, sizeof(err)) && x->opt.common_bitdepth;
    free(x);
    return r;
}

int pipeline_spec_from_request(const JobSpec *req, const PipelineSettings *set, const PipelineInputs *in,
                               PipelineSpec *p, char *err, size_t n)
{
    const JobOptions *o = &req->opt;
    *p = (PipelineSpec){ .ref_path = in->ref_path,
                         .dis_path = in->dis_path,
                         .ref_label = in->ref_label,
                         .dis_label = in->dis_label,
                         .ref_integrity = in->ref_integrity,
                         .dis_integrity = in->dis_integrity,
                         .skip_ref = o->frame_skip_ref,
                         .skip_dis = o->frame_skip_dist,
                         .frame_cnt = o->frame_cnt,
                         .common_bitdepth = o->common_bitdepth || common_bitdepth(req),
                         .stall_timeout = set->stall_timeout,
                         .http_retries = set->http_retries,
                         .tls_ca_file = set->tls_ca_file,
                         .chunk = set->chunk };
    p->raw = (MediaGeometry){ o->width, o->height, o->bitdepth,
                              *o->pixel_format ? media_parse_pix_fmt(o->pixel_format) : 0, 0 };
    int sync = jobspec_sync(o->sync, &p->sync_range);
    p->sync = sync > 0;
    /* validated already (jobspec_parse / jobspec_validate): these refuse only a caller that
     * skipped validation */
    if (media_parse_scale(*o->scale ? o->scale : "bicubic", &p->scale) || sync < 0 ||
        (*o->scale_to && media_parse_size(o->scale_to, &p->scale_w, &p->scale_h)) ||
        align_fps_mode(o->fps_mismatch, &p->fps_mismatch)) {
        snprintf(err, n, "options: not validated (scale '%s', scale_to '%s', sync '%s', fps_mismatch '%s')",
                 o->scale, o->scale_to, o->sync, o->fps_mismatch);
        return -EINVAL;
    }
    return 0;
}

int pipeline_engine_for_request(const JobSpec *req, const PipelineSettings *set, PipelineScore *out,
                                char *err, size_t n)
{
    memset(out, 0, sizeof(*out));
    const PipelineChunk *c = set->chunk;
    unsigned warm = c && c->first > PIPELINE_CHUNK_HISTORY ? c->first - PIPELINE_CHUNK_HISTORY : 0;
    VmafxConfig cfg = { .n_threads = req->opt.threads ? req->opt.threads : set->threads,
                        .subsample = req->opt.subsample,
                        .cpu = set->cpu,
                        .files = set->files,
                        .start_index = warm,
                        .score_from = c ? c->first : 0,
                        .partial = c != NULL };
    int e = vmafx_init(&out->ctx, &cfg);
    if (e) {
        snprintf(err, n, "scoring: cannot start the engine (%s)",
                 out->ctx ? vmafx_last_error(out->ctx) : "out of memory");
        return e;
    }
    char field[64];
    return pipeline_setup_request(out->ctx, req, JOB_LOCAL, out->models, &out->n_models, field, sizeof(field),
                                  err, n);
}

int pipeline_score_request(const JobSpec *req, const PipelineSettings *set, const PipelineInputs *in,
                           const PipelineHooks *hooks, PipelineScore *out, char *err, size_t n)
{
    PipelineSpec p;
    int e = pipeline_engine_for_request(req, set, out, err, n);
    if (!e) e = pipeline_spec_from_request(req, set, in, &p, err, n);
    if (e) return e;
    return pipeline_run(out->ctx, &p, hooks, &out->run, err, n);
}

int pipeline_report(const PipelineScore *sc, enum VmafxFormat fmt, char **text, size_t *len, char *err,
                    size_t n)
{
    int e = vmafx_write_report(sc->ctx, fmt, &sc->run.info, text, len);
    if (e) snprintf(err, n, "writing the report: %s", vmafx_last_error(sc->ctx));
    return e;
}

void pipeline_score_free(PipelineScore *sc)
{
    vmafx_close(sc->ctx);
    sc->ctx = NULL;
}
