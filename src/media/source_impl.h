/* What a frame source backend provides to source.c (which adds the input's name to every
 * message and counts frames). Backends: yuv_source.c (y4m, raw yuv) and libav_source.c. */
#ifndef VMAFX_MEDIA_SOURCE_IMPL_H
#define VMAFX_MEDIA_SOURCE_IMPL_H

#include <stdio.h>
#include "media.h"

typedef struct UrlIo UrlIo;
typedef struct FdStream FdStream;

/* What a seek at open did, for media_seek_note and media_seek_fallback. */
typedef struct SeekNote {
    char text[480]; /* what was done and why, for the log ("" if nothing) */
    /* why the frames before were read or decoded from the start instead of reached by a seek
     * (the server ignored Range, the nearest keyframe is frame 0, ...): said once per cause,
     * without the frame number where it does not depend on it; "" after a seek */
    char fallback[400];
} SeekNote;

typedef struct SourceOps {
    /* 1 = a frame, 0 = clean end, <0 = error with the reason in why (without the name).
     * index is the number of the frame being read, for messages. A frame's samples are
     * within its bit depth (samples_check), at least in the planes the source was asked for. */
    int (*read)(void *impl, VmafxPicture *pic, unsigned index, char *why, size_t n);
    int (*skip)(void *impl, unsigned index, char *why, size_t n);
    /* Optional (NULL: none): passes over the first frames at open, before any read, faster
     * than skip() one by one (a range request, a keyframe seek). Returns how many it passed
     * over (0..frames; the caller skips the rest one by one), SOURCE_REOPEN when the source
     * moved and could not prove where it is (the caller opens it again and skips from the
     * start), <0 on error; note says what was done (see SeekNote). */
    int (*seek)(void *impl, unsigned frames, struct SeekNote *note, char *why, size_t n);
    /* Called from another thread: a read blocked on the network returns soon with an error. */
    void (*cancel)(void *impl);
    void (*close)(void *impl);
} SourceOps;

#define SOURCE_REOPEN (-100000)

typedef struct SourceBackend {
    const SourceOps *ops;
    void *impl;
    MediaGeometry geo;
    const char *what;     /* "y4m", "raw yuv", "h264 in matroska,webm": for messages */
    UrlIo *io;            /* the URL stream it reads (owned by the backend), NULL for a file */
    unsigned frames_hint; /* frames the input is expected to have (0: unknown); progress only */
} SourceBackend;

/* y4m (is_y4m) or raw yuv (geometry opt->raw) from a local file or standard input (f) or from
 * a URL stream (io); the one given is closed at the end, even on failure. */
int yuv_source_open(SourceBackend *b, FdStream *f, UrlIo *io, int is_y4m, const MediaOptions *opt, char *why,
                    size_t n);

/* Raw yuv from a local file (raw_check.c): -EINVAL (reason in why) when the file's size is not a
 * whole number of frames of opt->raw; a warning through opt->log when the first frame's bytes
 * look like another bit depth that the size also fits. name labels the warning. Nothing is
 * consumed from f. */
int raw_check(FdStream *f, const MediaOptions *opt, const char *name, char *why, size_t n);

/* Samples above the bit depth of a 9- to 15-bit picture (sample_check.c): -EINVAL, with the
 * frame (index), plane, row, column and value in why, when one of the `bytes` bytes at from (a
 * span of whole samples inside one of pic's planes) is above it; else 0 (also for 8 and 16
 * bits). Backends check what they read, while it is in cache. */
int samples_check(const VmafxPicture *pic, const void *from, size_t bytes, unsigned index, char *why,
                  size_t n);
/* The same for every row of every plane. */
int picture_check_depth(const VmafxPicture *pic, unsigned index, char *why, size_t n);

/* Anything libavformat/libavcodec can demux and decode, read through io (closed at the end). */
int libav_source_open(SourceBackend *b, UrlIo *io, const char *url, const MediaOptions *opt, char *why,
                      size_t n);

#endif
