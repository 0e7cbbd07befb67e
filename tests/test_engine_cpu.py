"""Gathers or arithmetic (src/engine/cpu.c, cpu_slow_gathers): kernels with an arithmetic
alternative to vector gathers take it on AMD, and on Intel where the kernel reports the Gather
Data Sampling mitigation (or a hypervisor decides it); tests/engine/cpu_check.c checks the rule
on every status line the kernel writes and prints the running CPU's answer, which must follow
from /proc/cpuinfo's vendor and the kernel's file."""
import platform
from vmafx_testlib import run, Skip

GDS = '/sys/devices/system/cpu/vulnerabilities/gather_data_sampling'


def vendor():
    with open('/proc/cpuinfo') as f:
        for line in f:
            if line.startswith('vendor_id'):
                return line.split(':', 1)[1].strip()
    return ''


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
