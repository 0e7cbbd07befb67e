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
#include "libav_scan.h"
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
    /* a keyframe seek being checked (see libav_seek): the packets fed since, the first one's
     * decode and presentation time, and whether one of them broke the order */
    int checking, broken;
    unsigned seek_pkts;
    int64_t fed[64]; /* presentation times of the packets fed and not yet out as frames */
    unsigned nfed;
    int64_t seek_dts, key_pts;
    int64_t shift0;  /* presentation minus decode time of the first packet, NOPTS: unknown */
    int seen;        /* a packet of the stream was demuxed */
    int64_t pts0;    /* frame 0's presentation time */
    PacketScan scan; /* filled when a seek needs it (no frame index) */
    int use_scan;
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

/* After a keyframe seek: the first packet must be a keyframe (its decode time names its
 * sample), and every later one (decode order) must be presented after it, i.e. the GOP is
 * closed and the keyframe is the presentation frame its sample number says. */
static void check_packet(LibavSource *s, const AVPacket *p)
{
    if (s->seek_pkts++ == 0) {
        s->key_pts = p->pts;
        s->seek_dts = p->dts;
        /* mov's packets carry decode times (they name the sample); matroska's may not */
        if (!(p->flags & AV_PKT_FLAG_KEY) || (!s->use_scan && p->dts == AV_NOPTS_VALUE) ||
            p->pts == AV_NOPTS_VALUE)
            s->broken = 1;
    } else if (p->pts == AV_NOPTS_VALUE || p->pts <= s->key_pts) {
        s->broken = 1;
    }
    if (s->nfed == sizeof(s->fed) / sizeof(s->fed[0])) s->broken = 1;
    else s->fed[s->nfed++] = p->pts;
}

/* A frame out of the decoder after a seek must be the earliest-presented packet fed and not
 * yet out: a frame the decoder dropped (e.g. one it could not reconstruct) would otherwise
 * shift every later frame by one. */
static int next_in_order(LibavSource *s, int64_t pts)
{
    unsigned m = 0;
    for (unsigned i = 1; i < s->nfed; i++)
        if (s->fed[i] < s->fed[m]) m = i;
    if (!s->nfed || s->fed[m] != pts) return 0;
    s->fed[m] = s->fed[--s->nfed];
    return 1;
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
        if (s->checking) check_packet(s, s->pkt);
        if (!s->seen++)
            s->shift0 = s->pkt->pts == AV_NOPTS_VALUE || s->pkt->dts == AV_NOPTS_VALUE
                            ? AV_NOPTS_VALUE
                            : s->pkt->pts - s->pkt->dts;
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
    /* decoders give samples within the depth; a raw stream copied as is may not */
    return picture_check_depth(pic, index, why, n) < 0 ? -EINVAL : 1;
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

static int seek_time(LibavSource *s, int64_t ts);

/* Without a frame index (matroska, ...): back to frame 0 and a demux-only pass to the frame
 * (libav_scan.h) gives the keyframe to seek to. -1: nothing moved; SCAN_MOVED: the source
 * moved and must be opened again. */
#define SCAN_MOVED (-2)
static int scan_sample(LibavSource *s, unsigned frames, char *reason, size_t rn)
{
    if (!(s->fmt->pb->seekable & AVIO_SEEKABLE_NORMAL) || s->pts0 == AV_NOPTS_VALUE) {
        snprintf(reason, rn, "%s gives no frame positions and the input cannot be scanned",
                 s->fmt->iformat->name);
        return -1;
    }
    if (seek_time(s, s->pts0) < 0) {
        snprintf(reason, rn, "%s gives no frame positions and cannot go back to frame 0",
                 s->fmt->iformat->name);
        return SCAN_MOVED;
    }
    int r = packet_scan(&s->scan, s->fmt, s->stream, s->pkt, frames);
    /* the pass must have started at frame 0: a closed GOP's keyframe presented at pts0 */
    if (r < 0 || !s->scan.n || s->scan.pts[0] != s->pts0 || packet_scan_find(&s->scan, s->pts0, 0) != 0) {
        snprintf(reason, rn, "the packet scan of %s did not start at frame 0", s->fmt->iformat->name);
        return SCAN_MOVED;
    }
    int key = packet_scan_keyframe(&s->scan, frames);
    if (key < 0) {
        snprintf(reason, rn, "no closed-GOP keyframe up to frame %u", frames);
        return SCAN_MOVED;
    }
    s->use_scan = 1;
    return key;
}

/* The sample a seek to frame `frames` starts at: the last keyframe at or before it in an
 * mp4/mov sample table, which lists every frame in decode order, so that with a closed GOP
 * keyframe sample k is presentation frame k (checked while decoding, see check_packet).
 * Other containers: scan_sample. -1 (or SCAN_MOVED) with the reason when there is none. */
static int seek_sample(LibavSource *s, unsigned frames, char *reason, size_t rn)
{
    AVStream *st = s->fmt->streams[s->stream];
    if (!strstr(s->fmt->iformat->name, "mov")) return scan_sample(s, frames, reason, rn);
    int cnt = avformat_index_get_entries_count(st);
    if (cnt <= (int)frames || (st->nb_frames > 0 && st->nb_frames != cnt)) {
        snprintf(reason, rn, "the sample table does not list every frame");
        return -1;
    }
    int key = 0;
    int64_t prev = INT64_MIN;
    for (int i = 0; i <= (int)frames; i++) {
        const AVIndexEntry *e = avformat_index_get_entry(st, i);
        if (!e || e->timestamp <= prev || (e->flags & AVINDEX_DISCARD_FRAME)) {
            snprintf(reason, rn, "the sample table is out of order or an edit list drops frames");
            return -1;
        }
        prev = e->timestamp;
        if (e->flags & AVINDEX_KEYFRAME) key = i;
    }
    if (!key) snprintf(reason, rn, "the nearest keyframe is the first frame");
    return key ? key : -1;
}

/* The sample whose decode time is dts, among the first `upto` + 1 (in order, checked by
 * seek_sample); -1 if none. */
static int sample_of(const LibavSource *s, int64_t dts, unsigned upto)
{
    AVStream *st = s->fmt->streams[s->stream];
    for (unsigned i = 0; i <= upto; i++) {
        const AVIndexEntry *e = avformat_index_get_entry(st, (int)i);
        if (e->timestamp == dts) return (e->flags & AVINDEX_KEYFRAME) ? (int)i : -1;
    }
    return -1;
}

/* Decodes from where the seek landed to frame `frames`, which is left pending for the next
 * read. The first packet's decode time says which keyframe sample that is (mov treats the
 * seek's time as a presentation time and may land on an earlier keyframe); *key gets it.
 * -1 with the reason when anything does not check out. */
static int decode_to(LibavSource *s, unsigned frames, int *key, char *reason, size_t rn)
{
    char why[512];
    int64_t last = AV_NOPTS_VALUE;
    for (unsigned i = 0;; i++) {
        int r = next_frame(s, i, why, sizeof(why));
        if (r <= 0 && s->broken) break; /* a leading frame of an open GOP may not decode */
        if (r <= 0) {
            snprintf(reason, rn, "decoding after the seek failed (%.200s)", r ? why : "the stream ended");
            return -1;
        }
        if (i == 0 && !s->broken &&
            (*key = s->use_scan ? packet_scan_find(&s->scan, s->key_pts, frames)
                                : sample_of(s, s->seek_dts, frames)) < 0) {
            snprintf(reason, rn, "the seek did not land on a keyframe at or before frame %u", frames);
            return -1;
        }
        int64_t pts = s->frame->pts;
        if (s->broken || pts == AV_NOPTS_VALUE || (i == 0 ? pts != s->key_pts : pts <= last) ||
            !next_in_order(s, pts))
            break;
        last = pts;
        if ((unsigned)*key + i == frames) {
            s->pending = 1;
            s->checking = 0;
            return 0;
        }
        av_frame_unref(s->frame);
    }
    snprintf(reason, rn, "the frames after the keyframe are not in order (open GOP?)");
    return -1;
}

/* Seeks to time ts; 0 or the demuxer's error. */
static int seek_time(LibavSource *s, int64_t ts)
{
    avlog_sink_clear(&s->log);
    return av_seek_frame(s->fmt, s->stream, ts, AVSEEK_FLAG_BACKWARD);
}

/* The sample a seek to time ts lands on (demuxing one packet, decoding nothing), -1 if it is
 * no keyframe at or before frame upto. */
static int landing(LibavSource *s, int64_t ts, unsigned upto)
{
    if (seek_time(s, ts) < 0) return -1;
    int r;
    while ((r = av_read_frame(s->fmt, s->pkt)) >= 0 && s->pkt->stream_index != s->stream)
        av_packet_unref(s->pkt);
    int64_t dts = r >= 0 ? s->pkt->dts : AV_NOPTS_VALUE;
    av_packet_unref(s->pkt);
    return dts == AV_NOPTS_VALUE ? -1 : sample_of(s, dts, upto);
}

/* mov takes the seek's time as a presentation time (and shifts it by its composition
 * shift), so sample k's decode time plus the first packet's presentation delay (a keyframe's
 * reorder delay, the same for every closed GOP) usually lands on sample k; where it does
 * not, the decode time itself lands on k or an earlier keyframe. Either way decode_to
 * checks where it landed. */
static int64_t seek_target(LibavSource *s, int key, unsigned frames)
{
    int64_t dts = avformat_index_get_entry(s->fmt->streams[s->stream], key)->timestamp;
    if (s->shift0 != AV_NOPTS_VALUE && s->shift0 > 0 && landing(s, dts + s->shift0, frames) == key)
        return dts + s->shift0;
    return dts;
}

/* Says the frames before are decoded from the start, and why. */
static void from_start(SeekNote *note, unsigned frames, const char *reason)
{
    snprintf(note->text, sizeof(note->text), "decoded %u frames from the start: %s", frames, reason);
    snprintf(note->fallback, sizeof(note->fallback), "%s", reason);
}

static int libav_seek(void *impl, unsigned frames, SeekNote *note, char *why, size_t n)
{
    (void)why;
    (void)n;
    LibavSource *s = impl;
    char reason[400], failed[300];
    int key = seek_sample(s, frames, reason, sizeof(reason));
    if (key < 0) {
        from_start(note, frames, reason);
        /* -1: the source stands at frame 0, skipping decodes from there */
        return key == SCAN_MOVED ? SOURCE_REOPEN : 0;
    }
    int r = seek_time(s, s->use_scan ? s->scan.pts[key] : seek_target(s, key, frames));
    if (r < 0) {
        describe(s, r, failed, sizeof(failed));
        snprintf(reason, sizeof(reason), "the seek to keyframe %d failed (%s)", key, failed);
        from_start(note, frames, reason);
        return SOURCE_REOPEN;
    }
    avcodec_flush_buffers(s->dec);
    av_frame_unref(s->frame);
    s->pending = s->draining = s->broken = 0;
    s->seek_pkts = s->nfed = 0;
    s->checking = 1;
    if (decode_to(s, frames, &key, reason, sizeof(reason)) < 0) {
        from_start(note, frames, reason);
        return SOURCE_REOPEN;
    }
    const char *how = s->use_scan ? "packet scan" : "sample table";
    if (!key) { /* landed on frame 0 (one keyframe in the stream): exact, but no faster */
        snprintf(reason, sizeof(reason), "the nearest keyframe is the first frame (%s)", how);
        from_start(note, frames, reason);
        return (int)frames;
    }
    snprintf(note->text, sizeof(note->text), "seeked to keyframe %d (%s), decoded %u frames before frame %u",
             key, how, frames - (unsigned)key, frames);
    return (int)frames;
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
    packet_scan_free(&s->scan);
    url_io_close(s->io);
    avlog_sink_destroy(&s->log);
    free(s);
}

static const SourceOps libav_ops = { libav_read, libav_skip, libav_seek, libav_cancel, libav_close };

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
    s->pts0 = s->frame->pts;
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
