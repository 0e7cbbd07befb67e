"""libvmaf.so.3 (src/compat) through its C API, with programs built against it:
  abi            tests/compat/abi_check.c: sizeof/offsetof of every public struct and every
                 enum value against the numbers of Netflix's libvmaf 3.2.0 headers
  exports        every function the headers declare is exported, and nothing but vmaf_*
  misuse         tests/compat/misuse_check.c: bad use returns -EINVAL, never crashes
  <pair>/<file>  tests/compat/vmaf_api_tool.c, a client using the API the way Netflix's `vmaf`
                 tool does, replays every `vmaf` line of golden/COMMANDS.txt in its place; the
                 output equals the golden file (the comparison of test_conformance.py). This is
                 also where 10- and 12-bit input is tested (FFmpeg 5.1's filter mangles it).
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


def cases(env):
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
