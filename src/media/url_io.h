/* Byte input through libavformat's protocols (http, https, file, ...), with the failure
 * semantics vmafx needs: a stall (no byte for N seconds) is an error; an HTTP body shorter
 * than announced is an error, never a clean end; a transfer cut on a resource that takes
 * range requests resumes where it stopped, a bounded number of times, with backoff, logged,
 * and only after checking that the server really resumed at that byte. */
#ifndef VMAFX_MEDIA_URL_IO_H
#define VMAFX_MEDIA_URL_IO_H

#include <stddef.h>
#include <libavformat/avio.h>

#include "bytestream.h"
#include "media.h"

typedef struct UrlIo UrlIo;

/* Opens url for reading (the connection is made here, so 404/403/5xx are reported here).
 * opt gives the stall timeout, retries and the log hook; name prefixes log lines. */
int url_io_open(UrlIo **out, const char *url, const char *name, const MediaOptions *opt, char *why, size_t n);
void url_io_close(UrlIo *io);
/* Asks a blocked read to give up (thread-safe). */
void url_io_cancel(UrlIo *io);
/* The reading side: an AVIOContext for a demuxer, or a ByteStream for the y4m parser. */
AVIOContext *url_io_avio(UrlIo *io);
void url_io_bytestream(UrlIo *io, ByteStream *bs);
/* The interrupt callback the demuxer should use (honours url_io_cancel). */
const AVIOInterruptCB *url_io_interrupt(UrlIo *io);
/* 0 if no read failed yet, else the failure's code with its description in why. */
int url_io_error(const UrlIo *io, char *why, size_t n);
/* The last seek that failed ("seek to byte N failed: ..."), "" if none: a demuxer may recover
 * from it, so it is only worth showing when demuxing then fails. */
const char *url_io_seek_error(const UrlIo *io);
/* At the clean end of the stream, with opt->integrity given: reads what was not read in order
 * (e.g. an mp4 index at the end, read first) so the verifier has seen every byte. */
int url_io_complete(UrlIo *io, char *why, size_t n);
/* Reads up to n bytes from the start without consuming them (for sniffing the format). */
int url_io_peek(UrlIo *io, unsigned char *buf, int n);
/* Offset of the next byte the reader gets; the length the server announced (-1: unknown). */
int64_t url_io_tell(UrlIo *io);
int64_t url_io_size(const UrlIo *io);
/* Moves the reader to byte target: for http a new connection with a Range request (refused
 * by libavformat when the server answers from another byte, e.g. 200 for the whole object),
 * short distances by reading. On failure the reader stays where it was and why says why. */
int url_io_seek_to(UrlIo *io, int64_t target, char *why, size_t n);
/* Reads up to n bytes at the reader's position without consuming them. */
int url_io_peek_here(UrlIo *io, unsigned char *buf, int n);

#endif
