/* Prometheus metrics of the controller. Counters and histograms live in memory (they start
 * from zero with the process, as Prometheus expects); gauges (jobs by state, oldest pending
 * age, live nodes) are read from the store at scrape time, so they are right after a restart. */
#ifndef VMAFX_CONTROLLER_METRICS_H
#define VMAFX_CONTROLLER_METRICS_H

#include <pthread.h>
#include <stddef.h>

#include "store.h"

#define METRICS_MAX_BUCKETS 16
#define METRICS_MAX_MODELS 8 /* score histograms kept; more model names go to "other" */

typedef struct Histogram {
    const double *bounds;
    size_t n;
    unsigned long long buckets[METRICS_MAX_BUCKETS]; /* not cumulative; summed when written */
    unsigned long long count;
    double sum;
} Histogram;

typedef struct Metrics {
    pthread_mutex_t lock;
    unsigned long long submitted, leases_granted, leases_expired, jobs_given_up, requests[6];
    unsigned long long finished[JOB_N_STATES];
    Histogram duration[JOB_N_STATES]; /* completed, failed, cancelled are used */
    Histogram queue_wait;
    char model[METRICS_MAX_MODELS + 1][64];
    Histogram score[METRICS_MAX_MODELS + 1];
    unsigned n_models;
    unsigned long long webhook[DELIVERY_N_STATES]; /* webhook attempts by what followed */
    unsigned long long chunks_created, chunked_merged, chunked_merge_failed;
    unsigned long long probes[3];      /* frame-count probes: started, counted (job cut), failed */
    unsigned long long prepare_failed; /* jobs failed at the node's storage layer */
} Metrics;

void metrics_init(Metrics *m);
void metrics_destroy(Metrics *m);
void metrics_submitted(Metrics *m);
void metrics_leased(Metrics *m, double queue_wait); /* queue_wait < 0: not the first lease */
void metrics_finished(Metrics *m, JobState outcome, double duration); /* duration < 0: unknown */
void metrics_score(Metrics *m, const char *model, double score);
void metrics_expired(Metrics *m, unsigned requeued, unsigned failed);
void metrics_request(Metrics *m, int status);
/* A webhook attempt's outcome: delivered, pending (retried later), failed (given up), refused. */
void metrics_webhook(Metrics *m, DeliveryState outcome);
/* A job failed because the node's storage layer could not make an input readable. */
void metrics_prepare_failed(Metrics *m);
/* Chunked jobs: chunks created, and a chunked job merged (or its merge failed). */
void metrics_chunks(Metrics *m, unsigned created, int merged, int merge_failed);
/* Frame-count probes (probe.h): one started, one that counted, one that failed. */
void metrics_probe(Metrics *m, int started, int counted, int failed);
/* The text exposition; malloc'ed, NULL when out of memory. */
char *metrics_render(Metrics *m, const StoreStats *st, double now, size_t *len);

#endif
