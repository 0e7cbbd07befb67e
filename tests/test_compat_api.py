"""libvmaf.so.3 (src/compat) through its C API, with programs built against it:
  abi            tests/compat/abi_check.c: sizeof/offsetof of every public struct and every
                 enum value against the numbers of Netflix's libvmaf 3.2.0 headers
  exports        every function the headers declare is exported, and nothing but vmaf_*
  misuse         tests/compat/misuse_check.c: bad use returns -EINVAL, never crashes
  api_consistency  tests/compat/api_check.c: metadata handlers, imported scores, per-index
                 and pooled scores (all methods, sub-ranges), pools with threads, overloads,
                 two models, every report format agree with each other
  <pair>/<file>  tests/compat/vmaf_api_tool.c, a client using the API the way Netflix's `vmaf`
                 tool does, replays every `vmaf` line of golden/COMMANDS.txt in its place; the
                 output equals the golden file (the comparison of test_conformance.py). This is
                 also where 10- and 12-bit input is tested (FFmpeg 5.1's filter mangles it).
  netflix-vmaf/<pair>/<file>  Netflix's own `vmaf` tool, its objects as compiled against
                 Netflix's headers (from a libvmaf 3.2.0 build tree: $VMAFX_LIBVMAF_BUILD, default
                 ../ref/libvmaf/build) linked against vmafx's libvmaf.so.3, replays the same lines:
                 an existing libvmaf program on vmafx, unchanged. Skipped without that tree.
  v32/<pair>/<file>  golden/COMMANDS_v32.txt (libvmaf 3.2's newer models and metrics) through
                 the API tool: what the engine computes must equal the golden; what it does not
                 compute yet (test_conformance_v32.PENDING) must fail with a libvmaf ERROR line
                 naming it, and is reported skipped; `# refused by libvmaf` lines must fail.
  threads/cpumask/subsample variants of one 8-bit and one 10-bit pair against the same goldens."""
import os, re, shlex
from vmafx_testlib import Skip, run, pairs, pair_files, compare_json, compare_text

HERE = os.path.dirname(os.path.abspath(__file__))
QUICK = {'testsrc2_576x324_crf35', 'testsrc2_576x324_p10_crf35', 'clouds_176x144_p12_x265crf30',
         'testsrc2_301x173_444_crf35'}


def _bin(env, name):
    path = env.bin('tests', name)
    if not os.path.exists(path):
        raise Skip(f'{name} not built (meson -Dlibvmaf_compat=false?)')
    return path


def test_abi(env):
    p = run([_bin(env, 'compat-abi-check')], check=False)
    if p.returncode == 77:
        raise Skip(p.stdout.strip())
    assert p.returncode == 0, p.stdout
    assert ' 0 mismatches' in p.stdout, p.stdout


def _declared_functions():
    names = set()
    for h in ('libvmaf.h', 'model.h', 'picture.h', 'feature.h'):
        text = open(os.path.join(HERE, '..', 'include', 'libvmaf', h)).read()
        names |= set(re.findall(r'\b(vmaf_\w+)\(', text))
    return names


def test_exports(env):
    lib = env.bin('src', 'compat', 'libvmaf.so.3')
    if not os.path.exists(lib):
        raise Skip('libvmaf.so.3 not built')
    out = run(['nm', '-D', '--defined-only', lib]).stdout
    exported = {l.split()[-1] for l in out.splitlines() if ' T ' in l}
    missing = _declared_functions() - exported
    assert not missing, f'declared but not exported: {sorted(missing)}'
    extra = {n for n in exported if not n.startswith('vmaf_')}
    assert not extra, f'exported beyond the API: {sorted(extra)[:10]}'
    soname = run(['readelf', '-d', lib]).stdout
    assert '[libvmaf.so.3]' in soname, soname


def test_misuse(env):
    p = run([_bin(env, 'compat-misuse-check')], check=False)
    assert p.returncode == 0, p.stdout[-3000:] + p.stderr[-2000:]
    assert 'WRONG' not in p.stdout


def test_api_consistency(env):
    out = os.path.join(env.scratch, 'compat-api')
    os.makedirs(out, exist_ok=True)
    p = run([_bin(env, 'compat-api-check'), out], check=False)
    assert p.returncode == 0, p.stdout[-2000:] + p.stderr[-2000:]


def _golden_lines(env, pair):
    for line in open(os.path.join(env.shared, 'conformance', pair, 'golden', 'COMMANDS.txt')):
        if line.startswith('vmaf '):
            yield shlex.split(line.strip())


def replay(env, pair, argv, extra=(), tag=''):
    """Runs a golden `vmaf` command with the API tool (plus extra flags); compares."""
    tool = _bin(env, 'compat-vmaf-tool')
    ref, dis = pair_files(env, pair)
    out_dir = os.path.join(env.scratch, 'compat-api', pair)
    os.makedirs(out_dir, exist_ok=True)
    golden_rel = next(a for a in argv if a.startswith('golden/'))
    golden = os.path.join(env.shared, 'conformance', pair, golden_rel)
    ours = os.path.join(out_dir, tag + os.path.basename(golden_rel))
    subst = {'ref.y4m': ref, 'dis.y4m': dis}
    args = [subst.get(a, ours if a.startswith('golden/') else a) for a in argv[1:]]
    if os.path.exists(ours):
        os.unlink(ours)
    run([tool] + args + list(extra))
    label = f'{pair}/{tag}{os.path.basename(golden)}'
    if golden.endswith('.json'):
        compare_json(golden, ours, label)
    else:
        compare_text(golden, ours, label)


def netflix_vmaf(env):
    """Netflix's vmaf tool relinked against vmafx's libvmaf.so.3, built once per build tree."""
    if env.quick:   # its objects are not instrumented: they cannot load a sanitizer build
        raise Skip('not in the quick (sanitizer) run')
    tree = os.environ.get('VMAFX_LIBVMAF_BUILD',
                          os.path.join(HERE, '..', '..', 'ref', 'libvmaf', 'build'))
    objs = os.path.join(tree, 'tools', 'vmaf.p')
    if not os.path.isdir(objs):
        raise Skip(f'no libvmaf 3.2.0 build tree at {tree} (set VMAFX_LIBVMAF_BUILD)')
    exe = env.bin('tests', 'netflix-vmaf-on-vmafx')
    libdir = env.bin('src', 'compat')
    if not os.path.exists(exe):
        o = sorted(os.path.join(objs, f) for f in os.listdir(objs) if f.endswith('.o'))
        run(['cc', '-o', exe] + o + ['-L' + libdir, '-l:libvmaf.so.3', '-lm', '-lpthread'])
    return exe, libdir


def replay_netflix(env, pair, argv):
    exe, libdir = netflix_vmaf(env)
    ldd = run(['ldd', exe], env=dict(os.environ, LD_LIBRARY_PATH=libdir)).stdout
    assert os.path.realpath(libdir) in ldd or libdir in ldd, f'not linked to vmafx: {ldd}'
    ref, dis = pair_files(env, pair)
    out_dir = os.path.join(env.scratch, 'compat-netflix-vmaf', pair)
    os.makedirs(out_dir, exist_ok=True)
    golden_rel = next(a for a in argv if a.startswith('golden/'))
    golden = os.path.join(env.shared, 'conformance', pair, golden_rel)
    ours = os.path.join(out_dir, os.path.basename(golden_rel))
    subst = {'ref.y4m': ref, 'dis.y4m': dis}
    args = [subst.get(a, ours if a.startswith('golden/') else a) for a in argv[1:]]
    if os.path.exists(ours):
        os.unlink(ours)
    run([exe] + args, env=dict(os.environ, LD_LIBRARY_PATH=libdir))
    label = f'netflix-vmaf {pair}/{os.path.basename(golden)}'
    (compare_json if golden.endswith('.json') else compare_text)(golden, ours, label)


def refuse(env, pair, argv):
    """A command libvmaf refuses must fail here too, with a reason on stderr."""
    ref, dis = pair_files(env, pair)
    out = os.path.join(env.scratch, 'compat-api', pair, 'refused.json')
    args = [{'ref.y4m': ref, 'dis.y4m': dis}.get(a, out if a.startswith('golden/') else a)
            for a in argv[1:]]
    p = run([_bin(env, 'compat-vmaf-tool')] + args, check=False)
    assert p.returncode != 0, f'{pair}: libvmaf refuses {" ".join(argv)}, vmafx accepted it'
    assert p.stderr.strip(), 'refused without a message'


def replay_v32(env, pair, name, argv, refused):
    import test_conformance_v32 as v32
    # CTC presets are flags of Netflix's tool (which turns them into API calls), not of ours
    ctc = any(a in ('--aom_ctc', '--nflx_ctc') for a in argv)
    if refused:
        return refuse(env, pair, argv)
    try:
        if ctc:
            replay_netflix(env, pair, argv)
        else:
            replay(env, pair, argv, (), 'v32_')
    except AssertionError as e:
        pending = v32.PENDING.get(name)
        if not pending:
            raise
        raise Skip(f'{pending}: {str(e)[-200:]}')


def cases(env):
    import test_conformance_v32 as v32
    for pair in pairs(env):
        if env.quick and pair not in QUICK:
            continue
        for name, argv, refused in v32.commands(env, pair):
            yield f'v32/{pair}/{name}', (lambda p=pair, n=name, a=argv, r=refused:
                                         replay_v32(env, p, n, a, r))
    for pair in sorted(QUICK):
        for argv in _golden_lines(env, pair):
            name = os.path.basename(next(a for a in argv if a.startswith('golden/')))
            yield f'netflix-vmaf/{pair}/{name}', (lambda p=pair, a=argv: replay_netflix(env, p, a))
    for pair in pairs(env):
        if env.quick and pair not in QUICK:
            continue
        for argv in _golden_lines(env, pair):
            name = os.path.basename(next(a for a in argv if a.startswith('golden/')))
            yield f'{pair}/{name}', (lambda p=pair, a=argv: replay(env, p, a))
    # the same goldens with threads and restricted instruction sets: results must not change
    for pair in ('testsrc2_576x324_crf35', 'testsrc2_576x324_p10_crf35'):
        argv = shlex.split('vmaf -q -r ref.y4m -d dis.y4m --json -o golden/vmaf_v0.6.1.json')
        for extra in (['--threads', '4'], ['--cpumask', '8'], ['--cpumask', '16'],
                      ['--threads', '3', '--cpumask', '48']):
            tag = '_'.join(x.strip('-') for x in extra) + '_'
            yield f'{pair}/{tag}vmaf_v0.6.1.json', (lambda p=pair, a=argv, e=extra, t=tag:
                                                    replay(env, p, a, e, t))
        sub = shlex.split('vmaf -q -r ref.y4m -d dis.y4m --subsample 3 --json -o golden/subsample3.json')
        yield f'{pair}/threads_2_subsample3.json', (lambda p=pair, a=sub: replay(env, p, a, ['--threads', '2'], 'threads2_'))
