/* Frame-count probes: a job to be cut into chunks whose inputs the controller cannot count
 * (containers, remote inputs: the controller decodes nothing and has no rclone remotes) is
 * counted by a node. The held job gets one probe child, leased like a chunk (the lease
 * answer says "probe": true), with its own attempts, backoff and fencing; the node opens the
 * inputs as it would to score them and reports their frames ("probe": {"reference": R,
 * "distorted": D}). The job is then cut as a job with local inputs is (chunk_plan_bound over
 * those counts), or, when the probe failed (the node's error, or leases lost until the probe
 * was given up), let go whole with a note naming why: a probe never fails its job. */
#ifndef VMAFX_CONTROLLER_PROBE_H
#define VMAFX_CONTROLLER_PROBE_H

#include <jansson.h>

#include "controller.h"

/* Starts the probe of a held job; 0, or non-zero when the store has no probes or the job
 * is no longer held (the caller then decides without a count). */
int probe_begin(Controller *c, const JobSpec *job, const char *id);
/* Cuts or lets go the jobs whose probe has ended; stops the probes of cancelled jobs. */
void probes_settle(Controller *c);

/* Adds "probe" (status, attempt, lost_leases, node, error) to a job's view while the job has
 * one: from its start until the job is cut or let go (then chunk_note says how it went). */
void probe_view(Controller *c, const char *id, json_t *view);

#endif
