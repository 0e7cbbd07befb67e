/* Storage settings: one table (flag, environment variable, default, help) and the parsing
 * of each value into StorageConfig. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "storage/storage_uri.h"

enum {
    S_MODE,
    S_VERIFY,
    S_RCLONE,
    S_CONFIG,
    S_MOUNT_ROOT,
    S_SERVE_TO,
    S_MOUNT_TO,
    S_CHECK_TO,
    S_IDLE_TO,
    S_MAX_PROCS,
    S_REMOTES,
    S_ALLOW,
    S_CONNSTR,
    S_COUNT
};

static const StorageSetting settings[S_COUNT] = {
    [S_MODE] = { "storage-mode", "VMAFX_STORAGE_MODE", "http-serve", "MODE",
                 "how remote inputs are read: http-serve (rclone serve http), mount (rclone mount, "
                 "needs FUSE) or auto (http-serve, falling back to mount)" },
    [S_VERIFY] = { "storage-verify", "VMAFX_STORAGE_VERIFY", "auto", "LEVEL",
                   "integrity check of remote inputs while they stream: off, size, auto (size, and "
                   "MD5 where the backend stores one) or full (MD5 even where rclone must compute it)" },
    [S_RCLONE] = { "rclone", "VMAFX_RCLONE", "rclone", "PATH", "the rclone program" },
    [S_CONFIG] = { "rclone-config", "VMAFX_RCLONE_CONFIG", NULL, "PATH",
                   "rclone.conf with the remotes and their credentials (default: "
                   "/etc/vmafx/rclone.conf if it exists, else rclone's own default)" },
    [S_MOUNT_ROOT] = { "mount-root", "VMAFX_MOUNT_ROOT", NULL, "DIR",
                       "where mount mode creates its mount points (default: a private temp dir)" },
    [S_SERVE_TO] = { "serve-timeout", "VMAFX_SERVE_TIMEOUT", "15", "SECONDS",
                     "how long rclone serve http may take to become ready" },
    [S_MOUNT_TO] = { "mount-timeout", "VMAFX_MOUNT_TIMEOUT", "20", "SECONDS",
                     "how long rclone mount may take until the input is visible" },
    [S_CHECK_TO] = { "storage-check-timeout", "VMAFX_STORAGE_CHECK_TIMEOUT", "4", "SECONDS",
                     "how long the check of an input (exists, size, hash) may take" },
    [S_IDLE_TO] = { "storage-idle-timeout", "VMAFX_STORAGE_IDLE_TIMEOUT", "60", "SECONDS",
                    "warm rclone processes unused for this long are stopped" },
    [S_MAX_PROCS] = { "storage-max-procs", "VMAFX_STORAGE_MAX_PROCS", "16", "N",
                      "most rclone processes kept at once" },
    [S_REMOTES] = { "storage-remotes", "VMAFX_STORAGE_REMOTES", NULL, "SCHEME=REMOTE,...",
                    "rclone remote used for each URI scheme (default: the scheme's own name, "
                    "e.g. s3:// uses [s3]), e.g. s3=s3-prod,sftp=backup" },
    [S_ALLOW] = { "storage-allow", "VMAFX_STORAGE_ALLOW", NULL, "ROOT,...",
                  "only score inputs under these roots: local directories, URL prefixes, "
                  "remote:path prefixes or URIs (default: any)" },
    [S_CONNSTR] = { "storage-connection-strings", "VMAFX_STORAGE_CONNECTION_STRINGS", "refuse",
                    "refuse|allow",
                    "whether an input may define its own rclone remote: an on-the-fly backend "
                    "(:backend,param=value:path) or parameters on a configured remote "
                    "(remote,param=value:path). Even when allowed, every URL and host parameter "
                    "must pass the metadata-address and allow-list checks" },
};

const StorageSetting *storage_settings(size_t *count)
{
    *count = S_COUNT;
    return settings;
}

static int parse_seconds(const char *v, int *ms, const char *name, char *err, size_t n)
{
    char *end;
    double s = strtod(v, &end);
    if (end == v || *end || s < 0 || s > 86400) {
        snprintf(err, n, "%s: not a number of seconds: %s", name, v);
        return -EINVAL;
    }
    *ms = (int)(s * 1000 + 0.5);
    return 0;
}

static int parse_mode(StorageConfig *c, const char *v, char *err, size_t n)
{
    static const char *names[] = { "http-serve", "mount", "auto" };
    for (int i = 0; i < 3; i++)
        if (!strcmp(v, names[i])) {
            c->mode = (StorageMode)i;
            return 0;
        }
    snprintf(err, n, "unknown storage mode '%s' (expected http-serve, mount or auto)", v);
    return -EINVAL;
}

static int parse_verify(StorageConfig *c, const char *v, char *err, size_t n)
{
    static const char *names[] = { "off", "size", "auto", "full" };
    for (int i = 0; i < 4; i++)
        if (!strcmp(v, names[i])) {
            c->verify = (StorageVerify)i;
            return 0;
        }
    snprintf(err, n, "unknown storage verify level '%s' (expected off, size, auto or full)", v);
    return -EINVAL;
}

static int parse_connstr(StorageConfig *c, const char *v, char *err, size_t n)
{
    if (!strcmp(v, "refuse") || !strcmp(v, "allow")) {
        c->connection_strings = !strcmp(v, "allow");
        return 0;
    }
    snprintf(err, n, "storage connection strings: expected refuse or allow, got '%s'", v);
    return -EINVAL;
}

static int copy_path(char *dst, const char *v, const char *name, char *err, size_t n)
{
    if (strlen(v) >= STORAGE_PATH_MAX) {
        snprintf(err, n, "%s: too long", name);
        return -EINVAL;
    }
    strcpy(dst, v);
    return 0;
}

static int parse_remotes(StorageConfig *c, const char *v, char *err, size_t n)
{
    c->n_remotes = 0;
    for (const char *p = v; *p;) {
        size_t len = strcspn(p, ","), eq = strcspn(p, "=");
        if (eq >= len || eq == 0 || eq >= sizeof(c->remotes[0].scheme) || len - eq - 1 == 0 ||
            len - eq - 1 >= sizeof(c->remotes[0].remote) || c->n_remotes == STORAGE_MAX_SCHEMES) {
            snprintf(err, n, "storage remotes: expected SCHEME=REMOTE,... in '%s'", v);
            return -EINVAL;
        }
        snprintf(c->remotes[c->n_remotes].scheme, sizeof(c->remotes[0].scheme), "%.*s", (int)eq, p);
        snprintf(c->remotes[c->n_remotes].remote, sizeof(c->remotes[0].remote), "%.*s", (int)(len - eq - 1),
                 p + eq + 1);
        c->n_remotes++;
        p += len + (p[len] == ',');
    }
    return 0;
}

static int parse_allow(StorageConfig *c, const char *v, char *err, size_t n)
{
    c->n_allow = 0;
    for (const char *p = v; *p;) {
        size_t len = strcspn(p, ",");
        if (len >= sizeof(c->allow[0]) || c->n_allow == STORAGE_MAX_ALLOW) {
            snprintf(err, n, "storage allow-list: at most %d roots of under %zu characters",
                     STORAGE_MAX_ALLOW, sizeof(c->allow[0]));
            return -EINVAL;
        }
        if (len) snprintf(c->allow[c->n_allow++], sizeof(c->allow[0]), "%.*s", (int)len, p);
        p += len + (p[len] == ',');
    }
    return 0;
}

static int apply(StorageConfig *c, int id, const char *v, char *err, size_t n)
{
    const char *name = settings[id].flag;
    int procs;
    switch (id) {
    case S_MODE: return parse_mode(c, v, err, n);
    case S_VERIFY: return parse_verify(c, v, err, n);
    case S_RCLONE: return copy_path(c->rclone, v, name, err, n);
    case S_CONFIG: return copy_path(c->rclone_config, v, name, err, n);
    case S_MOUNT_ROOT: return copy_path(c->mount_root, v, name, err, n);
    case S_SERVE_TO: return parse_seconds(v, &c->serve_timeout_ms, name, err, n);
    case S_MOUNT_TO: return parse_seconds(v, &c->mount_timeout_ms, name, err, n);
    case S_CHECK_TO: return parse_seconds(v, &c->check_timeout_ms, name, err, n);
    case S_IDLE_TO: return parse_seconds(v, &c->idle_timeout_ms, name, err, n);
    case S_MAX_PROCS:
        procs = atoi(v);
        if (procs < 1 || procs > 1024) {
            snprintf(err, n, "%s: expected 1..1024, got %s", name, v);
            return -EINVAL;
        }
        c->max_procs = procs;
        return 0;
    case S_REMOTES: return parse_remotes(c, v, err, n);
    case S_CONNSTR: return parse_connstr(c, v, err, n);
    default: return parse_allow(c, v, err, n);
    }
}

void storage_config_defaults(StorageConfig *c)
{
    char err[64];
    memset(c, 0, sizeof(*c));
    c->grace_ms = 3000;
    for (int i = 0; i < S_COUNT; i++)
        if (settings[i].def) apply(c, i, settings[i].def, err, sizeof(err));
}

int storage_config_set(StorageConfig *c, const char *name, const char *value, char *err, size_t n)
{
    for (int i = 0; i < S_COUNT; i++)
        if (!strcmp(name, settings[i].flag) || !strcmp(name, settings[i].env))
            return apply(c, i, value ? value : "", err, n);
    snprintf(err, n, "unknown storage setting '%s'", name);
    return -EINVAL;
}

int storage_config_from_env(StorageConfig *c, char *err, size_t n)
{
    for (int i = 0; i < S_COUNT; i++) {
        const char *v = getenv(settings[i].env);
        if (v && *v) {
            int r = apply(c, i, v, err, n);
            if (r) return r;
        }
    }
    return 0;
}
