"""docs/configuration.md is generated from the settings tables (vmafx-config-doc); this
fails when someone changes a table without regenerating it, and checks that --help of each
program lists what the document lists."""
import os, subprocess

from vmafx_testlib import run

HERE = os.path.dirname(os.path.abspath(__file__))
DOC = os.path.join(HERE, '..', 'docs', 'configuration.md')


def test_configuration_doc_is_current(env):
    gen = env.bin('src', 'cli', 'vmafx-config-doc')
    fresh = run([gen]).stdout
    with open(DOC) as f:
        current = f.read()
    if fresh != current:
        a, b = current.splitlines(), fresh.splitlines()
        first = next((i for i, (x, y) in enumerate(zip(a, b)) if x != y), min(len(a), len(b)))
        raise AssertionError(f'docs/configuration.md is stale at line {first + 1}; regenerate it with '
                             f'{os.path.relpath(gen)} > docs/configuration.md')


def test_help_matches_doc(env):
    with open(DOC) as f:
        doc = f.read()
    for prog in ('vmafx-controller', 'vmafx-node'):
        out = run([env.bin('src', 'cli', prog), '--help']).stdout
        for line in out.splitlines():
            if '--' in line and '[$' in line:
                var = line.rsplit('[$', 1)[1].rstrip(']')
                assert f'`{var}`' in doc, (prog, var)
    for var in ('VMAFX_LISTEN', 'VMAFX_DB', 'VMAFX_TOKENS_FILE', 'VMAFX_LEASE_TTL', 'VMAFX_MAX_LOST_ATTEMPTS',
                'VMAFX_CONTROLLER_ADDR', 'VMAFX_NODE_ID', 'VMAFX_NODE_TOKEN_FILE', 'VMAFX_NODE_SLOTS',
                'VMAFX_STORAGE_MODE', 'VMAFX_RCLONE_CONFIG', 'VMAFX_DRAIN_TIMEOUT', 'VMAFX_TOKEN'):
        assert f'`{var}`' in doc, f'{var} (the Helm chart relies on it) is not documented'
    p = subprocess.run([env.vmafx, 'submit', '--help'], capture_output=True, text=True, timeout=30)
    assert p.returncode == 0 and '--reference' in p.stdout and 'VMAFX_CONTROLLER_ADDR' in p.stdout
