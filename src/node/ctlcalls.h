/* The node's calls to the controller, one function per endpoint, with the answer mapped to
 * what the node does next: 0 done, -ESTALE the lease is no longer this node's (drop the job),
 * -EAGAIN try again later (no answer, or the controller is unavailable), -EACCES the token
 * was refused, -EINVAL the controller refused the request for good. */
#ifndef VMAFX_NODE_CTLCALLS_H
#define VMAFX_NODE_CTLCALLS_H

#include <stddef.h>

#include "api/apiclient.h"
#include "api/jobspec.h"
#include "executor.h"

#define CTL_ID_LEN 37

typedef struct Ctl {
    ApiClient api;
    const char *node;
    int timeout_ms; /* for every call but the long poll and the result */
} Ctl;

typedef struct CtlLease {
    char id[CTL_ID_LEN];
    unsigned attempt;
} CtlLease;

typedef struct CtlStop {
    CtlLease lease;
    char reason[48];
} CtlStop;

struct json_t;
/* remotes: the names of the rclone remotes this node can read (an array), or NULL when it
 * cannot tell. */
int ctl_register(const Ctl *c, unsigned slots, double *heartbeat_interval, struct json_t *remotes, char *err,
                 size_t n);
/* stop gets room for n entries; *again: the controller asks the node to register again (it
 * was restarted and no longer knows the node's remotes). */
int ctl_heartbeat(const Ctl *c, const CtlLease *held, size_t n, CtlStop *stop, size_t *nstop, int *again,
                  char *err, size_t en);
/* 0 with the job (spec malloc'ed into *spec), 1 when none came within wait seconds.
 * A job whose description does not parse is still returned, with *spec NULL and the reason
 * in err, so that it can be failed with that reason. */
int ctl_lease(const Ctl *c, double wait, CtlLease *l, JobSpec **spec, char *err, size_t n);
/* total 0: unknown. */
int ctl_progress(const Ctl *c, const CtlLease *l, unsigned frames, unsigned total, double fps, char *err,
                 size_t n);
/* res NULL: the job failed with reason. */
int ctl_result(const Ctl *c, const CtlLease *l, const ExecResult *res, const char *reason, char *err,
               size_t n);
/* The job's warnings (an array of strings, or NULL) go with the result of ctl_result_warned;
 * a failure names its stage (ExecResult.failed_stage, or NULL) for the controller's metrics. */
struct json_t;
int ctl_result_warned(const Ctl *c, const CtlLease *l, const ExecResult *res, const char *reason,
                      struct json_t *warnings, const char *stage, char *err, size_t n);
int ctl_release(const Ctl *c, const CtlLease *l, char *err, size_t n);

#endif
