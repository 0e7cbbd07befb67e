/* Preparing a job's inputs on a thread of its own (see prepare.h). */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "prepare.h"

static int prepare_inputs(StorageContext *storage, const char *const uris[2], Prepared *p, char *err,
                          size_t n)
{
    static const char *const labels[2] = { "reference", "distorted" };
    int e = storage_prepare_many(storage, 2, uris, labels, p->rd, err, n);
    if (e) return e; /* then none stays prepared */
    for (int i = 0; !e && i < 2; i++) e = storage_integrity_init(&p->check[i], &p->rd[i], err, n);
    if (e) {
        storage_release(storage, &p->rd[0]);
        storage_release(storage, &p->rd[1]);
    }
    return e;
}

void prep_task_free(PrepTask *t)
{
    pthread_cond_destroy(&t->cond);
    pthread_mutex_destroy(&t->lock);
    free(t);
}

static void *prep_thread(void *arg)
{
    PrepTask *t = arg;
    const char *uris[2] = { t->uri[0], t->uri[1] };
    int e = prepare_inputs(t->storage, uris, &t->p, t->err, sizeof(t->err));
    pthread_mutex_lock(&t->lock);
    t->e = e;
    t->done = 1;
    int alone = t->walked_away;
    pthread_cond_signal(&t->cond);
    pthread_mutex_unlock(&t->lock);
    if (!alone) return NULL;
    if (!e) { /* the job was cancelled meanwhile: leave no rclone process behind */
        storage_release_stop_unused(t->storage, &t->p.rd[0]);
        storage_release_stop_unused(t->storage, &t->p.rd[1]);
    }
    ExecAbandoned *a = t->abandoned;
    prep_task_free(t);
    pthread_mutex_lock(&a->lock);
    a->live--;
    pthread_cond_broadcast(&a->done);
    pthread_mutex_unlock(&a->lock);
    return NULL;
}

#define CANCEL_POLL_MS 20

/* 0 with t->p prepared, -ECANCELED (the task now belongs to its thread), or an error. */
static int wait_prepared(PrepTask *t, const PipelineHooks *hooks, char *err, size_t n)
{
    pthread_mutex_lock(&t->lock);
    while (!t->done && !(hooks->cancel && atomic_load(hooks->cancel))) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_nsec += CANCEL_POLL_MS * 1000000L;
        if (ts.tv_nsec >= 1000000000L) {
            ts.tv_sec++;
            ts.tv_nsec -= 1000000000L;
        }
        pthread_cond_timedwait(&t->cond, &t->lock, &ts);
    }
    if (!t->done) {
        t->walked_away = 1;
        pthread_mutex_unlock(&t->lock);
        return -ECANCELED;
    }
    pthread_mutex_unlock(&t->lock);
    if (t->e) snprintf(err, n, "%s", t->err);
    return t->e;
}

int prep_start(const JobSpec *job, const ExecSettings *set, const PipelineHooks *hooks, PrepTask **out,
               char *err, size_t n)
{
    PrepTask *t = calloc(1, sizeof(*t));
    if (!t) return snprintf(err, n, "out of memory"), -ENOMEM;
    t->storage = set->storage;
    t->abandoned = set->abandoned;
    snprintf(t->uri[0], sizeof(t->uri[0]), "%s", job->reference_uri);
    snprintf(t->uri[1], sizeof(t->uri[1]), "%s", job->distorted_uri);
    pthread_mutex_init(&t->lock, NULL);
    pthread_cond_init(&t->cond, NULL);
    pthread_mutex_lock(&set->abandoned->lock);
    set->abandoned->live++; /* counted while it may outlive the job */
    pthread_mutex_unlock(&set->abandoned->lock);
    pthread_t th;
    if (pthread_create(&th, NULL, prep_thread, t)) {
        t->walked_away = 0;
        prep_thread(t); /* no thread: prepare here; nothing can cancel it meanwhile */
    } else {
        pthread_detach(th);
    }
    int e = wait_prepared(t, hooks, err, n);
    if (e == -ECANCELED) return e;
    pthread_mutex_lock(&set->abandoned->lock);
    set->abandoned->live--;
    pthread_cond_broadcast(&set->abandoned->done);
    pthread_mutex_unlock(&set->abandoned->lock);
    if (e) {
        prep_task_free(t);
        return e;
    }
    *out = t;
    return 0;
}

void exec_abandoned_init(ExecAbandoned *a)
{
    pthread_mutex_init(&a->lock, NULL);
    pthread_cond_init(&a->done, NULL);
    a->live = 0;
}

void exec_wait_abandoned(ExecAbandoned *a)
{
    pthread_mutex_lock(&a->lock);
    while (a->live) pthread_cond_wait(&a->done, &a->lock);
    pthread_mutex_unlock(&a->lock);
    pthread_cond_destroy(&a->done);
    pthread_mutex_destroy(&a->lock);
}
