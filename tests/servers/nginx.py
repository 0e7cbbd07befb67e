"""A private nginx (Debian's, installed by scripts/setup.sh) serving one folder on
127.0.0.1 with range requests, over http or (tls=True) https with a throw-away self-signed
certificate for 127.0.0.1 (its file: .certificate), started and stopped by a test: its configuration, pid file, logs, certificate
and temporary folders live in a fresh temporary folder; nothing of the system's nginx setup
is used or touched."""
import os, shutil, signal, socket, ssl, subprocess, tempfile, time, urllib.request

CONF = """daemon off;
master_process off;
worker_processes 1;
pid {tmp}/nginx.pid;
error_log {tmp}/error.log warn;
events {{ worker_connections 256; }}
http {{
    access_log off;
    sendfile on;
    default_type application/octet-stream;
    client_body_temp_path {tmp}/client;
    proxy_temp_path {tmp}/proxy;
    fastcgi_temp_path {tmp}/fastcgi;
    uwsgi_temp_path {tmp}/uwsgi;
    scgi_temp_path {tmp}/scgi;
    server {{
        listen 127.0.0.1:{port}{ssl};
        root {root};
{tls_lines}
    }}
}}
"""


def nginx_binary():
    for path in ('/usr/sbin/nginx', shutil.which('nginx')):
        if path and os.access(path, os.X_OK):
            return path
    raise AssertionError('nginx is not installed: run scripts/setup.sh')


def free_port():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


class Nginx:
    """with Nginx(folder) as n: n.url('ref.y4m') ..."""

    def __init__(self, root, tls=False):
        self.root = os.path.abspath(root)
        self.tls = tls
        self.tmp = None
        self.proc = None
        self.port = None

    def url(self, name):
        return f'{"https" if self.tls else "http"}://127.0.0.1:{self.port}/{name}'

    def _certificate(self):
        key, crt = os.path.join(self.tmp, 'key.pem'), os.path.join(self.tmp, 'cert.pem')
        self.certificate = crt
        subprocess.run(['openssl', 'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1',
                        '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1',
                        '-keyout', key, '-out', crt],
                       check=True, capture_output=True, timeout=60)
        return (f'        ssl_certificate {crt};\n'
                f'        ssl_certificate_key {key};')

    def _start_once(self):
        self.port = free_port()
        conf = os.path.join(self.tmp, 'nginx.conf')
        with open(conf, 'w') as f:
            f.write(CONF.format(tmp=self.tmp, port=self.port, root=self.root,
                                ssl=' ssl' if self.tls else '',
                                tls_lines=self.tls_lines))
        # -e: nginx opens its compiled-in error log before reading the configuration
        self.proc = subprocess.Popen([nginx_binary(), '-c', conf, '-p', self.tmp, '-e', os.path.join(self.tmp, 'startup.log')],
                                     stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL, start_new_session=True)
        deadline = time.time() + 10
        while time.time() < deadline:
            if self.proc.poll() is not None:
                return False   # e.g. the port was taken between free_port() and bind()
            try:
                ctx = ssl._create_unverified_context() if self.tls else None
                urllib.request.urlopen(self.url(''), timeout=1, context=ctx).close()
                return True
            except OSError as e:
                if getattr(e, 'code', None):   # any HTTP answer means it is serving
                    return True
                time.sleep(0.05)
        return False

    def __enter__(self):
        self.tmp = tempfile.mkdtemp(prefix='vmafx-nginx-')
        self.tls_lines = self._certificate() if self.tls else ''
        for _ in range(5):
            if self._start_once():
                return self
            self._stop_proc()
        log = ''
        for name in ('startup.log', 'error.log'):
            p = os.path.join(self.tmp, name)
            if os.path.exists(p):
                log += open(p).read()
        self.__exit__()
        raise AssertionError(f'nginx did not start: {log.strip()[-400:]}')

    def _stop_proc(self):
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(5)
        self.proc = None

    def __exit__(self, *exc):
        self._stop_proc()
        if self.tmp:
            shutil.rmtree(self.tmp, ignore_errors=True)
