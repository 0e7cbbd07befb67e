/* The file descriptor flavour of ByteStream (the libavformat one lives with url_io.c). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "base/integrity.h"
#include "bytestream.h"
#include "io_stats.h"

#define FUSE_SUPER_MAGIC 0x65735546
#define PEEK_BYTES 4096

struct FdStream {
    int fd, own;
    unsigned char *buf;
    size_t pos, len;  /* buf[pos..len) is read but not yet delivered */
    int64_t consumed; /* bytes delivered so far */
    int64_t size;     /* regular file: its size at open; -1 otherwise */
    int err;          /* errno of a failed read(2), sticky */
    struct IntegrityVerifier *iv;
    IoStats *stats;
};

/* One read(2), retried on EINTR; counted for debug-io. */
static ssize_t raw_read(FdStream *s, void *dst, size_t n)
{
    ssize_t r;
    do {
        int64_t t0 = io_stats_begin(s->stats);
        r = read(s->fd, dst, n);
        io_stats_end(s->stats, t0, r);
    } while (r < 0 && errno == EINTR);
    if (r < 0) s->err = errno;
    return r;
}

static void delivered(FdStream *s, const void *p, size_t n)
{
    if (s->iv) integrity_update(s->iv, p, n);
    s->consumed += (int64_t)n;
}

/* want: FD_STREAM_BUF, or a few bytes for a peek at a file that may go to libavformat
 * instead (then a large read would be thrown away, and over a mount read twice). */
static int refill(FdStream *s, size_t want)
{
    if (s->err) return -1;
    ssize_t r = raw_read(s, s->buf, want);
    s->pos = 0;
    s->len = r > 0 ? (size_t)r : 0;
    return r > 0 ? 1 : r == 0 ? 0 : -1;
}

static int fd_getc(void *h)
{
    FdStream *s = h;
    if (s->pos == s->len && refill(s, FD_STREAM_BUF) <= 0) return -1;
    unsigned char c = s->buf[s->pos++];
    delivered(s, &c, 1);
    return c;
}

static size_t fd_read(void *h, void *dst, size_t n)
{
    FdStream *s = h;
    unsigned char *out = dst;
    size_t done = 0;
    while (done < n) {
        if (s->pos < s->len) {
            size_t k = s->len - s->pos < n - done ? s->len - s->pos : n - done;
            memcpy(out + done, s->buf + s->pos, k);
            delivered(s, out + done, k);
            s->pos += k;
            done += k;
        } else if (n - done >= FD_STREAM_DIRECT) {
            if (s->err) break;
            ssize_t r = raw_read(s, out + done, n - done);
            if (r <= 0) break;
            delivered(s, out + done, (size_t)r);
            done += (size_t)r;
        } else if (refill(s, FD_STREAM_BUF) <= 0) {
            break;
        }
    }
    return done;
}

static int fd_status(void *h, char *why, size_t n)
{
    FdStream *s = h;
    if (!s->err) return 0;
    snprintf(why, n, "read error (%s)", strerror(s->err));
    return -EIO;
}

int fd_stream_open(FdStream **out, const char *path, const char *name, struct IntegrityVerifier *iv)
{
    int is_stdin = !strcmp(path, "-");
    FdStream *s = calloc(1, sizeof(*s));
    if (!s || !(s->buf = malloc(FD_STREAM_BUF))) {
        free(s);
        return -ENOMEM;
    }
    s->fd = is_stdin ? STDIN_FILENO : open(path, O_RDONLY | O_CLOEXEC);
    if (s->fd < 0) {
        int e = errno;
        free(s->buf);
        free(s);
        return -e;
    }
    s->own = !is_stdin;
    s->iv = iv;
    struct stat st;
    s->size = !fstat(s->fd, &st) && S_ISREG(st.st_mode) ? (int64_t)st.st_size : -1;
    struct statfs fs;
    int fuse = !fstatfs(s->fd, &fs) && (unsigned long)fs.f_type == FUSE_SUPER_MAGIC;
    s->stats = io_stats_new(name, fuse ? "fuse" : s->size >= 0 ? "file" : "pipe");
    *out = s;
    return 0;
}

void fd_stream_close(FdStream *s)
{
    if (!s) return;
    io_stats_finish(s->stats, s->consumed > 0); /* a file only sniffed is not an input */
    if (s->own) close(s->fd);
    free(s->buf);
    free(s);
}

void fd_stream_bytestream(FdStream *s, ByteStream *bs)
{
    *bs = (ByteStream){ fd_getc, fd_read, fd_status, s };
}

int fd_stream_peek(FdStream *s)
{
    if (s->pos == s->len && refill(s, PEEK_BYTES) <= 0) return -1;
    return s->buf[s->pos];
}

ssize_t fd_stream_pread(FdStream *s, void *dst, size_t n, int64_t offset)
{
    size_t done = 0;
    while (done < n) {
        ssize_t r = pread(s->fd, (char *)dst + done, n - done, (off_t)offset + (off_t)done);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) return done ? (ssize_t)done : r;
        done += (size_t)r;
    }
    return (ssize_t)done;
}

int fd_stream_seek_forward(FdStream *s, int64_t bytes)
{
    if (s->size < 0 || s->iv) return -ENOTSUP;
    if (s->size - s->consumed < bytes) return -ENODATA;
    int64_t buffered = (int64_t)(s->len - s->pos);
    if (bytes <= buffered) {
        s->pos += (size_t)bytes;
    } else {
        if (lseek(s->fd, bytes - buffered, SEEK_CUR) < 0) return -errno;
        s->pos = s->len = 0;
    }
    s->consumed += bytes;
    return 0;
}

int64_t fd_stream_remaining(const FdStream *s)
{
    return s->size >= 0 && s->size > s->consumed ? s->size - s->consumed : s->size >= 0 ? 0 : -1;
}
