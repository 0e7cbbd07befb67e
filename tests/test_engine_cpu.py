"""Gathers or arithmetic (src/engine/cpu.c, cpu_slow_gathers): kernels with an arithmetic
alternative to vector gathers take it on AMD, and on Intel where the kernel reports the Gather
Data Sampling mitigation (or a hypervisor decides it); tests/engine/cpu_check.c checks the rule
on every status line the kernel writes and prints the running CPU's answer, which must follow
from /proc/cpuinfo's vendor and the kernel's file. The same program checks the kernel level picked for each request
on made-up CPUs that have only some levels (an unavailable level falls back to the next one
below), that each level's name (vmafx_cpu_name) parses back to it and no other string parses,
and prints which levels this CPU runs, which must follow from /proc/cpuinfo's flags."""
import platform
from vmafx_testlib import run, Skip

GDS = '/sys/devices/system/cpu/vulnerabilities/gather_data_sampling'


def vendor():
    with open('/proc/cpuinfo') as f:
        for line in f:
            if line.startswith('vendor_id'):
                return line.split(':', 1)[1].strip()
    return ''


def flags():
    with open('/proc/cpuinfo') as f:
        for line in f:
            if line.startswith('flags'):
                return set(line.split(':', 1)[1].split())
    return set()


def expected_levels():
    f = flags()
    avx2 = {'avx2', 'bmi2'} <= f
    avx512 = avx2 and {'avx512f', 'avx512bw', 'avx512dq', 'avx512vl'} <= f
    return {'scalar': 1, 'avx2': int(avx2), 'avx2vnni': int(avx2 and 'avx_vnni' in f),
            'avx512': int(avx512), 'avx512vnni': int(avx512 and 'avx512_vnni' in f)}


def expected():
    v = vendor()
    if v == 'AuthenticAMD':
        return 1
    if v != 'GenuineIntel':
        return 0
    try:
        status = open(GDS).readline()
    except OSError:
        return 0
    return int(status.startswith('Mitigation') or status.startswith('Unknown'))


def test_slow_gathers(env):
    if platform.machine() not in ('x86_64', 'i686'):
        raise Skip('not an x86 CPU: no gathers to choose')
    p = run([env.bin('tests', 'engine', 'engine-cpu-check')], check=False, timeout=60)
    lines = p.stdout.strip().splitlines()
    assert p.returncode == 0 and lines, p.stdout[-2000:] + p.stderr[-2000:]
    assert lines[-1] == f'slow_gathers {expected()}', f'{vendor()}: {lines[-1]}'
    print(f'      {vendor()}: {lines[-1]}')


def test_levels(env):
    if platform.machine() not in ('x86_64', 'i686'):
        raise Skip('not an x86 CPU: only the scalar level')
    p = run([env.bin('tests', 'engine', 'engine-cpu-check')], check=False, timeout=60)
    bad = [l for l in p.stdout.splitlines() if l.startswith('bad:')]
    assert p.returncode == 0 and not bad, p.stdout[-2000:] + p.stderr[-2000:]
    got = {w[1]: int(w[2]) for w in (l.split() for l in p.stdout.splitlines()) if w and w[0] == 'runs'}
    assert got == expected_levels(), f'runs {got}, /proc/cpuinfo says {expected_levels()}'
    print(f'      levels this CPU runs: {" ".join(k for k, v in got.items() if v)}')
