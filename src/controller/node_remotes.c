/* Which node can read which rclone remote (see node_remotes.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "node_remotes.h"
#include "store.h"

struct NodeRemotesEntry {
    char node[NODE_ID_MAX];
    json_t *remotes; /* array of names, or NULL: unknown */
    double seen;
};

void node_remotes_init(NodeRemotes *r)
{
    memset(r, 0, sizeof(*r));
    pthread_mutex_init(&r->lock, NULL);
}

void node_remotes_free(NodeRemotes *r)
{
    for (size_t i = 0; i < r->n; i++) json_decref(r->e[i].remotes);
    free(r->e);
    pthread_mutex_destroy(&r->lock);
}

static NodeRemotesEntry *find(NodeRemotes *r, const char *node, int add)
{
    for (size_t i = 0; i < r->n; i++)
        if (!strcmp(r->e[i].node, node)) return &r->e[i];
    if (!add) return NULL;
    if (r->n == r->cap) {
        size_t cap = r->cap ? 2 * r->cap : 16;
        NodeRemotesEntry *e = realloc(r->e, cap * sizeof(*e));
        if (!e) return NULL;
        r->e = e;
        r->cap = cap;
    }
    NodeRemotesEntry *x = &r->e[r->n++];
    memset(x, 0, sizeof(*x));
    snprintf(x->node, sizeof(x->node), "%s", node);
    return x;
}

void node_remotes_set(NodeRemotes *r, const char *node, json_t *remotes, double now)
{
    pthread_mutex_lock(&r->lock);
    NodeRemotesEntry *x = find(r, node, 1);
    if (x) {
        json_decref(x->remotes);
        x->remotes = json_is_array(remotes) ? json_incref(remotes) : NULL;
        x->seen = now;
    }
    pthread_mutex_unlock(&r->lock);
}

int node_remotes_seen(NodeRemotes *r, const char *node, double now)
{
    pthread_mutex_lock(&r->lock);
    NodeRemotesEntry *x = find(r, node, 0);
    if (x) x->seen = now;
    pthread_mutex_unlock(&r->lock);
    return x ? 0 : -1;
}

static int has(json_t *remotes, const char *name)
{
    size_t i;
    json_t *v;
    json_array_foreach(remotes, i,
                       v) if (json_is_string(v) && !strcasecmp(json_string_value(v), name)) return 1;
    return 0;
}

/* "a, b" of the live nodes' remotes, each once. */
static void names(NodeRemotes *r, double since, char *out, size_t n)
{
    *out = 0;
    for (size_t k = 0; k < r->n; k++) {
        if (r->e[k].seen < since) continue;
        size_t i;
        json_t *v;
        json_array_foreach(r->e[k].remotes, i, v)
        {
            const char *s = json_string_value(v);
            char quoted[160];
            snprintf(quoted, sizeof(quoted), "%s, ", s);
            if (!s || strstr(out, quoted) || strlen(out) + strlen(quoted) + 1 >= n) continue;
            strcat(out, quoted);
        }
    }
    size_t len = strlen(out);
    if (len >= 2) out[len - 2] = 0;
}

int node_remotes_check(NodeRemotes *r, const char *remote, double since, long long live_in_store, char *err,
                       size_t n)
{
    pthread_mutex_lock(&r->lock);
    long long live = 0;
    int found = 0;
    for (size_t k = 0; k < r->n; k++) {
        if (r->e[k].seen < since) continue;
        live++;
        found |= !r->e[k].remotes || has(r->e[k].remotes, remote);
    }
    int refuse = live > 0 && live >= live_in_store && !found;
    if (refuse) {
        char list[600];
        names(r, since, list, sizeof(list));
        snprintf(err, n, "no live node has the rclone remote '%s' (the nodes have: %s)", remote,
                 *list ? list : "none");
    }
    pthread_mutex_unlock(&r->lock);
    return refuse ? -1 : 0;
}
