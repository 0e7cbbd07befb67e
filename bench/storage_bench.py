#!/usr/bin/env python3
"""Storage benchmark (on demand): starts the loopback lab of tests/storage_lab.py and measures

  1. prepare latency per backend and mode: cold (rclone starts) and warm (pooled process);
  2. streaming through the media layer's reader (vmafx-storage cat: libavformat + MD5/size
     check): MB/s, and CPU seconds per GB spent in rclone, http-serve vs mount;
  3. end-to-end `vmafx score` fps at 1080p from each backend against the same files locally.

usage: bench/storage_bench.py [--build build] [--frames 48] [--threads 2] [--warm 30]
                              [--backends s3,azblob,sftp,http,webdav,local] [--modes http-serve,mount]
Prints markdown tables (docs/performance.md, "Storage")."""
import argparse, os, statistics, subprocess, sys, tempfile, time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, '..', 'tests'))
import storage_lab  # noqa: E402
from storage_testlib import Shell, StorageTool, finish, readline  # noqa: E402

TICK = os.sysconf('SC_CLK_TCK')


class Env:
    def __init__(self, build, scratch):
        self.build, self.scratch = os.path.abspath(build), scratch

    def bin(self, *parts):
        return os.path.join(self.build, *parts)


def cpu_seconds(pid):
    with open(f'/proc/{pid}/stat') as f:
        fields = f.read().rsplit(')', 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK


def make_clips(lab, frames):
    """1080p y4m reference and a distorted version (noise + blur), in the lab's bucket."""
    ref, dis = os.path.join(lab.media, 'ref1080.y4m'), os.path.join(lab.media, 'dis1080.y4m')
    if not os.path.exists(dis):
        src = f'testsrc2=size=1920x1080:rate=24:duration={frames / 24}'
        subprocess.run(['ffmpeg', '-v', 'error', '-y', '-f', 'lavfi', '-i', src, '-pix_fmt', 'yuv420p', ref], check=True)
        subprocess.run(['ffmpeg', '-v', 'error', '-y', '-i', ref, '-vf', 'noise=alls=12:allf=t,boxblur=1',
                        '-pix_fmt', 'yuv420p', dis], check=True)
        for remote in ('s3', 'azblob'):
            lab.rclone_cmd('copy', '--include', '*1080.y4m', lab.media, f'{remote}:{storage_lab.BUCKET}', timeout=600)
    return ref, dis


def uris(lab, name):
    port = lab.servers['sftp'].port
    return {'s3': f's3://media/{name}', 'azblob': f'azblob://media/{name}',
            'sftp': f'sftp://root@127.0.0.1:{port}/media/{name}', 'http': f'http:media/{name}',
            'webdav': f'webdav:media/{name}', 'local': f'local:{lab.media}/{name}'}


def latency(tool, uri, mode, warm_n):
    sh = Shell(tool, settings={'storage-mode': mode, 'storage-idle-timeout': '600'})
    try:
        cold = sh.prepare(0, uri)['us'] / 1000
        sh.cmd('release 0')
        warm = []
        for i in range(warm_n):
            warm.append(sh.prepare(1, uri)['us'] / 1000)
            sh.cmd('release 1')
        return cold, statistics.median(warm), max(warm)
    finally:
        sh.close()


def stream(tool, uri, mode, size):
    sh = Shell(tool, settings={'storage-mode': mode})
    try:
        pid = sh.prepare(0, uri)['pid']
        c0, t0 = cpu_seconds(pid), time.monotonic()
        r = sh.cmd('cat 0', timeout=600)
        t, c = time.monotonic() - t0, cpu_seconds(pid) - c0
        if r[0] != 'ok':
            raise RuntimeError(' '.join(r))
        return size / t / 1e6, c / (size / 1e9)
    finally:
        sh.close()


def score_fps(env, ref, dis, frames, threads):
    vmafx = env.bin('src', 'cli', 'vmafx')
    t0 = time.monotonic()
    p = subprocess.run([vmafx, 'score', '-r', ref, '-d', dis, '-q', '--json', '-o', '/dev/null', '--threads', str(threads)],
                       capture_output=True, text=True, timeout=1800)
    if p.returncode:
        raise RuntimeError(p.stderr[-500:])
    return frames / (time.monotonic() - t0)


def remote_fps(env, tool, lab, backend, mode, frames, threads, runs):
    """Prepares both inputs (kept by a vmafx-storage prepare), then scores what it printed
    (median of runs; the storage stays prepared, as in a node's warm pool)."""
    u = uris(lab, '{}')
    p = tool.popen('prepare', u[backend].format('ref1080.y4m'), u[backend].format('dis1080.y4m'),
                   settings={'storage-mode': mode, 'storage-idle-timeout': '600'})
    locs = [readline(p, 60).split(' ', 8)[8] for _ in range(2)]
    try:
        return statistics.median(score_fps(env, locs[0], locs[1], frames, threads) for _ in range(runs))
    finally:
        finish(p, '\n')


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--build', default='build')
    ap.add_argument('--frames', type=int, default=48)
    ap.add_argument('--threads', type=int, default=1)
    ap.add_argument('--runs', type=int, default=3, help='scoring runs per configuration (median)')
    ap.add_argument('--warm', type=int, default=30)
    ap.add_argument('--backends', default='s3,azblob,sftp,http,webdav,local')
    ap.add_argument('--modes', default='http-serve,mount')
    ap.add_argument('--skip-score', action='store_true')
    a = ap.parse_args()
    env = Env(a.build, tempfile.mkdtemp(prefix='vmafx-storage-bench-'))
    lab = storage_lab.get_lab(env.scratch)
    tool = StorageTool(env, lab)
    backends, modes = a.backends.split(','), a.modes.split(',')
    try:
        print('| backend | mode | cold prepare ms | warm prepare ms (median / max) |\n|---|---|---|---|')
        for b in backends:
            for m in modes:
                cold, med, mx = latency(tool, uris(lab, 'small.bin')[b], m, a.warm)
                print(f'| {b} | {m} | {cold:.0f} | {med:.2f} / {mx:.2f} |', flush=True)
        ref, dis = make_clips(lab, a.frames)
        size = os.path.getsize(ref)
        print(f'\nstreaming {size / 1e6:.0f} MB (ref1080.y4m) through vmafx-storage cat\n')
        print('| backend | mode | MB/s | rclone CPU s/GB |\n|---|---|---|---|')
        for b in backends:
            for m in modes:
                mbs, cpu = stream(tool, uris(lab, 'ref1080.y4m')[b], m, size)
                print(f'| {b} | {m} | {mbs:.0f} | {cpu:.2f} |', flush=True)
        if a.skip_score:
            return
        local = statistics.median(score_fps(env, ref, dis, a.frames, a.threads) for _ in range(a.runs))
        print(f'\nvmafx score, 1080p y4m, {a.frames} frames, {a.threads} thread(s), median of {a.runs}: '
              f'local files {local:.2f} fps\n')
        print('| backend | mode | fps | vs local |\n|---|---|---|---|')
        for b in backends:
            for m in modes:
                fps = remote_fps(env, tool, lab, b, m, a.frames, a.threads, a.runs)
                print(f'| {b} | {m} | {fps:.2f} | {100 * (fps / local - 1):+.1f} % |', flush=True)
        again = statistics.median(score_fps(env, ref, dis, a.frames, a.threads) for _ in range(a.runs))
        print(f'\nlocal files again at the end: {again:.2f} fps (the spread between the two local figures '
              f'is the noise floor of this machine)')
    finally:
        lab.stop_all()


if __name__ == '__main__':
    main()
