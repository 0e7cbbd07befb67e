#!/usr/bin/env python3
"""What streaming from remote storage costs end to end, on compressed input (the usual case):
`vmafx score` of a 1080p h264 pair (240 frames, made with ffmpeg) from local files, from S3
(s3rver) and from SFTP (private sshd), through rclone serve http, 1 thread, median of 3,
rounds interleaved so that machine noise spreads over all cases. Starts and stops the
loopback lab of tests/storage_lab.py.

usage: bench/stream_overhead.py [--build build] [--runs 3]"""
import argparse, os, statistics, subprocess, sys, tempfile, time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, '..', 'tests'))
import storage_lab  # noqa: E402

FRAMES = 240


def make_pair(d):
    ref, dis = os.path.join(d, 'ref.mkv'), os.path.join(d, 'dis.mkv')
    ff = ['ffmpeg', '-loglevel', 'error', '-y']
    subprocess.run(ff + ['-f', 'lavfi', '-i', 'testsrc2=size=1920x1080:rate=24', '-frames:v', str(FRAMES),
                         '-c:v', 'libx264', '-crf', '18', '-preset', 'veryfast', ref], check=True)
    subprocess.run(ff + ['-i', ref, '-c:v', 'libx264', '-crf', '35', '-preset', 'veryfast', dis], check=True)
    return ref, dis


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--build', default=os.path.join(HERE, '..', 'build'))
    ap.add_argument('--runs', type=int, default=3)
    args = ap.parse_args()
    vmafx = os.path.join(os.path.abspath(args.build), 'src', 'cli', 'vmafx')
    with tempfile.TemporaryDirectory() as d:
        ref, dis = make_pair(d)
        lab = storage_lab.get_lab(os.path.join(d, 'lab'))
        try:
            for name, path in (('ref', ref), ('dis', dis)):
                for remote in ('s3', 'sftp'):
                    lab.rclone_cmd('copyto', path, f'{remote}:media/overhead/{name}.mkv')
            port = lab.servers['sftp'].port
            cases = {'local files': (ref, dis),
                     's3 (http-serve)': ('s3://media/overhead/ref.mkv', 's3://media/overhead/dis.mkv'),
                     'sftp (http-serve)': (f'sftp://root@127.0.0.1:{port}/media/overhead/ref.mkv',
                                           f'sftp://root@127.0.0.1:{port}/media/overhead/dis.mkv')}
            env = storage_lab.clean_env({'VMAFX_RCLONE_CONFIG': lab.conf})
            times = {k: [] for k in cases}
            for _ in range(args.runs):
                for k, (r, s) in cases.items():
                    t = time.monotonic()
                    subprocess.run([vmafx, 'score', '-q', '-r', r, '-d', s, '--threads', '1'], env=env,
                                   check=True, capture_output=True)
                    times[k].append(time.monotonic() - t)
        finally:
            lab.stop_all()
    base = FRAMES / statistics.median(times['local files'])
    print(f'1080p h264, {FRAMES} frames, 1 thread, median of {args.runs}\n')
    print('| input | fps | vs local |\n|---|---|---|')
    for k, v in times.items():
        fps = FRAMES / statistics.median(v)
        print(f'| {k} | {fps:.1f} | {100 * (fps / base - 1):+.1f} % |')
    return 0


if __name__ == '__main__':
    sys.exit(main())
