/* Scoring two inputs end to end, in process: open both with the media layer (each decoded in
 * its own thread into a bounded queue), plan the scaling, skip and synchronise, feed picture
 * pairs to the engine, flush it. The result is the same, frame for frame and field for field,
 * as `vmafx score` gives for the same inputs and options; on top of it the pipeline stops
 * between two frames when asked to and reports its progress. The caller sets up the models
 * on the context before and writes the report after. */
#ifndef VMAFX_PIPELINE_H
#define VMAFX_PIPELINE_H

#include <stdatomic.h>
#include <stddef.h>

#include "media/media.h"
#include "pipeline/alignment.h"
#include "vmafx/vmafx.h"

/* A frame range of a job (chunked jobs): job-frame indices, counted after skip and sync, as
 * frame_cnt and subsampling count them. */
typedef struct PipelineChunk {
    unsigned first, end; /* [first, end); end 0: to the end of the job */
} PipelineChunk;

/* Pictures decoded before a chunk's first frame for the features that read earlier pictures
 * (motion's five-frame window reads two back). */
#define PIPELINE_CHUNK_HISTORY 2

typedef struct PipelineSpec {
    const char *ref_path, *dis_path;   /* what the media layer opens */
    const char *ref_label, *dis_label; /* "reference input", for messages */
    MediaGeometry raw;                 /* raw .yuv geometry (w == 0: not given) */
    enum MediaScaleAlgo scale;
    unsigned scale_w, scale_h; /* scale both to this size; 0: not given */
    int sync;                  /* search the frame offset within sync_range */
    unsigned sync_range;
    unsigned skip_ref, skip_dis;
    unsigned frame_cnt;        /* 0: all frames */
    int common_bitdepth;       /* inputs of different bit depths scored at the larger */
    AlignFpsMode fps_mismatch; /* inputs of different frame rates: warn, refuse, resample */
    double stall_timeout;      /* URL inputs (0: the media layer's default) */
    unsigned http_retries;
    const char *tls_ca_file; /* https inputs: CA bundle (NULL: the system's) */
    /* checks of the bytes of each input against what the storage reported (NULL: none);
     * they must outlive pipeline_run */
    struct IntegrityVerifier *ref_integrity, *dis_integrity;
    const PipelineChunk *chunk; /* NULL: the whole job */
} PipelineSpec;

typedef struct PipelineHooks {
    atomic_int *cancel; /* non-zero: stop before the next frame (-ECANCELED) */
    /* after every frame; total: frames expected to be scored, 0 when unknown */
    void (*progress)(void *user, unsigned frames, unsigned total, double secs);
    void (*notice)(void *user, const char *msg);  /* scaling, sync */
    void (*warning)(void *user, const char *msg); /* frame counts differ, media retries (NULL: notice) */
    /* for the log only, never the job's record: how a chunk's input reached its first frame
     * when it seeked (a fallback to reading from the start is a warning); NULL: not said */
    void (*info)(void *user, const char *msg);
    void *user;
} PipelineHooks;

typedef struct PipelineResult {
    unsigned scored;      /* a chunk: frames of its range */
    VmafxReportInfo info; /* fps, frame counts when they differ, note */
    char note[768];       /* what info.note points at */
} PipelineResult;

/* 0, -ECANCELED, or another negative code with a message naming the input or the engine. */
int pipeline_run(VmafxContext *ctx, const PipelineSpec *s, const PipelineHooks *h, PipelineResult *res,
                 char *err, size_t n);

#endif
