"""Start-up cost: FFmpeg's libraries (and the ~130 libraries they pull in) are loaded only when
an input needs them (src/media/libav_api.c), and GnuTLS (with its 8 libraries) only on the
first TLS connection (src/base/tls_api.c). A y4m pair must run without them; an MKV input
must load FFmpeg and score. The dynamic loader's own trace (LD_DEBUG=files) says what was
mapped."""
import os
import shutil
import socket
import subprocess
import tempfile
from vmafx_testlib import Skip, pair_files, run

PAIR = 'photo_576x324_crf35'


def loaded(env, args):
    p = subprocess.run([env.vmafx, 'score', '-q', '--frame_cnt', '2', '-o', os.devnull] + args,
                       capture_output=True, text=True, timeout=300,
                       env=dict(os.environ, LD_DEBUG='files'))
    assert p.returncode == 0, p.stderr[-2000:]
    return {line.split('file=', 1)[1].split()[0] for line in p.stderr.splitlines()
            if 'file=' in line}


def test_y4m_loads_no_ffmpeg(env):
    ref, dis = pair_files(env, PAIR)
    libs = loaded(env, ['-r', ref, '-d', dis])
    av = sorted(x for x in libs if x.startswith(('libav', 'libsw')))
    assert not av, f'a y4m run mapped {av}'
    assert len(libs) < 30, f'a y4m run mapped {len(libs)} libraries: {sorted(libs)}'
    tls = sorted(x for x in libs if x.startswith('libgnutls'))
    assert not tls, f'a y4m run mapped {tls}'


def test_vmafx_links_no_gnutls(env):
    """Linked, GnuTLS would be mapped (and its constructors run) by every vmafx process."""
    dyn = run(['readelf', '-d', env.vmafx]).stdout
    needed = [line.split('[', 1)[1].rstrip(']') for line in dyn.splitlines() if '(NEEDED)' in line]
    assert 'libc.so.6' in needed, f'readelf listed no NEEDED libc: {dyn[-2000:]}'
    tls = [x for x in needed if x.startswith('libgnutls')]
    assert not tls, f'vmafx lists {tls} as NEEDED: {needed}'


def gnutls_path(env):
    """The file the loader resolves libgnutls.so.30 to (the controller links it)."""
    ctl = os.path.join(env.build, 'src', 'cli', 'vmafx-controller')
    out = run(['ldd', ctl]).stdout
    for line in out.splitlines():
        if line.strip().startswith('libgnutls.so.30 =>'):
            return os.path.realpath(line.split('=>', 1)[1].split('(')[0].strip())
    raise Skip(f'vmafx-controller links no libgnutls.so.30: {out[-500:]}')


def test_tls_without_gnutls_is_an_error(env):
    """With GnuTLS unloadable (an empty file mounted over it, in a private mount namespace),
    vmafx still starts, and an https:// address fails with one clear line, not a crash."""
    if not shutil.which('unshare'):
        raise Skip('no unshare')
    lib = gnutls_path(env)
    # a listening socket: connect() must succeed, TLS starts after it
    with tempfile.NamedTemporaryFile() as empty, socket.socket() as srv:
        srv.bind(('127.0.0.1', 0))
        srv.listen(4)
        url = f'https://127.0.0.1:{srv.getsockname()[1]}'
        script = (f'mount --bind {empty.name} {lib} || exit 99; "$0" --version || exit 98; '
                  f'exec "$0" jobs --controller {url}')
        p = subprocess.run(['unshare', '-m', 'sh', '-c', script, env.vmafx],
                           capture_output=True, text=True, timeout=60)
    if p.returncode == 99 or 'unshare failed' in p.stderr:
        raise Skip(f'no private mount namespace here: {p.stderr.strip()[-300:]}')
    assert p.returncode != 98, f'vmafx did not start without GnuTLS: {p.stderr[-1000:]}'
    lines = p.stderr.strip().splitlines()
    assert p.returncode > 0, f'exit {p.returncode} (0, or a signal): {p.stderr[-1000:]}'
    assert len(lines) == 1 and 'cannot load GnuTLS (' in lines[0], p.stderr[-1000:]


def test_mkv_loads_ffmpeg_on_demand(env):
    ref, _ = pair_files(env, PAIR)
    mkv = os.path.join(env.shared, 'conformance', PAIR, 'dis.mkv')
    libs = loaded(env, ['-r', ref, '-d', mkv])
    for name in ('libavformat', 'libavcodec', 'libavutil', 'libswscale'):
        assert any(x.startswith(name + '.so') for x in libs), f'{name} not loaded: {sorted(libs)}'
