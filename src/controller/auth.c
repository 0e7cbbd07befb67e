/* Token file loading and request authorisation (see auth.h). */
#include <errno.h>
#include <nettle/sha2.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>

#include "auth.h"
#include "base/mono.h"

typedef struct Token {
    unsigned char digest[SHA256_DIGEST_SIZE];
    unsigned perms;
    int bound; /* a node token given a name: it acts as that node only */
    char name[AUTH_NAME_MAX];
} Token;

typedef struct TokenSet {
    Token *t;
    size_t n;
} TokenSet;

struct Auth {
    char *path;
    Log log;
    pthread_rwlock_t lock; /* guards set */
    TokenSet set;
    struct timespec mtime;
    off_t size;
    ino_t ino;
    pthread_mutex_t check_lock; /* one reload check at a time */
    double last_check;
};

static void digest(const char *tok, size_t len, unsigned char out[SHA256_DIGEST_SIZE])
{
    struct sha256_ctx c;
    sha256_init(&c);
    sha256_update(&c, len, (const uint8_t *)tok);
    sha256_digest(&c, SHA256_DIGEST_SIZE, out);
}

static int role_perms(const char *role)
{
    static const struct {
        const char *name;
        unsigned perms;
    } roles[] = {
        { "reader", PERM_READ },
        { "writer", PERM_READ | PERM_WRITE },
        { "admin", PERM_READ | PERM_WRITE | PERM_NODE },
        { "node", PERM_NODE },
    };
    for (size_t i = 0; i < sizeof(roles) / sizeof(roles[0]); i++)
        if (!strcmp(role, roles[i].name)) return (int)roles[i].perms;
    return -1;
}

/* One line: 0 (token added or nothing on it) or -1 with a message naming the line. */
static int parse_line(char *line, unsigned lineno, TokenSet *set, size_t cap, char *err, size_t n)
{
    char *hash = strchr(line, '#');
    if (hash) *hash = 0;
    char *save = NULL, *tok = strtok_r(line, " \t\r\n", &save);
    if (!tok) return 0;
    char *role = strtok_r(NULL, " \t\r\n", &save), *name = strtok_r(NULL, " \t\r\n", &save);
    int perms = role ? role_perms(role) : -1;
    if (perms < 0) {
        snprintf(err, n, "line %u: role must be reader, writer, admin or node", lineno);
        return -1;
    }
    if (strlen(tok) < AUTH_MIN_TOKEN) {
        snprintf(err, n, "line %u: token shorter than %d characters", lineno, AUTH_MIN_TOKEN);
        return -1;
    }
    if (set->n == cap) {
        snprintf(err, n, "line %u: too many tokens", lineno);
        return -1;
    }
    Token *t = &set->t[set->n++];
    digest(tok, strlen(tok), t->digest);
    t->perms = (unsigned)perms;
    if (name) snprintf(t->name, sizeof(t->name), "%s", name);
    else snprintf(t->name, sizeof(t->name), "%s@line%u", role, lineno);
    t->bound = name && !strcmp(role, "node");
    return 0;
}

static int load(const char *path, TokenSet *set, struct stat *stbuf, char *err, size_t n)
{
    enum { CAP = 4096 };
    FILE *f = fopen(path, "r");
    if (!f || fstat(fileno(f), stbuf)) {
        snprintf(err, n, "token file %s: %s", path, strerror(errno));
        if (f) fclose(f);
        return -1;
    }
    set->n = 0;
    set->t = calloc(CAP, sizeof(*set->t));
    char line[8192], why[200];
    unsigned lineno = 0;
    int r = set->t ? 0 : -1;
    while (!r && fgets(line, sizeof(line), f)) r = parse_line(line, ++lineno, set, CAP, why, sizeof(why));
    fclose(f);
    if (!r && !set->n) snprintf(why, sizeof(why), "no tokens"), r = -1;
    if (r) {
        snprintf(err, n, "token file %s: %s", path, set->t ? why : "out of memory");
        free(set->t);
        set->t = NULL;
        return -1;
    }
    return 0;
}

static void remember_identity(Auth *a, const struct stat *st)
{
    a->mtime = st->st_mtim;
    a->size = st->st_size;
    a->ino = st->st_ino;
}

int auth_open(Auth **out, const char *path, const Log *log, char *err, size_t n)
{
    Auth *a = calloc(1, sizeof(*a));
    if (!a) return -ENOMEM;
    pthread_rwlock_init(&a->lock, NULL);
    pthread_mutex_init(&a->check_lock, NULL);
    if (log) a->log = *log;
    *out = a;
    if (!path || !*path) return 0;
    struct stat st;
    if (!(a->path = strdup(path)) || load(path, &a->set, &st, err, n)) {
        auth_close(a);
        *out = NULL;
        return -EINVAL;
    }
    remember_identity(a, &st);
    a->last_check = mono_now();
    return 0;
}

void auth_close(Auth *a)
{
    if (!a) return;
    free(a->set.t);
    free(a->path);
    pthread_rwlock_destroy(&a->lock);
    pthread_mutex_destroy(&a->check_lock);
    free(a);
}

int auth_enabled(const Auth *a)
{
    return a->path != NULL;
}

static int changed(const Auth *a, const struct stat *st)
{
    return st->st_mtim.tv_sec != a->mtime.tv_sec || st->st_mtim.tv_nsec != a->mtime.tv_nsec ||
           st->st_size != a->size || st->st_ino != a->ino;
}

static void reload(Auth *a, struct stat *st)
{
    TokenSet fresh;
    char err[400];
    int bad = load(a->path, &fresh, st, err, sizeof(err));
    pthread_rwlock_wrlock(&a->lock);
    if (!bad) {
        free(a->set.t);
        a->set = fresh;
    }
    remember_identity(a, st); /* a broken file is not retried on every request */
    pthread_rwlock_unlock(&a->lock);
    if (bad) log_msg(&a->log, VLOG_ERROR, "auth", "%s; keeping the previous tokens", err);
    else log_msg(&a->log, VLOG_INFO, "auth", "token file %s reloaded: %zu tokens", a->path, fresh.n);
}

/* Kubernetes updates a mounted Secret by swapping a symlink, so stat() (which follows it)
 * sees a new inode and mtime. The identity fields are only written with check_lock held. */
static void maybe_reload(Auth *a)
{
    pthread_mutex_lock(&a->check_lock);
    double now = mono_now();
    int due = now - a->last_check >= 1.0;
    struct stat st;
    if (due) a->last_check = now;
    if (due && !stat(a->path, &st) && changed(a, &st)) reload(a, &st);
    pthread_mutex_unlock(&a->check_lock);
}

/* Index of the token with this digest, or -1; looks at every token and every byte so the
 * time taken says nothing about how close a guess was. */
static long find(const TokenSet *set, const unsigned char d[SHA256_DIGEST_SIZE])
{
    long found = -1;
    for (size_t i = 0; i < set->n; i++) {
        unsigned diff = 0;
        for (size_t k = 0; k < SHA256_DIGEST_SIZE; k++) diff |= set->t[i].digest[k] ^ d[k];
        long is = (long)((diff - 1) >> 8 & 1); /* 1 when diff == 0, without a branch */
        found = is ? (long)i : found;
    }
    return found;
}

static const char *bearer(const char *h)
{
    if (!h || strncasecmp(h, "Bearer ", 7)) return NULL;
    h += 7;
    while (*h == ' ') h++;
    return *h ? h : NULL;
}

int auth_token_given(const char *authorization)
{
    return bearer(authorization) != NULL;
}

/* A NUL would cut the value short of what was sent, and no token holds a control
 * character: both are refused rather than read as something else. */
static int has_control(const char *h, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (((unsigned char)h[i] < 0x20 && h[i] != '\t') || h[i] == 0x7f) return 1;
    return 0;
}

/* "name" or "prefix*" against the node a call is made for. */
static int node_matches(const char *pattern, const char *node)
{
    size_t len = strlen(pattern);
    if (len && pattern[len - 1] == '*') return !strncmp(pattern, node, len - 1);
    return !strcmp(pattern, node);
}

int auth_check(Auth *a, const char *authorization, size_t len, Permission need, const char *node, char *who,
               size_t n)
{
    if (authorization && has_control(authorization, len)) return 400;
    if (!a->path) {
        snprintf(who, n, "anonymous");
        return 0;
    }
    const char *tok = bearer(authorization);
    if (!tok) return 401;
    maybe_reload(a);
    unsigned char d[SHA256_DIGEST_SIZE];
    size_t toklen = strlen(tok);
    while (toklen && (tok[toklen - 1] == ' ' || tok[toklen - 1] == '\t')) toklen--; /* optional whitespace */
    digest(tok, toklen, d);
    pthread_rwlock_rdlock(&a->lock);
    long i = find(&a->set, d);
    int r = i < 0 ? 401 : (a->set.t[i].perms & need) ? 0 : 403;
    if (!r && node && a->set.t[i].bound && !node_matches(a->set.t[i].name, node)) r = 403;
    if (i >= 0) snprintf(who, n, "%s", a->set.t[i].name);
    pthread_rwlock_unlock(&a->lock);
    return r;
}
