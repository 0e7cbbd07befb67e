"""Issue 16 item 2: inputs of different frame rates are no longer scored silently. The rate
comes from the y4m header (F=) or the container; by default a warning says the frames were
paired one by one (stderr and the report's note), --fps-mismatch error refuses, and
--fps-mismatch resample picks the distorted frame nearest each reference frame's time (what
FFmpeg's fps filter does), so a distorted made from the reference by the fps filter scores
exactly as the reference against itself. A distorted that lost its first frames, scored
without --sync, gets a warning suggesting --sync."""
import os
from media.mediatest import PAIR8, cached, clip, ffmpeg, score, same_scores, scratch, error_line, y4m_split, y4m_write

FRAMES = 24


def rated(env, src, fps, name):
    """src (y4m) with its header's frame rate set to fps, frames unchanged."""
    def make(out):
        head, frames = y4m_split(src)
        parts = [t if not t.startswith(b'F') else b'F%d:1' % fps for t in head.rstrip(b'\n').split(b' ')]
        y4m_write(out, b' '.join(parts) + b'\n', frames)
    return cached(env, name, make)


def inputs(env):
    ref = rated(env, clip(env, PAIR8, 'ref', 0, FRAMES), 25, 'fps-ref25.y4m')
    # the reference converted to 30 fps by FFmpeg: frames repeated, none changed
    dis = cached(env, 'fps-dis30.y4m', lambda out: ffmpeg('-i', ref, '-vf', 'fps=30', '-f', 'yuv4mpegpipe', out))
    return ref, dis


def containers(env):
    ref, dis = inputs(env)
    return (cached(env, 'fps-ref25.mkv', lambda out: ffmpeg('-i', ref, '-c:v', 'ffv1', out)),
            cached(env, 'fps-dis30.mkv', lambda out: ffmpeg('-i', dis, '-c:v', 'ffv1', out)))


def test_y4m_rates_differ_warns(env):
    ref, dis = inputs(env)
    rep, p = score(env, ['-r', ref, '-d', dis], os.path.join(scratch(env, 'fps-warn'), 'r.json'))
    assert 'frame rates differ' in p.stderr and '25 fps' in p.stderr and '30 fps' in p.stderr, p.stderr
    assert '--fps-mismatch resample' in p.stderr, p.stderr
    assert 'frame rates differ' in rep.get('note', ''), rep.get('note')


def test_container_rates_refused_with_error_mode(env):
    ref, dis = containers(env)
    _, p = score(env, ['-r', ref, '-d', dis, '--fps-mismatch', 'error'],
                 os.path.join(scratch(env, 'fps-error'), 'r.json'), check=False)
    error_line(p, 'frame rates differ', '25 fps', '30 fps')


def check_resample(env, ref, dis, name):
    d = scratch(env, name)
    a, p = score(env, ['-r', ref, '-d', dis, '--fps-mismatch', 'resample'], os.path.join(d, 'a.json'))
    b, _ = score(env, ['-r', ref, '-d', ref], os.path.join(d, 'b.json'))
    same_scores(a, b, f'{name}: resampled distorted vs the reference itself')
    assert 'resampled to 25 fps' in a.get('note', ''), a.get('note')
    assert 'input_frames' not in a, a.get('input_frames')   # 30 fps frames at 25 fps: the same length


def test_resample_y4m(env):
    check_resample(env, *inputs(env), 'fps-resample-y4m')


def test_resample_containers(env):
    check_resample(env, *containers(env), 'fps-resample-mkv')


def test_resample_down(env):
    """A 25 fps distorted against a 30 fps reference: each distorted frame serves for one or
    two reference frames, the one nearest in time."""
    ref, dis = inputs(env)
    d = scratch(env, 'fps-resample-down')
    a, _ = score(env, ['-r', dis, '-d', ref, '--fps-mismatch', 'resample'], os.path.join(d, 'a.json'))
    b, _ = score(env, ['-r', dis, '-d', dis], os.path.join(d, 'b.json'))
    same_scores(a, b, 'resampled 25 fps distorted vs the 30 fps reference itself')


def test_bad_mode_refused(env):
    ref, dis = inputs(env)
    _, p = score(env, ['-r', ref, '-d', dis, '--fps-mismatch', 'drop'], os.path.join(scratch(env, 'fps-bad'), 'r.json'),
                 check=False)
    error_line(p, '--fps-mismatch', 'drop')


def test_dropped_start_suggests_sync(env):
    ref = clip(env, PAIR8, 'ref', 0, 40)

    def make(out):
        head, frames = y4m_split(ref)
        y4m_write(out, head, frames[2:])
    dis = cached(env, 'fps-drop2.y4m', make)
    rep, p = score(env, ['-r', ref, '-d', dis], os.path.join(scratch(env, 'fps-drop2'), 'r.json'))
    assert '--sync auto' in p.stderr, p.stderr
    assert '--sync auto' in rep.get('note', ''), rep.get('note')


def test_aligned_inputs_say_nothing(env):
    ref, dis = clip(env, PAIR8, 'ref', 0, 40), clip(env, PAIR8, 'dis', 0, 40)
    rep, p = score(env, ['-r', ref, '-d', dis], os.path.join(scratch(env, 'fps-aligned'), 'r.json'))
    assert 'warning' not in p.stderr, p.stderr
    assert 'note' not in rep, rep.get('note')
