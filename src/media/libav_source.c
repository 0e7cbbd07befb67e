/* Any container and codec of the system's FFmpeg: demux with libavformat (reading through
 * url_io, so network failures are reported precisely), decode with libavcodec, rearrange
 * into the engine's planar layout (convert.c). Failure is strict: a damaged packet, a
 * decoder error, a frame the decoder flags as damaged, or a read error hidden behind the
 * demuxer's end of stream stops the run instead of quietly scoring fewer frames. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/pixdesc.h>

#include "libav_api.h"
#include "avlog.h"
#include "convert.h"
#include "source_impl.h"
#include "url_io.h"

typedef struct LibavSource {
    UrlIo *io;
    AVFormatContext *fmt;
    AVCodecContext *dec;
    AVPacket *pkt;
    AVFrame *frame;
    int stream;
    int pending;  /* frame holds the frame decoded at open time, not yet delivered */
    int draining; /* the demuxer has ended: the decoder gives out what it still holds */
    ConvertPlan plan;
    char what[128];
    AvlogSink log; /* libav's lines about this input, from whichever thread logs them */
} LibavSource;

/* "what went wrong (libav's detail line)" */
static void describe(LibavSource *s, int code, char *buf, size_t n)
{
    char err[128], line[256];
    avlog_strerror(code, err, sizeof(err));
    const char *detail = avlog_sink_last(&s->log, line, sizeof(line));
    if (*detail && !strstr(detail, err)) snprintf(buf, n, "%s (%s)", err, detail);
    else snprintf(buf, n, "%s", err);
}

/* A read failure inside url_io explains more than the demuxer's code for it. */
static int io_failure(LibavSource *s, char *why, size_t n)
{
    char reason[420];
    int r = url_io_error(s->io, reason, sizeof(reason));
    if (r < 0) snprintf(why, n, "%s", reason);
    return r;
}

/* A demuxer that found the input cut short but carried on (see avlog_damage). */
static int damaged(LibavSource *s, char *why, size_t n)
{
    char line[256];
    const char *d = avlog_sink_damage(&s->log, line, sizeof(line));
    if (!d) return 0;
    snprintf(why, n, "the input is cut short or damaged (%s)", d);
    return -EIO;
}

static int feed_packet(LibavSource *s, unsigned index, char *why, size_t n)
{
    for (;;) {
        avlog_sink_clear(&s->log);
        int r = av_read_frame(s->fmt, s->pkt);
        if (io_failure(s, why, n) < 0 || damaged(s, why, n) < 0) {
            av_packet_unref(s->pkt);
            return -EIO;
        }
        if (r < 0) {
            if (r != AVERROR_EOF) {
                char cause[300];
                const char *seek = url_io_seek_error(s->io);
                describe(s, r, cause, sizeof(cause));
                snprintf(why, n, "reading frame %u failed: %s%s%s", index, cause, *seek ? "; " : "", seek);
                return -EIO;
            }
            s->draining = 1;
            return avcodec_send_packet(s->dec, NULL) == AVERROR(ENOMEM) ? -ENOMEM : 0;
        }
        if (s->pkt->stream_index != s->stream) {
            av_packet_unref(s->pkt);
            continue;
        }
        int corrupt = s->pkt->flags & AV_PKT_FLAG_CORRUPT;
        r = corrupt ? 0 : avcodec_send_packet(s->dec, s->pkt);
        av_packet_unref(s->pkt);
        if (corrupt) {
            snprintf(why, n,
                     "frame %u: damaged or incomplete packet (the input is cut short or "
                     "corrupt)",
                     index);
            return -EIO;
        }
        if (r < 0 && r != AVERROR(EAGAIN)) {
            char cause[300];
            describe(s, r, cause, sizeof(cause));
            snprintf(why, n, "decoding frame %u failed: %s", index, cause);
            return -EIO;
        }
        return 0;
    }
}

static int check_frame(LibavSource *s, unsigned index, char *why, size_t n)
{
    const AVFrame *f = s->frame;
    if (f->decode_error_flags || (f->flags & AV_FRAME_FLAG_CORRUPT)) {
        snprintf(why, n, "frame %u: the decoder reports it damaged (error flags %#x)", index,
                 (unsigned)f->decode_error_flags);
        return -EIO;
    }
    if (s->plan.src != AV_PIX_FMT_NONE && (f->format != s->plan.src || (unsigned)f->width != s->plan.geo.w ||
                                           (unsigned)f->height != s->plan.geo.h)) {
        snprintf(why, n,
                 "frame %u changes from %ux%u %s to %dx%d %s; vmafx needs one size and "
                 "format per input",
                 index, s->plan.geo.w, s->plan.geo.h, av_get_pix_fmt_name(s->plan.src), f->width, f->height,
                 av_get_pix_fmt_name(f->format));
        return -EINVAL;
    }
    return 1;
}

/* 1 = s->frame holds the next frame, 0 = clean end, <0 = error. */
static int next_frame(LibavSource *s, unsigned index, char *why, size_t n)
{
    for (;;) {
        avlog_sink_clear(&s->log);
        int r = avcodec_receive_frame(s->dec, s->frame);
        if (r == 0) return check_frame(s, index, why, n);
        if (r == AVERROR_EOF) return 0;
        if (r != AVERROR(EAGAIN)) {
            char cause[300];
            describe(s, r, cause, sizeof(cause));
            snprintf(why, n, "decoding frame %u failed: %s", index, cause);
            return -EIO;
        }
        if (s->draining) return 0;
        if ((r = feed_packet(s, index, why, n)) < 0) return r;
    }
}

static int libav_read(void *impl, VmafxPicture *pic, unsigned index, char *why, size_t n)
{
    LibavSource *s = impl;
    if (!s->pending) {
        int r = next_frame(s, index, why, n);
        if (r <= 0) return r;
    }
    s->pending = 0;
    convert_frame(&s->plan, s->frame, pic);
    av_frame_unref(s->frame);
    return 1;
}

static int libav_skip(void *impl, unsigned index, char *why, size_t n)
{
    LibavSource *s = impl;
    if (!s->pending) {
        int r = next_frame(s, index, why, n);
        if (r <= 0) return r;
    }
    s->pending = 0;
    av_frame_unref(s->frame);
    return 1;
}

static void libav_cancel(void *impl)
{
    url_io_cancel(((LibavSource *)impl)->io);
}

static void libav_close(void *impl)
{
    LibavSource *s = impl;
    avcodec_free_context(&s->dec);
    avformat_close_input(&s->fmt);
    av_packet_free(&s->pkt);
    av_frame_free(&s->frame);
    url_io_close(s->io);
    avlog_sink_destroy(&s->log);
    free(s);
}

static const SourceOps libav_ops = { libav_read, libav_skip, libav_cancel, libav_close };

static int open_container(LibavSource *s, const char *url, char *why, size_t n)
{
    if (!(s->fmt = avformat_alloc_context())) return -ENOMEM;
    s->fmt->pb = url_io_avio(s->io);
    s->fmt->flags |= AVFMT_FLAG_CUSTOM_IO;
    s->fmt->interrupt_callback = *url_io_interrupt(s->io);
    avlog_attach(s->fmt, &s->log);
    avlog_sink_clear(&s->log);
    int r = avformat_open_input(&s->fmt, url, NULL, NULL);
    if (r >= 0) r = avformat_find_stream_info(s->fmt, NULL);
    if (io_failure(s, why, n) < 0 || damaged(s, why, n) < 0) return -EIO;
    if (r < 0) {
        char cause[300];
        describe(s, r, cause, sizeof(cause));
        snprintf(why, n, "unknown or unreadable format: %s", cause);
        return -EINVAL;
    }
    return 0;
}

/* Frames the container announces, or duration × frame rate; 0 when it does not say.
 * Only for the progress line. */
static unsigned frames_expected(const LibavSource *s)
{
    const AVStream *st = s->fmt->streams[s->stream];
    if (st->nb_frames > 0) return (unsigned)st->nb_frames;
    double secs = st->duration > 0       ? st->duration * av_q2d(st->time_base)
                  : s->fmt->duration > 0 ? s->fmt->duration / (double)AV_TIME_BASE
                                         : 0;
    double fps = av_q2d(st->avg_frame_rate);
    return secs > 0 && fps > 0 ? (unsigned)(secs * fps + 0.5) : 0;
}

/* The stream's frame rate: the average the container states, else its base rate; 0 when
 * it states neither. */
static double stream_fps(const LibavSource *s)
{
    const AVStream *st = s->fmt->streams[s->stream];
    double fps = av_q2d(st->avg_frame_rate);
    if (!(fps > 0) || fps > 1000) fps = av_q2d(st->r_frame_rate);
    return fps > 0 && fps <= 1000 ? fps : 0;
}

static int open_decoder(LibavSource *s, char *why, size_t n)
{
    const AVCodec *codec = NULL;
    int st = av_find_best_stream(s->fmt, AVMEDIA_TYPE_VIDEO, -1, -1, &codec, 0);
    if (st == AVERROR_STREAM_NOT_FOUND) {
        for (unsigned i = 0; i < s->fmt->nb_streams; i++)
            if (s->fmt->streams[i]->codecpar->codec_id == AV_CODEC_ID_NONE) {
                snprintf(why, n, "no video stream FFmpeg can read (stream %u has an unknown codec)", i);
                return -ENOTSUP;
            }
        snprintf(why, n, "no video stream in it");
        return -EINVAL;
    }
    AVCodecParameters *par = s->fmt->streams[st < 0 ? 0 : st]->codecpar;
    if ((st < 0 || !codec) && par->codec_id == AV_CODEC_ID_NONE) {
        char tag[AV_FOURCC_MAX_STRING_SIZE];
        snprintf(why, n, "unsupported codec: FFmpeg does not know the video codec (tag %s)",
                 av_fourcc_make_string(tag, par->codec_tag));
        return -ENOTSUP;
    }
    if (st < 0 || !codec) {
        snprintf(why, n, "unsupported codec %s: this FFmpeg has no decoder for it",
                 avcodec_get_name(par->codec_id));
        return -ENOTSUP;
    }
    s->stream = st;
    for (unsigned i = 0; i < s->fmt->nb_streams; i++)
        if ((int)i != st) s->fmt->streams[i]->discard = AVDISCARD_ALL;
    if (!(s->dec = avcodec_alloc_context3(codec))) return -ENOMEM;
    avlog_attach(s->dec, &s->log);
    int r = avcodec_parameters_to_context(s->dec, par);
    s->dec->pkt_timebase = s->fmt->streams[st]->time_base;
    s->dec->thread_count = 0; /* as many as the decoder finds useful */
    /* fail on damage instead of concealing it: a concealed frame would be scored as if the
     * encoder had produced it */
    s->dec->err_recognition |= AV_EF_EXPLODE | AV_EF_CRCCHECK;
    if (r >= 0) r = avcodec_open2(s->dec, codec, NULL);
    if (r < 0) {
        char cause[300];
        describe(s, r, cause, sizeof(cause));
        snprintf(why, n, "cannot start the %s decoder: %s", codec->name, cause);
        return -EINVAL;
    }
    snprintf(s->what, sizeof(s->what), "%s in %s", codec->name, s->fmt->iformat->name);
    return 0;
}

/* The frame layout is only certain once a frame is decoded, so one is decoded here. */
static int first_frame(LibavSource *s, char *why, size_t n)
{
    s->plan.src = AV_PIX_FMT_NONE;
    int r = next_frame(s, 0, why, n);
    if (r == 0) {
        snprintf(why, n, "contains no video frames");
        return -EINVAL;
    }
    if (r < 0) return r;
    s->pending = 1;
    return convert_plan(&s->plan, s->frame->format, s->frame->width, s->frame->height, why, n);
}

int libav_source_open(SourceBackend *b, UrlIo *io, const char *url, const MediaOptions *opt, char *why,
                      size_t n)
{
    (void)opt;
    avlog_init();
    LibavSource *s = calloc(1, sizeof(*s));
    if (!s) {
        url_io_close(io);
        return -ENOMEM;
    }
    s->io = io;
    avlog_sink_init(&s->log);
    avlog_sink_damage_reset(&s->log);
    int r = -ENOMEM;
    if ((s->pkt = av_packet_alloc()) && (s->frame = av_frame_alloc()) &&
        !(r = open_container(s, url, why, n)) && !(r = open_decoder(s, why, n)))
        r = first_frame(s, why, n);
    if (r < 0) {
        libav_close(s);
        return r;
    }
    *b = (SourceBackend){ &libav_ops, s, s->plan.geo, s->what, io, frames_expected(s) };
    b->geo.fps = stream_fps(s);
    return 0;
}
