#!/usr/bin/env python3
"""Fault campaign: jobs keep running on a controller and nodes on loopback while nodes and the
controller are killed with SIGKILL (and, on PostgreSQL, the database server is restarted
mid-job); afterwards every acknowledged job must have completed exactly once, with a frames
report equal to `vmafx score` on the same inputs. Prints one line per store:
  store, trials (node kills, controller kills, database restarts), jobs submitted/completed,
  lost, duplicated, reports differing, wall time.

usage: bench/fault_campaign.py [--build build] [--store sqlite|postgres|both]
                               [--node-kills 100] [--controller-kills 10] [--jobs 40]
Bounded: every wait has a timeout; servers are stopped at the end; loopback only.
Exit 1 when any job was lost, duplicated, failed or reported differently."""
import argparse, json, os, random, sys, threading, time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, '..', 'tests'))
import controller_testlib as ct              # noqa: E402
from vmafx_testlib import pair_files, run    # noqa: E402

PAIR = 'testsrc2_320x240_2frames_crf35'      # small: the campaign is about faults, not speed


class Env:
    def __init__(self, build):
        self.build = os.path.abspath(build)
        self.shared = os.path.abspath(os.path.join(HERE, '..', '..', 'shared'))
        self.quick = False
        self.vmafx = os.path.join(self.build, 'src', 'cli', 'vmafx')
        self.scratch = os.path.join(self.build, 'test-scratch')
        os.makedirs(self.scratch, exist_ok=True)

    def bin(self, *parts):
        return os.path.join(self.build, *parts)


def reports_equal(a, b):
    strip = lambda t: {k: v for k, v in json.loads(ct.without_fps(t)).items() if k != 'version'}
    return strip(a) == strip(b)


def campaign(env, store, args, pg=None):
    rng = random.Random(4711)
    ref, dis = pair_files(env, PAIR)
    with ct.Cluster(env, f'faults-{store}') as c:
        if pg:
            c.db = pg.dsn(pg.new_db())
        c.controller('--lease-ttl', '2', '--retry-backoff', '0.1', '--max-lost-attempts', '1000')
        srv = c.clip_server({'ref.y4m': ref, 'dis.y4m': dis})
        frames_per_job = 40
        jref, jdis = srv.url('ref.y4m', frames_per_job, 80), srv.url('dis.y4m', frames_per_job, 80)
        expected = run([env.vmafx, 'score', '-q', '-r', srv.url('ref.y4m', frames_per_job),
                        '-d', srv.url('dis.y4m', frames_per_job), '--json', '-o', '-']).stdout
        nodes = {name: c.node(name, '--slots', '2') for name in ('a', 'b', 'c')}
        api = c.api()
        acked, lock, stop = [], threading.Lock(), threading.Event()

        def submitter():
            while not stop.is_set() and len(acked) < args.jobs:
                try:
                    st, body, _ = api.call('POST', '/v1/jobs', {'reference_uri': jref, 'distorted_uri': jdis},
                                           timeout=5)
                    if st == 201:
                        with lock:
                            acked.append(body['id'])
                except OSError:
                    pass          # the controller is down: not acknowledged, not counted
                time.sleep(0.2)

        t = threading.Thread(target=submitter, daemon=True)
        t.start()
        t0 = time.monotonic()
        kills = {'node': 0, 'controller': 0, 'database': 0}
        plan = ['node'] * args.node_kills + ['controller'] * args.controller_kills
        if pg:
            plan += ['database'] * max(1, args.controller_kills // 2)
        rng.shuffle(plan)
        try:
            for what in plan:
                time.sleep(rng.uniform(0.15, 0.6))
                if what == 'node':
                    name = rng.choice(sorted(nodes))
                    nodes[name].kill9()
                    nodes[name] = c.node(name, '--slots', '2')
                elif what == 'controller':
                    c.ctl.kill9()
                    time.sleep(rng.uniform(0.1, 0.8))
                    c.controller()
                else:
                    pg.restart()
                kills[what] += 1
        finally:
            stop.set()
            t.join(30)
        done, bad = {}, []
        for jid in acked:
            j = api.wait_status(jid, ('completed', 'failed', 'cancelled'), timeout=300)
            done[jid] = j
            if j['status'] != 'completed':
                bad.append((jid, j['status'], j.get('error')))
        listed = []
        cursor = ''
        while True:
            page = api.ok('GET', f'/v1/jobs?limit=1000{cursor}')
            listed += [x['id'] for x in page['jobs']]
            if not page.get('next_cursor'):
                break
            cursor = f'&cursor={page["next_cursor"]}'
        lost = [jid for jid in acked if jid not in listed]
        # a result accepted twice would be logged twice (the log is appended across restarts)
        import collections, re
        accepted = collections.Counter(re.findall(r'job (\S+) completed on node', c.ctl.text()))
        duplicated = len(listed) - len(set(listed)) + sum(1 for n in accepted.values() if n > 1)
        differing = 0
        for jid in acked:
            if done[jid]['status'] == 'completed':
                st, body, _ = api.call('GET', f'/v1/jobs/{jid}/frames?format=json', raw=True)
                if st != 200 or not reports_equal(body.decode(), expected):
                    differing += 1
        line = (f'faults {store:8s} node kills {kills["node"]:3d}  controller kills {kills["controller"]:2d}  '
                f'database restarts {kills["database"]:2d}  jobs acknowledged {len(acked):3d}  '
                f'completed {sum(1 for j in done.values() if j["status"] == "completed"):3d}  lost {len(lost)}  '
                f'duplicated {duplicated}  failed {len(bad)}  reports differing {differing}  '
                f'({time.monotonic() - t0:.0f} s)')
        print(line, flush=True)
        for b in bad[:5]:
            print(f'  job {b[0]}: {b[1]}: {b[2]}')
        return bool(acked) and not (lost or duplicated or bad or differing)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--build', default='build')
    ap.add_argument('--store', default='both', choices=['sqlite', 'postgres', 'both'])
    ap.add_argument('--node-kills', type=int, default=100)
    ap.add_argument('--controller-kills', type=int, default=10)
    ap.add_argument('--jobs', type=int, default=40)
    args = ap.parse_args()
    env = Env(args.build)
    ok = True
    if args.store in ('sqlite', 'both'):
        ok &= campaign(env, 'sqlite', args)
    if args.store in ('postgres', 'both'):
        from test_controller_pg import PgServer
        with PgServer() as pg:
            ok &= campaign(env, 'postgres', args, pg)
    return 0 if ok else 1


if __name__ == '__main__':
    sys.exit(main())
