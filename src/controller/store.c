/* What every store shares: state names, records, and picking the implementation a DSN names. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "lease.h"
#include "store.h"
#include "store_pg.h"
#include "store_sqlite.h"

static const char *const state_names[JOB_N_STATES] = { "pending", "running", "completed", "failed",
                                                       "cancelled" };

const char *job_state_name(JobState s)
{
    return (unsigned)s < JOB_N_STATES ? state_names[s] : "unknown";
}

const char *job_state_phrase(JobState s)
{
    static const char *const phrases[JOB_N_STATES] = { "is pending", "is running", "has completed",
                                                       "has failed", "was cancelled" };
    return (unsigned)s < JOB_N_STATES ? phrases[s] : "is in an unknown state";
}

int job_state_parse(const char *name)
{
    for (int i = 0; i < JOB_N_STATES; i++)
        if (!strcmp(name, state_names[i])) return i;
    return -1;
}

/* Appends the state named by the n bytes at name as its number; -1 if there is none. */
static int put_state(char **o, const char *name, size_t n)
{
    for (int i = 0; i < JOB_N_STATES; i++)
        if (strlen(state_names[i]) == n && !strncmp(name, state_names[i], n)) {
            *o += sprintf(*o, "%d", i);
            return 0;
        }
    return -1;
}

char *store_sql(const char *tmpl)
{
    char *out = malloc(strlen(tmpl) + 1); /* "{pending}" is longer than any state number */
    char *o = out;
    for (const char *t = tmpl; out && *t;) {
        const char *close = *t == '{' ? strchr(t, '}') : NULL;
        if (!close) {
            *o++ = *t++;
            continue;
        }
        if (put_state(&o, t + 1, (size_t)(close - t - 1))) {
            free(out);
            return NULL;
        }
        t = close + 1;
    }
    if (out) *o = 0;
    return out;
}

static const char *const delivery_names[DELIVERY_N_STATES] = { "pending", "delivered", "failed", "refused" };

const char *delivery_state_name(DeliveryState s)
{
    return (unsigned)s < DELIVERY_N_STATES ? delivery_names[s] : "unknown";
}

void job_record_free(JobRecord *r)
{
    free(r->webhook);
    r->webhook = NULL;
    free(r->spec);
    free(r->pooled);
    free(r->error);
    free(r->warnings);
    r->spec = r->pooled = r->error = r->warnings = NULL;
}

void job_records_free(JobRecord *r, size_t n)
{
    for (size_t i = 0; r && i < n; i++) job_record_free(&r[i]);
    free(r);
}

int store_open(Store **out, const char *dsn, const StoreOptions *opt, char *err, size_t n)
{
    *out = NULL;
    if (!strncmp(dsn, "postgres://", 11) || !strncmp(dsn, "postgresql://", 13))
        return pg_store_open(out, dsn, opt, err, n);
    if (!strncmp(dsn, "sqlite:", 7)) dsn += 7;
    if (!*dsn) {
        snprintf(err, n, "database: empty path");
        return -EINVAL;
    }
    return sqlite_store_open(out, dsn, opt, err, n);
}

void store_new_id(char id[JOB_ID_LEN])
{
    unsigned char b[16];
    if (getrandom(b, sizeof(b), 0) != (ssize_t)sizeof(b)) {
        /* getrandom only fails before the kernel's pool is ready; time and address still
         * make a collision practically impossible for a job id (it is not a secret) */
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        unsigned long long x = (unsigned long long)ts.tv_nsec ^ ((unsigned long long)ts.tv_sec << 30) ^
                               (uintptr_t)id;
        for (int i = 0; i < 16; i++) b[i] = (unsigned char)(x >> ((i % 8) * 8)) ^ (unsigned char)(i * 37);
    }
    b[6] = (unsigned char)((b[6] & 0x0f) | 0x40); /* version 4 */
    b[8] = (unsigned char)((b[8] & 0x3f) | 0x80); /* RFC 4122 variant */
    snprintf(id, JOB_ID_LEN, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0],
             b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]);
}

int store_id_prefix_ok(const char *s)
{
    size_t n = strlen(s);
    return n && n < JOB_ID_LEN && strspn(s, "0123456789abcdef-") == n;
}

void chunk_rows_free(ChunkRow *r, size_t n)
{
    for (size_t i = 0; r && i < n; i++) free(r[i].error);
    free(r);
}

void chunk_ready_free(ChunkReady *r, size_t n)
{
    for (size_t i = 0; r && i < n; i++) free(r[i].spec);
    free(r);
}
