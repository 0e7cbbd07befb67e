"""Chunked jobs through the controller and nodes (issue 13): a job submitted with
chunk_frames (or under the controller's VMAFX_CHUNK_FRAMES) is cut into chunks leased to
any free nodes, and GET /v1/jobs/{id}/frames returns, in every format, what `vmafx score`
writes for the whole job (byte for byte but the fps field).

  matrix:  chunk sizes {1, 2, 5, 7, 16} with 1-3 nodes on a 24-frame pair; NEG, subsample 3,
           PSNR/SSIM and a v1 model at one size; the controller default (--chunk-frames).
  view:    GET /v1/jobs/{id} lists every chunk (range, status, attempts), chunks_completed,
           and the metrics count the chunks; list and counts show the job once.
  unknown: a container input (frame count unknown to the controller) runs as one chunk and
           says so in chunk_note.
  faults:  kill -9 of a node holding a chunk: that chunk alone is leased again (attempt 2),
           the result still identical; controller restarted mid-job: nothing lost or
           duplicated (each chunk completes once, the merge happens once).
  cancel:  cancelling the job cancels every chunk.
  refusal: a client may not submit a "chunk" itself."""
import os, re, signal, time
from vmafx_testlib import Skip, run, pair_files
from controller_testlib import Cluster, wait_until, metric
from test_chunks import without_timing, y4m_frames

PAIR = 'testsrc2_576x324_p10_crf35'


def whole_report(env, ref, dis, args, fmt, out):
    run([env.bin('src/cli/vmafx'), 'score', '-q', '-r', ref, '-d', dis, *args, '--' + fmt, '-o', out])
    return open(out).read()


def frames(api, jid, fmt):
    st, body, _ = api.call('GET', f'/v1/jobs/{jid}/frames?format={fmt}', raw=True)
    assert st == 200, (st, body)
    return body.decode()


def job_fields(ref, dis, args):
    """The request fields of `vmafx score` args used here."""
    f = {}
    it = iter(args)
    for a in it:
        if a == '-m':
            f.setdefault('models', []).append(next(it))
        elif a == '--feature':
            f.setdefault('features', []).append(next(it))
        elif a == '--subsample':
            f.setdefault('options', {})['subsample'] = int(next(it))
    return f


def check_job(env, c, api, ref, dis, args, size, fmts=('json',), timeout=120):
    body = job_fields(ref, dis, args)
    if size is not None:
        body['chunk_frames'] = size
    jid = api.submit(ref, dis, **body)
    job = api.wait_status(jid, ('completed', 'failed'), timeout=timeout)
    assert job['status'] == 'completed', job
    for fmt in fmts:
        want = whole_report(env, ref, dis, args, fmt, os.path.join(c.dir, f'whole.{fmt}'))
        got = frames(api, jid, fmt)
        if without_timing(want) != without_timing(got):
            raise AssertionError(f'{args} chunks of {size} ({fmt}): the merged report differs from vmafx score')
    return api.job(jid)


def expect_chunks(job, total, size):
    n = (total + size - 1) // size if total > size else 0
    chunks = job.get('chunks', [])
    if len(chunks) != n or (n and job.get('chunks_completed') != n):
        raise AssertionError(f'expected {n} chunks, got {len(chunks)}: {job}')
    prog = job.get('progress') or {}
    if n and (prog.get('frames_total'), prog.get('frames_done')) != (total, total):
        raise AssertionError(f'progress of a chunked job: {prog}')
    for i, ch in enumerate(chunks):
        if ch['first'] != i * size or ch['end'] != (None if i == n - 1 else (i + 1) * size):
            raise AssertionError(f'chunk {i}: {ch}')


def matrix(env, sizes_nodes):
    ref, dis = pair_files(env, PAIR)
    total = y4m_frames(ref)
    with Cluster(env, 'chunks-matrix') as c:
        c.controller()
        api = c.api()
        started = 0
        for size, nodes in sizes_nodes:
            while started < nodes:
                c.node(f'n{started}')
                started += 1
            job = check_job(env, c, api, ref, dis, [], size, fmts=('json', 'xml', 'csv'))
            expect_chunks(job, total, size)
            used = {ch.get('node') for ch in job['chunks']}
            if nodes > 1 and size <= 5 and len(used) < 2:
                raise AssertionError(f'{nodes} nodes, chunks of {size}: all chunks ran on {used}')


def test_matrix_sizes_nodes(env):
    matrix(env, [(16, 1), (7, 1), (5, 2), (2, 2), (1, 3)])


def test_options(env):
    ref, dis = pair_files(env, PAIR)
    with Cluster(env, 'chunks-options') as c:
        c.controller()
        api = c.api()
        c.node('a')
        c.node('b')
        for args in (['-m', 'version=vmaf_v0.6.1neg'], ['--subsample', '3'],
                     ['--feature', 'psnr', '--feature', 'float_ssim'], ['-m', 'version=vmaf_v1.0.16_hfr_3d0h'],
                     ['-m', 'version=vmaf_b_v0.6.3']):
            check_job(env, c, api, ref, dis, args, 5)


def test_controller_default(env):
    ref, dis = pair_files(env, PAIR)
    with Cluster(env, 'chunks-default') as c:
        c.controller('--chunk-frames', '7')
        api = c.api()
        c.node('a')
        job = check_job(env, c, api, ref, dis, [], None)
        expect_chunks(job, y4m_frames(ref), 7)
        # `vmafx results` gives the merged report as `vmafx score` writes it
        got = run([env.bin('src/cli/vmafx'), 'results', job['id'], '--csv', '--controller',
                   f'http://127.0.0.1:{c.port}']).stdout
        want = whole_report(env, ref, dis, [], 'csv', os.path.join(c.dir, 'w.csv'))
        if got != want:
            raise AssertionError('vmafx results --csv differs from vmafx score --csv')
        m = api.metrics()
        created = metric(m, 'vmafx_controller_chunks_created_total')
        if created != 4 or metric(m, 'vmafx_controller_chunked_jobs_merged_total') != 1:
            raise AssertionError(f'metrics: {created} chunks created')
        listed = api.ok('GET', '/v1/jobs')['jobs']
        if len(listed) != 1 or metric(m, 'vmafx_controller_jobs{state="completed"}') != 1:
            raise AssertionError(f'the chunks show as jobs: {len(listed)} listed')
        # chunk_frames 0 in the job turns the default off
        jid = api.submit(ref, dis, chunk_frames=0)
        job = api.wait_status(jid, ('completed', 'failed'), timeout=60)
        if job['status'] != 'completed' or job.get('chunks'):
            raise AssertionError(f'chunk_frames 0: {job}')


def test_unknown_count_one_chunk(env):
    src = os.path.join(env.shared, 'conformance', PAIR, 'dis.mkv')
    if not os.path.exists(src):
        raise Skip('no dis.mkv')
    ref, _ = pair_files(env, PAIR)
    with Cluster(env, 'chunks-mkv') as c:
        c.controller()
        api = c.api()
        c.node('a')
        jid = api.submit(ref, src, chunk_frames=5)
        job = api.wait_status(jid, ('completed', 'failed'), timeout=60)
        # counted by a node since the frame-count probes (test_chunks_probe.py): then cut
        if job['status'] != 'completed' or not job.get('chunks') or 'known' not in job.get('chunk_note', ''):
            raise AssertionError(f'container input: {job}')
        want = whole_report(env, ref, src, [], 'json', os.path.join(c.dir, 'w.json'))
        if without_timing(want) != without_timing(frames(api, jid, 'json')):
            raise AssertionError('container input: report differs')


def test_refuse_client_chunk(env):
    ref, dis = pair_files(env, PAIR)
    with Cluster(env, 'chunks-refuse') as c:
        c.controller()
        st, body, _ = c.api().call('POST', '/v1/jobs', {'reference_uri': ref, 'distorted_uri': dis,
                                                         'chunk': {'first': 0, 'end': 4}})
        if st != 400 or 'chunk' not in str(body):
            raise AssertionError(f'a client chunk: {st} {body}')


def slow_pair(env, c, frames_count):
    """A long local pair (the p10 pair's frames repeated), so chunks take seconds."""
    from controller_testlib import long_clip
    ref, dis = pair_files(env, PAIR)
    out = []
    for src, name in ((ref, 'ref.y4m'), (dis, 'dis.y4m')):
        path = os.path.join(c.dir, name)
        with open(path, 'wb') as f:
            f.write(long_clip(src, frames_count))
        out.append(path)
    return out


def test_kill_node_holding_chunk(env):
    with Cluster(env, 'chunks-kill') as c:
        ref, dis = slow_pair(env, c, 240)
        c.controller('--lease-ttl', '2', '--retry-backoff', '0')
        api = c.api()
        victim = c.node('victim', '--threads', '1')
        jid = api.submit(ref, dis, chunk_frames=60)
        wait_until('a chunk to run on the victim', lambda: any(
            ch.get('node') == 'victim' and ch['status'] == 'running' for ch in api.job(jid).get('chunks', [])),
            timeout=30)
        victim.kill9()
        c.node('rescuer')
        job = api.wait_status(jid, ('completed', 'failed'), timeout=240)
        assert job['status'] == 'completed', job
        again = [ch for ch in job['chunks'] if ch['attempt'] > 1]
        if len(again) != 1 or any(ch['attempt'] != 1 for ch in job['chunks'] if ch not in again):
            raise AssertionError(f'only the killed chunk should run again: {job["chunks"]}')
        want = whole_report(env, ref, dis, [], 'json', os.path.join(c.dir, 'w.json'))
        if without_timing(want) != without_timing(frames(api, jid, 'json')):
            raise AssertionError('after the kill: report differs')


def test_controller_restart_mid_job(env):
    with Cluster(env, 'chunks-restart') as c:
        ref, dis = slow_pair(env, c, 240)
        ctl = c.controller()
        api = c.api()
        c.node('a', '--threads', '1')
        c.node('b', '--threads', '1')
        jid = api.submit(ref, dis, chunk_frames=40)
        wait_until('a chunk to complete', lambda: api.job(jid).get('chunks_completed', 0) >= 1, timeout=60)
        ctl.kill9()
        time.sleep(1)
        c.controller()
        job = api.wait_status(jid, ('completed', 'failed'), timeout=240)
        assert job['status'] == 'completed', job
        if len(job['chunks']) != 6 or any(ch['status'] != 'completed' for ch in job['chunks']):
            raise AssertionError(f'after the restart: {job["chunks"]}')
        want = whole_report(env, ref, dis, [], 'json', os.path.join(c.dir, 'w.json'))
        if without_timing(want) != without_timing(frames(api, jid, 'json')):
            raise AssertionError('after the restart: report differs')
        log = open(os.path.join(c.dir, 'controller.log')).read()
        if log.count(f'job {jid} completed') != 1:
            raise AssertionError('the merge ran more than once')


def test_cancel_reaches_chunks(env):
    with Cluster(env, 'chunks-cancel') as c:
        ref, dis = slow_pair(env, c, 240)
        c.controller()
        api = c.api()
        c.node('a', '--threads', '1')
        jid = api.submit(ref, dis, chunk_frames=60)
        wait_until('a chunk to run', lambda: any(ch['status'] == 'running' for ch in api.job(jid).get('chunks', [])),
                   timeout=30)
        api.ok('POST', f'/v1/jobs/{jid}/cancel')
        job = wait_until('every chunk to be cancelled', lambda: (lambda j: j if all(
            ch['status'] == 'cancelled' for ch in j['chunks']) else None)(api.job(jid)), timeout=30)
        if job['status'] != 'cancelled':
            raise AssertionError(job)


# ---- PostgreSQL: the same store operations, and several controllers on one database ------

def _pg():
    try:
        from test_controller_pg import PgServer, PG_BIN
    except ImportError as e:
        raise Skip(f'no PostgreSQL test server: {e}')
    if not os.path.exists(os.path.join(PG_BIN, 'initdb')):
        raise Skip('postgresql-15 is not installed')
    return PgServer


def test_pg_chunked_job(env):
    PgServer = _pg()
    ref, dis = pair_files(env, PAIR)
    with PgServer() as pg:
        with Cluster(env, 'chunks-pg', db=pg.dsn(pg.new_db())) as c:
            c.controller()
            api = c.api()
            c.node('a')
            c.node('b')
            job = check_job(env, c, api, ref, dis, [], 5, fmts=('json', 'xml', 'csv'))
            expect_chunks(job, y4m_frames(ref), 5)


def test_pg_two_controllers_lease_each_chunk_once(env):
    """Two controllers on one database, nodes on both: every chunk completes on its first
    attempt (leased once), the job is merged once, the report is the one-process report."""
    PgServer = _pg()
    with PgServer() as pg:
        dsn = pg.dsn(pg.new_db())
        with Cluster(env, 'chunks-pg-a', db=dsn) as a, Cluster(env, 'chunks-pg-b', db=dsn) as b:
            ref, dis = slow_pair(env, a, 192)
            a.controller()
            b.controller()
            # submitted (and cut) on a; b's nodes lease its chunks through b, a's nodes join
            # once they have: chunks leased through both controllers at once
            for k in range(2):
                b.node(f'b{k}', '--threads', '1')
            jid = a.api().submit(ref, dis, chunk_frames=4)
            deadline = time.monotonic() + 120
            while not any((ch.get('node') or '').startswith('b') for ch in b.api().job(jid).get('chunks', [])):
                if time.monotonic() > deadline:
                    raise AssertionError('no chunk was leased through the second controller')
                time.sleep(0.05)
            for k in range(2):
                a.node(f'a{k}', '--threads', '1')
            job = b.api().wait_status(jid, ('completed', 'failed'), timeout=240)
            assert job['status'] == 'completed', job
            if len(job['chunks']) != 48 or any(ch['attempt'] != 1 for ch in job['chunks']):
                raise AssertionError(f'a chunk was leased twice: {job["chunks"]}')
            if 'b' not in {ch['node'][0] for ch in job['chunks']}:
                raise AssertionError(f'no chunk ran through the second controller: {job["chunks"]}')
            logs = ''.join(open(os.path.join(x.dir, 'controller.log')).read() for x in (a, b))
            if logs.count(f'job {jid} completed') != 1:
                raise AssertionError('the job was merged more than once')
            want = whole_report(env, ref, dis, [], 'json', os.path.join(a.dir, 'w.json'))
            if without_timing(want) != without_timing(frames(a.api(), jid, 'json')):
                raise AssertionError('two controllers: report differs')


def test_chunk_results_checked(env):
    """A chunk's raw values are refused for a job that is not a chunk; a failed chunk fails
    its job, naming the chunk's frames, and cancels the other chunks; chunks whose values do
    not parse fail the job at the merge."""
    import test_controller as tc
    ref, dis = pair_files(env, PAIR)
    with Cluster(env, 'chunks-checked') as c:
        c.controller()
        api = c.api()
        plain = api.submit(ref, dis, chunk_frames=0)
        g = tc.lease(api, 'fake')
        assert g and g['id'] == plain, g
        st, body, _ = tc.complete(api, 'fake', g, {'chunk': 'vmafx-chunk 1\n'})
        if st != 400 or 'not a chunk' not in str(body):
            raise AssertionError(f'a chunk result for a plain job: {st} {body}')
        api.ok('POST', f'/v1/jobs/{plain}/cancel')
        failing = api.submit(ref, dis, chunk_frames=8)
        g = tc.lease(api, 'fake')
        st, body, _ = api.call('POST', f'/v1/nodes/fake/jobs/{g["id"]}/result',
                               {'attempt': g['attempt'], 'status': 'failed', 'error': 'boom'})
        assert st == 204, (st, body)
        job = api.job(failing)
        if job['status'] != 'failed' or not job.get('error', '').startswith('chunk of frames 0-7: boom') or \
                any(ch['status'] != 'cancelled' for ch in job['chunks'][1:]):
            raise AssertionError(f'a failed chunk: {job}')
        jid = api.submit(ref, dis, chunk_frames=8)
        g = tc.lease(api, 'fake')
        assert g and g['id'] != jid, g          # a chunk, not the job itself
        st, body, _ = tc.complete(api, 'fake', g, {'chunk': 'not a chunk'})
        assert st == 204, (st, body)
        # the other chunks complete with garbage too: the merge then fails the job
        while True:
            g = tc.lease(api, 'fake')
            if not g:
                break
            tc.complete(api, 'fake', g, {'chunk': 'not a chunk'})
        job = api.wait_status(jid, ('completed', 'failed'), timeout=30)
        if job['status'] != 'failed' or 'not a chunk result' not in job.get('error', ''):
            raise AssertionError(f'garbage chunks: {job}')
