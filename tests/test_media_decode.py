"""Decoding inside vmafx (libavformat/libavcodec): the encoded dis.mkv of every conformance
pair must give that pair's golden output exactly; encodes in other containers and codecs,
made here with ffmpeg, must score exactly as what the ffmpeg command line decodes from them;
pixel layouts are only rearranged (nv12, yuyv422, yuvj420p, big-endian ...); damaged,
cut-short and unknown inputs fail with one line naming the input."""
import os
from vmafx_testlib import run, pairs, pair_files, compare_json
from media.mediatest import (PAIR8, PAIR10, cached, clip, encode, decode_y4m, ffmpeg, score,
                             same_scores, scratch, error_line, y4m_split, y4m_write)

# the sanitizer build decodes these: x264 8-bit, x264 10-bit 4:2:2, x265 12-bit, odd size 4:4:4
QUICK_PAIRS = {'testsrc2_576x324_crf35', 'clouds_352x288_422p10_crf32',
               'clouds_176x144_p12_x265crf30', 'testsrc2_301x173_444_crf35'}


def check_golden_mkv(env, pair):
    ref, _ = pair_files(env, pair)
    mkv = os.path.join(env.shared, 'conformance', pair, 'dis.mkv')
    out = os.path.join(scratch(env, 'golden-' + pair), 'r.json')
    score(env, ['-r', ref, '-d', mkv], out)
    compare_json(os.path.join(env.shared, 'conformance', pair, 'golden', 'vmaf_v0.6.1.json'), out,
                 f'{pair}/dis.mkv')


def src8(env):
    return clip(env, PAIR8, 'ref', 0, 16)


def src10(env):
    return clip(env, PAIR10, 'ref', 0, 12)


# name -> (source, ffmpeg encoding arguments, pixel format of the ffmpeg-decoded .y4m)
ENCODES = {
    'h264.mp4': (src8, ['-c:v', 'libx264', '-crf', '32', '-g', '8', '-bf', '2'], None),
    'h264.ts': (src8, ['-c:v', 'libx264', '-crf', '32', '-g', '8'], None),
    'vp9.webm': (src8, ['-c:v', 'libvpx-vp9', '-crf', '45', '-b:v', '0', '-deadline', 'realtime',
                        '-cpu-used', '8'], None),
    'prores.mov': (src8, ['-c:v', 'prores_ks', '-profile:v', '0'], None),
    'ffv1-10bit.mkv': (src10, ['-c:v', 'ffv1', '-level', '3', '-slicecrc', '1'], None),
    'hevc-10bit.mkv': (src10, ['-c:v', 'libx265', '-crf', '32', '-preset', 'ultrafast',
                               '-x265-params', 'log-level=error', '-pix_fmt', 'yuv420p10le'], None),
    'av1.mkv': (src8, ['-c:v', 'libaom-av1', '-cpu-used', '8', '-crf', '50', '-b:v', '0',
                       '-row-mt', '1'], None),
    # decoders that hand over other layouts: rawvideo keeps the stored one
    'nv12.nut': (src8, ['-pix_fmt', 'nv12', '-c:v', 'rawvideo'], 'yuv420p'),
    'yuyv422.nut': (src8, ['-pix_fmt', 'yuyv422', '-c:v', 'rawvideo'], 'yuv422p'),
    'yuv420p10be.nut': (src10, ['-pix_fmt', 'yuv420p10be', '-c:v', 'rawvideo'], 'yuv420p10le'),
    # full-range input declared as such, so ffmpeg leaves the values alone
    'yuvj420p.nut': (src8, ['-vf', 'scale=in_range=pc:out_range=pc', '-pix_fmt', 'yuvj420p',
                            '-c:v', 'rawvideo'], 'yuv420p'),
}
QUICK_ENCODES = {'h264.mp4', 'hevc-10bit.mkv', 'nv12.nut', 'yuv420p10be.nut'}


def check_encode(env, name):
    """In-process decoding scores exactly as the ffmpeg command line's decoding of the same
    file, against a reference in the decoded layout."""
    make_src, args, dec_fmt = ENCODES[name]
    enc = encode(env, name, make_src(env), *args)
    dec = decode_y4m(env, name + '.y4m', enc, dec_fmt)
    ref = decode_y4m(env, name + '.ref.y4m', make_src(env),
                     dec_fmt or _native_layout(env, dec))
    d = scratch(env, 'enc-' + name)
    a, _ = score(env, ['-r', ref, '-d', enc], os.path.join(d, 'decoded-here.json'))
    b, _ = score(env, ['-r', ref, '-d', dec], os.path.join(d, 'decoded-by-ffmpeg.json'))
    same_scores(a, b, name)
    assert len(a['frames']) == len(y4m_frames_of(dec)), f'{name}: frame count'


def y4m_frames_of(path):
    from media.mediatest import y4m_split
    return y4m_split(path)[1]


def _native_layout(env, y4m):
    head = open(y4m, 'rb').readline().decode()
    tag = next((t[1:] for t in head.split() if t.startswith('C')), '420jpeg')
    return {'420jpeg': 'yuv420p', '420': 'yuv420p', '422': 'yuv422p', '444': 'yuv444p',
            '420p10': 'yuv420p10le', '422p10': 'yuv422p10le', '444p10': 'yuv444p10le'}[tag]


def test_convert_layouts(env):
    """Every YUV layout libav has, rearranged without changing a value (tests/media/convert_check.c)."""
    p = run([env.bin('tests', 'media', 'media-convert-check')], check=False, timeout=60)
    assert p.returncode == 0, p.stdout[-2000:]


def test_refuses_rgb(env):
    enc = encode(env, 'rgb24.nut', src8(env), '-pix_fmt', 'rgb24', '-c:v', 'rawvideo')
    out = os.path.join(scratch(env, 'rgb'), 'r.json')
    _, p = score(env, ['-r', src8(env), '-d', enc], out, check=False)
    error_line(p, 'distorted input', 'rgb24', 'not YUV')
    assert not os.path.exists(out)


def test_unknown_format(env):
    d = scratch(env, 'unknown')
    bad = os.path.join(d, 'noise.mp4')
    with open(bad, 'wb') as f:
        f.write(bytes((i * 131 + 7) % 251 for i in range(200000)))
    _, p = score(env, ['-r', src8(env), '-d', bad], os.path.join(d, 'r.json'), check=False)
    error_line(p, f'distorted input {bad}', 'unknown or unreadable format')


def test_no_video_stream(env):
    d = scratch(env, 'audio')
    wav = os.path.join(d, 'tone.mkv')
    ffmpeg('-f', 'lavfi', '-i', 'sine=duration=0.5', '-c:a', 'pcm_s16le', wav)
    _, p = score(env, ['-r', src8(env), '-d', wav], os.path.join(d, 'r.json'), check=False)
    error_line(p, 'distorted input', 'no video stream')


def test_unknown_codec_track_dropped(env):
    """A matroska track whose CodecID FFmpeg does not know is dropped by the demuxer."""
    d = scratch(env, 'codec')
    mkv = encode(env, 'h264.mkv', src8(env), '-c:v', 'libx264', '-crf', '32')
    data = open(mkv, 'rb').read()
    assert b'V_MPEG4/ISO/AVC' in data
    bad = os.path.join(d, 'x.mkv')
    open(bad, 'wb').write(data.replace(b'V_MPEG4/ISO/AVC', b'V_VMAFX/NOCODE', 1))
    _, p = score(env, ['-r', src8(env), '-d', bad], os.path.join(d, 'r.json'), check=False)
    error_line(p, f'distorted input {bad}', 'no video stream')


def test_unsupported_codec(env):
    """A codec this FFmpeg can encode but not decode (C64 multicolor), stored in NUT."""
    d = scratch(env, 'codec2')
    bad = os.path.join(d, 'a64.nut')
    ffmpeg('-f', 'lavfi', '-i', 'testsrc2=s=320x200:d=0.2', '-c:v', 'a64multi', '-pix_fmt', 'gray', bad)
    _, p = score(env, ['-r', src8(env), '-d', bad], os.path.join(d, 'r.json'), check=False)
    error_line(p, f'distorted input {bad}', 'unsupported codec')


def test_raw_stream_above_bit_depth(env):
    """10-bit rawvideo in NUT is copied as stored: a sample above 1023 is refused as in a y4m,
    naming the frame and the sample, instead of scoring differently on each kernel level."""
    d = scratch(env, 'depth')
    head, frames = y4m_split(src10(env))
    w = int(head.split(b' W')[1].split()[0])
    fr = bytearray(frames[2])
    at = 2 * (7 * w + 9)
    fr[at:at + 2] = (1024).to_bytes(2, 'little')
    frames[2] = bytes(fr)
    bad_y4m = os.path.join(d, 'bad.y4m')
    y4m_write(bad_y4m, head, frames)
    nut = os.path.join(d, 'bad.nut')
    ffmpeg('-i', bad_y4m, '-c:v', 'copy', nut)
    _, p = score(env, ['-r', src10(env), '-d', nut], os.path.join(d, 'r.json'), check=False)
    error_line(p, f'distorted input {nut}', 'frame 2: sample 1024 at row 7, column 9 of the Y plane',
               '10-bit maximum 1023')


def test_decoder_error_mid_stream(env):
    """Garbage in the middle of the coded data: the decoder's error stops the run instead of
    a concealed frame being scored."""
    d = scratch(env, 'corrupt')
    mp4 = encode(env, 'h264-faststart.mp4', src8(env), '-c:v', 'libx264', '-crf', '20', '-g', '100',
                 '-movflags', '+faststart')
    data = bytearray(open(mp4, 'rb').read())
    at = len(data) * 3 // 4
    data[at:at + 400] = bytes((i * 97 + 13) % 256 for i in range(400))
    bad = os.path.join(d, 'corrupt.mp4')
    open(bad, 'wb').write(bytes(data))
    out = os.path.join(d, 'r.json')
    _, p = score(env, ['-r', src8(env), '-d', bad], out, check=False)
    line = error_line(p, f'distorted input {bad}')
    assert 'decod' in line or 'damaged' in line, line
    assert not os.path.exists(out)


def check_truncated(env, name, *needles):
    make_src, args, _ = ENCODES.get(name, (src8, ['-c:v', 'libx264', '-crf', '32'], None))
    enc = encode(env, name, make_src(env), *args)
    d = scratch(env, 'cut-' + name)
    cut = os.path.join(d, 'cut-' + name)
    data = open(enc, 'rb').read()
    open(cut, 'wb').write(data[:len(data) * 6 // 10])
    _, p = score(env, ['-r', make_src(env), '-d', cut], os.path.join(d, 'r.json'), check=False)
    error_line(p, f'distorted input {cut}', *needles)


def test_truncated_mkv(env):
    check_truncated(env, 'h264.mkv', 'cut short')


def test_truncated_webm(env):
    check_truncated(env, 'vp9.webm', 'cut short')


def test_truncated_mp4_faststart(env):
    check_truncated(env, 'h264-faststart.mp4')


def test_truncated_y4m_without_its_extension(env):
    """A cut .y4m behind a name without the y4m extension is still parsed as y4m."""
    d = scratch(env, 'cut-y4m')
    data = open(src8(env), 'rb').read()
    cut = os.path.join(d, 'clip.bin')
    open(cut, 'wb').write(data[:-5000])
    _, p = score(env, ['-r', src8(env), '-d', cut], os.path.join(d, 'r.json'), check=False)
    error_line(p, 'distorted input', 'truncated frame 15')


def test_fewer_frames_in_container(env):
    """A clean input with fewer frames: the common frames are scored, both counts reported."""
    enc = encode(env, 'h264-10frames.mkv', src8(env), '-frames:v', '10', '-c:v', 'libx264', '-crf', '30')
    out = os.path.join(scratch(env, 'fewer'), 'r.json')
    rep, p = score(env, ['-r', src8(env), '-d', enc], out)
    assert 'warning' in p.stderr and '16 frames' in p.stderr and 'has 10' in p.stderr, p.stderr
    assert len(rep['frames']) == 10
    assert rep['input_frames'] == {'reference': 16, 'distorted': 10}


def cases(env):
    for pair in pairs(env):
        if os.path.exists(os.path.join(env.shared, 'conformance', pair, 'dis.mkv')):
            if not env.quick or pair in QUICK_PAIRS:
                yield f'golden_mkv/{pair}', (lambda p=pair: check_golden_mkv(env, p))
    for name in ENCODES:
        if not env.quick or name in QUICK_ENCODES:
            yield f'encode/{name}', (lambda n=name: check_encode(env, n))
