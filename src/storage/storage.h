/* Storage: turns an input URI (local path, http(s) URL, s3://, gcs://, azblob://, sftp://,
 * rclone://remote:path or remote:path) into something the media layer reads as a stream,
 * without copying the content to disk: a local path, a URL it reads directly, or a URL / path
 * served by an rclone child process (rclone serve http, or rclone mount).
 *
 * Lifecycle (one context per program; thread-safe; several jobs may prepare at once):
 *   storage_config_defaults(&cfg); storage_config_from_env(&cfg, ...);   (or _set per flag)
 *   storage_open(&ctx, &cfg, ...)              validates the mode (mount needs FUSE)
 *   storage_prepare(ctx, uri, "distorted", &r, ...) / storage_prepare_many(...)
 *       -> r.location: what to open; r.size / r.hash: what the bytes must add up to
 *   ... media reads r.location, feeding every byte to an IntegrityVerifier (integrity.h) ...
 *   storage_release(ctx, &r)
 *   storage_cancel(ctx)   from any thread (e.g. on SIGTERM): SIGTERMs every rclone child, so
 *                         reads blocked on remote inputs fail at once, and fails prepares in
 *                         progress and later with -ECANCELED. The context stays unusable
 *                         until storage_close (do not use it to cancel a single job).
 *   storage_close(ctx)    once: waits for prepares in flight, then unmounts, stops and reaps
 *                         everything in order
 *
 * Errors: functions return 0 or a negative errno; the message (which names the input and
 * never contains a credential) is written to err. */
#ifndef VMAFX_STORAGE_STORAGE_H
#define VMAFX_STORAGE_STORAGE_H

#include <stddef.h>
#include <stdint.h>

#include "base/log.h"
#include "base/integrity.h"

#define STORAGE_PATH_MAX 4096
#define STORAGE_MAX_ALLOW 16
#define STORAGE_MAX_SCHEMES 8

typedef enum { STORAGE_MODE_HTTP_SERVE, STORAGE_MODE_MOUNT, STORAGE_MODE_AUTO } StorageMode;

/* How much of each object is checked while it streams (see docs/storage.md). */
typedef enum {
    STORAGE_VERIFY_OFF,    /* nothing (the byte count still ends at the size rclone reports) */
    STORAGE_VERIFY_SIZE,   /* byte count against the object's size */
    STORAGE_VERIFY_AUTO,   /* size, plus MD5 where the backend stores one (s3, azureblob, gcs) */
    STORAGE_VERIFY_FULL    /* size, plus MD5 from any backend that can give one, even when
                              rclone must read the whole object to compute it (local, sftp) */
} StorageVerify;

typedef struct StorageConfig {
    StorageMode mode;
    StorageVerify verify;
    char rclone[STORAGE_PATH_MAX];         /* rclone binary (PATH is searched) */
    char rclone_config[STORAGE_PATH_MAX];  /* "" -> /etc/vmafx/rclone.conf if present, else
                                              rclone's default location */
    char mount_root[STORAGE_PATH_MAX];     /* "" -> a private temp directory */
    int serve_timeout_ms;    /* rclone serve http must answer within this */
    int mount_timeout_ms;    /* rclone mount must show the object within this */
    int check_timeout_ms;    /* the object check (exists, size, hash) must answer within this */
    int idle_timeout_ms;     /* warm processes nobody uses are stopped after this */
    int grace_ms;            /* SIGTERM -> SIGKILL */
    int max_procs;           /* cap on rclone processes kept by one context */
    struct { char scheme[16]; char remote[64]; } remotes[STORAGE_MAX_SCHEMES]; /* s3 -> "s3" */
    int n_remotes;
    char allow[STORAGE_MAX_ALLOW][1024];   /* scoring roots; none: every input is allowed */
    int n_allow;
    int connection_strings;  /* 1: inputs may define remotes (":backend,...:", "remote,p=v:") */
    Log log;
} StorageConfig;

/* One setting as the CLI / node tables need it: flag name, environment variable, default,
 * help. storage_config_set() takes either the flag name or the variable. */
typedef struct StorageSetting {
    const char *flag, *env, *def, *metavar, *help;
} StorageSetting;

const StorageSetting *storage_settings(size_t *count);
void storage_config_defaults(StorageConfig *cfg);
int  storage_config_set(StorageConfig *cfg, const char *name, const char *value, char *err, size_t n);
/* Applies every VMAFX_* storage variable that is set. */
int  storage_config_from_env(StorageConfig *cfg, char *err, size_t n);

typedef enum { STORAGE_LOCAL, STORAGE_HTTP, STORAGE_REMOTE } StorageKind;

/* A parsed input. For STORAGE_REMOTE, rclone addresses it as remote:path, served from the
 * remote root (the remote plus the first path element: the bucket, container or top dir). */
typedef struct StorageTarget {
    StorageKind kind;
    char location[STORAGE_PATH_MAX];   /* local path, URL, or "remote:path" */
    char remote[512];                  /* "s3", "sftp,host=h,user=u,port=22", ":local" */
    char config_name[128];             /* the [section] the remote needs; "" for ":backend" */
    char path[STORAGE_PATH_MAX];       /* decoded path on the remote: "bucket/dir/a.yuv" */
    char root[STORAGE_PATH_MAX];       /* "s3:bucket" */
    char rel[STORAGE_PATH_MAX];        /* "dir/a.yuv", relative to root */
} StorageTarget;

/* The URI table of docs/storage.md; syntax, traversal and escaping checks only (no I/O). */
int storage_parse_uri(const char *uri, const StorageConfig *cfg, StorageTarget *out, char *err, size_t n);

typedef struct StorageContext StorageContext;
typedef struct StorageServer StorageServer;   /* a pooled rclone process (opaque) */

typedef struct StorageReadable {
    char location[STORAGE_PATH_MAX + 128];  /* path or URL for the media layer */
    char what[STORAGE_PATH_MAX + 64];       /* "distorted input s3://media/a.mkv", redacted */
    const char *via;                        /* "local", "http", "http-serve", "mount" */
    int64_t size;                           /* bytes the stream must have; -1 unknown */
    HashType hash_type;                     /* HASH_NONE when no hash is checked */
    char hash[65];                          /* lowercase hex */
    StorageServer *server;                  /* internal */
} StorageReadable;

int  storage_open(StorageContext **out, const StorageConfig *cfg, char *err, size_t n);
/* label: "reference", "distorted" (NULL: "input"); used in every message about it. */
int  storage_prepare(StorageContext *ctx, const char *uri, const char *label, StorageReadable *out,
                     char *err, size_t n);
/* Prepares count inputs in parallel; on failure none stays prepared and err names the first
 * input that failed. */
int  storage_prepare_many(StorageContext *ctx, size_t count, const char *const uris[],
                          const char *const labels[], StorageReadable out[], char *err, size_t n);
void storage_release(StorageContext *ctx, StorageReadable *r);
/* Releases r and stops its rclone process (serve or mount) at once unless another input is
 * reading through it: what a cancelled job does, so that it leaves no process of its own. */
void storage_release_stop_unused(StorageContext *ctx, StorageReadable *r);
void storage_cancel(StorageContext *ctx);
void storage_close(StorageContext *ctx);

/* For the media layer after it followed an HTTP redirect: the final URL must pass the same
 * allow-list and metadata-address checks as the input did. */
int  storage_check_url(const StorageConfig *cfg, const char *url, char *err, size_t n);
/* Sets up v to check r's bytes (size and hash as prepared). */
int  storage_integrity_init(IntegrityVerifier *v, const StorageReadable *r, char *err, size_t n);

/* Diagnostics for tests and benchmarks: the rclone process behind r (0 when none), and the
 * number of rclone processes the context holds. */
int  storage_readable_pid(const StorageReadable *r);
int  storage_process_count(StorageContext *ctx);

#endif
