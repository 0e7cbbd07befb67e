"""Frame-count probes (issue 13: "containers from their header or an index pass the node
reports back"): a chunked job whose inputs the controller cannot count (a container, an
input served over HTTP) is counted by a node on a probe lease, then cut into chunks as a
job with local y4m inputs is; the merged report equals `vmafx score` on the same pair byte
for byte but the fps field.

  mkv:     ref.y4m (local) + dis.mkv (local): the node counts the mkv's packets; chunks of 5.
  mp4:     dis.mkv remuxed into an mp4: counted from the track's sample count.
  http:    ref.y4m and dis.y4m over a local http.server: counted from Content-Length.
  both:    dis.mkv over HTTP (a demux pass through the node's URL reader).
  failed:  a y4m served without Content-Length cannot be counted: the job runs whole with a
           chunk_note naming the input and why; the probe never fails the job.
  kill:    kill -9 of the node holding the probe (its HTTP read held open): the probe lease
           expires, another node probes, the job is cut and completes, identical.
  given up: the probe's lease lost --max-lost-attempts times: the job runs whole, with a note.
  cancel:  a job cancelled while its probe runs stays cancelled; the node goes on.
  restart: the controller killed while a node counts: the job is still cut once and completes.
  refusal: a client may not submit "probe" itself.
  rclone:  a y4m and a mkv on an S3 remote (the storage lab), read through the nodes' rclone.
  pg:      the same on PostgreSQL, two controllers on one database, each job cut once.
  metrics: vmafx_controller_frame_probes_total counts started, counted and failed probes."""
import functools, http.server, os, threading, time
from vmafx_testlib import Skip, pair_files
from controller_testlib import Cluster, wait_until, metric
from test_chunks import without_timing, y4m_frames
from test_chunks_service import whole_report, frames

PAIR = 'testsrc2_576x324_crf35'


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        pass   # a node that read what it needed (or was killed) closes its connection early


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *a):
        pass


def serve_dir(root, handler=_Quiet):
    srv = _Server(('127.0.0.1', 0), functools.partial(handler, directory=root))
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    return srv


def mkv(env):
    path = os.path.join(env.shared, 'conformance', PAIR, 'dis.mkv')
    if not os.path.exists(path):
        raise Skip(f'no {path}')
    return path


def check_chunked(env, c, api, jid, ref, dis, size, ref_file, local=None):
    """The job completed as chunks of size and its report is `vmafx score`'s (on local, the
    same files where the job's inputs are remote objects)."""
    job = api.wait_status(jid, ('completed', 'failed'), timeout=180)
    assert job['status'] == 'completed', job
    total = y4m_frames(ref_file)
    n = (total + size - 1) // size
    chunks = job.get('chunks', [])
    if len(chunks) != n or job.get('chunks_completed') != n:
        raise AssertionError(f'expected {n} chunks after the probe, got {len(chunks)}: {job}')
    if f'{total} frames known' not in job.get('chunk_note', ''):
        raise AssertionError(f'chunk_note: {job.get("chunk_note")!r}')
    want = whole_report(env, *(local or (ref, dis)), [], 'json', os.path.join(c.dir, 'whole.json'))
    if without_timing(want) != without_timing(frames(api, jid, 'json')):
        raise AssertionError(f'{ref} {dis}: the merged report differs from vmafx score')
    return job


def test_probe_mkv_and_http(env):
    dis_mkv = mkv(env)
    ref, dis = pair_files(env, PAIR)
    srv = serve_dir(os.path.dirname(ref))
    mkv_srv = serve_dir(os.path.dirname(dis_mkv))
    try:
        base = f'http://127.0.0.1:{srv.server_address[1]}/'
        mkv_url = f'http://127.0.0.1:{mkv_srv.server_address[1]}/dis.mkv'
        with Cluster(env, 'probe-mkv-http') as c:
            c.controller()
            api = c.api()
            c.node('a')
            c.node('b')
            for r, d, size in ((ref, dis_mkv, 5), (base + 'ref.y4m', base + 'dis.y4m', 7),
                               (ref, mkv_url, 6)):
                jid = api.submit(r, d, chunk_frames=size)
                check_chunked(env, c, api, jid, r, d, size, ref)
            m = api.metrics()
            started = metric(m, 'vmafx_controller_frame_probes_total{outcome="started"}')
            counted = metric(m, 'vmafx_controller_frame_probes_total{outcome="counted"}')
            if (started, counted) != (3, 3):
                raise AssertionError(f'probe metrics: started {started}, counted {counted}')
            if len(api.ok('GET', '/v1/jobs')['jobs']) != 3:
                raise AssertionError('the probes show as jobs')
    finally:
        srv.shutdown()
        mkv_srv.shutdown()


def test_probe_mp4(env):
    """An mp4 (dis.mkv remuxed, nothing re-encoded) counted from its index's sample count."""
    import shutil, subprocess
    if not shutil.which('ffmpeg'):
        raise Skip('no ffmpeg to remux dis.mkv into an mp4')
    dis_mkv = mkv(env)
    ref, _ = pair_files(env, PAIR)
    with Cluster(env, 'probe-mp4') as c:
        mp4 = os.path.join(c.dir, 'dis.mp4')
        subprocess.run(['ffmpeg', '-nostdin', '-v', 'error', '-y', '-i', dis_mkv, '-c', 'copy', mp4], check=True)
        c.controller()
        api = c.api()
        c.node('a')
        jid = api.submit(ref, mp4, chunk_frames=5)
        check_chunked(env, c, api, jid, ref, mp4, 5, ref)


class _NoLength(http.server.BaseHTTPRequestHandler):
    """Sends a file without Content-Length (chunked transfer encoding: its size is not told)."""
    protocol_version = 'HTTP/1.1'

    def log_message(self, *a):
        pass

    def do_GET(self):
        path = os.path.join(self.server.root, os.path.basename(self.path))
        if not os.path.exists(path):
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header('Content-Type', 'application/octet-stream')
        self.send_header('Transfer-Encoding', 'chunked')
        self.send_header('Connection', 'close')
        self.end_headers()
        with open(path, 'rb') as f:
            data = f.read()
        try:
            for i in range(0, len(data), 1 << 16):
                part = data[i:i + (1 << 16)]
                self.wfile.write(b'%x\r\n%s\r\n' % (len(part), part))
            self.wfile.write(b'0\r\n\r\n')
        except (BrokenPipeError, ConnectionResetError):
            pass


def test_probe_fails_job_runs_whole(env):
    ref, dis = pair_files(env, PAIR)
    srv = _Server(('127.0.0.1', 0), _NoLength)
    srv.root = os.path.dirname(dis)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    try:
        url = f'http://127.0.0.1:{srv.server_address[1]}/dis.y4m'
        with Cluster(env, 'probe-fails') as c:
            c.controller()
            api = c.api()
            c.node('a')
            jid = api.submit(ref, url, chunk_frames=5)
            job = api.wait_status(jid, ('completed', 'failed'), timeout=120)
            note = job.get('chunk_note', '')
            if job['status'] != 'completed' or job.get('chunks'):
                raise AssertionError(f'a failed probe: the job should run whole: {job}')
            if 'distorted input' not in note or 'no frame count' not in note or 'one chunk' not in note:
                raise AssertionError(f'chunk_note should name the input and why: {note!r}')
            want = whole_report(env, ref, url, [], 'json', os.path.join(c.dir, 'whole.json'))
            if without_timing(want) != without_timing(frames(api, jid, 'json')):
                raise AssertionError('after a failed probe: the report differs from vmafx score')
            if metric(api.metrics(), 'vmafx_controller_frame_probes_total{outcome="failed"}') != 1:
                raise AssertionError('a failed probe is not counted')
    finally:
        srv.shutdown()


class _Held(_Quiet):
    """A file server that holds every request open while server.hold is set."""

    def do_GET(self):
        self.server.arrived.set()
        while self.server.hold.is_set():
            time.sleep(0.05)
        super().do_GET()


def test_kill_node_holding_probe(env):
    dis_mkv = mkv(env)
    ref, _ = pair_files(env, PAIR)
    srv = held_server(os.path.dirname(dis_mkv))
    try:
        url = f'http://127.0.0.1:{srv.server_address[1]}/dis.mkv'
        with Cluster(env, 'probe-kill') as c:
            c.controller('--lease-ttl', '2', '--retry-backoff', '0')
            api = c.api()
            victim = c.node('victim', '--stall-timeout', '120')
            jid = api.submit(ref, url, chunk_frames=5)
            wait_until('the victim to read the input for its probe', srv.arrived.is_set, timeout=30)
            job = api.job(jid)
            probe = job.get('probe') or {}
            if job['status'] != 'pending' or job.get('chunk_note') != 'counting frames on a node' or \
                    (probe.get('status'), probe.get('node'), probe.get('attempt')) != ('running', 'victim', 1):
                raise AssertionError(f'while a node counts: {job}')
            victim.kill9()
            wait_until('the probe lease to expire', lambda: (api.job(jid).get('probe') or {}).get('lost_leases') == 1,
                       timeout=15)
            if job.get('chunks'):
                raise AssertionError(f'chunks before the count: {job}')
            srv.hold.clear()
            c.node('rescuer')
            job = check_chunked(env, c, api, jid, ref, url, 5, ref)
            if any(ch.get('node') == 'victim' for ch in job['chunks']):
                raise AssertionError(f'a chunk ran on the killed node: {job["chunks"]}')
            m = api.metrics()
            if metric(m, 'vmafx_controller_frame_probes_total{outcome="counted"}') != 1:
                raise AssertionError('the probe should have counted once, on the rescuer')
            log = open(os.path.join(c.dir, 'controller.log')).read()
            if 'node rescuer counted' not in log:
                raise AssertionError('the controller log does not say the rescuer counted')
    finally:
        srv.hold.clear()
        srv.shutdown()


def held_server(root):
    srv = _Server(('127.0.0.1', 0), functools.partial(_Held, directory=root))
    srv.hold, srv.arrived = threading.Event(), threading.Event()
    srv.hold.set()
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    return srv


def test_probe_given_up_job_runs_whole(env):
    """The probe's lease lost --max-lost-attempts times: the probe is given up, not the job."""
    dis_mkv = mkv(env)
    ref, _ = pair_files(env, PAIR)
    srv = held_server(os.path.dirname(dis_mkv))
    try:
        url = f'http://127.0.0.1:{srv.server_address[1]}/dis.mkv'
        with Cluster(env, 'probe-given-up') as c:
            c.controller('--lease-ttl', '2', '--retry-backoff', '0', '--max-lost-attempts', '1')
            api = c.api()
            victim = c.node('victim', '--stall-timeout', '120')
            jid = api.submit(ref, url, chunk_frames=5)
            wait_until('the victim to read the input for its probe', srv.arrived.is_set, timeout=30)
            victim.kill9()
            wait_until('the job to be let go whole', lambda: 'lease lost' in api.job(jid).get('chunk_note', ''),
                       timeout=30)
            srv.hold.clear()
            c.node('rescuer')
            job = api.wait_status(jid, ('completed', 'failed'), timeout=120)
            if job['status'] != 'completed' or job.get('chunks') or 'one chunk' not in job['chunk_note'] or \
                    'probe' in job:
                raise AssertionError(f'a given-up probe: the job should run whole: {job}')
            want = whole_report(env, ref, dis_mkv, [], 'json', os.path.join(c.dir, 'whole.json'))
            if without_timing(want) != without_timing(frames(api, jid, 'json')):
                raise AssertionError('after a given-up probe: the report differs from vmafx score')
    finally:
        srv.hold.clear()
        srv.shutdown()


def test_cancel_while_probing(env):
    """A job cancelled while a node counts stays cancelled (its probe stops, its late result
    is dropped), and the node takes the next job."""
    dis_mkv = mkv(env)
    ref, dis = pair_files(env, PAIR)
    srv = held_server(os.path.dirname(dis_mkv))
    try:
        url = f'http://127.0.0.1:{srv.server_address[1]}/dis.mkv'
        with Cluster(env, 'probe-cancel') as c:
            c.controller()
            api = c.api()
            c.node('a')
            jid = api.submit(ref, url, chunk_frames=5)
            wait_until('the node to read the input for its probe', srv.arrived.is_set, timeout=30)
            api.ok('POST', f'/v1/jobs/{jid}/cancel')
            if (api.job(jid).get('probe') or {}).get('status') != 'cancelled':
                raise AssertionError(f'the probe of a cancelled job: {api.job(jid)}')
            srv.hold.clear()
            nxt = api.submit(ref, dis)
            if api.wait_status(nxt, ('completed', 'failed'), timeout=60)['status'] != 'completed':
                raise AssertionError('the node did not take the next job')
            job = api.job(jid)
            if job['status'] != 'cancelled' or job.get('chunks'):
                raise AssertionError(f'cancelled while probing: {job}')
    finally:
        srv.hold.clear()
        srv.shutdown()


def test_controller_restart_mid_probe(env):
    """The controller killed while a node counts: the probe is in the store; the restarted
    controller takes the node's result (the node retries it) and cuts the job."""
    dis_mkv = mkv(env)
    ref, _ = pair_files(env, PAIR)
    srv = held_server(os.path.dirname(dis_mkv))
    try:
        url = f'http://127.0.0.1:{srv.server_address[1]}/dis.mkv'
        with Cluster(env, 'probe-restart') as c:
            ctl = c.controller()
            api = c.api()
            c.node('a')
            jid = api.submit(ref, url, chunk_frames=5)
            wait_until('the node to read the input for its probe', srv.arrived.is_set, timeout=30)
            ctl.kill9()
            srv.hold.clear()      # the node counts and sends its result while no controller answers
            time.sleep(1)
            c.controller()
            job = check_chunked(env, c, api, jid, ref, url, 5, ref)
            if any(ch['attempt'] != 1 for ch in job['chunks']):
                raise AssertionError(f'after the restart: {job["chunks"]}')
    finally:
        srv.hold.clear()
        srv.shutdown()


def test_refuse_client_probe(env):
    ref, dis = pair_files(env, PAIR)
    with Cluster(env, 'probe-refuse') as c:
        c.controller()
        st, body, _ = c.api().call('POST', '/v1/jobs', {'reference_uri': ref, 'distorted_uri': dis,
                                                         'probe': True})
        if st != 400 or 'probe' not in str(body):
            raise AssertionError(f'a client probe: {st} {body}')


def test_probe_rclone_remote(env):
    """Inputs on an S3 remote, read through the nodes' rclone (http-serve): a y4m counted from
    the size rclone's server announces, a mkv by a demux pass through it."""
    if env.quick:
        raise Skip('--quick (the sanitizer run) leaves out the long cluster cases')
    import storage_lab
    dis_mkv = mkv(env)
    lab = storage_lab.get_lab(env.scratch)
    ref, dis = pair_files(env, PAIR)
    for path, name in ((ref, 'ref.y4m'), (dis, 'dis.y4m'), (dis_mkv, 'dis.mkv')):
        lab.rclone_cmd('copyto', path, f's3:media/probe/{name}')
    with Cluster(env, 'probe-rclone') as c:
        c.controller()
        api = c.api()
        for k in range(2):
            c.node(f'n{k}', env={'VMAFX_RCLONE_CONFIG': lab.conf, 'VMAFX_STORAGE_MODE': 'http-serve'})
        cases = (('s3://media/probe/ref.y4m', 's3://media/probe/dis.y4m', (ref, dis), 5),
                 (ref, 's3://media/probe/dis.mkv', (ref, dis_mkv), 7))
        for r, d, local, size in cases:
            jid = api.submit(r, d, chunk_frames=size)
            check_chunked(env, c, api, jid, r, d, size, ref, local=local)
    assert not storage_lab.rclone_pids(c.dir), 'rclone processes left behind'


# ---- PostgreSQL: the same probes; two controllers on one database cut a job once ---------

def test_pg_probe(env):
    from test_chunks_service import _pg
    PgServer = _pg()
    dis_mkv = mkv(env)
    ref, _ = pair_files(env, PAIR)
    with PgServer() as pg:
        dsn = pg.dsn(pg.new_db())
        with Cluster(env, 'probe-pg-a', db=dsn) as a, Cluster(env, 'probe-pg-b', db=dsn) as b:
            a.controller()
            b.controller()
            a.node('a0')
            b.node('b0')
            jids = [a.api().submit(ref, dis_mkv, chunk_frames=size) for size in (5, 7)]
            for jid, size in zip(jids, (5, 7)):
                # cut once: a second cut would have added a second set of chunks
                job = check_chunked(env, a, b.api(), jid, ref, dis_mkv, size, ref)
                if any(ch['attempt'] != 1 for ch in job['chunks']):
                    raise AssertionError(f'a chunk was leased twice: {job["chunks"]}')
