#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "output.h"

static int write_all(int fd, const char *s, size_t n)
{
    while (n) {
        ssize_t k = write(fd, s, n);
        if (k < 0) {
            if (errno == EINTR) continue;
            return -1;
        }
        s += k;
        n -= (size_t)k;
    }
    return 0;
}

static int write_atomically(const char *path, const char *text, size_t len)
{
    size_t n = strlen(path) + 16;
    char *tmp = malloc(n);
    if (!tmp) return cli_error("out of memory");
    snprintf(tmp, n, "%s.XXXXXX", path);
    int fd = mkstemp(tmp);
    if (fd < 0) {
        cli_error("output %s: cannot create (%s)", path, strerror(errno));
        free(tmp);
        return -1;
    }
    int bad = write_all(fd, text, len) || fsync(fd);
    int saved = errno;
    bad |= close(fd) != 0;
    if (!bad && rename(tmp, path) == 0) {
        free(tmp);
        return 0;
    }
    cli_error("output %s: cannot write (%s)", path, strerror(bad ? saved : errno));
    unlink(tmp);
    free(tmp);
    return -1;
}

/* A device or a pipe (/dev/null, a FIFO) is written in place: renaming a temporary file over
 * it would replace it with a regular file (as root, /dev/null itself). */
static int write_special(const char *path, const char *text, size_t len)
{
    int fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0) return cli_error("output %s: cannot open (%s)", path, strerror(errno));
    int bad = write_all(fd, text, len);
    int saved = errno;
    bad |= close(fd) != 0;
    return bad ? cli_error("output %s: cannot write (%s)", path, strerror(saved)) : 0;
}

/* Regular files (and new paths) are replaced atomically; a symbolic link is followed so that
 * its target, not the link, gets the report. */
static int write_to_path(const char *path, const char *text, size_t len)
{
    struct stat st;
    if (stat(path, &st) == 0 && !S_ISREG(st.st_mode)) return write_special(path, text, len);
    char *target = realpath(path, NULL);   /* NULL for a new file: write it where named */
    int rc = write_atomically(target ? target : path, text, len);
    free(target);
    return rc;
}

int output_write_text(const char *text, size_t len, const char *path)
{
    if (strcmp(path, "-")) return write_to_path(path, text, len);
    return write_all(1, text, len) ? cli_error("standard output: write failed (%s)", strerror(errno)) : 0;
}

int output_write_report(const PipelineScore *sc, enum VmafxFormat fmt, const char *path)
{
    char *text = NULL, err[600];
    size_t len = 0;
    if (pipeline_report(sc, fmt, &text, &len, err, sizeof(err))) return cli_error("%s", err);
    int rc;
    if (!strcmp(path, "-")) {
        rc = write_all(1, text, len) ? cli_error("standard output: write failed (%s)", strerror(errno)) : 0;
    } else {
        rc = write_to_path(path, text, len);
    }
    free(text);
    return rc;
}
