/* The job store: every state change of a job and of a lease is one call here, done in one
 * transaction, so that a crash at any moment leaves each job in exactly one state. SQLite
 * (store_sqlite*.c) is the default; PostgreSQL (store_pg*.c) serves several controllers at
 * once. The lease state machine is written once (lease.c) over each backend's rows.
 *
 * Fencing: every write a node makes names the lease it holds (node id + attempt number). A
 * write for a lease that is no longer current (expired and re-leased, cancelled, finished)
 * changes nothing and returns -ESTALE. This is what makes "exactly one result" hold when a
 * node that was presumed dead comes back.
 *
 * Times are Unix seconds (double). Functions return 0 or a negative errno; -EIO comes with
 * the database's message in the store's log. */
#ifndef VMAFX_CONTROLLER_STORE_H
#define VMAFX_CONTROLLER_STORE_H

#include <stddef.h>

#include "api/jobspec.h"
#include "base/log.h"

#define JOB_ID_LEN 37 /* UUID text + NUL */
#define NODE_ID_MAX 128

typedef enum { JOB_PENDING, JOB_RUNNING, JOB_COMPLETED, JOB_FAILED, JOB_CANCELLED, JOB_N_STATES } JobState;

const char *job_state_name(JobState s);
/* The state in a sentence, after "job ID ": "is pending", "has failed", "was cancelled". */
const char *job_state_phrase(JobState s);
/* -1 if the name is unknown. */
int job_state_parse(const char *name);

typedef struct JobRecord {
    char id[JOB_ID_LEN];
    long long seq; /* submission order; what list cursors point at */
    JobState state;
    char *spec;                                 /* canonical job JSON */
    double created_at, started_at, finished_at; /* 0: not yet */
    unsigned attempt;                           /* leases handed out so far */
    unsigned lost;                              /* leases that expired */
    char node[NODE_ID_MAX];                     /* node of the last lease, "" if none */
    long long frames_done, frames_total;        /* frames_total < 0: unknown */
    double fps;
    char *pooled;                 /* pooled_metrics JSON text of a completed job, or NULL */
    char *error;                  /* why it failed, or NULL */
    struct DeliveryView *webhook; /* its webhook's delivery (malloc'ed), or NULL: none or not
                                      read (the API reads it with DeliveryOps.view) */
    char *warnings;               /* JSON array of the run's warnings (scaling, sync, frame counts and
                                      rates), or NULL when there were none */
} JobRecord;

void job_record_free(JobRecord *r);
/* Frees n records and the array (what list returns). */
void job_records_free(JobRecord *r, size_t n);
/* A new random job id (UUID version 4 text). */
void store_new_id(char id[JOB_ID_LEN]);
/* 1 if s can be the start of a job id (1 to 36 of [0-9a-f-]): nothing a LIKE pattern would
 * read as a wildcard. */
int store_id_prefix_ok(const char *s);

typedef struct StoreSubmit {
    const JobSpec *job;
    const char *spec_text; /* jobspec_canonical(job) */
    const char *owner;     /* who submits (token name): idempotency keys are per owner */
    const char *idem_key;  /* or NULL */
    const char *body_hash; /* hex SHA-256 of spec_text, compared on a replayed key */
    double now;
    const char *webhook_url; /* its completion webhook (a deliveries row), or NULL */
    int hold;                /* 1: not leasable (not_before STORE_HELD) until chunk_split cuts it or, with no
                 chunks, lets it go: no node may take a job meant to be cut before it is cut */
} StoreSubmit;

#define STORE_HELD 1e300 /* the not_before of a job no node may lease */

typedef struct ListQuery {
    int state;               /* JobState, or -1 for any */
    const char *label_key;   /* or NULL */
    const char *label_value; /* or NULL: any value of label_key */
    unsigned limit;
    long long before; /* only jobs with seq < before; 0: from the newest */
} ListQuery;

typedef struct LeaseRef {
    char id[JOB_ID_LEN];
    unsigned attempt;
} LeaseRef;

typedef struct LeaseGrant {
    LeaseRef ref;
    char *spec; /* malloc'ed */
    double created_at;
    int first; /* the job's first lease: its queue wait ends now */
} LeaseGrant;

typedef struct LeaseStop {
    LeaseRef ref;
    char reason[48]; /* "cancelled", "lease lost", "completed", "unknown job" */
} LeaseStop;

typedef struct Outcome {
    int completed; /* 1: completed with reports; 0: failed with error */
    const char *error;
    const char *report_json, *report_xml, *report_csv;
    const char *pooled;   /* pooled_metrics JSON text */
    long long frames;     /* frames scored; < 0: keep the last progress report's */
    double fps;           /* < 0: keep the last progress report's */
    const char *warnings; /* JSON array text, or NULL */
} Outcome;

typedef struct FinishInfo {
    double created_at, started_at;
} FinishInfo;

typedef struct ExpirePolicy {
    unsigned max_lost;                /* the lease that is lost this many times fails the job */
    double backoff_base, backoff_max; /* requeue delay: base * 2^(lost-1), capped */
} ExpirePolicy;

#define EXPIRE_IDS_MAX 64
typedef struct ExpireResult {
    unsigned requeued, failed;
    char changed[EXPIRE_IDS_MAX][JOB_ID_LEN]; /* the first jobs it changed (for events) */
    unsigned n_changed;
} ExpireResult;

typedef struct StoreStats {
    long long by_state[JOB_N_STATES];
    double oldest_pending; /* created_at of the oldest pending job; 0: none */
    long long nodes_live;
} StoreStats;

typedef struct Store Store;

/* Chunked jobs (chunks.h): the job a client submitted is the parent of one child job per
 * frame range; children are leased, fenced, retried and expired as jobs are (lease.c), and
 * never listed or counted as jobs. */
typedef struct ChunkRange {
    unsigned first, end; /* job frames [first, end); end 0: to the end of the job */
} ChunkRange;

typedef struct ChunkRow { /* one child, for the parent's view */
    char id[JOB_ID_LEN];
    unsigned first, end;
    JobState state;
    unsigned attempt, lost;
    char node[NODE_ID_MAX];
    long long frames_done, frames_total;
    double fps, started_at, finished_at;
    char *error; /* malloc'ed or NULL */
} ChunkRow;

typedef struct ChunkReady { /* a parent whose children all completed: merge it */
    long long seq;
    char id[JOB_ID_LEN];
    char *spec; /* malloc'ed */
} ChunkReady;

void chunk_rows_free(ChunkRow *r, size_t n);
void chunk_ready_free(ChunkReady *r, size_t n);

/* A frame-count probe (probe.h) that has ended, for its parent to be cut or let go. A probe
 * is a child job row with no range (chunk_first NULL), leased like a chunk; chunk_split of
 * its parent deletes it in the same transaction, so a probe's result is used exactly once. */
typedef struct ProbeDone {
    char id[JOB_ID_LEN]; /* the parent's */
    char *spec;          /* the parent's job text (malloc'ed) */
    int completed;       /* 1: counted, result set; 0: failed, error set */
    char *result;        /* the node's counts, {"reference": R, "distorted": D} (malloc'ed) */
    char *error;         /* why the probe failed (malloc'ed) */
    char node[NODE_ID_MAX];
} ProbeDone;

void probe_done_free(ProbeDone *p, size_t n);

/* The chunk operations' types (StoreOps says what each does), so that a backend declares
 * its own with them: `ChunkSweepFn sq_chunk_sweep;`. */
typedef int ChunkSplitFn(Store *, const char *id, const char *const *specs, const ChunkRange *r, unsigned n,
                         long long frames, const char *note, double now);
typedef int ChunkSweepFn(Store *, double now, ChunkReady **ready, size_t *n);
typedef int ChunkTextsFn(Store *, long long parent_seq, char ***texts, size_t **lens, unsigned *n);
typedef int ChunkWarningsFn(Store *, long long parent_seq, char ***warnings, unsigned *n);
typedef int ChunkCompleteFn(Store *, long long parent_seq, const Outcome *, double now);
typedef int ChunkListFn(Store *, const char *parent_id, ChunkRow **out, size_t *n, char **note);

typedef struct StoreOps {
    /* 0 with id and replayed (an earlier submit with the same owner, key and body), or
     * -EEXIST when the key was used with another body (id then names that job). */
    int (*submit)(Store *, const StoreSubmit *, char id[JOB_ID_LEN], int *replayed);
    int (*get)(Store *, const char *id, JobRecord *out); /* -ENOENT */
    /* Newest first; *next is the cursor of the following page, 0 when this is the last. */
    int (*list)(Store *, const ListQuery *, JobRecord **out, size_t *n, long long *next);
    /* Cancels a pending or running job; -EALREADY with out filled when it had already
     * reached a final state (cancelled included). */
    int (*cancel)(Store *, const char *id, double now, JobRecord *out);
    /* The highest-priority, oldest pending job whose retry delay has passed; -EAGAIN if none. */
    int (*lease)(Store *, const char *node, double now, double ttl, LeaseGrant *g);
    /* Renews the leases a node holds; those that are no longer its own go to stop[] (room
     * for n entries). Also records that the node is alive. */
    int (*heartbeat)(Store *, const char *node, const LeaseRef *held, size_t n, double now, double ttl,
                     LeaseStop *stop, size_t *nstop);
    int (*progress)(Store *, const char *node, const LeaseRef *, long long done, long long total, double fps,
                    double now, double ttl); /* -ESTALE */
    int (*finish)(Store *, const char *node, const LeaseRef *, const Outcome *, double now,
                  FinishInfo *info); /* -ESTALE */
    /* Back to pending without counting a lost lease (a node that is shutting down). */
    int (*release)(Store *, const char *node, const LeaseRef *, double now); /* -ESTALE */
    int (*expire)(Store *, double now, const ExpirePolicy *, ExpireResult *);
    /* After a controller restart: running leases get ttl from now, since their nodes could
     * not renew them while the controller was away. */
    int (*grace)(Store *, double now, double ttl);
    int (*node_seen)(Store *, const char *node, unsigned slots, double now);
    int (*stats)(Store *, double now, double live_window, StoreStats *);
    /* The report of a completed job in "json", "xml" or "csv"; -EAGAIN if not completed. */
    int (*report)(Store *, const char *id, const char *format, char **text, size_t *len);
    /* 0 when the store takes a write: one tiny row is rewritten, so a full disk or a read-only
     * database shows here (a read would still succeed). */
    int (*ping)(Store *);
    void (*close)(Store *);
    /* The job whose id starts with prefix (lowercase hex and '-', as store_id_prefix_ok
     * checks): 0 with id, -ENOENT if none, -EEXIST when several (id and other name two). */
    int (*resolve)(Store *, const char *prefix, char id[JOB_ID_LEN], char other[JOB_ID_LEN]);
    /* Chunked jobs; NULL where the backend does not chunk (jobs then run whole). */
    /* Makes a pending, never leased job the parent of n children (specs[i] is child i's job
     * text, with its range) expecting frames frames (its frames_total; <= 0: unknown); n 0
     * records only the note. -EALREADY: leased already. */
    ChunkSplitFn *chunk_split;
    /* Children of final parents cancelled; parents with a failed child failed (the others
     * cancelled); parents with a started child running, their progress the children's sum;
     * *ready: parents whose children all completed (malloc'ed; the caller frees it, after a
     * failure too, when it may hold what was read before the failure). */
    ChunkSweepFn *chunk_sweep;
    /* The children's results of a parent in frame order (malloc'ed texts and lengths). */
    ChunkTextsFn *chunk_texts;
    /* The completed children's warnings (JSON array texts, NULL for none) in frame order, for
     * the parent's; malloc'ed. */
    ChunkWarningsFn *chunk_warnings;
    /* The parent's final state and report; -EALREADY when it is final already. */
    ChunkCompleteFn *chunk_complete;
    /* A parent's children in frame order and its note (both malloc'ed; n 0: not chunked). */
    ChunkListFn *chunk_list;
    /* Frame-count probes (probe.h); NULL where the backend has none (such jobs run whole). */
    /* Adds a probe child with spec to a held, never leased, uncut job and sets its note;
     * -EALREADY when the job is no longer that. */
    int (*probe_start)(Store *, const char *id, const char *spec, const char *note, double now);
    /* Probes of final parents cancelled; *out: ended probes of parents still held and uncut. */
    int (*probe_sweep)(Store *, double now, ProbeDone **out, size_t *n);
    /* The probe of a job while it exists (running, waiting for a lease again, or cancelled):
     * 1 with out (first and end 0; error malloc'ed or NULL), 0 when none. */
    int (*probe_get)(Store *, const char *parent_id, ChunkRow *out);
    /* Held jobs nobody decided about (created before created_before, still held, uncut, no
     * probe: a controller stopped between storing and planning them), oldest first, at most
     * limit; for chunks_replan. */
    int (*held_jobs)(Store *, double created_before, unsigned limit, ChunkReady **out, size_t *n);
} StoreOps;

/* Completion webhooks (webhook.h): one deliveries row per job that has a webhook, written
 * in the submit's transaction and sent once the job has reached a final state. */
typedef enum {
    DELIVERY_PENDING,
    DELIVERY_DELIVERED,
    DELIVERY_FAILED,
    DELIVERY_REFUSED,
    DELIVERY_N_STATES
} DeliveryState;

const char *delivery_state_name(DeliveryState s);

#define DELIVERY_URL_MAX 2048
#define DELIVERY_ERROR_MAX 300

typedef struct DeliveryView {
    char url[DELIVERY_URL_MAX];
    DeliveryState state;
    unsigned attempts;
    char last_error[DELIVERY_ERROR_MAX]; /* "" when none */
    double delivered_at;                 /* 0: not yet */
} DeliveryView;

/* A delivery that is due, claimed for one sender. */
typedef struct DeliveryTask {
    long long seq; /* the job's */
    char job_id[JOB_ID_LEN];
    char event_id[JOB_ID_LEN]; /* the same for every attempt: receivers drop repeats by it */
    char url[DELIVERY_URL_MAX];
    unsigned attempts; /* made before this one */
    double first_at;   /* when the first attempt was claimed */
} DeliveryTask;

typedef struct DeliveryOps {
    /* The pending delivery of a finished job (completed, failed, cancelled) due soonest with
     * next_at <= now, claimed: its next_at moves to now + hold, so that no other sender (nor
     * another controller) takes it meanwhile, and a sender that dies leaves it due again.
     * 1 with out, 0 when none is due. */
    int (*claim)(Store *, double now, double hold, DeliveryTask *out);
    /* An attempt's outcome: state, attempts, last_error (NULL: none), next_at for a
     * pending one, delivered_at = now for a delivered one. */
    int (*record)(Store *, long long seq, DeliveryState state, unsigned attempts, const char *error,
                  double next_at, double now);
    /* 1 with out, 0 when the job has no webhook. */
    int (*view)(Store *, long long seq, DeliveryView *out);
} DeliveryOps;

struct LeaseRows;

struct Store {
    const StoreOps *ops;
    const struct LeaseRows *rows; /* the backend's row access for the lease state machine
                                      (lease.h), whose functions fill ops' lease entries */
    const DeliveryOps *deliveries;
};

/* Opens the store a DSN names: a file path or sqlite:PATH (created on first use), or a
 * postgres:// or postgresql:// URI (libpq's; the tables are created on first use). */
typedef struct StoreOptions {
    int sync_full; /* fsync every commit (power-loss safe) instead of relying
                                      on the WAL, which survives a killed process */
    Log log;
} StoreOptions;

int store_open(Store **out, const char *dsn, const StoreOptions *opt, char *err, size_t n);

#endif
