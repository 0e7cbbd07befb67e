"""Completion webhooks (docs/webhooks.md): a loopback receiver in the test checks every
signature (HMAC-SHA256 over "timestamp.body" with the secret), refuses the first attempt of
each event, and counts: every job that ends (completed, failed, cancelled) is delivered at
least once and never with a bad signature; a controller killed with SIGKILL while deliveries
are pending delivers them after its restart, without a burst of repeats; a target the
allow-list refuses is refused at submit, or reported on the job when the rules changed
after it; the secret never reaches the log."""
import hashlib, hmac, json, os, threading, time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from controller_testlib import Cluster, wait_until

REF, DIS = '/data/ref.y4m', '/data/dis.y4m'
SECRET = 'whsec-test-0123456789abcdef0123456789'


class Receiver:
    """POSTs to /hook: verified and recorded; the first attempt of each event (or every
    attempt while refuse_all is set) is answered 503."""

    def __init__(self, secret=SECRET):
        rec = self
        self.secret, self.refuse_all = secret.encode(), False
        self.lock, self.seen, self.bad, self.accepted = threading.Lock(), {}, [], {}

        class H(BaseHTTPRequestHandler):
            def log_message(self, *a):
                pass

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get('Content-Length', 0)))
                ok = rec.verify(self.headers.get('X-Vmafx-Timestamp', ''), self.headers.get('X-Vmafx-Signature', ''),
                                body)
                ev = json.loads(body) if ok else {}
                with rec.lock:
                    if not ok:
                        rec.bad.append(body)
                        code = 400
                    else:
                        n = rec.seen.get(ev['id'], 0)
                        rec.seen[ev['id']] = n + 1
                        code = 503 if n == 0 or rec.refuse_all else 204
                        if code == 204:
                            rec.accepted.setdefault(ev['job_id'], []).append(ev)
                self.send_response(code)
                self.send_header('Content-Length', '0')
                self.end_headers()

        self.httpd = ThreadingHTTPServer(('127.0.0.1', 0), H)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.url = f'http://127.0.0.1:{self.port}/hook'
        threading.Thread(target=self.httpd.serve_forever, kwargs={'poll_interval': 0.05}, daemon=True).start()

    def verify(self, ts, sig, body):
        want = 'sha256=' + hmac.new(self.secret, ts.encode() + b'.' + body, hashlib.sha256).hexdigest()
        fresh = ts.isdigit() and abs(time.time() - int(ts)) < 300
        return fresh and hmac.compare_digest(want, sig)

    def attempts(self):
        with self.lock:
            return dict(self.seen)

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


def hook_args(c, rec, *extra):
    secret = os.path.join(c.dir, 'webhook.secret')
    with open(secret, 'w') as f:
        f.write(SECRET + '\n')
    return ('--webhook-secret-file', secret, '--webhook-allow', f'http://127.0.0.1:{rec.port}/',
            '--webhook-retry-backoff', '0.2', '--webhook-retry-backoff-max', '1', '--webhook-timeout', '3') + extra


def lease(api, node):
    st, obj, _ = api.call('POST', f'/v1/nodes/{node}/lease', {'wait': 0})
    assert st == 200, (st, obj)
    return obj


def finish(api, node, job, ok):
    body = {'attempt': job['attempt'], 'status': 'completed' if ok else 'failed'}
    if ok:
        body['report'] = {'json': '{"frames":[],"pooled_metrics":{"vmaf":{"mean":81.25}}}', 'xml': '<x/>', 'csv': 'a\n'}
    else:
        body['error'] = 'reference input: file not found'
    st, obj, _ = api.call('POST', f'/v1/nodes/{node}/jobs/{job["id"]}/result', body)
    assert st == 204, (st, obj)


def test_every_terminal_job_delivered_with_good_signatures(env):
    rec = Receiver()
    try:
        with Cluster(env, 'webhooks-all') as c:
            c.controller(*hook_args(c, rec))
            api = c.api()
            jobs = {}
            for i in range(6):
                jobs[api.submit(REF, DIS, webhook_url=rec.url, labels={'n': str(i)})] = None
            # played node: two complete, two fail; the rest are cancelled
            for want in ('completed', 'completed', 'failed', 'failed'):
                g = lease(api, 'n1')
                finish(api, 'n1', g, want == 'completed')
                jobs[g['id']] = want
            for jid, st in jobs.items():
                if st is None:
                    api.ok('POST', f'/v1/jobs/{jid}/cancel')
                    jobs[jid] = 'cancelled'
            for jid in jobs:
                wait_until(f'job {jid} delivered', lambda: api.job(jid)['webhook']['state'] == 'delivered', timeout=30)
            assert not rec.bad, f'{len(rec.bad)} deliveries with a bad signature'
            for jid, st in jobs.items():
                evs = rec.accepted.get(jid)
                assert evs, f'job {jid} was never delivered'
                ev = evs[0]
                assert ev['state'] == st and ev['type'] == f'job.{st}', ev
                assert ev['links']['job'] == f'/v1/jobs/{jid}', ev['links']
                view = api.job(jid)
                assert view['webhook']['attempts'] >= 2, view['webhook']   # the first was refused
                assert view['webhook']['delivered_at'], view['webhook']
                assert view['webhook']['url'] == rec.url, view['webhook']
                if st == 'completed':
                    assert ev['pooled_metrics'] == {'vmaf': {'mean': 81.25}}, ev
                if st == 'failed':
                    assert 'file not found' in ev['error'], ev
            # one event id per job, the same on every attempt
            assert len(rec.attempts()) == len(jobs), rec.attempts()
            assert SECRET not in c.ctl.text()
            m = c.api().metrics()
            assert f'vmafx_controller_webhook_attempts_total{{outcome="delivered"}} {len(jobs)}' in m, m[-600:]
            assert f'vmafx_controller_webhook_attempts_total{{outcome="retry"}} {len(jobs)}' in m, m[-600:]
            print(f'      {len(jobs)} jobs, {sum(rec.attempts().values())} attempts, 0 bad signatures')
    finally:
        rec.close()


def test_kill9_with_pending_deliveries_then_restart(env):
    rec = Receiver()
    rec.refuse_all = True
    try:
        with Cluster(env, 'webhooks-kill9') as c:
            c.controller(*hook_args(c, rec))
            api = c.api()
            ids = [api.submit(REF, DIS, webhook_url=rec.url) for _ in range(4)]
            for jid in ids:
                api.ok('POST', f'/v1/jobs/{jid}/cancel')
            wait_until('every event attempted at least twice', lambda: len(rec.attempts()) == 4 and
                       min(rec.attempts().values()) >= 2, timeout=30)
            for jid in ids:
                hook = api.job(jid)['webhook']
                assert hook['state'] == 'pending' and hook['last_error'] == 'HTTP 503 from 127.0.0.1:%d' % rec.port, hook
            c.ctl.kill9()
            before = rec.attempts()
            rec.refuse_all = False
            c.controller()
            for jid in ids:
                wait_until(f'job {jid} delivered after the restart',
                           lambda: api.job(jid)['webhook']['state'] == 'delivered', timeout=30)
            after = rec.attempts()
            assert not rec.bad
            assert all(rec.accepted.get(j) for j in ids), rec.accepted.keys()
            # no flood: each event needed one more attempt (two when the kill cut one short)
            extra = {e: after[e] - before.get(e, 0) for e in after}
            assert max(extra.values()) <= 2, extra
            print(f'      attempts before the kill {sorted(before.values())}, after the restart {sorted(extra.values())}')
    finally:
        rec.close()


def test_refused_targets(env):
    rec = Receiver()
    try:
        with Cluster(env, 'webhooks-refused') as c:
            # no allow-list: loopback, link-local and metadata targets are refused at submit
            secret_args = hook_args(c, rec)[:2]
            c.controller(*secret_args)
            api = c.api()
            for url in (rec.url, 'http://localhost:9/x', 'http://169.254.169.254/latest', 'http://[::1]:9/x',
                        'http://0x7f.1:9/x', 'http://[fe80::1]/x', 'http://metadata.google.internal/x',
                        'ftp://example.com/x', 'http://user:pw@example.com/x'):
                st, obj, _ = api.call('POST', '/v1/jobs', {'reference_uri': REF, 'distorted_uri': DIS, 'webhook_url': url})
                assert st == 400 and obj['field'] == 'webhook_url', (url, st, obj)
            c.ctl.stop()
            # allowed explicitly: accepted; then the controller comes back without that
            # permission and the pending delivery is refused and reported on the job
            c.controller(*hook_args(c, rec))
            jid = api.submit(REF, DIS, webhook_url=rec.url)
            c.ctl.stop()
            c.controller(*secret_args)
            api.ok('POST', f'/v1/jobs/{jid}/cancel')
            hook = wait_until('the refusal on the job',
                              lambda: (lambda w: w if w['state'] == 'refused' else None)(api.job(jid)['webhook']))
            assert 'refused' in hook['last_error'] and hook['attempts'] == 0, hook
            assert not rec.attempts(), 'a refused target was contacted'
            c.ctl.stop()
            # without a secret a webhook is refused at submit, and a default URL cannot start
            c.controller('--log-level', 'info')   # (no arguments would repeat the last ones)
            st, obj, _ = api.call('POST', '/v1/jobs', {'reference_uri': REF, 'distorted_uri': DIS,
                                                       'webhook_url': 'https://example.com/x'})
            assert st == 400 and 'secret' in obj['error'], obj
            c.ctl.stop()
            p = c.controller('--webhook-url', 'https://example.com/x', check=False)
            assert p.wait(10) != 0 and 'needs a signing secret' in p.text(), p.tail()
            short = os.path.join(c.dir, 'short.secret')
            with open(short, 'w') as f:
                f.write('tooshort\n')
            p = c.controller('--webhook-secret-file', short, check=False)
            assert p.wait(10) != 0 and 'shorter than 16 bytes' in p.text(), p.tail()
            assert 'tooshort' not in p.text() and SECRET not in p.text()
    finally:
        rec.close()


def test_default_url_and_submit_flag(env):
    rec = Receiver()
    try:
        with Cluster(env, 'webhooks-default') as c:
            c.controller(*hook_args(c, rec, '--webhook-url', rec.url))
            api = c.api()
            jid = api.submit(REF, DIS)
            assert api.job(jid)['webhook']['url'] == rec.url
            api.ok('POST', f'/v1/jobs/{jid}/cancel')
            wait_until('the default webhook delivered', lambda: api.job(jid)['webhook']['state'] == 'delivered',
                       timeout=30)
            # vmafx submit --webhook-url sends it with the job
            from vmafx_testlib import run
            out = run([env.vmafx, 'submit', '--controller', f'http://127.0.0.1:{c.port}', '--webhook-url',
                       rec.url + '?from=cli', '-r', REF, '-d', DIS]).stdout.strip()
            assert api.job(out)['webhook']['url'] == rec.url + '?from=cli'
            p = run([env.vmafx, 'submit', '--controller', f'http://127.0.0.1:{c.port}', '--webhook-url', 'ftp://x/',
                     '-r', REF, '-d', DIS], check=False)
            assert p.returncode == 2 and '--webhook-url' in p.stderr, (p.returncode, p.stderr)
    finally:
        rec.close()


def cases(env):
    """The delivery cases again on the PostgreSQL store (tests/test_controller_pg.py's server)."""
    import test_controller_pg as pg
    for fn in (test_every_terminal_job_delivered_with_good_signatures, test_kill9_with_pending_deliveries_then_restart):
        yield f'pg_{fn.__name__[5:]}', (lambda fn=fn: pg.on_postgres(env, fn))
