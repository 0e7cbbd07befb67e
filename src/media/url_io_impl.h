/* Inside url_io: the state of a transfer, shared by url_io.c (reading and seeking),
 * url_retry.c (resuming a cut transfer) and url_errors.c (saying what went wrong). */
#ifndef VMAFX_MEDIA_URL_IO_IMPL_H
#define VMAFX_MEDIA_URL_IO_IMPL_H

#include <stdatomic.h>
#include <stdint.h>

#include "url_io.h"

struct IntegrityVerifier;
struct IoStats;

enum {
    IO_BUF = 1 << 18, /* outer buffer: large reads keep the per-call overhead low */
    OVERLAP = 256,    /* bytes re-read on resume to prove the server resumed right */
    BACKOFF_FIRST_MS = 250,
    BACKOFF_MAX_MS = 4000,
};

struct UrlIo {
    char *url, *name;
    int is_http;
    char *ca_file;                /* https: verify against this bundle (NULL: the system's) */
    struct IntegrityVerifier *iv; /* fed every byte delivered, at its offset; may be NULL */
    AVIOContext *inner, *outer;
    int64_t pos;  /* offset of the next byte the inner connection yields */
    int64_t size; /* announced length, -1 if unknown */
    int seekable, resumable, at_end;
    unsigned retries, total; /* resumes allowed and done over the whole transfer */
    int64_t stall_us;
    void (*log)(void *user, const char *msg);
    void *log_user;
    AVIOInterruptCB icb;
    atomic_int cancel;
    int err; /* sticky: once a read failed, every later read fails alike */
    char why[400];
    char seek_why[320]; /* the last failed seek, if any */
    unsigned char tail[OVERLAP];
    size_t tail_len;
    struct IoStats *stats; /* VMAFX_DEBUG_IO figures of the inner reads, NULL when off */
};

/* Opens the inner connection at byte offset (a Range request for http). */
int url_open_inner(UrlIo *io, int64_t offset);
/* Accounts for n bytes handed to the reader: position, integrity, the resume overlap. */
void url_delivered(UrlIo *io, const unsigned char *buf, int n);

/* url_retry.c: failures a new connection may cure, and curing them (or url_fail). */
int url_transient(int code);
int url_resume(UrlIo *io, int cause);

/* url_errors.c */
void url_cause_text(int code, char *buf, size_t n);
int url_premature(const UrlIo *io);
/* Records the failure (sticky) with its description; returns code. */
int url_fail(UrlIo *io, int code);
int url_fail_msg(UrlIo *io, int code, const char *msg);

#endif
