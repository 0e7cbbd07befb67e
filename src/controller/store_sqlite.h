/* Internals of the SQLite store, shared by its three files: the database and statements
 * (store_sqlite.c), the client-side operations (store_sqlite_jobs.c) and the rows of the
 * lease state machine (store_sqlite_leases.c; the machine itself is lease.c). One connection
 * behind one mutex: SQLite serialises writers anyway, and a statement cache makes each
 * operation a few microseconds, so one lock is not the limit. */
#ifndef VMAFX_CONTROLLER_SQLITE_STORE_H
#define VMAFX_CONTROLLER_SQLITE_STORE_H

#include <pthread.h>
#include <sqlite3.h>

#include "store.h"

enum {
    /* clang-format off */
    ST_BEGIN, ST_COMMIT, ST_ROLLBACK,
    ST_FIND_IDEM, ST_INSERT_JOB, ST_INSERT_LABEL, ST_GET, ST_GET_REF, ST_SET_CANCELLED,
    ST_REPORT_JSON, ST_REPORT_XML, ST_REPORT_CSV,
    ST_COUNT_STATES, ST_OLDEST_PENDING, ST_NODES_LIVE,
    ST_NEXT_PENDING, ST_TAKE, ST_NODE_SEEN, ST_RENEW, ST_PROGRESS, ST_FINISH, ST_INSERT_REPORT,
    ST_RELEASE, ST_EXPIRED, ST_REQUEUE, ST_FAIL_LOST, ST_GRACE,
    /* store_sqlite_chunks.c's (sq_chunk_sql), prepared after the columns it adds */
    ST_CHUNK_SPLIT, ST_CHUNK_CHILD,
    ST_SWEEP_FAIL, ST_SWEEP_STOP, ST_SWEEP_START, ST_SWEEP_PROGRESS, ST_CHUNK_READY,
    ST_CHUNK_TEXTS, ST_CHUNK_WARNINGS, ST_CHUNK_STATE, ST_CHUNK_NOTE, ST_CHUNK_LIST,
    /* store_sqlite_probe.c's (sq_probe_sql) */
    ST_PROBE_DROP_REPORTS, ST_PROBE_DROP, ST_PROBE_CLAIM, ST_PROBE_INSERT, ST_PROBE_STOP, ST_PROBE_ENDED,
    ST_PROBE_GET, ST_HELD_JOBS,
    ST_COUNT
};
/* clang-format on */

typedef struct SqliteStore {
    Store base;
    sqlite3 *db;
    pthread_mutex_t lock;
    sqlite3_stmt *st[ST_COUNT];
    Log log;
    int lock_fd;                  /* holds the file's lock (store_sqlite_lock.c); -1: none */
    sqlite3_stmt *delivery_st[8]; /* store_sqlite_hooks.c's statements */
} SqliteStore;

/* Takes the exclusive lock that keeps a second controller off the database file path, held
 * until *fd is closed (-1: nothing to lock, an in-memory database). 0, or -EBUSY when another
 * controller holds it, or -errno, with the message (naming the path) in err. */
int sqlite_store_lock(const char *path, int *fd, char *err, size_t n);

/* Runs expr (an int) with the store's lock held (a GNU statement expression, as gcc and
 * clang both take). */
#define LOCKED(s, expr)                   \
    ({                                    \
        pthread_mutex_lock(&(s)->lock);   \
        int r_ = (expr);                  \
        pthread_mutex_unlock(&(s)->lock); \
        r_;                               \
    })

/* The statement, reset and unbound, ready for binding. */
sqlite3_stmt *sq_stmt(SqliteStore *s, int which);
/* Logs the database's message for what failed; returns -EIO. */
int sq_fail(SqliteStore *s, const char *what);
/* Steps a statement that returns no row (or ignores it); 0 or -EIO. */
int sq_exec(SqliteStore *s, int which, const char *what);
int sq_begin(SqliteStore *s);
/* Commits when rc is 0, rolls back otherwise; returns rc (or -EIO if the commit failed). */
int sq_end(SqliteStore *s, int rc);
void sq_bind_text(sqlite3_stmt *st, int i, const char *v); /* NULL binds NULL */
char *sq_strdup_col(sqlite3_stmt *st, int col);            /* NULL for NULL */
/* Columns of JOB_COLUMNS, starting at col 0, into a record. */
int sq_row_to_record(sqlite3_stmt *st, JobRecord *r);

#define JOB_COLUMNS                                                                    \
    "seq, id, state, spec, created_at, started_at, finished_at, attempt, lost, node, " \
    "frames_done, frames_total, fps, pooled, error, warnings"

/* store_sqlite_jobs.c */
int sq_submit(Store *, const StoreSubmit *, char id[JOB_ID_LEN], int *replayed);
int sq_get(Store *, const char *id, JobRecord *out);
int sq_list(Store *, const ListQuery *, JobRecord **out, size_t *n, long long *next);
int sq_read_job(Store *, const char *id, int lock, JobRecord *out);
int sq_set_cancelled(Store *, long long seq, double now);
int sq_stats(Store *, double now, double live_window, StoreStats *);
int sq_report(Store *, const char *id, const char *format, char **text, size_t *len);
int sq_resolve(Store *, const char *prefix, char id[JOB_ID_LEN], char other[JOB_ID_LEN]);

/* store_sqlite_chunks.c: chunked jobs (the columns added to an old database; the ops) */
int sq_chunks_upgrade(sqlite3 *db, char **msg);
extern const char *const sq_chunk_sql[ST_COUNT]; /* from ST_CHUNK_SPLIT on */
ChunkSplitFn sq_chunk_split;
ChunkSweepFn sq_chunk_sweep;
ChunkTextsFn sq_chunk_texts;
ChunkWarningsFn sq_chunk_warnings;
ChunkCompleteFn sq_chunk_complete;
ChunkListFn sq_chunk_list;
/* Reads rows (seq, id, spec) of a bound statement into a list of jobs (malloc'ed, grown). */
int sq_ready_rows(SqliteStore *s, sqlite3_stmt *st, ChunkReady **out, size_t *n, const char *what);

/* store_sqlite_probe.c: frame-count probes (the ops; the probe rows chunk_split drops) */
extern const char *const sq_probe_sql[ST_COUNT]; /* from ST_PROBE_DROP_REPORTS on */
int sq_probe_start(Store *, const char *id, const char *spec, const char *note, double now);
int sq_probe_sweep(Store *, double now, ProbeDone **out, size_t *n);
int sq_probe_drop(SqliteStore *s, long long parent_seq);
int sq_probe_get(Store *, const char *parent_id, ChunkRow *out);
int sq_held_jobs(Store *, double created_before, unsigned limit, ChunkReady **out, size_t *n);

/* store_sqlite_leases.c: the rows of the lease state machine (lease.h) */
extern const struct LeaseRows sqlite_lease_rows;

/* store_sqlite_hooks.c: webhook deliveries */
extern const DeliveryOps sqlite_delivery_ops;
int sq_deliveries_setup(SqliteStore *s, char *err, size_t n); /* its table and statements */
void sq_deliveries_close(SqliteStore *s);
int sq_delivery_insert(SqliteStore *s, long long seq, const char *url); /* in the submit's transaction */

int sqlite_store_open(Store **out, const char *path, const StoreOptions *opt, char *err, size_t n);

#endif
