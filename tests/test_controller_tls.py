"""The controller over HTTPS (libmicrohttpd with GnuTLS): --tls-cert/--tls-key (and their
environment variables), the node and the client commands verifying it with a CA file
(--controller-ca-file). A CA and certificates are made with openssl in the test; everything
listens on 127.0.0.1. A wrong CA, a certificate for another name and the system's trust store
(which does not know the test CA) are all refused; plain HTTP to the HTTPS port gets nothing."""
import http.client, os, ssl, subprocess

from controller_testlib import ONE, Cluster
from vmafx_testlib import Skip, pair_files


def _openssl(*args, cwd):
    subprocess.run(['openssl', *args], cwd=cwd, check=True, capture_output=True, timeout=60)


def _ca(d, name):
    _openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', f'/CN={name}',
             '-keyout', f'{name}.key', '-out', f'{name}.pem', cwd=d)
    return os.path.join(d, f'{name}.pem')


def _cert(d, ca, name, san):
    with open(os.path.join(d, f'{name}.ext'), 'w') as f:
        f.write(f'subjectAltName={san}\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\n'
                'extendedKeyUsage=serverAuth\n')
    _openssl('req', '-newkey', 'rsa:2048', '-nodes', '-subj', f'/CN={name}', '-keyout', f'{name}.key',
             '-out', f'{name}.csr', cwd=d)
    _openssl('x509', '-req', '-in', f'{name}.csr', '-CA', f'{ca}.pem', '-CAkey', f'{ca}.key', '-CAcreateserial',
             '-days', '2', '-extfile', f'{name}.ext', '-out', f'{name}.pem', cwd=d)
    return os.path.join(d, f'{name}.pem'), os.path.join(d, f'{name}.key')


def _pki(c):
    d = os.path.join(c.dir, 'pki')
    os.makedirs(d, exist_ok=True)
    if not shutil_which('openssl'):
        raise Skip('openssl is not installed')
    ca = _ca(d, 'test-ca')
    other_ca = _ca(d, 'other-ca')
    cert, key = _cert(d, 'test-ca', 'server', 'IP:127.0.0.1,DNS:localhost')
    wrong_name = _cert(d, 'test-ca', 'elsewhere', 'DNS:elsewhere.example')
    return ca, other_ca, (cert, key), wrong_name


def shutil_which(name):
    import shutil
    return shutil.which(name)


def _client(env, c, *args, ca=None):
    e = {k: v for k, v in os.environ.items() if not k.startswith('VMAFX_')}
    cmd = [env.vmafx, 'jobs', '--json', '--controller', f'https://127.0.0.1:{c.port}', *args]
    if ca:
        cmd += ['--controller-ca-file', ca]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=60, env=e)


def test_controller_tls(env):
    with Cluster(env, 'tls') as c:
        ca, other_ca, (cert, key), (wrong_cert, wrong_key) = _pki(c)
        # the environment variables, as a Kubernetes Secret mounted as files would be used
        c.controller(env={'VMAFX_TLS_CERT': cert, 'VMAFX_TLS_KEY': key}, check=False)
        ctx = ssl.create_default_context(cafile=ca)

        def healthy():
            try:
                h = http.client.HTTPSConnection('127.0.0.1', c.port, context=ctx, timeout=2)
                h.request('GET', '/healthz')
                return h.getresponse().status == 200
            except OSError:
                return False
        from controller_testlib import wait_until
        wait_until('the controller to answer /healthz over HTTPS', healthy, timeout=15)
        assert 'listening on https://' in c.ctl.text(), c.ctl.tail()
        # plain HTTP to the HTTPS port is not answered as HTTP
        try:
            h = http.client.HTTPConnection('127.0.0.1', c.port, timeout=3)
            h.request('GET', '/healthz')
            st = h.getresponse().status
        except (OSError, http.client.HTTPException):
            st = None
        assert st != 200, 'plain HTTP was answered on the HTTPS port'
        # the client commands: the right CA passes; a wrong CA and the system store are refused
        p = _client(env, c, ca=ca)
        assert p.returncode == 0 and '"jobs"' in p.stdout, p.stderr
        for args in ({'ca': other_ca}, {}):
            p = _client(env, c, **args)
            assert p.returncode != 0 and 'failed verification' in p.stderr, (args, p.returncode, p.stderr)
        # a node verifying with the CA scores a job over HTTPS; one with a wrong CA never leases it
        ref, dis = pair_files(env, ONE)
        bad = c.node('wrong-ca', '--controller', f'https://127.0.0.1:{c.port}',
                     env={'VMAFX_CONTROLLER_CA_FILE': other_ca})
        e = {k: v for k, v in os.environ.items() if not k.startswith('VMAFX_')}
        sub = subprocess.run([env.vmafx, 'submit', '-r', ref, '-d', dis, '--controller', f'https://127.0.0.1:{c.port}',
                              '--controller-ca-file', ca], capture_output=True, text=True, timeout=60, env=e)
        assert sub.returncode == 0, sub.stderr
        jid = sub.stdout.strip().split()[-1]
        wait_until('the wrong-CA node to log the refusal', lambda: 'failed verification' in bad.text(), timeout=15)
        assert bad.stop() == 0
        good = c.node('right-ca', '--controller', f'https://127.0.0.1:{c.port}', '--controller-ca-file', ca)
        wait = subprocess.run([env.vmafx, 'wait', jid, '-q', '--timeout', '60', '--controller',
                               f'https://127.0.0.1:{c.port}', '--controller-ca-file', ca],
                              capture_output=True, text=True, timeout=90, env=e)
        assert wait.returncode == 0, (wait.stdout, wait.stderr, good.tail())
        assert good.stop() == 0
        assert c.ctl.stop() == 0
        # a certificate for another name: refused although it chains to the right CA
        started = c.ctl.text().count('listening on https://')   # the log is appended across restarts
        c.controller('--tls-cert', wrong_cert, '--tls-key', wrong_key, check=False)
        wait_until('the controller to listen',
                   lambda: c.ctl.text().count('listening on https://') > started, timeout=15)
        p = _client(env, c, ca=ca)
        assert p.returncode != 0 and 'failed verification' in p.stderr, p.stderr
        assert c.ctl.stop() == 0
        # a key that does not match its certificate, or one of the pair alone: refused at start
        for args in (['--tls-cert', cert, '--tls-key', wrong_key], ['--tls-cert', cert]):
            ctl = c.controller(*args, check=False)
            assert ctl.wait(15) != 0, args
            assert 'tls' in ctl.text().lower() or 'https' in ctl.text().lower(), ctl.tail()
