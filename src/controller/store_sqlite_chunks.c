/* SQLite store: chunked jobs (store.h's chunk_* operations). A parent is a job row with
 * chunks > 0 and not_before far in the future, so the lease query never hands it out; its
 * children are job rows with parent_seq set, leased like any job. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lease.h"
#include "store_sqlite.h"

#define NEVER 1e300 /* a parent's not_before */

/* The columns chunking adds to jobs, each added once (old databases upgrade in place). */
static const char *const chunk_columns[][2] = {
    { "parent_seq", "INTEGER" }, { "chunk_first", "INTEGER" },
    { "chunk_end", "INTEGER" },  { "chunks", "INTEGER NOT NULL DEFAULT 0" },
    { "chunk_note", "TEXT" },
};

static const char schema_chunks[] =
    "CREATE INDEX IF NOT EXISTS jobs_parent ON jobs(parent_seq, chunk_first) WHERE parent_seq IS NOT NULL;"
    /* the sweep after every result looks at open chunked jobs only: cheap without any */
    "CREATE INDEX IF NOT EXISTS jobs_chunked ON jobs(state) WHERE chunks > 0;";

static int has_column(sqlite3 *db, const char *name)
{
    sqlite3_stmt *st;
    int found = 0;
    if (sqlite3_prepare_v2(db, "SELECT 1 FROM pragma_table_info('jobs') WHERE name = ?1", -1, &st, NULL) !=
        SQLITE_OK)
        return -1;
    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    found = sqlite3_step(st) == SQLITE_ROW;
    sqlite3_finalize(st);
    return found;
}

int sq_chunks_upgrade(sqlite3 *db, char **msg)
{
    for (size_t i = 0; i < sizeof(chunk_columns) / sizeof(chunk_columns[0]); i++) {
        int h = has_column(db, chunk_columns[i][0]);
        if (h < 0) return -1;
        if (h) continue;
        char sql[200];
        snprintf(sql, sizeof(sql), "ALTER TABLE jobs ADD COLUMN %s %s", chunk_columns[i][0],
                 chunk_columns[i][1]);
        if (sqlite3_exec(db, sql, NULL, NULL, msg) != SQLITE_OK) return -1;
    }
    return sqlite3_exec(db, schema_chunks, NULL, NULL, msg) == SQLITE_OK ? 0 : -1;
}

/* Kept prepared with the store's own (sq_stmt); the job states spelt by name ({pending} ...). */
const char *const sq_chunk_sql[ST_COUNT] = {
    [ST_CHUNK_SPLIT] = "UPDATE jobs SET chunks = ?2, chunk_note = ?3, frames_total = ?5,"
                       " not_before = CASE WHEN ?2 > 0 THEN ?4 ELSE 0 END"
                       " WHERE id = ?1 AND state = {pending} AND attempt = 0 AND parent_seq IS NULL"
                       " AND chunks = 0 AND not_before >= ?4 RETURNING seq, priority",
    [ST_CHUNK_CHILD] = "INSERT INTO jobs(id, state, spec, priority, created_at, parent_seq, chunk_first,"
                       " chunk_end) VALUES(?1, {pending}, ?2, ?3, ?4, ?5, ?6, ?7)",
    /* the sweep, in this order: */
    /* a failed child fails its parent, with the child's reason and range */
    [ST_SWEEP_FAIL] = "UPDATE jobs AS p SET state = {failed}, finished_at = ?1,"
                      " error = (SELECT 'chunk of frames ' || c.chunk_first || '-'"
                      " || coalesce(c.chunk_end - 1, 'end') || ': ' || coalesce(c.error, 'failed')"
                      " FROM jobs c WHERE c.parent_seq = p.seq AND c.state = {failed}"
                      " ORDER BY c.chunk_first LIMIT 1)"
                      " WHERE p.chunks > 0 AND p.state IN ({pending}, {running})"
                      " AND EXISTS(SELECT 1 FROM jobs c WHERE c.parent_seq = p.seq AND c.state = {failed})",
    /* children of a final parent (cancelled, failed, or completed) stop */
    [ST_SWEEP_STOP] = "UPDATE jobs SET state = {cancelled}, finished_at = ?1, lease_expires = NULL"
                      " WHERE state IN ({pending}, {running}) AND parent_seq IS NOT NULL"
                      " AND parent_seq IN (SELECT seq FROM jobs WHERE chunks > 0"
                      " AND state IN ({completed}, {failed}, {cancelled}))",
    /* a parent runs from its first leased child; its progress is its children's */
    [ST_SWEEP_START] = "UPDATE jobs AS p SET state = {running}, started_at = coalesce(p.started_at,"
                       " (SELECT min(c.started_at) FROM jobs c WHERE c.parent_seq = p.seq))"
                       " WHERE p.chunks > 0 AND p.state = {pending}"
                       " AND EXISTS(SELECT 1 FROM jobs c WHERE c.parent_seq = p.seq AND c.attempt > 0)",
    [ST_SWEEP_PROGRESS] = "UPDATE jobs AS p"
                          " SET frames_done = (SELECT coalesce(sum(c.frames_done), 0) FROM jobs c"
                          " WHERE c.parent_seq = p.seq),"
                          " fps = (SELECT sum(c.fps) FROM jobs c WHERE c.parent_seq = p.seq"
                          " AND c.state = {running}) WHERE p.chunks > 0 AND p.state = {running}",
    [ST_CHUNK_READY] = "SELECT p.seq, p.id, p.spec FROM jobs p WHERE p.chunks > 0"
                       " AND p.state IN ({pending}, {running}) AND NOT EXISTS(SELECT 1 FROM jobs c"
                       " WHERE c.parent_seq = p.seq AND c.state != {completed})",
    [ST_CHUNK_TEXTS] = "SELECT r.json FROM jobs c JOIN reports r ON r.seq = c.seq"
                       " WHERE c.parent_seq = ?1 AND c.state = {completed} ORDER BY c.chunk_first",
    [ST_CHUNK_WARNINGS] = "SELECT warnings FROM jobs WHERE parent_seq = ?1 AND state = {completed}"
                          " ORDER BY chunk_first",
    [ST_CHUNK_STATE] = "SELECT state FROM jobs WHERE seq = ?1",
    [ST_CHUNK_NOTE] = "SELECT chunk_note FROM jobs WHERE id = ?1",
    [ST_CHUNK_LIST] =
        "SELECT c.id, c.chunk_first, c.chunk_end, c.state, c.attempt, c.lost, c.node, c.frames_done,"
        " c.frames_total, c.fps, c.started_at, c.finished_at, c.error FROM jobs c JOIN jobs p"
        " ON c.parent_seq = p.seq WHERE p.id = ?1 AND c.chunk_first IS NOT NULL ORDER BY c.chunk_first",
};

static int insert_child(SqliteStore *s, long long parent, int priority, const char *spec, const ChunkRange *r,
                        double now)
{
    sqlite3_stmt *st = sq_stmt(s, ST_CHUNK_CHILD);
    char id[JOB_ID_LEN];
    store_new_id(id);
    sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT);
    sq_bind_text(st, 2, spec);
    sqlite3_bind_int(st, 3, priority);
    sqlite3_bind_double(st, 4, now);
    sqlite3_bind_int64(st, 5, parent);
    sqlite3_bind_int64(st, 6, r->first);
    if (r->end) sqlite3_bind_int64(st, 7, r->end);
    return sq_exec(s, ST_CHUNK_CHILD, "insert chunk");
}

static int split_locked(SqliteStore *s, const char *id, const char *const *specs, const ChunkRange *r,
                        unsigned n, long long frames, const char *note, double now)
{
    int rc = sq_begin(s);
    if (rc) return rc;
    sqlite3_stmt *st = sq_stmt(s, ST_CHUNK_SPLIT);
    sq_bind_text(st, 1, id);
    sqlite3_bind_int(st, 2, (int)n);
    sq_bind_text(st, 3, note);
    sqlite3_bind_double(st, 4, NEVER);
    if (frames > 0) sqlite3_bind_int64(st, 5, frames);
    int k = sqlite3_step(st);
    long long seq = k == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    int priority = k == SQLITE_ROW ? sqlite3_column_int(st, 1) : 0;
    sqlite3_reset(st);
    rc = k == SQLITE_ROW ? 0 : k == SQLITE_DONE ? -EALREADY : sq_fail(s, "chunk a job");
    if (!rc) rc = sq_probe_drop(s, seq); /* a probe's result is used once */
    for (unsigned i = 0; !rc && i < n; i++) rc = insert_child(s, seq, priority, specs[i], &r[i], now);
    return sq_end(s, rc);
}

int sq_chunk_split(Store *base, const char *id, const char *const *specs, const ChunkRange *r, unsigned n,
                   long long frames, const char *note, double now)
{
    SqliteStore *s = (SqliteStore *)base;
    return LOCKED(s, split_locked(s, id, specs, r, n, frames, note, now));
}

/* ---- the sweep ------------------------------------------------------------------------- */

int sq_ready_rows(SqliteStore *s, sqlite3_stmt *st, ChunkReady **out, size_t *n, const char *what)
{
    int r;
    while ((r = sqlite3_step(st)) == SQLITE_ROW) {
        ChunkReady *g = realloc(*out, (*n + 1) * sizeof(*g));
        if (!g) break;
        *out = g;
        g = &g[(*n)++];
        g->seq = sqlite3_column_int64(st, 0);
        snprintf(g->id, sizeof(g->id), "%s", (const char *)sqlite3_column_text(st, 1));
        g->spec = sq_strdup_col(st, 2);
    }
    sqlite3_reset(st);
    return r == SQLITE_DONE ? 0 : r == SQLITE_ROW ? -ENOMEM : sq_fail(s, what);
}

static int sweep_locked(SqliteStore *s, double now, ChunkReady **ready, size_t *n)
{
    int rc = sq_begin(s);
    for (int w = ST_SWEEP_FAIL; !rc && w <= ST_SWEEP_PROGRESS; w++) {
        sqlite3_stmt *st = sq_stmt(s, w);
        if (sqlite3_bind_parameter_count(st)) sqlite3_bind_double(st, 1, now);
        rc = sq_exec(s, w, "chunk sweep");
    }
    if (!rc) rc = sq_ready_rows(s, sq_stmt(s, ST_CHUNK_READY), ready, n, "chunked jobs to merge");
    return sq_end(s, rc);
}

int sq_chunk_sweep(Store *base, double now, ChunkReady **ready, size_t *n)
{
    SqliteStore *s = (SqliteStore *)base;
    *ready = NULL;
    *n = 0;
    return LOCKED(s, sweep_locked(s, now, ready, n));
}

/* ---- merge input and output ------------------------------------------------------------ */

static int texts_locked(SqliteStore *s, long long parent, char ***texts, size_t **lens, unsigned *n)
{
    sqlite3_stmt *st = sq_stmt(s, ST_CHUNK_TEXTS);
    sqlite3_bind_int64(st, 1, parent);
    int r, rc = 0;
    while (!rc && (r = sqlite3_step(st)) == SQLITE_ROW) {
        char **t = realloc(*texts, (*n + 1) * sizeof(*t));
        size_t *l = t ? realloc(*lens, (*n + 1) * sizeof(*l)) : NULL;
        if (t) *texts = t;
        if (l) *lens = l;
        if (!t || !l || !(t[*n] = sq_strdup_col(st, 0))) {
            rc = -ENOMEM;
            break;
        }
        l[*n] = (size_t)sqlite3_column_bytes(st, 0);
        (*n)++;
    }
    if (!rc && r != SQLITE_DONE) rc = sq_fail(s, "chunk results");
    sqlite3_reset(st);
    return rc;
}

int sq_chunk_texts(Store *base, long long parent, char ***texts, size_t **lens, unsigned *n)
{
    SqliteStore *s = (SqliteStore *)base;
    *texts = NULL;
    *lens = NULL;
    *n = 0;
    return LOCKED(s, texts_locked(s, parent, texts, lens, n));
}

static int warnings_locked(SqliteStore *s, long long parent, char ***out, unsigned *n)
{
    sqlite3_stmt *st = sq_stmt(s, ST_CHUNK_WARNINGS);
    sqlite3_bind_int64(st, 1, parent);
    int r, rc = 0;
    while (!rc && (r = sqlite3_step(st)) == SQLITE_ROW) {
        char **w = realloc(*out, (*n + 1) * sizeof(*w));
        if (!w) {
            rc = -ENOMEM;
            break;
        }
        *out = w;
        w[(*n)++] = sq_strdup_col(st, 0);
    }
    if (!rc && r != SQLITE_DONE) rc = sq_fail(s, "chunk warnings");
    sqlite3_reset(st);
    return rc;
}

int sq_chunk_warnings(Store *base, long long parent, char ***warnings, unsigned *n)
{
    SqliteStore *s = (SqliteStore *)base;
    *warnings = NULL;
    *n = 0;
    return LOCKED(s, warnings_locked(s, parent, warnings, n));
}

static int complete_locked(SqliteStore *s, long long parent, const Outcome *o, double now)
{
    int rc = sq_begin(s);
    if (rc) return rc;
    sqlite3_stmt *st = sq_stmt(s, ST_CHUNK_STATE);
    sqlite3_bind_int64(st, 1, parent);
    int k = sqlite3_step(st);
    JobState state = k == SQLITE_ROW ? (JobState)sqlite3_column_int(st, 0) : JOB_CANCELLED;
    sqlite3_reset(st);
    if (state != JOB_PENDING && state != JOB_RUNNING) return sq_end(s, -EALREADY);
    rc = s->base.rows->finish(&s->base, parent, o->completed ? JOB_COMPLETED : JOB_FAILED, o, now);
    return sq_end(s, rc);
}

int sq_chunk_complete(Store *base, long long parent, const Outcome *o, double now)
{
    SqliteStore *s = (SqliteStore *)base;
    return LOCKED(s, complete_locked(s, parent, o, now));
}

/* ---- the parent's view ----------------------------------------------------------------- */

static void child_row(sqlite3_stmt *st, ChunkRow *c)
{
    memset(c, 0, sizeof(*c));
    snprintf(c->id, sizeof(c->id), "%s", (const char *)sqlite3_column_text(st, 0));
    c->first = (unsigned)sqlite3_column_int64(st, 1);
    c->end = sqlite3_column_type(st, 2) == SQLITE_NULL ? 0 : (unsigned)sqlite3_column_int64(st, 2);
    c->state = (JobState)sqlite3_column_int(st, 3);
    c->attempt = (unsigned)sqlite3_column_int(st, 4);
    c->lost = (unsigned)sqlite3_column_int(st, 5);
    const unsigned char *node = sqlite3_column_text(st, 6);
    snprintf(c->node, sizeof(c->node), "%s", node ? (const char *)node : "");
    c->frames_done = sqlite3_column_int64(st, 7);
    c->frames_total = sqlite3_column_type(st, 8) == SQLITE_NULL ? -1 : sqlite3_column_int64(st, 8);
    c->fps = sqlite3_column_double(st, 9);
    c->started_at = sqlite3_column_double(st, 10);
    c->finished_at = sqlite3_column_double(st, 11);
    c->error = sq_strdup_col(st, 12);
}

static int list_locked(SqliteStore *s, const char *parent_id, ChunkRow **out, size_t *n, char **note)
{
    sqlite3_stmt *st = sq_stmt(s, ST_CHUNK_NOTE);
    sq_bind_text(st, 1, parent_id);
    if (sqlite3_step(st) == SQLITE_ROW) *note = sq_strdup_col(st, 0);
    sqlite3_reset(st);
    st = sq_stmt(s, ST_CHUNK_LIST);
    sq_bind_text(st, 1, parent_id);
    int r;
    while ((r = sqlite3_step(st)) == SQLITE_ROW) {
        ChunkRow *g = realloc(*out, (*n + 1) * sizeof(*g));
        if (!g) break;
        *out = g;
        child_row(st, &g[(*n)++]);
    }
    sqlite3_reset(st);
    return r == SQLITE_DONE ? 0 : r == SQLITE_ROW ? -ENOMEM : sq_fail(s, "chunks of a job");
}

int sq_chunk_list(Store *base, const char *parent_id, ChunkRow **out, size_t *n, char **note)
{
    SqliteStore *s = (SqliteStore *)base;
    *out = NULL;
    *n = 0;
    *note = NULL;
    return LOCKED(s, list_locked(s, parent_id, out, n, note));
}
