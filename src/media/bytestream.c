/* The file descriptor flavour of ByteStream (the libavformat one lives with url_io.c). */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "base/integrity.h"
#include "bytestream.h"
#include "io_stats.h"

#define FUSE_SUPER_MAGIC 0x65735546
#define PEEK_BYTES 4096
/* A local file's refill for getc and peek: the y4m header line, or a "FRAME" line with
 * parameters, and little of the samples after it (those would be copied out of buf). */
#define LOCAL_LINE_BYTES 256
/* A local file's direct threshold: a read(2) costs a microsecond or two there, less than
 * copying more than a few KiB out of buf. */
#define LOCAL_DIRECT_BYTES 4096
/* iovecs per readv(2): Linux takes up to UIO_MAXIOV (1024); one is kept for the read-ahead */
#define IOV_BATCH (IOV_MAX - 1)

struct FdStream {
    int fd, own;
    unsigned char *buf;
    size_t pos, len;  /* buf[pos..len) is read but not yet delivered */
    size_t direct;    /* a request this large, less what buf holds, skips buf */
    size_t line;      /* how much getc and peek refill */
    int64_t consumed; /* bytes delivered so far */
    int64_t size;     /* regular file: its size at open; -1 otherwise */
    int local;        /* a regular file, not on FUSE: a read(2) or lseek(2) is no round trip */
    int err;          /* errno of a failed read(2), sticky */
    struct IntegrityVerifier *iv;
    IoStats *stats;
};

/* One read(2) or readv(2), retried on EINTR; counted for debug-io. */
static ssize_t raw_readv(FdStream *s, const struct iovec *v, int cnt)
{
    ssize_t r;
    do {
        int64_t t0 = io_stats_begin(s->stats);
        r = cnt == 1 ? read(s->fd, v[0].iov_base, v[0].iov_len) : readv(s->fd, v, cnt);
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

/* Copies out what buf holds: the one copy in user space, counted for debug-io. The caller
 * feeds the verifier. */
static size_t from_buf(FdStream *s, void *dst, size_t n)
{
    size_t k = s->len - s->pos < n ? s->len - s->pos : n;
    memcpy(dst, s->buf + s->pos, k);
    io_stats_copied(s->stats, k);
    s->pos += k;
    return k;
}

/* want: FD_STREAM_BUF, s->line for getc, or a few bytes for a peek at a file that may go
 * to libavformat instead (then a large read would be thrown away, and over a mount read
 * twice). */
static int refill(FdStream *s, size_t want)
{
    if (s->err) return -1;
    ssize_t r = raw_readv(s, &(struct iovec){ s->buf, want }, 1);
    s->pos = 0;
    s->len = r > 0 ? (size_t)r : 0;
    return r > 0 ? 1 : r == 0 ? 0 : -1;
}

static int fd_getc(void *h)
{
    FdStream *s = h;
    if (s->pos == s->len && refill(s, s->line) <= 0) return -1;
    unsigned char c;
    from_buf(s, &c, 1);
    delivered(s, &c, 1);
    return c;
}

/* A cursor over the caller's iovecs: v[i] from byte off on, left bytes to go in all. */
typedef struct IovPos {
    const struct iovec *v;
    int i, cnt;
    size_t off, left;
} IovPos;

static unsigned char *iov_here(const IovPos *p)
{
    return (unsigned char *)p->v[p->i].iov_base + p->off;
}

/* Moves the cursor over n bytes just filled, feeding them to the verifier in order, and
 * past any iovec that is full (or empty). */
static void iov_advance(FdStream *s, IovPos *p, size_t n)
{
    for (;;) {
        while (p->i < p->cnt && p->off == p->v[p->i].iov_len) {
            p->i++;
            p->off = 0;
        }
        if (!n || p->i == p->cnt) return;
        size_t room = p->v[p->i].iov_len - p->off, k = n < room ? n : room;
        delivered(s, iov_here(p), k);
        p->off += k;
        p->left -= k;
        n -= k;
    }
}

/* One readv(2) from the cursor on, straight into the caller's memory; when it reaches the
 * last iovec, up to ahead bytes more go into buf (empty now) in the same call. */
static ssize_t direct_readv(FdStream *s, IovPos *p, size_t ahead)
{
    struct iovec v[IOV_BATCH + 1];
    int k = 0;
    size_t want = 0;
    v[k++] = (struct iovec){ iov_here(p), p->v[p->i].iov_len - p->off };
    for (int j = p->i + 1; j < p->cnt && k < IOV_BATCH; j++) v[k++] = p->v[j];
    for (int j = 0; j < k; j++) want += v[j].iov_len;
    if (want == p->left && ahead)
        v[k++] = (struct iovec){ s->buf, ahead < FD_STREAM_BUF ? ahead : FD_STREAM_BUF };
    ssize_t r = raw_readv(s, v, k);
    if (r <= 0) return r;
    size_t mine = (size_t)r < want ? (size_t)r : want;
    iov_advance(s, p, mine);
    s->pos = 0;
    s->len = (size_t)r - mine; /* the read-ahead: delivered when it is consumed */
    return r;
}

size_t fd_stream_readv(FdStream *s, const struct iovec *iov, int cnt, size_t ahead)
{
    IovPos p = { iov, 0, cnt, 0, 0 };
    for (int j = 0; j < cnt; j++) p.left += iov[j].iov_len;
    size_t total = p.left;
    iov_advance(s, &p, 0);
    while (p.left) {
        if (s->pos < s->len) {
            iov_advance(s, &p, from_buf(s, iov_here(&p), p.v[p.i].iov_len - p.off));
        } else if (p.left >= s->direct) {
            if (s->err || direct_readv(s, &p, ahead) <= 0) break;
        } else if (refill(s, FD_STREAM_BUF) <= 0) {
            break;
        }
    }
    return total - p.left;
}

static size_t fd_read(void *h, void *dst, size_t n)
{
    return fd_stream_readv(h, &(struct iovec){ dst, n }, 1, 0);
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
    s->local = s->size >= 0 && !fuse;
    s->direct = s->local ? LOCAL_DIRECT_BYTES : FD_STREAM_DIRECT;
    s->line = s->local ? LOCAL_LINE_BYTES : FD_STREAM_BUF;
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
    if (s->pos == s->len && refill(s, s->line < PEEK_BYTES ? s->line : PEEK_BYTES) <= 0) return -1;
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
        io_stats_skipped(s->stats, (uint64_t)(bytes - buffered));
    }
    s->consumed += bytes;
    return 0;
}

int fd_stream_is_local(const FdStream *s)
{
    return s->local;
}

int fd_stream_can_pass_over(const FdStream *s)
{
    return s->local && !s->iv; /* over FUSE a seek may cost a new request */
}

int fd_stream_pass_over(FdStream *s, int64_t bytes, size_t ahead)
{
    if (!fd_stream_can_pass_over(s)) return -ENOTSUP;
    int r = fd_stream_seek_forward(s, bytes);
    /* passed over either way: a failed read is sticky, and the next one reports it */
    if (!r && ahead && s->pos == s->len && s->consumed < s->size)
        refill(s, ahead < FD_STREAM_BUF ? ahead : FD_STREAM_BUF);
    return r;
}

int64_t fd_stream_remaining(const FdStream *s)
{
    return s->size >= 0 && s->size > s->consumed ? s->size - s->consumed : s->size >= 0 ? 0 : -1;
}
