/* Chunked jobs in the controller: a submitted job cut into frame ranges (one child job per
 * range, store.h), the children's results merged into the job's reports once all have
 * completed, a failed child failing the job, a cancelled job stopping its children, and the
 * job's view listing its chunks. The store keeps every state, so a restarted controller
 * (or another one on the same PostgreSQL database) carries on where this one stopped. */
#ifndef VMAFX_CONTROLLER_CHUNKS_H
#define VMAFX_CONTROLLER_CHUNKS_H

#include <jansson.h>

#include "controller.h"

/* After a job was stored: cut it into chunks when it asks for it (or the controller's
 * default does) and its frame count is known; otherwise a note says why it runs whole. */
void chunks_plan(Controller *c, const JobSpec *job, const char *id);
/* The decision once the frames are known (frames > 0) or not (why says why): chunks, or a
 * note and the job let go whole. */
void chunks_cut(Controller *c, const JobSpec *job, const char *id, long long frames, const char *why);
/* Whether chunks_plan will decide about the job (and so it is stored held until then). */
int chunks_wanted(const Controller *c, const JobSpec *job);
/* Plans the held jobs created before created_before that were never planned (a controller
 * stopped between storing and planning them): on start-up and from the periodic sweep.
 * Safe beside another planner of the same job: chunk_split and probe_start take a held,
 * uncut (probe-less) job only, so each job is cut, probed or let go once. */
void chunks_replan(Controller *c, double created_before);
/* Settles chunked jobs: fails, cancels, marks running and merges what is due. Called after
 * each result, cancel and sweep; cheap when nothing is chunked. */
void chunks_settle(Controller *c);
/* Adds "chunks" (per chunk: range, state, attempts, node, progress) and "chunk_note" to a
 * job's view, and the overall progress and ETA of a chunked job. */
void chunks_view(Controller *c, const char *id, json_t *view);

#endif
