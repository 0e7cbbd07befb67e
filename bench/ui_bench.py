#!/usr/bin/python3
"""Dashboard benchmark (on demand, not part of the test command): how the Job page copes with
a long job. A controller (open mode, loopback) gets a job whose report has FRAMES frames of
synthetic scores (vmaf and 7 features, with dips; JSON and CSV), posted by this script playing the node
through the node API, so the page loads exactly what a real job of that length gives it. Then
bench/ui_bench.mjs opens the page in Debian's chromium (headless, playwright-core) REPEAT
times and measures: the report's fetch and JSON parse, time to the first plot (from the page's
start; the page reads the CSV report in a worker), and zoom in, pan, hover and zoom out (call
to finished redraw).

With --jobs N (default 100,000) the controller first gets N jobs more (wrk submitting, as
bench/controller_bench.py does), and the Jobs page is timed too: the first page of 100 rows,
10 pages "Older" through the API's cursor, one "Newer", a state filter and a label filter.

usage: bench/ui_bench.py [--build build] [--frames 200000] [--jobs 100000] [--repeat 3]
Prints a Markdown table (the one in docs/performance.md)."""
import argparse, json, math, os, random, shutil, subprocess, sys, time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, '..', 'tests'))
from controller_testlib import Cluster, metric   # noqa: E402

METRICS = ['integer_adm2', 'integer_motion2', 'integer_vif_scale0', 'integer_vif_scale1', 'integer_vif_scale2',
           'integer_vif_scale3', 'psnr_y', 'vmaf']


def report(frames):
    """A JSON report as the engine writes it: scene-like VMAF curve with dips, features to match."""
    rnd = random.Random(7)
    parts, pooled, csv = [], {m: [] for m in METRICS}, ['Frame,' + ''.join(m + ',' for m in METRICS)]
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
        csv.append(f'{i},' + ''.join(f'{vals[m]:.6f},' for m in METRICS))
    stats = {m: {'min': min(v), 'max': max(v), 'mean': sum(v) / len(v),
                 'harmonic_mean': len(v) / sum(1 / (x + 1) for x in v) - 1} for m, v in pooled.items()}
    return ('{"version": "bench", "fps": 0, "frames": [' + ', '.join(parts) + '], "pooled_metrics": ' +
            json.dumps(stats) + ', "aggregate_metrics": {}}', '\n'.join(csv) + '\n')


SUBMIT_LUA = """
wrk.method = "POST"
wrk.body = '{"reference_uri":"/bench/ref.y4m","distorted_uri":"/bench/dis.y4m","labels":{"bench":"many"}}'
wrk.headers["Content-Type"] = "application/json"
"""


def many_jobs(c, api, n):
    """n jobs more, submitted by wrk (50 connections) in rounds until there are enough."""
    if not shutil.which('wrk'):
        sys.exit('ui_bench: --jobs needs wrk (scripts/setup.sh)')
    lua = os.path.join(c.dir, 'submit.lua')
    with open(lua, 'w') as f:
        f.write(SUBMIT_LUA)
    t0 = time.monotonic()
    while int(metric(api.metrics(), 'vmafx_controller_jobs_submitted_total')) < n:
        subprocess.run(['wrk', '-t2', '-c50', '-d3s', '-s', lua, f'http://127.0.0.1:{c.port}/v1/jobs'],
                       capture_output=True, timeout=60, check=True)
    total = int(metric(api.metrics(), 'vmafx_controller_jobs_submitted_total'))
    print(f'{total:,} jobs submitted in {time.monotonic() - t0:.0f} s', flush=True)
    return total


def fake_node(api, frames):
    """Submits a job and completes it through the node API with the synthetic report."""
    jid = api.submit('/bench/ref.y4m', '/bench/dis.y4m', labels={'bench': 'ui'}, priority=1000)   # leased first
    api.ok('POST', '/v1/nodes/bench/register', {'slots': 1})
    lease = api.ok('POST', '/v1/nodes/bench/lease', {'wait': 5})
    assert lease and lease['id'] == jid, lease
    t0 = time.monotonic()
    text, csv = report(frames)
    made = time.monotonic() - t0
    api.ok('POST', f'/v1/nodes/bench/jobs/{jid}/result', {
        'attempt': lease['attempt'], 'status': 'completed', 'frames': frames, 'fps': 0, 'models': ['vmaf'],
        'report': {'json': text, 'xml': '<bench/>', 'csv': csv}}, timeout=300)
    return jid, len(csv), made


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
    ap.add_argument('--jobs', type=int, default=100000)
    args = ap.parse_args()
    env = Env(args.build)
    pw = os.path.join(os.environ.get('VMAFX_NODE_DIR') or os.path.join(env.build, 'node'), 'node_modules',
                      'playwright-core')
    if not os.path.isdir(pw) or not os.access('/usr/bin/chromium', os.X_OK):
        sys.exit(f'ui_bench: needs {pw} and /usr/bin/chromium: run ./scripts/setup.sh')
    with Cluster(env, 'bench-ui') as c:
        c.controller('--max-connections-per-client', '0')   # wrk's connections all come from 127.0.0.1
        api = c.api()
        njobs = many_jobs(c, api, args.jobs) if args.jobs else 0
        jid, size, made = fake_node(api, args.frames)
        print(f'job {jid}: {args.frames} frames, CSV report {size / 1e6:.1f} MB (made in {made:.1f} s)', flush=True)
        cfg = dict(playwright=os.path.abspath(pw), chromium='/usr/bin/chromium', repeat=args.repeat,
                   url=f'http://127.0.0.1:{c.port}/ui/#/job/{jid}', result=os.path.join(c.dir, 'ui-bench.json'),
                   jobs_url=f'http://127.0.0.1:{c.port}/ui/#/jobs?limit=100' if njobs else None)
        with open(os.path.join(c.dir, 'ui-bench-config.json'), 'w') as f:
            json.dump(cfg, f)
        subprocess.run(['node', os.path.join(HERE, 'ui_bench.mjs'), os.path.join(c.dir, 'ui-bench-config.json')],
                       check=True, timeout=900)
        runs = json.load(open(cfg['result']))
    rows = [('fetch the CSV report (worker)', 'fetch_ms'), ('parse it into columns (worker)', 'parse_ms'),
            ('draw the first plot', 'plot_ms'), ('time to first plot (page start → drawn)', 'first_plot_ms'),
            ('zoom in to 2,000 frames', 'zoom_in_ms'), ('pan (2,000 frames)', 'pan_ms'), ('hover (legend update)', 'hover_ms'),
            ('zoom out to all frames', 'zoom_out_ms'), ('zoom to 10 % of the frames', 'zoom_in_10pct_ms')]
    print(f'\n| {args.frames:,} frames, 8 series shown: 1 | median of {len(runs)} (ms) | max (ms) |\n|---|---|---|')
    for r in runs:
        r['nav_ms'] = r['t0'] + r['first_plot_ms']
    rows.insert(4, ('time to first plot (navigation → drawn)', 'nav_ms'))
    for label, key in rows:
        vals = [r.get(key) for r in runs]
        print(f'| {label} | {median(vals):.0f} | {max(v for v in vals if v is not None):.0f} |')
    print(f'| JS heap after the page (MB) | {median([r.get("heap_mb") for r in runs]):.0f} | |')
    if njobs:
        jr = [r['jobs'] for r in runs]
        print(f'\n| Jobs page, {njobs + 1:,} jobs, 100 a page | median of {len(jr)} (ms) | max (ms) |\n|---|---|---|')
        for label, vals in (('first page (page start → table drawn)', [j['first_ms'] for j in jr]),
                            ('"Older" (next page by cursor), 10 in a row', [x for j in jr for x in j['older_ms']]),
                            ('"Newer" (previous page)', [j['newer_ms'] for j in jr]),
                            ('state filter (completed)', [j['state_ms'] for j in jr]),
                            ('label filter (1 job of them)', [j['label_ms'] for j in jr])):
            print(f'| {label} | {median(vals):.0f} | {max(vals):.0f} |')


if __name__ == '__main__':
    main()
