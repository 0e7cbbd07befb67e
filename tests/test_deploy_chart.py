"""The Helm chart (deploy/helm/vmafx), checked with the real helm (v4, from npm: see
tests/deploy/build.sh): `helm lint --strict` and `helm install --dry-run=client` for the seed's
command and a matrix of values; every object validated against the Kubernetes schemas with
strict fields (tests/deploy/validate.mjs), and the wiring checked — the rclone.conf Secret and
its read-only mount, VMAFX_* variables that the programs really read, FUSE privileges only
where mount mode needs them and the restricted profile elsewhere, probes, tokens, the store,
KEDA, the controller's TLS Secret and the nodes' CA, the NetworkPolicies (their selectors
evaluated against the pods' labels), the Ingress, the PrometheusRule (every metric it uses is
one a running controller exports) and the helm test hook. values.schema.json must refuse bad
values, through helm itself."""
import json, os, re, shutil, subprocess, urllib.request

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
TEST_HOOK = f'{RELEASE}-test-score'
TLS = ['--set', 'controller.tls.enabled=true', '--set', 'controller.tls.secretName=vmafx-tls']
NETPOL = ['--set', 'networkPolicy.enabled=true']
INGRESS = ['--set', 'ingress.enabled=true', '--set', 'ingress.className=nginx', '--set', 'ingress.host=vmafx.example.org',
           '--set', 'ingress.tls.secretName=vmafx-example-org',
           '--set', 'ingress.annotations.nginx\\.ingress\\.kubernetes\\.io/proxy-body-size=16m']
HOOK_KEY = 'whsec-chart-0123456789abcdef'
HOOKS = ['--set', 'controller.webhooks.enabled=true', '--set', f'controller.webhooks.secret={HOOK_KEY}',
         '--set', 'controller.webhooks.defaultUrl=https://hooks.example.com/vmafx/done',
         '--set', r'controller.webhooks.allow={https://hooks.example.com/vmafx/,http://receiver.media.svc:8080/}',
         '--set', 'controller.webhooks.publicUrl=https://vmafx.example.org']
RULES = ['--set', 'monitoring.prometheusRule.enabled=true', '--set', 'monitoring.prometheusRule.labels.release=kps',
         '--set', 'monitoring.serviceMonitor.enabled=true']


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
        ('tls', rc + TLS, dict(mode='http-serve', conf=True, fuse=False, store='sqlite',
                               tls=('vmafx-tls', 'vmafx-tls', 'ca.crt', 8081))),
        ('tls_own_ca', TLS + ['--set', 'controller.tls.caSecretName=corp-ca', '--set', 'controller.tls.caKey=bundle.pem',
                              '--set', 'controller.tls.probePort=9102', '--set', 'monitoring.serviceMonitor.enabled=true'],
         dict(mode='http-serve', conf=False, fuse=False, store='sqlite', tls=('vmafx-tls', 'corp-ca', 'bundle.pem', 9102))),
        ('network_policy', rc + NETPOL, dict(mode='http-serve', conf=True, fuse=False, store='sqlite', netpol=True)),
        ('network_policy_custom',
         NETPOL + TLS + ['--set', 'networkPolicy.metricsScraper[0].podSelector.matchLabels.app=vmagent',
                         '--set', 'networkPolicy.ingressController=null',
                         '--set', 'networkPolicy.apiClients[0].namespaceSelector.matchLabels.team=video',
                         '--set', 'networkPolicy.nodeEgress[0].to[0].ipBlock.cidr=52.94.0.0/16',
                         '--set', 'networkPolicy.nodeEgress[0].ports[0].port=443',
                         '--set', 'networkPolicy.nodeEgress[0].ports[0].protocol=TCP'],
         dict(mode='http-serve', conf=False, fuse=False, store='sqlite', netpol=True,
              tls=('vmafx-tls', 'vmafx-tls', 'ca.crt', 8081),
              scraper={'podSelector': {'matchLabels': {'app': 'vmagent'}}}, ingress_controller=None,
              api_clients=[{'namespaceSelector': {'matchLabels': {'team': 'video'}}}],
              node_egress=[{'to': [{'ipBlock': {'cidr': '52.94.0.0/16'}}], 'ports': [{'port': 443, 'protocol': 'TCP'}]}])),
        ('ingress', rc + INGRESS, dict(mode='http-serve', conf=True, fuse=False, store='sqlite', ingress=True)),
        ('prometheus_rule', rc + RULES, dict(mode='http-serve', conf=True, fuse=False, store='sqlite', rules=True)),
        ('no_helm_test', ['--set', 'tests.enabled=false'], dict(mode='http-serve', conf=False, fuse=False,
                                                                store='sqlite', hook=False)),
        ('webhooks', rc + HOOKS, dict(mode='http-serve', conf=True, fuse=False, store='sqlite',
                                      hooks=dict(secret=(f'{CONTROLLER}-webhook', 'secret'), key=HOOK_KEY,
                                                 url='https://hooks.example.com/vmafx/done',
                                                 allow='https://hooks.example.com/vmafx/,http://receiver.media.svc:8080/',
                                                 public='https://vmafx.example.org'))),
        ('webhooks_existing_secret', ['--set', 'controller.webhooks.enabled=true',
                                      '--set', 'controller.webhooks.existingSecret=team-hooks',
                                      '--set', 'controller.webhooks.secretKey=signing-key'],
         dict(mode='http-serve', conf=False, fuse=False, store='sqlite', hooks=dict(secret=('team-hooks', 'signing-key')))),
        ('everything', rc + TLS + NETPOL + INGRESS + RULES + HOOKS + ['--set', 'node.autoscaling.keda.enabled=true'],
         dict(mode='http-serve', conf=True, fuse=False, store='sqlite', keda=True, slots=1, netpol=True,
              ingress=True, rules=True, tls=('vmafx-tls', 'vmafx-tls', 'ca.crt', 8081),
              hooks=dict(secret=(f'{CONTROLLER}-webhook', 'secret'), key=HOOK_KEY,
                         url='https://hooks.example.com/vmafx/done',
                         allow='https://hooks.example.com/vmafx/,http://receiver.media.svc:8080/',
                         public='https://vmafx.example.org'))),
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
    eq(env_value(env, 'VMAFX_CHUNK_FRAMES'), want.get('chunk_frames', '0'))
    probe_port = want['tls'][3] if want.get('tls') else 8080     # TLS: the plain-HTTP probe port
    eq(ctl.probe('livenessProbe'), ('/healthz', probe_port))
    eq(ctl.probe('readinessProbe'), ('/readyz', probe_port))
    for p in ('livenessProbe', 'readinessProbe'):
        assert ctl.c[p]['httpGet'].get('scheme', 'HTTP') == 'HTTP', ctl.c[p]
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
    eq(env_value(env, 'VMAFX_CONTROLLER_ADDR'), f'{"https" if want.get("tls") else "http"}://{CONTROLLER}:8080')
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
        eq((sm['spec']['endpoints'][0]['port'], sm['spec']['endpoints'][0]['path']), (metrics_port(want), '/metrics'))
    else:
        assert so is None, so
        eq(node.dep['spec']['replicas'], 1)
    pdb = r.get('PodDisruptionBudget', NODE)
    assert pdb['spec']['selector']['matchLabels'].items() <= node.dep['spec']['template']['metadata']['labels'].items()


def metrics_port(want):
    return 'probe' if want.get('tls') else 'http'


def check_tls(r, node, want):
    """controller.tls: the kubernetes.io/tls Secret's tls.crt and tls.key read-only under
    /etc/vmafx/tls (no subPath: renewals reach the pod), VMAFX_TLS_CERT/KEY naming them,
    VMAFX_PROBE_LISTEN on the container port the probes use, the Service's probe port; the
    nodes dial https:// and verify with the CA file. Nothing of it without TLS."""
    ctl = Pod(r, CONTROLLER, 'c')
    env = ctl.env_spec()
    svc_ports = {p['name']: p for p in r.get('Service', CONTROLLER)['spec']['ports']}
    if not want.get('tls'):
        assert not {'VMAFX_TLS_CERT', 'VMAFX_TLS_KEY', 'VMAFX_PROBE_LISTEN'} & set(env), env
        assert 'probe' not in svc_ports and '/etc/vmafx/tls' not in ctl.mounts()
        assert node is None or 'VMAFX_CONTROLLER_CA_FILE' not in node.env_spec()
        return
    secret, ca_secret, ca_key, probe_port = want['tls']
    files = ctl.files()
    eq(files[env_value(env, 'VMAFX_TLS_CERT')][:2], (secret, 'tls.crt'))
    eq(files[env_value(env, 'VMAFX_TLS_KEY')][:2], (secret, 'tls.key'))
    mount = ctl.mounts()['/etc/vmafx/tls']
    assert mount.get('readOnly') is True and 'subPath' not in mount, mount
    eq(ctl.volumes[mount['name']]['secret']['secretName'], secret)
    eq(env_value(env, 'VMAFX_PROBE_LISTEN'), f'0.0.0.0:{probe_port}')
    eq(ctl.port('probe'), probe_port)
    assert ctl.port('http') != probe_port
    eq((svc_ports['probe']['port'], svc_ports['probe']['targetPort']), (probe_port, 'probe'))
    eq((svc_ports['http']['port'], svc_ports['http']['targetPort']), (8080, 'http'))
    clients = [node] if node else []
    if want.get('hook', True) and node:
        clients.append(Pod(r, r.hook(TEST_HOOK), 't'))
    for pod in clients:
        e = pod.env_spec()
        eq(env_value(e, 'VMAFX_CONTROLLER_ADDR'), f'https://{CONTROLLER}:8080')
        sec, key, _, read_only = pod.files()[env_value(e, 'VMAFX_CONTROLLER_CA_FILE')]
        eq((sec, key, read_only), (ca_secret, ca_key, True))


def selects(selector, labels):
    """Whether a LabelSelector selects an object with these labels (matchLabels and
    matchExpressions, as the API server evaluates them)."""
    if not all(labels.get(k) == v for k, v in (selector.get('matchLabels') or {}).items()):
        return False
    for e in selector.get('matchExpressions') or []:
        have, op, vals = e['key'] in labels, e['operator'], e.get('values') or []
        ok = {'In': have and labels[e['key']] in vals, 'NotIn': not have or labels[e['key']] not in vals,
              'Exists': have, 'DoesNotExist': not have}[op]
        if not ok:
            return False
    return True


def peer_selects(peer, pod_labels, ns_labels):
    """Whether a NetworkPolicyPeer of a policy in ns admits a pod (labels) in a namespace
    (labels): a podSelector alone means the policy's own namespace."""
    if 'ipBlock' in peer:
        return False
    if 'namespaceSelector' in peer:
        if not selects(peer['namespaceSelector'], ns_labels):
            return False
    elif ns_labels.get('kubernetes.io/metadata.name') != 'default':
        return False
    return selects(peer.get('podSelector') or {}, pod_labels)


def allowed_ports(policy, pod_labels, ns_labels, direction='ingress'):
    """The ports a policy lets a pod (labels, namespace labels) reach (ingress) or the rules
    that reach it (egress: peers are destinations)."""
    out = []
    key = 'from' if direction == 'ingress' else 'to'
    for rule in policy['spec'].get(direction) or []:
        if any(peer_selects(p, pod_labels, ns_labels) for p in rule.get(key) or []):
            out += [p['port'] for p in rule.get('ports') or []]
    return out


def check_network_policy(r, node, want):
    """The controller admits its API from this release's nodes and test pod, the ingress
    controller and apiClients, /metrics from the scraper, nothing from elsewhere; nodes admit
    nothing and reach the controller, DNS, the test pod and the configured object stores.
    Each selector is evaluated against the labels of the pods the chart renders."""
    pols = r.all('NetworkPolicy')
    if not want.get('netpol'):
        assert not pols, pols
        return
    ctl = Pod(r, CONTROLLER, 'c')
    ctl_labels, node_labels = ctl.meta['labels'], node.meta['labels']
    hook = r.hook(TEST_HOOK) if want.get('hook', True) else None
    default_ns = {'kubernetes.io/metadata.name': 'default'}
    cp = r.get('NetworkPolicy', CONTROLLER)
    assert selects(cp['spec']['podSelector'], ctl_labels) and not selects(cp['spec']['podSelector'], node_labels)
    eq(cp['spec']['policyTypes'], ['Ingress'])
    ctl_ports = {p['name'] for p in ctl.c['ports']}
    for rule in cp['spec']['ingress']:
        for p in rule['ports']:
            assert p['port'] in ctl_ports, f'{p} is not a port of the controller container {ctl_ports}'
    eq(allowed_ports(cp, node_labels, default_ns), ['http'])
    if hook:
        eq(allowed_ports(cp, hook['metadata']['labels'], default_ns), ['http'])
    # another release's nodes, or any other pod of the namespace, are not let in
    other = dict(node_labels, **{'app.kubernetes.io/instance': 'other'})
    eq(allowed_ports(cp, other, default_ns), [])
    eq(allowed_ports(cp, {'app': 'debug'}, default_ns), [])
    ingress_ns = {'kubernetes.io/metadata.name': 'ingress-nginx'}
    ingress_pod = {'app.kubernetes.io/name': 'ingress-nginx', 'app.kubernetes.io/component': 'controller'}
    prom_ns = {'kubernetes.io/metadata.name': 'monitoring'}
    prom_pod = {'app.kubernetes.io/name': 'prometheus', 'prometheus': 'kps'}
    if 'ingress_controller' in want:
        eq(allowed_ports(cp, ingress_pod, ingress_ns), [])
    else:
        eq(allowed_ports(cp, ingress_pod, ingress_ns), ['http'])
        eq(allowed_ports(cp, ingress_pod, default_ns), [])      # the namespace counts too
    scraper = want.get('scraper')
    if scraper:
        eq(allowed_ports(cp, {'app': 'vmagent'}, default_ns), [metrics_port(want)])
        eq(allowed_ports(cp, prom_pod, prom_ns), [])
    else:
        eq(allowed_ports(cp, prom_pod, prom_ns), [metrics_port(want)])
    video = {'kubernetes.io/metadata.name': 'video', 'team': 'video'}
    eq(allowed_ports(cp, {'app': 'batch'}, video), ['http'] if want.get('api_clients') else [])
    eq(allowed_ports(cp, {'app': 'batch'}, {'kubernetes.io/metadata.name': 'audio', 'team': 'audio'}), [])

    np_ = r.get('NetworkPolicy', NODE)
    assert selects(np_['spec']['podSelector'], node_labels) and not selects(np_['spec']['podSelector'], ctl_labels)
    eq(sorted(np_['spec']['policyTypes']), ['Egress', 'Ingress'])
    assert not np_['spec'].get('ingress'), 'nodes serve nothing'
    eq(allowed_ports(np_, ctl_labels, default_ns, 'egress'), [ctl.port('http')])
    dns = {'k8s-app': 'kube-dns'}
    eq(sorted((p['port'], p['protocol']) for rule in np_['spec']['egress'] for p in rule['ports']
              if any(peer_selects(x, dns, {'kubernetes.io/metadata.name': 'kube-system'}) for x in rule.get('to', []))),
       [(53, 'TCP'), (53, 'UDP')])
    if hook:
        h = Pod(r, hook, 't')
        eq(allowed_ports(np_, hook['metadata']['labels'], default_ns, 'egress'), [h.port('pair')])
        eq(h.env()['VMAFX_TEST_PORT'], str(h.port('pair')))
    stores = want.get('node_egress', [{'ports': [{'port': 443, 'protocol': 'TCP'}]}])
    for rule in stores:
        assert rule in np_['spec']['egress'], f'{rule} not in {np_["spec"]["egress"]}'


def check_notes(r, want):
    """NOTES.txt gives an address that works with the case's values."""
    if want.get('ingress'):
        assert 'VMAFX_CONTROLLER_ADDR=https://vmafx.example.org' in r.notes, r.notes
    elif want.get('tls'):
        assert f'VMAFX_CONTROLLER_ADDR=https://{CONTROLLER}:8080' in r.notes and 'VMAFX_CONTROLLER_CA_FILE' in r.notes
    else:
        assert 'VMAFX_CONTROLLER_ADDR=http://127.0.0.1:8080' in r.notes, r.notes
    assert ('helm test vmafx' in r.notes) == (want.get('hook', True) and want.get('nodes', True)), r.notes


def check_ingress(r, want):
    """The API and /ui/ (the dashboard's path, served by the controller for now) of one host,
    to the controller Service's http port, with the class, TLS Secret and annotations."""
    ings = r.all('Ingress')
    if not want.get('ingress'):
        assert not ings, ings
        return
    (ing,) = ings
    eq(ing['spec']['ingressClassName'], 'nginx')
    eq(ing['spec']['tls'], [{'hosts': ['vmafx.example.org'], 'secretName': 'vmafx-example-org'}])
    eq(ing['metadata']['annotations'], {'nginx.ingress.kubernetes.io/proxy-body-size': '16m'})
    (rule,) = ing['spec']['rules']
    eq(rule['host'], 'vmafx.example.org')
    svc = r.get('Service', CONTROLLER)
    svc_ports = {p['name'] for p in svc['spec']['ports']}
    eq(sorted((p['path'], p['pathType']) for p in rule['http']['paths']), [('/', 'Prefix'), ('/ui/', 'Prefix')])
    for p in rule['http']['paths']:
        eq(p['backend']['service']['name'], CONTROLLER)
        assert p['backend']['service']['port']['name'] in svc_ports, p


def check_prometheus_rule(r, want, exported):
    """Alerts on jobs failing, a queue no node takes from, nodes lost, jobs given up, inputs
    the nodes cannot prepare, webhook deliveries failing; every
    metric (and label value) their expressions use is one the controller exports, selected by
    the labels the ServiceMonitor's scrape gives it."""
    rules = r.all('PrometheusRule')
    if not want.get('rules'):
        assert not rules, rules
        return
    (pr,) = rules
    eq(pr['metadata']['labels'].get('release'), 'kps')
    alerts = {a['alert']: a for g in pr['spec']['groups'] for a in g['rules']}
    eq(sorted(alerts), ['VmafxInputPrepareFailing', 'VmafxJobsFailing', 'VmafxJobsGivenUp', 'VmafxNoNodes',
                        'VmafxNodesLost', 'VmafxQueueStuck', 'VmafxWebhooksFailing'])
    uses = {'VmafxJobsFailing': 'vmafx_controller_jobs_finished_total',
            'VmafxQueueStuck': 'vmafx_controller_oldest_pending_age_seconds',
            'VmafxNoNodes': 'vmafx_controller_nodes_live', 'VmafxNodesLost': 'vmafx_controller_leases_expired_total',
            'VmafxJobsGivenUp': 'vmafx_controller_jobs_given_up_total',
            'VmafxInputPrepareFailing': 'vmafx_controller_input_prepare_failures_total',
            'VmafxWebhooksFailing': 'vmafx_controller_webhook_attempts_total'}
    for name, a in alerts.items():
        expr = a['expr']
        assert uses[name] in expr, (name, expr)
        assert expr.count('(') == expr.count(')') and expr.count('{') == expr.count('}'), expr
        assert a['labels']['severity'] in ('warning', 'critical') and a['annotations']['summary'], a
        for m in re.finditer(r'\b(vmafx_[a-z0-9_]+)\{([^}]*)\}', expr):
            metric, sel = m.groups()
            assert metric in exported, f'{name} uses {metric}, which the controller does not export'
            labels = dict(re.findall(r'(\w+)="([^"]*)"', sel))
            eq((labels.get('namespace'), labels.get('service')), ('default', CONTROLLER))
            for k, v in labels.items():
                if k not in ('namespace', 'service'):
                    assert (k, v) in exported[metric], f'{name}: {metric} has no series {k}="{v}"'
        assert not re.search(r'\bvmafx_[a-z0-9_]+(?![a-z0-9_{])', expr), f'{name}: a metric without selector: {expr}'
    sm = r.get('ServiceMonitor', CONTROLLER)      # the scrape that gives those labels
    assert sm['spec']['selector']['matchLabels'].items() <= r.get('Service', CONTROLLER)['metadata']['labels'].items()


def check_test_hook(r, node, want):
    """helm test: a Pod hook in the node image running files/helm-test.sh, with the nodes'
    controller address, a writer token (the auth Secret's admin-token) and the restricted
    profile; none without nodes or with tests.enabled=false."""
    hooks = [h for h in r.hooks if h['metadata']['annotations'].get('helm.sh/hook') == 'test']
    if not want.get('hook', True) or node is None:
        assert not hooks, hooks
        return
    (hook,) = hooks
    eq(hook['kind'], 'Pod')
    eq(hook['metadata']['name'], TEST_HOOK)
    eq(hook['spec']['restartPolicy'], 'Never')
    t = Pod(r, hook, 't')
    eq(t.c['image'], node.c['image'])
    eq(t.c['command'], ['/bin/sh', '-c'])
    eq(t.c['args'], [open(os.path.join(CHART, 'files', 'helm-test.sh')).read()])
    env = t.env_spec()
    eq(env_value(env, 'VMAFX_CONTROLLER_ADDR'), env_value(node.env_spec(), 'VMAFX_CONTROLLER_ADDR'))
    eq(env['POD_IP']['valueFrom']['fieldRef']['fieldPath'], 'status.podIP')
    eq(t.files()[env_value(env, 'VMAFX_TOKEN_FILE')][:2], (want.get('auth_secret', AUTH_SECRET), 'admin-token'))
    check_restricted('test hook', t.c['securityContext'], t.spec['securityContext'], fuse=False)
    assert 'emptyDir' in t.volumes[t.mounts()['/tmp']['name']]
    eq(t.meta['labels']['app.kubernetes.io/component'], 'test')


def check_webhooks(r, want):
    """controller.webhooks: the signing key's Secret (made from .secret, or .existingSecret)
    projected read-only at the path VMAFX_WEBHOOK_SECRET_FILE names, the default URL, the
    allow-list and the public URL as the variables the controller reads; the key appears in
    its Secret only. Nothing of it when off."""
    ctl = Pod(r, CONTROLLER, 'c')
    env, files = ctl.env_spec(), ctl.files()
    made = f'{CONTROLLER}-webhook'
    hooks = want.get('hooks')
    if not hooks:
        assert not {n for n in env if n.startswith('VMAFX_WEBHOOK_') or n == 'VMAFX_PUBLIC_URL'}, env
        assert not r.find('Secret', made) and '/etc/vmafx/webhook-secret' not in files, files
        return
    sec, key, text, read_only = files[env_value(env, 'VMAFX_WEBHOOK_SECRET_FILE')]
    eq((sec, key, read_only), hooks['secret'] + (True,))
    if hooks.get('key'):
        eq(text, hooks['key'])
        eq(r.get('Secret', made)['type'], 'Opaque')
        for o in r.objects:
            if o['kind'] != 'Secret':
                assert hooks['key'] not in json.dumps(o), f'the webhook key in {o["kind"]} {o["metadata"]["name"]}'
    else:
        assert not r.find('Secret', made), 'existingSecret set, yet the chart made one'
    for var, k in (('VMAFX_WEBHOOK_URL', 'url'), ('VMAFX_WEBHOOK_ALLOW', 'allow'), ('VMAFX_PUBLIC_URL', 'public')):
        if k in hooks:
            eq(env_value(env, var), hooks[k])
        else:
            assert var not in env, env


def check_webhooks_run(env, r):
    """The controller started with the pod's webhook variables and its Secret file takes them:
    the key loads, the default URL passes the allow-list."""
    from controller_testlib import Proc, free_port, wait_until, Api
    ctl = Pod(r, CONTROLLER, 'c')
    d = scratch(env, 'webhooks-controller')
    root = os.path.join(d, 'root')
    ctl.materialize(root)
    e = {k: v for k, v in os.environ.items() if not k.startswith('VMAFX_')}
    e.update({k: v for k, v in ctl.env().items() if k.startswith('VMAFX_WEBHOOK_') or k == 'VMAFX_PUBLIC_URL'})
    e['VMAFX_WEBHOOK_SECRET_FILE'] = os.path.join(root, e['VMAFX_WEBHOOK_SECRET_FILE'].lstrip('/'))
    port = free_port()
    p = Proc('controller', [env.bin('src', 'cli', 'vmafx-controller'), '--listen', f'127.0.0.1:{port}',
                            '--db', os.path.join(d, 'vmafx.db')], os.path.join(d, 'controller.log'), e)
    try:
        api = Api(port)
        wait_until("the controller with the chart's webhook settings", lambda: _up(port) or not p.alive(), timeout=15)
        assert p.alive(), p.tail()
        jid = api.submit('/data/ref.y4m', '/data/dis.y4m')
        eq(api.job(jid)['webhook']['url'], e['VMAFX_WEBHOOK_URL'])
        st, obj, _ = api.call('POST', '/v1/jobs', {'reference_uri': '/data/ref.y4m', 'distorted_uri': '/data/dis.y4m',
                                                   'webhook_url': 'https://elsewhere.example.net/x'})
        assert st == 400 and 'webhook-allow' in obj['error'], (st, obj)
    finally:
        p.stop()


def _up(port):
    import socket
    with socket.socket() as s:
        return s.connect_ex(('127.0.0.1', port)) == 0


def check_case(r, want, node_env_names, controller_env_names, exported=None):
    check_controller(r, want, controller_env_names)
    check_webhooks(r, want)
    check_tokens(r, want)
    check_notes(r, want)
    check_ingress(r, want)
    check_prometheus_rule(r, want, exported)
    if not want.get('nodes', True):
        assert not r.find('Deployment', NODE) and not r.find('Secret', RCLONE_SECRET)
        assert 'node.enabled=false' in r.notes, r.notes
        check_tls(r, None, want)
        check_test_hook(r, None, want)
        return
    node = Pod(r, NODE, 'vmafx-node-abc12')
    check_node_env(node, want, node_env_names)
    check_rclone_config(r, node, want)
    check_fuse(r, node, want)
    check_scaling(r, node, want)
    check_tls(r, node, want)
    check_network_policy(r, node, want)
    check_test_hook(r, node, want)


def exported_metrics(env):
    """{metric: {(label, value)}} of a running controller's /metrics (histograms by their
    base name)."""
    from controller_testlib import Proc, free_port, wait_until
    d = scratch(env, 'metrics-controller')
    port = free_port()
    p = Proc('controller', [env.bin('src', 'cli', 'vmafx-controller'), '--listen', f'127.0.0.1:{port}',
                            '--db', os.path.join(d, 'vmafx.db')], os.path.join(d, 'controller.log'),
             {k: v for k, v in os.environ.items() if not k.startswith('VMAFX_')})
    try:
        def get():
            assert p.alive(), p.tail()
            try:
                return urllib.request.urlopen(f'http://127.0.0.1:{port}/metrics', timeout=2).read().decode()
            except OSError:
                return None
        text = wait_until('the controller to answer /metrics', get, timeout=20)
    finally:
        p.kill9()
    out = {}
    for m in re.finditer(r'^# TYPE (\w+) (\w+)$', text, re.M):
        out[m.group(1)] = set()
    for m in re.finditer(r'^(\w+?)(?:_bucket|_sum|_count)?(?:\{([^}]*)\})? \S+$', text, re.M):
        name = m.group(1) if m.group(1) in out else re.sub(r'_(bucket|sum|count)$', '', m.group(1))
        out.setdefault(name, set()).update(re.findall(r'(\w+)="([^"]*)"', m.group(2) or ''))
    assert 'vmafx_controller_jobs_finished_total' in out, text[:1000]
    return out


def cases(env):
    node_names = env_names_of(env.bin('src', 'cli', 'vmafx-node'))
    ctl_names = env_names_of(env.bin('src', 'cli', 'vmafx-controller'))

    exported = []

    def one(name, args, want):
        def run():
            r = render_case(env, args)
            validate(r, scratch(env, f'validate-{name}'))
            if want.get('rules') and not exported:
                exported.append(exported_metrics(env))
            check_case(r, want, node_names, ctl_names, exported[0] if exported else None)
            if name == 'webhooks':
                check_webhooks_run(env, r)
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
    refused(['--set', 'controller.tls.probePort=0'], 'controller.tls.probePort')
    refused(['--set', 'controller.tls.probePort=70000'], 'controller.tls.probePort')
    refused(['--set', 'controller.tls.secretName=My_Cert'], 'controller.tls.secretName')
    refused(['--set', 'controller.tls.enable=true'], 'enable')                    # a typo
    refused(['--set', 'ingress.host=https://vmafx.example.org'], 'ingress.host')
    refused(['--set', 'ingress.tls.secret=x'], 'secret')
    refused(['--set', 'ingress.className=Nginx Plus'], 'ingress.className')
    refused(['--set', 'networkPolicy.nodeEgress[0].ports[0].protocol=ICMP'], 'protocol')
    refused(['--set', 'networkPolicy.nodeEgress[0].to[0].ipBlock.cidr=10.0.0.0'], 'cidr')
    refused(['--set', 'networkPolicy.metricsScraper[0].podSelector.matchLabel.app=x'], 'matchLabel')
    refused(['--set', 'networkPolicy.enabled=yes'], 'networkPolicy.enabled')
    refused(['--set', 'monitoring.prometheusRule.failedRatio=2'], 'failedRatio')
    refused(['--set', 'monitoring.prometheusRule.pendingAgeSeconds=0'], 'pendingAgeSeconds')
    refused(['--set', 'tests.servePort=0'], 'tests.servePort')
    refused(['--set', 'controller.webhooks.secret=short'], 'controller.webhooks.secret')
    refused(['--set', 'controller.webhooks.defaultUrl=ftp://hooks.example.com/x'], 'defaultUrl')
    refused(['--set', 'controller.webhooks.allow={hooks.example.com}'], 'allow')
    refused(['--set', 'controller.webhooks.existingSecret=Team_Hooks'], 'existingSecret')
    refused(['--set', 'controller.webhooks.url=https://x/'], 'url')                       # a typo
    refused(['--set', 'monitoring.prometheusRule.webhookFailures=-1'], 'webhookFailures')
    refused(['--set', 'monitoring.prometheusRule.prepareFailures=some'], 'prepareFailures')
    refused(['--set', 'controller.chunkFrames=-1'], 'controller.chunkFrames')
    refused(['--set', 'controller.chunkFrames=many'], 'controller.chunkFrames')
    refused(['--set', 'controller.chunkFrames=2.5'], 'controller.chunkFrames')


def test_chart_refuses_contradictions(env):
    conf = conf_file(env)
    refused(['--set', 'controller.replicaCount=2'], 'postgres')
    refused(['--set', 'controller.store.type=postgres'], 'controller.store.postgres.dsn')
    refused(['--set-file', f'storage.rclone.config={conf}', '--set', 'storage.rclone.existingSecret=x'], 'not both')
    refused(['--set', 'node.terminationGracePeriodSeconds=30', '--set', 'node.drainMargin=30'], 'drainMargin')
    refused(['--kube-version', '1.24.0'], 'kubeVersion')
    refused(['--set', 'controller.tls.enabled=true'], 'controller.tls.secretName')
    refused(TLS + ['--set', 'controller.tls.probePort=8080'], 'probePort')
    refused(['--set', 'controller.webhooks.enabled=true'], 'controller.webhooks.secret')
    refused(HOOKS + ['--set', 'controller.webhooks.existingSecret=x'], 'not both')
    refused(['--set', 'controller.webhooks.defaultUrl=https://hooks.example.com/x'], 'controller.webhooks.enabled')


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
               '--set', 'controller.chunkFrames=1500',
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
    eq(ctl.env()['VMAFX_CHUNK_FRAMES'], '1500')
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
                  '--set', 'node.autoscaling.keda.enabled=true', '--set', 'monitoring.serviceMonitor.enabled=true',
                  *NETPOL, *INGRESS, *RULES)

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
    spoil('NetworkPolicy', NODE, lambda o: o['spec']['egress'][0].__setitem__('too', []), 'too: unknown')
    spoil('NetworkPolicy', CONTROLLER, lambda o: o['spec']['ingress'][0]['from'][0].__setitem__('podSelecter', {}),
          'podSelecter: unknown')
    spoil('Ingress', CONTROLLER, lambda o: o['spec']['rules'][0]['http']['paths'][0].__setitem__('pathTyp', 'Prefix'),
          'pathTyp: unknown')
    spoil('PrometheusRule', CONTROLLER, lambda o: o['spec']['groups'][0]['rules'][0].__setitem__('alrt', 'x'),
          'alrt: unknown')


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
    tops = ('storage', 'auth', 'controller', 'node', 'serviceAccount', 'monitoring', 'ingress', 'networkPolicy',
            'tests')

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
