/* YUV4MPEG2 header parsing. */
#ifndef VMAFX_MEDIA_Y4M_H
#define VMAFX_MEDIA_Y4M_H

#include "bytestream.h"
#include "media.h"

/* Parses the stream header line; 0 or negative with a reason in why. */
int y4m_read_header(const ByteStream *bs, MediaGeometry *geo, char *why, size_t n);
/* Reads a "FRAME[ params]\n" line: 1 = frame follows, 0 = clean end, <0 = error (a read
 * error of the stream is reported by the stream's status(), not here). */
int y4m_read_frame_header(const ByteStream *bs, char *why, size_t n);

#endif
