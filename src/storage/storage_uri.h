/* Storage's pure part: the settings (StorageConfig and its table), the URI table of
 * docs/storage.md (parsing and mapping to rclone's remote:path) and the scoring-root
 * allow-list. No processes, no I/O beyond realpath/DNS for the allow-list: what the
 * controller needs to validate a submitted input, and all it may depend on of storage.
 * storage.h (rclone processes, prepare/release) builds on it. */
#ifndef VMAFX_STORAGE_STORAGE_URI_H
#define VMAFX_STORAGE_STORAGE_URI_H

#include <limits.h>
#include <stddef.h>

#include "base/log.h"

#define STORAGE_PATH_MAX 4096
#define STORAGE_MAX_ALLOW 16
#define STORAGE_MAX_SCHEMES 8

typedef enum { STORAGE_MODE_HTTP_SERVE, STORAGE_MODE_MOUNT, STORAGE_MODE_AUTO } StorageMode;

/* How much of each object is checked while it streams (see docs/storage.md). */
typedef enum {
    STORAGE_VERIFY_OFF,  /* nothing (the byte count still ends at the size rclone reports) */
    STORAGE_VERIFY_SIZE, /* byte count against the object's size */
    STORAGE_VERIFY_AUTO, /* size, plus MD5 where the backend stores one (s3, azureblob, gcs) */
    STORAGE_VERIFY_FULL  /* size, plus MD5 from any backend that can give one, even when
                              rclone must read the whole object to compute it (local, sftp) */
} StorageVerify;

typedef struct StorageConfig {
    StorageMode mode;
    StorageVerify verify;
    char rclone[STORAGE_PATH_MAX];        /* rclone binary (PATH is searched) */
    char rclone_config[STORAGE_PATH_MAX]; /* "" -> /etc/vmafx/rclone.conf if present, else
                                              rclone's default location */
    char mount_root[STORAGE_PATH_MAX];    /* "" -> a private temp directory */
    int serve_timeout_ms;                 /* rclone serve http must answer within this */
    int mount_timeout_ms;                 /* rclone mount must show the object within this */
    int check_timeout_ms;                 /* the object check (exists, size, hash) must answer within this */
    int idle_timeout_ms;                  /* warm processes nobody uses are stopped after this */
    int grace_ms;                         /* SIGTERM -> SIGKILL */
    int max_procs;                        /* cap on rclone processes kept by one context */
    struct {
        char scheme[16];
        char remote[64];
    } remotes[STORAGE_MAX_SCHEMES]; /* s3 -> "s3" */
    int n_remotes;
    char allow[STORAGE_MAX_ALLOW][1024]; /* scoring roots; none: every input is allowed */
    int n_allow;
    int connection_strings; /* 1: inputs may define remotes (":backend,...:", "remote,p=v:") */
    Log log;
} StorageConfig;

/* One setting as the CLI / node tables need it: flag name, environment variable, default,
 * help. storage_config_set() takes either the flag name or the variable. */
typedef struct StorageSetting {
    const char *flag, *env, *def, *metavar, *help;
} StorageSetting;

const StorageSetting *storage_settings(size_t *count);
void storage_config_defaults(StorageConfig *cfg);
int storage_config_set(StorageConfig *cfg, const char *name, const char *value, char *err, size_t n);
/* Applies every VMAFX_* storage variable that is set. */
int storage_config_from_env(StorageConfig *cfg, char *err, size_t n);

typedef enum { STORAGE_LOCAL, STORAGE_HTTP, STORAGE_REMOTE } StorageKind;

/* A parsed input. For STORAGE_REMOTE, rclone addresses it as remote:path, served from the
 * remote root (the remote plus the first path element: the bucket, container or top dir). */
typedef struct StorageTarget {
    StorageKind kind;
    char location[STORAGE_PATH_MAX]; /* local path, URL, or "remote:path" */
    char remote[512];                /* "s3", "sftp,host=h,user=u,port=22", ":local" */
    char config_name[128];           /* the [section] the remote needs; "" for ":backend" */
    char path[STORAGE_PATH_MAX];     /* decoded path on the remote: "bucket/dir/a.yuv" */
    char root[STORAGE_PATH_MAX];     /* "s3:bucket" */
    char rel[STORAGE_PATH_MAX];      /* "dir/a.yuv", relative to root */
} StorageTarget;

/* The URI table of docs/storage.md; syntax, traversal and escaping checks only (no I/O). */
int storage_parse_uri(const char *uri, const StorageConfig *cfg, StorageTarget *out, char *err, size_t n);

/* For the media layer after it followed an HTTP redirect: the final URL must pass the same
 * allow-list and metadata-address checks as the input did. */
int storage_check_url(const StorageConfig *cfg, const char *url, char *err, size_t n);

/* The allow-list and metadata-address check of a parsed input (allowlist.c). real: the
 * realpath of a local target (ignored for others); what: the input's name for the message.
 * 0, or -EPERM with the reason. */
int storage_allow_check(const StorageConfig *cfg, const StorageTarget *t, const char *real, const char *what,
                        char *err, size_t n);
int storage_allow_check_url(const StorageConfig *cfg, const char *url, const char *what, char *err, size_t n);
/* A local input: refused when it lies outside every root, judged first by its spelling
 * (before the file system is touched, so a missing and an existing file outside get the
 * same answer), then by where it really leads (realpath). 0 with real set, -EPERM, or the
 * error of resolving it ("file not found"). Without an allow-list, only resolves. */
/* For other outgoing requests (the controller's webhooks), the same URL reading as above:
 * the host of "scheme://[user@]host[:port]/..." (0, or -1 when the authority is malformed),
 * and whether url lies under an allow-list prefix (scheme and host compared without case,
 * the path on a segment boundary). */
int storage_url_host(const char *url, char *host, size_t n);
int storage_url_under(const char *url, const char *prefix);
/* Address classes an outgoing request may not reach unless allowed explicitly. */
#define STORAGE_ADDR_METADATA 1u /* link-local and cloud metadata addresses */
#define STORAGE_ADDR_LOOPBACK 2u /* 127.0.0.0/8, ::1, and the unspecified 0.0.0.0/8 and :: */
/* Resolves host (a literal in any spelling inet_aton takes, or a name) and checks every
 * address it has: -EPERM with the reason when one is in a class of refuse, -EHOSTUNREACH when
 * it does not resolve, else 0 with the first address in numeric form (connect to that one,
 * so that a second lookup cannot lead elsewhere). */
int storage_resolve_checked(const char *host, unsigned refuse, char *addr, size_t an, char *why, size_t wn);
int storage_allow_resolve_local(const StorageConfig *cfg, const char *path, char real[PATH_MAX],
                                const char *what, char *err, size_t n);

#endif
