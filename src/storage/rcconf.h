/* Which rclone.conf is used, and which remotes it defines (names and types only: nothing
 * else of the file is kept, so no credential is ever held or logged by vmafx). */
#ifndef VMAFX_STORAGE_RCCONF_H
#define VMAFX_STORAGE_RCCONF_H

#include <pthread.h>
#include <stddef.h>
#include <sys/types.h>
#include <time.h>

typedef struct RcRemote {
    char name[128];
    char type[64];
} RcRemote;

typedef struct RcloneConf {
    char path[4096]; /* "" when no file exists: rclone's defaults apply */
    int encrypted;   /* names cannot be read; rclone itself will judge */
    struct timespec mtime;
    off_t size;
    RcRemote *remotes;
    int n;
    pthread_mutex_t lock;
} RcloneConf;

/* Picks the file: configured path, else /etc/vmafx/rclone.conf, else rclone's default
 * locations ($RCLONE_CONFIG, $XDG_CONFIG_HOME/rclone, ~/.config/rclone, ~/.rclone.conf). */
int rcconf_open(RcloneConf *c, const char *configured, char *err, size_t n);
/* Type of remote `name` ("s3", "sftp", ...): 0 found, -ENOENT not defined, 1 unknown (an
 * encrypted config). Re-reads the file when it changed, so a running node sees new remotes. */
int rcconf_type(RcloneConf *c, const char *name, char *type, size_t tn);
void rcconf_close(RcloneConf *c);
/* The remotes it defines by name (the file's sections, then rclone's RCLONE_CONFIG_<NAME>_TYPE
 * variables, named in lower case), up to max: the count, or -1 when it cannot tell (an
 * encrypted config). */
int rcconf_names(RcloneConf *c, char (*out)[128], int max);

#endif
