/* See io_stats.h. The histograms have power-of-two buckets, as bpftrace's hist() does, so
 * the line compares directly with bench/mount_trace.py's kernel-side figures. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "io_stats.h"

enum { BUCKETS = 48 };

struct IoStats {
    char name[256], via[16];
    int64_t opened_ns;
    uint64_t reads, bytes, copied, skipped, blocked_ns, max_ns;
    uint64_t size_log2[BUCKETS], lat_us_log2[BUCKETS];
};

static int64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* bucket k holds [2^k, 2^(k+1)); 0 goes to bucket 0 with 1 */
static unsigned log2_bucket(uint64_t v)
{
    unsigned k = 0;
    while (v > 1 && k + 1 < BUCKETS) {
        v >>= 1;
        k++;
    }
    return k;
}

IoStats *io_stats_new(const char *name, const char *via)
{
    const char *e = getenv("VMAFX_DEBUG_IO");
    if (!e || !*e || !strcmp(e, "0")) return NULL;
    IoStats *st = calloc(1, sizeof(*st));
    if (!st) return NULL; /* a debug aid: without memory, no figures, but the read goes on */
    snprintf(st->name, sizeof(st->name), "%s", name);
    snprintf(st->via, sizeof(st->via), "%s", via);
    st->opened_ns = now_ns();
    return st;
}

int64_t io_stats_begin(const IoStats *st)
{
    return st ? now_ns() : 0;
}

void io_stats_end(IoStats *st, int64_t t0, long long got)
{
    if (!st) return;
    uint64_t d = (uint64_t)(now_ns() - t0);
    st->reads++;
    st->blocked_ns += d;
    if (d > st->max_ns) st->max_ns = d;
    st->lat_us_log2[log2_bucket(d / 1000)]++;
    if (got > 0) {
        st->bytes += (uint64_t)got;
        st->size_log2[log2_bucket((uint64_t)got)]++;
    }
}

void io_stats_copied(IoStats *st, uint64_t n)
{
    if (st) st->copied += n;
}

void io_stats_skipped(IoStats *st, uint64_t n)
{
    if (st) st->skipped += n;
}

static void print_hist(const char *key, const uint64_t *h)
{
    fprintf(stderr, ", \"%s\": {", key);
    const char *sep = "";
    for (unsigned k = 0; k < BUCKETS; k++)
        if (h[k]) {
            fprintf(stderr, "%s\"%u\": %llu", sep, k, (unsigned long long)h[k]);
            sep = ", ";
        }
    fprintf(stderr, "}");
}

void io_stats_finish(IoStats *st, int report)
{
    if (!st) return;
    if (!report) {
        free(st);
        return;
    }
    double open_s = (double)(now_ns() - st->opened_ns) / 1e9;
    for (char *p = st->name; *p; p++) /* keep the line valid JSON */
        if (*p == '"' || *p == '\\' || (unsigned char)*p < 0x20) *p = '?';
    /* one write per line: two inputs closing at once do not interleave */
    flockfile(stderr);
    fprintf(stderr,
            "vmafx debug-io: {\"input\": \"%s\", \"via\": \"%s\", \"reads\": %llu, \"bytes\": %llu, "
            "\"copied\": %llu, \"skipped\": %llu, \"blocked_s\": %.6f, \"max_read_ms\": %.3f, "
            "\"open_s\": %.6f",
            st->name, st->via, (unsigned long long)st->reads, (unsigned long long)st->bytes,
            (unsigned long long)st->copied, (unsigned long long)st->skipped, (double)st->blocked_ns / 1e9,
            (double)st->max_ns / 1e6, open_s);
    print_hist("size_log2", st->size_log2);
    print_hist("lat_us_log2", st->lat_us_log2);
    fprintf(stderr, "}\n");
    funlockfile(stderr);
    free(st);
}
