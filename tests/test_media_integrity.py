"""The media layer feeds the storage's integrity verifier (base/integrity.h): every byte read,
at its offset, and at the clean end the bytes not read in order (an mp4 index at the end), so
that a stream that differs from the stored object's size or MD5 fails instead of being scored.
Checked with tests/media/integrity_check.c on local files (stdio and libavformat paths) and
over HTTP, including a transfer resumed with a range request."""
import hashlib, os
from vmafx_testlib import run, pair_files
from media.mediatest import PAIR8, clip, encode, scratch
from servers.nginx import Nginx
from servers.misbehave import MisbehavingServer


def facts(path):
    data = open(path, 'rb').read()
    return str(len(data)), hashlib.md5(data).hexdigest()


def check(env, target, size, md5):
    p = run([env.bin('tests', 'media', 'media-integrity-check'), target, size, md5], check=False, timeout=120)
    return p.returncode, p.stdout.strip()


def inputs(env):
    src = clip(env, PAIR8, 'ref', 0, 16)
    late = encode(env, 'h264-moov-at-end.mp4', src, '-c:v', 'libx264', '-crf', '30', '-g', '8')
    return {'clip.y4m': src, 'late.mp4': late,
            'dis.mkv': os.path.join(env.shared, 'conformance', PAIR8, 'dis.mkv')}


def expect(env, target, path):
    size, md5 = facts(path)
    assert check(env, target, size, md5) == (0, 'ok'), check(env, target, size, md5)
    assert check(env, target, size, '-') == (0, 'ok')
    rc, out = check(env, target, size, '0' * 32)
    assert rc == 1 and 'does not match the stored MD5' in out, out
    rc, out = check(env, target, str(int(size) + 1000), '-')
    assert rc == 1 and 'truncated stream' in out, out
    rc, out = check(env, target, str(int(size) - 1000), '-')
    assert rc == 1 and 'size mismatch' in out, out


def test_local_files(env):
    for name, path in inputs(env).items():
        expect(env, path, path)


def test_over_http(env):
    d = scratch(env, 'integrity-http')
    for name, path in inputs(env).items():
        os.symlink(path, os.path.join(d, name))
    with Nginx(d) as web:
        for name, path in inputs(env).items():
            expect(env, web.url(name), path)


def test_resumed_transfer(env):
    d = scratch(env, 'integrity-resume')
    ref, _ = pair_files(env, PAIR8)
    os.symlink(ref, os.path.join(d, 'ref.y4m'))
    size, md5 = facts(ref)
    with MisbehavingServer(d) as bad:
        assert check(env, bad.url('flaky', 'ref.y4m'), size, md5) == (0, 'ok')
