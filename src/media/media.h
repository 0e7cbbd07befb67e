/* Frame sources: planar YUV frames from .y4m (file or stdin) and raw .yuv files.
 * Errors are one line naming the input ("distorted input dis.y4m: truncated frame 47"). */
#ifndef VMAFX_MEDIA_H
#define VMAFX_MEDIA_H

#include <stddef.h>
#include "vmafx/vmafx.h"

typedef struct MediaGeometry {
    unsigned w, h, bpc;
    enum VmafxPixelFormat fmt;
} MediaGeometry;

typedef struct MediaOptions {
    const char *label;        /* "reference input", used in error messages */
    MediaGeometry raw;        /* geometry of raw .yuv input (w == 0: not given) */
} MediaOptions;

typedef struct FrameSource FrameSource;

/* Opens path ("-" = y4m on standard input). The kind is sniffed: "YUV4MPEG2" magic → y4m,
 * otherwise raw yuv, which needs opt->raw. */
int  media_open(FrameSource **out, const char *path, const MediaOptions *opt,
                char *err, size_t errlen);
void media_close(FrameSource *s);
const MediaGeometry *media_geometry(const FrameSource *s);

/* Reads the next frame into pic (allocated by the caller with media_geometry()).
 * Returns 1 for a frame, 0 at a clean end of stream, negative on error (err filled):
 * a partial last frame is an error, never a silently shorter clip. */
int media_read(FrameSource *s, VmafxPicture *pic, char *err, size_t errlen);
/* Skips one frame without storing it; same return values. */
int media_skip(FrameSource *s, char *err, size_t errlen);
/* Frames read or skipped so far. */
unsigned media_frames(const FrameSource *s);

/* "420"/"422"/"444" → format; 0 if unknown. */
enum VmafxPixelFormat media_parse_pix_fmt(const char *s);

#endif
