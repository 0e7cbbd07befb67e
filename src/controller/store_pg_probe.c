/* PostgreSQL store: frame-count probes (store.h's probe_* operations), as the SQLite store
 * keeps them (store_sqlite_probe.c). With several controllers on one database, each may see
 * an ended probe; the parent's chunk_split, which drops the probe, cuts a held job once. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lease.h"
#include "store_pg.h"

#define HELD "1e300" /* STORE_HELD */

int pg_probe_drop(PgStore *s, long long parent)
{
    PgParams p = { 0 };
    pgp_i64(&p, parent);
    if (pg_exec(s, "drop a probe",
                "DELETE FROM reports WHERE seq IN (SELECT seq FROM jobs WHERE parent_seq = $1"
                " AND chunk_first IS NULL)",
                &p) < 0)
        return -EIO;
    return pg_exec(s, "drop a probe", "DELETE FROM jobs WHERE parent_seq = $1 AND chunk_first IS NULL", &p) <
                   0
               ? -EIO
               : 0;
}

static int start_locked(PgStore *s, const char *id, const char *spec, const char *note, double now)
{
    int rc = pg_begin(s);
    if (rc) return rc;
    PgParams p = { 0 };
    pgp_text(&p, id);
    /* two controllers may start a probe of one job at once (chunks_replan): the row lock
     * makes the second wait, and the UPDATE's fresh snapshot then sees the first's probe */
    if (pg_exec(s, "probe a job", "SELECT 1 FROM jobs WHERE id = $1 FOR UPDATE", &p) < 0)
        return pg_end(s, -EIO);
    pgp_text(&p, note);
    PGresult *res = pg_query(s, "probe a job",
                             "UPDATE jobs SET chunk_note = $2 WHERE id = $1 AND state = {pending}"
                             " AND attempt = 0 AND parent_seq IS NULL AND chunks = 0 AND not_before >= " HELD
                             " AND NOT EXISTS(SELECT 1 FROM jobs c WHERE c.parent_seq = jobs.seq"
                             " AND c.chunk_first IS NULL)"
                             " RETURNING seq, priority",
                             &p);
    long long seq = 0;
    int priority = 0;
    rc = pg_claimed(res, &seq, &priority);
    if (!rc) {
        char child[JOB_ID_LEN];
        store_new_id(child);
        PgParams q = { 0 };
        pgp_text(&q, child);
        pgp_text(&q, spec);
        pgp_i64(&q, priority);
        pgp_dbl(&q, now);
        pgp_i64(&q, seq);
        rc = pg_exec(s, "insert a probe",
                     "INSERT INTO jobs(id, state, spec, priority, created_at, parent_seq)"
                     " VALUES($1, {pending}, $2, $3, $4, $5)",
                     &q) == 1
                 ? 0
                 : -EIO;
    }
    return pg_end(s, rc);
}

int pg_probe_start(Store *base, const char *id, const char *spec, const char *note, double now)
{
    PgStore *s = (PgStore *)base;
    return PG_LOCKED(s, start_locked(s, id, spec, note, now));
}

static int ended_rows(PgStore *s, ProbeDone **out, size_t *n)
{
    PGresult *r = pg_query(s, "ended probes",
                           "SELECT p.id, p.spec, c.state, r.json, c.error, c.node FROM jobs c"
                           " JOIN jobs p ON p.seq = c.parent_seq LEFT JOIN reports r ON r.seq = c.seq"
                           " WHERE c.parent_seq IS NOT NULL AND c.chunk_first IS NULL"
                           " AND c.state IN ({completed}, {failed}) AND p.state = {pending}"
                           " AND p.chunks = 0 AND p.not_before >= " HELD,
                           NULL);
    if (!r) return -EIO;
    int rows = PQntuples(r), rc = 0;
    if (rows && !(*out = calloc((size_t)rows, sizeof(**out)))) rc = -ENOMEM;
    for (int i = 0; !rc && i < rows; i++) {
        ProbeDone *g = &(*out)[(*n)++];
        snprintf(g->id, sizeof(g->id), "%s", pg_str(r, i, 0));
        g->spec = pg_dup(r, i, 1);
        g->completed = pg_i64(r, i, 2) == JOB_COMPLETED;
        g->result = PQgetisnull(r, i, 3) ? NULL : pg_dup(r, i, 3);
        g->error = PQgetisnull(r, i, 4) ? NULL : pg_dup(r, i, 4);
        snprintf(g->node, sizeof(g->node), "%s", pg_str(r, i, 5));
    }
    PQclear(r);
    return rc;
}

static int sweep_locked(PgStore *s, double now, ProbeDone **out, size_t *n)
{
    int rc = pg_begin(s);
    if (rc) return rc;
    PgParams p = { 0 };
    pgp_dbl(&p, now);
    /* a cancelled (or otherwise final) job's probe stops: the node's heartbeat learns it */
    if (pg_exec(s, "probe sweep",
                "UPDATE jobs SET state = {cancelled}, finished_at = $1, lease_expires = NULL"
                " WHERE parent_seq IS NOT NULL AND chunk_first IS NULL AND state IN ({pending}, {running})"
                " AND parent_seq IN (SELECT seq FROM jobs WHERE state IN ({completed}, {failed}, "
                "{cancelled}))",
                &p) < 0)
        rc = -EIO;
    if (!rc) rc = ended_rows(s, out, n);
    return pg_end(s, rc);
}

int pg_probe_sweep(Store *base, double now, ProbeDone **out, size_t *n)
{
    PgStore *s = (PgStore *)base;
    *out = NULL;
    *n = 0;
    int rc = PG_LOCKED(s, sweep_locked(s, now, out, n));
    if (rc) {
        probe_done_free(*out, *n);
        *out = NULL;
        *n = 0;
    }
    return rc;
}

static int get_locked(PgStore *s, const char *parent_id, ChunkRow *out)
{
    PgParams p = { 0 };
    pgp_text(&p, parent_id);
    PGresult *r =
        pg_query(s, "a job's probe",
                 "SELECT c.id, c.state, c.attempt, c.lost, c.node, c.started_at, c.error FROM jobs c"
                 " JOIN jobs p ON c.parent_seq = p.seq WHERE p.id = $1 AND c.chunk_first IS NULL",
                 &p);
    if (!r) return -EIO;
    int rc = PQntuples(r) > 0;
    if (rc) {
        memset(out, 0, sizeof(*out));
        snprintf(out->id, sizeof(out->id), "%s", pg_str(r, 0, 0));
        out->state = (JobState)pg_i64(r, 0, 1);
        out->attempt = (unsigned)pg_i64(r, 0, 2);
        out->lost = (unsigned)pg_i64(r, 0, 3);
        snprintf(out->node, sizeof(out->node), "%s", pg_str(r, 0, 4));
        out->started_at = pg_dbl(r, 0, 5);
        out->error = PQgetisnull(r, 0, 6) ? NULL : pg_dup(r, 0, 6);
    }
    PQclear(r);
    return rc;
}

int pg_probe_get(Store *base, const char *parent_id, ChunkRow *out)
{
    PgStore *s = (PgStore *)base;
    return PG_LOCKED(s, get_locked(s, parent_id, out));
}

/* ---- held jobs never planned (chunks_replan) ------------------------------------------- */

static int held_locked(PgStore *s, double before, unsigned limit, ChunkReady **out, size_t *n)
{
    PgParams p = { 0 };
    pgp_dbl(&p, before);
    pgp_i64(&p, limit);
    PGresult *r = pg_query(s, "held jobs",
                           "SELECT seq, id, spec FROM jobs WHERE state = {pending} AND attempt = 0"
                           " AND parent_seq IS NULL AND chunks = 0 AND not_before >= " HELD
                           " AND created_at < $1"
                           " AND NOT EXISTS(SELECT 1 FROM jobs c WHERE c.parent_seq = jobs.seq"
                           " AND c.chunk_first IS NULL) ORDER BY seq LIMIT $2",
                           &p);
    return pg_ready_rows(r, out, n);
}

int pg_held_jobs(Store *base, double created_before, unsigned limit, ChunkReady **out, size_t *n)
{
    PgStore *s = (PgStore *)base;
    *out = NULL;
    *n = 0;
    int rc = PG_LOCKED(s, held_locked(s, created_before, limit, out, n));
    if (rc) {
        chunk_ready_free(*out, *n);
        *out = NULL;
        *n = 0;
    }
    return rc;
}
