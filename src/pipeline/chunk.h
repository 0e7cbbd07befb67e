/* Chunked jobs: one request scored as frame ranges (anywhere, in any order) and merged into
 * the report one process gives for the whole request, bit for bit.
 *
 * A chunk (pipeline_score_request with PipelineSettings.chunk set) keeps the engine's raw
 * per-frame values: what the extractors wrote, before look-ahead features (motion2, motion3),
 * models and pooling, which need every frame. pipeline_chunk_write puts them in a text form
 * that round-trips every double exactly (C99 hexadecimal floats); pipeline_merge imports all
 * chunks into one engine set up with the same request and finishes it as vmafx_flush does
 * for one stream, so every derived value, pooled score and report layout is computed by the
 * same code from the same numbers. */
#ifndef VMAFX_PIPELINE_CHUNK_H
#define VMAFX_PIPELINE_CHUNK_H

#include <stddef.h>

#include "pipeline/request.h"

/* A scored chunk as text ("vmafx-chunk 1 ..."), malloc'ed. secs: its scoring time. A chunk
 * that scored nothing (sc->run.scored 0: its inputs end before its first frame) is written
 * as an empty one. */
int pipeline_chunk_write(const PipelineScore *sc, const PipelineChunk *chunk, double secs, char **text,
                         size_t *len, char *err, size_t n);

/* Merges the texts of every chunk of a request (any order; together they must cover frames
 * 0 .. the end without gap or overlap up to the one that met the end, after which only empty
 * chunks may come: the inputs ended before them) into out, as pipeline_score_request would
 * have filled it; pipeline_report writes its report. */
int pipeline_merge(const JobSpec *req, const PipelineSettings *set, const char *const *texts,
                   const size_t *lens, unsigned count, PipelineScore *out, char *err, size_t n);

/* The frame range a chunk text covers ([first, end), open: it ran to the end of the job);
 * 0 or -EINVAL. */
int pipeline_chunk_range(const char *text, size_t len, unsigned *first, unsigned *end, int *open);

#endif
