"""Held jobs never planned (issue 13: "controller restart mid-job: nothing lost"): a job that
wants chunks is stored held (no node may lease it) and planned right after; a controller
that stops between the two left it held for ever. Now every controller plans such jobs on
start-up and from its periodic sweep, and each job is still cut (or probed) once.

The state "stored, then the controller died" is made by submitting with no node running,
killing the controller (kill -9) and undoing the plan in the database (the job's chunks or
probe deleted, chunks = 0, chunk_note and frames_total NULL, not_before = STORE_HELD): the
row is then what submit writes.

  sqlite:   a y4m job (cut from its size) and a mkv job (counted on a probe lease): the
            restarted controller plans both; they complete with `vmafx score`'s report.
  pg:       two controllers started at once on one database plan the same held jobs:
            each is cut (and probed) once; a job left held by a controller killed while
            the other runs is planned by the other's periodic sweep."""
import os, sqlite3, time
from vmafx_testlib import Skip, pair_files
from controller_testlib import Cluster, wait_until, metric
from test_chunks import without_timing, y4m_frames
from test_chunks_service import whole_report, frames

PAIR = 'testsrc2_576x324_crf35'   # 48 frames, dis.mkv beside it
HELD = '1e300'                     # STORE_HELD

UNPLAN = ["DELETE FROM reports WHERE seq IN (SELECT seq FROM jobs WHERE parent_seq ="
          " (SELECT seq FROM jobs WHERE id = '{id}'))",
          "DELETE FROM jobs WHERE parent_seq = (SELECT seq FROM jobs WHERE id = '{id}')",
          "UPDATE jobs SET chunks = 0, chunk_note = NULL, frames_total = NULL, not_before = " + HELD +
          ", created_at = created_at - 60 WHERE id = '{id}'"]


def mkv(env):
    path = os.path.join(env.shared, 'conformance', PAIR, 'dis.mkv')
    if not os.path.exists(path):
        raise Skip(f'no {path}')
    return path


def submit_planned(api, ref, dis_y4m, dis_mkv):
    """Two chunked jobs, planned with no node to run them: one cut, one probing."""
    cut = api.submit(ref, dis_y4m, chunk_frames=5)
    probed = api.submit(ref, dis_mkv, chunk_frames=7)
    wait_until('the y4m job to be cut', lambda: api.job(cut).get('chunks'), timeout=15)
    wait_until('the mkv job to be probing', lambda: api.job(probed).get('probe'), timeout=15)
    return cut, probed


def unplan_sqlite(db, ids):
    con = sqlite3.connect(db, timeout=30)
    try:
        for jid in ids:
            for sql in UNPLAN:
                con.execute(sql.format(id=jid))
        con.commit()
    finally:
        con.close()


def check_done(env, c, api, jid, ref, dis, size):
    job = api.wait_status(jid, ('completed', 'failed'), timeout=180)
    n = (y4m_frames(ref) + size - 1) // size
    if job['status'] != 'completed' or len(job.get('chunks', [])) != n:
        raise AssertionError(f'a held job after the restart: expected {n} chunks, completed: {job}')
    if any(ch['attempt'] != 1 for ch in job['chunks']):
        raise AssertionError(f'a chunk leased twice: {job["chunks"]}')
    want = whole_report(env, ref, dis, [], 'json', os.path.join(c.dir, 'whole.json'))
    if without_timing(want) != without_timing(frames(api, jid, 'json')):
        raise AssertionError(f'{dis}: the merged report differs from vmafx score')


def test_replan_on_startup_sqlite(env):
    ref, dis = pair_files(env, PAIR)
    dis_mkv = mkv(env)
    with Cluster(env, 'replan-sqlite') as c:
        ctl = c.controller()
        api = c.api()
        cut, probed = submit_planned(api, ref, dis, dis_mkv)
        ctl.kill9()
        unplan_sqlite(c.db, (cut, probed))
        c.controller()
        for jid in (cut, probed):
            if api.job(jid)['status'] != 'pending':
                raise AssertionError(f'held job: {api.job(jid)}')
        wait_until('the restarted controller to plan both held jobs',
                   lambda: api.job(cut).get('chunks') and api.job(probed).get('probe'), timeout=15)
        log = open(os.path.join(c.dir, 'controller.log')).read()
        if log.count('never planned') != 2:
            raise AssertionError('the controller log does not name the two held jobs it planned')
        c.node('a')
        c.node('b')
        check_done(env, c, api, cut, ref, dis, 5)
        check_done(env, c, api, probed, ref, dis_mkv, 7)
        if metric(api.metrics(), 'vmafx_controller_frame_probes_total{outcome="started"}') != 1:
            raise AssertionError('the held mkv job should have been probed once')


def test_replan_pg_two_controllers(env):
    from test_chunks_service import _pg
    PgServer = _pg()
    ref, dis = pair_files(env, PAIR)
    dis_mkv = mkv(env)
    with PgServer() as pg:
        name = pg.new_db()
        dsn = pg.dsn(name)

        def unplan(ids):
            # one transaction: the running controller's sweep must never see it half done
            pg.sql('BEGIN; ' + '; '.join(sql.format(id=jid) for jid in ids for sql in UNPLAN) + '; COMMIT',
                   db=name)

        def count(sql):
            return int(pg.sql(sql, db=name).strip())

        with Cluster(env, 'replan-pg-a', db=dsn) as a, Cluster(env, 'replan-pg-b', db=dsn) as b:
            ctl = a.controller()
            ids = submit_planned(a.api(), ref, dis, dis_mkv)
            third = a.api().submit(ref, dis, chunk_frames=6)
            wait_until('the third job to be cut', lambda: a.api().job(third).get('chunks'), timeout=15)
            ctl.kill9()
            unplan(ids)
            # both start at once: both start-up sweeps see the same two held jobs
            a.controller(check=False)
            b.controller()
            wait_until('controller a', lambda: a._healthy(a.api()), timeout=15)
            api = b.api()
            wait_until('the held jobs to be planned',
                       lambda: api.job(ids[0]).get('chunks') and api.job(ids[1]).get('probe'), timeout=15)
            time.sleep(1)   # a planner that lost the race has given up by now
            probes = count(f"SELECT count(*) FROM jobs WHERE chunk_first IS NULL AND parent_seq ="
                           f" (SELECT seq FROM jobs WHERE id = '{ids[1]}')")
            chunks = count(f"SELECT count(*) FROM jobs WHERE parent_seq ="
                           f" (SELECT seq FROM jobs WHERE id = '{ids[0]}')")
            if (probes, chunks) != (1, 10):
                raise AssertionError(f'two controllers planned the held jobs: {probes} probes (1), {chunks} chunks (10)')
            # a controller killed with a held job while the other runs: the other's sweep plans it
            a.ctl.kill9()
            unplan([third])
            wait_until('controller b to plan the stranded job', lambda: api.job(third).get('chunks'), timeout=30)
            if f'job {third}: held for chunking but never planned' not in \
                    open(os.path.join(b.dir, 'controller.log')).read():
                raise AssertionError(f'controller b does not say it planned {third}')
            b.node('b0')
            b.node('b1')
            for jid, d, size in zip((*ids, third), (dis, dis_mkv, dis), (5, 7, 6)):
                check_done(env, b, api, jid, ref, d, size)
