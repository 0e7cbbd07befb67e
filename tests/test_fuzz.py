"""Fuzzing as part of the suite: every libFuzzer harness of tests/fuzz (y4m/raw yuv reader,
model JSON and libsvm, job spec, tokens file, rclone.conf, input URIs with the address rules
as a property, the controller's request path) runs for a bounded time under ASan + UBSan
(scripts/fuzz.sh, clang build in build-fuzz) for a fixed number of executions from a fixed
seed, and every saved finding in tests/fuzz/regressions/ is replayed. A case fails on any crash, sanitizer report, failed
property or failing regression input, and when the harness executed nothing.

The harnesses are sanitizer builds already, so they run once, in the release pass; the quick
(sanitizer) pass lists none. Longer, open-ended runs: scripts/fuzz.sh -t SECONDS."""
import os, re, subprocess

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# executions per harness in the suite: a fixed seed and count make the run repeatable (a
# finding here is a finding everywhere); about 10-20 s each on 2 cores; time capped at 90 s
RUNS = {'y4m': 4000, 'model': 60000, 'jobspec': 150000, 'tokens': 15000, 'rcconf': 40000,
        'uri': 150000, 'http': 80000}
HARNESSES = list(RUNS)


def run_harness(name):
    p = subprocess.run(['bash', os.path.join(ROOT, 'scripts', 'fuzz.sh'), '-t', '90', '-s', '1',
                        '-r', str(RUNS[name]), name], cwd=ROOT, capture_output=True, text=True, timeout=90 * 3 + 900)
    line = next((ln for ln in p.stdout.splitlines() if ln.startswith(f'fuzz {name} ')), None)
    assert line, f'fuzz.sh printed no result for {name}:\n{p.stdout[-2000:]}\n{p.stderr[-2000:]}'
    execs = re.search(r'executions (\d+)', line)
    assert execs and int(execs.group(1)) > 0, f'{name}: executed nothing: {line}'
    assert p.returncode == 0, f'{name}: {line}\n' + '\n'.join(
        ln for ln in p.stdout.splitlines() if ln.startswith('fuzz:'))[-2000:]
    print(f'      {line}')


def cases(env):
    if env.quick:
        return
    for h in HARNESSES:
        yield f'fuzz_{h}', (lambda h=h: run_harness(h))
