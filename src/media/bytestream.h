/* A sequential byte input, so the y4m / raw yuv parser reads local files (and FUSE mounts,
 * and standard input) through a file descriptor and URLs through libavformat's protocols with
 * the same code. */
#ifndef VMAFX_MEDIA_BYTESTREAM_H
#define VMAFX_MEDIA_BYTESTREAM_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/uio.h>

typedef struct ByteStream {
    int (*getc)(void *h);                         /* 0..255, or -1 at end or error */
    size_t (*read)(void *h, void *buf, size_t n); /* fewer than n only at end or error */
    /* After a short read: 0 at a clean end, or a negative code with the reason in why. */
    int (*status)(void *h, char *why, size_t n);
    void *h;
} ByteStream;

struct IntegrityVerifier;
struct IoStats;

/* A file descriptor with its own buffer: small reads (y4m header lines) come from the buffer,
 * and a read at least as large as the stream's direct threshold goes straight into the
 * caller's memory (a whole frame: one readv(2), no copy). stdio would copy every byte, and
 * glibc sizes its buffer by st_blksize (4 KiB, FUSE included) and ignores setvbuf's size
 * when it allocates: 760 read(2) calls per 1080p frame instead of 1-3.
 * The threshold, and how much the buffer takes in when it runs dry, depend on the input:
 * - a local file (not FUSE): each read(2) is cheap, so reads from 4 KiB up go direct, and
 *   getc refills a few hundred bytes (the header line) rather than a megabyte of samples
 *   that would then be copied out again;
 * - a FUSE mount (storage's mount mode) or a pipe: each read(2) may be a round trip, so
 *   nothing under FD_STREAM_DIRECT is read directly, and the buffer refills FD_STREAM_BUF
 *   bytes at a time (tests/test_media_debug_io.py checks both rules). */
enum { FD_STREAM_BUF = 1 << 20 };
/* The FUSE/pipe threshold: the chroma planes of a 1080p 10-bit frame (1,036,800 bytes) still
 * go direct, and no read(2) under 512 KiB happens, which FUSE mounts need. */
enum { FD_STREAM_DIRECT = FD_STREAM_BUF / 2 };

typedef struct FdStream FdStream;

/* Opens path ("-": standard input, not closed at the end). Every byte delivered is also fed
 * to iv when it is not NULL; name labels the debug-io line. -errno on failure. */
int fd_stream_open(FdStream **out, const char *path, const char *name, struct IntegrityVerifier *iv);
void fd_stream_close(FdStream *s);
void fd_stream_bytestream(FdStream *s, ByteStream *bs);
/* Fills iov[0..cnt) in order, as ByteStream's read does one buffer: fewer bytes only at the
 * end or on error. When the bytes go direct, up to ahead bytes after them come into the
 * buffer in the same readv(2) (a y4m "FRAME" line: the next getc then needs no read). */
size_t fd_stream_readv(FdStream *s, const struct iovec *iov, int cnt, size_t ahead);
/* The next byte without consuming it, -1 at the end or on error. */
int fd_stream_peek(FdStream *s);
/* pread(2) of a regular file: does not move the stream, nor feed the verifier. */
ssize_t fd_stream_pread(FdStream *s, void *dst, size_t n, int64_t offset);
/* Bytes left to read in a regular file, -1 when unknown (a pipe). */
int64_t fd_stream_remaining(const FdStream *s);
/* Passes over bytes of a regular file without reading them (a chunk of a job starting at
 * its frame); -ENOTSUP for a pipe or with an integrity check (which must see every byte),
 * -ENODATA when the file has fewer bytes left: the caller then reads, and reports that. */
int fd_stream_seek_forward(FdStream *s, int64_t bytes);
/* fd_stream_seek_forward for a local file (-ENOTSUP on FUSE too), then up to ahead bytes into
 * the buffer in one read(2) (a y4m "FRAME" line), so the next frame's header costs no more
 * than that. 0 once the bytes are passed over (a failed read after it is reported by the
 * next read), or fd_stream_seek_forward's error with nothing moved. */
int fd_stream_pass_over(FdStream *s, int64_t bytes, size_t ahead);
/* Whether fd_stream_pass_over can work here: a local file without an integrity check. */
int fd_stream_can_pass_over(const FdStream *s);
/* A regular file not on FUSE, where a small read costs no round trip. */
int fd_stream_is_local(const FdStream *s);

#endif
