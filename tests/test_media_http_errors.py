"""Bad HTTP inputs, from a misbehaving loopback server (tests/servers/misbehave.py): status
errors, a stall, a connection cut mid-file, fewer bytes than announced, a server that ignores
Range. Each fails with one line naming the input and what happened, within seconds, with no
report written; a cut transfer on a server that takes range requests resumes (logged) and
scores exactly as the local file."""
import os
from vmafx_testlib import pair_files
from media.mediatest import PAIR8, score, same_scores, scratch, error_line, Timer
from servers.misbehave import MisbehavingServer


def folder(env, name):
    d = scratch(env, name)
    ref, dis = pair_files(env, PAIR8)
    os.symlink(ref, os.path.join(d, 'ref.y4m'))
    os.symlink(dis, os.path.join(d, 'dis.y4m'))
    os.symlink(os.path.join(env.shared, 'conformance', PAIR8, 'dis.mkv'), os.path.join(d, 'dis.mkv'))
    return d


def fails(env, name, mode, file, *needles, args=(), extra_env=None, within=15, at=None):
    d = folder(env, name)
    out = os.path.join(d, 'r.json')
    with MisbehavingServer(d) as bad, Timer() as t:
        url = bad.url(mode, file, at)
        _, p = score(env, ['-r', os.path.join(d, 'ref.y4m'), '-d', url, *args], out, check=False,
                     timeout=120, extra_env=extra_env)
    error_line(p, f'distorted input {shown(url)}', *needles)
    assert t.seconds < within, f'took {t.seconds:.1f} s'
    assert not os.path.exists(out), 'a report was written for a failed run'
    return p


def test_404(env):
    fails(env, '404', 'status/404', 'dis.y4m', '404 Not Found')


def test_403(env):
    fails(env, '403', 'status/403', 'dis.mkv', '403 Forbidden')


def test_500(env):
    fails(env, '500', 'status/500', 'dis.y4m', '500')


def test_stall_y4m(env):
    fails(env, 'stall', 'stall', 'dis.y4m', 'stalled', 'no data for 1 s', args=['--stall-timeout', '1'])


def test_stall_mkv_env_var(env):
    fails(env, 'stall-env', 'stall', 'dis.mkv', 'stalled', extra_env={'VMAFX_STALL_TIMEOUT': '1'})


def test_no_answer(env):
    fails(env, 'no-answer', 'stallhead', 'dis.y4m', 'stalled', 'no answer', args=['--stall-timeout', '1'])


def test_connection_cut_y4m(env):
    fails(env, 'cut', 'cut', 'dis.y4m', 'Connection reset', 'not retried')


def test_connection_cut_mkv(env):
    fails(env, 'cut-mkv', 'cut', 'dis.mkv', 'Connection reset')


def test_fewer_bytes_than_announced(env):
    """The file ends on a frame boundary; only Content-Length shows it is incomplete."""
    fails(env, 'short', 'short', 'dis.y4m', 'connection closed after 13437274 of 13502810 bytes')


def test_fewer_bytes_than_announced_mkv(env):
    fails(env, 'short-mkv', 'short', 'dis.mkv', 'connection closed after')


def test_retries_exhausted(env):
    p = fails(env, 'flakyall', 'flakyall', 'dis.y4m', 'gave up after 2 retries', args=['--http-retries', '2'])
    assert p.stderr.count('resuming at byte') == 2, p.stderr


def test_no_retries(env):
    fails(env, 'flaky-0', 'flaky', 'dis.y4m', 'Connection reset', args=['--http-retries', '0'])


def test_range_ignored_on_resume(env):
    fails(env, 'badrange', 'badrange', 'dis.y4m', 'ignored the range request')


def shown(url):
    """How a URL appears in messages: its query string is left out."""
    return url.split('?')[0] + ('?...' if '?' in url else '')


def test_other_input_failing_is_seen_during_a_stall(env):
    """The reference stalls after frame 3; the distorted ends early at frame 5, while frame 4
    is still queued (two frames are decoded ahead): the failure is reported at once, not after
    the reference's 30 s stall timeout."""
    d = folder(env, 'both')
    with MisbehavingServer(d) as bad, Timer() as t:
        dis = bad.url('close', 'dis.y4m', 0.11)
        _, p = score(env, ['-r', bad.url('stall', 'ref.y4m', 0.10), '-d', dis], os.path.join(d, 'r.json'),
                     check=False, timeout=120)
    error_line(p, f'distorted input {shown(dis)}', 'frame 5', 'connection closed after')
    assert t.seconds < 10, f'took {t.seconds:.1f} s'


def check_resume(env, file):
    d = folder(env, 'flaky-' + file)
    with MisbehavingServer(d) as bad:
        url = bad.url('flaky', file)
        remote, p = score(env, ['-r', os.path.join(d, 'ref.y4m'), '-d', url], os.path.join(d, 'remote.json'),
                          timeout=120)
        ranges = [r for m, _, r in bad.requests if m == 'flaky']
    warn = [l for l in p.stderr.splitlines() if 'resuming at byte' in l]
    assert len(warn) == 1 and url in warn[0] and 'range request' in warn[0], p.stderr
    assert len(ranges) == 2 and ranges[1] not in (None, 'bytes=0-'), ranges
    local, _ = score(env, ['-r', os.path.join(d, 'ref.y4m'), '-d', os.path.join(d, file)],
                     os.path.join(d, 'local.json'))
    same_scores(remote, local, f'{file} resumed over HTTP vs local')


def test_resume_y4m(env):
    check_resume(env, 'dis.y4m')


def test_resume_mkv(env):
    check_resume(env, 'dis.mkv')
