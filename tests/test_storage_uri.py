"""Storage checks that need no server: the URI table, escaping and traversal, the allow-list
and metadata addresses, configuration errors at start-up, GCS mapping and config checks,
the integrity verifier, local passthrough. Each runs build/src/storage/vmafx-storage."""
import os, shutil

from storage_testlib import StorageTool

TABLE = [
    ('s3://bucket/key/file.yuv', 's3:bucket/key/file.yuv'),
    ('gcs://bucket/dir/file.yuv', 'gcs:bucket/dir/file.yuv'),
    ('azblob://container/blob.yuv', 'azblob:container/blob.yuv'),
    ('sftp://user@host/path/file.yuv', 'sftp,host=host,user=user:path/file.yuv'),
    ('sftp://user@host:2222/path/file.yuv', 'sftp,host=host,user=user,port=2222:path/file.yuv'),
    ('sftp://host/file.yuv', 'sftp,host=host:file.yuv'),
    ('sftp://u@[::1]:22/a/b.yuv', 'sftp,host="::1",user=u,port=22:a/b.yuv'),
    ('rclone://s3-prod:bucket/file.yuv', 's3-prod:bucket/file.yuv'),
    ('s3-prod:bucket/file.yuv', 's3-prod:bucket/file.yuv'),
    (':local:/srv/media/a.yuv', ':local:/srv/media/a.yuv'),
    ('http://host/file.yuv', 'http://host/file.yuv'),
    ('https://host/dir/file.yuv?x=1', 'https://host/dir/file.yuv?x=1'),
    ('/local/path/file.yuv', '/local/path/file.yuv'),
    ('file:///local/path/file.yuv', '/local/path/file.yuv'),
    ('file://localhost/local/path/file.yuv', '/local/path/file.yuv'),
    ('relative/a:b.yuv', 'relative/a:b.yuv'),
    ('s3://b/a%20b/%C3%A9t%C3%A9%2B.yuv', 's3:b/a b/été+.yuv'),
    ('s3://b/plain space/ü.yuv', 's3:b/plain space/ü.yuv'),
    ('rclone://s3-prod:b/x%25y.yuv', 's3-prod:b/x%y.yuv'),
]

REFUSED = [
    ('s3://b/a/../etc/passwd', "'..' in the path"),
    ('s3://b/a/%2e%2e/x', "'..' in the path"),
    ('s3://b/a%2F..%2Fx', "'..' in the path"),
    ('rclone://s3:b/%2E%2E/x', "'..' in the path"),
    ('s3-prod:b/../x', "'..' in the path"),
    ('http://host/a/%2e%2e/b', "'..' in the path"),
    ('file:///srv/%2e%2e/etc/passwd', "'..' in the path"),
    ('s3://b/a%00b', 'bad percent-encoding'),
    ('s3://b/a%zz', 'bad percent-encoding'),
    ('s3://bucket', 'names a bucket'),
    ('s3://bucket/', 'names a bucket'),
    ('s3-prod:bucket/dir/', 'names a bucket or directory'),
    ('sftp://u:secretpw@h/x', 'passwords in URIs are not accepted'),
    (':s3,access_key_id=AK,secret_access_key=SK:b/k', 'credentials in a connection string'),
    ('sftp,pass=xyz:a/b', 'credentials in a connection string'),
    ('ftp://host/x', "unsupported URI scheme 'ftp'"),
    ('file://otherhost/x', 'must name a local path'),
]


def _tool(env):
    return StorageTool(env)


def _map(env, *uris, settings=None):
    p = _tool(env).run('map', *uris, settings=settings)
    rows = [line.split('\t') for line in p.stdout.splitlines()]
    if len(rows) != len(uris):
        raise AssertionError(f'map: {len(uris)} inputs gave {len(rows)} rows: {p.stdout!r}')
    return rows


# inputs that define a remote (':local:...') need the operator's opt-in
OPT_IN = {'storage-connection-strings': 'allow'}


def test_storage_uri_table(env):
    rows = _map(env, *[u for u, _ in TABLE], settings=OPT_IN)
    for (uri, want), row in zip(TABLE, rows):
        if row[0] == 'error' or row[1] != want:
            raise AssertionError(f'{uri}: expected {want}, got {row}')


def test_storage_uri_roots(env):
    """One serve process per remote root: bucket / container / top directory."""
    rows = _map(env, 's3://media/a/b.yuv', 'sftp://u@h/media/x.y4m', 'sftp://u@h/top.y4m', ':local:/srv/m/a.yuv',
                settings=OPT_IN)
    want = [('s3:media/', 'a/b.yuv'), ('sftp,host=h,user=u:media/', 'x.y4m'), ('sftp,host=h,user=u:', 'top.y4m'),
            (':local:/srv/', 'm/a.yuv')]
    for row, (root, rel) in zip(rows, want):
        if row[2:] != [root, rel]:
            raise AssertionError(f'{row[1]}: expected root {root} rel {rel}, got {row[2:]}')


def test_storage_uri_connection_strings(env):
    """An input names a remote of rclone.conf; defining one (on-the-fly backend, parameters)
    needs --storage-connection-strings allow. The sftp:// mapping is not affected."""
    uris = [':local:/srv/a.yuv', 'rclone://:s3:b/a.yuv', 's3-prod,region=x:b/a.yuv']
    for row in _map(env, *uris):
        if row[0] != 'error' or 'connection-string parameters are refused' not in row[1]:
            raise AssertionError(f'not refused by default: {row}')
    for row in _map(env, *uris, settings=OPT_IN):
        if row[0] == 'error':
            raise AssertionError(f'refused with the opt-in: {row}')
    if _map(env, 'sftp://u@h/a.yuv')[0][0] == 'error':
        raise AssertionError('sftp:// refused')
    p = _tool(env).run('map', 'x:y', settings={'storage-connection-strings': 'maybe'})
    if p.returncode == 0 or 'expected refuse or allow' not in p.stderr:
        raise AssertionError(f'a bad value was accepted: {p.stderr}')


def test_storage_uri_refusals(env):
    rows = _map(env, *[u for u, _ in REFUSED])
    for (uri, why), row in zip(REFUSED, rows):
        if row[0] != 'error' or why not in row[1]:
            raise AssertionError(f'{uri}: expected refusal "{why}", got {row}')
        for secret in ('secretpw', 'SK', 'xyz'):
            if f'={secret}' in row[1] or f':{secret}@' in row[1]:
                raise AssertionError(f'{uri}: the message shows a credential: {row[1]}')


def test_storage_uri_scheme_map(env):
    """The scheme -> remote name map is configurable (and adds bucket schemes like gs://)."""
    rows = _map(env, 's3://b/k.yuv', 'gs://b/k.yuv', 'sftp://u@h/p/k.yuv',
                settings={'storage-remotes': 's3=s3-prod,gs=gcs,sftp=backup'})
    want = ['s3-prod:b/k.yuv', 'gcs:b/k.yuv', 'backup,host=h,user=u:p/k.yuv']
    got = [r[1] for r in rows]
    if got != want:
        raise AssertionError(f'expected {want}, got {got}')


def test_storage_metadata_addresses(env):
    tool = _tool(env)
    for url in ('http://169.254.169.254/latest/meta-data/', 'http://2852039166/', 'http://0xa9.0xfe.0xa9.0xfe/',
                'http://[fd00:ec2::254]/x', 'http://[::ffff:169.254.1.1]/x', 'http://[fe80::1]/x',
                'http://metadata.google.internal/computeMetadata/v1/'):
        p = tool.run('check-url', url)
        if p.returncode == 0 or 'metadata' not in p.stdout:
            raise AssertionError(f'{url} was not refused: {p.stdout}')
    p = tool.run('check-url', 'http://169.254.169.254/latest/x', settings={'storage-allow': 'http://169.254.169.254/latest'})
    if p.returncode:
        raise AssertionError(f'an explicitly allowed metadata URL was refused: {p.stdout}')
    for url in ('http://127.0.0.1:8080/a.yuv', 'https://example.invalid/a.yuv'):
        p = tool.run('check-url', url)
        if p.returncode:
            raise AssertionError(f'{url} refused: {p.stdout}')
    p = tool.run('check-url', 's3://b/k')
    if p.returncode == 0:
        raise AssertionError('a redirect to a non-http URL was accepted')


def test_storage_config_errors(env):
    """Unknown mode, verify level or remote map: a clear error at start, before anything runs."""
    tool = _tool(env)
    p = tool.run('check', '/dev/null', settings={'storage-mode': 'bogus'})
    if p.returncode != 2 or "unknown storage mode 'bogus'" not in p.stderr:
        raise AssertionError(f'unknown mode: {p.returncode} {p.stderr}')
    p = tool.run('check', '/dev/null', env=tool.environ({'VMAFX_STORAGE_MODE': 'fuse'}))
    if p.returncode != 2 or "unknown storage mode 'fuse'" not in p.stderr:
        raise AssertionError(f'unknown mode from the environment: {p.returncode} {p.stderr}')
    p = tool.run('check', '/dev/null', settings={'storage-verify': 'sometimes'})
    if p.returncode != 2 or 'unknown storage verify level' not in p.stderr:
        raise AssertionError(f'unknown verify level: {p.stderr}')
    p = tool.run('check', '/dev/null', settings={'rclone-config': '/nonexistent/rclone.conf'})
    if p.returncode == 0 or '/nonexistent/rclone.conf' not in p.stderr:
        raise AssertionError(f'missing rclone config: {p.stderr}')


def test_storage_mount_without_fuse(env):
    """mount mode where FUSE is not usable (here: no fusermount3 helper) stops at start."""
    tool = _tool(env)
    bindir = os.path.join(env.scratch, 'storage-nofuse-bin')
    os.makedirs(bindir, exist_ok=True)
    link = os.path.join(bindir, 'rclone')
    if not os.path.lexists(link):
        os.symlink(shutil.which('rclone') or '/usr/bin/rclone', link)
    e = tool.environ({'PATH': bindir})
    p = tool.run('check', '/dev/null', settings={'storage-mode': 'mount'}, env=e)
    if p.returncode == 0 or "storage mode 'mount' needs FUSE" not in p.stderr or 'fusermount3' not in p.stderr:
        raise AssertionError(f'mount without FUSE: {p.returncode} {p.stderr}')
    p = tool.run('check', '/dev/null', settings={'storage-mode': 'auto'}, env=e)
    if p.returncode:
        raise AssertionError(f'auto mode must start without FUSE: {p.stderr}')


def test_storage_gcs_config(env):
    """No emulator for GCS: the mapping, and the refusal of a remote the config lacks, before
    any process starts."""
    tool = _tool(env)
    conf = os.path.join(env.scratch, 'storage-gcs-rclone.conf')
    with open(conf, 'w') as f:
        f.write('[s3]\ntype = s3\nprovider = Other\n')
    e = tool.environ({'VMAFX_RCLONE_CONFIG': conf})
    p = tool.fails("input gcs://bucket/dir/a.yuv: rclone remote 'gcs' is not configured", 'check',
                   'gcs://bucket/dir/a.yuv', env=e, within=1.0)
    if conf not in p.stderr:
        raise AssertionError(f'the message does not name the config file: {p.stderr}')
    tool.fails("rclone remote 'gcs-prod' is not configured", 'check', 'gcs://bucket/a.yuv', env=e, within=1.0,
               settings={'storage-remotes': 'gcs=gcs-prod'})
    p = tool.run('map', 'gcs://bucket/dir/a.yuv', env=e)
    if p.stdout.split('\t')[1] != 'gcs:bucket/dir/a.yuv':
        raise AssertionError(p.stdout)


def test_storage_integrity_verifier(env):
    tool = _tool(env)
    path = os.path.join(env.scratch, 'storage-integrity.bin')
    data = os.urandom(777777)
    with open(path, 'wb') as f:
        f.write(data)
    import hashlib
    md5 = hashlib.md5(data).hexdigest()
    cases = [
        ((str(len(data)), md5, 'seq'), 'ok'),
        ((str(len(data)), md5.upper(), 'seq'), 'ok'),
        ((str(len(data)), md5, 'seek-resume'), 'ok'),
        ((str(len(data)), md5, 'seek'), 'MD5 not verified'),
        ((str(len(data)), '0' * 32, 'seq'), 'content does not match the stored MD5'),
        ((str(len(data) + 1), '-', 'seq'), f'truncated stream: {len(data)} of {len(data) + 1} bytes'),
        ((str(len(data) - 1), '-', 'seq'), 'size mismatch: more than the expected'),
        (('-1', md5, 'seq'), 'ok'),
        ((str(len(data)), 'not-a-hash', 'seq'), 'bad hash'),
    ]
    for args, want in cases:
        out = tool.run('integrity', path, *args).stdout.strip()
        if want not in out:
            raise AssertionError(f'integrity {args}: expected "{want}", got "{out}"')


def test_storage_local_passthrough(env):
    tool = _tool(env)
    root = os.path.join(env.scratch, 'storage-local')
    allowed = os.path.join(root, 'allowed')
    os.makedirs(allowed, exist_ok=True)
    secret = os.path.join(root, 'outside.bin')
    for p, size in ((os.path.join(allowed, 'a.bin'), 12345), (secret, 10)):
        with open(p, 'wb') as f:
            f.write(os.urandom(size))
    link = os.path.join(allowed, 'escape.bin')
    if not os.path.lexists(link):
        os.symlink(secret, link)
    p = tool.ok('cat', os.path.join(allowed, 'a.bin'))
    if p.stdout.split()[:3] != ['ok', '12345', 'local']:
        raise AssertionError(p.stdout)
    p = tool.ok('cat', 'file://' + os.path.join(allowed, 'a.bin'))
    allow = {'storage-allow': allowed}
    tool.ok('check', os.path.join(allowed, 'a.bin'), settings=allow)
    tool.fails('not under an allowed scoring root', 'check', link, settings=allow)
    tool.fails('not under an allowed scoring root', 'check', os.path.join(allowed, '..', 'outside.bin'), settings=allow)
    tool.fails('not under an allowed scoring root', 'check', secret, settings=allow)
    tool.fails('file not found', 'check', os.path.join(allowed, 'missing.bin'))
    tool.fails('is a directory', 'check', allowed)
    # an allow-list of remote roots also keeps other remotes out, before any process starts
    tool.fails('not under an allowed scoring root', 'check', 's3://other/a.bin',
               settings={'storage-allow': 's3://media,sftp:media'}, within=1.0)
