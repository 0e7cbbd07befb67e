/* Command line and environment of an rclone serve http / mount child (see rclone_cmd.c). */
#ifndef VMAFX_STORAGE_RCLONE_CMD_H
#define VMAFX_STORAGE_RCLONE_CMD_H

#include <limits.h>
#include <stddef.h>

#include "storage/storage_impl.h"

#define RCLONE_MAX_ARGV 48

typedef struct RcloneCmd {
    char *argv[RCLONE_MAX_ARGV];
    int n_argv;
    char **envp; /* malloc'd; entries point into environ or owned[] */
    int n_env, cap_env;
    char *owned[4];
    int n_owned;
    char addr[32];
    char cache_dir[PATH_MAX + 16];
} RcloneCmd;

int rclone_cmd_build(RcloneCmd *c, const StorageContext *ctx, const StorageServer *s, const char *rc_pass);
void rclone_cmd_free(RcloneCmd *c);
/* bytes random bytes as lowercase hex into out (2 * bytes + 1 chars). */
int storage_random_hex(char *out, size_t bytes);

#endif
