"""A loopback storage lab for the storage tests and benchmarks: real servers on free
127.0.0.1 ports, started here and always stopped (finally / atexit / parent-death signal).

  S3          s3rver 3.7.1 (npm)          Azure Blob  azurite 3.35.0 (npm)
  SFTP        a private sshd, key auth    HTTP        nginx (autoindex, for rclone's http backend)
  WebDAV      rclone serve webdav         local       rclone's local backend

Every start is bounded in time and fails with the server's own log when it does not come up.
Details found while setting the lab up: AWS_CA_BUNDLE in the environment breaks rclone's s3
backend (it is removed for rclone); rclone reaches azurite only with use_emulator and an
explicit endpoint; azurite sends telemetry unless started with --disableTelemetry."""
import atexit, ctypes, hashlib, os, shutil, signal, socket, subprocess, time, urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
BUCKET = 'media'
AZ_ACCOUNT = 'devstoreaccount1'
# Azurite's documented development key (public); the emulator path of rclone uses it anyway.
AZ_KEY = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=='
S3_SECRET = 'vmafx-lab-secret-7f3a9c'   # s3rver checks the key id only; tests grep for this secret
DAV_PASS = 'vmafx-dav-pass-51be'


def clean_env(extra=None):
    env = dict(os.environ)
    env.pop('AWS_CA_BUNDLE', None)   # breaks rclone 1.60's s3 backend
    env.update(extra or {})
    return env


def free_port():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def refused_port():
    """A loopback port bound but never listening: a connection to it is refused, and while the
    socket lives no server started later (every rclone serve picks a free port) can take it,
    as one did once in CI (a 'down' remote answered 401)."""
    s = socket.socket()
    s.bind(('127.0.0.1', 0))
    return s


def _die_with_parent():
    """preexec_fn: the server gets SIGTERM if the test process dies without cleaning up."""
    os.setsid()
    ctypes.CDLL('libc.so.6', use_errno=True).prctl(1, signal.SIGTERM)   # PR_SET_PDEATHSIG


def node_bin(name):
    """s3rver / azurite-blob from scripts/setup.sh's project-local npm folder."""
    for d in (os.environ.get('VMAFX_NODE_DIR'), 'build/node'):
        d = d and os.path.join(REPO, d)   # relative to the repository, as in scripts/setup.sh
        if d and os.access(os.path.join(d, 'node_modules', '.bin', name), os.X_OK):
            return os.path.join(d, 'node_modules', '.bin', name)
    raise AssertionError(f'{name} is not installed: run scripts/setup.sh (npm install into build/node)')


def need(prog):
    path = shutil.which(prog) or (os.path.exists(prog) and prog)
    if not path:
        raise AssertionError(f'{prog} is not installed: run scripts/setup.sh')
    return path


class Server:
    def __init__(self, name, cmd, port, log, ready, env=None):
        self.name, self.cmd, self.port, self.log_path, self.ready, self.env = name, cmd, port, log, ready, env
        self.proc = None

    def start(self, timeout=25):
        logf = open(self.log_path, 'ab')
        self.proc = subprocess.Popen(self.cmd, stdin=subprocess.DEVNULL, stdout=logf, stderr=logf,
                                     env=clean_env(self.env), preexec_fn=_die_with_parent)
        logf.close()
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if self.proc.poll() is not None:
                break
            if self.ready():
                return self
            time.sleep(0.05)
        tail = open(self.log_path, errors='replace').read()[-1500:]
        self.stop()
        raise AssertionError(f'{self.name} did not start within {timeout}s: {tail}')

    def stop(self):
        if self.proc and self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGTERM)
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
            except ProcessLookupError:
                pass
        if self.proc:
            self.proc.wait()

    def kill(self):
        """SIGKILL, as a crash: nothing is flushed or closed cleanly. Children that left the
        process group (sshd's per-connection processes) go too."""
        kids = children(self.proc.pid)
        os.killpg(self.proc.pid, signal.SIGKILL)
        for pid in kids:
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
        self.proc.wait()


def children(pid):
    """Every descendant of pid."""
    parent = {}
    for p in os.listdir('/proc'):
        if p.isdigit():
            try:
                with open(f'/proc/{p}/stat') as f:
                    parent[int(p)] = int(f.read().rsplit(')', 1)[1].split()[1])
            except OSError:
                pass
    out, todo = [], [pid]
    while todo:
        cur = todo.pop()
        kids = [c for c, pp in parent.items() if pp == cur]
        out += kids
        todo += kids
    return out


def http_answers(url, ok=(200, 403, 404)):
    def probe():
        try:
            with urllib.request.urlopen(url, timeout=1) as r:
                return r.status in ok
        except urllib.error.HTTPError as e:
            return e.code in ok
        except Exception:
            return False
    return probe


def port_open(port):
    def probe():
        try:
            with socket.create_connection(('127.0.0.1', port), timeout=0.5):
                return True
        except OSError:
            return False
    return probe


class Lab:
    """Data, servers and an rclone.conf under root. Files in the bucket 'media':
    small.bin (1 MiB), big.bin (64 MiB: larger than rclone's read-ahead, so a mid-stream
    kill really cuts the stream), 'dir with space/ünïcode file.bin'."""

    FILES = {'small.bin': 1 << 20, 'big.bin': 64 << 20, 'dir with space/ünïcode file.bin': 300000}

    def __init__(self, root):
        self.root = root
        self.run = os.path.join(root, 'run')
        self.srv = os.path.join(root, 'srv')            # sftp / http / webdav / local serve this
        self.media = os.path.join(self.srv, BUCKET)
        self.conf = os.path.join(root, 'rclone.conf')
        self.servers = {}
        self.md5 = {}
        for d in (self.run, self.media):
            os.makedirs(d, exist_ok=True)
        self.rclone = need('rclone')

    # -- data --------------------------------------------------------------------------
    def make_data(self):
        for name, size in self.FILES.items():
            path = os.path.join(self.media, name)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            if not os.path.exists(path) or os.path.getsize(path) != size:
                with open(path, 'wb') as f:
                    f.write(os.urandom(size))
            with open(path, 'rb') as f:
                self.md5[name] = hashlib.md5(f.read()).hexdigest()

    # -- servers -----------------------------------------------------------------------
    def _add(self, srv):
        self.servers[srv.name] = srv
        return srv.start()

    def start_s3(self, port=None):
        port = port or free_port()
        data = os.path.join(self.root, 's3data')
        os.makedirs(data, exist_ok=True)
        cmd = [node_bin('s3rver'), '-d', data, '-a', '127.0.0.1', '-p', str(port), '--silent',
               '--configure-bucket', BUCKET]
        return self._add(Server('s3', cmd, port, os.path.join(self.run, 's3.log'),
                                http_answers(f'http://127.0.0.1:{port}/')))

    def start_azure(self, port=None):
        port = port or free_port()
        data = os.path.join(self.root, 'azdata')
        os.makedirs(data, exist_ok=True)
        cmd = [node_bin('azurite-blob'), '--blobHost', '127.0.0.1', '--blobPort', str(port), '-l', data,
               '--disableTelemetry', '--silent', '--skipApiVersionCheck', '--loose']
        return self._add(Server('azure', cmd, port, os.path.join(self.run, 'azurite.log'),
                                http_answers(f'http://127.0.0.1:{port}/{AZ_ACCOUNT}?comp=list')))

    def _ssh_keys(self):
        d = os.path.join(self.root, 'ssh')
        os.makedirs(d, mode=0o700, exist_ok=True)
        for key in ('host', 'client', 'wrong'):
            path = os.path.join(d, key)
            if not os.path.exists(path):
                subprocess.run(['ssh-keygen', '-q', '-t', 'ed25519', '-N', '', '-C', f'vmafx-lab-{key}', '-f', path],
                               check=True, timeout=30)
        shutil.copy(os.path.join(d, 'client.pub'), os.path.join(d, 'authorized_keys'))
        os.chmod(os.path.join(d, 'authorized_keys'), 0o600)
        return d

    def start_sftp(self, port=None):
        port = port or free_port()
        d = self._ssh_keys()
        with open(os.path.join(d, 'host.pub')) as f:
            hostkey = ' '.join(f.read().split()[:2])
        with open(os.path.join(d, 'known_hosts'), 'w') as f:
            f.write(f'[127.0.0.1]:{port} {hostkey}\n')
        os.makedirs('/run/sshd', exist_ok=True)   # sshd's privilege separation directory
        cfg = os.path.join(d, 'sshd_config')
        with open(cfg, 'w') as f:
            f.write(f"""# private sshd of the storage tests; the system sshd is not touched
Port {port}
ListenAddress 127.0.0.1
HostKey {d}/host
PidFile none
AuthorizedKeysFile {d}/authorized_keys
AllowUsers {os.environ.get('USER') or 'root'} root
PermitRootLogin prohibit-password
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
StrictModes no
X11Forwarding no
AllowTcpForwarding no
LogLevel ERROR
MaxStartups 100:30:200
ForceCommand internal-sftp -d {self.srv}
Subsystem sftp internal-sftp -d {self.srv}
""")
        sshd = need('/usr/sbin/sshd')
        subprocess.run([sshd, '-t', '-f', cfg], check=True, timeout=30)
        return self._add(Server('sftp', [sshd, '-D', '-e', '-f', cfg], port, os.path.join(self.run, 'sshd.log'),
                                port_open(port)))

    def start_http(self, port=None):
        port = port or free_port()
        d = os.path.join(self.root, 'nginx')
        os.makedirs(os.path.join(d, 'tmp'), exist_ok=True)
        cfg = os.path.join(d, 'nginx.conf')
        with open(cfg, 'w') as f:
            f.write(f"""daemon off;
{'user root;' if os.geteuid() == 0 else ''}
worker_processes 1;
pid {d}/nginx.pid;
error_log {self.run}/nginx-error.log warn;
events {{ worker_connections 128; }}
http {{
  access_log off;
  default_type application/octet-stream;
  client_body_temp_path {d}/tmp/body; proxy_temp_path {d}/tmp/proxy; fastcgi_temp_path {d}/tmp/fcgi;
  uwsgi_temp_path {d}/tmp/uwsgi; scgi_temp_path {d}/tmp/scgi;
  server {{
    listen 127.0.0.1:{port};
    root {self.srv};
    autoindex on;   # rclone's http backend lists directories from this index
    location = /redirect-to-metadata {{ return 302 http://169.254.169.254/latest/meta-data/; }}
  }}
}}
""")
        nginx = need('/usr/sbin/nginx')
        return self._add(Server('http', [nginx, '-c', cfg, '-p', d], port, os.path.join(self.run, 'nginx.log'),
                                http_answers(f'http://127.0.0.1:{port}/')))

    def start_dav(self, port=None):
        port = port or free_port()
        # --dir-cache-time 0s: files the benchmark adds later must be visible at once
        cmd = [self.rclone, 'serve', 'webdav', self.srv, '--addr', f'127.0.0.1:{port}', '--config', '/dev/null',
               '--dir-cache-time', '0s']
        # credentials through the environment, as vmafx does, so they are not in ps output
        return self._add(Server('webdav', cmd, port, os.path.join(self.run, 'webdav.log'),
                                http_answers(f'http://127.0.0.1:{port}/', ok=(401,)),
                                env={'RCLONE_USER': 'vmafx', 'RCLONE_PASS': DAV_PASS}))

    def restart(self, name):
        srv = self.servers[name]
        srv.stop()
        return srv.start()

    def stop_all(self):
        for srv in list(self.servers.values()):
            srv.stop()
        if getattr(self, 'dead_sock', None):
            self.dead_sock.close()

    # -- rclone.conf and seeding -------------------------------------------------------
    def obscure(self, secret):
        return subprocess.run([self.rclone, 'obscure', secret], capture_output=True, text=True, check=True,
                              timeout=30).stdout.strip()

    def write_conf(self, dead_port):
        s = self.servers
        ssh = os.path.join(self.root, 'ssh')
        user = 'root' if os.geteuid() == 0 else os.environ.get('USER', 'root')
        dav = self.obscure(DAV_PASS)
        text = f"""[s3]
type = s3
provider = Other
env_auth = false
access_key_id = S3RVER
secret_access_key = {S3_SECRET}
endpoint = http://127.0.0.1:{s['s3'].port}
region = us-east-1
force_path_style = true

[s3-wrongkey]
type = s3
provider = Other
access_key_id = NOSUCHKEYID
secret_access_key = {S3_SECRET}
endpoint = http://127.0.0.1:{s['s3'].port}
region = us-east-1
force_path_style = true

[s3-down]
type = s3
provider = Other
access_key_id = S3RVER
secret_access_key = {S3_SECRET}
endpoint = http://127.0.0.1:{dead_port}
region = us-east-1
force_path_style = true

[azblob]
type = azureblob
use_emulator = true
endpoint = http://127.0.0.1:{s['azure'].port}/{AZ_ACCOUNT}

[azure-down]
type = azureblob
use_emulator = true
endpoint = http://127.0.0.1:{dead_port}/{AZ_ACCOUNT}

[sftp]
type = sftp
host = 127.0.0.1
port = {s['sftp'].port}
user = {user}
key_file = {ssh}/client
known_hosts_file = {ssh}/known_hosts
shell_type = none
disable_hashcheck = true

[sftp-wrongkey]
type = sftp
host = 127.0.0.1
port = {s['sftp'].port}
user = {user}
key_file = {ssh}/wrong
known_hosts_file = {ssh}/known_hosts
shell_type = none

[sftp-down]
type = sftp
host = 127.0.0.1
port = {dead_port}
user = {user}
key_file = {ssh}/client
known_hosts_file = {ssh}/known_hosts
shell_type = none

[http]
type = http
url = http://127.0.0.1:{s['http'].port}/

[http-down]
type = http
url = http://127.0.0.1:{dead_port}/

[webdav]
type = webdav
url = http://127.0.0.1:{s['webdav'].port}/
vendor = other
user = vmafx
pass = {dav}

[webdav-wrongpass]
type = webdav
url = http://127.0.0.1:{s['webdav'].port}/
vendor = other
user = vmafx
pass = {self.obscure('not-the-password')}

[webdav-down]
type = webdav
url = http://127.0.0.1:{dead_port}/
vendor = other

[local]
type = local

[gcs]
type = google cloud storage
anonymous = true
"""
        with open(self.conf, 'w') as f:
            f.write(text)
        os.chmod(self.conf, 0o600)

    def rclone_cmd(self, *args, timeout=120):
        p = subprocess.run([self.rclone, '--config', self.conf, '--low-level-retries', '2', *args],
                           capture_output=True, text=True, timeout=timeout, env=clean_env())
        if p.returncode:
            raise AssertionError(f'rclone {" ".join(args)}: {p.stderr[-800:]}')
        return p.stdout

    def seed(self):
        """Uploads the data to the S3 bucket and the Azure container (rclone sets the MD5
        metadata both backends report)."""
        for remote in ('s3', 'azblob'):
            self.rclone_cmd('mkdir', f'{remote}:{BUCKET}')
            self.rclone_cmd('copy', self.media, f'{remote}:{BUCKET}')

    def s3_object_file(self, key):
        """The file in which s3rver keeps an object's bytes (for corruption tests)."""
        path = os.path.join(self.root, 's3data', BUCKET, key + '._S3rver_object')
        if not os.path.exists(path):
            raise AssertionError(f's3rver object file not found: {path}')
        return path


def rclone_pids(marker):
    """Live rclone processes whose command line contains marker (zombies excluded: a zombie
    whose parent is gone belongs to init, and init here may not reap)."""
    pids = []
    for pid in os.listdir('/proc'):
        if not pid.isdigit():
            continue
        try:
            with open(f'/proc/{pid}/cmdline', 'rb') as f:
                argv = f.read().split(b'\0')
            with open(f'/proc/{pid}/stat') as f:
                state = f.read().rsplit(')', 1)[1].split()[0]
        except OSError:
            continue
        if state != 'Z' and argv and os.path.basename(argv[0]) == b'rclone' and marker.encode() in b' '.join(argv):
            pids.append(int(pid))
    return pids


def mounts(marker):
    with open('/proc/self/mountinfo') as f:
        return [line for line in f if marker in line]


_LABS = {}


def get_lab(scratch):
    """The lab for this test run, started once (about 10 s) and stopped at exit."""
    root = os.path.join(scratch, 'storage-lab')
    lab = _LABS.get(root)
    if lab:
        return lab
    lab = Lab(root)
    _LABS[root] = lab
    atexit.register(lab.stop_all)
    try:
        lab.make_data()
        lab.start_s3()
        lab.start_azure()
        lab.start_sftp()
        lab.start_http()
        lab.start_dav()
        lab.dead_sock = refused_port()
        lab.dead_port = lab.dead_sock.getsockname()[1]
        lab.write_conf(lab.dead_port)
        lab.seed()
    except BaseException:
        lab.stop_all()
        del _LABS[root]
        raise
    return lab
