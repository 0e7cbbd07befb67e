"""checkasm: every SIMD kernel family against its scalar definition on random and edge-case
inputs of awkward sizes, at every kernel level this CPU has (tests/checkasm/)."""
import os, re
from vmafx_testlib import Skip, run

FAMILIES = ('vif', 'adm', 'motion', 'cambi', 'speed', 'float')


def check_family(env, family):
    exe = env.bin('tests', 'checkasm')
    if not os.path.exists(exe):
        raise AssertionError(f'{exe} not built')
    args = [exe, '--test', family] + (['--quick'] if env.quick else [])
    p = run(args, check=False, timeout=1200)
    if 'checkasm: levels scalar\n' in p.stdout:
        raise Skip('this CPU has no SIMD level: nothing to compare')
    if p.returncode != 0 or ', 0 failed' not in p.stdout:
        fails = [l for l in p.stdout.splitlines() if l.startswith('FAIL')]
        raise AssertionError(f'checkasm {family} exited {p.returncode}: ' +
                             ('; '.join(fails[:5]) or p.stderr.strip()[-500:]))
    m = re.search(r'^checkasm: (\d+) comparisons', p.stdout, re.M)
    if not m:
        raise AssertionError(f'checkasm {family}: no comparison count in its output: {p.stdout[-300:]}')
    if int(m.group(1)) == 0:
        levels = re.search(r'^checkasm: levels(.*)$', p.stdout, re.M)
        if levels and levels.group(1).split() == ['scalar']:
            raise Skip(f'{family}: this CPU has no SIMD level (levels: scalar), nothing to compare')
        raise AssertionError(f'checkasm {family} compared nothing: {p.stdout.strip()[-300:]}')


def cases(env):
    for family in FAMILIES:
        yield family, (lambda f=family: check_family(env, f))
