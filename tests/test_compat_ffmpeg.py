"""FFmpeg's libvmaf filter on vmafx: a minimal FFmpeg 5.1 (Debian bookworm's source package,
built by tests/compat/build_ffmpeg.sh with --enable-libvmaf against the libvmaf.pc of a
`meson install` into the build folder, and cached there) runs
`ffmpeg -i dis -i ref -lavfi libvmaf=log_path=...` on the conformance pairs, with the
libvmaf.so.3 of that install. Each golden `vmaf` command of golden/COMMANDS.txt is translated
into the filter's options (models, features, n_subsample, log_fmt) and the log must equal the
golden file exactly as in test_conformance.py. Also: n_threads, and dis.mkv decoded by FFmpeg.
FFmpeg 5.1's frame sync pairs a .mkv (timestamps in ms: 0, 42, 83, ...) with a .y4m (1/24 s)
wrongly, with Netflix's libvmaf as with vmafx: reference frames repeat and 49 frames are
scored for 48. Forcing the distorted input's rate (`-r 24` before `-i dis.mkv`) fixes it;
both inputs also go through setpts=PTS-STARTPTS, for inputs that do not start at 0.

Only 8-bit pairs against the goldens: FFmpeg 5.1's filter copies `width` bytes of each row of
a >8-bit picture (half of each row; fixed upstream later), so its 10/12-bit scores are wrong
whatever the library; test_compat_api.py covers 10/12-bit through the API. On the 10/12-bit
pairs the same FFmpeg binary is run on Netflix's libvmaf.so.3 too (when a libvmaf 3.2.0 build
tree is at $VMAFX_LIBVMAF_BUILD, default ../ref/libvmaf/build): vmafx's log must equal
libvmaf's, wrong numbers and all — the same library behaviour under the same client.

The first run downloads the source (network) and builds FFmpeg (minutes); later runs reuse it.
With no network the cases are skipped."""
import glob, os, shlex, subprocess
from vmafx_testlib import Skip, run, pairs, pair_files, compare_json, compare_text

HERE = os.path.dirname(os.path.abspath(__file__))
HIGH_BIT_DEPTH = ('p10', 'p12', '422p10')
_state = {}


def staged_install(env):
    """`meson install --destdir` into the build folder; returns (libdir, pkgconfig dir)."""
    if 'install' in _state:
        return _state['install']
    if not os.path.exists(env.bin('src', 'compat', 'libvmaf.so.3')):
        raise Skip('libvmaf.so.3 not built (meson -Dlibvmaf_compat=false?)')
    dest = env.bin('compat-install')
    run(['meson', 'install', '-C', env.build, '--destdir', dest, '--quiet', '--only-changed'])
    pcs = glob.glob(os.path.join(dest, '**', 'pkgconfig', 'libvmaf.pc'), recursive=True)
    assert pcs, f'meson install put no libvmaf.pc under {dest}'
    pcdir = os.path.dirname(pcs[0])
    libdir = os.path.dirname(pcdir)
    assert os.path.exists(os.path.join(libdir, 'libvmaf.so.3')), f'no libvmaf.so.3 in {libdir}'
    for h in ('libvmaf.h', 'model.h', 'picture.h', 'feature.h', 'version.h'):
        assert glob.glob(os.path.join(dest, '**', 'include', 'libvmaf', h), recursive=True), h
    _state['install'] = (dest, libdir, pcdir)
    return _state['install']


def ffmpeg(env):
    """The cached FFmpeg with --enable-libvmaf (built on first use)."""
    if 'ffmpeg' in _state:
        return _state['ffmpeg']
    if 'skip' in _state:
        raise Skip(_state['skip'])
    if env.quick:   # one FFmpeg build per checkout is enough: the release tree's
        raise Skip('FFmpeg runs in the full run only')
    dest, libdir, pcdir = staged_install(env)
    penv = dict(os.environ, PKG_CONFIG_PATH=pcdir, PKG_CONFIG_SYSROOT_DIR=dest)
    p = subprocess.run([os.path.join(HERE, 'compat', 'build_ffmpeg.sh'), env.bin('compat-ffmpeg')],
                       capture_output=True, text=True, env=penv, timeout=3600)
    if p.returncode != 0:
        if any(s in p.stderr for s in ('Temporary failure resolving', 'Could not resolve',
                                        'Failed to fetch', 'Unable to connect')):
            _state['skip'] = 'no network to fetch the FFmpeg source: ' + p.stderr.strip()[-200:]
            raise Skip(_state['skip'])
        raise AssertionError('building FFmpeg failed: ' + p.stderr.strip()[-1500:])
    _state['ffmpeg'] = (p.stdout.strip().splitlines()[-1], libdir)
    return _state['ffmpeg']


def test_ffmpeg_uses_vmafx(env):
    exe, libdir = ffmpeg(env)
    ldd = run(['ldd', exe], env=dict(os.environ, LD_LIBRARY_PATH=libdir)).stdout
    line = next((l for l in ldd.splitlines() if 'libvmaf.so.3' in l), '')
    assert libdir in line, f'ffmpeg does not load vmafx libvmaf.so.3: {line or ldd}'
    out = run([exe, '-hide_banner', '-filters'], env=dict(os.environ, LD_LIBRARY_PATH=libdir)).stdout
    assert ' libvmaf ' in out, 'ffmpeg has no libvmaf filter'


def _quote(v):
    """A filter option value for -lavfi: ':' and '|' inside escaped for the option parser,
    then the whole quoted for the graph parser."""
    return "'" + v.replace('\\', '\\\\').replace(':', '\\:') + "'"


def filter_options(argv, log_path):
    """The libvmaf filter options that do what a golden `vmaf` command line did."""
    models, features, opts, fmt = [], [], [], 'xml'
    it = iter(argv[1:])
    for a in it:
        if a in ('-m', '--model'):
            kv = next(it).split(':')
            models.append(':'.join(x if '=' in x else x + '=true' for x in kv))
        elif a == '--feature':
            features.append('name=' + next(it))
        elif a == '--subsample':
            opts.append('n_subsample=' + next(it))
        elif a in ('--json', '--xml', '--csv', '--sub'):
            fmt = a[2:]
        elif a in ('-r', '-d', '-o'):
            next(it)
        elif a != '-q':
            raise Skip(f'no libvmaf filter option for {a}')
    if models:
        opts.append('model=' + _quote('|'.join(models)))
    if features:
        opts.append('feature=' + _quote('|'.join(features)))
    opts += ['log_fmt=' + fmt, 'log_path=' + _quote(log_path)]
    return ':'.join(opts)


def y4m_rate(path):
    """The frame rate of a .y4m file (its F tag), as FFmpeg's -r takes it."""
    with open(path, 'rb') as f:
        header = f.readline().decode().split()
    return next((t[1:].replace(':', '/') for t in header if t.startswith('F')), '25')


def score(env, pair, argv, extra=(), tag='', mkv=False):
    exe, libdir = ffmpeg(env)
    ref, dis = pair_files(env, pair)
    rate = []
    if mkv:
        dis = os.path.join(env.shared, 'conformance', pair, 'dis.mkv')
        rate = ['-r', y4m_rate(ref)]
    golden_rel = next(a for a in argv if a.startswith('golden/'))
    golden = os.path.join(env.shared, 'conformance', pair, golden_rel)
    out_dir = os.path.join(env.scratch, 'compat-ffmpeg', pair)
    os.makedirs(out_dir, exist_ok=True)
    ours = os.path.join(out_dir, tag + os.path.basename(golden_rel))
    if os.path.exists(ours):
        os.unlink(ours)
    opts = ':'.join([filter_options(argv, ours)] + list(extra))
    graph = ('[0:v]setpts=PTS-STARTPTS[d];[1:v]setpts=PTS-STARTPTS[r];[d][r]libvmaf=' + opts
             if mkv else 'libvmaf=' + opts)
    run([exe, '-nostdin', '-hide_banner', '-loglevel', 'error'] + rate + ['-i', dis, '-i', ref,
         '-lavfi', graph, '-f', 'null', '-'], env=dict(os.environ, LD_LIBRARY_PATH=libdir))
    label = f'ffmpeg {pair}/{tag}{os.path.basename(golden)}'
    (compare_json if golden.endswith('.json') else compare_text)(golden, ours, label)


def same_as_netflix(env, pair):
    """The same FFmpeg command on vmafx's and on Netflix's libvmaf.so.3: equal logs."""
    tree = os.environ.get('VMAFX_LIBVMAF_BUILD',
                          os.path.join(HERE, '..', '..', 'ref', 'libvmaf', 'build'))
    netflix = os.path.join(tree, 'src')
    if not os.path.exists(os.path.join(netflix, 'libvmaf.so.3')):
        raise Skip(f'no Netflix libvmaf.so.3 under {netflix} (set VMAFX_LIBVMAF_BUILD)')
    exe, libdir = ffmpeg(env)
    ref, dis = pair_files(env, pair)
    out_dir = os.path.join(env.scratch, 'compat-ffmpeg', pair)
    os.makedirs(out_dir, exist_ok=True)
    logs = []
    for tag, lib in (('netflix', netflix), ('vmafx', libdir)):
        log = os.path.join(out_dir, f'{tag}_ffmpeg_hbd.json')
        if os.path.exists(log):
            os.unlink(log)
        run([exe, '-nostdin', '-hide_banner', '-loglevel', 'error', '-i', dis, '-i', ref, '-lavfi',
             f'libvmaf=log_fmt=json:log_path={_quote(log)}', '-f', 'null', '-'],
            env=dict(os.environ, LD_LIBRARY_PATH=lib))
        logs.append(log)
    compare_json(logs[0], logs[1], f'ffmpeg {pair}: vmafx against libvmaf 3.2.0')


def _lines(env, pair):
    for line in open(os.path.join(env.shared, 'conformance', pair, 'golden', 'COMMANDS.txt')):
        if line.startswith('vmaf ') and '--frame_' not in line:   # frame skipping: no option
            yield shlex.split(line.strip())


def cases(env):
    if env.quick:
        yield 'ffmpeg', lambda: ffmpeg(env)   # skips
        return
    yield 'install_and_build', lambda: ffmpeg(env)
    for pair in pairs(env):
        if any(t in pair for t in HIGH_BIT_DEPTH):
            yield f'{pair}/same_as_libvmaf.json', (lambda p=pair: same_as_netflix(env, p))
            continue
        for argv in _lines(env, pair):
            name = os.path.basename(next(a for a in argv if a.startswith('golden/')))
            yield f'{pair}/{name}', (lambda p=pair, a=argv: score(env, p, a))
        default = shlex.split('vmaf -q -r ref.y4m -d dis.y4m --json -o golden/vmaf_v0.6.1.json')
        yield f'{pair}/dis.mkv/vmaf_v0.6.1.json', (lambda p=pair, a=default:
                                                   score(env, p, a, tag='mkv_', mkv=True))
        if pair in ('testsrc2_576x324_crf35', 'testsrc2_1920x1080_crf35', 'bars_576x324_crf45'):
            yield f'{pair}/n_threads=4/vmaf_v0.6.1.json', (lambda p=pair, a=default:
                                                           score(env, p, a, ['n_threads=4'], 'threads4_'))
