#!/usr/bin/python3
"""Engine benchmark (on demand, not part of the tests): fps and peak RSS of `vmafx score` per
kernel level and thread count, callgrind instructions per frame, and libvmaf's fps measured in
the same run when LIBVMAF_VMAF names its `vmaf` binary.

usage: bench/engine_bench.py [--build build] [--repeat 3] [--cases 576,1080,576p10]
                             [--no-callgrind]
       bench/engine_bench.py --v1 [--cases 576,1080,576p10,1080p10]
       bench/engine_bench.py --cpu [--repeat 6] [--cases ...] [--models default,v1] [--modes auto,avx2]
                             [--pin]
Clips are generated with ffmpeg under build/bench-clips (testsrc2 → x264 CRF 35 → y4m).
Whole-process wall time, best of --repeat runs; fps = frames / time. CPU times come from
wait4's resource usage (microseconds).

--v1: CPU time (user + sys, best of --repeat) of the default VMAF v1 model
(vmaf_v1.0.16_3d0h) in vmafx and libvmaf (LIBVMAF_VMAF), at 1 and 2 threads, with libvmaf's
time split into its parts (CAMBI, SpEED chroma, and ADM3 + motion3 under the model's options,
the last through a stand-in model with only those two features, which vmafx runs too).

--cpu: vmafx against libvmaf (LIBVMAF_VMAF) side by side, every case x model (default
vmaf_v0.6.1, default v1 vmaf_v1.0.16_3d0h) x mode (auto: each program's best kernels; avx2:
VMAFX_CPU=avx2 against libvmaf --cpumask 48, i.e. AVX-512 masked off; avx2vnni: the same with
vmafx's AVX-VNNI filters, where the CPU has them) x threads (1, 2). The two
programs run alternately, --repeat times each; it prints CPU time (user + sys) per scored frame
(median and minimum), median wall time, both ratios (libvmaf / vmafx), and the spread of the CPU
times ((max - min) / median) so the noise of a shared machine shows, and at the end each
program's speed-up in wall time from 1 to 2 threads. The header names the CPU,
its SIMD flags and the kernel level vmafx picks there (cpu.c's rule, read from /proc/cpuinfo).
The paired CPU ratio is the median (and minimum) of run i's libvmaf / vmafx, the two runs made
one after the other: on a shared host whose CPUs are not equally fast (one 2-vCPU machine here
had one vCPU 30 % slower than the other, and which one changed within minutes), it is steadier
than the ratio of medians. --pin runs each 1-thread pair on one CPU, the CPUs in turn (vmafx's
reader threads then share that CPU with its scoring thread).
"""
import argparse, os, re, shutil, subprocess, sys, tempfile, time

HERE = os.path.dirname(os.path.abspath(__file__))

CASES = {
    '576': dict(size='576x324', pix='yuv420p', frames=240, label='576x324 8-bit'),
    '1080': dict(size='1920x1080', pix='yuv420p', frames=48, label='1920x1080 8-bit'),
    '576p10': dict(size='576x324', pix='yuv420p10le', frames=240, label='576x324 10-bit'),
    '1080p10': dict(size='1920x1080', pix='yuv420p10le', frames=48, label='1920x1080 10-bit'),
}
LEVELS = ('scalar', 'avx2', 'avx512')


def sh(cmd, **kw):
    return subprocess.run(cmd, check=True, capture_output=True, text=True, **kw)


def make_clip(out_dir, key):
    c = CASES[key]
    ref = os.path.join(out_dir, f'{key}_ref.y4m')
    dis = os.path.join(out_dir, f'{key}_dis.y4m')
    if os.path.exists(ref) and os.path.exists(dis):
        return ref, dis
    mkv = os.path.join(out_dir, f'{key}.mkv')
    src = f'testsrc2=size={c["size"]}:rate=24'
    sh(['ffmpeg', '-y', '-loglevel', 'error', '-f', 'lavfi', '-i', src, '-frames:v', str(c['frames']),
        '-pix_fmt', c['pix'], '-strict', '-1', ref])
    sh(['ffmpeg', '-y', '-loglevel', 'error', '-i', ref, '-c:v', 'libx264', '-crf', '35', '-preset', 'fast',
        '-pix_fmt', c['pix'], mkv])
    sh(['ffmpeg', '-y', '-loglevel', 'error', '-i', mkv, '-pix_fmt', c['pix'], '-strict', '-1', dis])
    return ref, dis


def timed(cmd, env=None):
    """(wall seconds, peak RSS KiB) of one run, via GNU time."""
    p = subprocess.run(['/usr/bin/time', '-f', '%e %M'] + cmd, capture_output=True, text=True, env=env)
    if p.returncode:
        raise RuntimeError(f'{cmd[0]} failed: {p.stderr[-400:]}')
    secs, rss = p.stderr.strip().splitlines()[-1].split()
    return float(secs), int(rss)


def best(cmd, repeat, env=None):
    runs = [timed(cmd, env) for _ in range(repeat)]
    return min(r[0] for r in runs), max(r[1] for r in runs)


def vmafx_cmd(build, ref, dis, threads, extra=()):
    return [os.path.join(build, 'src', 'cli', 'vmafx'), 'score', '-q', '-r', ref, '-d', dis,
            '--threads', str(threads)] + list(extra)


def callgrind_per_frame(cmd, level, frames_a=3, frames_b=8):
    """Instructions per frame: the difference of two runs cancels start-up costs."""
    counts = []
    env = dict(os.environ, VMAFX_CPU=level)
    for n in (frames_a, frames_b):
        with tempfile.TemporaryDirectory() as d:
            p = subprocess.run(['valgrind', '--tool=callgrind', f'--callgrind-out-file={d}/cg.out'] +
                               cmd + ['--frame_cnt', str(n)], capture_output=True, text=True, env=env)
            m = re.search(r'Collected : (\d+)', p.stderr)
            if not m:
                return None
            counts.append(int(m.group(1)))
    return (counts[1] - counts[0]) / (frames_b - frames_a)


def cpu_time(cmd, env=None):
    """User + system CPU seconds of one run (GNU time), or None when the command fails."""
    p = subprocess.run(['/usr/bin/time', '-f', '%U %S'] + cmd, capture_output=True, text=True, env=env)
    if p.returncode:
        return None
    user, sys_ = p.stderr.strip().splitlines()[-1].split()
    return float(user) + float(sys_)


def best_cpu(cmd, repeat):
    runs = [cpu_time(cmd) for _ in range(repeat)]
    return None if None in runs else min(runs)


V1_MODEL = 'vmaf_v1.0.16_3d0h'


def v1_parts(models_dir, out_dir):
    """libvmaf --feature strings of the v1 model's CAMBI and SpEED, and a stand-in model file
    with only its adm3 and motion3 features (same options, a dummy SVM)."""
    import json
    md = json.load(open(os.path.join(models_dir, V1_MODEL + '.json')))['model_dict']
    feats = {}
    for name, opts in zip(md['feature_names'], md['feature_opts_dicts']):
        kv = ':'.join(f'{k}={str(v).lower() if isinstance(v, bool) else v}' for k, v in opts.items())
        feats[name] = kv
    keep = [i for i, n in enumerate(md['feature_names']) if 'adm3' in n or 'motion3' in n]
    stand_in = {'model_dict': {
        'model_type': 'LIBSVMNUSVR', 'norm_type': 'linear_rescale',
        'feature_names': [md['feature_names'][i] for i in keep],
        'feature_opts_dicts': [md['feature_opts_dicts'][i] for i in keep],
        'slopes': [1.0] * (len(keep) + 1), 'intercepts': [0.0] * (len(keep) + 1),
        'model': 'svm_type nu_svr\nkernel_type rbf\ngamma 0.1\nnr_class 2\ntotal_sv 1\nrho 0\nSV\n1 1:0 2:0\n'}}
    path = os.path.join(out_dir, 'v1_adm3_motion3.json')
    json.dump(stand_in, open(path, 'w'))
    cambi = next(v for k, v in feats.items() if k.startswith('Cambi'))
    speed = next(v for k, v in feats.items() if k.startswith('Speed_chroma'))
    return f'cambi={cambi}', f'speed_chroma={speed}', path


def bench_v1(args, clips):
    libvmaf = os.environ.get('LIBVMAF_VMAF')
    if not libvmaf:
        print('--v1 needs LIBVMAF_VMAF (libvmaf 3.2.0\'s vmaf)')
        return 2
    cambi, speed, stand_in = v1_parts(os.path.join(HERE, '..', '..', 'shared', 'models'), clips)
    vx = os.path.join(args.build, 'src', 'cli', 'vmafx')
    fmt = lambda t: '-' if t is None else f'{t:.2f}'
    print(f'CPU seconds (user + sys), best of {args.repeat}; {V1_MODEL}')
    print('case | threads | libvmaf model | libvmaf cambi | libvmaf speed_chroma | libvmaf adm3+motion3 | '
          'vmafx model | vmafx adm3+motion3 | ratio model | ratio adm3+motion3')
    for key in args.cases.split(','):
        ref, dis = make_clip(clips, key)
        for t in (1, 2):
            base = ['-q', '-r', ref, '-d', dis, '--threads', str(t), '-o', '/dev/null']
            lm = best_cpu([libvmaf] + base + ['-m', 'version=' + V1_MODEL], args.repeat)
            lc = best_cpu([libvmaf] + base + ['-n', '--feature', cambi], args.repeat)
            ls = best_cpu([libvmaf] + base + ['-n', '--feature', speed], args.repeat)
            li = best_cpu([libvmaf] + base + ['-m', 'path=' + stand_in], args.repeat)
            xm = best_cpu([vx, 'score'] + base + ['-m', 'version=' + V1_MODEL], args.repeat)
            xi = best_cpu([vx, 'score'] + base + ['-m', 'path=' + stand_in], args.repeat)
            rm = f'{xm / lm:.2f}' if xm and lm else '-'
            ri = f'{xi / li:.2f}' if xi and li else '-'
            print(f'{CASES[key]["label"]} | {t} | {fmt(lm)} | {fmt(lc)} | {fmt(ls)} | {fmt(li)} | '
                  f'{fmt(xm)} | {fmt(xi)} | {rm} | {ri}', flush=True)
    return 0


def cpu_info():
    """(model name, SIMD flags of interest, vmafx's auto level) from /proc/cpuinfo."""
    model, flags = '?', set()
    with open('/proc/cpuinfo') as f:
        for line in f:
            k, _, v = line.partition(':')
            if k.strip() == 'model name' and model == '?':
                model = v.strip()
            elif k.strip() == 'flags' and not flags:
                flags = set(v.split())
    shown = [x for x in ('avx2', 'bmi2', 'fma', 'avx512f', 'avx512bw', 'avx512dq', 'avx512vl',
                         'avx512_vnni', 'avx512_bf16', 'avx_vnni', 'vaes', 'gfni') if x in flags]
    if {'avx512f', 'avx512bw', 'avx512dq', 'avx512vl'} <= flags:
        level = 'avx512vnni' if 'avx512_vnni' in flags else 'avx512'
    elif {'avx2', 'bmi2'} <= flags:
        level = 'avx2vnni' if 'avx_vnni' in flags else 'avx2'
    else:
        level = 'scalar'
    return model, shown, level


def run_once(cmd, env=None, cpu=None):
    """(wall s, user + sys s) of one run, from wait4's resource usage (microseconds, where GNU
    time rounds to 10 ms: 3 % of a 576x324 run), on the given CPU only if cpu is not None;
    raises on failure. The child inherits the CPU from this process, pinned around the start:
    a preexec_fn would run Python in the child between fork and exec, and the 6-7 ms it takes
    there would count as the child's CPU time (measured with /bin/true: 9.1 ms against 2.4)."""
    old = os.sched_getaffinity(0)
    if cpu is not None:
        os.sched_setaffinity(0, {cpu})
    t0 = time.monotonic()
    try:
        p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    finally:
        os.sched_setaffinity(0, old)
    err = p.stderr.read()
    _, status, ru = os.wait4(p.pid, 0)
    wall = time.monotonic() - t0
    p.returncode = os.waitstatus_to_exitcode(status)
    if p.returncode:
        raise RuntimeError(f'{" ".join(cmd)} failed: {err[-400:].decode(errors="replace")}')
    return wall, ru.ru_utime + ru.ru_stime


def median(xs):
    xs = sorted(xs)
    n = len(xs)
    return xs[n // 2] if n % 2 else (xs[n // 2 - 1] + xs[n // 2]) / 2


def bench_cpu(args, clips):
    libvmaf = os.environ.get('LIBVMAF_VMAF')
    if not libvmaf:
        print('--cpu needs LIBVMAF_VMAF (libvmaf 3.2.0\'s vmaf)')
        return 2
    vx = os.path.join(args.build, 'src', 'cli', 'vmafx')
    model, flags, level = cpu_info()
    print(f'CPU: {model}, {os.cpu_count()} logical CPUs; flags: {" ".join(flags)}')
    print(f'vmafx kernels: auto = {level}; avx2 mode = VMAFX_CPU=avx2 vs libvmaf --cpumask 48')
    print(f'load average at start: {os.getloadavg()[0]:.1f}; {args.repeat} runs each, alternating')
    cpus = sorted(os.sched_getaffinity(0))
    if args.pin:
        print(f'1-thread runs pinned: run i of both programs on CPU {cpus} [i mod {len(cpus)}]')
    print('case | model | mode | threads | libvmaf CPU ms/frame (med/min) | vmafx CPU ms/frame '
          '(med/min) | CPU ratio (med/min) | paired CPU ratio (med/min) | libvmaf wall s | '
          'vmafx wall s | wall ratio | CPU spread libvmaf/vmafx')
    models = {'default': 'vmaf_v0.6.1', 'v1': V1_MODEL}
    walls = {}  # (case, model, mode, threads) -> (libvmaf, vmafx) median wall
    for key in args.cases.split(','):
        ref, dis = make_clip(clips, key)
        frames = CASES[key]['frames']
        for mname in args.models.split(','):
            for mode in args.modes.split(','):
                for t in (1, 2):
                    base = ['-q', '-r', ref, '-d', dis, '--threads', str(t), '-o', '/dev/null',
                            '-m', 'version=' + models[mname]]
                    # avx2 and avx2vnni: libvmaf's AVX2 kernels (it has no AVX-VNNI ones)
                    lcmd = [libvmaf] + base + (['--cpumask', '48'] if mode.startswith('avx2') else [])
                    xcmd = [vx, 'score'] + base
                    xenv = dict(os.environ, VMAFX_CPU=mode)
                    lr, xr = [], []
                    for i in range(args.repeat):
                        cpu = cpus[i % len(cpus)] if args.pin and t == 1 else None
                        lr.append(run_once(lcmd, cpu=cpu))
                        xr.append(run_once(xcmd, xenv, cpu))
                    lc = [c * 1e3 / frames for _, c in lr]
                    xc = [c * 1e3 / frames for _, c in xr]
                    lw, xw = median([w for w, _ in lr]), median([w for w, _ in xr])
                    walls[(key, mname, mode, t)] = (lw, xw)
                    spread = lambda v: f'{(max(v) - min(v)) / median(v) * 100:.0f}%'
                    paired = [a / b for a, b in zip(lc, xc)]
                    print(f'{CASES[key]["label"]} | {mname} | {mode} | {t} | '
                          f'{median(lc):.2f} / {min(lc):.2f} | {median(xc):.2f} / {min(xc):.2f} | '
                          f'{median(lc) / median(xc):.2f}x / {min(lc) / min(xc):.2f}x | '
                          f'{median(paired):.2f}x / {min(paired):.2f}x | '
                          f'{lw:.2f} | {xw:.2f} | {lw / xw:.2f}x | {spread(lc)} / {spread(xc)}',
                          flush=True)
    print_scaling(walls)
    return 0


def print_scaling(walls):
    """Throughput from 1 to 2 threads (median wall at 1 / at 2), issue 19 point 4."""
    print('\ncase | model | mode | libvmaf 1->2 threads | vmafx 1->2 threads')
    for (key, mname, mode, t), (lw1, xw1) in walls.items():
        if t != 1 or (key, mname, mode, 2) not in walls:
            continue
        lw2, xw2 = walls[(key, mname, mode, 2)]
        print(f'{CASES[key]["label"]} | {mname} | {mode} | {lw1 / lw2:.2f}x | {xw1 / xw2:.2f}x')


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--build', default=os.path.join(HERE, '..', 'build'))
    ap.add_argument('--repeat', type=int, default=3)
    ap.add_argument('--cases', default='576,1080,576p10')
    ap.add_argument('--no-callgrind', action='store_true')
    ap.add_argument('--v1', action='store_true', help='CPU time of the VMAF v1 model and its parts')
    ap.add_argument('--cpu', action='store_true',
                    help='CPU time and wall time against libvmaf, every case, model, mode, thread count')
    ap.add_argument('--models', default='default,v1', help='with --cpu: default, v1')
    ap.add_argument('--modes', default='auto,avx2', help='with --cpu: auto, avx2, avx2vnni')
    ap.add_argument('--pin', action='store_true',
                    help='with --cpu: run i of each 1-thread case on CPU i mod N, both programs alike')
    args = ap.parse_args()
    clips = os.path.join(args.build, 'bench-clips')
    os.makedirs(clips, exist_ok=True)
    if args.v1:
        return bench_v1(args, clips)
    if args.cpu:
        if args.cases == ap.get_default('cases'):
            args.cases = ','.join(CASES)
        return bench_cpu(args, clips)
    libvmaf = os.environ.get('LIBVMAF_VMAF')
    have_cg = shutil.which('valgrind') and not args.no_callgrind
    print('case | kernels | threads | fps | peak RSS MiB | libvmaf fps | ratio')
    for key in args.cases.split(','):
        ref, dis = make_clip(clips, key)
        frames = CASES[key]['frames']
        lib_fps = {}
        if libvmaf:
            for t in (1, 2):
                secs, _ = best([libvmaf, '-q', '-r', ref, '-d', dis, '--threads', str(t), '-o', '/dev/null'],
                               args.repeat)
                lib_fps[t] = frames / secs
        for level in LEVELS:
            env = dict(os.environ, VMAFX_CPU=level)
            for t in (1, 2):
                secs, rss = best(vmafx_cmd(args.build, ref, dis, t), args.repeat, env)
                fps = frames / secs
                lf = lib_fps.get(t)
                ratio = f'{fps / lf:.2f}x' if lf else '-'
                print(f'{CASES[key]["label"]} | {level} | {t} | {fps:.1f} | {rss / 1024:.1f} | '
                      f'{lf and f"{lf:.1f}" or "-"} | {ratio}', flush=True)
        if have_cg:
            for level in ('scalar', 'avx2'):
                ipf = callgrind_per_frame(vmafx_cmd(args.build, ref, dis, 1), level)
                print(f'{CASES[key]["label"]} | {level} | callgrind | {ipf / 1e6:.1f} M instructions/frame'
                      if ipf else f'{CASES[key]["label"]} | {level} | callgrind | failed', flush=True)
    return 0


if __name__ == '__main__':
    sys.exit(main())
