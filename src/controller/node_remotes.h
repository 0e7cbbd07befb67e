/* The rclone remotes each node can read, as the nodes said when they registered, so that a
 * job naming a remote no live node has is refused at submit instead of failing on a node.
 * Kept in memory: a restarted controller answers a heartbeat from a node it does not know
 * with "register": true, and learns them again from that register; where it cannot be sure
 * (no node reported yet, or some live node - in the store's view - never reported to this
 * controller, as behind a load balancer) it accepts the job. */
#ifndef VMAFX_CONTROLLER_NODE_REMOTES_H
#define VMAFX_CONTROLLER_NODE_REMOTES_H

#include <jansson.h>
#include <pthread.h>
#include <stddef.h>

typedef struct NodeRemotesEntry NodeRemotesEntry;

typedef struct NodeRemotes {
    pthread_mutex_t lock;
    NodeRemotesEntry *e;
    size_t n, cap;
} NodeRemotes;

void node_remotes_init(NodeRemotes *r);
void node_remotes_free(NodeRemotes *r);
/* At register: remotes is an array of names, or NULL when the node cannot tell (an old node,
 * an encrypted rclone.conf): such a node may read anything. */
void node_remotes_set(NodeRemotes *r, const char *node, json_t *remotes, double now);
/* At heartbeat: the node is alive. 0, or -1 when this controller has not heard it register
 * (it was restarted): the node is then asked to register again. */
int node_remotes_seen(NodeRemotes *r, const char *node, double now);
/* 0 when some node seen since `since` has remote (case-insensitive, as rclone's environment
 * remotes), or when it cannot be decided (live_in_store: live nodes by the store's count);
 * -1 with "no live node has the rclone remote 'x' (they have: a, b)" in err. */
int node_remotes_check(NodeRemotes *r, const char *remote, double since, long long live_in_store, char *err,
                       size_t n);

#endif
