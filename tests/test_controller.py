"""vmafx-controller through its HTTP API, with the tests playing the nodes: validation (400
naming the field), body cap (413), auth (401/403, open probes, token rotation), idempotent
submit, paging and filters, cancel, lease fencing (stale attempts refused), lease expiry with
backoff and the give-up after N lost leases, long-poll, /metrics, and the configuration
contract (flags and environment variables)."""
import http.client, os, threading, time

from controller_testlib import (TOKENS, Api, Cluster, Proc, _clean_env, free_port, metric, wait_until,
                                write_tokens)

REF, DIS = '/data/ref.y4m', '/data/dis.y4m'


def lease(api, node, wait=0):
    st, obj, _ = api.call('POST', f'/v1/nodes/{node}/lease', {'wait': wait})
    return obj if st == 200 else None


def complete(api, node, job, report=None):
    rep = report or {'json': '{"frames":[],"pooled_metrics":{"vmaf":{"mean":80.5}}}', 'xml': '<x/>', 'csv': 'a\n'}
    return api.call('POST', f'/v1/nodes/{node}/jobs/{job["id"]}/result',
                    {'attempt': job['attempt'], 'status': 'completed', 'report': rep, 'models': ['vmaf']})


def bad(api, body, field, token=..., **kw):
    st, obj, _ = api.call('POST', '/v1/jobs', body, token=token, **kw)
    assert st == 400, f'{body!r}: expected 400, got {st} {obj}'
    assert obj['field'] == field, f'{body!r}: field {obj.get("field")!r}, expected {field!r}: {obj}'
    assert obj['error'].startswith(field), obj
    return obj['error']


def test_malformed_requests(env):
    with Cluster(env, 'malformed') as c:
        c.controller('--max-body', '8K')
        api = c.api()
        bad(api, '{"reference_uri": ', '')
        bad(api, '[1, 2]', '')
        bad(api, {'distorted_uri': DIS}, 'reference_uri')
        bad(api, {'reference_uri': REF}, 'distorted_uri')
        bad(api, {'reference_uri': 5, 'distorted_uri': DIS}, 'reference_uri')
        bad(api, {'reference_uri': REF, 'distorted_uri': DIS, 'colour': 1}, 'colour')
        bad(api, {'reference_uri': REF, 'distorted_uri': DIS, 'options': {'width': 0}}, 'options.width')
        bad(api, {'reference_uri': REF, 'distorted_uri': DIS, 'options': {'width': 'wide'}}, 'options.width')
        bad(api, {'reference_uri': REF, 'distorted_uri': DIS, 'options': {'bitdepth': 9}}, 'options.bitdepth')
        bad(api, {'reference_uri': REF, 'distorted_uri': DIS, 'options': {'pixel_format': '411'}}, 'options.pixel_format')
        bad(api, {'reference_uri': REF, 'distorted_uri': DIS, 'options': {'sync': 'maybe'}}, 'options.sync')
        bad(api, {'reference_uri': REF, 'distorted_uri': DIS, 'options': {'scale_to': '10x'}}, 'options.scale_to')
        bad(api, {'reference_uri': REF, 'distorted_uri': DIS, 'options': {'fps': 3}}, 'options.fps')
        bad(api, {'reference_uri': REF, 'distorted_uri': DIS, 'options': []}, 'options')
        msg = bad(api, {'reference_uri': REF, 'distorted_uri': DIS, 'models': ['path=/etc/passwd']}, 'models[0]')
        assert 'path=' in msg, msg
        bad(api, {'reference_uri': REF, 'distorted_uri': DIS, 'models': ['vmaf_v0.6.1', 'version=x:colour=1']}, 'models[1]')
        bad(api, {'reference_uri': REF, 'distorted_uri': DIS, 'features': ['psnr;rm']}, 'features[0]')
        bad(api, {'reference_uri': REF, 'distorted_uri': DIS, 'priority': 5000}, 'priority')
        bad(api, {'reference_uri': REF, 'distorted_uri': DIS, 'labels': {'a': 1}}, 'labels.a')
        bad(api, {'reference_uri': REF, 'distorted_uri': DIS, 'labels': {'a b': 'x'}}, 'labels.a b')
        # URIs go through the storage layer's parser
        bad(api, {'reference_uri': 's3://', 'distorted_uri': DIS}, 'reference_uri')
        bad(api, {'reference_uri': REF, 'distorted_uri': 'sftp://host/../etc'}, 'distorted_uri')
        bad(api, {'reference_uri': REF, 'distorted_uri': 'http://169.254.169.254/latest/x.mp4'}, 'distorted_uri')
        st, obj, _ = api.call('POST', '/v1/jobs', {'reference_uri': REF, 'distorted_uri': DIS},
                              headers={'Idempotency-Key': 'x' * 300})
        assert st == 400 and obj['field'] == 'Idempotency-Key', (st, obj)
        # body cap: refused before it is read when announced, and when it grows while chunked
        big = {'reference_uri': REF, 'distorted_uri': DIS, 'labels': {'pad': 'x' * 200}, 'pad': 'y' * 9000}
        st, obj, _ = api.call('POST', '/v1/jobs', big)
        assert st == 413 and '8192' in obj['error'], (st, obj)
        conn = http.client.HTTPConnection('127.0.0.1', c.port, timeout=10)
        conn.request('POST', '/v1/jobs', body=iter([b'{"pad": "', b'z' * 6000, b'z' * 6000, b'"}']), encode_chunked=True,
                     headers={'Content-Type': 'application/json'})
        r = conn.getresponse()
        assert r.status == 413 and b'8192' in r.read(), r.status
        conn.close()
        # unknown endpoints and methods, bad list queries, unknown jobs
        assert api.call('GET', '/v1/nothing')[0] == 404
        assert api.call('DELETE', '/v1/jobs')[0] == 405
        assert api.call('GET', '/v1/jobs/00000000-0000-4000-8000-000000000000')[0] == 404
        for q, field in (('status=done', 'status'), ('limit=0', 'limit'), ('limit=5000', 'limit'), ('cursor=x', 'cursor')):
            st, obj, _ = api.call('GET', f'/v1/jobs?{q}')
            assert st == 400 and obj['field'] == field, (q, st, obj)
        # node calls are validated too
        st, obj, _ = api.call('POST', '/v1/nodes/n1/jobs/abc/progress', {'frames_done': 1})
        assert st == 400 and obj['field'] == 'attempt', (st, obj)
        st, obj, _ = api.call('POST', '/v1/nodes/bad%2fname/lease', {})
        assert st == 404, (st, obj)
        assert c.ctl.stop() == 0


def test_auth_roles_and_rotation(env):
    with Cluster(env, 'auth') as c:
        tokens = write_tokens(os.path.join(c.dir, 'tokens'))
        c.controller('--tokens-file', tokens)
        api = c.api()
        body = {'reference_uri': REF, 'distorted_uri': DIS}
        st, obj, hdr = api.call('POST', '/v1/jobs', body)
        assert st == 401 and 'www-authenticate' in hdr, (st, obj)
        assert api.call('POST', '/v1/jobs', body, token='not-a-known-token-123')[0] == 401
        assert api.call('GET', '/v1/jobs', headers={'Authorization': 'Basic abc'})[0] == 401
        assert api.call('POST', '/v1/jobs', body, token=TOKENS['reader'])[0] == 403
        assert api.call('POST', '/v1/jobs', body, token=TOKENS['node'])[0] == 403
        st, obj, _ = api.call('POST', '/v1/jobs', body, token=TOKENS['writer'])
        assert st == 201, (st, obj)
        jid = obj['id']
        assert api.call('GET', f'/v1/jobs/{jid}', token=TOKENS['reader'])[0] == 200
        assert api.call('GET', f'/v1/jobs/{jid}', token=TOKENS['node'])[0] == 403
        assert api.call('POST', f'/v1/jobs/{jid}/cancel', token=TOKENS['reader'])[0] == 403
        # node endpoints need the node role (or admin)
        assert api.call('POST', '/v1/nodes/n1/lease', {}, token=TOKENS['writer'])[0] == 403
        assert api.call('POST', '/v1/nodes/n1/lease', {}, token=TOKENS['node'])[0] == 200
        assert api.call('POST', f'/v1/jobs/{jid}/cancel', token=TOKENS['admin'])[0] == 200
        # probes and metrics are open
        for path in ('/healthz', '/readyz', '/metrics'):
            assert api.call('GET', path, token=None)[0] == 200, path
        # rotation: a new file replaces the tokens without a restart
        write_tokens(tokens + '.new', {'writer': 'rotated-writer-token-42'})
        os.replace(tokens + '.new', tokens)
        wait_until('the rotated token to work',
                   lambda: api.call('GET', '/v1/jobs', token='rotated-writer-token-42')[0] == 200, timeout=10)
        assert api.call('GET', '/v1/jobs', token=TOKENS['writer'])[0] == 401
        # a broken file keeps the previous tokens
        with open(tokens, 'w') as f:
            f.write('short admin\n')
        time.sleep(1.3)
        assert api.call('GET', '/v1/jobs', token='rotated-writer-token-42')[0] == 200
        assert c.ctl.stop() == 0
        assert 'keeping the previous tokens' in c.ctl.text()


def test_open_api_only_on_loopback(env):
    with Cluster(env, 'openapi') as c:
        p = c.controller('--listen', f'0.0.0.0:{free_port()}', check=False)
        assert p.wait(10) == 2 and '--tokens-file' in p.text(), p.tail()


def test_sync_limit_as_the_command(env):
    """A job and `vmafx score` take the same sync range (once 1000 for jobs, 250 for the
    command, and the node read N with atoi)."""
    with Cluster(env, 'sync-limit') as c:
        c.controller()
        api = c.api()
        assert api.submit(REF, DIS, options={'sync': 'auto:250'})
        msg = bad(api, {'reference_uri': REF, 'distorted_uri': DIS, 'options': {'sync': 'auto:251'}}, 'options.sync')
        assert 'up to 250' in msg, msg
        for odd in ('auto:-1', 'auto: 5', 'auto:+5', 'auto:5x', 'auto:'):
            bad(api, {'reference_uri': REF, 'distorted_uri': DIS, 'options': {'sync': odd}}, 'options.sync')


def test_idempotent_submit(env):
    with Cluster(env, 'idem') as c:
        c.controller()
        api = c.api()
        body = {'reference_uri': REF, 'distorted_uri': DIS, 'labels': {'a': '1'}, 'options': {'subsample': 2}}
        st1, j1, _ = api.call('POST', '/v1/jobs', body, headers={'Idempotency-Key': 'k-1'})
        assert st1 == 201, j1
        # same key, same body (other spacing and key order): the same job
        same = '{"options": {"subsample": 2}, "labels": {"a": "1"},  "distorted_uri": "%s", "reference_uri": "%s"}' % (DIS, REF)
        st2, j2, h2 = api.call('POST', '/v1/jobs', same, headers={'Idempotency-Key': 'k-1'})
        assert st2 == 200 and j2['id'] == j1['id'] and h2.get('idempotent-replayed') == 'true', (st2, j2, h2)
        # same key, another body: 409 naming the job
        st3, j3, _ = api.call('POST', '/v1/jobs', dict(body, priority=3), headers={'Idempotency-Key': 'k-1'})
        assert st3 == 409 and j1['id'] in j3['error'], (st3, j3)
        # another key: another job; no key: always a new job
        assert api.submit(REF, DIS) != api.submit(REF, DIS)
        st4, j4, _ = api.call('POST', '/v1/jobs', body, headers={'Idempotency-Key': 'k-2'})
        assert st4 == 201 and j4['id'] != j1['id']
        jobs = api.ok('GET', '/v1/jobs')['jobs']
        assert len(jobs) == 4, len(jobs)
        # concurrent retries of one request make one job
        ids, errors = [], []

        def retry():
            try:
                ids.append(api.call('POST', '/v1/jobs', body, headers={'Idempotency-Key': 'k-race'})[1]['id'])
            except Exception as e:   # noqa: BLE001 - collected and reported below
                errors.append(e)
        threads = [threading.Thread(target=retry) for _ in range(16)]
        [t.start() for t in threads]
        [t.join(30) for t in threads]
        assert not errors and len(set(ids)) == 1 and len(ids) == 16, (errors, set(ids))
        # the key survives a restart
        c.ctl.kill9()
        c.controller()
        st5, j5, _ = api.call('POST', '/v1/jobs', body, headers={'Idempotency-Key': 'k-1'})
        assert st5 == 200 and j5['id'] == j1['id'], (st5, j5)
        assert c.ctl.stop() == 0


def test_list_paging_and_filters(env):
    with Cluster(env, 'paging') as c:
        c.controller()
        api = c.api()
        ids = [api.submit(REF, DIS, labels={'batch': 'b1' if i < 5 else 'b2', 'n': str(i)}) for i in range(8)]
        seen, cursor, pages = [], None, 0
        while True:
            q = '/v1/jobs?limit=3' + (f'&cursor={cursor}' if cursor else '')
            page = api.ok('GET', q)
            seen += [j['id'] for j in page['jobs']]
            pages += 1
            cursor = page['next_cursor']
            if not cursor:
                break
            assert pages < 10
        assert seen == ids[::-1] and pages == 3, (pages, seen)
        b1 = api.ok('GET', '/v1/jobs?label=batch%3Db1')['jobs']
        assert [j['id'] for j in b1] == ids[:5][::-1]
        assert len(api.ok('GET', '/v1/jobs?label=n')['jobs']) == 8
        assert api.ok('GET', '/v1/jobs?label=batch%3Dnone')['jobs'] == []
        api.ok('POST', f'/v1/jobs/{ids[2]}/cancel')
        cancelled = api.ok('GET', '/v1/jobs?status=cancelled')['jobs']
        assert [j['id'] for j in cancelled] == [ids[2]]
        pend = api.ok('GET', '/v1/jobs?status=pending&label=batch%3Db1&limit=2')
        assert [j['id'] for j in pend['jobs']] == [ids[4], ids[3]] and pend['next_cursor']
        rest = api.ok('GET', f'/v1/jobs?status=pending&label=batch%3Db1&cursor={pend["next_cursor"]}')
        assert [j['id'] for j in rest['jobs']] == [ids[1], ids[0]] and rest['next_cursor'] is None
        j = api.job(ids[0])
        for k in ('id', 'status', 'reference_uri', 'distorted_uri', 'labels', 'created_at', 'started_at',
                  'finished_at', 'attempts', 'node', 'progress', 'pooled_metrics', 'error'):
            assert k in j, k
        assert j['progress'] == {'frames_done': 0, 'frames_total': None, 'fps': 0.0}, j['progress']
        assert c.ctl.stop() == 0


def test_cancel_pending(env):
    with Cluster(env, 'cancel-pending') as c:
        c.controller()
        api = c.api()
        jid = api.submit(REF, DIS)
        j = api.ok('POST', f'/v1/jobs/{jid}/cancel')
        assert j['status'] == 'cancelled' and j['finished_at'], j
        assert api.call('POST', f'/v1/jobs/{jid}/cancel')[0] == 200   # cancelling twice is fine
        assert lease(api, 'n1') is None                               # never handed out
        st, obj, _ = api.call('GET', f'/v1/jobs/{jid}/frames')
        assert st == 409 and 'cancelled' in obj['error'], (st, obj)
        done = api.submit(REF, DIS)
        g = lease(api, 'n1')
        assert complete(api, 'n1', g)[0] == 204
        st, obj, _ = api.call('POST', f'/v1/jobs/{done}/cancel')
        assert st == 409 and 'completed' in obj['error'], (st, obj)
        assert metric(api.metrics(), 'vmafx_controller_jobs_finished_total{state="cancelled"}') == 1
        assert c.ctl.stop() == 0


def test_stale_attempts_refused(env):
    with Cluster(env, 'stale') as c:
        c.controller('--lease-ttl', '1', '--retry-backoff', '0')
        api = c.api()
        jid = api.submit(REF, DIS)
        a = lease(api, 'node-a')
        assert a and a['id'] == jid and a['attempt'] == 1, a
        assert a['spec']['reference_uri'] == REF
        # node-a goes quiet; the lease expires and node-b gets attempt 2
        b = wait_until('the job to be leased again', lambda: lease(api, 'node-b', wait=1), timeout=10)
        assert b['id'] == jid and b['attempt'] == 2, b
        # every write of the old lease is refused, and so is a write naming the right attempt
        # from the wrong node
        for path, body in (('progress', {'attempt': 1, 'frames_done': 5}),
                           ('release', {'attempt': 1}),
                           ('result', {'attempt': 1, 'status': 'failed', 'error': 'late'})):
            st, obj, _ = api.call('POST', f'/v1/nodes/node-a/jobs/{jid}/{path}', body)
            assert st == 409 and 'stale' in obj['error'], (path, st, obj)
        assert api.call('POST', f'/v1/nodes/node-a/jobs/{jid}/progress', {'attempt': 2, 'frames_done': 1})[0] == 409
        st, obj, _ = complete(api, 'node-a', a)
        assert st == 409, (st, obj)
        # node-a's heartbeat learns that the lease is gone
        hb = api.ok('POST', '/v1/nodes/node-a/heartbeat', {'jobs': [{'id': jid, 'attempt': 1}]})
        assert hb['cancel'] == [{'id': jid, 'attempt': 1, 'reason': 'lease lost'}], hb
        # the current lease works; one result, one final state
        assert api.call('POST', f'/v1/nodes/node-b/jobs/{jid}/progress', {'attempt': 2, 'frames_done': 3})[0] == 204
        assert complete(api, 'node-b', b)[0] == 204
        assert complete(api, 'node-b', b)[0] == 409        # a repeated result changes nothing
        j = api.job(jid)
        assert j['status'] == 'completed' and j['attempts'] == 2 and j['lost_leases'] == 1 and j['node'] == 'node-b', j
        assert j['pooled_metrics'] == {'vmaf': {'mean': 80.5}}, j
        st, body, hdr = api.call('GET', f'/v1/jobs/{jid}/frames', raw=True)
        assert st == 200 and body.startswith(b'{"frames"') and hdr['content-type'] == 'application/json'
        st, body, hdr = api.call('GET', f'/v1/jobs/{jid}/frames?format=csv', raw=True)
        assert st == 200 and body == b'a\n' and hdr['content-type'] == 'text/csv'
        # a cancelled job's lease is refused too, and the heartbeat says why
        k = api.submit(REF, DIS)
        g = lease(api, 'node-b')
        api.ok('POST', f'/v1/jobs/{k}/cancel')
        hb = api.ok('POST', '/v1/nodes/node-b/heartbeat', {'jobs': [{'id': k, 'attempt': g['attempt']}]})
        assert hb['cancel'][0]['reason'] == 'cancelled', hb
        assert api.call('POST', f'/v1/nodes/node-b/jobs/{k}/progress', {'attempt': 1, 'frames_done': 1})[0] == 409
        assert api.job(k)['status'] == 'cancelled'
        assert c.ctl.stop() == 0


def test_lease_expiry_backoff_and_give_up(env):
    with Cluster(env, 'expiry') as c:
        c.controller('--lease-ttl', '0.6', '--max-lost-attempts', '3', '--retry-backoff', '1')
        api = c.api()
        jid = api.submit(REF, DIS)
        times = []
        for attempt in (1, 2, 3):
            g = wait_until(f'lease {attempt}', lambda: lease(api, f'node-{attempt}', wait=1), timeout=15)
            times.append(time.monotonic())
            assert g['attempt'] == attempt, g
            # a heartbeat keeps the lease past its TTL
            if attempt == 1:
                for _ in range(3):
                    time.sleep(0.3)
                    assert api.ok('POST', '/v1/nodes/node-1/heartbeat',
                                  {'jobs': [{'id': jid, 'attempt': 1}]})['cancel'] == []
                assert api.job(jid)['status'] == 'running'
        # backoff doubles: 1 s after the first loss, 2 s after the second (plus the TTL)
        assert times[1] - times[0] >= 0.9 + 0.6 + 0.9 and times[2] - times[1] >= 2 + 0.6, times
        j = api.wait_status(jid, 'failed', timeout=10)
        assert 'lease lost 3 times' in j['error'] and 'node-3' in j['error'], j
        assert j['lost_leases'] == 3 and j['attempts'] == 3, j
        m = api.metrics()
        assert metric(m, 'vmafx_controller_leases_expired_total') == 3
        assert metric(m, 'vmafx_controller_jobs_given_up_total') == 1
        assert metric(m, 'vmafx_controller_jobs{state="failed"}') == 1
        assert c.ctl.stop() == 0


def test_long_poll_wakes_on_submit(env):
    with Cluster(env, 'longpoll') as c:
        c.controller('--long-poll-max', '10')
        api = c.api()
        got = {}

        def poll():
            got['lease'] = lease(api, 'n1', wait=8)
            got['end'] = time.monotonic()
        t = threading.Thread(target=poll)
        t.start()
        time.sleep(0.5)
        t_submit = time.monotonic()
        jid = api.submit(REF, DIS)
        t.join(15)
        assert got['lease'] and got['lease']['id'] == jid, got
        assert got['end'] - t_submit < 0.5, got
        # nothing to do: 204 after the wait
        t0 = time.monotonic()
        assert api.call('POST', '/v1/nodes/n1/lease', {'wait': 0.7})[0] == 204
        assert 0.6 < time.monotonic() - t0 < 3
        # a controller that stops ends its long polls at once
        t = threading.Thread(target=poll)
        t.start()
        time.sleep(0.3)
        t0 = time.monotonic()
        assert c.ctl.stop() == 0
        t.join(10)
        assert time.monotonic() - t0 < 3 and got['lease'] is None


def test_priority_order(env):
    with Cluster(env, 'priority') as c:
        c.controller()
        api = c.api()
        low = api.submit(REF, DIS, priority=-5)
        mid1 = api.submit(REF, DIS)
        high = api.submit(REF, DIS, priority=10)
        mid2 = api.submit(REF, DIS)
        order = [lease(api, 'n')['id'] for _ in range(4)]
        assert order == [high, mid1, mid2, low], order
        assert c.ctl.stop() == 0


def test_metrics_content(env):
    with Cluster(env, 'metrics') as c:
        c.controller()
        api = c.api()
        a, b, _ = api.submit(REF, DIS), api.submit(REF, DIS), api.submit(REF, DIS)
        ga = lease(api, 'n1')
        complete(api, 'n1', ga)
        gb = lease(api, 'n1')
        api.ok('POST', f'/v1/nodes/n1/jobs/{gb["id"]}/result', {'attempt': 1, 'status': 'failed', 'error': 'decode'})
        api.ok('POST', '/v1/nodes/n2/register', {'slots': 2})
        st, text, hdr = api.call('GET', '/metrics', raw=True, token=None)
        text = text.decode()
        assert st == 200 and hdr['content-type'].startswith('text/plain; version=0.0.4'), hdr
        assert metric(text, 'vmafx_controller_jobs{state="pending"}') == 1
        assert metric(text, 'vmafx_controller_jobs{state="completed"}') == 1
        assert metric(text, 'vmafx_controller_jobs{state="failed"}') == 1
        assert metric(text, 'vmafx_controller_nodes_live') == 2
        assert metric(text, 'vmafx_controller_oldest_pending_age_seconds') >= 0
        assert metric(text, 'vmafx_controller_jobs_submitted_total') == 3
        assert metric(text, 'vmafx_controller_leases_granted_total') == 2
        assert metric(text, 'vmafx_controller_leases_expired_total') == 0
        assert metric(text, 'vmafx_controller_queue_wait_seconds_count') == 2
        assert metric(text, 'vmafx_controller_job_duration_seconds_count{state="completed"}') == 1
        assert metric(text, 'vmafx_controller_job_duration_seconds_count{state="failed"}') == 1
        assert metric(text, 'vmafx_controller_score_bucket{model="vmaf",le="80"}') == 0
        assert metric(text, 'vmafx_controller_score_bucket{model="vmaf",le="85"}') == 1
        assert metric(text, 'vmafx_controller_score_sum{model="vmaf"}') == 80.5
        for family in ('job_duration_seconds', 'queue_wait_seconds', 'score'):
            assert f'# TYPE vmafx_controller_{family} histogram' in text, family
        assert api.job(a)['status'] == 'completed' and api.job(b)['status'] == 'failed'
        assert c.ctl.stop() == 0


def test_configuration_from_environment(env):
    """The Helm chart's contract: every setting as an environment variable, no flags."""
    with Cluster(env, 'envconf') as c:
        tokens = write_tokens(os.path.join(c.dir, 'tokens'))
        db = os.path.join(c.dir, 'env.db')
        settings = {'VMAFX_LISTEN': f'127.0.0.1:{c.port}', 'VMAFX_DB': db, 'VMAFX_TOKENS_FILE': tokens,
                    'VMAFX_LEASE_TTL': '0.5', 'VMAFX_MAX_LOST_ATTEMPTS': '1', 'VMAFX_RETRY_BACKOFF': '0'}
        p = Proc('vmafx-controller', [c.bin('vmafx-controller')], os.path.join(c.dir, 'env.log'), _clean_env(settings))
        c.procs.append(p)
        api = Api(c.port, TOKENS['admin'])
        wait_until('the controller', lambda: _answers(api), timeout=10)
        assert api.call('GET', '/v1/jobs', token=None)[0] == 401
        jid = api.submit(REF, DIS)
        assert lease(api, 'n1')['attempt'] == 1
        j = api.wait_status(jid, 'failed', timeout=10)     # one lost lease is the limit
        assert 'lease lost 1 time ' in j['error'], j
        assert os.path.exists(db)
        assert p.stop() == 0


def _answers(api):
    try:
        return api.call('GET', '/healthz', token=None, timeout=2)[0] == 200
    except OSError:
        return False


def test_allow_list_checked_at_submit(env):
    with Cluster(env, 'allow') as c:
        c.controller('--storage-allow', 's3://media/ok/,https://cdn.example.com/videos/')
        api = c.api()
        assert api.call('POST', '/v1/jobs', {'reference_uri': 's3://media/ok/a.mkv',
                                             'distorted_uri': 'https://cdn.example.com/videos/b.mp4'})[0] == 201
        msg = bad(api, {'reference_uri': 's3://media/other/a.mkv', 'distorted_uri': 's3://media/ok/b.mkv'},
                  'reference_uri')
        assert 'allowed' in msg, msg
        bad(api, {'reference_uri': 's3://media/ok/a.mkv', 'distorted_uri': 'https://evil.example.com/b.mp4'},
            'distorted_uri')
        # local paths are checked by the node, which can resolve them
        assert api.call('POST', '/v1/jobs', {'reference_uri': '/data/a.y4m', 'distorted_uri': '/data/b.y4m'})[0] == 201
        assert c.ctl.stop() == 0
