#!/usr/bin/python3
"""Dashboard benchmark (on demand, not part of the test command): how the Job page copes with
a long job. A controller (open mode, loopback) gets a job whose report has FRAMES frames of
synthetic scores (vmaf and 7 features, with dips), posted by this script playing the node
through the node API, so the page loads exactly what a real job of that length gives it. Then
bench/ui_bench.mjs opens the page in Debian's chromium (headless, playwright-core) REPEAT
times and measures: the report's fetch and JSON parse, time to the first plot (from the page's
start), and zoom in, pan, hover and zoom out (call to finished redraw).

usage: bench/ui_bench.py [--build build] [--frames 200000] [--repeat 3]
Prints a Markdown table (the one in docs/performance.md)."""
import argparse, json, math, os, random, shutil, subprocess, sys, time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, '..', 'tests'))
from controller_testlib import Cluster   # noqa: E402

METRICS = ['integer_adm2', 'integer_motion2', 'integer_vif_scale0', 'integer_vif_scale1', 'integer_vif_scale2',
           'integer_vif_scale3', 'psnr_y', 'vmaf']


def report(frames):
    """A JSON report as the engine writes it: scene-like VMAF curve with dips, features to match."""
    rnd = random.Random(7)
    parts, pooled = [], {m: [] for m in METRICS}
    for i in range(frames):
        base = 88 + 6 * math.sin(i / 900.0) + rnd.gauss(0, 1.2) - (25 if i % 7919 < 12 else 0)
        v = max(0.0, min(100.0, base))
        vals = {'integer_adm2': 0.9 + v / 1000, 'integer_motion2': abs(rnd.gauss(4, 2)),
                'integer_vif_scale0': 0.4 + v / 400, 'integer_vif_scale1': 0.7 + v / 400,
                'integer_vif_scale2': 0.75 + v / 500, 'integer_vif_scale3': 0.8 + v / 600,
                'psnr_y': 25 + v / 6, 'vmaf': v}
        for m in METRICS:
            pooled[m].append(vals[m])
        parts.append('{"frameNum": %d, "metrics": {%s}}' % (i, ', '.join(f'"{m}": {vals[m]:.6f}' for m in METRICS)))
    stats = {m: {'min': min(v), 'max': max(v), 'mean': sum(v) / len(v),
                 'harmonic_mean': len(v) / sum(1 / (x + 1) for x in v) - 1} for m, v in pooled.items()}
    return '{"version": "bench", "fps": 0, "frames": [' + ', '.join(parts) + '], "pooled_metrics": ' + \
        json.dumps(stats) + ', "aggregate_metrics": {}}'


def fake_node(api, frames):
    """Submits a job and completes it through the node API with the synthetic report."""
    jid = api.submit('/bench/ref.y4m', '/bench/dis.y4m', labels={'bench': 'ui'})
    api.ok('POST', '/v1/nodes/bench/register', {'slots': 1})
    lease = api.ok('POST', '/v1/nodes/bench/lease', {'wait': 5})
    assert lease and lease['id'] == jid, lease
    t0 = time.monotonic()
    text = report(frames)
    made = time.monotonic() - t0
    api.ok('POST', f'/v1/nodes/bench/jobs/{jid}/result', {
        'attempt': lease['attempt'], 'status': 'completed', 'frames': frames, 'fps': 0, 'models': ['vmaf'],
        'report': {'json': text, 'xml': '<bench/>', 'csv': 'bench\n'}}, timeout=300)
    return jid, len(text), made


class Env:
    def __init__(self, build):
        self.build = os.path.abspath(build)
        self.scratch = os.path.join(self.build, 'bench-scratch')
        os.makedirs(self.scratch, exist_ok=True)

    def bin(self, *parts):
        return os.path.join(self.build, *parts)


def median(xs):
    xs = sorted(x for x in xs if x is not None)
    return xs[len(xs) // 2] if xs else float('nan')


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--build', default=os.path.join(HERE, '..', 'build'))
    ap.add_argument('--frames', type=int, default=200000)
    ap.add_argument('--repeat', type=int, default=3)
    args = ap.parse_args()
    env = Env(args.build)
    pw = os.path.join(os.environ.get('VMAFX_NODE_DIR') or os.path.join(env.build, 'node'), 'node_modules',
                      'playwright-core')
    if not os.path.isdir(pw) or not os.access('/usr/bin/chromium', os.X_OK):
        sys.exit(f'ui_bench: needs {pw} and /usr/bin/chromium: run ./scripts/setup.sh')
    with Cluster(env, 'bench-ui') as c:
        c.controller()
        api = c.api()
        jid, size, made = fake_node(api, args.frames)
        print(f'job {jid}: {args.frames} frames, JSON report {size / 1e6:.1f} MB (made in {made:.1f} s)', flush=True)
        cfg = dict(playwright=os.path.abspath(pw), chromium='/usr/bin/chromium', repeat=args.repeat,
                   url=f'http://127.0.0.1:{c.port}/ui/#/job/{jid}', result=os.path.join(c.dir, 'ui-bench.json'))
        with open(os.path.join(c.dir, 'ui-bench-config.json'), 'w') as f:
            json.dump(cfg, f)
        subprocess.run(['node', os.path.join(HERE, 'ui_bench.mjs'), os.path.join(c.dir, 'ui-bench-config.json')],
                       check=True, timeout=900)
        runs = json.load(open(cfg['result']))
    rows = [('fetch the JSON report', 'fetch_ms'), ('parse it into columns', 'parse_ms'),
            ('draw the first plot', 'plot_ms'), ('time to first plot (page start → drawn)', 'first_plot_ms'),
            ('zoom in to 2,000 frames', 'zoom_in_ms'), ('pan (2,000 frames)', 'pan_ms'), ('hover (legend update)', 'hover_ms'),
            ('zoom out to all frames', 'zoom_out_ms'), ('zoom to 10 % of the frames', 'zoom_in_10pct_ms')]
    print(f'\n| {args.frames:,} frames, 8 series shown: 1 | median of {len(runs)} (ms) | max (ms) |\n|---|---|---|')
    for label, key in rows:
        vals = [r.get(key) for r in runs]
        print(f'| {label} | {median(vals):.0f} | {max(v for v in vals if v is not None):.0f} |')
    print(f'| JS heap after the page (MB) | {median([r.get("heap_mb") for r in runs]):.0f} | |')


if __name__ == '__main__':
    main()
