"""Storage faults on the wire: a TCP proxy on 127.0.0.1 between the input and its server
delays, resets, truncates or flips bytes of the answers, and every run must end either in a
named error (non-zero exit, the input named) or in the correct score (equal to the local
run's) — never in a wrong score.
  http: vmafx's own URL reader against nginx (range-request resumes on);
  s3:   rclone (http-serve mode) against s3rver, with the integrity check at `full` (MD5).
A flipped byte in the payload of a plain http(s) URL cannot be noticed (the protocol carries
no checksum: TLS is what protects it in practice), so flips are injected where a checksum
exists: the S3 object's MD5."""
import json, os, shutil, socket, struct, threading, time

from vmafx_testlib import Skip, pair_files, run

PAIR = 'testsrc2_576x324_crf35'     # 13 MB of y4m: faults land inside frames
MB = 1 << 20


class FaultProxy:
    """Forwards 127.0.0.1:port to upstream; the answers of the first `times` connections get
    the fault (None: every connection): ('delay', s per 64 KB), ('reset', after n bytes),
    ('truncate', after n bytes), ('flip', at byte n)."""

    def __init__(self, upstream_port, fault, times=None):
        self.up, self.fault, self.times = upstream_port, fault, times
        self.conns = 0
        self.sock = socket.socket()
        self.sock.bind(('127.0.0.1', 0))
        self.sock.listen(64)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.stop = threading.Event()
        threading.Thread(target=self._accept, daemon=True).start()

    def close(self):
        self.stop.set()
        self.sock.close()

    def _accept(self):
        while not self.stop.is_set():
            try:
                c, _ = self.sock.accept()
            except OSError:
                continue
            self.conns += 1
            faulty = self.times is None or self.conns <= self.times
            threading.Thread(target=self._serve, args=(c, faulty), daemon=True).start()

    def _serve(self, c, faulty):
        try:
            u = socket.create_connection(('127.0.0.1', self.up), timeout=30)
        except OSError:
            c.close()
            return
        threading.Thread(target=self._pipe_up, args=(c, u), daemon=True).start()
        kind, arg = self.fault if faulty else (None, None)
        sent = 0
        try:
            while not self.stop.is_set():
                data = u.recv(65536)
                if not data:
                    break
                if kind == 'delay':
                    time.sleep(arg)
                elif kind == 'flip' and sent <= arg < sent + len(data):
                    i = arg - sent
                    data = data[:i] + bytes([data[i] ^ 0x20]) + data[i + 1:]
                elif kind in ('reset', 'truncate') and sent + len(data) > arg:
                    c.sendall(data[:arg - sent])
                    # wake the other thread's recv first: a socket another thread blocks on is
                    # not really closed (no FIN, no RST) until that call returns
                    c.shutdown(socket.SHUT_RD if kind == 'reset' else socket.SHUT_RDWR)
                    if kind == 'reset':
                        c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack('ii', 1, 0))
                    return
                c.sendall(data)
                sent += len(data)
        except OSError:
            pass
        finally:
            c.close()
            u.close()

    @staticmethod
    def _pipe_up(c, u):
        try:
            while True:
                data = c.recv(65536)
                if not data:
                    break
                u.sendall(data)
        except OSError:
            pass


def local_frames(env, ref, dis):
    out = os.path.join(env.scratch, 'faults', 'local.json')
    if not os.path.exists(out):
        os.makedirs(os.path.dirname(out), exist_ok=True)
        run([env.vmafx, 'score', '-q', '-r', ref, '-d', dis, '--json', '-o', out])
    return json.load(open(out))['frames']


def judge(env, label, argv, ref, dis, extra_env=None):
    """'score' or 'error'; fails on a wrong score or an unnamed error."""
    d = os.path.join(env.scratch, 'faults', label)
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(d)
    out = os.path.join(d, 'r.json')
    e = dict(os.environ)
    e.pop('AWS_CA_BUNDLE', None)
    e.update(extra_env or {})
    p = run([env.vmafx, 'score', '-q', '--json', '-o', out, '-r', ref] + argv, check=False, env=e, timeout=240)
    if p.returncode == 0:
        got = json.load(open(out))['frames']
        assert got == local_frames(env, ref, dis), f'{label}: WRONG SCORE after the fault (exit 0)'
        print(f'      {label}: correct score')
        return 'score'
    last = [ln for ln in p.stderr.splitlines() if ln.strip()][-1]
    assert 'distorted' in last and len(last) < 600, f'{label}: error does not name the input: {last}'
    assert not os.path.exists(out), f'{label}: a report was left after the error'
    print(f'      {label}: {last}')
    return 'error'


def http_cases(env):
    from servers.nginx import Nginx
    ref, dis = pair_files(env, PAIR)
    size = os.path.getsize(dis)
    faults = [('delay', ('delay', 0.02), None, {'score'}),
              ('reset_once', ('reset', 3 * MB), 1, {'score'}),         # resumed with a range request
              ('reset_always', ('reset', 3 * MB), None, {'error'}),
              ('truncate_once', ('truncate', 5 * MB), 1, {'score'}),
              ('truncate_always', ('truncate', 1 * MB), None, {'error'}),   # 4 tries, 4 MB
              ('cut_header', ('truncate', 40), None, {'error'})]
    for name, fault, times, want in faults:
        def case(fault=fault, times=times, want=want, name=name):
            with Nginx(os.path.dirname(dis)) as web:
                proxy = FaultProxy(web.port, fault, times)
                try:
                    url = f'http://127.0.0.1:{proxy.port}/{os.path.basename(dis)}'
                    got = judge(env, f'http_{name}', ['-d', url, '--http-retries', '3', '--stall-timeout', '10'],
                                ref, dis)
                finally:
                    proxy.close()
            assert got in want, f'http {name}: ended in {got}, expected {want} ({size} bytes)'
        yield f'http_{name}', case


def s3_cases(env):
    ref, dis = pair_files(env, PAIR)
    faults = [('delay', ('delay', 0.02), None, {'score'}),
              # rclone resumes a cut transfer with range requests: a correct score is right too
              ('reset_always', ('reset', 3 * MB), None, {'score', 'error'}),
              ('truncate_always', ('truncate', 5 * MB), None, {'score', 'error'}),
              ('flip', ('flip', 7 * MB), None, {'error'})]
    for name, fault, times, want in faults:
        def case(fault=fault, times=times, want=want, name=name):
            import storage_lab
            lab = storage_lab.get_lab(env.scratch)
            lab.rclone_cmd('copyto', dis, 's3:media/faults/dis.y4m')
            proxy = FaultProxy(lab.servers['s3'].port, fault, times)
            conf = os.path.join(env.scratch, 'faults', f's3-{name}.conf')
            os.makedirs(os.path.dirname(conf), exist_ok=True)
            text = open(lab.conf).read()
            start = text.index('[s3]\n')
            section = text[start:text.index('\n\n', start)]
            with open(conf, 'w') as f:
                f.write(section.replace('[s3]', '[s3faulty]').replace(
                    f':{lab.servers["s3"].port}', f':{proxy.port}') + '\nlow_level_retries = 1\n')
            try:
                got = judge(env, f's3_{name}', ['-d', 'rclone://s3faulty:media/faults/dis.y4m',
                                                '--rclone-config', conf, '--storage-verify', 'full',
                                                '--stall-timeout', '20'], ref, dis)
            finally:
                proxy.close()
            assert got in want, f's3 {name}: ended in {got}, expected {want}'
        yield f's3_{name}', case


def cases(env):
    if env.quick:
        return   # servers and rclone: the release pass covers them
    yield from http_cases(env)
    yield from s3_cases(env)
