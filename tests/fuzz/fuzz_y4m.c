/* The y4m and raw yuv parsers (media/yuv_source.c) on a file descriptor stream, as local
 * files are read: every frame until the end or an error. Properties: an error always has a reason; a
 * frame is only ever returned whole (a truncated last frame is an error, never a frame);
 * geometry is sane. The first byte picks the mode: even = y4m, odd = raw yuv whose geometry
 * comes from the next two bytes (so raw frames of many layouts are tried). */
#include "fuzz.h"
#include "media/bytestream.h"
#include "media/source_impl.h"

static const enum VmafxPixelFormat FMTS[] = { VMAFX_PIX_FMT_YUV420P, VMAFX_PIX_FMT_YUV422P,
                                              VMAFX_PIX_FMT_YUV444P, VMAFX_PIX_FMT_YUV420P };
static const unsigned BPC[] = { 8, 10, 12, 16 };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 3) return 0;
    int raw = data[0] & 1;
    MediaOptions opt = { .label = "fuzz input" };
    if (raw) {
        opt.raw.w = 1 + data[1] % 40;
        opt.raw.h = 1 + data[2] % 24;
        opt.raw.fmt = FMTS[(data[0] >> 1) & 3];
        opt.raw.bpc = BPC[(data[0] >> 3) & 3];
    }
    char path[64];
    int fd = fuzz_memfile(data + 3, size - 3, path, sizeof(path));
    FdStream *f = NULL;
    if (fd_stream_open(&f, path, "fuzz input", NULL) < 0) abort();
    SourceBackend b = { 0 };
    char why[512] = "";
    int rc = yuv_source_open(&b, f, NULL, !raw, &opt, why, sizeof(why)); /* closes f */
    close(fd);
    if (rc < 0) {
        FUZZ_CHECK(why[0], "open failed without a reason");
        return 0;
    }
    FUZZ_CHECK(b.geo.w > 0 && b.geo.h > 0 && b.geo.w <= 1 << 16 && b.geo.h <= 1 << 16,
               "geometry %ux%u accepted", b.geo.w, b.geo.h);
    size_t frame = vmafx_picture_frame_bytes(b.geo.fmt, b.geo.bpc, b.geo.w, b.geo.h);
    FUZZ_CHECK(frame > 0, "zero-byte frames");
    VmafxPicture pic;
    if (vmafx_picture_alloc(&pic, b.geo.fmt, b.geo.bpc, b.geo.w, b.geo.h) == 0) {
        for (unsigned i = 0; i < 64; i++) { /* bounded: parsing, not volume */
            why[0] = 0;
            int got = b.ops->read(b.impl, &pic, i, why, sizeof(why));
            if (got < 0) FUZZ_CHECK(why[0], "read failed without a reason");
            if (got <= 0) break;
            /* a whole frame needs its bytes: at most (input / frame) frames can exist */
            FUZZ_CHECK((size_t)(i + 1) * frame <= size, "frame %u returned from %zu bytes", i, size);
        }
        vmafx_picture_free(&pic);
    }
    b.ops->close(b.impl);
    return 0;
}
