"""The dashboard (docs/dashboard.md) in a real browser: Debian's chromium, headless, driven by
playwright-core from npm (tests/ui/dashboard.mjs; scripts/setup.sh installs both, no browser
download). A controller with tokens and a node score two encodes of one conformance pair
submitted through the Submit form; the pages' plotted data, rows, downloads and summaries are
checked here against the API; the screenshots (paths printed) must not be blank. Also: the
static files' headers (CSP, ETag, 304), paging through cancelled jobs, a reader token refused,
and the open mode on loopback asking no token."""
import json, os, shutil, subprocess, time

from controller_testlib import TOKENS, Api, Cluster, free_port, write_tokens
from vmafx_testlib import Skip, pair_files, run

HERE = os.path.dirname(os.path.abspath(__file__))
CHROMIUM = '/usr/bin/chromium'
PAIR_A, PAIR_B = 'bars_576x324_crf23', 'bars_576x324_crf35'
BULK = 230            # cancelled jobs for the paging check: pages of 100, 100, 30
THRESHOLD = 96.0   # A's (crf23) vmaf is 95.2 to 96.4: runs of frames below it, and above
COMPARE_X = 7.5   # B (crf35) is about 7.6 below A (crf23): some frames are, some are not


def node_dir(env):
    return os.environ.get('VMAFX_NODE_DIR') or os.path.join(HERE, '..', 'build', 'node')


def need_browser(env):
    if not os.access(CHROMIUM, os.X_OK):
        raise Skip(f'{CHROMIUM} is missing (scripts/setup.sh installs Debian\'s chromium)')
    if not shutil.which('node'):
        raise Skip('node is missing (scripts/setup.sh)')
    pw = os.path.join(node_dir(env), 'node_modules', 'playwright-core')
    if not os.path.isdir(pw):
        raise Skip(f'{pw} is missing: run ./scripts/setup.sh (npm playwright-core)')
    return os.path.abspath(pw)


def pixels(png):
    """The screenshot's RGB pixels as 3-byte strings (ffmpeg decodes the PNG)."""
    p = subprocess.run(['ffmpeg', '-v', 'error', '-i', png, '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-'],
                       capture_output=True, timeout=60)
    assert p.returncode == 0 and p.stdout, f'{png}: ffmpeg could not decode it: {p.stderr[-300:]}'
    data = p.stdout
    return [data[i:i + 3] for i in range(0, len(data), 3)]


# the plots' first two line colours (src/web/plot.js COLORS, #2563eb and #dc2626, and their
# anti-aliased blends with white): a drawn series shows as about a plot's width of such pixels
# in the canvas; the axes, grid and the pale threshold bands have none
LINE_COLOURS = {'blue': lambda r, g, b: b - r >= 80 and b - g >= 50,
                'red': lambda r, g, b: r - g >= 80 and r - b >= 80}
PLOTS = {'job-plot.png': ['blue'], 'compare-plot.png': ['blue', 'red']}


def check_static(api, probe_port):
    st, body, h = api.call('GET', '/', token=None, raw=True)
    assert st == 302 and h.get('location') == '/ui/', (st, h)
    st, body, h = api.call('GET', '/ui/', token=None, raw=True)
    assert st == 200 and b'<script type="module" src="app.js">' in body, st
    csp = h.get('content-security-policy', '')
    for part in ("default-src 'none'", "script-src 'self'", "connect-src 'self'", "frame-ancestors 'none'"):
        assert part in csp, f'CSP lacks {part}: {csp}'
    assert 'unsafe' not in csp and 'http' not in csp, csp
    assert h.get('cache-control') == 'no-cache' and h.get('etag', '').startswith('"'), h
    st, _, h2 = api.call('GET', '/ui/', token=None, raw=True, headers={'If-None-Match': h['etag']})
    assert st == 304, st
    for name, ctype in (('uPlot.esm.js', 'text/javascript'), ('uPlot-LICENSE.txt', 'text/plain'), ('style.css', 'text/css')):
        st, body, h = api.call('GET', f'/ui/{name}', token=None, raw=True)
        assert st == 200 and h['content-type'].startswith(ctype) and body, (name, st, h)
    st, _, _ = api.call('GET', '/ui/no-such.js', token=None, raw=True)
    assert st == 404, st
    for path in ('/', '/ui/', '/ui/app.js'):   # the probe address serves the probes only
        st, _, _ = Api(probe_port).call('GET', path, token=None, raw=True)
        assert st == 404, f'the probe address answered {path} with {st}'


def check_series(plot, frames, what):
    fr = frames['frames']
    assert plot['x'] == [f['frameNum'] for f in fr], f'{what}: plotted frame numbers differ from the report'
    assert plot['series'], f'{what}: nothing plotted'
    for name, values in plot['series'].items():
        want = [f['metrics'].get(name) for f in fr]
        bad = [i for i, (a, b) in enumerate(zip(values, want)) if a != b]
        assert len(values) == len(want) and not bad, \
            f'{what}: {name} differs from GET /v1/jobs/ID/frames at frames {bad[:5]}'


def check_screens(res):
    assert {os.path.basename(p) for p in res['screenshots']} >= {'job.png', 'jobs.png', 'compare.png', 'submit.png',
                                                                  *PLOTS}, res['screenshots']
    for png in res['screenshots']:
        px = pixels(png)
        n = len(set(px))
        lines = {c: sum(1 for p in px if LINE_COLOURS[c](*p)) for c in PLOTS.get(os.path.basename(png), [])}
        print(f'      screenshot {png}: {n} colours' + ''.join(f', {v} {c} line pixels' for c, v in lines.items()),
              flush=True)
        assert n >= 16, f'{png} looks blank: {n} distinct colours'
        for c, v in lines.items():
            assert v >= 600, f'{png}: the plot\'s {c} series is not drawn ({v} pixels of its colour)'


def check_paging(api, res):
    want, cursor = [], None
    while True:
        q = f'/v1/jobs?label=bulk%3Dyes&limit=100' + (f'&cursor={cursor}' if cursor else '')
        page = api.ok('GET', q)
        want.append([j['id'] for j in page['jobs']])
        cursor = page['next_cursor']
        if not cursor:
            break
    got = res['paging']
    assert [len(p) for p in want] == [100, 100, 30], [len(p) for p in want]
    assert got['pages'] == want, f'pages shown {[len(p) for p in got["pages"]]} differ from the API\'s'
    assert got['back'] == want[-2], 'Newer did not show the previous page again'
    assert res['state_filter'] and set(res['state_filter']) == {'cancelled'}, res['state_filter']


def check_job_page(api, res):
    jp = res['job_page']
    frames = api.ok('GET', f'/v1/jobs/{jp["id"]}/frames')
    check_series(jp['plot'], frames, 'job page')
    check_series(dict(jp['plot'], series=jp['all']), frames, 'job page, every feature')
    assert set(jp['all']) == set(frames['frames'][0]['metrics']), 'not every metric of the report can be plotted'
    assert jp['plot']['primary'] == 'vmaf' and 'vmaf' in jp['plot']['series'], jp['plot']['primary']
    with open(jp['download'], 'rb') as f:
        got = f.read()
    st, body, _ = api.call('GET', f'/v1/jobs/{jp["id"]}/frames?format=json', raw=True)
    assert got == body, 'the downloaded JSON report differs from GET /v1/jobs/ID/frames'
    # the legend under the cursor names a frame; the drag zoomed in
    assert jp['legend'] and jp['legend'][0].startswith('frame') and any(c.isdigit() for c in jp['legend'][0]), jp['legend']
    n = len(jp['plot']['x'])
    assert jp['zoomed']['max'] - jp['zoomed']['min'] < 0.5 * n, jp['zoomed']
    # the worst frames: the smallest VMAF values of the report, in order
    v = [f['metrics']['vmaf'] for f in frames['frames']]
    order = sorted(range(n), key=lambda i: (v[i], i))[:len(jp['worst'])]
    assert [int(r[1]) for r in jp['worst']] == [frames['frames'][i]['frameNum'] for i in order], jp['worst'][:3]
    # the highlighted runs: consecutive frames below the threshold, as [first, last]
    runs, i = [], 0
    while i < n:
        if v[i] < THRESHOLD:
            j = i
            while j + 1 < n and v[j + 1] < THRESHOLD:
                j += 1
            runs.append([frames['frames'][i]['frameNum'], frames['frames'][j]['frameNum']])
            i = j
        i += 1
    assert 0 < len(runs) and sum(b - a + 1 for a, b in runs) < n, f'threshold {THRESHOLD} proves nothing: {runs}'
    assert jp['threshold']['value'] == THRESHOLD and jp['threshold']['runs'] == runs, jp['threshold']
    job = api.job(jp['id'])
    pooled = {r[0]: r for r in jp['pooled']}
    assert abs(float(pooled['vmaf'][1]) - job['pooled_metrics']['vmaf']['mean']) < 1e-4, pooled['vmaf']


def check_compare(api, res, a, b):
    c = res['compare']
    fa, fb = (api.ok('GET', f'/v1/jobs/{j}/frames')['frames'] for j in (a, b))
    assert c['ids'] == [a, b] and c['metric'] == 'vmaf', (c['ids'], c['metric'])
    va, vb = [f['metrics']['vmaf'] for f in fa], [f['metrics']['vmaf'] for f in fb]
    assert c['x'] == [f['frameNum'] for f in fa] and len(fa) == len(fb), 'compare: frames differ'
    assert c['series'][a] == va and c['series'][b] == vb, 'compare: plotted series differ from the reports'
    assert all(abs(d - (y - x)) < 1e-9 for d, x, y in zip(c['diff'][b], va, vb)), 'compare: difference is not B - A'
    assert va != vb, 'the two encodes scored identically: the compare check would prove nothing'
    rows = {r[1]: r for r in c['summary']}
    mean_b = sum(vb) / len(vb)
    low_b = sum(sorted(vb)[:max(1, len(vb) // 100)]) / max(1, len(vb) // 100)
    worse = sum(1 for x, y in zip(va, vb) if x - y > COMPARE_X)
    assert abs(float(rows[b][3]) - mean_b) < 1e-4 and abs(float(rows[b][4]) - low_b) < 1e-4, rows[b]
    assert int(rows[b][7]) == worse, f'frames where B is worse by > {COMPARE_X}: shown {rows[b][7]}, want {worse}'


def browser_run(env, c, pw, api, open_port, failed_id):
    art = os.path.join(c.dir, 'artefacts')
    os.makedirs(art, exist_ok=True)
    ref, _ = pair_files(env, PAIR_A)
    cfg = dict(playwright=pw, chromium=CHROMIUM, base=f'http://127.0.0.1:{c.port}',
               open_base=f'http://127.0.0.1:{open_port}', tokens=TOKENS, artefacts=art,
               result=os.path.join(art, 'result.json'), ref=ref,
               dis=[os.path.join(env.shared, 'conformance', p, 'dis.mkv') for p in (PAIR_A, PAIR_B)],
               features=['psnr'], bulk_label='bulk=yes', compare_x=COMPARE_X, failed_id=failed_id,
               threshold=THRESHOLD,
               timeout_ms=20000, job_timeout_ms=60000, total_ms=140000)
    cfg_path = os.path.join(art, 'config.json')
    with open(cfg_path, 'w') as f:
        json.dump(cfg, f)
    t0 = time.monotonic()
    p = subprocess.run(['node', os.path.join(HERE, 'ui', 'dashboard.mjs'), cfg_path], capture_output=True, text=True,
                       timeout=160, env=dict(os.environ, PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD='1'))
    print('\n'.join('      ' + l for l in p.stdout.splitlines()), flush=True)
    print(f'      browser run: {time.monotonic() - t0:.1f} s', flush=True)
    res = json.load(open(cfg['result'])) if os.path.exists(cfg['result']) else {}
    if p.returncode != 0:
        raise AssertionError(f'tests/ui/dashboard.mjs exited {p.returncode}: {p.stderr[-2000:]}; '
                             f'controller log: {c.ctl.tail(800)}')
    return res


def test_dashboard_in_browser(env):
    if env.quick:
        raise Skip('the browser test runs on the release build only (a minute of chromium)')
    pw = need_browser(env)
    with Cluster(env, 'dashboard') as c, Cluster(env, 'dashboard-open') as o:
        probe = free_port()
        c.controller('--tokens-file', write_tokens(os.path.join(c.dir, 'tokens')), '--probe-listen', f'127.0.0.1:{probe}')
        o.controller()
        api = c.api(TOKENS['admin'])
        check_static(api, probe)
        for i in range(BULK):   # cancelled at once: only the paging check sees them
            jid = api.submit('/nonexistent/ref.y4m', '/nonexistent/dis.y4m', labels={'bulk': 'yes', 'n': str(i)})
            api.ok('POST', f'/v1/jobs/{jid}/cancel')
        tok = os.path.join(c.dir, 'node-token')
        with open(tok, 'w') as f:
            f.write(TOKENS['node'])
        c.node('n1', token_file=tok)
        failed = api.submit('/nonexistent/ref.y4m', '/nonexistent/dis.y4m', labels={'test': 'failed'})
        failed_job = api.wait_status(failed, 'failed', timeout=30)
        res = browser_run(env, c, pw, api, o.port, failed)
        assert res['root']['url'].endswith('/ui/') and res['root']['status'] == 200, res['root']
        assert res['live_mode'] in ('poll', 'stream'), res['live_mode']
        check_paging(api, res)
        for name in ('A', 'B'):
            j = res['jobs'][name]
            assert j['states'][-1] == 'completed' and j['no_reload'], j
            assert api.job(j['id'])['labels'] == {'test': 'dashboard', 'encode': name}, api.job(j['id'])['labels']
        a, b = res['jobs']['A']['id'], res['jobs']['B']['id']
        check_job_page(api, res)
        rows = {r['id']: r for r in res['jobs_rows']}
        assert set(rows) == {a, b} and all(r['state'] == 'completed' and 'vmaf' in r['pooled'] for r in rows.values()), rows
        check_compare(api, res, a, b)
        st = res['stream']
        assert st['authorization'] == f'Bearer {TOKENS["writer"]}' and st['eta'] == '9s' and st['received'] >= 1, st
        r = res['reader']
        assert r['refused_shown'] and not r['form_present'] and r['api_status'] == 403 and r['jobs_rows'] > 0, r
        f = res['failed']
        assert f['state'] == 'failed' and f['error'] == failed_job['error'] and not f['downloads'], f
        assert [r[1] for r in f['chunk_rows']] == ['completed', 'failed'], f['chunk_rows']
        # the job's warnings (the API's, then two the browser adds) are listed on its page
        assert f['warnings'] == failed_job['warnings'] + [
            'the inputs have different frame rates: 25 and 30 fps', 'reference has 250 frames, distorted has 300'], f
        assert res['open']['url'].endswith('/ui/') and not res['open']['login_visible'], res['open']
        assert not res['csp'] and not r['csp'], f'Content-Security-Policy violations: {res["csp"] + r["csp"]}'
        bad = [m for m in res['console'] if 'Refused' in m or 'page error' in m]
        assert not bad, f'browser errors: {bad}'
        check_screens(res)


def test_dashboard_units(env):
    """The pages' pure parts under node (tests/ui/units.mjs): the CSV parser's two paths, the
    statistics, and the event-stream parser fed in every cut of its input."""
    if not shutil.which('node'):
        raise Skip('node is missing (scripts/setup.sh)')
    out = run(['node', os.path.join(HERE, 'ui', 'units.mjs')], timeout=60).stdout
    print('      ' + out.strip(), flush=True)
    assert 'units:' in out and int(out.split('units:')[1].split()[0]) >= 300, out
