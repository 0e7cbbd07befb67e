"""Different sizes and misaligned starts. Scaling uses libswscale with bit-exact flags, so it
must equal ffmpeg's scale filter with the same method; the report's note and stderr say what
was done. --sync auto[:N] finds the offset that a test built in, applies it (equal to the
matching --frame_skip_*) and reports it."""
import os
from vmafx_testlib import pair_files, run
from media.mediatest import (PAIR8, PAIR10, cached, clip, ffmpeg, score, same_scores, scratch,
                             error_line, y4m_split, y4m_write)


def scaled(env, src, w, h, flags, name):
    return cached(env, name, lambda out: ffmpeg('-i', src, '-vf', f'scale={w}:{h}:flags={flags}',
                                                '-strict', '-1', '-f', 'yuv4mpegpipe', out))


def small_dis(env, pair=PAIR8, frames=16):
    dis = clip(env, pair, 'dis', 0, frames)
    return scaled(env, dis, 288, 162, 'bicubic', f'{pair}-dis-288x162.y4m')


def check_method(env, method):
    ref = clip(env, PAIR8, 'ref', 0, 16)
    small = small_dis(env)
    up = scaled(env, small, 576, 324, f'{method}+accurate_rnd+bitexact', f'dis-up-{method}.y4m')
    d = scratch(env, 'scale-' + method)
    args = ['--scale', method] if method != 'bicubic' else []
    a, p = score(env, ['-r', ref, '-d', small] + args, os.path.join(d, 'a.json'))
    b, _ = score(env, ['-r', ref, '-d', up], os.path.join(d, 'b.json'))
    same_scores(a, b, f'--scale {method} vs ffmpeg scale')
    note = f'distorted scaled from 288x162 to 576x324 ({method})'
    assert a['note'] == note, a.get('note')
    assert note in p.stderr, p.stderr
    return a


def test_scale_bicubic_default(env):
    check_method(env, 'bicubic')


def test_scale_bilinear(env):
    check_method(env, 'bilinear')


def test_scale_lanczos(env):
    check_method(env, 'lanczos')


def test_scale_none_refuses(env):
    ref = clip(env, PAIR8, 'ref', 0, 16)
    _, p = score(env, ['-r', ref, '-d', small_dis(env), '--scale', 'none'],
                 os.path.join(scratch(env, 'scale-none'), 'r.json'), check=False)
    error_line(p, '576x324', '288x162', '--scale none')


def test_scale_to_both(env):
    ref = clip(env, PAIR8, 'ref', 0, 16)
    small = small_dis(env)
    flags = 'bicubic+accurate_rnd+bitexact'
    ref_to = scaled(env, ref, 320, 180, flags, 'ref-320x180.y4m')
    dis_to = scaled(env, small, 320, 180, flags, 'dis-320x180.y4m')
    d = scratch(env, 'scale-to')
    a, _ = score(env, ['-r', ref, '-d', small, '--scale-to', '320x180'], os.path.join(d, 'a.json'))
    b, _ = score(env, ['-r', ref_to, '-d', dis_to], os.path.join(d, 'b.json'))
    same_scores(a, b, '--scale-to vs ffmpeg scale')
    assert a['note'] == ('reference scaled from 576x324 to 320x180 (bicubic); '
                         'distorted scaled from 288x162 to 320x180 (bicubic)'), a['note']


def test_scale_keeps_10_bit(env):
    ref = clip(env, PAIR10, 'ref', 0, 8)
    small = scaled(env, clip(env, PAIR10, 'dis', 0, 8), 288, 162, 'bicubic', 'p10-dis-288x162.y4m')
    up = scaled(env, small, 576, 324, 'bicubic+accurate_rnd+bitexact', 'p10-dis-up.y4m')
    assert b'C420p10' in open(up, 'rb').readline()
    d = scratch(env, 'scale-10')
    a, _ = score(env, ['-r', ref, '-d', small], os.path.join(d, 'a.json'))
    b, _ = score(env, ['-r', ref, '-d', up], os.path.join(d, 'b.json'))
    same_scores(a, b, '10-bit scaling vs ffmpeg scale')


def test_bad_scale_options(env):
    ref, dis = pair_files(env, PAIR8)
    for args, needle in ((['--scale', 'nearest'], "--scale: unknown method 'nearest'"),
                         (['--scale-to', '1920'], "--scale-to: '1920'"),
                         (['--scale-to', '0x10'], "--scale-to: '0x10'")):
        _, p = score(env, ['-r', ref, '-d', dis] + args, os.path.join(scratch(env, 'bad-scale'), 'r.json'),
                     check=False)
        error_line(p, needle)


def shifted(env, name, lead, drop):
    """The pair's distorted frames with `lead` foreign frames in front (frames of another
    clip) and the first `drop` frames removed."""
    def make(out):
        head, frames = y4m_split(pair_files(env, PAIR8)[1])
        _, other = y4m_split(pair_files(env, 'photo_576x324_crf35')[1])
        y4m_write(out, head, other[:lead] + frames[drop:])
    return cached(env, name, make)


def check_sync(env, lead, drop, sync_arg, skip_args, offset_text):
    ref, _ = pair_files(env, PAIR8)
    dis = shifted(env, f'sync-{lead}-{drop}.y4m', lead, drop)
    d = scratch(env, f'sync-{lead}-{drop}')
    a, p = score(env, ['-r', ref, '-d', dis, '--sync', sync_arg], os.path.join(d, 'a.json'))
    b, _ = score(env, ['-r', ref, '-d', dis] + skip_args, os.path.join(d, 'b.json'))
    same_scores(a, b, f'--sync {sync_arg} vs {skip_args}')
    assert f'sync: offset {offset_text}' in a['note'], a['note']
    assert f'sync: offset {offset_text}' in p.stderr, p.stderr


def test_sync_reference_ahead(env):
    check_sync(env, 0, 3, 'auto', ['--frame_skip_ref', '3'], '+3')


def test_sync_distorted_ahead(env):
    check_sync(env, 2, 0, 'auto:4', ['--frame_skip_dist', '2'], '-2')


def test_sync_aligned(env):
    check_sync(env, 0, 0, 'auto', [], '+0')


def test_sync_range_is_bounded(env):
    """The true offset (+3) lies outside +-1: the answer stays within +-1."""
    ref, _ = pair_files(env, PAIR8)
    dis = shifted(env, 'sync-0-3.y4m', 0, 3)
    a, _ = score(env, ['-r', ref, '-d', dis, '--sync', 'auto:1'], os.path.join(scratch(env, 'sync-b'), 'a.json'))
    assert any(f'offset {o}' in a['note'] for o in ('+1 ', '+0 ', '-1 ')), a['note']


def test_sync_bad_value(env):
    ref, dis = pair_files(env, PAIR8)
    _, p = score(env, ['-r', ref, '-d', dis, '--sync', 'manual'], os.path.join(scratch(env, 'sync-c'), 'r.json'),
                 check=False)
    error_line(p, "--sync: 'manual'")


def test_luma_psnr_definition(env):
    """The PSNR --sync ranks offsets by, against its definition at every depth and the widest
    rows (tests/media/psnr_check.c)."""
    p = run([env.bin('tests', 'media', 'media-psnr-check')], check=False, timeout=60)
    assert p.returncode == 0, p.stdout[-2000:]
    assert p.stdout.splitlines()[-1] == '0 failed', p.stdout[-400:]
