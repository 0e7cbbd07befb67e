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
/* The settings, the URI table and the allow-list are storage_uri.h (the pure part); this
 * header adds what runs rclone. */
#ifndef VMAFX_STORAGE_STORAGE_H
#define VMAFX_STORAGE_STORAGE_H

#include <stddef.h>
#include <stdint.h>

#include "base/integrity.h"
#include "storage/storage_uri.h"

typedef struct StorageContext StorageContext;
typedef struct StorageServer StorageServer; /* a pooled rclone process (opaque) */

typedef struct StorageReadable {
    char location[STORAGE_PATH_MAX + 128]; /* path or URL for the media layer */
    char what[STORAGE_PATH_MAX + 64];      /* "distorted input s3://media/a.mkv", redacted */
    const char *via;                       /* "local", "http", "http-serve", "mount" */
    int64_t size;                          /* bytes the stream must have; -1 unknown */
    HashType hash_type;                    /* HASH_NONE when no hash is checked */
    char hash[65];                         /* lowercase hex */
    StorageServer *server;                 /* internal */
} StorageReadable;

int storage_open(StorageContext **out, const StorageConfig *cfg, char *err, size_t n);
/* label: "reference", "distorted" (NULL: "input"); used in every message about it. */
int storage_prepare(StorageContext *ctx, const char *uri, const char *label, StorageReadable *out, char *err,
                    size_t n);
/* Prepares count inputs in parallel; on failure none stays prepared and err names the first
 * input that failed. */
int storage_prepare_many(StorageContext *ctx, size_t count, const char *const uris[],
                         const char *const labels[], StorageReadable out[], char *err, size_t n);
void storage_release(StorageContext *ctx, StorageReadable *r);
/* Releases r and stops its rclone process (serve or mount) at once unless another input is
 * reading through it: what a cancelled job does, so that it leaves no process of its own. */
void storage_release_stop_unused(StorageContext *ctx, StorageReadable *r);
void storage_cancel(StorageContext *ctx);
void storage_close(StorageContext *ctx);
/* The rclone remotes inputs may name (rcconf_names): what a node reports to the controller. */
int storage_remote_names(StorageContext *ctx, char (*out)[128], int max);

/* Sets up v to check r's bytes (size and hash as prepared). */
int storage_integrity_init(IntegrityVerifier *v, const StorageReadable *r, char *err, size_t n);

/* Diagnostics for tests and benchmarks: the rclone process behind r (0 when none), and the
 * number of rclone processes the context holds. */
int storage_readable_pid(const StorageReadable *r);
int storage_process_count(StorageContext *ctx);

#endif
