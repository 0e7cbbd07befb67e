/* Frame sources: planar YUV frames from .y4m / raw .yuv files (stdio, the fast path) and from
 * anything FFmpeg's libraries read (containers, codecs, http/https URLs), each decoded in its
 * own thread into a bounded queue, optionally scaled, with an offset search between two
 * inputs. Errors are one line naming the input ("distorted input dis.y4m: truncated frame 47";
 * "distorted input http://h/d.mp4: connection closed after 1000 of 5000 bytes"). */
#ifndef VMAFX_MEDIA_H
#define VMAFX_MEDIA_H

#include <errno.h>
#include <stddef.h>
#include "vmafx/vmafx.h"

typedef struct MediaGeometry {
    unsigned w, h, bpc;
    enum VmafxPixelFormat fmt;
    double fps; /* frame rate the y4m header or the container states; 0: unknown (raw yuv) */
} MediaGeometry;

struct IntegrityVerifier; /* base/integrity.h */

typedef struct MediaOptions {
    const char *label;       /* "reference input", used in error messages */
    MediaGeometry raw;       /* geometry of raw .yuv input (w == 0: not given) */
    double stall_timeout;    /* URL: seconds without a byte before failing (<= 0: 30) */
    unsigned http_retries;   /* URL: resumes of a cut transfer (range requests), 0: none */
    const char *tls_ca_file; /* https: CA bundle to verify servers against (NULL: system's) */
    /* optional: every byte read is fed to it, and at the clean end of the stream the bytes
     * not read in order are read too and the check must pass, or the read fails (storage's
     * size / MD5 of the object; see base/integrity.h). Owned by the caller. */
    struct IntegrityVerifier *integrity;
    /* warnings worth logging (a resumed transfer); NULL: none */
    void (*log)(void *user, const char *msg);
    void *log_user;
    /* frames passed over at open (counted as read): a chunk of a job starts at its frame.
     * y4m and raw yuv seek by byte offset (local files; URLs with one range request),
     * containers seek to the closed-GOP keyframe at or before the frame (mp4/mov: the sample
     * table; others: a demux-only packet scan) and decode from there, anything that does not
     * check out reads or decodes from the start (verified by frame index, never by timestamp
     * guesswork; see media_seek_note and docs/media.md); fewer frames fail the open with
     * MEDIA_ENDED_EARLY (a chunk past the inputs' end is empty, not failed) */
    unsigned skip_frames;
    /* the scorer reads only the Y plane: a local y4m / raw yuv file then passes over the U
     * and V bytes (a seek, no copy) and leaves those planes as they were; anything else
     * (pipes, URLs, an integrity check, which must see every byte) reads them as usual */
    int luma_only;
} MediaOptions;

typedef struct FrameSource FrameSource;

/* Opens path: "-" is y4m on standard input; a local file starting with "YUV4MPEG2" is y4m; a
 * local file named .yuv/.raw, or of an extension no demuxer claims while raw geometry is
 * given, is raw yuv; everything else, and every URL ("scheme://..."), goes to libavformat,
 * except y4m and raw yuv behind a URL, which are parsed like local files. */
int media_open(FrameSource **out, const char *path, const MediaOptions *opt, char *err, size_t errlen);
/* media_open's error when the input ends before opt->skip_frames (err says where); no other
 * failure returns it. */
#define MEDIA_ENDED_EARLY (-ENODATA)
void media_close(FrameSource *s);
const MediaGeometry *media_geometry(const FrameSource *s);
/* The input's name as it appears in messages ("distorted input x.mp4"; URL credentials and
 * query strings are left out). */
const char *media_name(const FrameSource *s);
/* What was found: "y4m", "raw yuv", "h264 in mov,mp4,m4a,3gp,3g2,mj2". */
const char *media_kind(const FrameSource *s);

/* Reads the next frame into pic (allocated by the caller with media_geometry()).
 * Returns 1 for a frame, 0 at a clean end of stream, negative on error (err filled):
 * a partial last frame is an error, never a silently shorter clip. */
int media_read(FrameSource *s, VmafxPicture *pic, char *err, size_t errlen);
/* Skips one frame without storing it; same return values. */
int media_skip(FrameSource *s, char *err, size_t errlen);
/* How the frames before opt->skip_frames were passed over, for the log and the job's status
 * ("seeked to frame 40 at byte 1234 (range request)", "decoded 40 frames from the start:
 * ..."); "" when nothing was skipped or nothing is worth saying (a local y4m). */
const char *media_seek_note(const FrameSource *s);
/* "" after a seek (or when nothing was skipped); otherwise why the frames before
 * opt->skip_frames were read or decoded from the start of the input instead of reached by a
 * seek ("the server does not take range requests", "the nearest keyframe is the first frame
 * (packet scan)"): such a chunk costs what the frames before it cost. The text names no frame
 * where the cause does not depend on it, so every chunk of one input says the same. */
const char *media_seek_fallback(const FrameSource *s);
/* Frames read or skipped so far. */
unsigned media_frames(const FrameSource *s);
/* Frames the input is expected to have (file size, container header), 0 if unknown: for
 * progress and ETA only, never for results. */
unsigned media_frames_hint(const FrameSource *s);
/* Makes a read blocked on the network in another thread return soon (with an error). */
void media_cancel(FrameSource *s);

/* Frames the input holds, without decoding (count.c): y4m and raw yuv from the object's size
 * (a local file's, or what an http(s) server announces), mp4/mov from the track's sample
 * count, other containers from one demux pass over the video stream's packets. The input is
 * opened as media_open opens it (opt's label, raw geometry, timeouts; skip_frames and
 * integrity are ignored). A y4m file is taken to have plain "FRAME" lines. *exact is 1 when
 * the count is the stored frames (every path above). 0, or negative with err naming the
 * input ("distorted input x.mkv: no frame count (...)"). */
int media_count_frames(const char *path, const MediaOptions *opt, unsigned *frames, int *exact, char *err,
                       size_t n);

/* "420"/"422"/"444" → format; 0 if unknown. */
enum VmafxPixelFormat media_parse_pix_fmt(const char *s);

/* ---- scaling (scale.c) ---- */
enum MediaScaleAlgo { MEDIA_SCALE_BICUBIC, MEDIA_SCALE_BILINEAR, MEDIA_SCALE_LANCZOS, MEDIA_SCALE_NONE };

int media_parse_scale(const char *s, enum MediaScaleAlgo *out);
/* "1920x1080" → w, h; 0 or -1. */
int media_parse_size(const char *s, unsigned *w, unsigned *h);
const char *media_scale_name(enum MediaScaleAlgo a);

typedef struct MediaScalePlan {
    unsigned ref_w, ref_h, dis_w, dis_h; /* sizes the inputs are scaled to */
    enum MediaScaleAlgo algo;
} MediaScalePlan;

/* Decides the sizes: with to_w/to_h (--scale-to) both inputs go to that size; otherwise the
 * distorted goes to the reference's size when they differ. Error if a size would change with
 * algo NONE. note gets what was done ("" if nothing), for the report. */
int media_plan_scale(const MediaGeometry *ref, const MediaGeometry *dis, enum MediaScaleAlgo algo,
                     unsigned to_w, unsigned to_h, MediaScalePlan *plan, char *note, size_t nn, char *err,
                     size_t errlen);

/* ---- threaded reading (reader.c) ---- */
typedef struct MediaReader MediaReader;

/* Starts a thread that reads src (the reader owns it from now on, even on failure), scales
 * each frame to out_w x out_h with algo when that differs from the source, and keeps up to
 * depth frames ready (memory: depth + 2 pictures). */
int media_reader_start(MediaReader **out, FrameSource *src, unsigned out_w, unsigned out_h,
                       enum MediaScaleAlgo algo, unsigned depth, char *err, size_t errlen);
/* The i-th frame ahead (0 = next), waiting for it: 1, 0 at the clean end, <0 on error (as
 * soon as the reader failed, even with frames still queued: the run fails anyway). The
 * picture stays valid until it is popped. i < depth. */
int media_reader_peek(MediaReader *r, unsigned i, const VmafxPicture **pic, char *err, size_t errlen);
/* Like media_reader_peek, but returns MEDIA_PENDING after timeout_ms without a frame: lets
 * a caller watch two readers, so that one failing is seen while the other is still stalled. */
#define MEDIA_PENDING 2
int media_reader_poll(MediaReader *r, unsigned i, const VmafxPicture **pic, int timeout_ms, char *err,
                      size_t errlen);
/* The next frame, as media_reader_peek(r, 0) returned it (NULL if none is queued), writable:
 * the consumer may exchange its buffers for others of the same layout (as
 * vmafx_score_pictures_swap does) before popping it, instead of copying it. */
VmafxPicture *media_reader_front(MediaReader *r);
/* Drops the next frame (it must have been peeked). */
void media_reader_pop(MediaReader *r);
/* Frames popped so far. */
unsigned media_reader_frames(const MediaReader *r);
unsigned media_reader_frames_hint(const MediaReader *r);
const MediaGeometry *media_reader_geometry(const MediaReader *r);
const char *media_reader_name(const MediaReader *r);
/* Stops the thread (cancelling a blocked read), frees everything. NULL is fine. */
void media_reader_stop(MediaReader *r);

/* ---- offset search (sync.c) ---- */
typedef struct MediaSyncResult {
    int offset;        /* > 0: that many reference frames dropped; < 0: distorted frames */
    double psnr;       /* mean luma PSNR (dB) of the compared frames at that offset */
    unsigned compared; /* frame pairs compared at that offset */
} MediaSyncResult;

/* Luma PSNR (dB) of two pictures of one geometry, capped at 100 (identical frames). Their
 * samples must be within the bit depth, as the readers give them. */
double media_luma_psnr(const VmafxPicture *a, const VmafxPicture *b);

#define MEDIA_SYNC_WINDOW 5 /* frame pairs compared per candidate offset */

/* Finds the offset within ±max_offset that maximises luma PSNR over the first
 * MEDIA_SYNC_WINDOW frame pairs, and drops the leading frames accordingly. Both readers
 * need depth >= max_offset + MEDIA_SYNC_WINDOW. */
int media_sync(MediaReader *ref, MediaReader *dis, unsigned max_offset, MediaSyncResult *res, char *err,
               size_t errlen);

#endif
