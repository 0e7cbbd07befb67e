"""What a new user hit running a controller and a node (issue 16): a second controller on
the same address or the same SQLite file, token errors, node exits, log wording and
timestamps. Each case runs the issue's command and fails on the behaviour it reported."""
import os, re, signal, time
from controller_testlib import (Cluster, Proc, Api, TOKENS, ONE, write_tokens, wait_until, _clean_env,
                                free_port)
from vmafx_testlib import pair_files, run


def _second_controller(c, name, port, db):
    cmd = [c.bin('vmafx-controller'), '--listen', f'127.0.0.1:{port}', '--db', db]
    p = Proc(name, cmd, os.path.join(c.dir, f'{name}.log'), _clean_env(None))
    c.procs.append(p)
    return p


def test_second_controller_on_same_address_refused(env):
    """`vmafx-controller --db x2.db --listen ADDR` beside an authenticated controller on ADDR
    must not start (it used to, and took half of the requests, unauthenticated)."""
    with Cluster(env, 'nu-same-port') as c:
        c.controller('--tokens-file', write_tokens(os.path.join(c.dir, 'tokens')))
        p = _second_controller(c, 'second', c.port, os.path.join(c.dir, 'x2.db'))
        rc = p.wait(10)
        assert rc != 0, f'second controller exited {rc}: {p.text()}'
        assert 'in use' in p.text() and f'127.0.0.1:{c.port}' in p.text(), p.text()
        api = Api(c.port)
        codes = [api.call('GET', '/v1/jobs', token=None)[0] for _ in range(8)]
        assert codes == [401] * 8, codes


def test_second_controller_on_same_database_refused(env):
    """docs/controller.md: one controller per SQLite file. A second one on the same file (on
    another port) is refused at start, naming the file."""
    with Cluster(env, 'nu-same-db') as c:
        c.controller()
        p = _second_controller(c, 'second', free_port(), c.db)
        rc = p.wait(10)
        assert rc != 0, f'second controller exited {rc}: {p.text()}'
        assert c.db in p.text() and 'another vmafx-controller' in p.text(), p.text()
        # the lock goes with the process: a restart on the same file and port works
        assert c.ctl.stop() == 0
        c.controller()
        assert c.ctl.stop() == 0
