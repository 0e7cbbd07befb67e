/* How many frames a job scores, when the controller can tell from the inputs' sizes: local
 * .y4m (its header and size) and raw .yuv (the job's geometry and the size). Containers and
 * remote inputs are not opened here (the controller decodes nothing): such a job runs as
 * one chunk, and its status says why. */
#ifndef VMAFX_CONTROLLER_CHUNK_PLAN_H
#define VMAFX_CONTROLLER_CHUNK_PLAN_H

#include <stddef.h>

#include "api/jobspec.h"
#include "storage/storage_uri.h"

/* A lower bound of the job's frames (after skip, sync and frame_cnt), > 0; or 0 with why.
 * A lower bound is what chunking needs: the last chunk always runs to the end. */
long long chunk_plan_frames(const JobSpec *job, const StorageConfig *storage, char *why, size_t n);

/* The same bound from the frames the inputs hold (the controller's count, or a node's). */
long long chunk_plan_bound(const JobSpec *job, long long ref, long long dis, char *why, size_t n);
/* 1 when chunk_plan_frames gives up only because an input cannot be counted here (remote,
 * container): a node can count it (a probe lease, probe.h). */
int chunk_plan_unknown(const JobSpec *job, const StorageConfig *storage);

#endif
