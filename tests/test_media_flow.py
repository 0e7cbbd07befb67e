"""Flow and memory: each input decodes in its own thread into a bounded queue, so peak memory
does not grow with the clip's length, and nothing is written to temporary files."""
import os, subprocess
from media.mediatest import cached, ffmpeg, scratch


def clip_pair(env, frames):
    def make(crf):
        return lambda out: ffmpeg('-f', 'lavfi', '-i', f'testsrc2=s=320x240:r=25,trim=end_frame={frames}',
                                  '-c:v', 'libx264', '-crf', crf, '-g', '50', out)
    return (cached(env, f'flow-{frames}-ref.mkv', make('12')),
            cached(env, f'flow-{frames}-dis.mkv', make('38')))


def peak_rss_kib(cmd, **kw):
    p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, **kw)
    _, status, usage = os.wait4(p.pid, 0)
    err = p.stderr.read().decode()
    p.stderr.close()
    p.returncode = os.waitstatus_to_exitcode(status)
    assert p.returncode == 0, err[-500:]
    return usage.ru_maxrss


def check_memory_does_not_grow_with_length(env):
    runs = {}
    for frames in (150, 1200):
        ref, dis = clip_pair(env, frames)
        out = os.path.join(scratch(env, f'rss-{frames}'), 'r.json')
        runs[frames] = peak_rss_kib([env.vmafx, 'score', '-q', '-r', ref, '-d', dis, '--json', '-o', out])
    # per-frame results are kept (about 1 KiB a frame); frames (115 KiB each) must not be
    growth = runs[1200] - runs[150]
    assert growth < 6 * 1024, f'peak RSS {runs[150]} KiB for 150 frames, {runs[1200]} KiB for 1200'


def test_no_temporary_files(env):
    ref, dis = clip_pair(env, 150)
    d = scratch(env, 'notmp')
    tmp, cwd = os.path.join(d, 'tmp'), os.path.join(d, 'cwd')
    os.makedirs(tmp)
    os.makedirs(cwd)
    out = os.path.join(d, 'r.json')
    peak_rss_kib([env.vmafx, 'score', '-q', '-r', ref, '-d', dis, '--json', '-o', out],
                 cwd=cwd, env=dict(os.environ, TMPDIR=tmp))
    assert os.listdir(tmp) == [] and os.listdir(cwd) == [], (os.listdir(tmp), os.listdir(cwd))
    assert sorted(os.listdir(d)) == ['cwd', 'r.json', 'tmp'], os.listdir(d)


def cases(env):
    # sanitizer builds keep freed memory in quarantine: peak RSS says nothing there
    if not env.quick:
        yield 'test_memory_does_not_grow_with_length', lambda: check_memory_does_not_grow_with_length(env)
