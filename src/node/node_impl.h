/* Internals of the worker shared by node.c (life cycle, drain), slot.c (a slot's loop and
 * its job) and control.c (heartbeat, progress, cancellation). One mutex guards the slot
 * table; the cancel flag of a slot is atomic because the scoring thread polls it per frame. */
#ifndef VMAFX_NODE_NODE_IMPL_H
#define VMAFX_NODE_NODE_IMPL_H

#include <pthread.h>
#include <stdatomic.h>

#include "ctlcalls.h"
#include "base/mono.h"
#include "node.h"

enum { CANCEL_NONE, CANCEL_STOP, CANCEL_DRAIN };   /* values of NodeSlot.cancel */

typedef struct NodeSlot {
    struct Node *node;
    pthread_t thread;
    int started;
    unsigned index;
    /* with node->lock held: */
    int busy;                    /* holds a lease */
    CtlLease lease;
    unsigned frames, reported;   /* frames scored, and the count last sent */
    unsigned total;              /* frames the job will score, when it says (frame_cnt); 0: unknown */
    double fps;
    char reason[64];             /* why it was stopped (CANCEL_STOP) */
    struct json_t *warnings;     /* the running job's notices and warnings (strings), sent with its result */
    atomic_int cancel;
} NodeSlot;

struct Node {
    NodeConfig cfg;
    Ctl ctl;
    pthread_mutex_t lock;        /* with cond: slot table, flags below, waits */
    pthread_cond_t cond;         /* a slot went idle, or draining / stopping was set */
    int draining;                /* no new leases */
    int stopping;                /* the control thread ends */
    double drain_deadline;       /* monotonic seconds; results are not retried past it */
    double heartbeat_interval;
    NodeSlot *slots;
    pthread_t control;
    int control_started;
};

/* Waits on the node's condition for at most secs; call with nd->lock held. */
void node_wait_locked(Node *nd, double secs);
int  node_draining(Node *nd);

void *node_slot_main(void *arg);
void *node_control_main(void *arg);

#endif
