/* SQLite store: the deliveries of completion webhooks (see DeliveryOps in store.h). Its own
 * table, statements and schema step, so that it stays apart from the jobs' own tables. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lease.h"
#include "store_sqlite.h"

/* seq is the job's: one webhook per job. next_at orders the due ones; a pending delivery of
 * a job that has not finished waits with next_at 0 until the job does. */
static const char schema_deliveries[] =
    "CREATE TABLE IF NOT EXISTS deliveries(seq INTEGER PRIMARY KEY, event_id TEXT NOT NULL, url TEXT NOT "
    "NULL,"
    " state INTEGER NOT NULL DEFAULT 0, attempts INTEGER NOT NULL DEFAULT 0, next_at REAL NOT NULL DEFAULT 0,"
    " first_at REAL, last_error TEXT, delivered_at REAL);"
    "CREATE INDEX IF NOT EXISTS deliveries_due ON deliveries(state, next_at);";

enum { DS_INSERT, DS_DUE, DS_HOLD, DS_RECORD, DS_VIEW, DS_COUNT };

static const char *const sql[DS_COUNT] = {
    [DS_INSERT] = "INSERT INTO deliveries(seq, event_id, url) VALUES(?1, ?2, ?3)",
    [DS_DUE] = "SELECT d.seq, j.id, d.event_id, d.url, d.attempts, coalesce(d.first_at, 0)"
               " FROM deliveries d JOIN jobs j ON j.seq = d.seq"
               " WHERE d.state = ?2 AND d.next_at <= ?1 AND j.state IN ({completed}, {failed}, {cancelled})"
               " ORDER BY d.next_at LIMIT 1",
    [DS_HOLD] = "UPDATE deliveries SET next_at = ?2, first_at = coalesce(first_at, ?3) WHERE seq = ?1",
    [DS_RECORD] = ("UPDATE deliveries SET state = ?2, attempts = ?3, last_error = ?4, next_at = ?5,"
                   " delivered_at = ?6 WHERE seq = ?1"),
    [DS_VIEW] = "SELECT url, state, attempts, last_error, coalesce(delivered_at, 0) FROM deliveries WHERE "
                "seq = ?1",
};

static sqlite3_stmt *stmt(SqliteStore *s, int which)
{
    sqlite3_stmt *st = s->delivery_st[which];
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return st;
}

static int step_done(SqliteStore *s, sqlite3_stmt *st, const char *what)
{
    int r = sqlite3_step(st);
    sqlite3_reset(st);
    return r == SQLITE_DONE ? 0 : sq_fail(s, what);
}

int sq_delivery_insert(SqliteStore *s, long long seq, const char *url)
{
    char event[JOB_ID_LEN];
    store_new_id(event);
    sqlite3_stmt *st = stmt(s, DS_INSERT);
    sqlite3_bind_int64(st, 1, seq);
    sq_bind_text(st, 2, event);
    sq_bind_text(st, 3, url);
    return step_done(s, st, "insert delivery");
}

static void copy_col(sqlite3_stmt *st, int col, char *out, size_t n)
{
    const unsigned char *t = sqlite3_column_text(st, col);
    snprintf(out, n, "%s", t ? (const char *)t : "");
}

static int claim_locked(SqliteStore *s, double now, double hold, DeliveryTask *out)
{
    int r = sq_begin(s);
    if (r) return r;
    sqlite3_stmt *st = stmt(s, DS_DUE);
    sqlite3_bind_double(st, 1, now);
    sqlite3_bind_int(st, 2, DELIVERY_PENDING);
    int got = sqlite3_step(st);
    if (got == SQLITE_ROW) {
        out->seq = sqlite3_column_int64(st, 0);
        copy_col(st, 1, out->job_id, sizeof(out->job_id));
        copy_col(st, 2, out->event_id, sizeof(out->event_id));
        copy_col(st, 3, out->url, sizeof(out->url));
        out->attempts = (unsigned)sqlite3_column_int(st, 4);
        out->first_at = sqlite3_column_double(st, 5);
        if (out->first_at <= 0) out->first_at = now;
    }
    sqlite3_reset(st);
    if (got != SQLITE_ROW) return sq_end(s, got == SQLITE_DONE ? 0 : sq_fail(s, "find due deliveries"));
    st = stmt(s, DS_HOLD);
    sqlite3_bind_int64(st, 1, out->seq);
    sqlite3_bind_double(st, 2, now + hold);
    sqlite3_bind_double(st, 3, now);
    r = sq_end(s, step_done(s, st, "claim delivery"));
    return r ? r : 1;
}

static int sq_claim(Store *base, double now, double hold, DeliveryTask *out)
{
    SqliteStore *s = (SqliteStore *)base;
    memset(out, 0, sizeof(*out));
    return LOCKED(s, claim_locked(s, now, hold, out));
}

static int record_locked(SqliteStore *s, long long seq, DeliveryState state, unsigned attempts,
                         const char *error, double next_at, double now)
{
    sqlite3_stmt *st = stmt(s, DS_RECORD);
    sqlite3_bind_int64(st, 1, seq);
    sqlite3_bind_int(st, 2, state);
    sqlite3_bind_int(st, 3, (int)attempts);
    sq_bind_text(st, 4, error);
    sqlite3_bind_double(st, 5, next_at);
    if (state == DELIVERY_DELIVERED) sqlite3_bind_double(st, 6, now);
    else sqlite3_bind_null(st, 6);
    return step_done(s, st, "record delivery");
}

static int sq_record(Store *base, long long seq, DeliveryState state, unsigned attempts, const char *error,
                     double next_at, double now)
{
    SqliteStore *s = (SqliteStore *)base;
    return LOCKED(s, record_locked(s, seq, state, attempts, error, next_at, now));
}

static int view_locked(SqliteStore *s, long long seq, DeliveryView *out)
{
    sqlite3_stmt *st = stmt(s, DS_VIEW);
    sqlite3_bind_int64(st, 1, seq);
    int r = sqlite3_step(st);
    if (r == SQLITE_ROW) {
        copy_col(st, 0, out->url, sizeof(out->url));
        out->state = (DeliveryState)sqlite3_column_int(st, 1);
        out->attempts = (unsigned)sqlite3_column_int(st, 2);
        copy_col(st, 3, out->last_error, sizeof(out->last_error));
        out->delivered_at = sqlite3_column_double(st, 4);
    }
    sqlite3_reset(st);
    return r == SQLITE_ROW ? 1 : r == SQLITE_DONE ? 0 : sq_fail(s, "read delivery");
}

static int sq_view(Store *base, long long seq, DeliveryView *out)
{
    SqliteStore *s = (SqliteStore *)base;
    memset(out, 0, sizeof(*out));
    return LOCKED(s, view_locked(s, seq, out));
}

const DeliveryOps sqlite_delivery_ops = { sq_claim, sq_record, sq_view };

int sq_deliveries_setup(SqliteStore *s, char *err, size_t n)
{
    char *msg = NULL;
    if (sqlite3_exec(s->db, schema_deliveries, NULL, NULL, &msg) != SQLITE_OK) {
        snprintf(err, n, "%s", msg ? msg : sqlite3_errmsg(s->db));
        sqlite3_free(msg);
        return -EIO;
    }
    for (int i = 0; i < DS_COUNT; i++) {
        char *text = store_sql(sql[i]);
        int r = text
                    ? sqlite3_prepare_v3(s->db, text, -1, SQLITE_PREPARE_PERSISTENT, &s->delivery_st[i], NULL)
                    : SQLITE_NOMEM;
        free(text);
        if (r != SQLITE_OK) {
            snprintf(err, n, "delivery statement %d: %s", i, sqlite3_errmsg(s->db));
            return -EIO;
        }
    }
    return 0;
}

void sq_deliveries_close(SqliteStore *s)
{
    for (int i = 0; i < DS_COUNT; i++) sqlite3_finalize(s->delivery_st[i]);
}
