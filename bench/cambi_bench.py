#!/usr/bin/python3
"""CAMBI CPU time, vmafx against libvmaf 3.2.0 (on demand, not part of the tests).

For each conformance pair: `--feature cambi` with the default model (the command libvmaf's
users run) and the default model alone, vmafx and libvmaf interleaved, --repeat times each;
CPU time (user + sys, from wait4) of the whole process, median. CAMBI's own cost is the
difference of the two. One thread each.

usage: bench/cambi_bench.py [--build build] [--vmaf PATH] [--repeat 7] [--pairs a,b,...]
                            [--shared ../shared]
"""
import argparse, lzma, os, statistics, subprocess, sys

HERE = os.path.dirname(os.path.abspath(__file__))
PAIRS = ('testsrc2_576x324_crf35', 'testsrc2_576x324_p10_crf35', 'testsrc2_1920x1080_crf35')


def cpu_seconds(cmd):
    p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, ru = os.wait4(p.pid, 0)
    if status:
        raise RuntimeError(f'{" ".join(cmd)} failed ({status})')
    return ru.ru_utime + ru.ru_stime


def clip(shared, work, pair, name):
    out = os.path.join(work, pair, name)
    if not os.path.exists(out):
        os.makedirs(os.path.dirname(out), exist_ok=True)
        with lzma.open(os.path.join(shared, 'conformance', pair, name + '.xz')) as f, open(out, 'wb') as g:
            g.write(f.read())
    return out


def cpu_model():
    for line in open('/proc/cpuinfo'):
        if line.startswith('model name'):
            return line.split(':', 1)[1].strip()
    return 'unknown CPU'


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--build', default=os.path.join(HERE, '..', 'build'))
    ap.add_argument('--vmaf', default=os.environ.get('LIBVMAF_VMAF', '/work/ref/libvmaf/build/tools/vmaf'))
    ap.add_argument('--shared', default=os.path.join(HERE, '..', '..', 'shared'))
    ap.add_argument('--repeat', type=int, default=7)
    ap.add_argument('--pairs', default=','.join(PAIRS))
    a = ap.parse_args()
    vmafx = os.path.join(a.build, 'src', 'cli', 'vmafx')
    work = os.path.join(a.build, 'bench-clips', 'cambi')
    print(f'CPU: {cpu_model()}, {os.cpu_count()} logical CPUs; median of {a.repeat}, user+sys seconds')
    print(f'{"pair":32} {"libvmaf +cambi":>14} {"model":>7} {"cambi":>7} | {"vmafx +cambi":>12} '
          f'{"model":>7} {"cambi":>7} | {"ratio +cambi":>12} {"cambi":>6}')
    for pair in a.pairs.split(','):
        ref, dis = clip(a.shared, work, pair, 'ref.y4m'), clip(a.shared, work, pair, 'dis.y4m')
        runs = {
            'lib_c': [a.vmaf, '-q', '-r', ref, '-d', dis, '--threads', '1', '--feature', 'cambi',
                      '--json', '-o', os.devnull],
            'lib_m': [a.vmaf, '-q', '-r', ref, '-d', dis, '--threads', '1', '--json', '-o', os.devnull],
            'x_c': [vmafx, 'score', '-q', '-r', ref, '-d', dis, '--threads', '1', '--feature', 'cambi',
                    '--json', '-o', os.devnull],
            'x_m': [vmafx, 'score', '-q', '-r', ref, '-d', dis, '--threads', '1', '--json', '-o', os.devnull],
        }
        t = {k: [] for k in runs}
        for _ in range(a.repeat):
            for k, cmd in runs.items():
                t[k].append(cpu_seconds(cmd))
        m = {k: statistics.median(v) for k, v in t.items()}
        lib_cambi, x_cambi = m['lib_c'] - m['lib_m'], m['x_c'] - m['x_m']
        print(f'{pair:32} {m["lib_c"]:14.3f} {m["lib_m"]:7.3f} {lib_cambi:7.3f} | {m["x_c"]:12.3f} '
              f'{m["x_m"]:7.3f} {x_cambi:7.3f} | {m["x_c"] / m["lib_c"]:12.2f} '
              f'{x_cambi / lib_cambi if lib_cambi > 0 else float("nan"):6.2f}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
