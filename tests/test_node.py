"""vmafx-node with a real controller, several processes on loopback: reports equal to
`vmafx score`'s, a node killed with SIGKILL mid-job (the lease expires, another node
finishes, one result), cancellation of a running job, drain on SIGTERM (finish, or hand back
at the deadline), a controller killed with SIGKILL and restarted (every acknowledged job
completes, a result is retried through the outage), errors named by the layer below, token
files re-read on every call, and inputs from a real remote through the storage layer."""
import json, os, signal, subprocess, threading, time

from controller_testlib import (ONE, SMALL, TOKENS, Cluster, long_clip, metric, wait_until, without_fps,
                                write_tokens)
from vmafx_testlib import Skip, pair_files, run


def cli_report(env, ref, dis, fmt, *extra):
    p = run([env.vmafx, 'score', '-q', '-r', ref, '-d', dis, f'--{fmt}', '-o', '-', *extra])
    return p.stdout


def frames(api, jid, fmt='json'):
    st, body, _ = api.call('GET', f'/v1/jobs/{jid}/frames?format={fmt}', raw=True)
    assert st == 200, (st, body[:300])
    return body.decode()


def same_report(ours, cli, label):
    a, b = without_fps(ours), without_fps(cli)
    if a != b:
        for i, (x, y) in enumerate(zip(a.splitlines(), b.splitlines())):
            if x != y:
                raise AssertionError(f'{label}: line {i + 1} differs:\n  job {x[:200]}\n  cli {y[:200]}')
        raise AssertionError(f'{label}: lengths differ ({len(a)} vs {len(b)})')


def long_file(env, c, pair, count, which):
    """A y4m with the pair's frames repeated to count frames (what the clip server sends)."""
    path = os.path.join(c.dir, f'{which}-{count}.y4m')
    with open(path, 'wb') as f:
        f.write(long_clip(pair_files(env, pair)[0 if which == 'ref' else 1], count))
    return path


def clip_cluster(env, c, pair=SMALL):
    ref, dis = pair_files(env, pair)
    return c.clip_server({'ref.y4m': ref, 'dis.y4m': dis})


def running_with_frames(api, jid):
    j = api.job(jid)
    return j if j['status'] == 'running' and j['progress']['frames_done'] > 0 else None


def test_reports_equal_vmafx_score(env):
    with Cluster(env, 'reports') as c:
        tokens = write_tokens(os.path.join(c.dir, 'tokens'))
        node_tok = os.path.join(c.dir, 'node.token')
        with open(node_tok, 'w') as f:
            f.write(TOKENS['node'] + '\n')
        c.controller('--tokens-file', tokens)
        a = c.node('a', token_file=node_tok)
        b = c.node('b', token_file=node_tok)
        api = c.api(TOKENS['writer'])
        cases = [(SMALL, {}, []), (ONE, {}, [])]
        if not env.quick:
            cases.append((SMALL, {'models': ['vmaf_v0.6.1', 'version=vmaf_v0.6.1neg:name=neg'], 'features': ['psnr']},
                          ['-m', 'version=vmaf_v0.6.1', '-m', 'version=vmaf_v0.6.1neg:name=neg', '--feature', 'psnr']))
            cases.append((SMALL, {'options': {'frame_skip_ref': 1, 'frame_cnt': 1}}, ['--frame_skip_ref', '1', '--frame_cnt', '1']))
        jobs = []
        for pair, fields, flags in cases:
            ref, dis = pair_files(env, pair)
            jobs.append((api.submit(ref, dis, **fields), ref, dis, flags))
        for jid, ref, dis, flags in jobs:
            j = api.wait_status(jid, ('completed', 'failed'), timeout=60)
            assert j['status'] == 'completed', j
            assert j['node'] in ('a', 'b') and j['attempts'] == 1 and j['progress']['frames_done'] >= 1, j
            for fmt in ('json', 'xml', 'csv'):
                same_report(frames(api, jid, fmt), cli_report(env, ref, dis, fmt, *flags), f'{jid} {fmt}')
            doc = json.loads(frames(api, jid))
            assert j['pooled_metrics'] == {k: {s: round(v, 6) for s, v in st.items()}
                                           for k, st in doc['pooled_metrics'].items()}
        m = api.metrics()
        assert metric(m, 'vmafx_controller_jobs{state="completed"}') == len(jobs)
        assert metric(m, 'vmafx_controller_nodes_live') == 2
        assert a.stop() == 0 and b.stop() == 0 and c.ctl.stop() == 0


def test_client_commands(env):
    with Cluster(env, 'client') as c:
        c.controller()
        node = c.node('a')
        ref, dis = pair_files(env, SMALL)
        addr = ['--controller', f'http://127.0.0.1:{c.port}']
        p = run([env.vmafx, 'submit', *addr, '-r', ref, '-d', dis, '--label', 'suite=client', '--wait', '-q'])
        jid, scores = p.stdout.split('\n', 1)
        assert scores == run([env.vmafx, 'score', '-q', '-r', ref, '-d', dis]).stdout, p.stdout
        st = run([env.vmafx, 'status', *addr, jid]).stdout
        assert jid in st and 'completed' in st and 'vmaf:' in st, st
        full = json.loads(run([env.vmafx, 'status', *addr, jid, '--json']).stdout)
        assert full['labels'] == {'suite': 'client'}
        out = os.path.join(c.dir, 'r.xml')
        run([env.vmafx, 'results', *addr, jid, '--xml', '-o', out])
        same_report(open(out).read(), cli_report(env, ref, dis, 'xml'), 'vmafx results --xml')
        listed = run([env.vmafx, 'jobs', *addr, '--status', 'completed', '--label', 'suite=client']).stdout
        assert listed.splitlines()[1].startswith(jid[:8]), listed      # a header, then short ids
        # environment instead of flags; failures: exit 1 with the controller's reason
        e = dict(os.environ, VMAFX_CONTROLLER_ADDR=f'http://127.0.0.1:{c.port}')
        for model in ('vmaf_v0.6.1', 'vmaf_v0.6.1neg'):
            bad = subprocess.run([env.vmafx, 'submit', '-r', ref, '-d', dis, '-m', model, '--idempotency-key', 'k-env'],
                                 capture_output=True, text=True, env=e, timeout=30)
        assert bad.returncode == 1 and 'k-env' in bad.stderr and 'HTTP 409' in bad.stderr, bad.stderr
        # an unknown model is refused before sending, by flag, as the controller would (exit 2)
        bad = subprocess.run([env.vmafx, 'submit', '-r', ref, '-d', dis, '-m', 'version=vmaf_v9'], capture_output=True,
                             text=True, env=e, timeout=30)
        assert bad.returncode == 2 and '--model version=vmaf_v9' in bad.stderr, bad.stderr
        # what no controller would take is refused before sending, by flag
        bad = subprocess.run([env.vmafx, 'submit', '-r', ref, '-d', dis, '--bitdepth', '9'], capture_output=True,
                             text=True, env=e, timeout=30)
        assert bad.returncode == 2 and '--bitdepth' in bad.stderr, bad.stderr
        failed = run([env.vmafx, 'submit', *addr, '-r', '/no/such/ref.y4m', '-d', dis]).stdout.strip()
        w = subprocess.run([env.vmafx, 'wait', *addr, failed, '-q'], capture_output=True, text=True, timeout=60)
        assert w.returncode == 1 and '/no/such/ref.y4m' in w.stderr, (w.returncode, w.stderr)
        assert node.stop() == 0                      # nothing runs what comes next
        pending = run([env.vmafx, 'submit', *addr, '-r', ref, '-d', dis, '-m', 'vmaf_v0.6.1', '--priority', '-9',
                       '--label', 'x=y']).stdout.strip()
        r = subprocess.run([env.vmafx, 'cancel', *addr, pending], capture_output=True, text=True, timeout=30)
        assert r.returncode == 0, r.stderr
        r = subprocess.run([env.vmafx, 'results', *addr, pending], capture_output=True, text=True, timeout=30)
        assert r.returncode == 1 and 'cancelled' in r.stderr, r.stderr
        r = subprocess.run([env.vmafx, 'wait', '--controller', 'http://127.0.0.1:1', jid, '--timeout', '1', '-q'],
                           capture_output=True, text=True, timeout=30)
        assert r.returncode == 3, (r.returncode, r.stderr)


def test_errors_name_the_layer(env):
    with Cluster(env, 'errors') as c:
        c.controller()
        c.node('a')
        api = c.api()
        ref, dis = pair_files(env, SMALL)
        truncated = os.path.join(c.dir, 'truncated.y4m')
        with open(dis, 'rb') as f, open(truncated, 'wb') as g:
            g.write(f.read()[:-1000])
        cases = [(api.submit('/no/such/ref.y4m', dis), '/no/such/ref.y4m'),
                 (api.submit(ref, truncated), 'truncated.y4m')]
        for jid, needle in cases:
            j = api.wait_status(jid, ('completed', 'failed'), timeout=30)
            assert j['status'] == 'failed' and needle in j['error'], j
        # models and features are checked by the engine at submit already
        for field, body in (('models[0]', {'models': ['vmaf_v9.9']}), ('features[0]', {'features': ['nosuchfeature']})):
            st, obj, _ = api.call('POST', '/v1/jobs', dict(reference_uri=ref, distorted_uri=dis, **body))
            assert st == 400 and obj['field'] == field, (st, obj)
        assert api.wait_status(api.submit(ref, dis), 'completed', timeout=30)


def test_node_killed_lease_expires_other_node_finishes(env):
    with Cluster(env, 'kill-node') as c:
        c.controller('--lease-ttl', '2', '--retry-backoff', '0.2')
        srv = clip_cluster(env, c)
        count = 90
        ref, dis = srv.url('ref.y4m', count, 30), srv.url('dis.y4m', count, 30)
        a = c.node('a')
        api = c.api()
        jid = api.submit(ref, dis)
        j = wait_until('the job to run on a', lambda: running_with_frames(api, jid), timeout=20)
        assert j['node'] == 'a'
        a.kill9()
        t_kill = time.monotonic()
        b = c.node('b')
        done = api.wait_status(jid, ('completed', 'failed'), timeout=60)
        assert done['status'] == 'completed' and done['node'] == 'b', done
        assert done['attempts'] == 2 and done['lost_leases'] == 1, done
        assert time.monotonic() - t_kill >= 2, 'taken back before the TTL'
        fast_ref, fast_dis = srv.url('ref.y4m', count), srv.url('dis.y4m', count)
        same_report(frames(api, jid), cli_report(env, fast_ref, fast_dis, 'json'), 'after failover')
        assert json.loads(frames(api, jid))['frames'][-1]['frameNum'] == count - 1
        m = api.metrics()
        assert metric(m, 'vmafx_controller_jobs_finished_total{state="completed"}') == 1
        assert metric(m, 'vmafx_controller_leases_expired_total') == 1
        assert b.stop() == 0 and c.ctl.stop() == 0


def test_cancel_running_job(env):
    with Cluster(env, 'cancel-running') as c:
        c.controller()
        srv = clip_cluster(env, c)
        node = c.node('a')
        api = c.api()
        jid = api.submit(srv.url('ref.y4m', 600, 20), srv.url('dis.y4m', 600, 20))
        wait_until('the job to run', lambda: running_with_frames(api, jid), timeout=20)
        t0 = time.monotonic()
        run([env.vmafx, 'cancel', '--controller', f'http://127.0.0.1:{c.port}', jid])
        wait_until('the node to stop the job', lambda: f'job {jid} stopped' in node.text(), timeout=10)
        assert time.monotonic() - t0 < 3.5, time.monotonic() - t0
        j = api.job(jid)
        assert j['status'] == 'cancelled' and j['pooled_metrics'] is None, j
        # the slot is free again
        ref, dis = pair_files(env, ONE)
        assert api.wait_status(api.submit(ref, dis), 'completed', timeout=30)['node'] == 'a'
        assert api.job(jid)['status'] == 'cancelled'
        assert node.stop() == 0


def test_drain_lets_running_job_finish(env):
    with Cluster(env, 'drain-finish') as c:
        c.controller()
        srv = clip_cluster(env, c)
        node = c.node('a', '--drain-timeout', '30')
        api = c.api()
        jid = api.submit(srv.url('ref.y4m', 60, 30), srv.url('dis.y4m', 60, 30), options={'frame_cnt': 60})
        j = wait_until('the job to run', lambda: running_with_frames(api, jid), timeout=20)
        assert j['progress']['frames_total'] == 60 and j['progress']['fps'] > 0, j['progress']
        node.signal(signal.SIGTERM)
        time.sleep(0.3)
        ref, dis = pair_files(env, ONE)
        later = api.submit(ref, dis)
        assert node.wait(30) == 0, node.tail()
        assert api.job(jid)['status'] == 'completed'
        time.sleep(0.5)
        assert api.job(later)['status'] == 'pending', 'a draining node took new work'


def test_drain_deadline_hands_job_back(env):
    with Cluster(env, 'drain-deadline') as c:
        c.controller()
        srv = clip_cluster(env, c)
        node = c.node('a', '--drain-timeout', '1')
        api = c.api()
        count = 200
        jid = api.submit(srv.url('ref.y4m', count, 40), srv.url('dis.y4m', count, 40))
        wait_until('the job to run', lambda: running_with_frames(api, jid), timeout=20)
        t0 = time.monotonic()
        node.signal(signal.SIGTERM)
        assert node.wait(15) == 0, node.tail()
        assert time.monotonic() - t0 < 5, time.monotonic() - t0
        j = api.job(jid)
        assert j['status'] == 'pending' and j['lost_leases'] == 0 and j['attempts'] == 1, j
        assert 'released back to pending' in node.text()
        if env.quick:
            return
        c.node('b')
        done = api.wait_status(jid, ('completed', 'failed'), timeout=60)
        assert done['status'] == 'completed' and done['attempts'] == 2 and done['lost_leases'] == 0, done


def test_controller_killed_and_restarted(env):
    if env.quick:
        raise Skip('--quick (the sanitizer run) leaves out the long cluster cases')
    with Cluster(env, 'kill-controller') as c:
        c.controller()
        srv = clip_cluster(env, c)
        node = c.node('a', '--slots', '2')
        api = c.api()
        # one job runs through the outage: its result must be retried, not lost
        slow = api.submit(srv.url('ref.y4m', 80, 40), srv.url('dis.y4m', 80, 40))
        wait_until('the slow job to run', lambda: running_with_frames(api, slow), timeout=20)
        ref, dis = pair_files(env, ONE)
        acked, stop = [], threading.Event()

        def submitter():
            while not stop.is_set():
                try:
                    st, obj, _ = api.call('POST', '/v1/jobs', {'reference_uri': ref, 'distorted_uri': dis}, timeout=5)
                    if st == 201:
                        acked.append(obj['id'])
                except OSError:
                    pass
                time.sleep(0.01)
        t = threading.Thread(target=submitter)
        t.start()
        try:
            wait_until('some acknowledged submits', lambda: len(acked) >= 20, timeout=20)
            c.ctl.kill9()
            n_before = len(acked)
            time.sleep(2.5)                     # the slow job ends while the controller is away
            c.controller()
            wait_until('more acknowledged submits', lambda: len(acked) >= n_before + 10, timeout=20)
        finally:
            stop.set()
            t.join(10)
        for jid in acked + [slow]:
            j = api.wait_status(jid, ('completed', 'failed'), timeout=120)
            assert j['status'] == 'completed', j
        assert api.job(slow)['attempts'] == 1, 'the slow job was run again instead of its result being retried'
        assert 'retrying the result' in node.text(), node.tail()
        total = sum(1 for _ in acked) + 1
        listed = api.ok('GET', '/v1/jobs?status=completed&limit=1000')['jobs']
        assert len(listed) >= total, (len(listed), total)
        assert node.stop() == 0 and c.ctl.stop() == 0


def test_node_token_file_reread(env):
    with Cluster(env, 'node-token') as c:
        tokens = write_tokens(os.path.join(c.dir, 'tokens'))
        c.controller('--tokens-file', tokens)
        tok = os.path.join(c.dir, 'node.token')
        with open(tok, 'w') as f:
            f.write(TOKENS['reader'] + '\n')          # the wrong role
        node = c.node('a', token_file=tok)
        api = c.api(TOKENS['writer'])
        ref, dis = pair_files(env, ONE)
        jid = api.submit(ref, dis)
        wait_until('the refusal in the log', lambda: 'HTTP 403' in node.text(), timeout=10)
        assert api.job(jid)['status'] == 'pending'
        with open(tok + '.new', 'w') as f:
            f.write(TOKENS['node'] + '\n')
        os.replace(tok + '.new', tok)
        assert api.wait_status(jid, 'completed', timeout=40)['node'] == 'a'
        assert node.stop() == 0


def test_remote_input_through_storage(env):
    if env.quick:
        raise Skip('--quick (the sanitizer run) leaves out the long cluster cases')
    import storage_lab
    lab = storage_lab.get_lab(env.scratch)
    ref, dis = pair_files(env, SMALL)
    lab.rclone_cmd('copyto', ref, 's3:media/controller/ref.y4m')
    lab.rclone_cmd('copyto', dis, 's3:media/controller/dis.y4m')
    with Cluster(env, 'remote') as c:
        c.controller()
        env_node = {'VMAFX_RCLONE_CONFIG': lab.conf, 'VMAFX_STORAGE_MODE': 'http-serve'}
        a = c.node('a', env=env_node)
        b = c.node('b', env=env_node)
        api = c.api()
        ids = [api.submit('s3://media/controller/ref.y4m', 's3://media/controller/dis.y4m') for _ in range(3)]
        missing = api.submit('s3://media/controller/ref.y4m', 's3://media/controller/nope.y4m')
        for jid in ids:
            j = api.wait_status(jid, ('completed', 'failed'), timeout=90)
            assert j['status'] == 'completed', j
            same_report(frames(api, jid), cli_report(env, ref, dis, 'json'), 's3 input')
        j = api.wait_status(missing, ('completed', 'failed'), timeout=60)
        assert j['status'] == 'failed' and 'nope.y4m' in j['error'], j
        assert a.stop() == 0 and b.stop() == 0
    assert not storage_lab.rclone_pids(c.dir), 'rclone processes left behind'


def test_cancel_remote_job_leaves_no_rclone(env):
    """A running job reading from S3 through an rclone mount is cancelled: it stops, and its
    rclone process and mount are gone (a cancelled job stops what it started unless another
    job reads through it)."""
    if env.quick:
        raise Skip('--quick (the sanitizer run) leaves out the long cluster cases')
    import storage_lab
    lab = storage_lab.get_lab(env.scratch)
    ref, dis = pair_files(env, SMALL)
    d = os.path.join(env.scratch, 'cancel-remote')
    os.makedirs(d, exist_ok=True)
    for name, src in (('ref', ref), ('dis', dis)):
        path = os.path.join(d, name + '.y4m')
        with open(path, 'wb') as f:
            f.write(long_clip(src, 400))
        lab.rclone_cmd('copyto', path, f's3:media/cancel/{name}.y4m')
    with Cluster(env, 'cancel-remote') as c:
        c.controller()
        node = c.node('a', env={'VMAFX_RCLONE_CONFIG': lab.conf, 'VMAFX_STORAGE_MODE': 'mount',
                                'VMAFX_CPU': 'scalar'})
        api = c.api()
        jid = api.submit('s3://media/cancel/ref.y4m', 's3://media/cancel/dis.y4m')
        wait_until('the job to run', lambda: running_with_frames(api, jid), timeout=30)
        assert storage_lab.rclone_pids(lab.conf), 'the job reads through rclone'
        run([env.vmafx, 'cancel', '--controller', f'http://127.0.0.1:{c.port}', jid])
        wait_until('the node to stop the job', lambda: f'job {jid} stopped' in node.text(), timeout=10)
        wait_until('its rclone processes to end', lambda: not storage_lab.rclone_pids(lab.conf), timeout=5)
        assert not storage_lab.mounts(c.dir), 'mounts left behind'
        assert api.job(jid)['status'] == 'cancelled'
        assert node.stop() == 0
