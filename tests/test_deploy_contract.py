"""The chart's contract with the programs: vmafx-controller and vmafx-node started with exactly
the environment, arguments and files the rendered manifests give their pods, and a pair
scored through them from an rclone remote defined in the rendered rclone.conf.

What differs from a cluster, and nothing else: the pods' files (Secret volumes, emptyDirs, the
claim) live under a temp folder instead of /, so /etc/vmafx/... becomes TMP/etc/vmafx/...; the
controller's container port becomes a free port; the controller Service's DNS name becomes
127.0.0.1; the images' programs (/usr/local/bin/...) are this build's. Each substitution is
written to the test's log folder (substitutions.txt). The helm test hook runs the same way:
its container's command and args as rendered, the pod IP 127.0.0.1, its serving port a free
one, this build's vmafx first on PATH. With controller.tls the Secret the chart names is made
here with openssl (a CA, and a certificate for 127.0.0.1 and the Service's names)."""
import json, os, re, shutil, signal, ssl

from controller_testlib import Api, Proc, free_port, metric, wait_until, without_fps
from deploy.deploylib import Pod, dockerfile, render, which
from test_controller_tls import _ca, _cert
from vmafx_testlib import Skip, pair_files, run

PAIR = 'testsrc2_320x240_2frames_crf35'
CONTROLLER, NODE = 'vmafx-controller', 'vmafx-node'
TLS_SECRET = 'vmafx-controller-tls'


def scratch(env, name):
    d = os.path.join(env.scratch, 'deploy', name)
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(d)
    return d


class PodProcess:
    """A rendered pod's container as a process on this machine."""

    def __init__(self, env, rendered, deployment, image, pod_name, root, service_map, port_map):
        self.pod = Pod(rendered, deployment, pod_name)
        self.paths = self.pod.materialize(root)
        entry, image_env = dockerfile(image)
        self.subst = []
        # the programs of the image are this build's; a container's command replaces ENTRYPOINT
        entry = self.pod.c.get('command', entry)
        self.cmd = [self.program(env, a) for a in entry] + [str(a) for a in self.pod.c.get('args', [])]
        e = dict(image_env)
        e.update(self.pod.env())
        self.env = {k: self.rewrite(k, v, service_map, port_map) for k, v in e.items()}
        self.env['PATH'] = os.environ['PATH']
        self.env['HOME'] = self.paths.get('/tmp', root)

    def program(self, env, path):
        m = re.fullmatch(r'/usr/local/bin/(vmafx[-\w]*)', path)
        if not m:
            return path
        local = env.bin('src', 'cli', m.group(1))
        assert os.access(local, os.X_OK), f'{local} is missing'
        self.subst.append(f'{path} -> {local}')
        return local

    def rewrite(self, name, value, service_map, port_map):
        new = value
        # the pod's mounts, longest mount path first
        for mount in sorted(self.paths, key=len, reverse=True):
            if new == mount or new.startswith(mount.rstrip('/') + '/'):
                new = self.paths[mount] + new[len(mount):]
                break
        if new == '/usr/local/bin/rclone':
            new = which('rclone')
        for host, repl in service_map.items():
            new = new.replace(host, repl)
        for cport, hport in port_map.items():
            new = re.sub(rf'^(0\.0\.0\.0|\[::\]|):{cport}$', rf'\g<1>:{hport}', new)
        if new != value:
            self.subst.append(f'{name}: {value} -> {new}')
        return new

    def start(self, name, log_dir):
        with open(os.path.join(log_dir, 'substitutions.txt'), 'a') as f:
            f.write(f'[{name}]\n' + '\n'.join(self.subst) + '\n')
        with open(os.path.join(log_dir, f'{name}.env'), 'w') as f:
            json.dump({'cmd': self.cmd, 'env': self.env}, f, indent=1)
        return Proc(name, self.cmd, os.path.join(log_dir, f'{name}.log'), self.env)


def rclone_children(pid):
    """Command lines of the rclone processes under pid (its process groups included)."""
    out = []
    for d in os.listdir('/proc'):
        if not d.isdigit():
            continue
        try:
            stat = open(f'/proc/{d}/stat').read()
            ppid = int(stat[stat.rindex(')') + 2:].split()[1])
            cmd = open(f'/proc/{d}/cmdline', 'rb').read().split(b'\0')
        except OSError:
            continue
        if ppid == pid and cmd and os.path.basename(cmd[0].decode()) == 'rclone':
            out.append([c.decode() for c in cmd if c])
    return out


def make_tls_secret(d):
    """A CA and a server certificate for 127.0.0.1 and the controller Service's names, as the
    kubernetes.io/tls Secret a cert-manager Certificate makes (tls.crt, tls.key, ca.crt)."""
    if not shutil.which('openssl'):
        raise Skip('openssl is not installed')
    pki = os.path.join(d, 'pki')
    os.makedirs(pki)
    ca = _ca(pki, 'vmafx-ca')
    san = ','.join(['IP:127.0.0.1'] + [f'DNS:{CONTROLLER}{s}' for s in ('', '.default', '.default.svc',
                                                                        '.default.svc.cluster.local')])
    cert, key = _cert(pki, 'vmafx-ca', 'controller', san)
    return {'tls.crt': open(cert).read(), 'tls.key': open(key).read(), 'ca.crt': open(ca).read()}


def score_through_release(env, name, extra_values, check_storage, tls=False, hook=False):
    d = scratch(env, f'contract-{name}')
    ref, dis = pair_files(env, PAIR)
    conf = os.path.join(d, 'rclone.conf')
    with open(conf, 'w') as f:
        f.write('[media]\ntype = local\n')
    # the seed's values, plus the case's
    r = render('--set-file', f'storage.rclone.config={conf}', '--set', 'storage.mode=http-serve',
               '--set', 'node.enabled=true', *extra_values)
    ctx = None
    if tls:
        r.external[TLS_SECRET] = make_tls_secret(d)
        ctx = ssl.create_default_context(cafile=os.path.join(d, 'pki', 'vmafx-ca.pem'))
    port = free_port()
    svc = r.get('Service', CONTROLLER)['spec']['ports'][0]
    scheme = 'https' if tls else 'http'
    service_map = {f'{scheme}://{CONTROLLER}:{svc["port"]}': f'{scheme}://127.0.0.1:{port}'}
    ctl_pod = Pod(r, CONTROLLER, 'x')
    api_cport, probe_cport = ctl_pod.port('http'), ctl_pod.probe('readinessProbe')[1]
    # the probes: on the API port, or (TLS) on a plain-HTTP port of their own
    probe_port = port if probe_cport == api_cport else free_port()
    procs = []
    try:
        ctl = PodProcess(env, r, CONTROLLER, 'controller', f'{CONTROLLER}-6b7c9-k2x4p',
                         os.path.join(d, 'controller-root'), service_map,
                         {api_cport: port, probe_cport: probe_port})
        cp = ctl.start('controller', d)
        procs.append(cp)
        api = Api(probe_port)     # plain HTTP: /healthz, /readyz, /metrics
        for probe in ('livenessProbe', 'readinessProbe'):
            path = ctl.pod.probe(probe)[0]
            wait_until(f'the controller to answer {path}', lambda: _get(cp, api, path) == 200, timeout=20)
        if tls:
            assert 'listening on https://' in cp.text(), cp.tail()
            assert _get(cp, Api(port, ssl_context=ctx), '/readyz') == 200
        node = PodProcess(env, r, NODE, 'node', f'{NODE}-5d4f8-q9w7z', os.path.join(d, 'node-root'),
                          service_map, {})
        np_ = node.start('node', d)
        procs.append(np_)
        wait_until('the node to register',
                   lambda: _alive(np_) and metric(api.metrics(), 'vmafx_controller_nodes_live') == 1, timeout=20)

        # a token as a user would get it: the rendered Secret's admin-token
        admin = Api(port, r.secret_data('vmafx-auth')['admin-token'], ssl_context=ctx)
        st, body, _ = Api(port, None, ssl_context=ctx).call('POST', '/v1/jobs', {'reference_uri': 'media:' + ref,
                                                                'distorted_uri': 'media:' + dis})
        assert st == 401, f'the API answered {st} without a token: {body}'
        jid = admin.submit('media:' + ref, 'media:' + dis)
        j = admin.wait_status(jid, ('completed', 'failed'), timeout=90)
        assert j['status'] == 'completed', f'{j}\nnode log: {np_.tail()}'
        assert j['node'] == node.env['VMAFX_NODE_ID'] == f'{NODE}-5d4f8-q9w7z', j
        st, report, _ = admin.call('GET', f'/v1/jobs/{jid}/frames?format=json', raw=True)
        assert st == 200, st
        cli = run([env.vmafx, 'score', '-q', '-r', ref, '-d', dis, '--json', '-o', '-']).stdout
        assert without_fps(report.decode()) == without_fps(cli), 'the job report differs from vmafx score'
        check_storage(np_, node)
        if hook:
            run_test_hook(env, r, d, service_map, admin)

        # SIGTERM as the kubelet sends it: the node drains and exits 0 within the grace period
        np_.signal(signal.SIGTERM)
        assert np_.wait(node.pod.spec['terminationGracePeriodSeconds']) == 0, np_.tail()
        assert not rclone_children(np_.pid), 'rclone processes outlived the node'
        cp.signal(signal.SIGTERM)
        assert cp.wait(30) == 0, cp.tail()
        db = ctl.env['VMAFX_DB']
        assert db.startswith(os.path.join(d, 'controller-root', 'var/lib/vmafx')) and os.path.exists(db), db
    finally:
        for p in procs:
            if p.alive():
                p.kill9()


def run_test_hook(env, r, d, service_map, admin):
    """`helm test`: the hook pod's command, as rendered, checks /readyz, serves the pair it makes
    and has the release's node score it; with a token the controller refuses, it fails."""
    (hook,) = [h for h in r.hooks if h['metadata']['annotations'].get('helm.sh/hook') == 'test']
    cli_dir = os.path.dirname(env.vmafx)
    for case, token in (('ok', None), ('bad-token', 'not-a-token-0123456789')):
        hp = PodProcess(env, r, hook, 'node', hook['metadata']['name'], os.path.join(d, f'test-root-{case}'),
                        service_map, {})
        serve = str(free_port())
        hp.subst.append(f'VMAFX_TEST_PORT: {hp.env["VMAFX_TEST_PORT"]} -> {serve}')
        hp.subst.append(f'PATH: {cli_dir} (this build\'s vmafx) first')
        hp.subst.append(f'POD_IP: status.podIP -> {hp.env["POD_IP"]}')
        hp.env.update(VMAFX_TEST_PORT=serve, PATH=cli_dir + os.pathsep + os.environ['PATH'])
        if token:
            os.chmod(hp.env['VMAFX_TOKEN_FILE'], 0o600)
            with open(hp.env['VMAFX_TOKEN_FILE'], 'w') as f:
                f.write(token)
        p = hp.start(f'helm-test-{case}', d)
        rc = p.wait(180)
        if token:
            assert rc != 0 and 'helm-test: FAIL' in p.text(), f'the hook passed with a bad token: {p.tail()}'
            continue
        assert rc == 0 and 'helm-test: ok: scored end to end' in p.text(), f'helm test failed ({rc}): {p.tail()}'
        assert 'ok: ' in p.text() and '/readyz' in p.text(), p.tail()
        jobs = [j for j in admin.ok('GET', '/v1/jobs?limit=100')['jobs']
                if j['reference_uri'].startswith(f'http://127.0.0.1:{serve}/')]
        assert len(jobs) == 1 and jobs[0]['status'] == 'completed', jobs
        assert jobs[0]['node'].startswith(f'{NODE}-'), jobs[0]


def _alive(p):
    if not p.alive():
        raise AssertionError(f'{p.name} exited {p.p.returncode}: {p.tail()}')
    return True


def _get(proc, api, path):
    _alive(proc)
    try:
        return api.call('GET', path, token=None, timeout=2)[0]
    except OSError:
        return None


def test_release_scores_through_http_serve(env):
    def check(np_, node):
        assert node.env['VMAFX_STORAGE_MODE'] == 'http-serve'
        assert node.env['VMAFX_RCLONE_CONFIG'].endswith('/node-root/etc/vmafx/rclone.conf'), node.env
        # the warm pool keeps the serve process of the remote root for the next job
        kids = rclone_children(np_.pid)
        assert any(c[1:3] == ['serve', 'http'] for c in kids), f'no rclone serve http under the node: {kids}'
    score_through_release(env, 'http-serve', [], check, hook=True)


def test_release_scores_over_tls(env):
    """controller.tls: the controller serves HTTPS with the Secret's certificate, the kubelet's
    probes use the plain-HTTP probe port, the node (and the helm test) verify it with ca.crt."""
    def check(np_, node):
        assert node.env['VMAFX_CONTROLLER_ADDR'].startswith('https://127.0.0.1:'), node.env
        assert node.env['VMAFX_CONTROLLER_CA_FILE'].endswith('/node-root/etc/vmafx/controller-ca.crt'), node.env
    score_through_release(env, 'tls', ['--set', 'controller.tls.enabled=true',
                                       '--set', f'controller.tls.secretName={TLS_SECRET}'],
                          check, tls=True, hook=True)


def test_release_scores_through_mount(env):
    """storage.mode=mount: the node mounts the remote with FUSE (this machine has it, as root)."""
    def check(np_, node):
        assert node.env['VMAFX_STORAGE_MODE'] == 'mount'
        log = np_.text()
        assert re.search(r'rclone mount .*ready', log), f'no rclone mount in the node log: {log[-1500:]}'
    score_through_release(env, 'mount', ['--set', 'storage.mode=mount', '--set', 'node.logLevel=debug'], check)
