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
