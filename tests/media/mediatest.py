"""Helpers of the media input tests (tests/test_media_*.py): sample clips cut from the
conformance pairs, ffmpeg-made encodes cached under the build folder, running `vmafx score`
and comparing reports."""
import json, os, re, shutil, subprocess, time
from vmafx_testlib import run, pair_files

PAIR8 = 'testsrc2_576x324_crf35'        # 48 frames 576x324 8-bit 4:2:0
PAIR10 = 'testsrc2_576x324_p10_crf35'   # 24 frames 576x324 10-bit 4:2:0


def cache_dir(env):
    d = os.path.join(env.build, 'media-test-cache')
    os.makedirs(d, exist_ok=True)
    return d


def scratch(env, name):
    d = os.path.join(env.scratch, 'media', name)
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(d)
    return d


def cached(env, name, make):
    """A file made once by make(path) and kept for later runs (written under a temporary
    name first, so an interrupted run never leaves half a file)."""
    path = os.path.join(cache_dir(env), name)
    if not os.path.exists(path):
        part = path + '.part' + os.path.splitext(name)[1]
        make(part)
        os.rename(part, path)
    return path


def raw_copy(env, y4m, name):
    """The y4m's samples without its header and FRAME lines, as raw .yuv."""
    def make(out):
        data = open(y4m, 'rb').read()
        with open(out, 'wb') as f:
            f.write(b''.join(data[data.index(b'\n') + 1:].split(b'FRAME\n')))
    return cached(env, name, make)


def debug_lines(stderr):
    """The VMAFX_DEBUG_IO lines of a run's standard error, parsed."""
    return [json.loads(m) for m in re.findall(r'^vmafx debug-io: (\{.*\})$', stderr, re.M)]


def ffmpeg(*args, timeout=300):
    run(['ffmpeg', '-nostdin', '-hide_banner', '-v', 'error', '-y'] + [str(a) for a in args],
        timeout=timeout)


def y4m_split(path):
    """(header bytes, [frame payloads without the FRAME line])."""
    data = open(path, 'rb').read()
    head_end = data.index(b'\n') + 1
    parts = data[head_end:].split(b'FRAME\n')
    return data[:head_end], parts[1:]


def y4m_write(path, head, frames):
    with open(path, 'wb') as f:
        f.write(head)
        for fr in frames:
            f.write(b'FRAME\n' + fr)


def clip(env, pair, which, first, count):
    """Frames [first, first + count) of a pair's ref or dis as .y4m."""
    def make(out):
        head, frames = y4m_split(pair_files(env, pair)[0 if which == 'ref' else 1])
        y4m_write(out, head, frames[first:first + count])
    return cached(env, f'{pair}-{which}-{first}-{count}.y4m', make)


def encode(env, name, src, *args):
    """src encoded by ffmpeg with args into the cached file name (its extension picks the
    container)."""
    return cached(env, name, lambda out: ffmpeg('-i', src, *args, out))


def decode_y4m(env, name, src, pix_fmt=None):
    """What the ffmpeg command line decodes from src, as .y4m, every frame kept as decoded."""
    extra = ['-pix_fmt', pix_fmt] if pix_fmt else []
    return cached(env, name, lambda out: ffmpeg('-i', src, '-fps_mode', 'passthrough', *extra,
                                                '-strict', '-1', '-f', 'yuv4mpegpipe', out))


def score(env, args, out, check=True, timeout=300, extra_env=None):
    """Runs vmafx score -q ARGS --json -o OUT; returns (report or None, process)."""
    e = dict(os.environ, **(extra_env or {}))
    if os.path.exists(out):
        os.unlink(out)
    p = run([env.vmafx, 'score', '-q'] + [str(a) for a in args] + ['--json', '-o', out],
            check=check, timeout=timeout, env=e)
    rep = json.load(open(out)) if p.returncode == 0 else None
    return rep, p


def same_scores(a, b, label):
    """Every per-frame and pooled value identical."""
    if a['frames'] != b['frames']:
        for fa, fb in zip(a['frames'], b['frames']):
            if fa != fb:
                diff = {k: (v, fb['metrics'].get(k)) for k, v in fa['metrics'].items()
                        if fb['metrics'].get(k) != v}
                raise AssertionError(f'{label}: frame {fa["frameNum"]} differs: {list(diff.items())[:3]}')
        raise AssertionError(f'{label}: {len(a["frames"])} frames vs {len(b["frames"])}')
    if a['pooled_metrics'] != b['pooled_metrics']:
        raise AssertionError(f'{label}: pooled metrics differ')


def error_line(p, *needles):
    """The single 'vmafx: error:' line of a failed run, checked for needles."""
    assert p.returncode != 0, f'expected a failure, got exit 0: {p.stderr[-300:]}'
    lines = [l for l in p.stderr.splitlines() if l.startswith('vmafx: error:')]
    assert len(lines) == 1, f'expected one error line, got: {p.stderr.strip()[-800:]!r}'
    for n in needles:
        assert n in lines[0], f'error line lacks {n!r}: {lines[0]}'
    return lines[0]


class Timer:
    def __enter__(self):
        self.t0 = time.monotonic()
        return self

    def __exit__(self, *exc):
        self.seconds = time.monotonic() - self.t0
