/* media-integrity-check INPUT SIZE MD5|- [SKIP] : reads every frame of INPUT through the media
 * layer with an integrity verifier expecting SIZE bytes and that MD5 ("-": size only), and
 * prints "ok" or the one-line error; exit 0 or 1. SKIP: frames passed over at open, as a
 * chunk of a job does (tests/test_media_seek.py). Used by tests/test_media_integrity.py,
 * locally and over HTTP. */
#include <stdio.h>
#include <stdlib.h>

#include "base/integrity.h"
#include "media/media.h"

int main(int argc, char **argv)
{
    if (argc != 4 && argc != 5) {
        fprintf(stderr, "usage: media-integrity-check INPUT SIZE MD5|- [SKIP]\n");
        return 2;
    }
    IntegrityVerifier v;
    int hashed = argv[3][0] != '-';
    if (integrity_init(&v, strtoll(argv[2], NULL, 10), hashed ? HASH_MD5 : HASH_NONE,
                       hashed ? argv[3] : NULL)) {
        fprintf(stderr, "bad MD5 %s\n", argv[3]);
        return 2;
    }
    MediaOptions o = { .label = "input", .http_retries = 3, .integrity = &v };
    if (argc == 5) o.skip_frames = (unsigned)strtoul(argv[4], NULL, 10);
    char err[1024];
    FrameSource *s;
    if (media_open(&s, argv[1], &o, err, sizeof(err))) {
        printf("%s\n", err);
        return 1;
    }
    const MediaGeometry *g = media_geometry(s);
    VmafxPicture pic;
    int r = vmafx_picture_alloc(&pic, g->fmt, g->bpc, g->w, g->h);
    if (r) snprintf(err, sizeof(err), "out of memory");
    else
        while ((r = media_read(s, &pic, err, sizeof(err))) == 1) {}
    printf("%s\n", r == 0 ? "ok" : err);
    vmafx_picture_free(&pic);
    media_close(s);
    return r == 0 ? 0 : 1;
}
