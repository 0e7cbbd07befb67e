/* SQLite store: frame-count probes (store.h's probe_* operations). A probe is a child job
 * row (parent_seq set) without a range (chunk_first NULL), leased like a chunk while its
 * parent stays held; the parent's chunk_split deletes it (sq_probe_drop). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lease.h"
#include "store_sqlite.h"

#define PROBE_ROW "parent_seq IS NOT NULL AND chunk_first IS NULL"

/* Kept prepared with the store's own (sq_stmt); the job states spelt by name ({pending} ...). */
const char *const sq_probe_sql[ST_COUNT] = {
    [ST_PROBE_DROP_REPORTS] = "DELETE FROM reports WHERE seq IN (SELECT seq FROM jobs WHERE parent_seq = ?1"
                              " AND chunk_first IS NULL)",
    [ST_PROBE_DROP] = "DELETE FROM jobs WHERE parent_seq = ?1 AND chunk_first IS NULL",
    [ST_PROBE_CLAIM] = "UPDATE jobs SET chunk_note = ?2 WHERE id = ?1 AND state = {pending}"
                       " AND attempt = 0 AND parent_seq IS NULL AND chunks = 0 AND not_before >= ?3"
                       " AND NOT EXISTS(SELECT 1 FROM jobs c WHERE c.parent_seq = jobs.seq"
                       " AND c.chunk_first IS NULL) RETURNING seq, priority",
    [ST_PROBE_INSERT] = "INSERT INTO jobs(id, state, spec, priority, created_at, parent_seq)"
                        " VALUES(?1, {pending}, ?2, ?3, ?4, ?5)",
    /* a cancelled (or otherwise final) job's probe stops: the node's heartbeat learns it */
    [ST_PROBE_STOP] = "UPDATE jobs SET state = {cancelled}, finished_at = ?1, lease_expires = NULL"
                      " WHERE " PROBE_ROW " AND state IN ({pending}, {running}) AND parent_seq IN"
                      " (SELECT seq FROM jobs WHERE state IN ({completed}, {failed}, {cancelled}))",
    [ST_PROBE_ENDED] = "SELECT p.id, p.spec, c.state, r.json, c.error, c.node FROM jobs c"
                       " JOIN jobs p ON p.seq = c.parent_seq LEFT JOIN reports r ON r.seq = c.seq"
                       " WHERE c.parent_seq IS NOT NULL AND c.chunk_first IS NULL"
                       " AND c.state IN ({completed}, {failed}) AND p.state = {pending}"
                       " AND p.chunks = 0 AND p.not_before >= ?1",
    [ST_PROBE_GET] = "SELECT c.id, c.state, c.attempt, c.lost, c.node, c.started_at, c.error FROM jobs c"
                     " JOIN jobs p ON c.parent_seq = p.seq WHERE p.id = ?1 AND c.chunk_first IS NULL",
    [ST_HELD_JOBS] = "SELECT seq, id, spec FROM jobs WHERE state = {pending} AND attempt = 0"
                     " AND parent_seq IS NULL AND chunks = 0 AND not_before >= ?1 AND created_at < ?2"
                     " AND NOT EXISTS(SELECT 1 FROM jobs c WHERE c.parent_seq = jobs.seq"
                     " AND c.chunk_first IS NULL) ORDER BY seq LIMIT ?3",
};

int sq_probe_drop(SqliteStore *s, long long parent)
{
    int rc = 0;
    for (int which = ST_PROBE_DROP_REPORTS; !rc && which <= ST_PROBE_DROP; which++) {
        sqlite3_bind_int64(sq_stmt(s, which), 1, parent);
        rc = sq_exec(s, which, "drop a probe");
    }
    return rc;
}

static int start_locked(SqliteStore *s, const char *id, const char *spec, const char *note, double now)
{
    int rc = sq_begin(s);
    if (rc) return rc;
    sqlite3_stmt *st = sq_stmt(s, ST_PROBE_CLAIM);
    sq_bind_text(st, 1, id);
    sq_bind_text(st, 2, note);
    sqlite3_bind_double(st, 3, STORE_HELD);
    int k = sqlite3_step(st);
    long long seq = k == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    int priority = k == SQLITE_ROW ? sqlite3_column_int(st, 1) : 0;
    sqlite3_reset(st);
    rc = k == SQLITE_ROW ? 0 : k == SQLITE_DONE ? -EALREADY : sq_fail(s, "probe a job");
    if (!rc) {
        char child[JOB_ID_LEN];
        store_new_id(child);
        st = sq_stmt(s, ST_PROBE_INSERT);
        sqlite3_bind_text(st, 1, child, -1, SQLITE_TRANSIENT);
        sq_bind_text(st, 2, spec);
        sqlite3_bind_int(st, 3, priority);
        sqlite3_bind_double(st, 4, now);
        sqlite3_bind_int64(st, 5, seq);
        rc = sq_exec(s, ST_PROBE_INSERT, "insert a probe");
    }
    return sq_end(s, rc);
}

int sq_probe_start(Store *base, const char *id, const char *spec, const char *note, double now)
{
    SqliteStore *s = (SqliteStore *)base;
    return LOCKED(s, start_locked(s, id, spec, note, now));
}

static int ended_rows(SqliteStore *s, ProbeDone **out, size_t *n)
{
    sqlite3_stmt *st = sq_stmt(s, ST_PROBE_ENDED);
    sqlite3_bind_double(st, 1, STORE_HELD);
    int r;
    while ((r = sqlite3_step(st)) == SQLITE_ROW) {
        ProbeDone *g = realloc(*out, (*n + 1) * sizeof(*g));
        if (!g) break;
        *out = g;
        g = &g[(*n)++];
        memset(g, 0, sizeof(*g));
        snprintf(g->id, sizeof(g->id), "%s", (const char *)sqlite3_column_text(st, 0));
        g->spec = sq_strdup_col(st, 1);
        g->completed = sqlite3_column_int(st, 2) == JOB_COMPLETED;
        g->result = sq_strdup_col(st, 3);
        g->error = sq_strdup_col(st, 4);
        const unsigned char *node = sqlite3_column_text(st, 5);
        snprintf(g->node, sizeof(g->node), "%s", node ? (const char *)node : "");
    }
    sqlite3_reset(st);
    return r == SQLITE_DONE ? 0 : r == SQLITE_ROW ? -ENOMEM : sq_fail(s, "ended probes");
}

static int sweep_locked(SqliteStore *s, double now, ProbeDone **out, size_t *n)
{
    int rc = sq_begin(s);
    if (rc) return rc;
    sqlite3_bind_double(sq_stmt(s, ST_PROBE_STOP), 1, now);
    rc = sq_exec(s, ST_PROBE_STOP, "probe sweep");
    if (!rc) rc = ended_rows(s, out, n);
    return sq_end(s, rc);
}

int sq_probe_sweep(Store *base, double now, ProbeDone **out, size_t *n)
{
    SqliteStore *s = (SqliteStore *)base;
    *out = NULL;
    *n = 0;
    int rc = LOCKED(s, sweep_locked(s, now, out, n));
    if (rc) {
        probe_done_free(*out, *n);
        *out = NULL;
        *n = 0;
    }
    return rc;
}

static int get_locked(SqliteStore *s, const char *parent_id, ChunkRow *out)
{
    sqlite3_stmt *st = sq_stmt(s, ST_PROBE_GET);
    sq_bind_text(st, 1, parent_id);
    int r = sqlite3_step(st), rc = r == SQLITE_ROW ? 1 : r == SQLITE_DONE ? 0 : sq_fail(s, "a job's probe");
    if (rc == 1) {
        memset(out, 0, sizeof(*out));
        snprintf(out->id, sizeof(out->id), "%s", (const char *)sqlite3_column_text(st, 0));
        out->state = (JobState)sqlite3_column_int(st, 1);
        out->attempt = (unsigned)sqlite3_column_int(st, 2);
        out->lost = (unsigned)sqlite3_column_int(st, 3);
        const unsigned char *node = sqlite3_column_text(st, 4);
        snprintf(out->node, sizeof(out->node), "%s", node ? (const char *)node : "");
        out->started_at = sqlite3_column_double(st, 5);
        out->error = sq_strdup_col(st, 6);
    }
    sqlite3_reset(st);
    return rc;
}

int sq_probe_get(Store *base, const char *parent_id, ChunkRow *out)
{
    SqliteStore *s = (SqliteStore *)base;
    return LOCKED(s, get_locked(s, parent_id, out));
}

/* ---- held jobs never planned (chunks_replan) ------------------------------------------- */

static int held_locked(SqliteStore *s, double before, unsigned limit, ChunkReady **out, size_t *n)
{
    sqlite3_stmt *st = sq_stmt(s, ST_HELD_JOBS);
    sqlite3_bind_double(st, 1, STORE_HELD);
    sqlite3_bind_double(st, 2, before);
    sqlite3_bind_int64(st, 3, limit);
    return sq_ready_rows(s, st, out, n, "held jobs");
}

int sq_held_jobs(Store *base, double created_before, unsigned limit, ChunkReady **out, size_t *n)
{
    SqliteStore *s = (SqliteStore *)base;
    *out = NULL;
    *n = 0;
    int rc = LOCKED(s, held_locked(s, created_before, limit, out, n));
    if (rc) {
        chunk_ready_free(*out, *n);
        *out = NULL;
        *n = 0;
    }
    return rc;
}
