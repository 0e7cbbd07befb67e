"""Issue 16 items 3, 4 and 12, through a controller and a node on loopback: a job's warnings
are kept and shown by status, wait, results and the API; submit refuses unknown models and
features (exit 2, before anything runs), turns a relative path into an absolute one, and is
refused for a remote no node can read; jobs lists scores, labels, inputs and errors in three
formats, with a summary by label; compare; short id prefixes; the "more" hint keeps the
filters; status of a failed job exits 1; results --sub."""
import csv, io, json, os

from controller_testlib import SMALL, Cluster, wait_until
from media.mediatest import PAIR8, cached, clip, ffmpeg, y4m_split, y4m_write
from vmafx_testlib import pair_files, run


def vmafx(env, c, *args, check=False, cwd=None):
    return run([env.vmafx, *args[:1], '--controller', f'http://127.0.0.1:{c.port}', *args[1:]], check=check,
               timeout=120, cwd=cwd)


def rate_pair(env):
    """A 25 fps reference and the same frames converted to 30 fps (y4m headers)."""
    def make_ref(out):
        head, frames = y4m_split(clip(env, PAIR8, 'ref', 0, 12))
        parts = [t if not t.startswith(b'F') else b'F25:1' for t in head.rstrip(b'\n').split(b' ')]
        y4m_write(out, b' '.join(parts) + b'\n', frames)
    ref = cached(env, 'jobs-ref25.y4m', make_ref)
    dis = cached(env, 'jobs-dis30.y4m', lambda out: ffmpeg('-i', ref, '-vf', 'fps=30', '-f', 'yuv4mpegpipe', out))
    return ref, dis


def cluster(env, name):
    c = Cluster(env, name)
    c.controller()
    c.node('a')
    return c


# ---- item 3: warnings --------------------------------------------------------------------

def test_warnings_kept_and_shown(env):
    ref, dis = rate_pair(env)
    with cluster(env, 'nu-warnings') as c:
        p = vmafx(env, c, 'submit', '-r', ref, '-d', dis, '--wait', '-q')
        assert p.returncode == 0, p.stderr
        jid = p.stdout.split()[0]
        assert 'warning: frame rates differ' in p.stderr, p.stderr      # submit --wait
        job = c.api().job(jid)
        assert any('frame rates differ' in w for w in job['warnings']), job['warnings']
        assert any('reference has 12 frames, distorted has 14' in w for w in job['warnings']), job['warnings']
        st = vmafx(env, c, 'status', jid)
        assert st.returncode == 0 and 'warning: frame rates differ' in st.stdout, (st.returncode, st.stdout)
        res = vmafx(env, c, 'results', jid, '-o', os.path.join(c.dir, 'r.json'))
        assert res.returncode == 0 and 'warning: frame rates differ' in res.stderr, res.stderr
        # a clean job has an empty list
        a, b = pair_files(env, SMALL)
        clean = vmafx(env, c, 'submit', '-r', a, '-d', b, '--wait', '-q')
        assert clean.returncode == 0 and 'warning' not in clean.stderr, clean.stderr
        assert c.api().job(clean.stdout.split()[0])['warnings'] == []


# ---- item 4: submit checks ---------------------------------------------------------------

def test_submit_refuses_unknown_model_and_feature(env):
    a, b = pair_files(env, SMALL)
    with cluster(env, 'nu-submit-check') as c:
        for args, needle in ((['-m', 'vmaf_v9'], "--model vmaf_v9: unknown model version 'vmaf_v9'"),
                             (['--feature', 'cambi_nope'], "--feature cambi_nope: unknown feature 'cambi_nope'"),
                             (['--feature', 'cambi=nope=1'], "unknown option 'nope'")):
            p = vmafx(env, c, 'submit', '-r', a, '-d', b, *args)
            assert p.returncode == 2, (args, p.returncode, p.stdout, p.stderr)
            assert needle in p.stderr and not p.stdout.strip(), (args, p.stderr)
        # the controller refuses the same on its own, with a 400 naming the field
        api = c.api()
        st, body = api.call('POST', '/v1/jobs', dict(reference_uri=a, distorted_uri=b, models=['vmaf_v9']))[:2]
        assert st == 400 and body['field'] == 'models[0]' and 'vmaf_v9' in body['error'], (st, body)
        st, body = api.call('POST', '/v1/jobs', dict(reference_uri=a, distorted_uri=b, features=['cambi_nope']))[:2]
        assert st == 400 and body['field'] == 'features[0]', (st, body)
        assert api.ok('GET', '/v1/jobs')['jobs'] == []


def test_submit_controller_refusal_exits_2(env):
    """A 400 from the controller (an input outside its allow-list) is a usage error too."""
    a, b = pair_files(env, SMALL)
    with Cluster(env, 'nu-submit-400') as c:
        c.controller('--storage-allow', os.path.dirname(a))
        p = vmafx(env, c, 'submit', '-r', a, '-d', 'http://169.254.169.254/x.mp4')
        assert p.returncode == 2, (p.returncode, p.stderr)
        assert 'HTTP 400' in p.stderr, p.stderr


def test_submit_relative_path_made_absolute(env):
    a, b = pair_files(env, SMALL)
    with cluster(env, 'nu-relative') as c:
        d = os.path.dirname(a)
        p = vmafx(env, c, 'submit', '-r', os.path.basename(a), '-d', './' + os.path.basename(b), '--wait', '-q', cwd=d)
        assert p.returncode == 0, p.stderr
        assert f'--reference {os.path.basename(a)} is a relative path: sent as {a}' in p.stderr, p.stderr
        assert 'must exist on the nodes' in p.stderr, p.stderr
        job = c.api().job(p.stdout.split()[0])
        assert job['reference_uri'] == a and job['distorted_uri'] == b, job


# ---- item 12: many jobs ------------------------------------------------------------------

def submit_wait(env, c, ref, dis, *args):
    p = vmafx(env, c, 'submit', '-r', ref, '-d', dis, '--wait', '-q', *args)
    return p.stdout.split()[0], p


def three_jobs(env, c):
    """Two completed jobs labelled codec=x264 / codec=x265 and one that fails."""
    a, b = pair_files(env, SMALL)
    good, _ = submit_wait(env, c, a, b, '-l', 'codec=x264', '-l', 'set=A')
    other, _ = submit_wait(env, c, a, a, '-l', 'codec=x265', '-l', 'set=A')
    bad, p = submit_wait(env, c, a, os.path.join(c.dir, 'missing.y4m'), '-l', 'codec=x265')
    assert p.returncode == 1, p.stderr
    return good, other, bad


def test_jobs_columns_formats_summary(env):
    with cluster(env, 'nu-jobs') as c:
        good, other, bad = three_jobs(env, c)
        api = c.api()
        score = api.job(good)['pooled_metrics']['vmaf']['mean']
        t = vmafx(env, c, 'jobs', check=True).stdout
        row = next(l for l in t.splitlines() if l.startswith(good[:8]))
        assert f'vmaf={score:.2f}' in row and 'codec=x264' in row and 'set=A' in row, row
        assert f'{os.path.basename(pair_files(env, SMALL)[0])} -> ' in row, row
        bad_row = next(l for l in t.splitlines() if l.startswith(bad[:8]))
        assert 'failed' in bad_row and 'error:' in bad_row and 'missing.y4m' in bad_row, bad_row
        rows = list(csv.DictReader(io.StringIO(vmafx(env, c, 'jobs', '--format', 'csv', check=True).stdout)))
        byid = {r['id']: r for r in rows}
        assert set(byid) == {good, other, bad}, rows
        assert byid[good]['scores'] == f'vmaf={score:.6f}', byid[good]
        assert byid[good]['reference_uri'] == pair_files(env, SMALL)[0] and 'codec=x264' in byid[good]['labels']
        assert 'missing.y4m' in byid[bad]['error'] and byid[bad]['scores'] == ''
        js = json.loads(vmafx(env, c, 'jobs', '--format', 'json', check=True).stdout)
        assert {j['id'] for j in js['jobs']} == {good, other, bad}
        s = vmafx(env, c, 'jobs', '--summary', 'codec', check=True).stdout
        x265 = next(l for l in s.splitlines() if l.startswith('x265'))
        assert x265.split()[1:4] == ['2', '1', '1'], x265     # jobs, completed, failed
        sj = json.loads(vmafx(env, c, 'jobs', '--summary', 'codec', '--format', 'json', check=True).stdout)
        g = {x['codec']: x for x in sj['groups']}
        assert abs(g['x264']['score']['mean'] - score) < 1e-9 and g['x264']['score']['model'] == 'vmaf', g
        bad_fmt = vmafx(env, c, 'jobs', '--format', 'yaml')
        assert bad_fmt.returncode == 2 and "'yaml' is not table, csv or json" in bad_fmt.stderr, bad_fmt.stderr


def test_more_hint_keeps_filters(env):
    with cluster(env, 'nu-more') as c:
        three_jobs(env, c)
        out = vmafx(env, c, 'jobs', '--status', 'completed', '--limit', '1', check=True).stdout
        more = [l for l in out.splitlines() if l.startswith('more: ')]
        assert len(more) == 1 and '--status completed' in more[0] and '--limit 1' in more[0], out
        # the hint, run, lists the next completed job and no other state
        argv = more[0].split()[3:]
        nxt = vmafx(env, c, 'jobs', *argv, check=True).stdout
        listed = [l for l in nxt.splitlines() if l and not l.startswith(('ID ', 'more:'))]
        assert len(listed) == 1 and 'completed' in listed[0], nxt


def test_status_of_failed_job_exits_1(env):
    with cluster(env, 'nu-status') as c:
        good, _, bad = three_jobs(env, c)
        assert vmafx(env, c, 'status', good).returncode == 0
        p = vmafx(env, c, 'status', bad)
        assert p.returncode == 1 and 'failed' in p.stdout and 'error:' in p.stdout, (p.returncode, p.stdout)


def test_short_id_prefixes(env):
    with cluster(env, 'nu-prefix') as c:
        good, other, bad = three_jobs(env, c)
        for cmd in ('status', 'results'):
            p = vmafx(env, c, cmd, good[:8])
            assert p.returncode == 0 and (good in p.stdout or cmd == 'results'), (cmd, p.stderr)
        assert c.api().job(good[:6].upper())['id'] == good
        st, body, _ = c.api().call('GET', f'/v1/jobs/{good[:8]}/frames')
        assert st == 200 and body['frames'], st
        nomatch = next(h for h in '0123456789abcdef' if not any(i.startswith(h) for i in (good, other, bad)))
        st, body, _ = c.api().call('GET', f'/v1/jobs/{nomatch}')
        assert st == 404 and f'no job {nomatch}' in body['error'], (st, body)
        # a prefix two ids share is ambiguous, said naming both (ids are random: make one pair)
        ids = [good, other, bad]
        while not any(os.path.commonprefix([x, y]) for x in ids for y in ids if x != y):
            ids.append(c.api().submit('/nonexistent/a.y4m', '/nonexistent/b.y4m'))
        x, y = next((x, y) for x in ids for y in ids if x != y and os.path.commonprefix([x, y]))
        st, body, _ = c.api().call('GET', f'/v1/jobs/{os.path.commonprefix([x, y])}')
        assert st == 400 and 'ambiguous' in body['error'], (st, body)
        assert sum(i in body['error'] for i in ids) == 2, body
        p = vmafx(env, c, 'cancel', bad[:8])
        assert p.returncode == 1 and 'cannot be cancelled' in p.stderr and bad in p.stderr, p.stderr   # resolved


def test_compare(env):
    with cluster(env, 'nu-compare') as c:
        a, b = pair_files(env, SMALL)
        ja, _ = submit_wait(env, c, a, b)
        jb, _ = submit_wait(env, c, a, a)
        ra = json.loads(vmafx(env, c, 'results', ja, check=True).stdout)
        rb = json.loads(vmafx(env, c, 'results', jb, check=True).stdout)
        va = [f['metrics']['vmaf'] for f in ra['frames']]
        vb = [f['metrics']['vmaf'] for f in rb['frames']]
        out = json.loads(vmafx(env, c, 'compare', ja[:8], jb[:8], '--json', check=True).stdout)
        assert out['frames_compared'] == len(va) and out['metric'] == 'vmaf', out
        assert abs(out['mean']['a'] - sum(va) / len(va)) < 1e-9 and abs(out['mean']['b'] - sum(vb) / len(vb)) < 1e-9
        assert abs(out['low_1pct']['a'] - min(va)) < 1e-9, out      # 1 % of 2 frames is the worst one
        diffs = [y - x for x, y in zip(va, vb)]
        assert [round(f['diff'], 9) for f in out['per_frame']] == [round(d, 9) for d in diffs]
        assert out['worst'][0]['frame'] == diffs.index(min(diffs)), out['worst']
        text = vmafx(env, c, 'compare', ja, jb, check=True).stdout
        assert 'mean' in text and '1% low' in text and 'worst frames' in text, text
        p = vmafx(env, c, 'compare', ja, jb, '--metric', 'nosuch')
        assert p.returncode == 2 and 'no frame has nosuch' in p.stderr, p.stderr


def test_results_sub_equals_score_sub(env):
    a, b = pair_files(env, SMALL)
    with cluster(env, 'nu-sub') as c:
        jid, _ = submit_wait(env, c, a, b)
        got = vmafx(env, c, 'results', jid, '--sub', check=True).stdout
        want = run([env.vmafx, 'score', '-q', '-r', a, '-d', b, '--sub', '-o', '-']).stdout
        assert got == want and got.startswith('{0}{1}frame: 0|'), (got[:200], want[:200])
        # issue 16 item 8 for results too: -o's extension picks the format, two flags are refused
        for ext, flag in (('csv', '--csv'), ('xml', '--xml'), ('sub', '--sub'), ('json', '--json')):
            out = os.path.join(c.dir, f'r.{ext}')
            vmafx(env, c, 'results', jid, '-o', out, check=True)
            with open(out) as f:
                assert f.read() == vmafx(env, c, 'results', jid, flag, check=True).stdout, ext
        p = vmafx(env, c, 'results', jid, '--csv', '--xml')
        assert p.returncode == 2 and 'give one report format' in p.stderr, (p.returncode, p.stderr)


def test_submit_refuses_remote_no_node_has(env):
    """Nodes report the rclone remotes their rclone.conf (and RCLONE_CONFIG_*_TYPE) defines;
    a job naming another remote is refused at submit, naming the remotes there are."""
    a, _ = pair_files(env, SMALL)
    with Cluster(env, 'nu-remotes') as c:
        conf = os.path.join(c.dir, 'rclone.conf')
        with open(conf, 'w') as f:
            f.write('[media-s3]\ntype = s3\nprovider = Minio\n\n[backup]\ntype = sftp\n')
        c.controller('--lease-ttl', '4')   # heartbeats every second
        api = c.api()
        # before any node registered the controller cannot tell: accepted (the node will say)
        early = api.call('POST', '/v1/jobs', dict(reference_uri='elsewhere:bucket/r.y4m', distorted_uri=a))[0]
        assert early == 201, early
        c.node('a', '--rclone-config', conf, env={'RCLONE_CONFIG_ENVREMOTE_TYPE': 'local'})
        wait_until('node a to register', lambda: 'node a registered' in c.ctl.text())
        p = vmafx(env, c, 'submit', '-r', 'elsewhere:bucket/r.y4m', '-d', a)
        assert p.returncode == 2, (p.returncode, p.stderr)
        assert "no live node has the rclone remote 'elsewhere'" in p.stderr, p.stderr
        assert 'media-s3' in p.stderr and 'backup' in p.stderr and 'envremote' in p.stderr, p.stderr
        st, body, _ = api.call('POST', '/v1/jobs', dict(reference_uri=a, distorted_uri='s3://bucket/d.y4m'))
        assert st == 400 and body['field'] == 'distorted_uri' and "remote 's3'" in body['error'], (st, body)
        for ok in ('media-s3:bucket/r.y4m', 'backup:dir/r.y4m', 'envremote:/tmp/r.y4m'):
            st, body, _ = api.call('POST', '/v1/jobs', dict(reference_uri=ok, distorted_uri=a))
            assert st == 201, (ok, st, body)
        # a restarted controller asks the node (on its next heartbeat) to register again
        c.ctl.stop()
        c.controller()
        wait_until('node a to register again', lambda: c.ctl.text().count('node a registered') == 2)
        st, body, _ = api.call('POST', '/v1/jobs', dict(reference_uri='elsewhere:b/r.y4m', distorted_uri=a))
        assert st == 400 and "remote 'elsewhere'" in body['error'], (st, body)


def test_job_fps_mismatch_modes(env):
    """--fps-mismatch travels in the job (options.fps_mismatch) and the node applies it."""
    ref, dis = rate_pair(env)
    with cluster(env, 'nu-fps-job') as c:
        jid, p = submit_wait(env, c, ref, dis, '--fps-mismatch', 'error')
        assert p.returncode == 1 and 'frame rates differ' in p.stderr and 'refused' in p.stderr, p.stderr
        assert c.api().job(jid)['options'] == {'fps_mismatch': 'error'}
        jid, p = submit_wait(env, c, ref, dis, '--fps-mismatch', 'resample')
        assert p.returncode == 0 and 'resampled to 25 fps' in p.stderr, p.stderr
        same, _ = submit_wait(env, c, ref, ref)
        a, b = c.api().job(jid), c.api().job(same)
        assert a['pooled_metrics'] == b['pooled_metrics'], (a['pooled_metrics'], b['pooled_metrics'])
        bad = vmafx(env, c, 'submit', '-r', ref, '-d', dis, '--fps-mismatch', 'drop')
        assert bad.returncode == 2 and "--fps-mismatch: unknown mode 'drop'" in bad.stderr, bad.stderr
