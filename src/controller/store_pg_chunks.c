/* PostgreSQL store: chunked jobs (store.h's chunk_* operations), as the SQLite store keeps
 * them (store_sqlite_chunks.c). Several controllers may share the database: children are
 * leased by lease.c's SKIP LOCKED query like any job, and a parent's merge result is taken
 * only while the parent row, locked, is not final yet, so each job is merged once. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lease.h"
#include "store_pg.h"

#define NEVER "1e300" /* a parent's not_before */

/* Run in the schema's transaction (under its advisory lock); every step is idempotent. */
const char pg_schema_chunks[] =
    "ALTER TABLE jobs ADD COLUMN IF NOT EXISTS parent_seq BIGINT;"
    "ALTER TABLE jobs ADD COLUMN IF NOT EXISTS chunk_first BIGINT;"
    "ALTER TABLE jobs ADD COLUMN IF NOT EXISTS chunk_end BIGINT;"
    "ALTER TABLE jobs ADD COLUMN IF NOT EXISTS chunks INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE jobs ADD COLUMN IF NOT EXISTS chunk_note TEXT;"
    "CREATE INDEX IF NOT EXISTS jobs_parent ON jobs(parent_seq, chunk_first) WHERE parent_seq IS NOT NULL;"
    "CREATE INDEX IF NOT EXISTS jobs_chunked ON jobs(state) WHERE chunks > 0;";

static int insert_child(PgStore *s, long long parent, int priority, const char *spec, const ChunkRange *r,
                        double now)
{
    char id[JOB_ID_LEN];
    store_new_id(id);
    PgParams p = { 0 };
    pgp_text(&p, id);
    pgp_text(&p, spec);
    pgp_i64(&p, priority);
    pgp_dbl(&p, now);
    pgp_i64(&p, parent);
    pgp_i64(&p, r->first);
    if (r->end) pgp_i64(&p, r->end);
    else pgp_text(&p, NULL);
    return pg_exec(s, "insert chunk",
                   "INSERT INTO jobs(id, state, spec, priority, created_at, parent_seq, chunk_first, "
                   "chunk_end)"
                   " VALUES($1, {pending}, $2, $3, $4, $5, $6, $7)",
                   &p) == 1
               ? 0
               : -EIO;
}

static int split_locked(PgStore *s, const char *id, const char *const *specs, const ChunkRange *r, unsigned n,
                        long long frames, const char *note, double now)
{
    int rc = pg_begin(s);
    if (rc) return rc;
    PgParams p = { 0 };
    pgp_text(&p, id);
    pgp_i64(&p, n);
    pgp_text(&p, note);
    if (frames > 0) pgp_i64(&p, frames);
    else pgp_text(&p, NULL);
    PGresult *res = pg_query(s, "chunk a job",
                             "UPDATE jobs SET chunks = $2, chunk_note = $3, frames_total = $4,"
                             " not_before = CASE WHEN $2::int > 0 THEN " NEVER " ELSE 0 END"
                             " WHERE id = $1 AND state = {pending} AND attempt = 0 AND parent_seq IS NULL"
                             " AND chunks = 0 AND not_before >= " NEVER " RETURNING seq, priority",
                             &p);
    long long seq = 0;
    int priority = 0;
    rc = pg_claimed(res, &seq, &priority);
    if (!rc) rc = pg_probe_drop(s, seq); /* a probe's result is used once */
    for (unsigned i = 0; !rc && i < n; i++) rc = insert_child(s, seq, priority, specs[i], &r[i], now);
    return pg_end(s, rc);
}

int pg_chunk_split(Store *base, const char *id, const char *const *specs, const ChunkRange *r, unsigned n,
                   long long frames, const char *note, double now)
{
    PgStore *s = (PgStore *)base;
    return PG_LOCKED(s, split_locked(s, id, specs, r, n, frames, note, now));
}

/* ---- the sweep (the same steps as the SQLite store's) -------------------------------- */

static const char *const sweep_sql[] = {
    "UPDATE jobs AS p SET state = {failed}, finished_at = $1,"
    " error = (SELECT 'chunk of frames ' || c.chunk_first || '-' || coalesce((c.chunk_end - 1)::text, 'end') "
    "|| ': '"
    "          || coalesce(c.error, 'failed') FROM jobs c WHERE c.parent_seq = p.seq AND c.state = {failed}"
    "          ORDER BY c.chunk_first LIMIT 1)"
    " WHERE p.chunks > 0 AND p.state IN ({pending}, {running})"
    " AND EXISTS(SELECT 1 FROM jobs c WHERE c.parent_seq = p.seq AND c.state = {failed})",
    "UPDATE jobs SET state = {cancelled}, finished_at = $1, lease_expires = NULL"
    " WHERE state IN ({pending}, {running}) AND parent_seq IS NOT NULL"
    " AND parent_seq IN (SELECT seq FROM jobs WHERE chunks > 0 AND state IN ({completed}, {failed}, "
    "{cancelled}))",
    "UPDATE jobs AS p SET state = {running},"
    " started_at = coalesce(p.started_at, (SELECT min(c.started_at) FROM jobs c WHERE c.parent_seq = p.seq))"
    " WHERE p.chunks > 0 AND p.state = {pending} AND $1::float8 > 0"
    " AND EXISTS(SELECT 1 FROM jobs c WHERE c.parent_seq = p.seq AND c.attempt > 0)",
    "UPDATE jobs AS p SET frames_done = (SELECT coalesce(sum(c.frames_done), 0) FROM jobs c WHERE "
    "c.parent_seq = p.seq),"
    " fps = (SELECT sum(c.fps) FROM jobs c WHERE c.parent_seq = p.seq AND c.state = {running})"
    " WHERE p.chunks > 0 AND p.state = {running} AND $1::float8 > 0",
};

int pg_claimed(PGresult *res, long long *seq, int *priority)
{
    int rc = !res ? -EIO : PQntuples(res) != 1 ? -EALREADY : 0;
    if (!rc) {
        *seq = pg_i64(res, 0, 0);
        *priority = (int)pg_i64(res, 0, 1);
    }
    PQclear(res);
    return rc;
}

int pg_ready_rows(PGresult *r, ChunkReady **out, size_t *n)
{
    if (!r) return -EIO;
    int rows = PQntuples(r), rc = 0;
    if (rows && !(*out = calloc((size_t)rows, sizeof(**out)))) rc = -ENOMEM;
    for (int i = 0; !rc && i < rows; i++) {
        ChunkReady *g = &(*out)[(*n)++];
        g->seq = pg_i64(r, i, 0);
        snprintf(g->id, sizeof(g->id), "%s", pg_str(r, i, 1));
        g->spec = pg_dup(r, i, 2);
    }
    PQclear(r);
    return rc;
}

static int ready_rows(PgStore *s, ChunkReady **out, size_t *n)
{
    PGresult *r = pg_query(s, "chunked jobs to merge",
                           "SELECT p.seq, p.id, p.spec FROM jobs p WHERE p.chunks > 0"
                           " AND p.state IN ({pending}, {running}) AND NOT EXISTS(SELECT 1 FROM jobs c"
                           " WHERE c.parent_seq = p.seq AND c.state != {completed})",
                           NULL);
    return pg_ready_rows(r, out, n);
}

static int sweep_locked(PgStore *s, double now, ChunkReady **ready, size_t *n)
{
    int rc = pg_begin(s);
    for (size_t i = 0; !rc && i < sizeof(sweep_sql) / sizeof(sweep_sql[0]); i++) {
        PgParams p = { 0 };
        pgp_dbl(&p, now);
        if (pg_exec(s, "chunk sweep", sweep_sql[i], &p) < 0) rc = -EIO;
    }
    if (!rc) rc = ready_rows(s, ready, n);
    return pg_end(s, rc);
}

int pg_chunk_sweep(Store *base, double now, ChunkReady **ready, size_t *n)
{
    PgStore *s = (PgStore *)base;
    *ready = NULL;
    *n = 0;
    return PG_LOCKED(s, sweep_locked(s, now, ready, n));
}

/* ---- merge input and output ------------------------------------------------------------ */

static int texts_locked(PgStore *s, long long parent, char ***texts, size_t **lens, unsigned *n)
{
    PgParams p = { 0 };
    pgp_i64(&p, parent);
    PGresult *r = pg_query(s, "chunk results",
                           "SELECT r.json FROM jobs c JOIN reports r ON r.seq = c.seq"
                           " WHERE c.parent_seq = $1 AND c.state = {completed} ORDER BY c.chunk_first",
                           &p);
    if (!r) return -EIO;
    int rows = PQntuples(r), rc = 0;
    if (rows && (!(*texts = calloc((size_t)rows, sizeof(**texts))) ||
                 !(*lens = calloc((size_t)rows, sizeof(**lens)))))
        rc = -ENOMEM;
    for (int i = 0; !rc && i < rows; i++) {
        if (!((*texts)[i] = pg_dup(r, i, 0))) rc = -ENOMEM;
        else (*lens)[(*n)++] = (size_t)PQgetlength(r, i, 0);
    }
    PQclear(r);
    return rc;
}

int pg_chunk_texts(Store *base, long long parent, char ***texts, size_t **lens, unsigned *n)
{
    PgStore *s = (PgStore *)base;
    *texts = NULL;
    *lens = NULL;
    *n = 0;
    return PG_LOCKED(s, texts_locked(s, parent, texts, lens, n));
}

static int warnings_locked(PgStore *s, long long parent, char ***out, unsigned *n)
{
    PgParams p = { 0 };
    pgp_i64(&p, parent);
    PGresult *r = pg_query(s, "chunk warnings",
                           "SELECT warnings FROM jobs WHERE parent_seq = $1 AND state = {completed}"
                           " ORDER BY chunk_first",
                           &p);
    if (!r) return -EIO;
    int rows = PQntuples(r), rc = 0;
    if (rows && !(*out = calloc((size_t)rows, sizeof(**out)))) rc = -ENOMEM;
    for (int i = 0; !rc && i < rows; i++, (*n)++)
        (*out)[i] = PQgetisnull(r, i, 0) ? NULL : pg_dup(r, i, 0); /* out of memory: left out */
    PQclear(r);
    return rc;
}

int pg_chunk_warnings(Store *base, long long parent, char ***warnings, unsigned *n)
{
    PgStore *s = (PgStore *)base;
    *warnings = NULL;
    *n = 0;
    return PG_LOCKED(s, warnings_locked(s, parent, warnings, n));
}

static int complete_locked(PgStore *s, long long parent, const Outcome *o, double now)
{
    int rc = pg_begin(s);
    if (rc) return rc;
    PgParams p = { 0 };
    pgp_i64(&p, parent);
    PGresult *r = pg_query(s, "lock a chunked job", "SELECT state FROM jobs WHERE seq = $1 FOR UPDATE", &p);
    if (!r) return pg_end(s, -EIO);
    JobState state = PQntuples(r) == 1 ? (JobState)pg_i64(r, 0, 0) : JOB_CANCELLED;
    PQclear(r);
    if (state != JOB_PENDING && state != JOB_RUNNING) return pg_end(s, -EALREADY);
    rc = s->base.rows->finish(&s->base, parent, o->completed ? JOB_COMPLETED : JOB_FAILED, o, now);
    return pg_end(s, rc);
}

int pg_chunk_complete(Store *base, long long parent, const Outcome *o, double now)
{
    PgStore *s = (PgStore *)base;
    return PG_LOCKED(s, complete_locked(s, parent, o, now));
}

/* ---- the parent's view ----------------------------------------------------------------- */

static void child_row(const PGresult *r, int i, ChunkRow *c)
{
    memset(c, 0, sizeof(*c));
    snprintf(c->id, sizeof(c->id), "%s", pg_str(r, i, 0));
    c->first = (unsigned)pg_i64(r, i, 1);
    c->end = (unsigned)pg_i64(r, i, 2); /* NULL (open) reads as 0 */
    c->state = (JobState)pg_i64(r, i, 3);
    c->attempt = (unsigned)pg_i64(r, i, 4);
    c->lost = (unsigned)pg_i64(r, i, 5);
    snprintf(c->node, sizeof(c->node), "%s", pg_str(r, i, 6));
    c->frames_done = pg_i64(r, i, 7);
    c->frames_total = PQgetisnull(r, i, 8) ? -1 : pg_i64(r, i, 8);
    c->fps = pg_dbl(r, i, 9);
    c->started_at = pg_dbl(r, i, 10);
    c->finished_at = pg_dbl(r, i, 11);
    c->error = pg_dup(r, i, 12);
}

static int list_locked(PgStore *s, const char *parent_id, ChunkRow **out, size_t *n, char **note)
{
    PgParams p = { 0 };
    pgp_text(&p, parent_id);
    PGresult *r = pg_query(s, "chunk note", "SELECT chunk_note FROM jobs WHERE id = $1", &p);
    if (!r) return -EIO;
    if (PQntuples(r) == 1) *note = pg_dup(r, 0, 0);
    PQclear(r);
    r = pg_query(s, "chunks of a job",
                 "SELECT c.id, c.chunk_first, c.chunk_end, c.state, c.attempt, c.lost, c.node, c.frames_done,"
                 " c.frames_total, c.fps, c.started_at, c.finished_at, c.error FROM jobs c JOIN jobs p"
                 " ON c.parent_seq = p.seq WHERE p.id = $1 AND c.chunk_first IS NOT NULL ORDER BY "
                 "c.chunk_first",
                 &p);
    if (!r) return -EIO;
    int rows = PQntuples(r), rc = 0;
    if (rows && !(*out = calloc((size_t)rows, sizeof(**out)))) rc = -ENOMEM;
    for (int i = 0; !rc && i < rows; i++) child_row(r, i, &(*out)[(*n)++]);
    PQclear(r);
    return rc;
}

int pg_chunk_list(Store *base, const char *parent_id, ChunkRow **out, size_t *n, char **note)
{
    PgStore *s = (PgStore *)base;
    *out = NULL;
    *n = 0;
    *note = NULL;
    return PG_LOCKED(s, list_locked(s, parent_id, out, n, note));
}
