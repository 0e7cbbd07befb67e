/* See libav_scan.h. */
#include <errno.h>
#include <stdlib.h>

#include "libav_api.h"
#include "libav_scan.h"

enum {
    SCAN_PAST_KEY = 16,  /* packets read past the next keyframe: its leading frames, if any */
    SCAN_MAX_GOP = 1000, /* packets read past upto when no keyframe comes */
};

static int push(PacketScan *ps, int64_t pts, int key)
{
    if (ps->n == ps->cap) {
        unsigned cap = ps->cap ? 2 * ps->cap : 1024;
        int64_t *p = realloc(ps->pts, cap * sizeof(*p));
        if (!p) return -ENOMEM;
        ps->pts = p;
        unsigned char *k = realloc(ps->key, cap);
        if (!k) return -ENOMEM;
        ps->key = k;
        ps->cap = cap;
    }
    ps->pts[ps->n] = pts;
    ps->key[ps->n++] = (unsigned char)key;
    return 0;
}

static int bounds(PacketScan *ps)
{
    if (!ps->n) return 0;
    ps->max_before = malloc(ps->n * sizeof(int64_t));
    ps->min_after = malloc(ps->n * sizeof(int64_t));
    if (!ps->max_before || !ps->min_after) return -ENOMEM;
    int64_t m = INT64_MIN;
    for (unsigned i = 0; i < ps->n; i++) {
        ps->max_before[i] = m;
        if (ps->pts[i] > m) m = ps->pts[i];
    }
    m = INT64_MAX;
    for (unsigned i = ps->n; i-- > 0;) {
        ps->min_after[i] = m;
        if (ps->pts[i] < m) m = ps->pts[i];
    }
    return 0;
}

int packet_scan(PacketScan *ps, AVFormatContext *fmt, int stream, AVPacket *pkt, unsigned upto)
{
    long next_key = -1; /* first keyframe after upto */
    int r;
    while ((r = av_read_frame(fmt, pkt)) >= 0) {
        if (pkt->stream_index != stream) {
            av_packet_unref(pkt);
            continue;
        }
        int64_t pts = pkt->pts;
        int key = (pkt->flags & AV_PKT_FLAG_KEY) != 0;
        av_packet_unref(pkt);
        if (pts == AV_NOPTS_VALUE) return -EINVAL;
        if ((r = push(ps, pts, key)) < 0) return r;
        unsigned i = ps->n - 1;
        if (key && i > upto && next_key < 0) next_key = i;
        if ((next_key >= 0 && i >= (unsigned)next_key + SCAN_PAST_KEY) || i >= upto + SCAN_MAX_GOP) break;
    }
    if (r < 0 && r != AVERROR_EOF) return r;
    return bounds(ps);
}

static int closed_key(const PacketScan *ps, unsigned d)
{
    return ps->key[d] && ps->max_before[d] < ps->pts[d] && ps->pts[d] < ps->min_after[d];
}

int packet_scan_keyframe(const PacketScan *ps, unsigned upto)
{
    for (unsigned d = upto < ps->n ? upto + 1 : ps->n; d-- > 0;)
        if (closed_key(ps, d)) return (int)d;
    return -1;
}

int packet_scan_find(const PacketScan *ps, int64_t pts, unsigned upto)
{
    for (unsigned d = 0; d < ps->n && d <= upto; d++)
        if (ps->pts[d] == pts) return closed_key(ps, d) ? (int)d : -1;
    return -1;
}

void packet_scan_free(PacketScan *ps)
{
    free(ps->pts);
    free(ps->key);
    free(ps->max_before);
    free(ps->min_after);
    *ps = (PacketScan){ 0 };
}
