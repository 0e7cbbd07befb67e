"""What a new user hit running a controller and a node (issue 16): a second controller on
the same address or the same SQLite file, token errors, node exits, log wording and
timestamps. Each case runs the issue's command and fails on the behaviour it reported."""
import os, re, signal, time
from controller_testlib import (Cluster, Proc, Api, TOKENS, ONE, write_tokens, wait_until, _clean_env,
                                free_port)
from vmafx_testlib import pair_files, run


def _second_controller(c, name, port, db):
    cmd = [c.bin('vmafx-controller'), '--listen', f'127.0.0.1:{port}', '--db', db]
    p = Proc(name, cmd, os.path.join(c.dir, f'{name}.log'), _clean_env(None))
    c.procs.append(p)
    return p


def test_second_controller_on_same_address_refused(env):
    """`vmafx-controller --db x2.db --listen ADDR` beside an authenticated controller on ADDR
    must not start (it used to, and took half of the requests, unauthenticated)."""
    with Cluster(env, 'nu-same-port') as c:
        c.controller('--tokens-file', write_tokens(os.path.join(c.dir, 'tokens')))
        p = _second_controller(c, 'second', c.port, os.path.join(c.dir, 'x2.db'))
        rc = p.wait(10)
        assert rc != 0, f'second controller exited {rc}: {p.text()}'
        assert 'in use' in p.text() and f'127.0.0.1:{c.port}' in p.text(), p.text()
        api = Api(c.port)
        codes = [api.call('GET', '/v1/jobs', token=None)[0] for _ in range(8)]
        assert codes == [401] * 8, codes


def test_second_controller_on_same_database_refused(env):
    """docs/controller.md: one controller per SQLite file. A second one on the same file (on
    another port) is refused at start, naming the file."""
    with Cluster(env, 'nu-same-db') as c:
        c.controller()
        p = _second_controller(c, 'second', free_port(), c.db)
        rc = p.wait(10)
        assert rc != 0, f'second controller exited {rc}: {p.text()}'
        assert c.db in p.text() and 'another vmafx-controller' in p.text(), p.text()
        # the lock goes with the process: a restart on the same file and port works
        assert c.ctl.stop() == 0
        c.controller()
        assert c.ctl.stop() == 0


# ---- item 5: token errors ------------------------------------------------------------------

def test_wrong_token_named_as_such(env):
    """A wrong token is 'token not recognised'; no token is 'a bearer token is required'."""
    with Cluster(env, 'nu-tokens') as c:
        c.controller('--tokens-file', write_tokens(os.path.join(c.dir, 'tokens')))
        api = Api(c.port)
        st, obj, hdr = api.call('GET', '/v1/jobs', token=None)
        assert st == 401 and 'a bearer token is required' in obj['error'], (st, obj)
        st, obj, hdr = api.call('GET', '/v1/jobs', token='wrong-token-0123456789')
        assert st == 401 and 'token not recognised' in obj['error'], (st, obj)
        assert 'invalid_token' in hdr['www-authenticate'], hdr
        p = run([env.vmafx, 'jobs', '--controller', f'http://127.0.0.1:{c.port}', '--token',
                 'wrong-token-0123456789'], check=False)
        assert p.returncode == 1 and 'token not recognised' in p.stderr, p.stderr


def _node_with_token(c, name, token, *args):
    tok = None
    if token is not None:
        tok = os.path.join(c.dir, f'{name}.token')
        with open(tok, 'w') as f:
            f.write(token + '\n')
    return c.node(name, *args, token_file=tok)


def test_node_with_refused_token_exits(env):
    """A node whose token is refused used to retry for ever; after --refused-token-timeout it
    stops with a clear error (exit 1), and the controller's message reaches its log whole:
    redaction hides secrets, not the words 'bearer token' ('a bearer *** is required
    (Authorization: ***')."""
    with Cluster(env, 'nu-node-token') as c:
        c.controller('--tokens-file', write_tokens(os.path.join(c.dir, 'tokens')))
        for name, token, needle in (('wrong', 'wrong-token-0123456789', 'token not recognised'),
                                    ('none', None, 'a bearer token is required (Authorization: Bearer TOKEN)')):
            node = _node_with_token(c, name, token, '--refused-token-timeout', '2')
            rc = node.wait(20)
            text = node.text()
            assert rc == 1, f'node {name} exited {rc}: {text}'
            errors = [l for l in text.splitlines() if 'vmafx-node: error:' in l]
            assert errors and needle in errors[-1] and 'token-file' in errors[-1], text
            assert all(needle in l for l in errors), text      # said while it waits, then at the exit
            assert '***' not in text and 'wrong-token-0123456789' not in text, text
        # a node with the right token keeps working
        node = _node_with_token(c, 'right', TOKENS['node'])
        ref, dis = pair_files(env, ONE)
        jid = c.api(TOKENS['admin']).submit(ref, dis)
        assert c.api(TOKENS['admin']).wait_status(jid, 'completed', timeout=30)['node'] == 'right'
        assert node.stop() == 0


def test_redaction_keeps_words_hides_tokens(env):
    """redact_copy() on log lines: the words of a message stay, token values go."""
    tool = env.bin('tests', 'vmafx-redact')
    lines = {
        'register: controller: a bearer token is required (Authorization: Bearer TOKEN) (HTTP 401)':
            'register: controller: a bearer token is required (Authorization: Bearer TOKEN) (HTTP 401)',
        'token not recognised': 'token not recognised',
        'Authorization: Bearer node-token-0123456789ab': 'Authorization: Bearer ***',
        "curl -H 'Authorization: Bearer abcdefghijklmnopqrstuvwxyz' x": "curl -H 'Authorization: Bearer *** x",
        'Authorization: Basic dXNlcjpwYXNz': 'Authorization: Basic ***',
        'sent Bearer AbCdEf0123456789 to it': 'sent Bearer *** to it',
        'Authorization: Digest username="u", response="r"': 'Authorization: ***',
        'token=abc123': 'token=***',
    }
    p = run([tool], input='\n'.join(lines) + '\n')
    got = p.stdout.splitlines()
    for (line, want), out in zip(lines.items(), got):
        assert out == want, f'{line!r} -> {out!r}, expected {want!r}'
    assert len(got) == len(lines), got


# ---- item 13: log wording and timestamps ---------------------------------------------------------

TIMESTAMP = re.compile(r'^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z (vmafx-controller|vmafx-node): ')


def test_logs_timestamped_worded_and_cancel_named(env):
    """Controller and node log lines start with the time; '1 slot' not '1 slots'; a job
    cancelled while it runs is logged by the node as cancelled, not as 'the controller no
    longer assigns it here'; a refused cancel says 'has failed', not 'is failed'."""
    with Cluster(env, 'nu-logs') as c:
        c.controller()
        ref, dis = pair_files(env, 'testsrc2_320x240_2frames_crf35')
        srv = c.clip_server({'ref.y4m': ref, 'dis.y4m': dis})
        node = c.node('a', '--slots', '1')
        api = c.api()
        jid = api.submit(srv.url('ref.y4m', 600, 20), srv.url('dis.y4m', 600, 20))
        wait_until('the job to run', lambda: (lambda j: j['status'] == 'running' and
                                              j['progress']['frames_done'] > 0)(api.job(jid)), timeout=20)
        api.ok('POST', f'/v1/jobs/{jid}/cancel', {})
        wait_until('the node to stop the job', lambda: f'job {jid} stopped' in node.text(), timeout=10)
        lines = [l for l in node.text().splitlines() if jid in l]
        assert any('cancelled' in l for l in lines), lines
        assert not any('no longer assigns' in l for l in lines), lines
        # a failed job, then a cancel of it
        bad = api.submit(os.path.join(c.dir, 'missing.y4m'), dis)
        api.wait_status(bad, 'failed', timeout=20)
        st, obj, _ = api.call('POST', f'/v1/jobs/{bad}/cancel', {})
        assert st == 409 and f'job {bad} has failed' in obj['error'], (st, obj)
        assert node.stop() == 0 and c.ctl.stop() == 0
        for p in (c.ctl, node):
            text = p.text()
            assert '1 slots' not in text and re.search(r'\b1 slot\b', text), text
            for line in text.splitlines():
                assert TIMESTAMP.match(line), f'{p.name}: no timestamp or program name: {line!r}'


# ---- item 9: the controller's own messages --------------------------------------------------------

def test_controller_messages_prefixed(env):
    """The controller's errors said 'vmafx: error: ...' like the scorer's."""
    with Cluster(env, 'nu-prefix') as c:
        p = run([c.bin('vmafx-controller'), '--listen', '0.0.0.0:1', '--db', c.db], check=False)
        assert p.returncode == 2 and 'vmafx-controller: error: refusing to serve an open API' in p.stderr, p.stderr
        p = run([c.bin('vmafx-controller'), '--bogus'], check=False)
        assert p.returncode == 2 and 'vmafx-controller: error: unknown option --bogus' in p.stderr, p.stderr
        assert 'vmafx: ' not in p.stderr, p.stderr
