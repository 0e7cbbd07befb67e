/* A job's two inputs prepared through the storage layer on a thread of their own, so that a
 * cancel stops the job at once even while an rclone process is still starting: the job walks
 * away and the thread releases whatever it got (stopping the rclone processes nobody else
 * uses). The node waits for such threads before closing the storage (exec_wait_abandoned). */
#ifndef VMAFX_NODE_PREPARE_H
#define VMAFX_NODE_PREPARE_H

#include <pthread.h>

#include "api/jobspec.h"
#include "executor.h"

/* Both inputs, prepared in parallel, each with a check of its bytes against the size and
 * hash the storage reported (the media layer feeds it every byte it reads). */
typedef struct Prepared {
    StorageReadable rd[2];
    IntegrityVerifier check[2];
} Prepared;

/* The last of the job and the thread to let go frees the task. */
typedef struct PrepTask {
    StorageContext *storage;
    ExecAbandoned *abandoned;
    char uri[2][sizeof(((JobSpec *)0)->reference_uri)];
    Prepared p;
    int e, done, walked_away;
    char err[1024];
    pthread_mutex_t lock;
    pthread_cond_t cond;
} PrepTask;

/* 0 with (*out)->p prepared (free with prep_task_free after releasing the inputs),
 * -ECANCELED when hooks->cancel was set meanwhile, or the storage error. */
int prep_start(const JobSpec *job, const ExecSettings *set, const PipelineHooks *hooks, PrepTask **out,
               char *err, size_t n);
void prep_task_free(PrepTask *t);

#endif
