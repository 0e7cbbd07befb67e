#!/usr/bin/env python3
"""Where mount mode's time goes: `vmafx score` of a 1080p raw y4m pair and a 1080p h264 pair
read as local files (the floor), through rclone serve http (http-serve) and through rclone
mount (mount), traced with eBPF tracepoints, then timed.

Per input kind and mode it reports: histograms of read() sizes and latencies of the vmafx
process (read, pread64, recvfrom), FUSE READ round trips (tracepoint:fuse:fuse_request_send
to fuse_request_end) and sizes, FUSE requests per read(), reads per frame, time the reader
threads spend blocked (data syscalls plus poll) as a share of wall time, rclone's CPU per GB
(from /proc of the rclone child) and end-to-end fps (median of --runs, rounds interleaved so
that the machine's noise spreads over all cases).

The remote is rclone's local backend (`local:/path`, a generated rclone.conf): the figures are
the cost of FUSE + rclone against HTTP + rclone, with no storage server sharing the CPU.

Without eBPF (not root, no bpftrace, no tracefs, or a probe that does not attach) the script
says so and reports the same figures as vmafx's own reader measures them (VMAFX_DEBUG_IO=1:
read sizes and latencies inside the media layer, see docs/media.md).

usage: bench/mount_trace.py [--build build] [--baseline OLD_BUILD] [--frames 240] [--runs 3]
                            [--threads 1] [--inputs y4m,h264] [--modes local,http-serve,mount]
                            [--no-ebpf] [--json results.json] [--sweep RUNS]
--baseline adds every case once more with another build's vmafx (before/after in one run).
Bounded: 240 frames and 3 runs are 24 runs of 5–15 s, about 4 minutes on an idle 2-core machine,
twice that with --baseline (--frames and --runs shorten it). Prints markdown
(docs/performance.md, "Mount mode under eBPF")."""
import argparse, json, os, re, shutil, statistics, subprocess, sys, tempfile, threading, time

HERE = os.path.dirname(os.path.abspath(__file__))
TICK = os.sysconf('SC_CLK_TCK')

BPF = r'''
tracepoint:syscalls:sys_enter_read, tracepoint:syscalls:sys_enter_pread64,
tracepoint:syscalls:sys_enter_recvfrom /pid == cpid && tid != pid/ { @t[tid] = nsecs; }
tracepoint:syscalls:sys_exit_read, tracepoint:syscalls:sys_exit_pread64,
tracepoint:syscalls:sys_exit_recvfrom /pid == cpid && tid != pid && @t[tid]/ {
  $d = nsecs - @t[tid];
  delete(@t[tid]);
  if (args->ret > 0) {
    @read_size = hist(args->ret); @read_us = hist($d / 1000);
    @reads = count(); @read_bytes = sum(args->ret); @read_ns = sum($d);
    @tid_bytes[tid] = sum(args->ret); @tid_blocked[tid] = sum($d);
  }
}
tracepoint:syscalls:sys_enter_poll, tracepoint:syscalls:sys_enter_ppoll /pid == cpid && tid != pid/ { @p[tid] = nsecs; }
tracepoint:syscalls:sys_exit_poll, tracepoint:syscalls:sys_exit_ppoll /pid == cpid && tid != pid && @p[tid]/ {
  @tid_blocked[tid] = sum(nsecs - @p[tid]);
  delete(@p[tid]);
}
tracepoint:fuse:fuse_request_send {
  @fs[args->connection, args->unique] = nsecs;
  if (args->opcode == 15) { @fr[args->connection, args->unique] = 1; }
}
tracepoint:fuse:fuse_request_end /@fs[args->connection, args->unique]/ {
  if (@fr[args->connection, args->unique]) {
    @fuse_read_us[args->connection] = hist((nsecs - @fs[args->connection, args->unique]) / 1000);
    @fuse_read_size[args->connection] = hist(args->len - 16);
    @fuse_reads[args->connection] = count();
    delete(@fr[args->connection, args->unique]);
  }
  delete(@fs[args->connection, args->unique]);
}
BEGIN { @start = nsecs; }
END { @wall_ns = nsecs - @start; clear(@t); clear(@p); clear(@fs); clear(@fr); delete(@start); }
'''


def cpu_seconds(pid):
    try:
        with open(f'/proc/{pid}/stat') as f:
            fields = f.read().rsplit(')', 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / TICK
    except (OSError, IndexError):
        return None


def descendants(pid):
    parent = {}
    for p in os.listdir('/proc'):
        if p.isdigit():
            try:
                with open(f'/proc/{p}/stat') as f:
                    rest = f.read().rsplit(')', 1)
                parent[int(p)] = (int(rest[1].split()[1]), rest[0].split('(', 1)[1])
            except (OSError, IndexError):
                pass
    out, todo = [], [pid]
    while todo:
        cur = todo.pop()
        kids = [(c, name) for c, (pp, name) in parent.items() if pp == cur]
        out += kids
        todo += [c for c, _ in kids]
    return out


class RcloneCpu(threading.Thread):
    """Samples the CPU time of every rclone below pid every 20 ms; the last sample before it
    exits stands for its total (at most 20 ms of its stop is lost)."""

    def __init__(self, pid):
        super().__init__(daemon=True)
        self.pid, self.seen, self.stop = pid, {}, threading.Event()

    def run(self):
        while not self.stop.is_set():
            for c, name in descendants(self.pid):
                if name == 'rclone':
                    v = cpu_seconds(c)
                    if v is not None:
                        self.seen[c] = v
            self.stop.wait(0.02)

    def total(self):
        self.stop.set()
        self.join()
        return sum(self.seen.values())


def make_clips(d, frames):
    os.makedirs(d, exist_ok=True)
    ff = ['ffmpeg', '-v', 'error', '-y']
    clips = {'y4m': (os.path.join(d, f'ref{frames}.y4m'), os.path.join(d, f'dis{frames}.y4m')),
             'h264': (os.path.join(d, f'ref{frames}.mkv'), os.path.join(d, f'dis{frames}.mkv'))}
    ry, dy = clips['y4m']
    rh, dh = clips['h264']
    steps = [(ry, ['-f', 'lavfi', '-i', f'testsrc2=size=1920x1080:rate=24', '-frames:v', str(frames),
                   '-pix_fmt', 'yuv420p']),
             (dy, ['-i', ry, '-vf', 'noise=alls=12:allf=t,boxblur=1', '-pix_fmt', 'yuv420p']),
             (rh, ['-i', ry, '-c:v', 'libx264', '-crf', '18', '-preset', 'veryfast']),
             (dh, ['-i', rh, '-c:v', 'libx264', '-crf', '35', '-preset', 'veryfast'])]
    for out, args in steps:
        if not os.path.exists(out):
            subprocess.run(ff + args + [out + '.part.' + out.rsplit('.', 1)[1]], check=True, timeout=600)
            os.rename(out + '.part.' + out.rsplit('.', 1)[1], out)
    return clips


def ebpf_unavailable():
    """None when bpftrace can attach the tracepoints this script needs, else why not."""
    if os.geteuid() != 0:
        return 'not root (bpftrace needs CAP_BPF and CAP_PERFMON)'
    if not shutil.which('bpftrace'):
        return 'bpftrace is not installed (apt-get install bpftrace)'
    if not os.path.isdir('/sys/kernel/tracing/events'):
        subprocess.run(['mount', '-t', 'tracefs', 'nodev', '/sys/kernel/tracing'], capture_output=True)
    if not os.path.isdir('/sys/kernel/tracing/events/syscalls'):
        return 'tracefs is not mounted at /sys/kernel/tracing and could not be mounted'
    if not os.path.isdir('/sys/kernel/tracing/events/fuse'):
        return 'the kernel has no fuse tracepoints (tracepoint:fuse:fuse_request_send)'
    p = subprocess.run(['bpftrace', '-e', 'tracepoint:fuse:fuse_request_send { @n = count(); } '
                        'tracepoint:syscalls:sys_enter_read { @r = count(); } BEGIN { exit(); }'],
                       capture_output=True, text=True, timeout=60)
    if p.returncode:
        return 'bpftrace could not attach: ' + (p.stderr.strip().splitlines() or ['?'])[-1]
    return None


def parse_bpftrace_json(text):
    out = {}
    for line in text.splitlines():
        if not line.startswith('{'):
            continue
        try:
            j = json.loads(line)
        except ValueError:
            continue
        if j.get('type') in ('hist', 'map'):
            for k, v in j['data'].items():
                out[k.lstrip('@')] = v
    return out


def parse_debug_io(stderr):
    return [json.loads(m) for m in re.findall(r'^vmafx debug-io: (\{.*\})$', stderr, re.M)]


class Bench:
    def __init__(self, a, work):
        self.a, self.work = a, work
        self.conf = os.path.join(work, 'rclone.conf')
        with open(self.conf, 'w') as f:
            f.write('[local]\ntype = local\n')
        self.mnt = os.path.join(work, 'mnt')
        os.makedirs(self.mnt, exist_ok=True)
        self.env = dict(os.environ)
        self.env.pop('AWS_CA_BUNDLE', None)   # breaks rclone 1.60's s3 backend
        for k in list(self.env):
            if k.startswith('VMAFX_'):
                del self.env[k]
        # a loaded 2-core machine can take longer than the default 4 s to stat an object
        self.env.update({'VMAFX_RCLONE_CONFIG': self.conf, 'VMAFX_MOUNT_ROOT': self.mnt,
                         'VMAFX_STORAGE_CHECK_TIMEOUT': '30'})

    def command(self, build, mode, ref, dis):
        vmafx = os.path.join(os.path.abspath(build), 'src', 'cli', 'vmafx')
        if mode != 'local':
            ref, dis = 'local:' + ref, 'local:' + dis
        cmd = [vmafx, 'score', '-q', '-r', ref, '-d', dis, '--threads', str(self.a.threads), '-o', '/dev/null']
        return cmd + (['--storage-mode', mode] if mode != 'local' else [])

    def timed(self, cmd):
        """wall s, rclone CPU s, CPU s of vmafx and its reaped children (rclone included)"""
        with tempfile.TemporaryFile(mode='w+') as errf:
            t0 = time.monotonic()
            p = subprocess.Popen(cmd, env=self.env, stdout=subprocess.DEVNULL, stderr=errf)
            sampler = RcloneCpu(p.pid)
            sampler.start()
            _, status, usage = os.wait4(p.pid, 0)
            p.returncode = os.waitstatus_to_exitcode(status)
            wall = time.monotonic() - t0
            rclone = sampler.total()
            errf.seek(0)
            if p.returncode:
                raise RuntimeError(f'{" ".join(cmd)} failed: {errf.read().strip()[-400:]}')
        return wall, rclone, usage.ru_utime + usage.ru_stime

    def traced(self, cmd, ebpf):
        env = dict(self.env, VMAFX_DEBUG_IO='1')
        if not ebpf:
            t0 = time.monotonic()
            p = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=900)
            if p.returncode:
                raise RuntimeError(p.stderr[-400:])
            return {'wall_ns': (time.monotonic() - t0) * 1e9}, parse_debug_io(p.stderr)
        bpf = os.path.join(self.work, 'trace.bt')
        wrapper = os.path.join(self.work, 'run.sh')
        errf = os.path.join(self.work, 'vmafx.stderr')
        with open(bpf, 'w') as f:
            f.write(BPF)
        # bpftrace -c splits its command at spaces without any quoting, so the command goes into
        # a script; exec keeps the pid, which the probes filter on (cpid)
        q = ' '.join("'" + c.replace("'", "'\\''") + "'" for c in cmd)
        with open(wrapper, 'w') as f:
            f.write(f'#!/bin/sh\nexec {q} 2>{errf}\n')
        p = subprocess.run(['bpftrace', '-f', 'json', bpf, '-c', f'/bin/sh {wrapper}'], env=env,
                           capture_output=True, text=True, timeout=900)
        with open(errf) as f:
            stderr = f.read()
        if p.returncode or 'error' in stderr:   # -q: vmafx prints nothing else but debug-io lines
            raise RuntimeError(f'traced run failed: {p.stderr.strip()[-400:]} {stderr[-400:]}')
        return parse_bpftrace_json(p.stdout), parse_debug_io(stderr)


# ---- rclone mount options ------------------------------------------------------------------

SWEEP = [   # (rclone command, flags, kernel read-ahead KiB or 0 = as mounted)
    ('mount', [], 0), ('mount', ['--async-read=false'], 0), ('mount', ['--max-read-ahead', '1M'], 0),
    ('mount', ['--buffer-size', '0'], 0), ('mount', [], 1024),
    ('mount2', [], 0), ('mount2', ['--buffer-size', '0'], 0), ('mount2', ['--buffer-size', '64M'], 0),
    ('mount2', ['--vfs-read-chunk-size', '0'], 0), ('mount2', ['--vfs-read-chunk-size', '8M'], 0),
    ('mount2', ['--vfs-cache-mode', 'minimal'], 0), ('mount2', ['--max-read-ahead', '1M'], 0),
    ('mount2', [], 1024),
]
# what vmafx passes to every rclone child (src/storage/rclone_cmd.c)
BASE_FLAGS = ['--read-only', '--no-checksum', '--no-modtime', '--poll-interval', '0', '--vfs-cache-mode', 'off']


def sweep(a, bench, clips, size, runs):
    """Mounts the clips' folder with each option set and scores the files in the mount (the
    path mount mode hands to the media layer): fps and rclone CPU per GB, median of runs."""
    folder = os.path.dirname(clips['y4m'][0])
    mnt = os.path.join(bench.work, 'sweep')
    os.makedirs(mnt, exist_ok=True)
    print(f'rclone mount options, y4m pair ({size["y4m"] / 1e9:.2f} GB), new build, median of {runs}\n')
    print('| command | options | kernel read-ahead | fps | rclone CPU s/GB |\n|---|---|---|---|---|')
    for cmd, flags, ra in SWEEP:
        p = subprocess.Popen(['rclone', cmd, 'local:' + folder, mnt, '--config', bench.conf] + BASE_FLAGS + flags,
                             env=bench.env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            end = time.monotonic() + 20
            while not os.path.exists(os.path.join(mnt, os.path.basename(clips['y4m'][0]))):
                if time.monotonic() > end or p.poll() is not None:
                    raise RuntimeError(f'rclone {cmd} {flags} did not mount')
                time.sleep(0.01)
            st = os.stat(mnt)
            bdi = f'/sys/class/bdi/{os.major(st.st_dev)}:{os.minor(st.st_dev)}/read_ahead_kb'
            if ra:
                with open(bdi, 'w') as f:
                    f.write(str(ra))
            with open(bdi) as f:
                kb = f.read().strip()
            walls, cpus = [], []
            paths = [os.path.join(mnt, os.path.basename(x)) for x in clips['y4m']]
            for _ in range(runs):
                c0, t0 = cpu_seconds(p.pid), time.monotonic()
                subprocess.run(bench.command(a.build, 'local', *paths), env=bench.env, check=True,
                               capture_output=True, timeout=900)
                walls.append(time.monotonic() - t0)
                cpus.append(cpu_seconds(p.pid) - c0)
        finally:
            subprocess.run(['fusermount3', '-u', mnt], capture_output=True)
            p.terminate()
            p.wait(10)
        shown = ' '.join(flags) or "vmafx's flags only"
        print(f'| {cmd} | {shown} | {kb} KiB | {a.frames / statistics.median(walls):.1f} '
              f'| {statistics.median(cpus) / (size["y4m"] / 1e9):.2f} |', flush=True)
    print()


# ---- reporting ------------------------------------------------------------------------------

def hist_rows(h):
    """bpftrace json hist [{min,max,count}] -> [(lo, count)]"""
    return [(b.get('min', 0), b['count']) for b in h]


def fmt_size(v):
    for unit, div in (('M', 1 << 20), ('K', 1 << 10)):
        if v >= div:
            return f'{v // div}{unit}'
    return str(v)


def render_hist(rows, size=False):
    if not rows:
        return '(none)\n'
    top = max(c for _, c in rows) or 1
    out = ''
    for lo, c in rows:
        hi = lo * 2 if lo else 1
        label = f'[{fmt_size(lo)}, {fmt_size(hi)})' if size else f'[{lo}, {hi})'
        out += f'{label:>16} {c:9d} |{"@" * max(1 if c else 0, round(40 * c / top)):40s}|\n'
    return out


def debug_rows(d, key):
    """debug-io log2 buckets {"k": n} -> [(2^k, n)], merged over the inputs."""
    acc = {}
    for rec in d:
        for k, n in rec[key].items():
            acc[int(k)] = acc.get(int(k), 0) + n
    return [(0 if k == 0 and key == 'lat_us_log2' else 1 << k, acc[k]) for k in sorted(acc)]


def quantile(rows, q):
    """value at quantile q from log2 buckets (the bucket's lower bound)"""
    total = sum(c for _, c in rows)
    run = 0
    for lo, c in rows:
        run += c
        if total and run >= q * total:
            return lo
    return 0


def summarize(t, dio, frames):
    """One case's figures from the trace (eBPF) or from debug-io."""
    s = {}
    if 'reads' in t:
        s['src'] = 'eBPF'
        s['reads'] = t['reads']
        s['bytes'] = t.get('read_bytes', 0)
        s['mean_us'] = t.get('read_ns', 0) / 1000 / max(1, t['reads'])
        s['size_rows'] = hist_rows(t.get('read_size', []))
        s['lat_rows'] = hist_rows(t.get('read_us', []))
        readers = sorted(t.get('tid_bytes', {}).items(), key=lambda kv: -kv[1])[:2]
        s['blocked'] = [t['tid_blocked'].get(k, 0) / t['wall_ns'] for k, _ in readers]
        conn = max(t.get('fuse_reads', {'-': 0}).items(), key=lambda kv: kv[1])[0]
        s['fuse_reads'] = t.get('fuse_reads', {}).get(conn, 0)
        s['fuse_rt_rows'] = hist_rows(t.get('fuse_read_us', {}).get(conn, []))
        s['fuse_size_rows'] = hist_rows(t.get('fuse_read_size', {}).get(conn, []))
    else:
        s['src'] = 'debug-io'
        s['reads'] = sum(r['reads'] for r in dio)
        s['bytes'] = sum(r['bytes'] for r in dio)
        s['mean_us'] = sum(r['blocked_s'] for r in dio) * 1e6 / max(1, s['reads'])
        s['size_rows'] = debug_rows(dio, 'size_log2')
        s['lat_rows'] = debug_rows(dio, 'lat_us_log2')
        s['blocked'] = [r['blocked_s'] / (t['wall_ns'] / 1e9) for r in dio]
        s['fuse_reads'], s['fuse_rt_rows'], s['fuse_size_rows'] = 0, [], []
    s['debug_io'] = dio
    s['reads_per_frame'] = s['reads'] / (2 * frames)
    s['wall'] = t['wall_ns'] / 1e9
    return s


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    ap.add_argument('--build', default=os.path.join(HERE, '..', 'build'))
    ap.add_argument('--baseline', help='another build folder, measured in the same rounds')
    ap.add_argument('--frames', type=int, default=240)
    ap.add_argument('--runs', type=int, default=3)
    ap.add_argument('--threads', type=int, default=1)
    ap.add_argument('--inputs', default='y4m,h264')
    ap.add_argument('--modes', default='local,http-serve,mount')
    ap.add_argument('--no-ebpf', action='store_true', help='skip eBPF, report debug-io figures only')
    ap.add_argument('--json', help='write every figure here')
    ap.add_argument('--sweep', type=int, default=0, metavar='RUNS',
                    help='also score the y4m pair through rclone mount / mount2 with each option set '
                         'of the sweep table, RUNS times each (about 13 x RUNS runs)')
    a = ap.parse_args()
    for prog in ('ffmpeg', 'rclone'):
        if not shutil.which(prog):
            sys.exit(f'mount_trace: {prog} is not installed (scripts/setup.sh)')
    why = 'disabled with --no-ebpf' if a.no_ebpf else ebpf_unavailable()
    if why:
        print(f'**eBPF tracing unavailable: {why}.** The figures below are user-space ones, measured '
              f'inside vmafx\'s reader (VMAFX_DEBUG_IO=1); FUSE round trips cannot be seen from there.\n')
    clips = make_clips(os.path.join(os.path.abspath(a.build), 'mount-trace'), a.frames)
    builds = {'new': a.build} | ({'old': a.baseline} if a.baseline else {})
    work = tempfile.mkdtemp(prefix='vmafx-mount-trace-')
    bench = Bench(a, work)
    cases = [(b, i, m) for i in a.inputs.split(',') for m in a.modes.split(',') for b in builds]
    size = {i: sum(os.path.getsize(p) for p in clips[i]) for i in clips}
    res = {c: {'wall': [], 'rclone': [], 'cpu': []} for c in cases}
    try:
        if a.sweep:
            sweep(a, bench, clips, size, a.sweep)
        for c in cases:   # one traced run per case, also the warm-up of the page cache
            b, i, m = c
            t, dio = bench.traced(bench.command(builds[b], m, *clips[i]), ebpf=not why)
            res[c]['trace'] = summarize(t, dio, a.frames)
            print(f'traced {b} {i} {m}: {res[c]["trace"]["wall"]:.1f} s', file=sys.stderr, flush=True)
        for r in range(a.runs):
            for c in cases:
                wall, rc, cpu = bench.timed(bench.command(builds[c[0]], c[2], *clips[c[1]]))
                res[c]['wall'].append(wall)
                res[c]['rclone'].append(rc)
                res[c]['cpu'].append(cpu)
            print(f'round {r + 1}/{a.runs} done', file=sys.stderr, flush=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    report(a, builds, cases, res, size)
    if a.json:
        with open(a.json, 'w') as f:
            json.dump({' '.join(c): v for c, v in res.items()}, f, indent=1)


def report(a, builds, cases, res, size):
    with open('/proc/loadavg') as f:
        load = f.read().split()[:3]
    print(f'1080p, {a.frames} frames per input, `--threads {a.threads}`, median of {a.runs} '
          f'(load average at the end: {" ".join(load)})\n')
    print('| build | input | mode | fps (median) | runs (s) | CPU ms per frame: vmafx + rclone | read() calls per frame | mean read() µs '
          '| p50 / p99 read() µs | FUSE READs per read() | FUSE READ p50 / p99 µs | blocked in reads '
          '(per reader) | rclone CPU s/GB |')
    print('|' + '---|' * 13)
    for c in cases:
        b, i, m = c
        r, s = res[c], res[c]['trace']
        fps = a.frames / statistics.median(r['wall'])
        lat, mean = s['lat_rows'], s['mean_us']
        fuse = (f'{s["fuse_reads"] / s["reads"]:.2f}' if m == 'mount' and s['fuse_reads'] else '–')
        frt = (f'{quantile(s["fuse_rt_rows"], .5)} / {quantile(s["fuse_rt_rows"], .99)}'
               if m == 'mount' and s['fuse_rt_rows'] else '–')
        cpu = (f'{statistics.median(r["rclone"]) / (size[i] / 1e9):.2f}' if m != 'local' else '–')
        runs = ' '.join(f'{w:.1f}' for w in r['wall'])
        rcl = statistics.median(r['rclone'])
        vm = statistics.median(x - y for x, y in zip(r['cpu'], r['rclone']))
        cpf = f'{1000 * vm / a.frames:.0f} + {1000 * rcl / a.frames:.0f}'
        print(f'| {b} | {i} | {m} | **{fps:.1f}** | {runs} | {cpf} | {s["reads_per_frame"]:.1f} | {mean:.0f} | '
              f'{quantile(lat, .5)} / {quantile(lat, .99)} | {fuse} | {frt} | '
              f'{" / ".join(f"{100 * x:.0f} %" for x in s["blocked"])} | {cpu} |')
    print('\n(read() figures: the reader threads\' data syscalls (read, pread64, recvfrom), which leaves '
          'out the main thread\'s: the dynamic loader, the storage set-up and each input\'s first block; '
          'latency quantiles are the lower bound of their power-of-two bucket; h264 moves ~11 MB per '
          'run, so its rclone s/GB is mostly rclone\'s start-up)\n')
    for c in cases:
        b, i, m = c
        s = res[c]['trace']
        print(f'#### {b} build, {i}, {m} ({s["src"]})\n\n```')
        print(f'read() sizes, bytes ({s["reads"]} calls, {s["bytes"] / 1e6:.0f} MB)')
        print(render_hist(s['size_rows'], size=True), end='')
        print('read() latency, µs')
        print(render_hist(s['lat_rows']), end='')
        if s['fuse_reads'] and m == 'mount':   # other modes: other programs' FUSE mounts
            print(f'FUSE READ round trip, µs ({s["fuse_reads"]} requests)')
            print(render_hist(s['fuse_rt_rows']), end='')
            print('FUSE READ reply size, bytes')
            print(render_hist(s['fuse_size_rows'], size=True), end='')
        for d in s['debug_io']:
            print(f'debug-io {d["input"]} via {d["via"]}: {d["reads"]} reads, {d["bytes"] / 1e6:.0f} MB, '
                  f'blocked {d["blocked_s"]:.2f} s of {d["open_s"]:.2f} s, longest {d["max_read_ms"]:.1f} ms')
        print('```\n')


if __name__ == '__main__':
    main()
