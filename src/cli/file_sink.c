/* Side files of extractors (CAMBI heat maps) on the local file system. Every call opens the
 * file anew and writes with pwrite at its offset, so scoring threads never share a file
 * position. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "file_sink.h"

/* mkdir -p */
static int make_dirs(const char *dir)
{
    char buf[PATH_MAX];
    if (snprintf(buf, sizeof(buf), "%s", dir) >= (int)sizeof(buf)) return -ENAMETOOLONG;
    for (char *p = buf + 1;; p++) {
        if (*p && *p != '/') continue;
        char c = *p;
        *p = 0;
        if (mkdir(buf, 0770) && errno != EEXIST) return -errno;
        if (!c) return 0;
        *p = c;
    }
}

static int open_file(const char *dir, const char *name, int flags)
{
    char path[PATH_MAX];
    if (snprintf(path, sizeof(path), "%s/%s", dir, name) >= (int)sizeof(path)) return -ENAMETOOLONG;
    int fd = open(path, flags | O_CLOEXEC, 0666);
    return fd < 0 ? -errno : fd;
}

static int create(void *user, const char *dir, const char *name)
{
    (void)user;
    int err = make_dirs(dir);
    if (err) return err;
    int fd = open_file(dir, name, O_WRONLY | O_CREAT | O_TRUNC);
    if (fd < 0) return fd;
    close(fd);
    return 0;
}

static int write_at(void *user, const char *dir, const char *name, uint64_t offset, const void *data,
                    size_t len)
{
    (void)user;
    int fd = open_file(dir, name, O_WRONLY);
    if (fd < 0) return fd;
    const char *p = data;
    int err = 0;
    while (len && !err) {
        ssize_t n = pwrite(fd, p, len, (off_t)offset);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            err = n < 0 ? -errno : -EIO;
            break;
        }
        p += n;
        len -= (size_t)n;
        offset += (uint64_t)n;
    }
    if (close(fd) && !err) err = -errno;
    return err;
}

const VmafxFileSink *cli_file_sink(void)
{
    static const VmafxFileSink sink = { create, write_at, NULL };
    return &sink;
}
