"""Multi-process harness for the controller and node tests: vmafx-controller and vmafx-node
on free loopback ports, a JSON client, a slow HTTP server that streams a long y4m clip at a
set frame rate (jobs that run long enough to be killed, cancelled or drained), and a
Cluster that always stops everything it started (SIGTERM, then SIGKILL) in finally/atexit.
Every wait is bounded."""
import atexit, contextlib, ctypes, http.client, json, os, shutil, signal, socket, subprocess, threading, time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

SMALL = 'testsrc2_320x240_2frames_crf35'   # 2 frames
ONE = 'clouds_320x240_1frame_crf40'        # 1 frame

# roles for tests: one token each
TOKENS = {'reader': 'reader-token-0123456789', 'writer': 'writer-token-0123456789',
          'admin': 'admin-token-01234567890', 'node': 'node-token-0123456789ab'}


def free_port():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def wait_until(what, fn, timeout=20.0, every=0.05):
    """Polls fn until it returns something true; returns it, or fails naming what."""
    end = time.monotonic() + timeout
    while True:
        v = fn()
        if v:
            return v
        if time.monotonic() > end:
            raise AssertionError(f'timed out after {timeout}s waiting for {what}')
        time.sleep(every)


def scratch(env, name):
    d = os.path.join(env.scratch, 'controller', name)
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(d)
    return d


def write_tokens(path, tokens=TOKENS):
    with open(path, 'w') as f:
        f.write('# test tokens\n')
        for role, tok in tokens.items():
            # a named node token acts only as that node: '*' lets the tests' nodes use any name
            f.write(f'{tok} {role} {"*" if role == "node" else role + "-name"}\n')
    return path


class Api:
    """JSON over HTTP/1.1 to one controller, one connection per call."""

    def __init__(self, port, token=None, ssl_context=None):
        self.port, self.token, self.ssl_context = port, token, ssl_context   # a context: HTTPS

    def call(self, method, path, body=None, token=..., headers=None, raw=False, timeout=30):
        tok = self.token if token is ... else token
        h = dict(headers or {})
        if tok:
            h['Authorization'] = f'Bearer {tok}'
        data = body if isinstance(body, (bytes, str)) or body is None else json.dumps(body)
        if isinstance(data, str):
            data = data.encode()
        if self.ssl_context:
            c = http.client.HTTPSConnection('127.0.0.1', self.port, timeout=timeout, context=self.ssl_context)
        else:
            c = http.client.HTTPConnection('127.0.0.1', self.port, timeout=timeout)
        try:
            c.request(method, path, body=data, headers=h)
            r = c.getresponse()
            payload = r.read()
            hdrs = {k.lower(): v for k, v in r.getheaders()}
        finally:
            c.close()
        if raw:
            return r.status, payload, hdrs
        try:
            obj = json.loads(payload) if payload else None
        except ValueError:
            obj = payload.decode(errors='replace')
        return r.status, obj, hdrs

    def ok(self, method, path, body=None, expect=(200, 201, 204), **kw):
        st, obj, _ = self.call(method, path, body, **kw)
        if st not in expect:
            raise AssertionError(f'{method} {path}: HTTP {st}: {obj}')
        return obj

    def submit(self, ref, dis, **fields):
        return self.ok('POST', '/v1/jobs', dict(reference_uri=ref, distorted_uri=dis, **fields))['id']

    def job(self, jid):
        return self.ok('GET', f'/v1/jobs/{jid}')

    def wait_status(self, jid, statuses, timeout=30):
        statuses = (statuses,) if isinstance(statuses, str) else statuses
        return wait_until(f'job {jid} to be {"/".join(statuses)}',
                          lambda: (lambda j: j if j['status'] in statuses else None)(self.job(jid)), timeout)

    def metrics(self):
        st, body, _ = self.call('GET', '/metrics', raw=True, token=None)
        assert st == 200, st
        return body.decode()


def metric(text, name):
    """Value of one sample line 'name{labels} value' (name includes the labels)."""
    for line in text.splitlines():
        if line.startswith(name + ' '):
            return float(line.split()[-1])
    raise AssertionError(f'metric {name} not found')


def _die_with_parent():
    """preexec_fn: own session, and SIGKILL when the test process dies without cleaning up."""
    os.setsid()
    ctypes.CDLL('libc.so.6', use_errno=True).prctl(1, signal.SIGKILL)   # PR_SET_PDEATHSIG


class Proc:
    def __init__(self, name, cmd, log, env):
        self.name, self.cmd, self.log = name, cmd, log
        logf = open(log, 'ab')
        self.p = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=logf, stderr=logf, env=env,
                                  preexec_fn=_die_with_parent)
        logf.close()

    @property
    def pid(self):
        return self.p.pid

    def alive(self):
        return self.p.poll() is None

    def signal(self, sig):
        if self.alive():
            os.kill(self.p.pid, sig)

    def wait(self, timeout):
        try:
            return self.p.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            raise AssertionError(f'{self.name} still running after {timeout}s; log: {self.tail()}')

    def stop(self, timeout=15):
        """SIGTERM and the exit status (SIGKILL if it does not end in time)."""
        if not self.alive():
            return self.p.returncode
        self.signal(signal.SIGTERM)
        try:
            return self.p.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.signal(signal.SIGKILL)
            self.p.wait(timeout=10)
            raise AssertionError(f'{self.name} ignored SIGTERM for {timeout}s; log: {self.tail()}')

    def kill9(self):
        self.signal(signal.SIGKILL)
        self.p.wait(timeout=10)

    def text(self):
        with open(self.log, errors='replace') as f:
            return f.read()

    def tail(self, n=1500):
        return self.text()[-n:]


def _clean_env(extra):
    env = {k: v for k, v in os.environ.items() if not k.startswith('VMAFX_')}
    env.update(extra or {})
    return env


# What Clusters made while it is set take as --db: a function of the cluster (a fresh
# PostgreSQL database's DSN, tests/test_controller_pg.py); None: a SQLite file in its folder.
_db_factory = None


@contextlib.contextmanager
def database(factory):
    """with database(lambda cluster: DSN): every Cluster made inside uses factory(cluster) as --db."""
    global _db_factory
    before, _db_factory = _db_factory, factory
    try:
        yield
    finally:
        _db_factory = before


class Cluster:
    """with Cluster(env, 'name') as c: c.controller(); c.node('a'); ..."""

    def __init__(self, env, name, db=None):
        self.env, self.dir = env, scratch(env, name)
        self.procs, self.servers = [], []
        self.port = free_port()
        self.db = db or (_db_factory(self) if _db_factory else os.path.join(self.dir, 'jobs.db'))
        self.ctl = None
        self.ctl_args = []
        atexit.register(self.close)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def close(self):
        for p in reversed(self.procs):
            if p.alive():
                p.signal(signal.SIGKILL)
                p.p.wait(timeout=10)
        self.procs = []
        for s in self.servers:
            s.close()
        self.servers = []

    def bin(self, name):
        return self.env.bin('src', 'cli', name)

    def controller(self, *args, env=None, check=True):
        """Starts vmafx-controller on this cluster's port and database; waits for /healthz."""
        self.ctl_args = list(args) or self.ctl_args
        cmd = [self.bin('vmafx-controller'), '--listen', f'127.0.0.1:{self.port}', '--db', self.db] + self.ctl_args
        self.ctl = Proc('vmafx-controller', cmd, os.path.join(self.dir, 'controller.log'), _clean_env(env))
        self.procs.append(self.ctl)
        if check:
            api = Api(self.port)
            wait_until('the controller to answer /healthz', lambda: self._healthy(api), timeout=15)
        return self.ctl

    def _healthy(self, api):
        if not self.ctl.alive():
            raise AssertionError(f'vmafx-controller exited {self.ctl.p.returncode}: {self.ctl.tail()}')
        try:
            return api.call('GET', '/healthz', token=None, timeout=2)[0] == 200
        except OSError:
            return False

    def node(self, node_id, *args, env=None, token_file=None):
        cmd = [self.bin('vmafx-node'), '--controller', f'http://127.0.0.1:{self.port}', '--node-id', node_id,
               '--poll-wait', '1'] + list(args)
        e = {'TMPDIR': self.dir}
        if token_file:
            e['VMAFX_NODE_TOKEN_FILE'] = token_file
        e.update(env or {})
        p = Proc(f'vmafx-node {node_id}', cmd, os.path.join(self.dir, f'node-{node_id}.log'), _clean_env(e))
        self.procs.append(p)
        return p

    def api(self, token=None):
        return Api(self.port, token)

    def clip_server(self, files):
        s = ClipServer(files)
        self.servers.append(s)
        return s


# ---- a slow y4m server ------------------------------------------------------------------

def y4m_parts(path):
    data = open(path, 'rb').read()
    head = data[:data.index(b'\n') + 1]
    frames = [b'FRAME\n' + p for p in data[len(head):].split(b'FRAME\n')[1:]]
    return head, frames


def long_clip(path, count):
    """The y4m at path with its frames repeated to count frames, as bytes."""
    head, frames = y4m_parts(path)
    return head + b''.join(frames[i % len(frames)] for i in range(count))


class _ClipHandler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def do_GET(self):
        url = urlsplit(self.path)
        q = parse_qs(url.query)
        name = url.path.lstrip('/')
        if name not in self.server.files:
            self.send_error(404)
            return
        head, frames = self.server.files[name]
        count = int(q.get('frames', ['100'])[0])
        fps = float(q.get('fps', ['0'])[0])
        body_len = len(head) + sum(len(frames[i % len(frames)]) for i in range(count))
        self.send_response(200)
        self.send_header('Content-Length', str(body_len))
        self.send_header('Content-Type', 'application/octet-stream')
        self.end_headers()
        try:
            self.wfile.write(head)
            for i in range(count):
                if self.server.stop.is_set():
                    return
                self.wfile.write(frames[i % len(frames)])
                if fps:
                    time.sleep(1 / fps)
        except (BrokenPipeError, ConnectionResetError):
            pass


class ClipServer:
    """Serves /NAME?frames=N&fps=R: the y4m file registered as NAME, its frames repeated to N,
    sent at R frames a second (0: at once)."""

    def __init__(self, files):
        self.httpd = ThreadingHTTPServer(('127.0.0.1', 0), _ClipHandler)
        self.httpd.daemon_threads = True
        self.httpd.files = {name: y4m_parts(path) for name, path in files.items()}
        self.httpd.stop = threading.Event()
        self.port = self.httpd.server_address[1]
        threading.Thread(target=self.httpd.serve_forever, kwargs={'poll_interval': 0.05}, daemon=True).start()

    def url(self, name, frames, fps=0):
        return f'http://127.0.0.1:{self.port}/{name}?frames={frames}&fps={fps:g}'

    def close(self):
        self.httpd.stop.set()
        self.httpd.shutdown()
        self.httpd.server_close()


def without_fps(text):
    """A report with its fps field blanked (the one field that is not a result)."""
    import re
    text = re.sub(r'"fps": [0-9.]+', '"fps": 0', text)
    text = re.sub(r'<fyi fps="[^"]*" />', '<fyi fps="" />', text)
    return text
