/* Debug I/O figures of one input (VMAFX_DEBUG_IO=1): every read the media layer makes of a
 * local file, FUSE mount or URL stream, counted with its size and how long it blocked, and
 * one line on standard error when the input closes. When the variable is unset, io_stats_new
 * returns NULL and each read costs one test of that pointer. */
#ifndef VMAFX_MEDIA_IO_STATS_H
#define VMAFX_MEDIA_IO_STATS_H

#include <stdint.h>

typedef struct IoStats IoStats;

/* NULL unless VMAFX_DEBUG_IO is set to a non-empty value other than "0"; name labels the
 * report line ("distorted input x.y4m"). */
IoStats *io_stats_new(const char *name, const char *via);
/* Around one read: t0 = io_stats_begin(st); ...read...; io_stats_end(st, t0, got). */
int64_t io_stats_begin(const IoStats *st);
void io_stats_end(IoStats *st, int64_t t0, long long got);
/* n bytes handed over from the reader's own buffer, a second copy in user space (a file
 * descriptor's reads; libavformat's buffering of URLs is not counted). */
void io_stats_copied(IoStats *st, uint64_t n);
/* n bytes of a local file passed over by a seek, never read (a chunk's first frames, or the
 * chroma planes the scorer does not need). */
void io_stats_skipped(IoStats *st, uint64_t n);
/* Prints the report line when report is non-zero (see docs/media.md, "Debugging reads") and
 * frees st. NULL is fine. */
void io_stats_finish(IoStats *st, int report);

#endif
