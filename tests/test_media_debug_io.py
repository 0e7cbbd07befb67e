"""VMAFX_DEBUG_IO=1: one line per input with what the media layer read (reads, bytes, bytes
copied out of its own buffer, time blocked, histograms), and the read sizes it shows. A local
y4m or raw yuv has each frame read straight into the picture, one readv() a frame, and only the
header lines copied (glibc's stdio read 4 KiB at a time, ~70 read() calls per 576x324 frame,
and copied every byte; a 1 MiB buffer read 1 MiB at a time and copied every byte too). Through
an rclone mount (mode `mount`, FUSE), where each read() is a round trip, reads stay at least
512 KiB large. When no extractor reads U and V (the default model), a local file's chroma bytes
are passed over with a seek, never copied: `skipped` counts them, and a frame takes two reads
(its Y plane, then the next "FRAME" line)."""
import json, os, shutil, stat
from vmafx_testlib import Skip, pair_files, run
from media.mediatest import PAIR8, PAIR10, cached, debug_lines, ffmpeg, raw_copy, scratch

FRAMES8, FRAMES10 = 48, 24
FRAME8 = 576 * 324 * 3 // 2     # bytes of samples a frame, 8-bit 4:2:0
RAW8 = ['--width', '576', '--height', '324', '--pixel_format', '420', '--bitdepth', '8']
# What a local input may copy out of the stream's buffer: the y4m header and FRAME lines, and
# the few hundred bytes the first refill takes past them. Copying samples would be 13 MB here.
COPIED_MAX = 4096
LINE_READ = 256  # a local file's header read, which takes in the first samples with it


def score(env, ref, dis, extra_env=None, args=()):
    p = run([env.vmafx, 'score', '-r', ref, '-d', dis, '--json', '-o', '-', *args],
            env=dict(os.environ, **(extra_env or {})))
    return json.loads(p.stdout)['pooled_metrics'], p.stderr


def check_reads(lines, files, via, frames, chroma=0, per_frame=None):
    """chroma: bytes of U and V a frame that must have been passed over (0: all read), less
    what the first frame's header read took in with it; per_frame: reads a frame may take
    (default: one readv(), and one more for the "FRAME" line after a pass over)."""
    assert len(lines) == 2, lines
    for path in files:
        line = next((x for x in lines if x['input'].endswith('/' + os.path.basename(path))), None)
        assert line, f'no debug-io line for {path}: {lines}'
        size = os.path.getsize(path)
        assert line['via'] == via, line
        assert frames * chroma - LINE_READ < line['skipped'] <= frames * chroma, \
            f'{path}: {line["skipped"]} bytes skipped, not {frames * chroma}'
        assert line['bytes'] == size - line['skipped'], f'{path}: {line["bytes"]} bytes read of {size}'
        if via == 'fuse':
            # 1 MiB blocks, none under 512 KiB: a 13 MB file takes about 13 reads (4 KiB stdio reads: ~3,300)
            assert line['reads'] <= size // (512 << 10) + 3, f'{path}: {line["reads"]} reads for {size} bytes'
        else:
            # one readv() a frame (two with the chroma passed over), besides the header's (or
            # the peek's) and the one that finds the end
            per = per_frame or (2 if chroma else 1)
            assert line['reads'] <= per * frames + 2, f'{path}: {line["reads"]} reads for {frames} frames'
            assert line['copied'] <= COPIED_MAX, f'{path}: {line["copied"]} bytes copied out of the buffer'
        assert line['blocked_s'] <= line['open_s'], line
        # every read is in the latency histogram; the size histogram leaves out the one at the end
        assert sum(line['lat_us_log2'].values()) == line['reads'], line
        assert 0 <= line['reads'] - sum(line['size_log2'].values()) <= 1, line


def test_debug_io_local_y4m(env):
    ref, dis = pair_files(env, PAIR8)
    plain, err = score(env, ref, dis)
    assert 'debug-io' not in err, 'debug-io figures printed without VMAFX_DEBUG_IO'
    debug, err = score(env, ref, dis, {'VMAFX_DEBUG_IO': '1'})
    assert debug == plain, 'VMAFX_DEBUG_IO changed the scores'
    check_reads(debug_lines(err), (ref, dis), 'file', FRAMES8, FRAME8 // 3)


def test_debug_io_local_y4m_chroma_read(env):
    """With an extractor that reads U and V (psnr), every byte is read, one readv() a frame,
    and the model's score is the one the luma-only read gave."""
    ref, dis = pair_files(env, PAIR8)
    luma, _ = score(env, ref, dis)
    full, err = score(env, ref, dis, {'VMAFX_DEBUG_IO': '1'}, ('--feature', 'psnr'))
    assert full['vmaf'] == luma['vmaf'], (full['vmaf'], luma['vmaf'])
    assert full['psnr_cb']['mean'] < 100, full['psnr_cb']
    check_reads(debug_lines(err), (ref, dis), 'file', FRAMES8)


def test_debug_io_local_y4m_unpadded(env):
    """10-bit 576x324: every plane's rows fill the picture's (64-byte) stride, so the frame
    goes in as whole planes (8-bit chroma, 288 bytes in a 320-byte stride, goes row by row);
    a local file's 10-bit planes in reads of 128 KiB, each checked against the bit depth while
    in cache: the Y plane (373,248 bytes) in three, then the next "FRAME" line."""
    ref, dis = pair_files(env, PAIR10)
    plain, _ = score(env, ref, dis)
    debug, err = score(env, ref, dis, {'VMAFX_DEBUG_IO': '1'})
    assert debug == plain, 'VMAFX_DEBUG_IO changed the scores'
    luma_reads = -(-576 * 324 * 2 // (128 << 10))
    check_reads(debug_lines(err), (ref, dis), 'file', FRAMES10, 2 * FRAME8 // 3, per_frame=luma_reads + 1)


def test_debug_io_local_raw_yuv(env):
    """Raw yuv: the same scores as the y4m, each frame read straight into the picture."""
    ref, dis = pair_files(env, PAIR8)
    y4m, _ = score(env, ref, dis)
    rref, rdis = raw_copy(env, ref, f'{PAIR8}-ref.yuv'), raw_copy(env, dis, f'{PAIR8}-dis.yuv')
    assert os.path.getsize(rref) == FRAMES8 * FRAME8, 'raw copy of the wrong size'
    raw, err = score(env, rref, rdis, {'VMAFX_DEBUG_IO': '1'}, RAW8)
    assert raw == y4m, 'raw yuv scores differ from the y4m'
    check_reads(debug_lines(err), (rref, rdis), 'file', FRAMES8, FRAME8 // 3)


def test_debug_io_local_y4m_many_rows(env):
    """1366x768: every row padded (1366 and 683 bytes in 1408- and 704-byte strides), 1,536
    rows a frame, more iovecs than one readv() takes: two calls a frame. The scores equal the
    same frames decoded by libavformat from rawvideo in NUT, a path that shares none of this
    reading code."""
    frames = 6
    src = ['-f', 'lavfi', '-i', 'testsrc2=size=1366x768:rate=25', '-frames:v', frames, '-pix_fmt', 'yuv420p']
    ref = cached(env, 'testsrc2_1366x768-ref.y4m', lambda out: ffmpeg(*src, out))
    dis = cached(env, 'testsrc2_1366x768-dis.y4m', lambda out: ffmpeg(*src, '-vf', 'boxblur=2:1', out))
    nut = [cached(env, os.path.basename(p)[:-4] + '.nut', lambda out, p=p: ffmpeg('-i', p, '-c:v', 'rawvideo', out))
           for p in (ref, dis)]
    y4m, err = score(env, ref, dis, {'VMAFX_DEBUG_IO': '1'})
    decoded, _ = score(env, *nut)
    assert y4m == decoded, f'y4m read by readv() and rawvideo decoded differ: {y4m} {decoded}'
    check_reads(debug_lines(err), (ref, dis), 'file', frames, 1366 * 768 // 2, per_frame=2)


def test_debug_io_zero_is_off(env):
    ref, dis = pair_files(env, PAIR8)
    _, err = score(env, ref, dis, {'VMAFX_DEBUG_IO': '0'})
    assert 'debug-io' not in err, err[-300:]


def test_debug_io_through_mount(env):
    """Mount mode (rclone mount2 of the local backend): scores equal the local files', and the
    reads through FUSE are as large as from disk."""
    if not shutil.which('rclone') or not shutil.which('fusermount3'):
        raise Skip('rclone or fusermount3 is not installed')
    if not os.path.exists('/dev/fuse') or not stat.S_ISCHR(os.stat('/dev/fuse').st_mode):
        raise Skip('no /dev/fuse on this machine')
    ref, dis = pair_files(env, PAIR8)
    d = scratch(env, 'debug-io-mount')
    conf = os.path.join(d, 'rclone.conf')
    with open(conf, 'w') as f:
        f.write('[local]\ntype = local\n')
    extra = {'VMAFX_DEBUG_IO': '1', 'VMAFX_RCLONE_CONFIG': conf, 'VMAFX_MOUNT_ROOT': d,
             'VMAFX_STORAGE_CHECK_TIMEOUT': '30', 'TMPDIR': d}
    local, _ = score(env, ref, dis)
    mounted, err = score(env, 'local:' + ref, 'local:' + dis, extra, ('--storage-mode', 'mount'))
    assert mounted == local, 'scores through the mount differ from the local files'
    check_reads(debug_lines(err), (ref, dis), 'fuse', FRAMES8)
    with open('/proc/self/mountinfo') as f:
        left = [line for line in f if d in line]
    assert not left, f'mount left behind: {left}'
