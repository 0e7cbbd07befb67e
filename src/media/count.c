/* Frame counts without decoding (see media_count_frames in media.h): y4m and raw yuv from
 * the object's size, containers from the header when it states the sample count exactly,
 * else from one demux pass over the video stream's packets. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>

#include "libav_api.h"
#include "avlog.h"
#include "url_io.h"

#define HEAD_PEEK 512 /* a y4m stream header fits (writers keep it to one short line) */

static int is_url(const char *path)
{
    const char *p = strstr(path, "://");
    return p && p > path && strcspn(path, "/?#") > (size_t)(p - path);
}

/* "file:" keeps a colon in a local name from being read as a protocol. */
static char *as_url(const char *path)
{
    size_t len = strlen(path) + 6;
    char *url = malloc(len);
    if (url) snprintf(url, len, is_url(path) ? "%s" : "file:%s", path);
    return url;
}

/* y4m or raw yuv behind a URL: the size the server announced, less the y4m header line,
 * over the bytes of a frame (y4m: plus its "FRAME\n"). */
static int count_url_yuv(const char *url, const char *name, const MediaOptions *opt, const MediaGeometry *g,
                         int y4m, unsigned *frames, char *why, size_t n)
{
    UrlIo *io;
    int r = url_io_open(&io, url, name, opt, why, n);
    if (r < 0) return r;
    int64_t size = avio_size(url_io_avio(io));
    unsigned char head[HEAD_PEEK];
    int got = y4m ? url_io_peek(io, head, sizeof(head)) : 0;
    url_io_close(io);
    const unsigned char *nl = got > 0 ? memchr(head, '\n', (size_t)got) : NULL;
    size_t per = vmafx_picture_frame_bytes(g->fmt, g->bpc, g->w, g->h) + (y4m ? 6 : 0);
    if (size <= 0) return snprintf(why, n, "the server does not tell the size"), -ENOTSUP;
    if (y4m && !nl) return snprintf(why, n, "no y4m header line in the first %d bytes", HEAD_PEEK), -EINVAL;
    int64_t body = size - (y4m ? (int64_t)(nl + 1 - head) : 0);
    *frames = body > 0 ? (unsigned)(body / (int64_t)per) : 0;
    return 0;
}

static int demux_error(UrlIo *io, int code, const char *what, char *why, size_t n)
{
    char cause[160];
    if (url_io_error(io, why, n) < 0) return -EIO;
    avlog_strerror(code, cause, sizeof(cause));
    snprintf(why, n, "%s: %s", what, cause);
    return -EIO;
}

/* Packets of the video stream, read without decoding. */
static int count_packets(AVFormatContext *fmt, int stream, UrlIo *io, unsigned *frames, char *why, size_t n)
{
    AVPacket *pkt = av_packet_alloc();
    if (!pkt) return -ENOMEM;
    int r;
    unsigned count = 0;
    while ((r = av_read_frame(fmt, pkt)) >= 0) {
        /* a packet the demuxer marks as discarded (before an edit list's start) gives no frame */
        count += pkt->stream_index == stream && !(pkt->flags & AV_PKT_FLAG_DISCARD);
        av_packet_unref(pkt);
    }
    av_packet_free(&pkt);
    if (r != AVERROR_EOF) return demux_error(io, r, "reading packets", why, n);
    if (url_io_error(io, why, n) < 0) return -EIO; /* a cut transfer is no clean end */
    *frames = count;
    return 0;
}

/* mp4/mov state the sample count of each track (nb_frames); other containers' nb_frames
 * (when given at all) come from tags or estimates, so those are counted packet by packet. */
static int count_container(const char *path, const char *name, const MediaOptions *opt, unsigned *frames,
                           int *exact, char *why, size_t n)
{
    char *url = as_url(path);
    UrlIo *io = NULL;
    AVFormatContext *fmt = NULL;
    int r = url ? url_io_open(&io, url, name, opt, why, n) : -ENOMEM;
    if (!r && !(fmt = avformat_alloc_context())) r = -ENOMEM;
    if (!r) {
        fmt->pb = url_io_avio(io);
        fmt->flags |= AVFMT_FLAG_CUSTOM_IO;
        fmt->interrupt_callback = *url_io_interrupt(io);
        int k = avformat_open_input(&fmt, url, NULL, NULL);
        if (k >= 0) k = avformat_find_stream_info(fmt, NULL);
        int stream = k >= 0 ? av_find_best_stream(fmt, AVMEDIA_TYPE_VIDEO, -1, -1, NULL, 0) : k;
        if (k < 0) r = demux_error(io, k, "unknown or unreadable format", why, n);
        else if (stream < 0) r = (snprintf(why, n, "no video stream"), -EINVAL);
        else if (strstr(fmt->iformat->name, "mov") && fmt->streams[stream]->nb_frames > 0) {
            *frames = (unsigned)fmt->streams[stream]->nb_frames;
            *exact = 1;
        } else {
            r = count_packets(fmt, stream, io, frames, why, n);
            *exact = 1;
        }
    }
    if (fmt) avformat_close_input(&fmt);
    if (io) url_io_close(io);
    free(url);
    return r;
}

int media_count_frames(const char *path, const MediaOptions *opt, unsigned *frames, int *exact, char *err,
                       size_t n)
{
    MediaOptions o = *opt;
    o.skip_frames = 0;  /* the count is of the whole input: the caller takes the skip off */
    o.integrity = NULL; /* only part of the object is read */
    *frames = 0;
    *exact = 0;
    if (!strcmp(path, "-"))
        return snprintf(err, n, "%s -: standard input cannot be counted", opt->label), -EINVAL;
    FrameSource *src;
    int r = media_open(&src, path, &o, err, n);
    if (r) return r;
    const char *kind = media_kind(src);
    int y4m = !strcmp(kind, "y4m"), yuv = y4m || !strcmp(kind, "raw yuv");
    MediaGeometry geo = *media_geometry(src);
    unsigned hint = media_frames_hint(src);
    char name[600], why[512] = "";
    snprintf(name, sizeof(name), "%s", media_name(src));
    media_close(src);
    if (yuv && !is_url(path) && hint) { /* a local file: its size, read at open */
        *frames = hint;
        *exact = 1;
        return 0;
    }
    if (yuv && !is_url(path))
        return snprintf(err, n, "%s: no frame count (not a regular file, or shorter than one frame)", name),
               -EINVAL;
    r = yuv ? count_url_yuv(path, name, &o, &geo, y4m, frames, why, sizeof(why))
            : count_container(path, name, &o, frames, exact, why, sizeof(why));
    if (yuv && !r) *exact = 1;
    if (r) snprintf(err, n, "%s: no frame count (%s)", name, *why ? why : strerror(-r));
    return r;
}
