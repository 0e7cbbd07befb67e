/* The stdio flavour of ByteStream (the libavformat one lives with url_io.c). */
#include <errno.h>

#include "base/integrity.h"
#include "bytestream.h"

static int stdio_getc(void *h)
{
    StdioStream *s = h;
    int c = fgetc(s->f);
    if (c != EOF && s->iv) {
        unsigned char b = (unsigned char)c;
        integrity_update(s->iv, &b, 1);
    }
    return c == EOF ? -1 : c;
}

static size_t stdio_read(void *h, void *buf, size_t n)
{
    StdioStream *s = h;
    size_t k = fread(buf, 1, n, s->f);
    if (s->iv) integrity_update(s->iv, buf, k);
    return k;
}

static int stdio_status(void *h, char *why, size_t n)
{
    if (!ferror(((StdioStream *)h)->f)) return 0;
    snprintf(why, n, "read error");
    return -EIO;
}

void bytestream_stdio(ByteStream *bs, StdioStream *s, FILE *f, IntegrityVerifier *iv)
{
    *s = (StdioStream){ f, iv };
    *bs = (ByteStream){ stdio_getc, stdio_read, stdio_status, s };
}
