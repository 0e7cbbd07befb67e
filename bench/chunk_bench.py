#!/usr/bin/python3
"""Chunked jobs benchmark (issue 13; on demand, not part of the test command).

A long 1080p job (the conformance pair testsrc2_1920x1080_crf35 repeated to --frames frames,
local y4m files) scored by vmafx-controller and vmafx-node:

  whole:   1 node pinned to one core (taskset -c 0), the job unchunked;
  chunked: 2 nodes, each pinned to its own core (taskset -c 0 / -c 1), the job in chunks of
           each --sizes value.

Each node scores with one thread and one slot. Prints the wall time from submit to completed,
the speed-up over the whole run, and per chunk size the chunking overhead: the chunks' summed
busy time (leased to finished) minus the whole run's, per chunk (seeks, two warm-up frames,
lease and result round trips, and the merge). Every chunked report is checked to equal the
whole run's (but fps). The numbers depend on the machine and on what else runs on it.

usage: bench/chunk_bench.py [--build build] [--frames 600] [--sizes 50,150,300]"""
import argparse, os, sys, time

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


def pinned_node(c, node_id, core):
    cmd = ['taskset', '-c', str(core), c.bin('vmafx-node'), '--controller', f'http://127.0.0.1:{c.port}',
           '--node-id', node_id, '--poll-wait', '1', '--threads', '1', '--slots', '1']
    p = Proc(f'vmafx-node {node_id}', cmd, os.path.join(c.dir, f'node-{node_id}.log'), _clean_env({'TMPDIR': c.dir}))
    c.procs.append(p)
    return p


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
        return wall, job, body.decode()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--build', default=os.path.join(HERE, '..', 'build'))
    ap.add_argument('--frames', type=int, default=600)
    ap.add_argument('--sizes', default='50,150,300')
    args = ap.parse_args()
    env = Env(args.build)
    ref, dis = clips(env, args.frames)
    whole, job, report = run_job(env, 'bench-chunk-whole', ref, dis, [0], 0)
    busy_whole = whole
    print(f'{args.frames} frames 1920x1080, one thread per node\n')
    print('| run | nodes (cores) | chunks | wall s | speed-up | overhead per chunk s | extra frames decoded |')
    print('|---|---|---|---|---|---|---|')
    print(f'| whole | 1 (core 0) | - | {whole:.1f} | 1.00x | - | 0 |')
    for size in [int(s) for s in args.sizes.split(',')]:
        wall, job, rep = run_job(env, f'bench-chunk-{size}', ref, dis, [0, 1], size)
        if without_timing(rep) != without_timing(report):
            raise SystemExit(f'chunks of {size}: the merged report differs from the whole run')
        chunks = job.get('chunks', [])
        busy = sum(ch.get('seconds', 0) for ch in chunks)
        per = (busy - busy_whole) / len(chunks) if chunks else 0
        print(f'| chunks of {size} | 2 (cores 0, 1) | {len(chunks)} | {wall:.1f} | {whole / wall:.2f}x '
              f'| {per:+.2f} | {2 * max(len(chunks) - 1, 0)} |', flush=True)


if __name__ == '__main__':
    main()
