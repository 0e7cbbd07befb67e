#!/usr/bin/env python3
"""Decode + score speed of `vmafx score` on a 1080p H.264 pair, read from local disk and over
HTTP from a private loopback nginx (the same helper the tests use). Prints a Markdown table:
frames per second of wall time (best of --runs), CPU seconds (user + system) of that run, and
frames per CPU second (steadier than wall time on a shared machine), with the load average.

usage: bench/media_fps.py [--build build] [--frames 240] [--threads N] [--runs 3] [--work DIR]
"""
import argparse, os, subprocess, sys, time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, '..', 'tests'))
from servers.nginx import Nginx  # noqa: E402


def ffmpeg(*args):
    subprocess.run(['ffmpeg', '-nostdin', '-hide_banner', '-v', 'error', '-y'] + list(args), check=True)


def make_pair(work, frames):
    ref, dis = os.path.join(work, f'ref-1080p-{frames}.mp4'), os.path.join(work, f'dis-1080p-{frames}.mp4')
    if not os.path.exists(ref):
        ffmpeg('-f', 'lavfi', '-i', f'testsrc2=s=1920x1080:r=24,trim=end_frame={frames}',
               '-c:v', 'libx264', '-preset', 'veryfast', '-crf', '14', ref + '.part.mp4')
        os.rename(ref + '.part.mp4', ref)
    if not os.path.exists(dis):
        ffmpeg('-i', ref, '-c:v', 'libx264', '-preset', 'veryfast', '-crf', '32', dis + '.part.mp4')
        os.rename(dis + '.part.mp4', dis)
    return ref, dis


def timed(cmd):
    t0 = time.monotonic()
    p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(p.pid, 0)
    wall = time.monotonic() - t0
    err = p.stderr.read().decode()
    p.stderr.close()
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f'failed: {" ".join(cmd)}\n{err}')
    return wall, usage.ru_utime + usage.ru_stime


def best(cmd, runs):
    results = [timed(cmd) for _ in range(runs)]
    return min(results)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--build', default=os.path.join(HERE, '..', 'build'))
    ap.add_argument('--frames', type=int, default=240)
    ap.add_argument('--threads', type=int, default=os.cpu_count())
    ap.add_argument('--runs', type=int, default=3)
    ap.add_argument('--work', default=None)
    a = ap.parse_args()
    work = a.work or os.path.join(a.build, 'bench-media')
    os.makedirs(work, exist_ok=True)
    vmafx = os.path.join(a.build, 'src', 'cli', 'vmafx')
    ref, dis = make_pair(work, a.frames)
    score = [vmafx, 'score', '-q', '--threads', str(a.threads)]
    rows = []
    wall, cpu = best(['ffmpeg', '-nostdin', '-v', 'error', '-i', ref, '-i', dis, '-map', '0:v', '-map', '1:v',
                      '-f', 'null', '-'], a.runs)
    rows.append(('decode only (ffmpeg -f null, both files)', wall, cpu))
    rows.append(('local files', *best(score + ['-r', ref, '-d', dis], a.runs)))
    with Nginx(work) as web:
        url = lambda p: web.url(os.path.basename(p))
        rows.append(('HTTP (loopback nginx)', *best(score + ['-r', url(ref), '-d', url(dis)], a.runs)))
    load = ' '.join(f'{x:.1f}' for x in os.getloadavg())
    print(f'{a.frames} frames 1920x1080 H.264 (reference CRF 14, distorted CRF 32), '
          f'--threads {a.threads}, {os.cpu_count()} CPUs, best of {a.runs}, load average {load}\n')
    print('| input | fps (wall) | wall s | CPU s | frames per CPU s |\n|---|---:|---:|---:|---:|')
    for name, wall, cpu in rows:
        print(f'| {name} | {a.frames / wall:.1f} | {wall:.2f} | {cpu:.2f} | {a.frames / cpu:.1f} |')


if __name__ == '__main__':
    main()
