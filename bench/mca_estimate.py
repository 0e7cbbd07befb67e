#!/usr/bin/env python3
"""Cycles of vmafx and libvmaf estimated for CPUs that are not here (issue 19).

The speed goal holds on every x86 CPU, but a session measures only the machine under it. This
tool estimates what the two programs would cost on other microarchitectures from what they run
here: callgrind counts how often each instruction of both programs executes (the same clip and
frames for both), the executed code is cut into basic blocks (runs of instructions with the same
count, ended by a branch), and llvm-mca gives each block's steady-state cycles per pass on each
CPU model. A program's estimate is the sum over its blocks of passes x cycles per pass.

It is a model, not a measurement: every load hits L1, a block is timed as if it looped on
itself (no branch mispredictions, no dependencies across blocks), and a CPU model is LLVM's,
not the chip. What it is good for is the ratio of the two programs on one model, and how that
ratio moves from one model to another; run with an AMD model too (znver3) and compare its ratio
with the one measured on an AMD machine (bench/engine_bench.py) to see how far to trust it.

Usage:
  LIBVMAF_VMAF=.../tools/vmaf python3 bench/mca_estimate.py --build build \\
      [--case 576] [--model vmaf_v0.6.1] [--frames 20] [--cpus skylake,icelake-server,znver3]

Both programs run their AVX2 kernels (vmafx with VMAFX_CPU=avx2, libvmaf with --cpumask 48,
the benchmark's avx2 rows): valgrind runs no AVX-512 or AVX-VNNI code (the CPU it shows the
programs has neither), so their AVX-512 paths cannot be counted this way. Needs valgrind,
objdump and llvm-mca (Debian: valgrind, binutils, llvm).
"""
import argparse, collections, os, re, shutil, subprocess, sys, tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import engine_bench  # noqa: E402  (its clips and their cases)

BRANCH = re.compile(r'^(j[a-z]+|call[a-z]*|ret[a-z]*|loop[a-z]*|syscall|hlt|ud2)\b')
# instructions llvm-mca cannot take as objdump prints them, or that do no work: left out
SKIP = re.compile(r'^(nop[a-z]*|cs |ds |data16|xchg\s+%ax,%ax|endbr64|lock |rep |repz |repnz |bnd |notrack |'
                  r'xgetbv|cpuid|rdtsc|int3|pause)')


def callgrind(cmd, out, env):
    """Run cmd under callgrind with per-instruction counts: {object: {address: count}} and
    {(object, address): the function callgrind names there}."""
    subprocess.run(['valgrind', '--tool=callgrind', '--dump-instr=yes', '--compress-pos=no',
                    '--compress-strings=no', f'--callgrind-out-file={out}'] + cmd,
                   check=True, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    counts, names = collections.defaultdict(collections.Counter), {}
    ob, fn, skip = None, None, False
    with open(out) as f:
        for line in f:
            if skip:                       # the cost line after calls= is the callee's, inclusive
                skip = False
                continue
            if line.startswith('ob='):
                ob = line[3:].strip()
            elif line.startswith('fn='):
                fn = line[3:].strip()
            elif line.startswith('calls='):
                skip = True
            elif line.startswith('0x') and ob:
                parts = line.split()
                if len(parts) >= 3:
                    counts[ob][int(parts[0], 16)] += int(parts[2])
                    names[ob, int(parts[0], 16)] = fn
    return counts, names


def disassemble(obj, lo, hi):
    """[(address, AT&T text)] of obj's code between lo and hi, in address order."""
    p = subprocess.run(['objdump', '-d', '--no-show-raw-insn', f'--start-address={lo}', f'--stop-address={hi + 1}', obj],
                       capture_output=True, text=True, check=True)
    insns = []
    for line in p.stdout.splitlines():
        m = re.match(r'^\s*([0-9a-f]+):\t(.*)$', line)
        if m:
            text = re.sub(r'\s*#.*$', '', re.sub(r'\s*<[^>]*>', '', m.group(2))).strip()
            insns.append((int(m.group(1), 16), text))
    return insns


def blocks(obj, counts, names, share):
    """Basic blocks of obj covering `share` of its executed instructions: [(passes, function,
    [insn])], and obj's instruction count."""
    hot = sorted(counts.items(), key=lambda kv: -kv[1])
    total, need, picked = sum(counts.values()), 0, set()
    for addr, n in hot:
        if need >= share * total:
            break
        picked.add(addr)
        need += n
    if not picked:
        return [], total
    insns = disassemble(obj, min(picked), max(picked))
    out, cur, cur_n, cur_fn = [], [], None, None
    for addr, text in insns:
        n = counts.get(addr, 0)
        if cur and (n != cur_n or addr not in picked):
            out.append((cur_n, cur_fn, cur))
            cur = []
        if addr in picked:
            cur_n, cur_fn = n, names.get((obj, addr), '?')
            cur.append(text)
            if BRANCH.match(text):
                out.append((cur_n, cur_fn, cur))
                cur = []
    if cur:
        out.append((cur_n, cur_fn, cur))
    return out, total


def mca_input(blks):
    """llvm-mca source: one code region per block, without branches and no-ops."""
    lines, kept = [], []
    for i, (_, _, body) in enumerate(blks):
        body = [t for t in body if not BRANCH.match(t) and not SKIP.match(t)]
        if not body:
            continue
        lines.append(f'# LLVM-MCA-BEGIN b{i}')
        lines += body
        lines.append('# LLVM-MCA-END')
        kept.append(i)
    return '\n'.join(lines) + '\n', kept


def mca_cycles(src, cpu):
    """{region index: cycles per pass} from llvm-mca on cpu."""
    with tempfile.NamedTemporaryFile('w', suffix='.s', delete=False) as f:
        f.write(src)
    try:
        p = subprocess.run([shutil.which('llvm-mca') or 'llvm-mca', f'-mcpu={cpu}', '-iterations=200',
                            '-all-views=false', '-summary-view', f.name], capture_output=True, text=True)
    finally:
        os.unlink(f.name)
    if p.returncode:
        sys.exit(f'llvm-mca -mcpu={cpu} failed: {p.stderr.strip().splitlines()[-1] if p.stderr.strip() else p.returncode}')
    res, name = {}, None
    for line in p.stdout.splitlines():
        m = re.match(r'\[\d+\] Code Region - b(\d+)', line)
        if m:
            name = int(m.group(1))
        m = re.match(r'Total Cycles:\s+(\d+)', line)
        if m and name is not None:
            res[name] = int(m.group(1)) / 200.0
    return res


class Estimate:
    """One program's estimate: cycles per model (its cold remainder at its hot part's cycles per
    instruction), instructions, the share put through llvm-mca, and cycles per function."""

    def __init__(self, run, cpus, share):
        counts, names = run
        self.cycles = {c: 0.0 for c in cpus}
        self.by_function = {c: collections.Counter() for c in cpus}
        self.instructions = covered = 0
        for obj, cnt in counts.items():
            if not os.path.exists(obj):
                continue
            blks, total = blocks(obj, cnt, names, share)
            self.instructions += total
            if not blks:
                continue
            src, kept = mca_input(blks)
            for cpu in cpus:
                cyc = mca_cycles(src, cpu)
                for i in kept:
                    n, fn, _ = blks[i]
                    self.cycles[cpu] += n * cyc.get(i, 0.0)
                    self.by_function[cpu][fn] += n * cyc.get(i, 0.0)
            covered += sum(blks[i][0] * len(blks[i][2]) for i in kept)
        self.covered = covered / max(self.instructions, 1)
        scale = self.instructions / covered if covered else 1.0
        self.cycles = {c: v * scale for c, v in self.cycles.items()}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--build', default=os.path.join(HERE, '..', 'build'))
    ap.add_argument('--case', default='576', choices=sorted(engine_bench.CASES))
    ap.add_argument('--model', default='vmaf_v0.6.1')
    ap.add_argument('--frames', type=int, default=20)
    ap.add_argument('--cpus', default='haswell,skylake,icelake-server,znver2,znver3')
    ap.add_argument('--functions', type=int, default=12, help='how many functions to list per program')
    ap.add_argument('--share', type=float, default=0.98, help='share of each object\'s instructions put through llvm-mca')
    args = ap.parse_args()
    libvmaf = os.environ.get('LIBVMAF_VMAF')
    if not libvmaf or not os.access(libvmaf, os.X_OK):
        sys.exit('LIBVMAF_VMAF must name libvmaf\'s vmaf program')
    for tool in ('valgrind', 'objdump', 'llvm-mca'):
        if not shutil.which(tool):
            sys.exit(f'{tool} is not installed')
    ref, dis = engine_bench.make_clip(os.path.join(args.build, 'bench-clips'), args.case)
    vx = os.path.join(args.build, 'src', 'cli', 'vmafx')
    env = dict(os.environ, VMAFX_CPU='avx2')
    cpus = args.cpus.split(',')
    with tempfile.TemporaryDirectory() as tmp:
        base = ['-q', '--threads', '1', '-r', ref, '-d', dis, '-m', 'version=' + args.model, '-o', '/dev/null']
        vcmd = [vx, 'score'] + base + ['--frame-cnt', str(args.frames)]
        lcmd = [libvmaf] + base + ['--frame_cnt', str(args.frames), '--cpumask', '48']
        vx_est = Estimate(callgrind(vcmd, os.path.join(tmp, 'v.out'), env), cpus, args.share)
        lv_est = Estimate(callgrind(lcmd, os.path.join(tmp, 'l.out'), env), cpus, args.share)
    print(f'{engine_bench.CASES[args.case]["label"]}, {args.model}, {args.frames} frames, 1 thread, AVX2; '
          f'instructions put through llvm-mca: vmafx {vx_est.covered:.1%}, libvmaf {lv_est.covered:.1%}')
    print('model | libvmaf Minstr | vmafx Minstr | libvmaf Mcycles | vmafx Mcycles | libvmaf IPC | vmafx IPC | cycle ratio')
    li, vi = lv_est.instructions, vx_est.instructions
    for c in cpus:
        lc, vc = lv_est.cycles[c], vx_est.cycles[c]
        print(f'{c} | {li / 1e6:.1f} | {vi / 1e6:.1f} | {lc / 1e6:.1f} | {vc / 1e6:.1f} | {li / lc:.2f} | {vi / vc:.2f} | '
              f'{lc / vc:.2f}x')
    for name, est in (('vmafx', vx_est), ('libvmaf', lv_est)):
        print(f'\n{name}: Mcycles of its {args.functions} costliest functions (by the first model), per model')
        top = [fn for fn, _ in est.by_function[cpus[0]].most_common(args.functions)]
        print('function | ' + ' | '.join(cpus))
        for fn in top:
            print(f'{fn} | ' + ' | '.join(f'{est.by_function[c][fn] / 1e6:.1f}' for c in cpus))


if __name__ == '__main__':
    main()
