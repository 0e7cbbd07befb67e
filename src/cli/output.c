#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
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

/* What open(path, O_CREAT, 0666) would give a new file: the umask, read by setting it back
 * at once (the scoring threads are done when a report is written; nothing else creates files
 * meanwhile). */
static mode_t new_file_mode(const char *path)
{
    struct stat st;
    if (!stat(path, &st) && S_ISREG(st.st_mode)) return st.st_mode & 07777;
    mode_t mask = umask(022);
    umask(mask);
    return 0666 & ~mask;
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
    int bad = fchmod(fd, new_file_mode(path)) || write_all(fd, text, len) || fsync(fd); /* mkstemp: 0600 */
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
    char *target = realpath(path, NULL); /* NULL for a new file: write it where named */
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

/* The folder a file at path lands in (a symbolic link's target's); malloc'ed. */
static char *folder_of(const char *path)
{
    char *target = realpath(path, NULL);
    const char *p = target ? target : path;
    const char *slash = strrchr(p, '/');
    char *dir = slash == p ? strdup("/") : slash ? strndup(p, (size_t)(slash - p)) : strdup(".");
    free(target);
    return dir;
}

int output_check(const char *path)
{
    struct stat st;
    if (!strcmp(path, "-")) return 0;
    if (!stat(path, &st) && S_ISDIR(st.st_mode)) return cli_error("output %s: is a folder", path);
    if (!stat(path, &st) && !S_ISREG(st.st_mode)) return 0; /* a device or a pipe: opened when written */
    char *dir = folder_of(path);
    if (!dir) return cli_error("out of memory");
    int rc = 0;
    if (access(dir, W_OK | X_OK))
        rc = cli_error("output %s: cannot write in folder %s (%s)", path, dir, strerror(errno));
    free(dir);
    return rc;
}

int output_format(int xml, int json, int csv, int sub, const char *path, enum VmafxFormat *out)
{
    return output_format_or(xml, json, csv, sub, path, VMAFX_FORMAT_XML, out);
}

int output_format_or(int xml, int json, int csv, int sub, const char *path, enum VmafxFormat dflt,
                     enum VmafxFormat *out)
{
    static const struct {
        const char *ext, *flag;
        enum VmafxFormat fmt;
    } kinds[] = {
        { ".xml", "--xml", VMAFX_FORMAT_XML },
        { ".json", "--json", VMAFX_FORMAT_JSON },
        { ".csv", "--csv", VMAFX_FORMAT_CSV },
        { ".sub", "--sub", VMAFX_FORMAT_SUB },
    };
    int given[4] = { xml, json, csv, sub }, n = 0;
    const char *first = NULL;
    for (int i = 0; i < 4; i++) {
        if (!given[i]) continue;
        if (n++) return cli_error("%s and %s: give one report format", first, kinds[i].flag);
        first = kinds[i].flag;
        *out = kinds[i].fmt;
    }
    if (n) return 0;
    *out = dflt;
    const char *dot = path && strcmp(path, "-") ? strrchr(path, '.') : NULL;
    for (int i = 0; dot && !strchr(dot, '/') && i < 4; i++)
        if (!strcasecmp(dot, kinds[i].ext)) *out = kinds[i].fmt;
    return 0;
}
