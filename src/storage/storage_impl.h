/* Internal structures of the storage context, shared by its source files only. */
#ifndef VMAFX_STORAGE_IMPL_H
#define VMAFX_STORAGE_IMPL_H

#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>

#include "base/proc.h"
#include "base/mono.h"
#include "storage/rcconf.h"
#include "storage/storage.h"

typedef enum { SRV_SERVE, SRV_MOUNT } ServerKind;
typedef enum { SRV_STARTING, SRV_READY, SRV_FAILED } ServerState;

/* One rclone process serving (or mounting) one remote root, shared by every input under
 * that root. Reference counted under the context lock: the pool list holds one reference
 * while the server is linked, each user one more. Whoever unlinks it stops the process. */
struct StorageServer {
    struct StorageServer *next;
    ServerKind kind;
    ServerState state;
    int linked, refs, id;
    long long idle_since_ms;
    char root[STORAGE_PATH_MAX];
    Proc proc;
    int data_port, rc_port;
    char token[33];    /* URL path prefix: other local users cannot guess it */
    char rc_auth[128]; /* Authorization header line for the rc API */
    char mountdir[PATH_MAX + 64];
    char logpath[PATH_MAX + 64]; /* rclone's stderr: rc address, startup errors */
    int err_code;                /* why it failed to start (message without the input name) */
    char err[512];
};

typedef struct SpawnReq SpawnReq;

struct StorageContext {
    StorageConfig cfg;
    RcloneConf rcconf;
    char rclone[PATH_MAX]; /* resolved binary, "" if missing */
    int fuse_ok;
    char fuse_why[256];
    char rundir[PATH_MAX]; /* private: logs, rclone cache dir, default mount root */
    char mount_root[PATH_MAX];
    pthread_mutex_t lock;
    pthread_cond_t cond; /* a server changed state, a prepare ended, a spawn finished */
    StorageServer *servers;
    int n_linked, next_id, active;
    atomic_int closing;
    /* The manager thread spawns every rclone (so PR_SET_PDEATHSIG is tied to a thread that
     * lives as long as the context) and expires idle or dead servers. */
    pthread_t manager;
    pthread_cond_t mgr_cond;
    SpawnReq *spawn_q;
    int mgr_stop;
};

/* Runs proc_spawn on the manager thread. */
int storage_spawn(StorageContext *ctx, const ProcSpec *spec, Proc *p, char *err, size_t n);

/* server.c */
int storage_server_start(StorageContext *ctx, StorageServer *s, char *err, size_t n);
void storage_server_stop(StorageContext *ctx, StorageServer *s);
int storage_server_rc(StorageContext *ctx, StorageServer *s, const char *call, const char *json,
                      int timeout_ms, char **out, char *err, size_t n);

/* pool.c */
int storage_pool_acquire(StorageContext *ctx, ServerKind kind, const char *root, StorageServer **out,
                         int *cold, char *err, size_t n);
void storage_pool_release(StorageContext *ctx, StorageServer *s);
void storage_pool_release_stop_unused(StorageContext *ctx, StorageServer *s);
void storage_pool_discard(StorageContext *ctx, StorageServer *s);
void storage_pool_tick(StorageContext *ctx);
void storage_pool_stop_all(StorageContext *ctx);
/* Signals the servers' process groups: all of them, or only those still starting. */
void storage_pool_signal(StorageContext *ctx, int sig, int all);

/* classify.c: rclone's error text -> a short, credential-free reason and an errno */
int classify_rclone_error(const char *text, char *msg, size_t n);

/* preflight.c */
typedef struct ObjectInfo {
    int64_t size;
    HashType hash_type;
    char hash[65];
} ObjectInfo;
int preflight_remote(StorageContext *ctx, StorageServer *s, const StorageTarget *t, int want_hash,
                     ObjectInfo *info, char *err, size_t n);
int preflight_local(const char *path, ObjectInfo *info, char *err, size_t n);
int preflight_http(StorageContext *ctx, const char *url, ObjectInfo *info, char *err, size_t n);

#endif
