"""The holes issue 17's probe found, each with the test that failed before its fix: rclone
connection strings reaching a metadata address, `vmafx score` ignoring its allow-list, a
file-existence oracle, non-finite numbers in models, connection exhaustion of the controller,
/readyz while the store fails, node tokens bound to their name, control characters in
Authorization. Every server is on 127.0.0.1; no traffic leaves loopback (the metadata
addresses are refused before anything connects, and a stand-in rclone proves it)."""
import json, os, socket, sqlite3, stat, subprocess, time

from controller_testlib import ONE, TOKENS, Cluster, wait_until, write_tokens
from vmafx_testlib import pair_files

METADATA_URIS = [
    ":http,url='http://169.254.169.254/':latest/meta-data",
    ':http,url="http://2852039166/":latest',
    'rclone://:http,url=%27http%3A%2F%2F169.254.169.254%2F%27:latest',
    ':http,url=http://169.254.169.254/:latest',
    's3,endpoint=http://169.254.169.254:bucket/a.y4m',
    ':sftp,host=169.254.169.254:a.y4m',
    ":webdav,url='http://[fd00:ec2::254]/':a.y4m",
]


def _fake_rclone(d):
    """A stand-in rclone that records every command line and fails: any start for a refused
    URI shows in its log."""
    bindir = os.path.join(d, 'bin')
    os.makedirs(bindir, exist_ok=True)
    log = os.path.join(d, 'rclone-args.log')
    path = os.path.join(bindir, 'rclone')
    with open(path, 'w') as f:
        f.write(f'#!/bin/sh\nprintf "%s\\n" "$*" >> "{log}"\necho "stand-in rclone: refusing to run" >&2\nexit 1\n')
    os.chmod(path, stat.S_IRWXU)
    open(log, 'w').close()
    return bindir, log


def _refused_address(msg):
    # an unquoted url= ends at its first colon, so it is refused before its host is judged
    return any(w in msg for w in ('metadata addresses are refused', 'is not an absolute URL', 'must be quoted'))


def _assert_never_started(log):
    with open(log) as f:
        text = f.read()
    for needle in ('169.254', 'fd00:ec2', 'url=', 'endpoint='):
        if needle in text:
            raise AssertionError(f'rclone was started for a refused URI: {text[-500:]}')


def test_security_connection_strings_refused_at_submit(env):
    with Cluster(env, 'sec-connstr-submit') as c:
        c.controller()
        api = c.api()
        ref, _ = pair_files(env, ONE)
        for uri in METADATA_URIS + [':local:/etc/passwd', 's3,region=x:bucket/a.y4m']:
            st, obj, _ = api.call('POST', '/v1/jobs', {'reference_uri': uri, 'distorted_uri': ref})
            assert st == 400 and obj['field'] == 'reference_uri', (uri, st, obj)
            assert 'on-the-fly remotes and connection-string parameters are refused' in obj['error'], (uri, obj)
        # a plain configured remote is still a remote
        assert api.call('POST', '/v1/jobs', {'reference_uri': 's3://b/a.y4m', 'distorted_uri': ref})[0] == 201
        assert c.ctl.stop() == 0
        # the operator's opt-in: connection strings pass, but no address parameter may name a
        # metadata address, and sftp:// hosts follow the same rule
        c.controller('--storage-connection-strings', 'allow')
        for uri in METADATA_URIS + ['sftp://u@169.254.169.254/a.y4m']:
            st, obj, _ = api.call('POST', '/v1/jobs', {'reference_uri': uri, 'distorted_uri': ref})
            assert st == 400 and _refused_address(obj['error']), (uri, st, obj)
        assert api.call('POST', '/v1/jobs', {'reference_uri': ":http,url='http://127.0.0.1:9/':a.y4m",
                                             'distorted_uri': ref})[0] == 201
        assert c.ctl.stop() == 0


def _plant(c, jid, placeholder, uri):
    """Puts uri into a stored job, as if an older or laxer controller had accepted it: what
    the node's own validation must catch."""
    db = sqlite3.connect(c.db, timeout=10)
    with db:
        n = db.execute('UPDATE jobs SET spec = replace(spec, ?, ?) WHERE id = ?',
                       (json.dumps(placeholder)[1:-1], json.dumps(uri)[1:-1], jid)).rowcount
    db.close()
    assert n == 1, f'job {jid} not found in {c.db}'


def test_security_connection_strings_refused_by_node(env):
    with Cluster(env, 'sec-connstr-node') as c:
        bindir, log = _fake_rclone(c.dir)
        c.controller()
        api = c.api()
        ref, dis = pair_files(env, ONE)
        placeholder = os.path.join(c.dir, 'placeholder.y4m')
        jobs = []
        for uri in METADATA_URIS:
            jid = api.submit(placeholder, dis)
            _plant(c, jid, placeholder, uri)
            jobs.append(jid)
        path = bindir + ':' + os.environ.get('PATH', '/usr/bin:/bin')
        node = c.node('strict', env={'PATH': path})
        for jid in jobs:
            j = api.wait_status(jid, ('completed', 'failed'), timeout=30)
            assert j['status'] == 'failed' and 'connection-string parameters are refused' in j['error'], j
        assert node.stop() == 0
        _assert_never_started(log)
        # with the opt-in, the node still refuses every metadata address the string carries
        jobs = []
        for uri in METADATA_URIS:
            jid = api.submit(placeholder, dis)
            _plant(c, jid, placeholder, uri)
            jobs.append(jid)
        node = c.node('optin', env={'PATH': path, 'VMAFX_STORAGE_CONNECTION_STRINGS': 'allow'})
        for jid in jobs:
            j = api.wait_status(jid, ('completed', 'failed'), timeout=30)
            assert j['status'] == 'failed' and _refused_address(j['error']), j
        assert node.stop() == 0
        _assert_never_started(log)


def _score(env, *args, extra_env=None):
    e = {k: v for k, v in os.environ.items() if not k.startswith('VMAFX_')}
    e.update(extra_env or {})
    return subprocess.run([env.vmafx, 'score', '-q', '--json', '-o', '/dev/null', *args], capture_output=True,
                          text=True, timeout=120, env=e)


def _media_tree(env, name):
    """root/{ref,dis}.y4m inside the allowed root, outside.y4m beside it, root/escape.y4m a link
    out of the root, root/dangling.y4m a link to a missing file outside."""
    base = os.path.join(env.scratch, name)
    root = os.path.join(base, 'media')
    os.makedirs(root, exist_ok=True)
    ref, dis = pair_files(env, ONE)
    for src, dst in ((ref, os.path.join(root, 'ref.y4m')), (dis, os.path.join(root, 'dis.y4m')),
                     (ref, os.path.join(base, 'outside.y4m'))):
        with open(src, 'rb') as f, open(dst, 'wb') as g:
            g.write(f.read())
    for link, target in (('escape.y4m', os.path.join(base, 'outside.y4m')),
                         ('dangling.y4m', os.path.join(base, 'missing.y4m'))):
        p = os.path.join(root, link)
        if not os.path.lexists(p):
            os.symlink(target, p)
    return base, root


def test_security_score_applies_its_allow_list(env):
    base, root = _media_tree(env, 'sec-score-allow')
    dis = os.path.join(root, 'dis.y4m')
    ok = _score(env, '--storage-allow', root, '-r', os.path.join(root, 'ref.y4m'), '-d', dis)
    assert ok.returncode == 0, ok.stderr
    outside = [os.path.join(base, 'outside.y4m'), os.path.join(root, 'escape.y4m'),
               os.path.join(root, '..', 'outside.y4m'), 'http://127.0.0.1:9/a.y4m']
    for ref in outside:
        p = _score(env, '--storage-allow', root, '-r', ref, '-d', dis)
        assert p.returncode != 0 and 'not under an allowed scoring root' in p.stderr, (ref, p.returncode, p.stderr)
    p = _score(env, '-r', os.path.join(base, 'outside.y4m'), '-d', dis, extra_env={'VMAFX_STORAGE_ALLOW': root})
    assert p.returncode != 0 and 'not under an allowed scoring root' in p.stderr, p.stderr
    # a redirect out of an allowed URL prefix is refused (both servers on loopback)
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    class Redirect(BaseHTTPRequestHandler):
        def log_message(self, *a):
            pass

        def do_HEAD(self):
            self.send_response(302)
            self.send_header('Location', 'http://127.0.0.2:9/elsewhere.y4m')
            self.end_headers()
        do_GET = do_HEAD

    srv = ThreadingHTTPServer(('127.0.0.1', 0), Redirect)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    try:
        allowed = f'http://127.0.0.1:{srv.server_port}/'
        p = _score(env, '--storage-allow', f'{root},{allowed}', '-r', allowed + 'a.y4m', '-d', dis)
        assert p.returncode != 0 and 'redirect refused' in p.stderr, p.stderr
    finally:
        srv.shutdown()
        srv.server_close()


def test_security_no_file_existence_oracle(env):
    """Outside the roots, a missing and an existing file get the same answer, and so do the
    targets of links leading out of a root."""
    base, root = _media_tree(env, 'sec-oracle')
    dis = os.path.join(root, 'dis.y4m')
    answers = set()
    for ref in ('/etc/passwd', '/etc/no-such-file-here', os.path.join(base, 'outside.y4m'),
                os.path.join(base, 'missing.y4m'), os.path.join(root, 'escape.y4m'),
                os.path.join(root, 'dangling.y4m'), os.path.join(root, '..', 'missing.y4m')):
        p = _score(env, '--storage-allow', root, '-r', ref, '-d', dis)
        assert p.returncode != 0, ref
        answers.add(p.stderr.replace(ref, 'INPUT').strip())
    assert len(answers) == 1 and 'not under an allowed scoring root' in answers.pop(), answers
    # inside a root, a missing file is named as such
    p = _score(env, '--storage-allow', root, '-r', os.path.join(root, 'nope.y4m'), '-d', dis)
    assert p.returncode != 0 and 'file not found' in p.stderr, p.stderr


def _model_variant(env, name, change):
    src = os.path.join(env.shared, 'models', 'vmaf_v0.6.1.json')
    with open(src) as f:
        m = json.load(f)
    change(m['model_dict'])
    path = os.path.join(env.scratch, name)
    with open(path, 'w') as f:
        json.dump(m, f)
    return path


def _sv_value(d, sv, index, value):
    lines = d['model'].split('\n')
    row = lines.index('SV') + sv
    parts = lines[row].split()
    parts = [f'{index}:{value}' if p.startswith(f'{index}:') else p for p in parts]
    lines[row] = ' '.join(parts)
    d['model'] = '\n'.join(lines)


def test_security_non_finite_models_refused(env):
    ref, dis = pair_files(env, ONE)
    cases = [
        ('sv-nan.json', lambda d: _sv_value(d, 2, 2, 'nan'), 'support vector 2, feature 2: not a finite number'),
        ('sv-inf.json', lambda d: _sv_value(d, 3, 1, '-inf'), 'support vector 3, feature 1: not a finite number'),
        ('coef-nan.json', lambda d: d.update(model=d['model'].replace('\n-4 1:', '\nnan 1:', 1)),
         'support vector 1, coefficient: not a finite number'),
        ('gamma-inf.json', lambda d: d.update(model=d['model'].replace('gamma 0.04', 'gamma inf')),
         'gamma: not a finite number'),
        ('opt-nan.json', lambda d: d.update(feature_opts_dicts=[{'adm_enhn_gain_limit': 'nan'}]),
         'not a finite number'),
    ]
    for name, change, want in cases:
        path = _model_variant(env, name, change)
        p = _score(env, '-r', ref, '-d', dis, '-m', f'path={path}')
        assert p.returncode != 0, f'{name}: exit 0: {p.stdout[-300:]}'
        assert f'model file {path}' in p.stderr and want in p.stderr, f'{name}: {p.stderr}'


def test_security_never_exit_0_with_non_finite_score(env):
    """A model of finite numbers can still overflow (here a score slope of 5e-324): no exit 0
    and no report with a non-finite score."""
    ref, dis = pair_files(env, ONE)

    def tiny_slope(d):
        d['slopes'][0], d['intercepts'][0] = 5e-324, 0

    path = _model_variant(env, 'overflow.json', tiny_slope)
    out = os.path.join(env.scratch, 'overflow-report.json')
    if os.path.exists(out):
        os.unlink(out)
    e = {k: v for k, v in os.environ.items() if not k.startswith('VMAFX_')}
    p = subprocess.run([env.vmafx, 'score', '-q', '-r', ref, '-d', dis, '-m', f'path={path}:disable_clip=true',
                        '--json', '-o', out], capture_output=True, text=True, timeout=120, env=e)
    assert p.returncode != 0 and 'not a finite number' in p.stderr, (p.returncode, p.stderr)
    assert not os.path.exists(out), 'a report with a non-finite score was written'


def _idle_conns(port, count, source='127.0.0.1'):
    out = []
    for _ in range(count):
        s = socket.socket()
        s.bind((source, 0))
        s.settimeout(5)
        s.connect(('127.0.0.1', port))
        out.append(s)
    return out


def _closed_by_server(s, within, request=b''):
    """True when the server closes s (EOF or reset) within `within` seconds, after `request` is
    sent on it without an answer."""
    s.settimeout(within)
    try:
        if request:
            s.sendall(request)
        return s.recv(1) == b''
    except (ConnectionResetError, BrokenPipeError):
        return True
    except socket.timeout:
        return False


def _refused(s, within):
    """True when the server closes s without answering a request sent on it. A connection the
    server took would be answered at once, so this tells a connection refused over a cap from one
    closed later as idle, however long a loaded host takes to get to it."""
    return _closed_by_server(s, within, b'GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n')


def _healthz_from(port, source):
    s = socket.socket()
    s.bind((source, 0))
    s.settimeout(5)
    try:
        s.connect(('127.0.0.1', port))
        s.sendall(b'GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')
        data = b''
        while not data.startswith(b'HTTP/1.1 200') and b'\r\n\r\n' not in data:
            chunk = s.recv(4096)
            if not chunk:
                break
            data += chunk
        return data.startswith(b'HTTP/1.1 200')
    except OSError:
        return False
    finally:
        s.close()


def test_security_connection_exhaustion(env):
    """One client holding idle connections (more than its cap, and as many as the whole limit)
    neither locks out other clients nor keeps its connections past the timeout. A bounded
    count of loopback sockets: 40."""
    with Cluster(env, 'sec-conns') as c:
        c.controller('--max-connections', '32', '--max-connections-per-client', '8', '--connection-timeout', '2')
        idle = _idle_conns(c.port, 40)
        try:
            # beyond its cap, the client's connections are closed unanswered (not served, not kept
            # until the idle timeout: a request sent on one would be answered at once)
            refused = sum(1 for s in idle[8:] if _refused(s, 5.0))
            assert refused == 32, f'{refused} of 32 connections over the per-client cap were closed unanswered'
            # another client (127.0.0.2 is loopback too) is answered meanwhile
            assert _healthz_from(c.port, '127.0.0.2'), '/healthz unanswered while one client holds its cap'
            # idle and incomplete requests are closed after the timeout (2 s from their last bytes)
            t0 = time.monotonic()
            idle[0].sendall(b'GET /healthz HTTP/1.1\r\nHost: x\r\n')   # headers never finished
            closed = sum(1 for s in idle[:8] if _closed_by_server(s, 6.0))
            elapsed = time.monotonic() - t0
            assert closed == 8 and elapsed < 6, f'{closed} of 8 idle connections closed in {elapsed:.1f}s'
            assert _healthz_from(c.port, '127.0.0.1'), 'the client is not answered after its connections closed'
        finally:
            for s in idle:
                s.close()
        # a node's long poll for work (longer than the timeout) is not idle: it is answered
        api = c.api()
        t0 = time.monotonic()
        st, _, _ = api.call('POST', '/v1/nodes/n1/lease', {'wait': 4}, timeout=15)
        assert st == 204 and time.monotonic() - t0 >= 3.5, (st, time.monotonic() - t0)
        assert c.ctl.stop() == 0


def test_security_probes_answered_when_connections_are_taken(env):
    """Many clients (here: one, without a per-client cap) hold every connection of the API
    address; the probe address still answers /healthz and /readyz, and nothing else."""
    from controller_testlib import Api, free_port
    with Cluster(env, 'sec-probe') as c:
        probe = free_port()
        c.controller('--max-connections', '8', '--max-connections-per-client', '0', '--connection-timeout', '30',
                     '--probe-listen', f'127.0.0.1:{probe}')
        idle = _idle_conns(c.port, 8)
        try:
            time.sleep(0.3)
            assert not _healthz_from(c.port, '127.0.0.2'), 'the API address was not exhausted: the test proves nothing'
            p = Api(probe)
            for path in ('/healthz', '/readyz'):
                st, _, _ = p.call('GET', path, token=None, timeout=5)
                assert st == 200, (path, st)
            st, body, _ = p.call('GET', '/metrics', token=None, raw=True, timeout=5)
            assert st == 200 and b'vmafx_' in body, st
            assert p.call('GET', '/v1/jobs', token=None, timeout=5)[0] == 404
            assert p.call('POST', '/v1/jobs', {}, token=None, timeout=5)[0] == 404
        finally:
            for s in idle:
                s.close()
        assert c.ctl.stop() == 0


def test_security_readyz_follows_store_writes(env):
    """/readyz goes unready while writes to the store fail (here: a file size limit put on
    the running controller, as a full disk would) and ready again when they succeed."""
    import resource
    with Cluster(env, 'sec-readyz') as c:
        ctl = c.controller()
        api = c.api()
        ref, dis = pair_files(env, ONE)
        api.submit(ref, dis)
        assert api.call('GET', '/readyz', token=None)[0] == 200
        hard = resource.prlimit(ctl.pid, resource.RLIMIT_FSIZE)[1]
        resource.prlimit(ctl.pid, resource.RLIMIT_FSIZE, (1, hard))
        try:
            wait_until('/readyz to say 503', lambda: api.call('GET', '/readyz', token=None)[0] == 503, timeout=5)
            st, obj, _ = api.call('POST', '/v1/jobs', {'reference_uri': ref, 'distorted_uri': dis})
            assert st == 503, (st, obj)
            assert api.call('GET', '/healthz', token=None)[0] == 200   # alive, only not ready
        finally:
            resource.prlimit(ctl.pid, resource.RLIMIT_FSIZE, (hard, hard))
        wait_until('/readyz to say 200 again', lambda: api.call('GET', '/readyz', token=None)[0] == 200, timeout=5)
        assert api.call('POST', '/v1/jobs', {'reference_uri': ref, 'distorted_uri': dis})[0] == 201
        assert c.ctl.stop() == 0


def _raw_request(port, head):
    s = socket.create_connection(('127.0.0.1', port), timeout=5)
    try:
        s.sendall(head)
        data = b''
        while b'\r\n\r\n' not in data:
            chunk = s.recv(4096)
            if not chunk:
                break
            data += chunk
        return int(data.split(b' ', 2)[1]) if data.startswith(b'HTTP/') else None
    finally:
        s.close()


def test_security_node_token_bound_to_its_name(env):
    with Cluster(env, 'sec-bind') as c:
        tokens = os.path.join(c.dir, 'tokens')
        with open(tokens, 'w') as f:
            f.write('node-token-for-alpha-0001 node alpha\n'
                    'node-token-for-pool-00002 node pool-*\n'
                    'node-token-any-node-00003 node\n'
                    f'{TOKENS["admin"]} admin admin\n')
        c.controller('--tokens-file', tokens)
        api = c.api()

        def lease(node, tok):
            return api.call('POST', f'/v1/nodes/{node}/lease', {'wait': 0}, token=tok)[0]

        assert lease('alpha', 'node-token-for-alpha-0001') == 204
        assert lease('beta', 'node-token-for-alpha-0001') == 403
        assert api.call('POST', '/v1/nodes/beta/heartbeat', {'jobs': []}, token='node-token-for-alpha-0001')[0] == 403
        assert lease('pool-7f9c', 'node-token-for-pool-00002') == 204
        assert lease('alpha', 'node-token-for-pool-00002') == 403
        assert lease('anything', 'node-token-any-node-00003') == 204   # no name: not bound
        assert lease('anything', TOKENS['admin']) == 204                # admin: every node
        assert c.ctl.stop() == 0


def test_security_authorization_control_characters_refused(env):
    with Cluster(env, 'sec-ctl-chars') as c:
        tokens = write_tokens(os.path.join(c.dir, 'tokens'))
        c.controller('--tokens-file', tokens)
        tok = TOKENS['reader'].encode()
        ok = _raw_request(c.port, b'GET /v1/jobs HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ' + tok +
                          b'\r\nConnection: close\r\n\r\n')
        assert ok == 200, ok
        for junk in (b'\x00garbage', b'\x01', b'\x7f', b'\x1b[2J'):
            st = _raw_request(c.port, b'GET /v1/jobs HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ' + tok + junk +
                              b'\r\nConnection: close\r\n\r\n')
            assert st in (400, None), f'Authorization with {junk!r} answered {st}'
            # the same as the last header line
            st = _raw_request(c.port, b'GET /v1/jobs HTTP/1.1\r\nHost: x\r\nConnection: close\r\n'
                              b'Authorization: Bearer ' + tok + junk + b'\r\n\r\n')
            assert st in (400, None), f'Authorization (last) with {junk!r} answered {st}'
        # what is not hidden behind a NUL still passes: trailing blanks, bare LF line ends
        for head in (b'GET /v1/jobs HTTP/1.1\r\nAuthorization: Bearer ' + tok + b'  \r\nHost: x\r\n'
                     b'Connection: close\r\n\r\n',
                     b'GET /v1/jobs HTTP/1.1\nAuthorization: Bearer ' + tok + b'\nHost: x\nConnection: close\n\n',
                     b'GET /v1/jobs HTTP/1.1\nHost: x\nConnection: close\nAuthorization: Bearer ' + tok + b'\n\n'):
            assert _raw_request(c.port, head) == 200, head
        assert c.ctl.stop() == 0


def test_security_node_gives_no_file_existence_oracle(env):
    """The probe's case on a node: with an allow-list, /etc/passwd (exists) and a missing file
    outside the roots fail their jobs with the same message."""
    base, root = _media_tree(env, 'sec-oracle-node')
    dis = os.path.join(root, 'dis.y4m')
    with Cluster(env, 'sec-oracle-node') as c:
        c.controller()
        api = c.api()
        refs = ['/etc/passwd', '/etc/no-such-file-here', os.path.join(root, 'dangling.y4m')]
        jobs = [api.submit(ref, dis) for ref in refs]
        node = c.node('a', env={'VMAFX_STORAGE_ALLOW': root})
        errors = set()
        for ref, jid in zip(refs, jobs):
            j = api.wait_status(jid, ('completed', 'failed'), timeout=30)
            assert j['status'] == 'failed', j
            errors.add(j['error'].replace(ref, 'INPUT'))
        assert len(errors) == 1 and 'not under an allowed scoring root' in errors.pop(), errors
        assert node.stop() == 0
