/* The lease state machine, written once for every store backend (lease.c): which job a node
 * gets, when a node's write is stale (fencing), why a lease a node still holds was taken
 * from it (stop reasons), and what happens to an expired lease (requeue with backoff, or
 * fail after max_lost). A backend supplies only its statements and row access (LeaseRows);
 * the StoreOps entries lease .. node_seen of both backends are the functions below.
 *
 *   pending ──lease──► running ──finish──► completed | failed
 *      ▲                 │ │
 *      └─release/expire──┘ └─expire (lost max_lost times)──► failed
 *   pending | running ──cancel──► cancelled */
#ifndef VMAFX_CONTROLLER_LEASE_H
#define VMAFX_CONTROLLER_LEASE_H

#include "store.h"

/* The lease columns of one job. */
typedef struct LeaseRow {
    long long seq;
    JobState state;
    unsigned attempt;
    int has_node;
    char node[NODE_ID_MAX];
    double created_at, started_at;
} LeaseRow;

typedef struct ExpiredLease {
    long long seq;
    unsigned lost;          /* counting this expiry */
    char node[NODE_ID_MAX]; /* "?" when none */
    char id[JOB_ID_LEN];
} ExpiredLease;

/* A backend's row access. Each returns 0 or -EIO (the database's message logged) unless it
 * says otherwise; none decides anything. */
typedef struct LeaseRows {
    void (*lock)(Store *); /* the store's lock, and what taking it needs */
    void (*unlock)(Store *);
    int (*begin)(Store *);
    int (*end)(Store *, int rc); /* commit when rc is 0, else roll back; rc or -EIO */
    /* The highest-priority, oldest pending job with not_before <= now, locked against other
     * controllers: 1 with *seq and g's id, spec (malloc'ed), created_at and first; 0: none. */
    int (*next_pending)(Store *, double now, long long *seq, LeaseGrant *g);
    /* The job becomes running under node with a new attempt (returned), lease until, its
     * started_at set once, its progress cleared. */
    int (*take)(Store *, long long seq, const char *node, double until, double now, unsigned *attempt);
    int (*node_seen)(Store *, const char *node, unsigned slots, double now);
    /* 1 with row filled, 0: no such job. lock: lock the row for the transaction. */
    int (*read)(Store *, const char *id, int lock, LeaseRow *row);
    /* Fenced updates: they change the job only while it is running under (ref, node); the
     * number of rows changed (0 or 1), or -EIO. */
    long long (*renew)(Store *, const char *node, const LeaseRef *, double until);
    long long (*progress)(Store *, const char *node, const LeaseRef *, long long done, long long total,
                          double fps, double until);
    long long (*requeue_held)(Store *, const char *node, const LeaseRef *); /* pending at once */
    /* The final state with the outcome's columns, and the report row when completed. */
    int (*finish)(Store *, long long seq, JobState state, const Outcome *, double now);
    /* Running jobs whose lease expired before now (locked against other controllers);
     * *out malloc'ed. */
    int (*expired)(Store *, double now, ExpiredLease **out, size_t *n);
    int (*requeue_lost)(Store *, long long seq, double not_before);        /* pending, lost + 1 */
    int (*fail_lost)(Store *, long long seq, double now, const char *why); /* failed, lost + 1 */
    int (*grace)(Store *, double until); /* every running lease lasts at least until */
    /* The whole job (0, -ENOENT, -ENOMEM); lock as for read. */
    int (*read_job)(Store *, const char *id, int lock, JobRecord *out);
    int (*set_cancelled)(Store *, long long seq, double now); /* cancelled, lease dropped */
} LeaseRows;

int lease_cancel(Store *, const char *id, double now, JobRecord *out);
int lease_next(Store *, const char *node, double now, double ttl, LeaseGrant *g);
int lease_heartbeat(Store *, const char *node, const LeaseRef *held, size_t n, double now, double ttl,
                    LeaseStop *stop, size_t *nstop);
int lease_progress(Store *, const char *node, const LeaseRef *, long long done, long long total, double fps,
                   double now, double ttl);
int lease_finish(Store *, const char *node, const LeaseRef *, const Outcome *, double now, FinishInfo *info);
int lease_release(Store *, const char *node, const LeaseRef *, double now);
int lease_expire(Store *, double now, const ExpirePolicy *, ExpireResult *);
int lease_grace(Store *, double now, double ttl);
int lease_node_seen(Store *, const char *node, unsigned slots, double now);

/* SQL text with the job states by name: "{pending}" .. "{cancelled}" become JobState's
 * numbers, so that no statement spells a state as a number. malloc'ed; NULL when out of
 * memory or a name is unknown. */
char *store_sql(const char *tmpl);

/* The requeue delay after the lost-th expiry: base * 2^(lost-1), capped at max. */
double lease_backoff(const ExpirePolicy *p, unsigned lost);

#endif
