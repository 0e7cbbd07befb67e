/* One controller per SQLite file (see store_sqlite.h): an exclusive flock() on the database
 * file, held for the life of the store. flock locks are separate from the fcntl byte-range
 * locks SQLite takes, so other readers of the file (the sqlite3 shell, backups) are not
 * affected; only a second vmafx-controller, which takes the same lock, is refused. The
 * descriptor is closed only after SQLite's: closing any descriptor of a file drops every
 * fcntl lock the process holds on it, SQLite's included. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "store_sqlite.h"

int sqlite_store_lock(const char *path, int *fd, char *err, size_t n)
{
    *fd = -1;
    if (!*path || !strcmp(path, ":memory:") || !strncmp(path, "file:", 5)) return 0; /* nothing to share */
    /* created as SQLite creates its files, so that it finds it (empty: a new database) */
    int f = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (f < 0) {
        int e = errno;
        snprintf(err, n, "database %s: cannot open (%s)", path, strerror(e));
        return -e;
    }
    if (!flock(f, LOCK_EX | LOCK_NB)) {
        *fd = f;
        return 0;
    }
    int e = errno;
    if (e == EWOULDBLOCK)
        snprintf(err, n,
                 "database %s is in use by another vmafx-controller (one controller per SQLite file; "
                 "several need the PostgreSQL store)",
                 path);
    else snprintf(err, n, "database %s: cannot lock (%s)", path, strerror(e));
    close(f);
    return -(e == EWOULDBLOCK ? EBUSY : e);
}
