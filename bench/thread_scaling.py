#!/usr/bin/env python3
"""Thread scaling of vmafx against libvmaf (issue 19, point 4): the wall-time speed-up from 1
thread on 1 core to 2 threads on 2 cores, for one clip, model and kernel mode.

usage: LIBVMAF_VMAF=/path/to/vmaf bench/thread_scaling.py [--build build] [--repeat 12]
                                [--case 576] [--model vmaf_v1.0.16_3d0h] [--mode auto]

Repetition i runs, one after the other, libvmaf at 1 and 2 threads, then vmafx at 1 and 2
threads; the 1-thread runs are pinned to CPU i mod 2 (vmafx's reader threads share it), the
2-thread runs may use both. It prints, per program, the median wall time at 1 and at 2
threads, their ratio, and the median and quartiles of the paired ratios (run i at 1 thread /
run i at 2): on a shared host the paired ratio is steadier. Modes as in engine_bench.py: avx2
and avx2vnni set VMAFX_CPU and mask libvmaf's AVX-512 (--cpumask 48). The clips are
engine_bench.py's (it makes them under BUILD/bench-clips)."""
import argparse, os, sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import engine_bench  # noqa: E402  (its clips and their cases)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--build', default=os.path.join(HERE, '..', 'build'))
    ap.add_argument('--repeat', type=int, default=12)
    ap.add_argument('--case', default='576', choices=sorted(engine_bench.CASES))
    ap.add_argument('--model', default='vmaf_v1.0.16_3d0h')
    ap.add_argument('--mode', default='auto', choices=('auto', 'avx2', 'avx2vnni', 'avx512'))
    args = ap.parse_args()
    libvmaf = os.environ.get('LIBVMAF_VMAF')
    if not libvmaf:
        raise SystemExit('thread_scaling.py: set LIBVMAF_VMAF to libvmaf\'s vmaf program')
    cpus = sorted(os.sched_getaffinity(0))
    if len(cpus) < 2:
        raise SystemExit('thread_scaling.py: needs 2 CPUs')
    clips = os.path.join(args.build, 'bench-clips')
    os.makedirs(clips, exist_ok=True)
    ref, dis = engine_bench.make_clip(clips, args.case)
    base = ['-q', '-r', ref, '-d', dis, '-o', '/dev/null', '-m', 'version=' + args.model]
    progs = {
        'libvmaf': ([libvmaf] + base + (['--cpumask', '48'] if args.mode.startswith('avx2') else []),
                    dict(os.environ)),
        'vmafx': ([os.path.join(args.build, 'src', 'cli', 'vmafx'), 'score'] + base,
                  dict(os.environ, VMAFX_CPU=args.mode)),
    }
    runs = {(name, t): [] for name in progs for t in (1, 2)}
    for i in range(args.repeat):
        for name, (cmd, env) in progs.items():
            for t in (1, 2):
                cpu = cpus[i % 2] if t == 1 else None
                runs[(name, t)].append(engine_bench.run_once(cmd + ['--threads', str(t)], env, cpu)[0])
    med = lambda v: sorted(v)[len(v) // 2]
    print(f'{engine_bench.CASES[args.case]["label"]}, {args.model}, {args.mode}, {args.repeat} runs')
    for name in progs:
        w1, w2 = runs[(name, 1)], runs[(name, 2)]
        paired = sorted(a / b for a, b in zip(w1, w2))
        n = len(paired)
        print(f'{name:8s} 1 thread {med(w1) * 1e3:6.0f} ms  2 threads {med(w2) * 1e3:6.0f} ms  '
              f'scaling {med(w1) / med(w2):.2f}x  paired {med(paired):.2f}x '
              f'(quartiles {paired[n // 4]:.2f}-{paired[3 * n // 4]:.2f})')
    return 0


if __name__ == '__main__':
    sys.exit(main())
