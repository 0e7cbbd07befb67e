/* PostgreSQL store: the deliveries of completion webhooks (see DeliveryOps in store.h), the
 * same table as the SQLite store's. Several controllers may share it: a claim locks the row
 * it takes and skips rows another controller is claiming (SKIP LOCKED). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_pg.h"

/* Run in the schema's transaction (under its advisory lock); every step is idempotent. */
const char pg_schema_deliveries[] =
    "CREATE TABLE IF NOT EXISTS deliveries(seq BIGINT PRIMARY KEY, event_id TEXT NOT NULL, url TEXT NOT NULL,"
    " state INTEGER NOT NULL DEFAULT 0, attempts INTEGER NOT NULL DEFAULT 0,"
    " next_at DOUBLE PRECISION NOT NULL DEFAULT 0, first_at DOUBLE PRECISION, last_error TEXT,"
    " delivered_at DOUBLE PRECISION);"
    "CREATE INDEX IF NOT EXISTS deliveries_due ON deliveries(state, next_at);";

int pg_delivery_insert(PgStore *s, long long seq, const char *url)
{
    char event[JOB_ID_LEN];
    store_new_id(event);
    PgParams p = { .n = 0 };
    pgp_i64(&p, seq);
    pgp_text(&p, event);
    pgp_text(&p, url);
    return pg_exec(s, "insert delivery", "INSERT INTO deliveries(seq, event_id, url) VALUES($1, $2, $3)",
                   &p) < 0
               ? -EIO
               : 0;
}

static int claim_locked(PgStore *s, double now, double hold, DeliveryTask *out)
{
    int r = pg_begin(s);
    if (r) return r;
    PgParams p = { .n = 0 };
    pgp_dbl(&p, now);
    pgp_i64(&p, DELIVERY_PENDING);
    PGresult *q = pg_query(s, "find due deliveries",
                           "SELECT d.seq, j.id, d.event_id, d.url, d.attempts, coalesce(d.first_at, 0)"
                           " FROM deliveries d JOIN jobs j ON j.seq = d.seq"
                           " WHERE d.state = $2 AND d.next_at <= $1"
                           " AND j.state IN ({completed}, {failed}, {cancelled})"
                           " ORDER BY d.next_at LIMIT 1 FOR UPDATE OF d SKIP LOCKED",
                           &p);
    if (!q) return pg_end(s, -EIO);
    if (!PQntuples(q)) {
        PQclear(q);
        return pg_end(s, 0);
    }
    out->seq = pg_i64(q, 0, 0);
    snprintf(out->job_id, sizeof(out->job_id), "%s", pg_str(q, 0, 1));
    snprintf(out->event_id, sizeof(out->event_id), "%s", pg_str(q, 0, 2));
    snprintf(out->url, sizeof(out->url), "%s", pg_str(q, 0, 3));
    out->attempts = (unsigned)pg_i64(q, 0, 4);
    out->first_at = pg_dbl(q, 0, 5) > 0 ? pg_dbl(q, 0, 5) : now;
    PQclear(q);
    PgParams u = { .n = 0 };
    pgp_i64(&u, out->seq);
    pgp_dbl(&u, now + hold);
    pgp_dbl(&u, now);
    r = pg_exec(s, "claim delivery",
                "UPDATE deliveries SET next_at = $2, first_at = coalesce(first_at, $3) WHERE seq = $1",
                &u) < 0
            ? -EIO
            : 0;
    r = pg_end(s, r);
    return r ? r : 1;
}

static int pg_claim(Store *base, double now, double hold, DeliveryTask *out)
{
    PgStore *s = (PgStore *)base;
    memset(out, 0, sizeof(*out));
    return PG_LOCKED(s, claim_locked(s, now, hold, out));
}

static int record_locked(PgStore *s, long long seq, DeliveryState state, unsigned attempts, const char *error,
                         double next_at, double now)
{
    PgParams p = { .n = 0 };
    pgp_i64(&p, seq);
    pgp_i64(&p, state);
    pgp_i64(&p, attempts);
    pgp_text(&p, error);
    pgp_dbl(&p, next_at);
    if (state == DELIVERY_DELIVERED) pgp_dbl(&p, now);
    else pgp_text(&p, NULL);
    return pg_exec(s, "record delivery",
                   "UPDATE deliveries SET state = $2, attempts = $3, last_error = $4, next_at = $5,"
                   " delivered_at = $6 WHERE seq = $1",
                   &p) < 0
               ? -EIO
               : 0;
}

static int pg_record(Store *base, long long seq, DeliveryState state, unsigned attempts, const char *error,
                     double next_at, double now)
{
    PgStore *s = (PgStore *)base;
    return PG_LOCKED(s, record_locked(s, seq, state, attempts, error, next_at, now));
}

static int view_locked(PgStore *s, long long seq, DeliveryView *out)
{
    PgParams p = { .n = 0 };
    pgp_i64(&p, seq);
    PGresult *q =
        pg_query(s, "read delivery",
                 "SELECT url, state, attempts, last_error, coalesce(delivered_at, 0) FROM deliveries"
                 " WHERE seq = $1",
                 &p);
    if (!q) return -EIO;
    int found = PQntuples(q) > 0;
    if (found) {
        snprintf(out->url, sizeof(out->url), "%s", pg_str(q, 0, 0));
        out->state = (DeliveryState)pg_i64(q, 0, 1);
        out->attempts = (unsigned)pg_i64(q, 0, 2);
        snprintf(out->last_error, sizeof(out->last_error), "%s", pg_str(q, 0, 3));
        out->delivered_at = pg_dbl(q, 0, 4);
    }
    PQclear(q);
    return found;
}

static int pg_view(Store *base, long long seq, DeliveryView *out)
{
    PgStore *s = (PgStore *)base;
    memset(out, 0, sizeof(*out));
    return PG_LOCKED(s, view_locked(s, seq, out));
}

const DeliveryOps pg_delivery_ops = { pg_claim, pg_record, pg_view };
