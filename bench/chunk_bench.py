#!/usr/bin/python3
"""Chunked jobs benchmark (issue 13; on demand, not part of the test command).

A long 1080p job (the conformance pair testsrc2_1920x1080_crf35 repeated to --frames frames,
local y4m files) scored by vmafx-controller and vmafx-node:

  whole:   1 node pinned to one core (taskset -c 0), the job unchunked;
  chunked: 2 nodes, each pinned to its own core (taskset -c 0 / -c 1), the job in chunks of
           each --sizes value.

With --container the distorted input is that y4m encoded once to an h264 mp4 (libx264 with
the ffmpeg on PATH, as the tests use, a keyframe every --gop frames, closed GOPs, cached
under build/bench-clips): the controller has a node count its frames (a probe lease) before
cutting, and each chunk seeks in it by its sample table. Per chunk size the table then also
gives the frames decoded that no chunk scores (the two history frames of each chunk after the
first, plus the frames from the keyframe to the chunk's start in the mp4) and how the chunks
reached their first frame, from the nodes' seek notes.

Each node scores with one thread and one slot. Prints the wall time from submit to completed
as the client saw it (it polls every 0.05 s) and as the job's own created_at/finished_at say
(job s; the speed-up and the ratio use it), and per chunk size the chunking overhead: the
chunks' summed busy time (leased to finished) minus the whole run's, per chunk (seeks, two
warm-up frames, lease and result round trips, and the merge). Two cores of a VM slow each other
down (shared caches, memory bandwidth, the host's siblings), so the bench also runs two whole
jobs at once on the two pinned nodes: half that time is the bound chunking can reach here, and
the last overhead column measures the chunks against it. Every chunked report is checked to equal the
whole run's (but fps). The numbers depend on the machine and on what else runs on it.

usage: bench/chunk_bench.py [--build build] [--frames 600] [--sizes 50,150,300]
                            [--container [--gop 48]]"""
import argparse, collections, datetime, os, re, subprocess, sys, time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, '..', 'tests'))
from controller_testlib import Cluster, Proc, _clean_env, long_clip, metric, wait_until   # noqa: E402
from vmafx_testlib import pair_files                                              # noqa: E402
from test_chunks import without_timing                                            # noqa: E402

PAIR = 'testsrc2_1920x1080_crf35'


class Env:
    def __init__(self, build):
        self.build = os.path.abspath(build)
        self.shared = os.path.abspath(os.path.join(HERE, '..', '..', 'shared'))
        self.scratch = os.path.join(self.build, 'bench-scratch')
        os.makedirs(self.scratch, exist_ok=True)
        self.quick = False

    def bin(self, *parts):
        return os.path.join(self.build, *parts)


def clips(env, frames):
    ref, dis = pair_files(env, PAIR)
    out = []
    for src, name in ((ref, 'ref'), (dis, 'dis')):
        path = os.path.join(env.build, 'bench-clips', f'chunk_{name}_{frames}.y4m')
        if not os.path.exists(path):
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path + '.part', 'wb') as f:
                f.write(long_clip(src, frames))
            os.rename(path + '.part', path)
        out.append(path)
    return out


def mp4_clip(env, y4m, gop):
    """y4m encoded to h264 in mp4 (closed GOPs, a keyframe every gop frames), made once."""
    path = y4m[:-4] + f'_g{gop}.mp4'
    if not os.path.exists(path):
        part = path[:-4] + '.part.mp4'
        subprocess.run(['ffmpeg', '-nostdin', '-hide_banner', '-v', 'error', '-y', '-i', y4m, '-c:v', 'libx264',
                        '-preset', 'veryfast', '-crf', '23', '-g', str(gop), '-keyint_min', str(gop),
                        '-sc_threshold', '0', '-bf', '2', part], check=True)
        os.rename(part, path)
    return path


SEEK = re.compile(r'job (\S+): distorted input .*?: (?:seeked to keyframe (\d+) \(([^)]*)\), decoded (\d+) frames '
                  r'before frame \d+|decoded (\d+) frames from the start: (.*))$')


def seek_notes(c, job):
    """(frames decoded before the chunks' starts, {how: chunks}) from the nodes' seek notes of
    the distorted input."""
    ids = {ch['id'] for ch in job.get('chunks', [])}
    extra, kinds = 0, collections.Counter()
    for name in os.listdir(c.dir):
        if not (name.startswith('node-') and name.endswith('.log')):
            continue
        for line in open(os.path.join(c.dir, name), errors='replace'):
            m = SEEK.search(line.rstrip('\n'))
            if not m or m.group(1) not in ids:
                continue
            if m.group(2) is not None:
                extra += int(m.group(4))
                kinds[f'keyframe seek ({m.group(3)})'] += 1
            else:
                extra += int(m.group(5))
                kinds[f'from the start ({m.group(6)})'] += 1
    return extra, kinds


def pinned_node(c, node_id, core):
    cmd = ['taskset', '-c', str(core), c.bin('vmafx-node'), '--controller', f'http://127.0.0.1:{c.port}',
           '--node-id', node_id, '--poll-wait', '1', '--threads', '1', '--slots', '1']
    p = Proc(f'vmafx-node {node_id}', cmd, os.path.join(c.dir, f'node-{node_id}.log'), _clean_env({'TMPDIR': c.dir}))
    c.procs.append(p)
    return p


def job_seconds(job):
    """created_at to finished_at from the job's own timestamps (no client polling slack)."""
    t = [datetime.datetime.fromisoformat(job[k].replace('Z', '+00:00')) for k in ('created_at', 'finished_at')]
    return (t[1] - t[0]).total_seconds()


def run_pair(env, ref, dis):
    """Two unchunked jobs at once on 2 pinned nodes: each core scores a whole job while the other
    core is busy too, so half its time is what chunks could reach on this machine."""
    with Cluster(env, 'bench-chunk-pair') as c:
        c.controller()
        api = c.api()
        for i in range(2):
            pinned_node(c, f'n{i}', i)
        wait_until('the nodes to register', lambda: metric(api.metrics(), 'vmafx_controller_nodes_live') == 2,
                   timeout=30)
        jids = [api.submit(ref, dis) for _ in range(2)]
        jobs = [api.wait_status(j, ('completed', 'failed'), timeout=3600) for j in jids]
        assert all(j['status'] == 'completed' for j in jobs), jobs
        return max(job_seconds(j) for j in jobs)


def run_job(env, name, ref, dis, cores, chunk_frames):
    with Cluster(env, name) as c:
        c.controller()
        api = c.api()
        for i, core in enumerate(cores):
            pinned_node(c, f'n{i}', core)
        wait_until('the nodes to register', lambda: metric(api.metrics(), 'vmafx_controller_nodes_live') == len(cores),
                   timeout=30)
        t0 = time.time()
        jid = api.submit(ref, dis, chunk_frames=chunk_frames)
        job = api.wait_status(jid, ('completed', 'failed'), timeout=3600)
        wall = time.time() - t0
        assert job['status'] == 'completed', job
        st, body, _ = api.call('GET', f'/v1/jobs/{jid}/frames?format=json', raw=True)
        assert st == 200, st
        return wall, job, body.decode(), seek_notes(c, job)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--build', default=os.path.join(HERE, '..', 'build'))
    ap.add_argument('--frames', type=int, default=600)
    ap.add_argument('--sizes', default='50,150,300')
    ap.add_argument('--container', action='store_true', help='the distorted input as an h264 mp4')
    ap.add_argument('--gop', type=int, default=48, help='--container: frames from keyframe to keyframe')
    args = ap.parse_args()
    env = Env(args.build)
    ref, dis = clips(env, args.frames)
    if args.container:
        dis = mp4_clip(env, dis, args.gop)
    whole, job, report, _ = run_job(env, 'bench-chunk-whole', ref, dis, [0], 0)
    busy_whole = job_seconds(job)
    busy_pair = run_pair(env, ref, dis)
    what = f'distorted h264 mp4, a keyframe every {args.gop} frames' if args.container else 'y4m inputs'
    print(f'{args.frames} frames 1920x1080, {what}, one thread per node; load average '
          f'{" ".join(f"{x:.1f}" for x in os.getloadavg())} at the start\n')
    print('| run | nodes (cores) | chunks | wall s | job s | speed-up | job s vs 1 node | overhead per chunk s '
          '| overhead per chunk, both cores busy s | extra frames decoded |'
          + (' how the chunks started |' if args.container else ''))
    print('|---|---|---|---|---|---|---|---|---|---|' + ('---|' if args.container else ''))
    print(f'| whole | 1 (core 0) | - | {whole:.1f} | {busy_whole:.1f} | 1.00x | 1.00 | - | - | 0 |'
          + (' - |' if args.container else ''))
    print(f'| 2 whole jobs at once | 2 (cores 0, 1) | - | - | {busy_pair:.1f} | - | {busy_pair / 2 / busy_whole:.2f} '
          '(half: the bound) | - | - | 0 |' + (' - |' if args.container else ''))
    for size in [int(s) for s in args.sizes.split(',')]:
        wall, job, rep, (before, kinds) = run_job(env, f'bench-chunk-{size}', ref, dis, [0, 1], size)
        if without_timing(rep) != without_timing(report):
            raise SystemExit(f'chunks of {size}: the merged report differs from the whole run')
        chunks = job.get('chunks', [])
        busy = sum(ch.get('seconds', 0) for ch in chunks)
        per = (busy - busy_whole) / len(chunks) if chunks else 0
        per_pair = (busy - busy_pair) / len(chunks) if chunks else 0
        history = 2 * max(len(chunks) - 1, 0)
        if args.container:
            how = ', '.join(f'{n}× {k}' for k, n in sorted(kinds.items())) or '-'
            extra = f'{history + before} ({history} history + {before} keyframe to start) | {how} |'
        else:
            extra = f'{history} |'
        js = job_seconds(job)
        print(f'| chunks of {size} | 2 (cores 0, 1) | {len(chunks)} | {wall:.1f} | {js:.1f} | {busy_whole / js:.2f}x '
              f'| {js / busy_whole:.2f} | {per:+.2f} | {per_pair:+.2f} | {extra}', flush=True)
    print(f'\nload average {" ".join(f"{x:.1f}" for x in os.getloadavg())} at the end')


if __name__ == '__main__':
    main()
