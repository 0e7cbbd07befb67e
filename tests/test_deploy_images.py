"""The container images, built for real with podman (docker/Dockerfile.node and
docker/Dockerfile.controller on a Debian base image made by debootstrap, kept in podman's
storage between runs; layers cached), checked from the inside (docker/selfcheck.sh: rclone at
/usr/local/bin/rclone, FUSE with SYS_ADMIN and /dev/fuse, the models, user 65532), and run the
way the chart's pods run them — the rendered pod specs turned into podman flags (user,
read-only root, capabilities, no-new-privileges, Secret files owned by the fsGroup, /dev/fuse)
— a controller container and node containers on the host network scoring a pair from an rclone
WebDAV server on 127.0.0.1, first in http-serve mode, then in mount mode.

podman here needs runc (crun cannot set RLIMIT_NOFILE in this sandbox), the cgroupfs manager,
the file events backend, and ulimits within the sandbox's (nofile 20000, nproc 32768). Cold, this module takes about 2 1/4 minutes on 2 cores
(debootstrap 35 s, apt and the compile in the builds 85 s); with the base image and the
layers cached about 20 s, plus about 30 s for the compile when C sources changed."""
import contextlib, json, os, shutil, signal, socket, stat, subprocess, time

from controller_testlib import Api, free_port, metric, wait_until, without_fps
from deploy.deploylib import ROOT, Pod, render_seed, which
from vmafx_testlib import pair_files, run

PODMAN = ['podman', '--runtime', 'runc', '--cgroup-manager', 'cgroupfs', '--events-backend', 'file']
ULIMITS = ['--ulimit', 'nofile=20000:20000', '--ulimit', 'nproc=32768:32768']
BASE = 'localhost/debian:bookworm-slim'
BUILD_IMAGE = 'localhost/vmafx-build:test'
IMAGES = {'node': 'localhost/vmafx-node:test', 'controller': 'localhost/vmafx-controller:test'}
PAIR = 'testsrc2_320x240_2frames_crf35'
TOKENS = ['--set', 'auth.nodeToken=node-token-for-the-image-test',
          '--set', 'auth.adminToken=admin-token-for-the-image-test']
_state = {}


def podman(*args, check=True, timeout=900):
    return run(PODMAN + list(args), check=check, timeout=timeout)


def scratch(env, name):
    d = os.path.join(env.scratch, 'deploy', name)
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(d)
    return d


def timed(label, fn):
    t0 = time.monotonic()
    fn()
    _state.setdefault('timings', []).append(f'{label}: {time.monotonic() - t0:.1f} s')


def build_images(env):
    for prog in ('podman', 'runc', 'debootstrap'):
        which(prog)
    models = os.path.join(env.shared, 'models')
    assert os.path.exists(os.path.join(models, 'vmaf_v0.6.1.json')), f'no models in {models}'
    t0 = time.monotonic()
    timed('base image', lambda: run(['bash', os.path.join(ROOT, 'docker', 'make-base-image.sh'), BASE],
                                    env=dict(os.environ, PODMAN_FLAGS=' '.join(PODMAN[1:])), timeout=900))
    uplot = os.path.join(ROOT, 'build', 'node', 'node_modules', 'uplot')   # the dashboard's (scripts/setup.sh)
    assert os.path.exists(os.path.join(uplot, 'dist', 'uPlot.esm.js')), f'no uPlot in {uplot}: run ./scripts/setup.sh'
    common = ['build', '--network', 'host', *ULIMITS, '--build-arg', f'BASE_IMAGE={BASE}',
              '--build-context', f'models={models}', '--build-context', f'uplot={uplot}']
    # the build stage is tagged, so that pruning old images keeps the compiler layers cached
    timed('build stage', lambda: podman(*common, '--target', 'build', '-f', 'docker/Dockerfile.node',
                                        '-t', BUILD_IMAGE, ROOT))
    for name, tag in IMAGES.items():
        timed(f'{name} image', lambda: podman(*common, '-f', f'docker/Dockerfile.{name}', '-t', tag, ROOT))
    podman('image', 'prune', '-f')
    _state['built'] = time.monotonic() - t0
    with open(os.path.join(env.scratch, 'deploy', 'image-timings.txt'), 'w') as f:
        f.write('\n'.join(_state['timings']) + f'\ntotal: {_state["built"]:.1f} s\n')
    print('      ' + '; '.join(_state['timings']), flush=True)


def need_images():
    if 'built' not in _state:
        raise AssertionError('the images were not built (see test_deploy_images.build)')


def inspect(image):
    return json.loads(podman('image', 'inspect', image).stdout)[0]['Config']


@contextlib.contextmanager
def fuse_for_everyone():
    """A non-root user in a container opens the host's /dev/fuse with the host's mode (0600
    here; 0666 on most distributions): opened up for the test, then restored."""
    mode = stat.S_IMODE(os.stat('/dev/fuse').st_mode)
    os.chmod('/dev/fuse', 0o666)
    try:
        yield
    finally:
        os.chmod('/dev/fuse', mode)


def selfcheck(*flags, expect_ok=True):
    p = podman('run', '--rm', *ULIMITS, '--network', 'none', '--read-only', '--tmpfs', '/tmp:rw,mode=1777',
               '--cap-drop', 'ALL', *flags, '--entrypoint', 'vmafx-selfcheck', IMAGES['node'],
               *(['--fuse'] if '/dev/fuse' in flags else ['--no-fuse']), check=False, timeout=120)
    out = p.stdout + p.stderr
    if expect_ok:
        assert p.returncode == 0 and out.rstrip().endswith('selfcheck: ok'), f'self-check failed:\n{out}'
    else:
        assert p.returncode != 0, f'self-check passed where it must fail:\n{out}'
    return out


# ---- the chart's pods as podman containers ----------------------------------------------

class PodContainer:
    """podman run flags for a rendered pod: what the kubelet would give the container."""

    def __init__(self, rendered, deployment, pod_name, image, root, name, service_map, port_map):
        self.pod = Pod(rendered, deployment, pod_name)
        self.name = name
        spec, c = self.pod.spec, self.pod.c
        psc, sc = spec['securityContext'], c['securityContext']
        assert psc['seccompProfile'] == {'type': 'RuntimeDefault'}    # podman's default profile
        uid = sc.get('runAsUser', psc['runAsUser'])
        gid = sc.get('runAsGroup', psc['runAsGroup'])
        fs_group = psc.get('fsGroup')
        a = ['run', '-d', '--name', name, '--network', 'host', *ULIMITS, '--user', f'{uid}:{gid}']
        if fs_group is not None and fs_group != gid:
            a += ['--group-add', str(fs_group)]
        if sc.get('readOnlyRootFilesystem'):
            a.append('--read-only')
        for cap in sc.get('capabilities', {}).get('drop', []):
            a += ['--cap-drop', cap]
        for cap in sc.get('capabilities', {}).get('add', []):
            a += ['--cap-add', cap]
        if sc.get('allowPrivilegeEscalation') is False:
            a += ['--security-opt', 'no-new-privileges']
        assert not sc.get('privileged'), sc
        paths = self.pod.materialize(root, owner_gid=fs_group)
        for mount, m in self.pod.mounts().items():
            v = self.pod.volumes[m['name']]
            if 'hostPath' in v:
                assert v['hostPath'] == {'path': '/dev/fuse', 'type': 'CharDevice'}, v
                a += ['--device', '/dev/fuse']
            elif 'emptyDir' in v:
                a += ['--tmpfs', f'{mount}:rw,mode=1777']
            else:
                if fs_group is not None:
                    os.chown(paths[mount], 0, fs_group)
                    os.chmod(paths[mount], 0o750 if m.get('readOnly') else 0o770)
                a += ['-v', f'{paths[mount]}:{mount}:{"ro" if m.get("readOnly") else "rw"}']
        self.env = {}
        for k, v in self.pod.env().items():
            for host, repl in service_map.items():
                v = v.replace(host, repl)
            for cport, hport in port_map.items():
                if v == f'0.0.0.0:{cport}':
                    v = f'0.0.0.0:{hport}'
            self.env[k] = v
            a += ['-e', f'{k}={v}']
        self.args = a + [image] + [str(x) for x in c.get('args', [])]

    def start(self):
        podman('rm', '-f', self.name, check=False)
        podman(*self.args, timeout=120)
        return self

    def running(self):
        p = podman('inspect', '--format', '{{.State.Running}} {{.State.ExitCode}}', self.name, check=False)
        state = p.stdout.split()
        if not state or state[0] != 'true':
            raise AssertionError(f'container {self.name} stopped ({p.stdout.strip()}): {self.logs()[-2000:]}')
        return True

    def logs(self):
        p = podman('logs', self.name, check=False)
        return p.stdout + p.stderr

    def stop(self, grace):
        """What the kubelet does on pod deletion: SIGTERM, SIGKILL after the grace period."""
        podman('stop', '-t', str(grace), self.name, timeout=grace + 60)
        return int(podman('inspect', '--format', '{{.State.ExitCode}}', self.name).stdout.strip())

    def remove(self, log_dir):
        with open(os.path.join(log_dir, f'{self.name}.log'), 'w') as f:
            f.write(self.logs())
        podman('rm', '-f', self.name, check=False)


class WebDAV:
    """rclone serve webdav of a folder on a loopback port: the storage the nodes read."""

    def __init__(self, folder, log):
        self.port = free_port()
        self.log = open(log, 'wb')
        self.p = subprocess.Popen([which('rclone'), 'serve', 'webdav', folder, '--addr', f'127.0.0.1:{self.port}',
                                   '--read-only', '--config', '/dev/null'], stdout=self.log, stderr=self.log,
                                  stdin=subprocess.DEVNULL, start_new_session=True)
        wait_until('rclone serve webdav', self._up, timeout=20)

    def _up(self):
        if self.p.poll() is not None:
            raise AssertionError(f'rclone serve webdav exited {self.p.returncode}')
        with socket.socket() as s:
            return s.connect_ex(('127.0.0.1', self.port)) == 0

    def close(self):
        if self.p.poll() is None:
            os.killpg(self.p.pid, signal.SIGTERM)
            try:
                self.p.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(self.p.pid, signal.SIGKILL)
                self.p.wait(10)
        self.log.close()


def cluster(env):
    need_images()
    d = scratch(env, 'images-cluster')
    ref, dis = pair_files(env, PAIR)
    media = os.path.join(d, 'media', 'clips')
    os.makedirs(media)
    for src, name in ((ref, 'ref.y4m'), (dis, 'dis.y4m')):
        shutil.copyfile(src, os.path.join(media, name))
    # containers a killed earlier run left behind (only this test names them so)
    stale = podman('ps', '-a', '--filter', 'name=^vmafx-test-', '--format', '{{.Names}}').stdout.split()
    for name in stale:
        podman('rm', '-f', name, check=False)
    tag = f'vmafx-test-{os.getpid()}'
    containers = []
    dav = WebDAV(os.path.join(d, 'media'), os.path.join(d, 'webdav.log'))
    try:
        conf = f'[media]\ntype = webdav\nurl = http://127.0.0.1:{dav.port}\nvendor = other\n'
        r_http = render_seed(conf, TOKENS, workdir=os.path.join(d, 'seed-http'))
        r_mount = render_seed(conf, TOKENS + ['--set', 'storage.mode=mount', '--set', 'node.logLevel=debug'],
                              workdir=os.path.join(d, 'seed-mount'))
        port = free_port()
        service_map = {'http://vmafx-controller:8080': f'http://127.0.0.1:{port}'}
        ctl = PodContainer(r_http, 'vmafx-controller', 'vmafx-controller-0', IMAGES['controller'],
                           os.path.join(d, 'controller-root'), f'{tag}-controller', service_map, {8080: port})
        containers.append(ctl)
        ctl.start()
        api = Api(port)
        wait_until('the controller container to answer /readyz',
                   lambda: ctl.running() and _status(api, '/readyz') == 200, timeout=60)
        admin = Api(port, r_http.secret_data('vmafx-auth')['admin-token'])
        cli = run([env.vmafx, 'score', '-q', '-r', ref, '-d', dis, '--json', '-o', '-']).stdout

        for mode, rendered in (('http-serve', r_http), ('mount', r_mount)):
            node = PodContainer(rendered, 'vmafx-node', f'vmafx-node-{mode}', IMAGES['node'],
                                os.path.join(d, f'node-root-{mode}'), f'{tag}-node-{mode}', service_map, {})
            containers.append(node)
            assert node.env['VMAFX_STORAGE_MODE'] == mode
            with fuse_for_everyone() if mode == 'mount' else contextlib.nullcontext():
                node.start()
                wait_until(f'the {mode} node container to register',
                           lambda: node.running() and metric(api.metrics(), 'vmafx_controller_nodes_live') >= 1,
                           timeout=60)
                jid = admin.submit('media:clips/ref.y4m', 'media:clips/dis.y4m')
                j = admin.wait_status(jid, ('completed', 'failed'), timeout=120)
                assert j['status'] == 'completed', f'{mode}: {j}\nnode log:\n{node.logs()[-2000:]}'
                assert j['node'] == f'vmafx-node-{mode}', j
                st, report, _ = admin.call('GET', f'/v1/jobs/{jid}/frames?format=json', raw=True)
                assert st == 200 and without_fps(report.decode()) == without_fps(cli), \
                    f'{mode}: the report differs from vmafx score on the same files'
                if mode == 'mount':
                    assert 'rclone mount for media:clips/' in node.logs(), node.logs()[-2000:]
                rc = node.stop(node.pod.spec['terminationGracePeriodSeconds'])
                assert rc == 0, f'{mode} node exited {rc} on SIGTERM: {node.logs()[-1500:]}'
        rc = ctl.stop(30)
        assert rc == 0, f'controller exited {rc} on SIGTERM: {ctl.logs()[-1500:]}'
        db = os.path.join(d, 'controller-root', 'var', 'lib', 'vmafx', 'vmafx.db')
        assert os.stat(db).st_uid == 65532, 'the database was not written by the container user'
    finally:
        for c in containers:
            c.remove(d)
        dav.close()


def _status(api, path):
    try:
        return api.call('GET', path, token=None, timeout=2)[0]
    except OSError:
        return None


# ---- cases, in order ---------------------------------------------------------------------

def node_image(env):
    need_images()
    cfg = inspect(IMAGES['node'])
    assert cfg['User'] == '65532:65532', cfg['User']
    assert cfg['Entrypoint'] == ['/usr/local/bin/vmafx-node'], cfg['Entrypoint']
    assert 'VMAFX_RCLONE=/usr/local/bin/rclone' in cfg['Env'], cfg['Env']
    # the restricted profile: read-only root, no capabilities, no privilege escalation
    out = selfcheck('--security-opt', 'no-new-privileges')
    assert 'rclone at /usr/local/bin/rclone' in out and 'models in /usr/local/share/vmafx/models' in out, out
    assert 'uid 65532' in out, out


def node_image_fuse(env):
    """FUSE as the chart's mount-mode pods get it: SYS_ADMIN, /dev/fuse, everything else
    dropped, on mount points made as the node makes them (0711 folders). Without SYS_ADMIN the
    mount is refused: why the chart adds it, and only for FUSE."""
    need_images()
    caps = {'SYS_ADMIN'}
    flags = lambda cs: [f for c in sorted(cs) for f in ('--cap-add', c)] + ['--device', '/dev/fuse']
    with fuse_for_everyone():
        out = selfcheck(*flags(caps))
        assert 'FUSE: rclone mount and fusermount3 -u work as uid 65532' in out, out
        for left_out in sorted(caps):
            out = selfcheck(*flags(caps - {left_out}), expect_ok=False)
            assert 'FAIL: FUSE: rclone mount exited' in out and 'mount failed' in out, f'without {left_out}: {out}'


def controller_image(env):
    need_images()
    cfg = inspect(IMAGES['controller'])
    assert cfg['User'] == '65532:65532', cfg['User']
    assert cfg['Entrypoint'] == ['/usr/local/bin/vmafx-controller'], cfg['Entrypoint']
    assert '/var/lib/vmafx' in (cfg.get('Volumes') or {}), cfg.get('Volumes')
    assert '8080/tcp' in (cfg.get('ExposedPorts') or {}), cfg.get('ExposedPorts')
    p = podman('run', '--rm', *ULIMITS, '--network', 'none', '--read-only', '--cap-drop', 'ALL',
               '--entrypoint', 'sh', IMAGES['controller'], '-c',
               'ldd /usr/local/bin/vmafx-controller | grep "not found"; /usr/local/bin/vmafx-controller --version',
               check=False)
    assert p.returncode == 0 and 'not found' not in p.stdout and 'vmafx-controller' in p.stdout, p.stdout + p.stderr


def cases(env):
    if env.quick:
        return     # the images build their own binaries: nothing the sanitizer run would add
    yield 'build', lambda: build_images(env)
    yield 'node_image', lambda: node_image(env)
    yield 'node_image_fuse', lambda: node_image_fuse(env)
    yield 'controller_image', lambda: controller_image(env)
    yield 'cluster_on_loopback', lambda: cluster(env)
