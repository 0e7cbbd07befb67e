"""The Helm chart (deploy/helm/vmafx), checked with the real helm (v4, from npm: see
tests/deploy/build.sh): `helm lint --strict` and `helm install --dry-run=client` for the seed's
command and a matrix of values; every object validated against the Kubernetes schemas with
strict fields (tests/deploy/validate.mjs), and the wiring checked — the rclone.conf Secret and
its read-only mount, VMAFX_* variables that the programs really read, FUSE privileges only
where mount mode needs them and the restricted profile elsewhere, probes, tokens, the store,
KEDA. values.schema.json must refuse bad values, through helm itself."""
import json, os, re, shutil, subprocess

import yaml

from deploy.deploylib import (RELEASE, Pod, b64, env_names_of, render, render_raw, render_seed,
                              tools, validate, CHART)

CONF = ('[media]\ntype = local\n\n[s3]\ntype = s3\nprovider = AWS\nenv_auth = true\n'
        'region = eu-west-1\n')
RCLONE_SECRET = f'{RELEASE}-rclone-config'
AUTH_SECRET = f'{RELEASE}-auth'
CONTROLLER = f'{RELEASE}-controller'
NODE = f'{RELEASE}-node'
PG_DSN = 'postgres://vmafx:secret@db.example:5432/vmafx?sslmode=require'


def eq(got, want):
    if got != want:
        raise AssertionError(f'expected {want!r}, got {got!r}')


def scratch(env, name):
    d = os.path.join(env.scratch, 'deploy', name)
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(d)
    return d


def conf_file(env):
    d = os.path.join(env.scratch, 'deploy')
    os.makedirs(d, exist_ok=True)
    path = os.path.join(d, 'rclone.conf')
    with open(path, 'w') as f:
        f.write(CONF)
    return path


# (name, --set arguments, what the case means for the checks)
def matrix(env):
    conf = conf_file(env)
    rc = ['--set-file', f'storage.rclone.config={conf}']
    return [
        ('defaults', [], dict(mode='http-serve', conf=False, fuse=False, store='sqlite')),
        ('seed', None, dict(mode='http-serve', conf=True, fuse=False, store='sqlite')),
        ('mount', rc + ['--set', 'storage.mode=mount'], dict(mode='mount', conf=True, fuse=True, store='sqlite')),
        ('mount_root', rc + ['--set', 'storage.mode=mount', '--set', 'storage.mountRoot=/var/vmafx/mounts'],
         dict(mode='mount', conf=True, fuse=True, store='sqlite', mount_root='/var/vmafx/mounts')),
        ('auto_fuse', rc + ['--set', 'storage.mode=auto', '--set', 'node.fuse.enabled=true'],
         dict(mode='auto', conf=True, fuse=True, store='sqlite')),
        ('auto_no_fuse', ['--set', 'storage.mode=auto'], dict(mode='auto', conf=False, fuse=False, store='sqlite')),
        ('postgres', rc + ['--set', 'controller.store.type=postgres', '--set', f'controller.store.postgres.dsn={PG_DSN}',
                           '--set', 'controller.replicaCount=2'],
         dict(mode='http-serve', conf=True, fuse=False, store='postgres', replicas=2)),
        ('postgres_existing', ['--set', 'controller.store.type=postgres',
                               '--set', 'controller.store.postgres.existingSecret=my-db',
                               '--set', 'controller.store.postgres.secretKey=url'],
         dict(mode='http-serve', conf=False, fuse=False, store='postgres', pg_secret=('my-db', 'url'))),
        ('keda', rc + ['--set', 'node.autoscaling.keda.enabled=true', '--set', 'monitoring.serviceMonitor.enabled=true',
                       '--set', 'node.slots=4'],
         dict(mode='http-serve', conf=True, fuse=False, store='sqlite', keda=True, slots=4)),
        ('no_nodes', rc + ['--set', 'node.enabled=false'], dict(mode='http-serve', conf=False, fuse=False,
                                                                  store='sqlite', nodes=False)),
        ('existing_secrets', ['--set', 'storage.rclone.existingSecret=team-rclone',
                              '--set', 'auth.existingSecret=team-auth'],
         dict(mode='http-serve', conf=True, fuse=False, store='sqlite', rclone_secret='team-rclone',
              auth_secret='team-auth')),
    ]


def render_case(env, args):
    if args is None:
        return render_seed(CONF, workdir=scratch(env, 'seed-cwd'))
    return render(*args)


def containers_env(pod):
    return {e['name'] for e in pod.c.get('env', [])}


def check_restricted(where, ctx, pod_ctx, fuse):
    assert pod_ctx.get('runAsNonRoot') is True and pod_ctx.get('runAsUser') == 65532, f'{where}: {pod_ctx}'
    assert pod_ctx.get('seccompProfile') == {'type': 'RuntimeDefault'}, f'{where}: {pod_ctx}'
    assert ctx.get('runAsNonRoot') is True and ctx.get('readOnlyRootFilesystem') is True, f'{where}: {ctx}'
    assert ctx['capabilities'].get('drop') == ['ALL'], f'{where}: {ctx}'
    assert 'privileged' not in ctx, f'{where}: {ctx}'
    if fuse:
        # SYS_ADMIN to mount, exactly as the seed's troubleshooting section shows (the node's
        # mount points are traversable, 0711: test_deploy_images mounts with SYS_ADMIN alone)
        assert ctx['capabilities'].get('add') == ['SYS_ADMIN'], f'{where}: {ctx}'
        assert ctx.get('allowPrivilegeEscalation') is True, f'{where}: FUSE needs the setuid fusermount3: {ctx}'
    else:
        assert 'add' not in ctx['capabilities'], f'{where}: capabilities added without FUSE: {ctx}'
        assert ctx.get('allowPrivilegeEscalation') is False, f'{where}: {ctx}'


def env_value(env, name):
    """A plain env entry's value (fails naming the variable when it is missing)."""
    assert name in env and 'value' in env[name], f'{name} is not set: {sorted(env)}'
    return env[name]['value']


def check_controller(r, want, known_env):
    ctl = Pod(r, CONTROLLER, 'vmafx-controller-0')
    env = ctl.env_spec()
    unknown = {n for n in env if n.startswith('VMAFX_')} - known_env
    assert not unknown, f'controller env the program does not read: {unknown}'
    eq(env_value(env, 'VMAFX_LISTEN'), '0.0.0.0:8080')
    eq(env_value(env, 'VMAFX_TOKENS_FILE'), '/etc/vmafx/tokens')
    eq((env_value(env, 'VMAFX_LEASE_TTL'), env_value(env, 'VMAFX_MAX_LOST_ATTEMPTS')), ('60', '3'))
    eq(ctl.probe('livenessProbe'), ('/healthz', 8080))
    eq(ctl.probe('readinessProbe'), ('/readyz', 8080))
    check_restricted('controller', ctl.c['securityContext'], ctl.spec['securityContext'], fuse=False)
    assert not any('hostPath' in v for v in ctl.volumes.values()), ctl.volumes
    tok = ctl.mounts()['/etc/vmafx']
    assert tok.get('readOnly') is True and 'subPath' not in tok, tok   # re-read on rotation
    eq(ctl.files()['/etc/vmafx/tokens'][:2], (want.get('auth_secret', AUTH_SECRET), 'tokens'))
    svc = r.get('Service', CONTROLLER)
    eq((svc['spec']['ports'][0]['targetPort'], svc['spec']['ports'][0]['port']), ('http', 8080))
    assert svc['spec']['selector'].items() <= ctl.dep['spec']['template']['metadata']['labels'].items(), \
        'the Service selects no controller pod'
    if want['store'] == 'sqlite':
        eq(env_value(env, 'VMAFX_DB'), '/var/lib/vmafx/vmafx.db')
        eq((ctl.dep['spec']['replicas'], ctl.dep['spec']['strategy']['type']), (1, 'Recreate'))
        claim = ctl.volumes['data']['persistentVolumeClaim']['claimName']
        eq(r.get('PersistentVolumeClaim', claim)['spec']['resources']['requests']['storage'], '1Gi')
        eq(ctl.mounts()['/var/lib/vmafx']['name'], 'data')
    else:
        assert not r.all('PersistentVolumeClaim'), 'postgres store with a claim'
        ref = env['VMAFX_DB']['valueFrom']['secretKeyRef']
        if 'pg_secret' in want:
            eq((ref['name'], ref['key']), want['pg_secret'])
        else:
            eq(r.secret_data(ref['name'])[ref['key']], PG_DSN)
        eq((ctl.dep['spec']['replicas'], ctl.dep['spec']['strategy']['type']),
           (want.get('replicas', 1), 'RollingUpdate'))


def check_tokens(r, want):
    """The node's token is in the controller's tokens file with the role node."""
    if want.get('auth_secret'):
        assert not r.find('Secret', AUTH_SECRET), 'auth.existingSecret set, yet the chart made one'
        return
    auth = r.secret_data(AUTH_SECRET)
    lines = [l.split() for l in auth['tokens'].splitlines() if l and not l.startswith('#')]
    assert [auth['node-token'], 'node', f'{NODE}-*'] in lines, lines   # bound to the chart's node pods
    assert [auth['admin-token'], 'admin', 'admin'] in lines, lines
    assert len(auth['node-token']) >= 16 and auth['node-token'] != auth['admin-token'], auth


def check_node_env(node, want, known_env):
    env = node.env_spec()
    unknown = {n for n in env if n.startswith('VMAFX_')} - known_env
    assert not unknown, f'node env the program does not read: {unknown}'
    eq(env_value(env, 'VMAFX_STORAGE_MODE'), want['mode'])
    eq(env_value(env, 'VMAFX_CONTROLLER_ADDR'), f'http://{CONTROLLER}:8080')
    eq(env['VMAFX_NODE_ID']['valueFrom']['fieldRef']['fieldPath'], 'metadata.name')
    eq(env_value(env, 'VMAFX_NODE_TOKEN_FILE'), '/etc/vmafx/node-token')
    eq(env_value(env, 'VMAFX_NODE_SLOTS'), str(want.get('slots', 1)))
    grace = node.spec['terminationGracePeriodSeconds']
    assert 0 < int(env_value(env, 'VMAFX_DRAIN_TIMEOUT')) < grace, (env['VMAFX_DRAIN_TIMEOUT'], grace)
    eq(node.files()['/etc/vmafx/node-token'][:2], (want.get('auth_secret', AUTH_SECRET), 'node-token'))
    if want.get('mount_root'):
        eq(env_value(env, 'VMAFX_MOUNT_ROOT'), want['mount_root'])
        assert 'emptyDir' in node.volumes[node.mounts()[want['mount_root']]['name']]
    else:
        assert 'VMAFX_MOUNT_ROOT' not in env


def check_rclone_config(r, node, want):
    """Secret <release>-rclone-config, key rclone.conf, read-only at /etc/vmafx/rclone.conf,
    VMAFX_RCLONE_CONFIG naming it; nothing of it without a config."""
    secret = want.get('rclone_secret', RCLONE_SECRET)
    env, files = node.env_spec(), node.files()
    referenced = [s for v in node.volumes.values()
                  for s in v.get('projected', {}).get('sources', []) + ([{'secret': v['secret']}] if 'secret' in v else [])
                  if s.get('secret', {}).get('name') == secret]
    if want['conf']:
        if 'rclone_secret' not in want:
            eq(r.secret_data(RCLONE_SECRET), {'rclone.conf': CONF})
            eq(r.get('Secret', RCLONE_SECRET)['type'], 'Opaque')
        else:
            assert not r.find('Secret', RCLONE_SECRET), 'existingSecret set, yet the chart made one'
        sec, key, _, read_only = files['/etc/vmafx/rclone.conf']
        eq((sec, key, read_only), (secret, 'rclone.conf', True))
        eq(env_value(env, 'VMAFX_RCLONE_CONFIG'), '/etc/vmafx/rclone.conf')
    else:
        assert not r.find('Secret', RCLONE_SECRET), 'a rclone Secret without a config'
        assert not referenced, referenced
        assert '/etc/vmafx/rclone.conf' not in files and 'VMAFX_RCLONE_CONFIG' not in env, (files, env)
    for o in r.objects:       # the config's credentials appear in the Secret only
        if o['kind'] != 'Secret':
            assert 'env_auth' not in json.dumps(o), f'rclone.conf text in {o["kind"]} {o["metadata"]["name"]}'


def check_fuse(r, node, want):
    """FUSE privileges only where mount mode (or node.fuse.enabled) needs them."""
    check_restricted('node', node.c['securityContext'], node.spec['securityContext'], want['fuse'])
    host = {n: v['hostPath'] for n, v in node.volumes.items() if 'hostPath' in v}
    if want['fuse']:
        eq(list(host.values()), [{'path': '/dev/fuse', 'type': 'CharDevice'}])
        (name,) = host
        eq([m['mountPath'] for m in node.c['volumeMounts'] if m['name'] == name], ['/dev/fuse'])
        assert 'FUSE is on' in r.notes, r.notes
    else:
        assert not host, f'hostPath volumes without FUSE: {host}'
    tmp = node.volumes[node.mounts()['/tmp']['name']]
    assert 'emptyDir' in tmp, f'/tmp is not an emptyDir: {tmp}'    # the root file system is read-only


def check_scaling(r, node, want):
    """KEDA sizes the node Deployment from the controller's queue metric; the PDB covers nodes."""
    so = r.find('ScaledObject', NODE)
    if want.get('keda'):
        eq(so['spec']['scaleTargetRef'], {'apiVersion': 'apps/v1', 'kind': 'Deployment', 'name': NODE})
        trig = so['spec']['triggers'][0]
        eq(trig['type'], 'prometheus')
        assert re.search(r'vmafx_controller_jobs\{.*pending', trig['metadata']['query']), trig
        eq(trig['metadata']['threshold'], str(want['slots']))
        assert 'replicas' not in node.dep['spec'], 'KEDA owns the replica count'
        sm = r.get('ServiceMonitor', CONTROLLER)
        assert sm['spec']['selector']['matchLabels'].items() <= r.get('Service', CONTROLLER)['metadata']['labels'].items()
        eq((sm['spec']['endpoints'][0]['port'], sm['spec']['endpoints'][0]['path']), ('http', '/metrics'))
    else:
        assert so is None, so
        eq(node.dep['spec']['replicas'], 1)
    pdb = r.get('PodDisruptionBudget', NODE)
    assert pdb['spec']['selector']['matchLabels'].items() <= node.dep['spec']['template']['metadata']['labels'].items()


def check_case(r, want, node_env_names, controller_env_names):
    check_controller(r, want, controller_env_names)
    check_tokens(r, want)
    if not want.get('nodes', True):
        assert not r.find('Deployment', NODE) and not r.find('Secret', RCLONE_SECRET)
        assert 'node.enabled=false' in r.notes, r.notes
        return
    node = Pod(r, NODE, 'vmafx-node-abc12')
    check_node_env(node, want, node_env_names)
    check_rclone_config(r, node, want)
    check_fuse(r, node, want)
    check_scaling(r, node, want)


def cases(env):
    node_names = env_names_of(env.bin('src', 'cli', 'vmafx-node'))
    ctl_names = env_names_of(env.bin('src', 'cli', 'vmafx-controller'))

    def one(name, args, want):
        def run():
            r = render_case(env, args)
            validate(r, scratch(env, f'validate-{name}'))
            check_case(r, want, node_names, ctl_names)
        return run

    if not node_names or not ctl_names:
        def missing():
            raise AssertionError(f'no VMAFX_ variables in --help of the programs in {env.build}')
        yield 'programs_help', missing
        return
    for name, args, want in matrix(env):
        yield f'render_{name}', one(name, args, want)
    yield from lint_cases(env)


def refused(args, *expect):
    p = render_raw(['template', RELEASE, CHART, *args])
    assert p.returncode != 0, f'{args}: rendered, but should be refused'
    for e in expect:
        # helm names a value by its JSON pointer ("at '/storage/mode'")
        assert e in p.stderr or e.replace('.', '/') in p.stderr, \
            f'{args}: error does not say {e!r}: {p.stderr.strip()[-600:]}'
    return p.stderr


def test_schema_refuses_bad_values(env):
    refused(['--set', 'storage.mode=ftp'], 'storage.mode', 'http-serve', 'mount', 'auto')
    refused(['--set', 'storage.mode=rclone'], 'storage.mode')       # the seed's old chart value
    refused(['--set', 'node.slots=0'], 'node.slots')
    refused(['--set', 'node.slots=65'], 'node.slots')
    refused(['--set', 'node.slots=two'], 'node.slots')
    refused(['--set', 'controller.store.type=mysql'], 'controller.store.type')
    refused(['--set', 'storage.mountRoot=relative/dir'], 'storage.mountRoot')
    refused(['--set', 'auth.nodeToken=short'], 'auth.nodeToken')
    refused(['--set', 'auth.tokens[0].token=0123456789abcdefXYZ,auth.tokens[0].role=root'], 'role')
    refused(['--set', 'nodes.enabled=true'], 'nodes')                # a typo is not ignored
    refused(['--set', 'storage.rclone.conf=x'], 'conf')
    refused(['--set', 'storage.verify=sometimes'], 'storage.verify')
    refused(['--set', 'node.terminationGracePeriodSeconds=5'], 'terminationGracePeriodSeconds')
    refused(['--set', 'controller.store.postgres.dsn=mysql://x'], 'dsn')


def test_chart_refuses_contradictions(env):
    conf = conf_file(env)
    refused(['--set', 'controller.replicaCount=2'], 'postgres')
    refused(['--set', 'controller.store.type=postgres'], 'controller.store.postgres.dsn')
    refused(['--set-file', f'storage.rclone.config={conf}', '--set', 'storage.rclone.existingSecret=x'], 'not both')
    refused(['--set', 'node.terminationGracePeriodSeconds=30', '--set', 'node.drainMargin=30'], 'drainMargin')
    refused(['--kube-version', '1.24.0'], 'kubeVersion')


def test_values_reach_the_pods(env):
    """--set syntax (lists, escaped commas, indexed lists, nulls) and values that only pass
    through: storage.remotes/allow on both programs, extra tokens, images, resources."""
    conf = conf_file(env)
    r = render('--set-file', f'storage.rclone.config={conf}',
               '--set', r'storage.allow={s3:media/ok,/data/in}', '--set', 'storage.remotes.s3=s3-prod',
               '--set', 'auth.tokens[0].token=writer-token-0123456789,auth.tokens[0].role=writer,'
                        'auth.tokens[0].name=ci',
               '--set', 'auth.nodeToken=node-token-0123456789abcd,auth.adminToken=admin-token-0123456789ab',
               '--set', 'node.image.repository=registry.example/vmafx-node,node.image.tag=1.2.3',
               '--set', 'node.resources.limits.memory=8Gi', '--set', 'node.resources.requests=null',
               '--set', 'node.slots=3,node.threads=2,node.replicaCount=5',
               '--set-string', 'node.podAnnotations.team=video\\,qa',
               '--set', 'node.nodeSelector.pool=vmaf', '--set', 'node.tolerations[0].key=dedicated,'
                        'node.tolerations[0].operator=Exists,node.tolerations[0].effect=NoSchedule',
               '--namespace', 'media')
    validate(r, scratch(env, 'validate-values'))
    node = Pod(r, NODE, 'n')
    ctl = Pod(r, CONTROLLER, 'c')
    for pod in (node, ctl):
        e = pod.env()
        assert e['VMAFX_STORAGE_ALLOW'] == 's3:media/ok,/data/in' and e['VMAFX_STORAGE_REMOTES'] == 's3=s3-prod', e
    e = node.env()
    assert (e['VMAFX_NODE_SLOTS'], e['VMAFX_THREADS']) == ('3', '2'), e
    eq(node.c['image'], 'registry.example/vmafx-node:1.2.3')
    eq(ctl.c['image'], 'vmafx/vmafx-controller:0.1.0')  # appVersion by default
    assert node.c['resources'] == {'limits': {'memory': '8Gi'}}, node.c['resources']
    eq(node.dep['spec']['replicas'], 5)
    assert node.dep['spec']['template']['metadata']['annotations'] == {'team': 'video,qa'}
    eq(node.spec['nodeSelector'], {'pool': 'vmaf'})
    assert node.spec['tolerations'] == [{'key': 'dedicated', 'operator': 'Exists', 'effect': 'NoSchedule'}]
    auth = r.secret_data(AUTH_SECRET)
    eq(auth['node-token'], 'node-token-0123456789abcd')
    eq(auth['admin-token'], 'admin-token-0123456789ab')
    assert 'writer-token-0123456789 writer ci' in auth['tokens'].splitlines(), auth['tokens']
    assert 'kubectl -n media port-forward svc/vmafx-controller' in r.notes, r.notes
    assert 'vmafx submit' in r.notes and 'admin-token' in r.notes
    # with every token given, rendering is deterministic
    r2 = render(*r.args)
    eq(r2.manifests, r.manifests)


def test_release_names(env):
    """<release>-rclone-config follows the release name; other names stay DNS labels."""
    conf = conf_file(env)
    r = render('--set-file', f'storage.rclone.config={conf}', name='media-qa')
    validate(r, scratch(env, 'validate-names'))
    assert r.find('Secret', 'media-qa-rclone-config')
    node = Pod(r, 'media-qa-vmafx-node', 'n')
    eq(node.files()['/etc/vmafx/rclone.conf'][0], 'media-qa-rclone-config')
    eq(node.env()['VMAFX_CONTROLLER_ADDR'], 'http://media-qa-vmafx-controller:8080')
    r = render(name='a-very-long-release-name-for-a-vmafx-installation-x')
    validate(r, scratch(env, 'validate-long'))


def test_generated_tokens_are_random(env):
    a = render().secret_data(AUTH_SECRET)
    b = render().secret_data(AUTH_SECRET)
    assert a['node-token'] != b['node-token'] and a['admin-token'] != b['admin-token']
    assert re.fullmatch(r'[A-Za-z0-9]{40}', a['node-token']), a['node-token']


def test_seed_command_as_yaml(env):
    """The seed's command, as helm users type it (dry run, YAML), prints the release's
    manifests and NOTES."""
    d = scratch(env, 'seed-yaml')
    render_seed(CONF, workdir=d)      # writes ./rclone.conf, links deploy/
    p = render_raw(['install', 'vmafx', 'deploy/helm/vmafx', '--dry-run=client', '--set-file',
                    'storage.rclone.config=./rclone.conf', '--set', 'storage.mode=http-serve',
                    '--set', 'node.enabled=true'], cwd=d)
    assert p.returncode == 0, p.stderr
    docs = [x for x in p.stdout.split('\n---\n') if x.strip()]
    assert len(docs) >= 7 and '# Source: vmafx/templates/secret-rclone-config.yaml' in p.stdout, p.stdout[:500]
    assert f'rclone.conf: {b64(CONF)}' in p.stdout
    assert 'NOTES:' in p.stdout and 'vmafx submit' in p.stdout


def lint(*args):
    p = subprocess.run([tools(), 'lint', '--strict', CHART, *args], capture_output=True, text=True,
                       timeout=120)
    return p


def lint_cases(env):
    for name, args, _ in matrix(env):
        def one(args=args):
            p = lint(*(args if args is not None else
                       ['--set-file', f'storage.rclone.config={conf_file(env)}', '--set', 'storage.mode=http-serve',
                        '--set', 'node.enabled=true']))
            assert p.returncode == 0 and '0 chart(s) failed' in p.stdout, p.stdout[-1500:] + p.stderr[-1500:]
        yield f'lint_{name}', one


def test_lint_catches_bad_values(env):
    """helm lint --strict is not a rubber stamp: it fails on a value the schema refuses."""
    p = lint('--set', 'storage.mode=ftp')
    assert p.returncode != 0 and "'/storage/mode'" in p.stdout + p.stderr, p.stdout[-1500:]


def test_validator_catches_mistakes(env):
    """The Kubernetes validation is not a rubber stamp: misspelt fields, wrong types and
    dangling references in an otherwise valid release are each refused."""
    conf = conf_file(env)
    base = render('--set-file', f'storage.rclone.config={conf}', '--set', 'storage.mode=mount',
                  '--set', 'node.autoscaling.keda.enabled=true', '--set', 'monitoring.serviceMonitor.enabled=true')

    def spoil(kind, name, fn, expect):
        import copy
        r = copy.deepcopy(base)
        for m in r.manifests:
            o = m['object']
            if o['kind'] == kind and o['metadata']['name'] == name:
                fn(o)
        try:
            validate(r, scratch(env, 'validate-spoilt'))
        except AssertionError as e:
            assert expect in str(e), f'{expect!r} not in {e}'
            return
        raise AssertionError(f'validation passed a spoilt {kind}: {expect}')

    c = lambda o: o['spec']['template']['spec']['containers'][0]
    spoil('Deployment', NODE, lambda o: c(o).__setitem__('securityContex', {}), 'securityContex: unknown field')
    spoil('Deployment', NODE, lambda o: c(o)['securityContext']['capabilities'].__setitem__('ad', ['SYS_ADMIN']),
          'capabilities.ad: unknown field')
    spoil('Deployment', NODE, lambda o: c(o)['volumeMounts'][0].__setitem__('name', 'nope'), 'has no volume')
    spoil('Deployment', CONTROLLER, lambda o: c(o)['resources']['limits'].__setitem__('memory', 'lots'), 'quantity')
    spoil('Deployment', CONTROLLER, lambda o: c(o)['livenessProbe']['httpGet'].__setitem__('port', 'web'),
          'not a container port')
    spoil('Deployment', CONTROLLER, lambda o: o['spec'].pop('selector'), 'selector')
    spoil('Secret', AUTH_SECRET, lambda o: o['metadata'].__setitem__('name', 'Auth_Secret'), 'DNS')
    spoil('ScaledObject', NODE, lambda o: o['spec']['triggers'][0].__setitem__('metdata', {}), 'metdata: unknown')
    spoil('ServiceMonitor', CONTROLLER, lambda o: o['spec']['endpoints'][0].__setitem__('paht', '/x'),
          'paht: unknown')
    spoil('PodDisruptionBudget', NODE, lambda o: o['spec'].__setitem__('maxUnavailable', [1]), 'maxUnavailable')


def values_of():
    """The chart's default values (values.yaml)."""
    with open(os.path.join(CHART, 'values.yaml')) as f:
        return yaml.safe_load(f)


def test_docs_name_real_values(env):
    """Every value docs/deploy.md and the README name exists in values.yaml (docs do not rot
    when values are renamed), and every value of values.yaml is in the docs' table."""
    v = values_of()
    text = open(os.path.join(CHART, '..', '..', '..', 'docs', 'deploy.md')).read()
    readme = open(os.path.join(CHART, '..', '..', '..', 'README.md')).read()
    tops = ('storage', 'auth', 'controller', 'node', 'serviceAccount', 'monitoring')

    def exists(path):
        cur = v
        for part in path.split('.'):
            if not isinstance(cur, dict) or part not in cur:
                return False
            cur = cur[part]
        return True

    named = set()
    for doc in (text, readme):
        for m in re.finditer(r'`([A-Za-z.\\]+)(?:=[^`]*)?`', doc):
            path = m.group(1)
            if path.split('.')[0] in tops and '.' in path and '\\' not in path:
                named.add(path)
                assert exists(path), f'the docs name `{path}`, which values.yaml lacks'
    # every leaf (or group) of values.yaml appears in the values table, written out or as a
    # group like `controller.image.*` or `.nodeSelector`
    table = text[text.index('## Values'):text.index('## Credentials')]

    def leaves(d, prefix):
        for k, val in d.items():
            p = f'{prefix}.{k}' if prefix else k
            if isinstance(val, dict) and val and k not in ('resources', 'strategy', 'requests', 'limits'):
                yield from leaves(val, p)
            else:
                yield p
    missing = []
    for leaf in leaves(v, ''):
        parts = leaf.split('.')
        forms = [leaf, f'.{parts[-1]}`', f'`{".".join(parts[:-1])}.*`', f'{".".join(parts[:-1])}.{{']
        if len(parts) > 2:
            forms.append(f'`{".".join(parts[:-2])}.*`')
        if not any(f in table for f in forms):
            missing.append(leaf)
    assert not missing, f'values missing from the docs/deploy.md table: {missing}'
