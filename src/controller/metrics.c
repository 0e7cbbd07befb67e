/* Counters, histograms and the Prometheus text format (see metrics.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "metrics.h"

static const double duration_bounds[] = { 1, 5, 10, 30, 60, 120, 300, 600, 1800, 3600, 7200, 21600 };
static const double wait_bounds[] = { 0.1, 0.5, 1, 5, 10, 30, 60, 300, 900, 3600, 14400 };
static const double score_bounds[] = { 20, 30, 40, 50, 60, 70, 80, 85, 90, 95, 98, 100 };
#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static void hist_init(Histogram *h, const double *b, size_t n)
{
    memset(h, 0, sizeof(*h));
    h->bounds = b;
    h->n = n;
}

static void hist_add(Histogram *h, double v)
{
    size_t i = 0;
    while (i < h->n && v > h->bounds[i]) i++;
    h->buckets[i]++; /* index n is the +Inf bucket */
    h->count++;
    h->sum += v;
}

void metrics_init(Metrics *m)
{
    memset(m, 0, sizeof(*m));
    pthread_mutex_init(&m->lock, NULL);
    for (int s = 0; s < JOB_N_STATES; s++)
        hist_init(&m->duration[s], duration_bounds, COUNT(duration_bounds));
    hist_init(&m->queue_wait, wait_bounds, COUNT(wait_bounds));
}

void metrics_destroy(Metrics *m)
{
    pthread_mutex_destroy(&m->lock);
}

void metrics_chunks(Metrics *m, unsigned created, int merged, int merge_failed)
{
    pthread_mutex_lock(&m->lock);
    m->chunks_created += created;
    m->chunked_merged += merged != 0;
    m->chunked_merge_failed += merge_failed != 0;
    pthread_mutex_unlock(&m->lock);
}

void metrics_probe(Metrics *m, int started, int counted, int failed)
{
    pthread_mutex_lock(&m->lock);
    m->probes[0] += started != 0;
    m->probes[1] += counted != 0;
    m->probes[2] += failed != 0;
    pthread_mutex_unlock(&m->lock);
}

void metrics_submitted(Metrics *m)
{
    pthread_mutex_lock(&m->lock);
    m->submitted++;
    pthread_mutex_unlock(&m->lock);
}

void metrics_leased(Metrics *m, double queue_wait)
{
    pthread_mutex_lock(&m->lock);
    m->leases_granted++;
    if (queue_wait >= 0) hist_add(&m->queue_wait, queue_wait);
    pthread_mutex_unlock(&m->lock);
}

void metrics_finished(Metrics *m, JobState outcome, double duration)
{
    pthread_mutex_lock(&m->lock);
    m->finished[outcome]++;
    if (duration >= 0) hist_add(&m->duration[outcome], duration);
    pthread_mutex_unlock(&m->lock);
}

/* Model names come from jobs, so their number is capped to keep the label set bounded. */
static Histogram *score_hist(Metrics *m, const char *model)
{
    for (unsigned i = 0; i < m->n_models; i++)
        if (!strcmp(m->model[i], model)) return &m->score[i];
    unsigned i = m->n_models < METRICS_MAX_MODELS ? m->n_models++ : METRICS_MAX_MODELS;
    if (!m->score[i].bounds) {
        hist_init(&m->score[i], score_bounds, COUNT(score_bounds));
        snprintf(m->model[i], sizeof(m->model[i]), "%s", i < METRICS_MAX_MODELS ? model : "other");
    }
    return &m->score[i];
}

void metrics_score(Metrics *m, const char *model, double score)
{
    pthread_mutex_lock(&m->lock);
    hist_add(score_hist(m, model), score);
    pthread_mutex_unlock(&m->lock);
}

void metrics_expired(Metrics *m, unsigned requeued, unsigned failed)
{
    pthread_mutex_lock(&m->lock);
    m->leases_expired += requeued + failed;
    m->jobs_given_up += failed;
    m->finished[JOB_FAILED] += failed;
    pthread_mutex_unlock(&m->lock);
}

void metrics_request(Metrics *m, int status)
{
    int k = status / 100;
    pthread_mutex_lock(&m->lock);
    m->requests[k >= 1 && k <= 5 ? k : 0]++;
    pthread_mutex_unlock(&m->lock);
}

static void write_hist(FILE *f, const char *name, const char *labels, const Histogram *h)
{
    unsigned long long cum = 0;
    const char *sep = *labels ? "," : "";
    for (size_t i = 0; i < h->n; i++) {
        cum += h->buckets[i];
        fprintf(f, "%s_bucket{%s%sle=\"%g\"} %llu\n", name, labels, sep, h->bounds[i], cum);
    }
    fprintf(f, "%s_bucket{%s%sle=\"+Inf\"} %llu\n", name, labels, sep, h->count);
    fprintf(f, "%s_sum%s%s%s %.6f\n", name, *labels ? "{" : "", labels, *labels ? "}" : "", h->sum);
    fprintf(f, "%s_count%s%s%s %llu\n", name, *labels ? "{" : "", labels, *labels ? "}" : "", h->count);
}

static void write_gauges(FILE *f, const StoreStats *st, double now)
{
    fputs("# HELP vmafx_controller_jobs Jobs in each state.\n# TYPE vmafx_controller_jobs gauge\n", f);
    for (int s = 0; s < JOB_N_STATES; s++)
        fprintf(f, "vmafx_controller_jobs{state=\"%s\"} %lld\n", job_state_name((JobState)s),
                st->by_state[s]);
    fprintf(f,
            "# HELP vmafx_controller_oldest_pending_age_seconds Age of the oldest pending job (0: none).\n"
            "# TYPE vmafx_controller_oldest_pending_age_seconds gauge\n"
            "vmafx_controller_oldest_pending_age_seconds %.3f\n",
            st->oldest_pending > 0 && now > st->oldest_pending ? now - st->oldest_pending : 0.0);
    fprintf(f,
            "# HELP vmafx_controller_nodes_live Nodes heard from within one lease TTL.\n"
            "# TYPE vmafx_controller_nodes_live gauge\nvmafx_controller_nodes_live %lld\n",
            st->nodes_live);
}

static void write_counters(FILE *f, const Metrics *m)
{
    fprintf(f,
            "# HELP vmafx_controller_jobs_submitted_total Jobs accepted (201).\n"
            "# TYPE vmafx_controller_jobs_submitted_total counter\nvmafx_controller_jobs_submitted_total "
            "%llu\n",
            m->submitted);
    fprintf(f,
            "# HELP vmafx_controller_chunks_created_total Chunks that chunked jobs were cut into.\n"
            "# TYPE vmafx_controller_chunks_created_total counter\nvmafx_controller_chunks_created_total "
            "%llu\n"
            "# HELP vmafx_controller_chunked_jobs_merged_total Chunked jobs whose chunks were merged into "
            "one report.\n"
            "# TYPE vmafx_controller_chunked_jobs_merged_total "
            "counter\nvmafx_controller_chunked_jobs_merged_total %llu\n"
            "# HELP vmafx_controller_chunk_merges_failed_total Chunked jobs failed at the merge.\n"
            "# TYPE vmafx_controller_chunk_merges_failed_total "
            "counter\nvmafx_controller_chunk_merges_failed_total %llu\n",
            m->chunks_created, m->chunked_merged, m->chunked_merge_failed);
    fprintf(f,
            "# HELP vmafx_controller_frame_probes_total Frame counts of chunked jobs asked of a node "
            "(started), and their ends: counted (the job was cut) or failed (it ran whole).\n"
            "# TYPE vmafx_controller_frame_probes_total counter\n"
            "vmafx_controller_frame_probes_total{outcome=\"started\"} %llu\n"
            "vmafx_controller_frame_probes_total{outcome=\"counted\"} %llu\n"
            "vmafx_controller_frame_probes_total{outcome=\"failed\"} %llu\n",
            m->probes[0], m->probes[1], m->probes[2]);
    fputs("# HELP vmafx_controller_jobs_finished_total Jobs that reached a final state.\n"
          "# TYPE vmafx_controller_jobs_finished_total counter\n",
          f);
    for (int s = JOB_COMPLETED; s < JOB_N_STATES; s++)
        fprintf(f, "vmafx_controller_jobs_finished_total{state=\"%s\"} %llu\n", job_state_name((JobState)s),
                m->finished[s]);
    fprintf(
        f,
        "# HELP vmafx_controller_leases_granted_total Leases handed to nodes.\n"
        "# TYPE vmafx_controller_leases_granted_total counter\nvmafx_controller_leases_granted_total %llu\n"
        "# HELP vmafx_controller_leases_expired_total Leases that expired without a heartbeat.\n"
        "# TYPE vmafx_controller_leases_expired_total counter\nvmafx_controller_leases_expired_total %llu\n"
        "# HELP vmafx_controller_jobs_given_up_total Jobs failed after too many lost leases.\n"
        "# TYPE vmafx_controller_jobs_given_up_total counter\nvmafx_controller_jobs_given_up_total %llu\n",
        m->leases_granted, m->leases_expired, m->jobs_given_up);
    fputs("# HELP vmafx_controller_http_requests_total HTTP answers by status class.\n"
          "# TYPE vmafx_controller_http_requests_total counter\n",
          f);
    for (int k = 1; k <= 5; k++)
        fprintf(f, "vmafx_controller_http_requests_total{code=\"%dxx\"} %llu\n", k, m->requests[k]);
}

void metrics_webhook(Metrics *m, DeliveryState outcome)
{
    pthread_mutex_lock(&m->lock);
    if ((unsigned)outcome < DELIVERY_N_STATES) m->webhook[outcome]++;
    pthread_mutex_unlock(&m->lock);
}

void metrics_prepare_failed(Metrics *m)
{
    pthread_mutex_lock(&m->lock);
    m->prepare_failed++;
    pthread_mutex_unlock(&m->lock);
}

static void write_prepare(FILE *f, const Metrics *m)
{
    fprintf(f,
            "# HELP vmafx_controller_input_prepare_failures_total Job attempts that failed because a "
            "node's storage layer could not make an input readable (rclone, remote, allow-list).\n"
            "# TYPE vmafx_controller_input_prepare_failures_total counter\n"
            "vmafx_controller_input_prepare_failures_total %llu\n",
            m->prepare_failed);
}

static void write_webhooks(FILE *f, const Metrics *m)
{
    static const char *const outcome[DELIVERY_N_STATES] = { "retry", "delivered", "failed", "refused" };
    fputs("# HELP vmafx_controller_webhook_attempts_total Webhook deliveries by outcome: delivered, retry "
          "(failed, tried again later), failed (given up), refused (the target broke the rules).\n"
          "# TYPE vmafx_controller_webhook_attempts_total counter\n",
          f);
    for (int s = 0; s < DELIVERY_N_STATES; s++)
        fprintf(f, "vmafx_controller_webhook_attempts_total{outcome=\"%s\"} %llu\n", outcome[s],
                m->webhook[s]);
}

static void write_histograms(FILE *f, const Metrics *m)
{
    fputs("# HELP vmafx_controller_job_duration_seconds From the first lease to the final state.\n"
          "# TYPE vmafx_controller_job_duration_seconds histogram\n",
          f);
    for (int s = JOB_COMPLETED; s < JOB_N_STATES; s++) {
        char labels[64];
        snprintf(labels, sizeof(labels), "state=\"%s\"", job_state_name((JobState)s));
        write_hist(f, "vmafx_controller_job_duration_seconds", labels, &m->duration[s]);
    }
    fputs("# HELP vmafx_controller_queue_wait_seconds From submission to the first lease.\n"
          "# TYPE vmafx_controller_queue_wait_seconds histogram\n",
          f);
    write_hist(f, "vmafx_controller_queue_wait_seconds", "", &m->queue_wait);
    fputs("# HELP vmafx_controller_score Pooled mean score of completed jobs, by model.\n"
          "# TYPE vmafx_controller_score histogram\n",
          f);
    for (unsigned i = 0; i <= METRICS_MAX_MODELS; i++) {
        if (!m->score[i].bounds) continue;
        char labels[96];
        snprintf(labels, sizeof(labels), "model=\"%s\"", m->model[i]);
        write_hist(f, "vmafx_controller_score", labels, &m->score[i]);
    }
}

char *metrics_render(Metrics *m, const StoreStats *st, double now, size_t *len)
{
    char *text = NULL;
    FILE *f = open_memstream(&text, len);
    if (!f) return NULL;
    write_gauges(f, st, now);
    pthread_mutex_lock(&m->lock);
    write_counters(f, m);
    write_histograms(f, m);
    write_webhooks(f, m);
    write_prepare(f, m);
    pthread_mutex_unlock(&m->lock);
    if (fclose(f)) {
        free(text);
        return NULL;
    }
    return text;
}
