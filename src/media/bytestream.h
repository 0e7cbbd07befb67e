/* A sequential byte input, so the y4m / raw yuv parser reads local files through stdio (the
 * fast path) and URLs through libavformat's protocols with the same code. */
#ifndef VMAFX_MEDIA_BYTESTREAM_H
#define VMAFX_MEDIA_BYTESTREAM_H

#include <stddef.h>
#include <stdio.h>

typedef struct ByteStream {
    int    (*getc)(void *h);                         /* 0..255, or -1 at end or error */
    size_t (*read)(void *h, void *buf, size_t n);    /* fewer than n only at end or error */
    /* After a short read: 0 at a clean end, or a negative code with the reason in why. */
    int    (*status)(void *h, char *why, size_t n);
    void *h;
} ByteStream;

struct IntegrityVerifier;

typedef struct StdioStream {
    FILE *f;
    struct IntegrityVerifier *iv;
} StdioStream;

/* bs reads f through s (which must live as long as bs); every byte read is also fed to iv
 * when it is not NULL. */
void bytestream_stdio(ByteStream *bs, StdioStream *s, FILE *f, struct IntegrityVerifier *iv);

#endif
