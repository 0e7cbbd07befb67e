/* rclone.conf location and its remote names/types (see rcconf.h). */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/str.h"
#include "storage/rcconf.h"

static int exists(const char *p)
{
    struct stat st;
    return p && *p && !stat(p, &st);
}

static void default_path(char *out, size_t n)
{
    const char *env = getenv("RCLONE_CONFIG"), *xdg = getenv("XDG_CONFIG_HOME"), *home = getenv("HOME");
    char cand[3][4096] = { "", "", "" };
    if (xdg && *xdg) snprintf(cand[0], sizeof(cand[0]), "%s/rclone/rclone.conf", xdg);
    if (home && *home) {
        snprintf(cand[1], sizeof(cand[1]), "%s/.config/rclone/rclone.conf", home);
        snprintf(cand[2], sizeof(cand[2]), "%s/.rclone.conf", home);
    }
    out[0] = 0;
    if (exists(env)) {
        str_copy(out, n, env);
        return;
    }
    for (int i = 0; i < 3; i++)
        if (exists(cand[i])) {
            str_copy(out, n, cand[i]);
            return;
        }
}

static char *trim(char *s)
{
    while (isspace((unsigned char)*s)) s++;
    char *e = s + strlen(s);
    while (e > s && isspace((unsigned char)e[-1])) *--e = 0;
    return s;
}

static int add_section(RcloneConf *c, const char *name)
{
    RcRemote *r = realloc(c->remotes, (size_t)(c->n + 1) * sizeof(*r));
    if (!r) return -ENOMEM;
    c->remotes = r;
    memset(&r[c->n], 0, sizeof(*r));
    snprintf(r[c->n].name, sizeof(r->name), "%s", name);
    c->n++;
    return 0;
}

/* Reads [section] names and their "type = ..." lines; every other line is skipped unread. */
static int parse(RcloneConf *c, FILE *f)
{
    char line[8192];
    c->n = 0;
    c->encrypted = 0;
    while (fgets(line, sizeof(line), f)) {
        char *s = trim(line);
        if (!strncmp(s, "# Encrypted rclone configuration File", 37)) {
            c->encrypted = 1;
            return 0;
        }
        if (*s == '[' && s[strlen(s) - 1] == ']') {
            s[strlen(s) - 1] = 0;
            if (add_section(c, trim(s + 1))) return -ENOMEM;
        } else if (c->n && strchr(s, '=')) {
            char *eq = strchr(s, '=');
            *eq = 0;
            if (!strcmp(trim(s), "type"))
                snprintf(c->remotes[c->n - 1].type, sizeof(c->remotes->type), "%s", trim(eq + 1));
        }
    }
    return 0;
}

static int reload(RcloneConf *c)
{
    struct stat st;
    if (!c->path[0]) return 0;
    if (stat(c->path, &st)) return -errno;
    if (st.st_mtim.tv_sec == c->mtime.tv_sec && st.st_mtim.tv_nsec == c->mtime.tv_nsec &&
        st.st_size == c->size)
        return 0;
    FILE *f = fopen(c->path, "r");
    if (!f) return -errno;
    int r = parse(c, f);
    fclose(f);
    c->mtime = st.st_mtim;
    c->size = st.st_size;
    return r;
}

int rcconf_open(RcloneConf *c, const char *configured, char *err, size_t n)
{
    memset(c, 0, sizeof(*c));
    pthread_mutex_init(&c->lock, NULL);
    if (configured && *configured) {
        if (!exists(configured)) {
            snprintf(err, n, "rclone config %s: %s", configured, strerror(errno));
            return -ENOENT;
        }
        snprintf(c->path, sizeof(c->path), "%s", configured);
    } else if (exists("/etc/vmafx/rclone.conf")) {
        snprintf(c->path, sizeof(c->path), "/etc/vmafx/rclone.conf");
    } else {
        default_path(c->path, sizeof(c->path));
    }
    int r = reload(c);
    if (r) snprintf(err, n, "rclone config %s: %s", c->path, strerror(-r));
    return r;
}

/* rclone also takes remotes from RCLONE_CONFIG_<NAME>_TYPE. */
static int env_type(const char *name, char *type, size_t tn)
{
    char var[200] = "RCLONE_CONFIG_";
    size_t o = strlen(var);
    for (const char *p = name; *p && o + 6 < sizeof(var); p++)
        var[o++] = *p == '-' ? '_' : (char)toupper((unsigned char)*p);
    snprintf(var + o, sizeof(var) - o, "_TYPE");
    const char *v = getenv(var);
    if (!v || !*v) return -ENOENT;
    snprintf(type, tn, "%s", v);
    return 0;
}

int rcconf_type(RcloneConf *c, const char *name, char *type, size_t tn)
{
    if (!env_type(name, type, tn)) return 0;
    pthread_mutex_lock(&c->lock);
    int r = reload(c) ? -ENOENT : c->encrypted ? 1 : -ENOENT;
    for (int i = 0; r == -ENOENT && i < c->n; i++)
        if (!strcmp(c->remotes[i].name, name)) {
            snprintf(type, tn, "%s", c->remotes[i].type);
            r = 0;
        }
    pthread_mutex_unlock(&c->lock);
    return r;
}

void rcconf_close(RcloneConf *c)
{
    free(c->remotes);
    c->remotes = NULL;
    pthread_mutex_destroy(&c->lock);
}

extern char **environ;

/* RCLONE_CONFIG_MY_S3_TYPE=s3 defines a remote rclone finds as my_s3 (and, spelled with '-'
 * for '_', my-s3): both are listed. */
static int env_names(char (*out)[128], int n, int max)
{
    static const char pre[] = "RCLONE_CONFIG_", post[] = "_TYPE=";
    for (char **e = environ; e && *e && n < max; e++) {
        const char *end = strstr(*e, post);
        if (strncmp(*e, pre, sizeof(pre) - 1) || !end || end <= *e + sizeof(pre) - 1) continue;
        int len = (int)(end - *e - (int)(sizeof(pre) - 1));
        if (len >= 128) continue;
        for (int i = 0; i < len; i++) out[n][i] = (char)tolower((unsigned char)(*e)[sizeof(pre) - 1 + i]);
        out[n][len] = 0;
        if (strchr(out[n], '_') && n + 1 < max) {
            memcpy(out[n + 1], out[n], (size_t)len + 1);
            for (char *p = out[n + 1]; *p; p++) *p = *p == '_' ? '-' : *p;
            n++;
        }
        n++;
    }
    return n;
}

int rcconf_names(RcloneConf *c, char (*out)[128], int max)
{
    pthread_mutex_lock(&c->lock);
    int r = reload(c), n = 0;
    if (!r && c->encrypted) n = -1;
    for (int i = 0; n >= 0 && i < c->n && n < max; i++) snprintf(out[n++], 128, "%s", c->remotes[i].name);
    pthread_mutex_unlock(&c->lock);
    return n < 0 ? n : env_names(out, n, max);
}
