/* Both inputs of a job are prepared at the same time: their cold starts overlap, and when
 * they share a remote root the second simply waits for the server the first is starting. */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "storage/storage.h"

typedef struct Job {
    StorageContext *ctx;
    const char *uri, *label;
    StorageReadable *out;
    int r;
    char err[1024];
} Job;

static void *run(void *arg)
{
    Job *j = arg;
    j->r = storage_prepare(j->ctx, j->uri, j->label, j->out, j->err, sizeof(j->err));
    return NULL;
}

int storage_prepare_many(StorageContext *ctx, size_t count, const char *const uris[],
                         const char *const labels[], StorageReadable out[], char *err, size_t n)
{
    Job *jobs = calloc(count ? count : 1, sizeof(*jobs));
    pthread_t *th = calloc(count ? count : 1, sizeof(*th));
    int *started = calloc(count ? count : 1, sizeof(*started));
    if (!jobs || !th || !started) {
        free(jobs);
        free(th);
        free(started);
        snprintf(err, n, "out of memory");
        return -ENOMEM;
    }
    for (size_t i = 0; i < count; i++) {
        jobs[i] = (Job){ ctx, uris[i], labels ? labels[i] : NULL, &out[i], 0, "" };
        /* the last one runs on this thread */
        started[i] = i + 1 < count && !pthread_create(&th[i], NULL, run, &jobs[i]);
        if (!started[i]) run(&jobs[i]);
    }
    int r = 0;
    for (size_t i = 0; i < count; i++) {
        if (started[i]) pthread_join(th[i], NULL);
        if (jobs[i].r && !r) {
            r = jobs[i].r;
            snprintf(err, n, "%s", jobs[i].err);
        }
    }
    for (size_t i = 0; r && i < count; i++)
        if (!jobs[i].r) storage_release(ctx, &out[i]);
    free(jobs);
    free(th);
    free(started);
    return r;
}
