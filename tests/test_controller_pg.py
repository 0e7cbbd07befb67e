"""The controller on its PostgreSQL store: a private PostgreSQL server (Debian's
postgresql-15, initdb in a temporary folder, a free 127.0.0.1 port, password authentication)
for each case, and a fresh database for each cluster. The key cases of test_controller.py and
test_node.py run unchanged against it (submit, get, list paging and filters, idempotent
submit, lease fencing and stale attempts, lease expiry with backoff and give-up, cancel,
/metrics, nodes killed, the controller killed with SIGKILL and restarted), plus what only this
store has: two controllers sharing one database never hand out one lease twice, the lease
query walks its index, a restarted server is reconnected to, and the DSN's password never
reaches a log or an error message.
With --quick (the sanitizer build) a subset runs: the store's own cases and the short
reused ones (a server starts in about a second)."""
import os, shutil, subprocess, tempfile, threading, time

import test_controller as tc
import test_node as tn
from controller_testlib import Cluster, Proc, _clean_env, database, free_port, wait_until
from vmafx_testlib import Skip

PG_BIN = '/usr/lib/postgresql/15/bin'
USER, PASSWORD = 'vmafx', 'pg-Secret-pw-4711'
REF, DIS = tc.REF, tc.DIS


class PgServer:
    """with PgServer() as pg: pg.dsn(pg.new_db()) ... A cluster owned by the 'postgres' system
    user when the tests run as root (PostgreSQL refuses to run as root); always stopped."""

    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix='vmafx-pg-')
        self.data = os.path.join(self.dir, 'data')
        self.port = free_port()
        self.n_db = 0
        self.started = False

    def _run(self, args, timeout=60):
        cmd = ['runuser', '-u', 'postgres', '--'] + args if os.geteuid() == 0 else args
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
        if p.returncode:
            raise AssertionError(f'{" ".join(args[:2])} exited {p.returncode}: {p.stdout[-800:]}{p.stderr[-800:]}')
        return p.stdout

    def __enter__(self):
        try:
            if os.geteuid() == 0:
                shutil.chown(self.dir, 'postgres', 'postgres')
            self._run([f'{PG_BIN}/initdb', '-D', self.data, '-U', 'postgres', '--auth-local=trust',
                       '--auth-host=scram-sha-256', '--no-sync', '-E', 'UTF8', '--locale=C'])
            opts = f'-c listen_addresses=127.0.0.1 -p {self.port} -k {self.dir} -c fsync=off -c max_connections=60'
            self._run([f'{PG_BIN}/pg_ctl', '-D', self.data, '-o', opts, '-l', os.path.join(self.dir, 'log'),
                       '-w', '-t', '30', 'start'])
            self.started = True
            self.sql(f"CREATE ROLE {USER} LOGIN PASSWORD '{PASSWORD}'")
        except BaseException:
            self.close()
            raise
        return self

    def __exit__(self, *exc):
        self.close()

    def close(self):
        if self.started:
            self.started = False
            self._run([f'{PG_BIN}/pg_ctl', '-D', self.data, '-m', 'immediate', '-w', '-t', '30', 'stop'])
        shutil.rmtree(self.dir, ignore_errors=True)

    def restart(self):
        self._run([f'{PG_BIN}/pg_ctl', '-D', self.data, '-l', os.path.join(self.dir, 'log'), '-m', 'fast',
                   '-w', '-t', '30', 'restart'])

    def sql(self, text, db='postgres'):
        return self._run(['psql', '-h', self.dir, '-p', str(self.port), '-U', 'postgres', '-d', db,
                          '-v', 'ON_ERROR_STOP=1', '-qAt', '-c', text])

    def new_db(self):
        self.n_db += 1
        name = f'jobs{self.n_db}'
        self.sql(f'CREATE DATABASE {name} OWNER {USER}')
        return name

    def dsn(self, db, password=PASSWORD, scheme='postgres'):
        return f'{scheme}://{USER}:{password}@127.0.0.1:{self.port}/{db}'


def on_postgres(env, fn):
    """Runs a SQLite-store test unchanged, each of its clusters on a fresh database."""
    if env.quick and fn not in QUICK:
        raise Skip('--quick runs only the store\'s own cases on PostgreSQL')
    with PgServer() as pg, database(lambda cluster: pg.dsn(pg.new_db())):
        fn(env)


REUSED = (tc.test_idempotent_submit, tc.test_list_paging_and_filters, tc.test_cancel_pending,
          tc.test_stale_attempts_refused, tc.test_lease_expiry_backoff_and_give_up, tc.test_metrics_content,
          tc.test_priority_order, tc.test_long_poll_wakes_on_submit,
          tn.test_node_killed_lease_expires_other_node_finishes, tn.test_cancel_running_job,
          tn.test_controller_killed_and_restarted)


QUICK = (tc.test_idempotent_submit, tc.test_list_paging_and_filters, tc.test_cancel_pending,
         tc.test_stale_attempts_refused)


def cases(env):
    for fn in REUSED:
        yield f'pg_{fn.__name__[5:]}', (lambda fn=fn: on_postgres(env, fn))


def test_pg_password_never_shown(env):
    with PgServer() as pg:
        db = pg.new_db()
        with Cluster(env, 'pg-redact', db=pg.dsn(db, password='wrong-Secret-pw')) as c:
            ctl = c.controller(check=False)
            assert ctl.wait(30) != 0, 'started with a wrong password'
            assert 'wrong-Secret-pw' not in ctl.text() and '***' in ctl.text(), ctl.tail()
            assert 'password authentication failed' in ctl.text(), ctl.tail()
        with Cluster(env, 'pg-redact-ok', db=pg.dsn(db, scheme='postgresql')) as c:
            c.controller()
            api = c.api()
            jid = api.submit(REF, DIS)
            assert api.job(jid)['status'] == 'pending'
            assert c.ctl.stop() == 0
            assert PASSWORD not in c.ctl.text() and '***' in c.ctl.text(), c.ctl.tail()
        # the environment variable takes a DSN too
        with Cluster(env, 'pg-env') as c:
            port = c.port
            cmd = [c.bin('vmafx-controller'), '--listen', f'127.0.0.1:{port}']
            p = Proc('vmafx-controller', cmd, os.path.join(c.dir, 'controller.log'),
                     _clean_env({'VMAFX_DB': pg.dsn(db)}))
            c.procs.append(p)
            c.ctl = p
            api = c.api()
            wait_until('the controller to answer', lambda: c._healthy(api), timeout=15)
            assert len(api.ok('GET', '/v1/jobs')['jobs']) == 1
            assert p.stop() == 0 and PASSWORD not in p.text()


def test_pg_two_controllers_one_database(env):
    """Two replicas on one database: every job is leased exactly once, whichever asks."""
    with PgServer() as pg:
        dsn = pg.dsn(pg.new_db())
        with Cluster(env, 'pg-two-a', db=dsn) as a, Cluster(env, 'pg-two-b', db=dsn) as b:
            a.controller()
            b.controller()
            apis = [a.api(), b.api()]
            ids = {apis[i % 2].submit(REF, DIS) for i in range(40)}
            got, lock = [], threading.Lock()

            def worker(k):
                api = apis[k % 2]
                while True:
                    g = tc.lease(api, f'node-{k}')
                    if g is None:
                        return
                    with lock:
                        got.append((g['id'], g['attempt']))
            threads = [threading.Thread(target=worker, args=(k,)) for k in range(8)]
            [t.start() for t in threads]
            [t.join(60) for t in threads]
            assert sorted(i for i, _ in got) == sorted(ids) and {n for _, n in got} == {1}, got
            assert all(apis[1].job(j)['status'] == 'running' for j in ids)
            assert a.ctl.stop() == 0 and b.ctl.stop() == 0


def test_pg_schema_gives_way_to_running_transactions(env):
    """A controller starts while a running one's transaction holds row locks on deliveries and
    then takes them on jobs: the order that deadlocked with the starting controller's schema
    steps (a share lock on jobs for its indexes, then waiting for deliveries). The schema's
    transaction must give way and try again: both the running transaction and the new
    controller succeed."""
    with PgServer() as pg:
        name = pg.new_db()
        dsn = pg.dsn(name)
        with Cluster(env, 'pg-schema-a', db=dsn) as a:
            a.controller()  # the schema exists: what follows only re-checks it
            assert a.ctl.stop() == 0
        holder = ['psql', '-h', pg.dir, '-p', str(pg.port), '-U', 'postgres', '-d', name, '-v', 'ON_ERROR_STOP=1',
                  '-qAt', '-c', 'BEGIN; LOCK TABLE deliveries IN ROW EXCLUSIVE MODE; SELECT pg_sleep(1.5); '
                  'LOCK TABLE jobs IN ROW EXCLUSIVE MODE; SELECT pg_sleep(0.5); COMMIT']
        if os.geteuid() == 0:
            holder = ['runuser', '-u', 'postgres', '--'] + holder
        h = subprocess.Popen(holder, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            time.sleep(0.5)
            with Cluster(env, 'pg-schema-b', db=dsn) as b:
                b.controller()
                log = open(os.path.join(b.dir, 'controller.log')).read()
                assert b.ctl.stop() == 0
        finally:
            out, err = h.communicate(timeout=60)
        assert h.returncode == 0, f'the running transaction failed: {err[-800:]}'
        assert "waiting for other controllers' locks" in log, log[-2000:]


def test_pg_lease_query_uses_its_index(env):
    with PgServer() as pg:
        db = pg.new_db()
        with Cluster(env, 'pg-index', db=pg.dsn(db)) as c:
            c.controller()      # creates the schema
            assert c.ctl.stop() == 0
        plan = pg.sql('SET enable_seqscan = off; EXPLAIN SELECT seq, id, spec, created_at, started_at FROM jobs'
                      ' WHERE state = 0 AND not_before <= 1 ORDER BY priority DESC, seq LIMIT 1'
                      ' FOR UPDATE SKIP LOCKED', db=db)
        assert 'jobs_queue' in plan and 'Sort' not in plan, plan
        idx = pg.sql("SELECT indexname FROM pg_indexes WHERE tablename = 'jobs' ORDER BY 1", db=db).split()
        assert {'jobs_queue', 'jobs_leases', 'jobs_state', 'jobs_idem'} <= set(idx), idx


def test_pg_server_restart_reconnects(env):
    """A restarted database server costs at most the requests in flight: the controller
    opens a new connection and nothing acknowledged is lost."""
    with PgServer() as pg:
        with Cluster(env, 'pg-restart', db=pg.dsn(pg.new_db())) as c:
            c.controller()
            api = c.api()
            jid = api.submit(REF, DIS)
            pg.restart()
            wait_until('the controller to answer again', lambda: api.call('GET', '/v1/jobs')[0] == 200, timeout=20)
            assert [j['id'] for j in api.ok('GET', '/v1/jobs')['jobs']] == [jid]
            assert tc.lease(api, 'n1')['id'] == jid
            assert c.ctl.alive() and c.ctl.stop() == 0
            assert 'reconnecting' in c.ctl.text(), c.ctl.tail()
