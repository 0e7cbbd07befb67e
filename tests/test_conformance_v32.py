"""Conformance with libvmaf 3.2.0's newer models and metrics: every line of each pair's
golden/COMMANDS_v32.txt replayed with vmafx in place of libvmaf's `vmaf`, compared as
test_conformance.py compares (JSON by metric name, digit for digit; float-derived values within
the README's 1e-5 * max(1, |golden|) where noted). `# refused by libvmaf:` lines must be refused
too: non-zero exit and one line naming the reason.

A golden file whose model or metric vmafx does not compute yet is listed in PENDING with the
issue that adds it: its cases are reported as skipped, never as passed. Remove the entry with
the change that makes it pass."""
import os, shlex
from vmafx_testlib import Skip, run, pairs, pair_files, compare_json

QUICK = {'testsrc2_576x324_crf35', 'testsrc2_576x324_p10_crf35', 'testsrc2_301x173_444_crf35',
         'clouds_176x144_p12_x265crf30', 'testsrc2_320x240_2frames_crf35', 'clouds_320x240_1frame_crf40'}

# golden file -> what is still missing (delete a line when its feature lands)
PENDING = {
}

REFUSED = '# refused by libvmaf:'


def commands(env, pair):
    """(golden file name, argv, refused) for each command line of the pair."""
    path = os.path.join(env.shared, 'conformance', pair, 'golden', 'COMMANDS_v32.txt')
    if not os.path.exists(path):
        return
    for line in open(path):
        line = line.strip()
        if line.startswith('vmaf '):
            argv = shlex.split(line)
            yield os.path.basename(next(a for a in argv if a.startswith('golden/'))), argv, False
        elif line.startswith(REFUSED):
            cmd = line[len(REFUSED):].rsplit(' -> ', 1)[0]
            argv = shlex.split(cmd)
            yield golden_for(env, pair, argv), argv, True


def golden_for(env, pair, argv):
    """The golden name another pair's identical command line produced (to find its PENDING)."""
    for other in pairs(env):
        path = os.path.join(env.shared, 'conformance', other, 'golden', 'COMMANDS_v32.txt')
        if not os.path.exists(path):
            continue
        for line in open(path):
            if line.startswith('vmaf '):
                a = shlex.split(line.strip())
                o = [x for x in a if not x.startswith('golden/') and x not in ('--json', '-o')]
                if o == argv:
                    return os.path.basename(next(x for x in a if x.startswith('golden/')))
    return 'refused'


def check_command(env, pair, name, argv):
    ref, dis = pair_files(env, pair)
    out_dir = os.path.join(env.scratch, 'conformance_v32', pair)
    os.makedirs(out_dir, exist_ok=True)
    ours = os.path.join(out_dir, name)
    if os.path.exists(ours):
        os.unlink(ours)
    subst = {'ref.y4m': ref, 'dis.y4m': dis}
    args = [subst.get(a, ours if a.startswith('golden/') else a) for a in argv[1:]]
    run([env.vmafx] + args)
    compare_json(os.path.join(env.shared, 'conformance', pair, 'golden', name), ours, f'{pair}/{name}')


def check_refused(env, pair, argv):
    ref, dis = pair_files(env, pair)
    subst = {'ref.y4m': ref, 'dis.y4m': dis}
    p = run([env.vmafx] + [subst.get(a, a) for a in argv[1:]] + ['-o', os.devnull], check=False)
    assert p.returncode != 0, f'{pair}: vmafx accepted what libvmaf refuses: {" ".join(argv)}'
    lines = [ln for ln in p.stderr.splitlines() if ln.strip()]
    assert lines, f'{pair}: refused without a message'
    assert 'flushing' not in p.stderr, f'{pair}: message does not name the reason: {lines[-1]}'


def cases(env):
    for pair in pairs(env):
        if env.quick and pair not in QUICK:
            continue
        for name, argv, refused in commands(env, pair):
            label = f'{pair}/{"refused:" if refused else ""}{name}'

            def case(p=pair, n=name, a=argv, r=refused):
                if n in PENDING:
                    raise Skip(f'{n}: {PENDING[n]} not implemented yet')
                if r:
                    check_refused(env, p, a)
                else:
                    check_command(env, p, n, a)
            yield label, case
