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

enum { CANCEL_NONE, CANCEL_STOP, CANCEL_DRAIN }; /* values of NodeSlot.cancel */

typedef struct NodeSlot {
    struct Node *node;
    pthread_t thread;
    int started;
    unsigned index;
    /* with node->lock held: */
    int busy; /* holds a lease */
    CtlLease lease;
    unsigned frames, reported; /* frames scored, and the count last sent */
    unsigned total; /* frames the job will score (frame_cnt, or what the inputs announce); 0: unknown */
    double fps;
    char reason[64];         /* why it was stopped (CANCEL_STOP) */
    struct json_t *warnings; /* the running job's notices and warnings (strings), sent with its result */
    atomic_int cancel;
} NodeSlot;

struct Node {
    NodeConfig cfg;
    Ctl ctl;
    pthread_mutex_t lock;  /* with cond: slot table, flags below, waits */
    pthread_cond_t cond;   /* a slot went idle, or draining / stopping was set */
    int draining;          /* no new leases */
    int stopping;          /* the control thread ends */
    double drain_deadline; /* monotonic seconds; results are not retried past it */
    double heartbeat_interval;
    NodeSlot *slots;
    pthread_t control;
    int control_started;
    char fatal[1024];     /* why the node must stop (its token was refused); "" when fine */
    double refused_since; /* monotonic seconds of the first refusal in a row; 0: accepted */
    double refused_said;  /* when the last complaint was logged */
};

#define REFUSED_EVERY 10.0 /* seconds between two complaints about a refused token */

/* Waits on the node's condition for at most secs; call with nd->lock held. */
void node_wait_locked(Node *nd, double secs);
int node_draining(Node *nd);
/* The controller refused the token (why: the call's error): complains now and then, and
 * after NodeConfig.refused_timeout seconds of refusals records why, stops leasing and tells
 * the program (NodeConfig.on_fatal). node_accepted: a call went through. */
void node_refused(Node *nd, const char *why);
void node_accepted(Node *nd);

void *node_slot_main(void *arg);
void *node_control_main(void *arg);

#endif
