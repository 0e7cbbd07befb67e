/* A demux-only pass over a container's packets (no decoding): each packet's presentation time
 * and keyframe flag in decode order, so that a chunk can seek where the container has no frame
 * index (matroska's cues give keyframe times only). A keyframe at decode position d is
 * presentation frame d when every packet before it is presented before it and every packet
 * after it (as far as scanned) after it: a closed GOP. */
#ifndef VMAFX_MEDIA_LIBAV_SCAN_H
#define VMAFX_MEDIA_LIBAV_SCAN_H

#include <stdint.h>
#include <libavformat/avformat.h>

typedef struct PacketScan {
    int64_t *pts;                    /* per packet of the stream, decode order */
    int64_t *max_before, *min_after; /* over pts[0..i) and pts(i..n) */
    unsigned char *key;
    unsigned n, cap;
} PacketScan;

/* Reads fmt's packets of stream from its current position until a little past the first
 * keyframe after packet upto (or the end); pkt is scratch. 0, or <0 on a read error or a
 * packet without a presentation time. */
int packet_scan(PacketScan *ps, AVFormatContext *fmt, int stream, AVPacket *pkt, unsigned upto);
/* The last keyframe at or before packet upto that is a closed GOP's first, -1 if none. */
int packet_scan_keyframe(const PacketScan *ps, unsigned upto);
/* The packet presented at pts if it is such a keyframe at or before upto, else -1. */
int packet_scan_find(const PacketScan *ps, int64_t pts, unsigned upto);
void packet_scan_free(PacketScan *ps);

#endif
