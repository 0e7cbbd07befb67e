/* `vmafx score --chunk` and `--merge`: a job scored as frame ranges and merged, locally (the
 * node and the controller do the same for chunked jobs; see pipeline/chunk.h). */
#ifndef VMAFX_CLI_SCORE_CHUNK_H
#define VMAFX_CLI_SCORE_CHUNK_H

#include "base/config.h"
#include "pipeline/chunk.h"

/* "FIRST:END" or "FIRST:" into c; -1 after the message. */
int score_chunk_parse(const char *spec, PipelineChunk *c);
/* The chunk's raw values to path; -1 after the message. */
int score_chunk_write(const PipelineScore *sc, const PipelineChunk *c, const char *path);
/* Merges the --merge files into sc (pipeline_score_free it after); -1 after the message. */
int score_merge_files(const ConfigValues *v, const JobSpec *req, const PipelineSettings *set,
                      PipelineScore *sc);

#endif
