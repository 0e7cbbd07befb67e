/* Internals of the PostgreSQL store, shared by its three files: the connection, schema and
 * query helpers (store_pg.c), the client-side operations (store_pg_jobs.c) and the rows of
 * the lease state machine (store_pg_leases.c; the machine itself is lease.c). Same
 * semantics as the SQLite store (store.h); what differs is concurrency: several controllers
 * may share one database, so the rows an operation changes are locked in its transaction
 * (FOR UPDATE), and the lease and sweep queries skip rows another controller holds (SKIP
 * LOCKED) instead of waiting for them.
 * One connection per controller behind one mutex, like the SQLite store. */
#ifndef VMAFX_CONTROLLER_STORE_PG_H
#define VMAFX_CONTROLLER_STORE_PG_H

#include <libpq-fe.h>
#include <pthread.h>

#include "store.h"

typedef struct PgStore {
    Store base;
    PGconn *conn;
    pthread_mutex_t lock;
    Log log;
} PgStore;

/* Query parameters in text form (libpq's simplest and exact for doubles at %.17g). */
#define PG_MAX_PARAMS 8
typedef struct PgParams {
    const char *v[PG_MAX_PARAMS];
    char buf[PG_MAX_PARAMS][32];
    int n;
} PgParams;

void pgp_text(PgParams *p, const char *v); /* NULL: SQL NULL */
void pgp_i64(PgParams *p, long long v);
void pgp_dbl(PgParams *p, double v);

/* Runs sql (with "{running}" etc. for the states, see store_sql) with the parameters; the
 * result when it succeeded (PQclear it), NULL after logging why. */
PGresult *pg_query(PgStore *s, const char *what, const char *sql, const PgParams *p);
/* A statement whose rows are not needed: rows changed (>= 0) or -EIO. */
long long pg_exec(PgStore *s, const char *what, const char *sql, const PgParams *p);
int pg_begin(PgStore *s);
/* Commits when rc is 0, rolls back otherwise; returns rc (or -EIO if the commit failed). */
int pg_end(PgStore *s, int rc);
/* Reconnects a connection that broke (a restarted server); called before each operation. */
void pg_ensure(PgStore *s);

/* Field helpers: NULL reads as 0, "" or NULL (strdup). */
long long pg_i64(const PGresult *r, int row, int col);
double pg_dbl(const PGresult *r, int row, int col);
const char *pg_str(const PGresult *r, int row, int col);
char *pg_dup(const PGresult *r, int row, int col);
int pg_row_to_record(const PGresult *r, int row, JobRecord *out);

#define PG_JOB_COLUMNS                                                                 \
    "seq, id, state, spec, created_at, started_at, finished_at, attempt, lost, node, " \
    "frames_done, frames_total, fps, pooled, error, warnings"

#define PG_LOCKED(s, expr)                \
    ({                                    \
        pthread_mutex_lock(&(s)->lock);   \
        pg_ensure(s);                     \
        int r_ = (expr);                  \
        pthread_mutex_unlock(&(s)->lock); \
        r_;                               \
    })

/* store_pg_jobs.c */
int pg_submit(Store *, const StoreSubmit *, char id[JOB_ID_LEN], int *replayed);
int pg_get(Store *, const char *id, JobRecord *out);
int pg_list(Store *, const ListQuery *, JobRecord **out, size_t *n, long long *next);
int pg_read_job(Store *, const char *id, int lock, JobRecord *out);
int pg_set_cancelled(Store *, long long seq, double now);
int pg_stats(Store *, double now, double live_window, StoreStats *);
int pg_report(Store *, const char *id, const char *format, char **text, size_t *len);
int pg_resolve(Store *, const char *prefix, char id[JOB_ID_LEN], char other[JOB_ID_LEN]);

/* store_pg_chunks.c: chunked jobs (the columns, added in the schema's transaction; the ops) */
extern const char pg_schema_chunks[];
extern const char pg_schema_deliveries[]; /* the deliveries table (store_pg_hooks.c) */
ChunkSplitFn pg_chunk_split;
ChunkSweepFn pg_chunk_sweep;
ChunkTextsFn pg_chunk_texts;
ChunkWarningsFn pg_chunk_warnings;
ChunkCompleteFn pg_chunk_complete;
ChunkListFn pg_chunk_list;
/* Reads a result's rows (seq, id, spec) into a list of jobs (malloc'ed) and clears it; NULL: -EIO. */
int pg_ready_rows(PGresult *r, ChunkReady **out, size_t *n);
/* The (seq, priority) row of a parent an UPDATE ... RETURNING took, and clears it: 0, -EALREADY
 * (no row: the job is no longer what the statement takes), -EIO (NULL). */
int pg_claimed(PGresult *res, long long *seq, int *priority);

/* store_pg_probe.c: frame-count probes (the ops; the probe rows chunk_split drops) */
int pg_probe_start(Store *, const char *id, const char *spec, const char *note, double now);
int pg_probe_sweep(Store *, double now, ProbeDone **out, size_t *n);
int pg_probe_drop(PgStore *s, long long parent_seq);
int pg_probe_get(Store *, const char *parent_id, ChunkRow *out);
int pg_held_jobs(Store *, double created_before, unsigned limit, ChunkReady **out, size_t *n);

/* store_pg_leases.c: the rows of the lease state machine (lease.h) */
extern const struct LeaseRows pg_lease_rows;

/* store_pg_hooks.c: webhook deliveries */
extern const DeliveryOps pg_delivery_ops;
int pg_delivery_insert(PgStore *s, long long seq, const char *url); /* in the submit's transaction */

/* dsn: postgres:// or postgresql://; errors name it with its password redacted. */
int pg_store_open(Store **out, const char *dsn, const StoreOptions *opt, char *err, size_t n);

#endif
