"""Helpers of the deployment tests: the real helm and the Kubernetes validator (fetched once per
run by tests/deploy/build.sh), rendering the chart into objects with `helm install
--dry-run=client`, reading a rendered pod (environment, volumes, the files its Secrets put
where) and turning it into what a process or a podman container on this machine gets."""
import base64, json, os, re, shutil, subprocess, tempfile

import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
CHART = os.path.join(ROOT, 'deploy', 'helm', 'vmafx')
TOOLS = os.path.join(ROOT, 'build')           # build/deploy/bin/{helm,kubectl}, build/deploy-node
HELM = os.path.join(TOOLS, 'deploy', 'bin', 'helm')
KUBECTL = os.path.join(TOOLS, 'deploy', 'bin', 'kubectl')
NODE_DIR = os.path.join(TOOLS, 'deploy-node')
RELEASE = 'vmafx'

# the seed's install command (docs/deploy.md), as a client-side dry run: no cluster here
SEED_COMMAND = ('helm install vmafx deploy/helm/vmafx --dry-run=client --set-file storage.rclone.config=./rclone.conf '
                '--set storage.mode=http-serve --set node.enabled=true')

_built = []


def tools():
    """Fetches helm and kubectl and installs the validator's npm packages, once per test run;
    returns helm's path."""
    if not _built:
        p = subprocess.run(['bash', os.path.join(HERE, 'build.sh'), TOOLS], capture_output=True, text=True,
                           timeout=600)
        if p.returncode != 0:
            raise AssertionError(f'tests/deploy/build.sh failed:\n{p.stdout[-2000:]}\n{p.stderr[-3000:]}')
        _built.append(True)
    return HELM


class Rendered:
    """One rendering of the chart (a release as `helm install --dry-run=client -o json` prints
    it): its objects, by kind and name, its hooks (helm test pods), and NOTES.txt."""

    def __init__(self, release, args):
        self.args = args
        self.manifests = [{'object': o} for o in yaml.safe_load_all(release['manifest']) if o]
        self.objects = [m['object'] for m in self.manifests]
        self.hooks = [yaml.safe_load(h['manifest']) for h in release.get('hooks') or []]
        self.notes = release['info'].get('notes', '')
        # Secrets the release names but does not make (existingSecret, TLS), as a test
        # provides them: {name: {key: text}}
        self.external = {}

    def all(self, kind):
        return [o for o in self.objects if o['kind'] == kind]

    def get(self, kind, name):
        for o in self.objects:
            if o['kind'] == kind and o['metadata']['name'] == name:
                return o
        raise AssertionError(f'no {kind} {name} in the rendered chart ({self.args}); have '
                             f'{[(o["kind"], o["metadata"]["name"]) for o in self.objects]}')

    def find(self, kind, name):
        try:
            return self.get(kind, name)
        except AssertionError:
            return None

    def hook(self, name):
        for h in self.hooks:
            if h['metadata']['name'] == name:
                return h
        raise AssertionError(f'no hook {name}; have {[h["metadata"]["name"] for h in self.hooks]}')

    def has_secret(self, name):
        return name in self.external or self.find('Secret', name) is not None

    def secret_data(self, name):
        if name in self.external:
            return dict(self.external[name])
        s = self.get('Secret', name)
        out = {k: base64.b64decode(v).decode() for k, v in (s.get('data') or {}).items()}
        out.update(s.get('stringData') or {})
        return out


def render(*args, cwd=None, chart=CHART, name=RELEASE):
    """Renders the chart (helm install NAME CHART --dry-run=client ARGS); fails with helm's
    error."""
    p = render_raw(['install', name, chart, '--dry-run=client', *args, '-o', 'json'], cwd=cwd)
    if p.returncode != 0:
        raise AssertionError(f'rendering with {list(args)} failed: {p.stderr.strip()[-2000:]}')
    return Rendered(json.loads(p.stdout), args)


def render_raw(argv, cwd=None):
    return subprocess.run([tools(), *argv], capture_output=True, text=True, timeout=120, cwd=cwd)


def render_seed(conf_text, extra=(), workdir=None):
    """Runs the seed's command as written (a client-side dry run), from a folder holding
    ./rclone.conf and deploy/helm/vmafx, and returns the release it renders."""
    workdir = workdir or tempfile.mkdtemp(prefix='vmafx-seed-')
    os.makedirs(workdir, exist_ok=True)
    with open(os.path.join(workdir, 'rclone.conf'), 'w') as f:
        f.write(conf_text)
    if not os.path.exists(os.path.join(workdir, 'deploy')):
        os.symlink(os.path.join(ROOT, 'deploy'), os.path.join(workdir, 'deploy'))
    argv = SEED_COMMAND.split()[1:] + list(extra) + ['-o', 'json']
    p = render_raw(argv, cwd=workdir)
    if p.returncode != 0:
        raise AssertionError(f'the seed command failed: {p.stderr.strip()[-2000:]}')
    return Rendered(json.loads(p.stdout), argv)


def validate(rendered, scratch):
    """Every object against the Kubernetes schemas (tests/deploy/validate.mjs)."""
    tools()
    path = os.path.join(scratch, 'rendered.json')
    with open(path, 'w') as f:
        json.dump({'manifests': rendered.manifests + [{'object': h} for h in rendered.hooks]}, f)
    p = subprocess.run(['node', os.path.join(HERE, 'validate.mjs'), NODE_DIR, path],
                       capture_output=True, text=True, timeout=120)
    if p.returncode != 0:
        bad = [l for l in p.stdout.splitlines() if not l.startswith('valid ')]
        raise AssertionError(f'Kubernetes schema validation failed ({rendered.args}):\n' +
                             '\n'.join(bad)[-3000:] + p.stderr[-1000:])
    return p.stdout


# ---- a rendered pod ----------------------------------------------------------------------

class Pod:
    """The pod template of a Deployment (or a bare Pod: a helm test hook) and its first
    container, read the way the kubelet does: environment (values, Secret keys, the pod name
    and IP), volume mounts and the files the Secret and projected volumes put at each path."""

    def __init__(self, rendered, deployment, pod_name, pod_ip='127.0.0.1'):
        self.r = rendered
        if isinstance(deployment, dict):
            self.dep, self.spec, self.meta = None, deployment['spec'], deployment['metadata']
        else:
            self.dep = rendered.get('Deployment', deployment)
            self.spec, self.meta = self.dep['spec']['template']['spec'], self.dep['spec']['template']['metadata']
        self.c = self.spec['containers'][0]
        self.pod_name, self.pod_ip = pod_name, pod_ip
        self.volumes = {v['name']: v for v in self.spec.get('volumes', [])}

    def env(self):
        out = {}
        for e in self.c.get('env', []):
            if 'value' in e:
                out[e['name']] = str(e['value'])
            elif 'secretKeyRef' in e.get('valueFrom', {}):
                ref = e['valueFrom']['secretKeyRef']
                out[e['name']] = self.r.secret_data(ref['name'])[ref['key']]
            elif 'fieldRef' in e.get('valueFrom', {}):
                field = e['valueFrom']['fieldRef']['fieldPath']
                assert field in ('metadata.name', 'status.podIP'), e
                out[e['name']] = self.pod_name if field == 'metadata.name' else self.pod_ip
            else:
                raise AssertionError(f'env {e} not understood')
        return out

    def env_spec(self):
        return {e['name']: e for e in self.c.get('env', [])}

    def mounts(self):
        return {m['mountPath']: m for m in self.c.get('volumeMounts', [])}

    def volume_files(self, volume):
        """{relative path: (secret name, key, text)} of a secret or projected volume."""
        files = {}
        srcs = volume['projected']['sources'] if 'projected' in volume else [{'secret': volume['secret']}]
        for s in srcs:
            sec = s.get('secret')
            assert sec, f'volume source {s} not understood'
            name = sec.get('name') or sec.get('secretName')
            # a Secret the chart does not make (existingSecret values): names only
            data = self.r.secret_data(name) if self.r.has_secret(name) else {}
            items = sec.get('items') or [{'key': k, 'path': k} for k in data]
            for it in items:
                files[it['path']] = (name, it['key'], data.get(it['key']))
        return files

    def files(self):
        """{absolute path in the container: (secret, key, text, read-only)} of every Secret
        file the pod sees."""
        out = {}
        for path, m in self.mounts().items():
            v = self.volumes[m['name']]
            if 'projected' in v or 'secret' in v:
                for rel, (sec, key, text) in self.volume_files(v).items():
                    out[os.path.join(path, rel)] = (sec, key, text, bool(m.get('readOnly')))
        return out

    def materialize(self, root, owner_gid=None):
        """Lays the pod's Secret files and emptyDir/claim folders out under root (the
        container's / there); returns {mount path: host folder}."""
        out = {}
        for path, m in self.mounts().items():
            v = self.volumes[m['name']]
            host = os.path.join(root, path.lstrip('/'))
            if 'hostPath' in v:
                out[path] = v['hostPath']['path']
                continue
            os.makedirs(host, exist_ok=True)
            if 'projected' in v or 'secret' in v:
                mode = v.get('projected', v.get('secret', {})).get('defaultMode', 0o644)
                for rel, (_, _, text) in self.volume_files(v).items():
                    f = os.path.join(host, rel)
                    with open(f, 'w') as fh:
                        fh.write(text)
                    os.chmod(f, mode)
                    if owner_gid is not None:
                        os.chown(f, 0, owner_gid)
            elif owner_gid is not None:
                os.chown(host, owner_gid, owner_gid)
            out[path] = host
        return out

    def port(self, name):
        return next(cp['containerPort'] for cp in self.c['ports'] if cp['name'] == name)

    def probe(self, which):
        p = self.c[which]['httpGet']
        port = p['port']
        if isinstance(port, str):
            port = next(cp['containerPort'] for cp in self.c['ports'] if cp['name'] == port)
        return p['path'], port


def env_names_of(binary):
    """The environment variables a vmafx program reads, from its --help ([$NAME])."""
    p = subprocess.run([binary, '--help'], capture_output=True, text=True, timeout=30)
    return set(re.findall(r'\[\$(VMAFX_[A-Z0-9_]+)\]', p.stdout + p.stderr))


def dockerfile(name):
    """ENTRYPOINT and ENV of docker/Dockerfile.NAME's final stage."""
    text = open(os.path.join(ROOT, 'docker', f'Dockerfile.{name}')).read()
    final = text[text.rindex('\nFROM '):]
    entry = json.loads(re.search(r'^ENTRYPOINT (\[.*\])$', final, re.M).group(1))
    env = {}
    for m in re.finditer(r'^ENV ((?:.*\\\n)*.*)$', final, re.M):
        for k, v in re.findall(r'(\w+)=(\S+)', m.group(1).replace('\\\n', ' ')):
            env[k] = v
    return entry, env


def b64(s):
    return base64.b64encode(s.encode()).decode()


def which(prog):
    path = shutil.which(prog)
    if not path:
        raise AssertionError(f'{prog} is not installed (scripts/setup.sh installs it)')
    return path
