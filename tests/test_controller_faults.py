"""The controller and nodes under faults, as part of the suite (bounded versions of
bench/fault_campaign.py, which runs the full 100 node / 10 controller kill trials on both
stores), and the store on a full disk: submits are answered 503 while the database cannot
grow, every acknowledged job is kept, and the controller serves again once there is room."""
import os, subprocess, sys, time

from controller_testlib import Cluster, wait_until
from vmafx_testlib import Skip, pair_files

HERE = os.path.dirname(os.path.abspath(__file__))
PAIR = 'testsrc2_320x240_2frames_crf35'


def test_kill_campaign_sqlite(env):
    """20 node kills and 3 controller kills while 12 jobs run: none lost, none duplicated,
    every report equal to a local run."""
    if env.quick:
        raise Skip('the release pass runs it (processes killed with SIGKILL: no sanitizer report to read)')
    p = subprocess.run([sys.executable, os.path.join(HERE, '..', 'bench', 'fault_campaign.py'), '--build', env.build,
                        '--store', 'sqlite', '--node-kills', '20', '--controller-kills', '3', '--jobs', '12'],
                       capture_output=True, text=True, timeout=600)
    print('      ' + p.stdout.strip().replace('\n', '\n      '))
    assert p.returncode == 0, p.stdout[-2000:] + p.stderr[-2000:]


def test_disk_full_answers_503_and_keeps_jobs(env):
    if os.geteuid() != 0:
        raise Skip('needs root to mount a small tmpfs')
    ref, dis = pair_files(env, PAIR)
    with Cluster(env, 'disk-full') as c:
        disk = os.path.join(c.dir, 'disk')
        os.makedirs(disk)
        subprocess.run(['mount', '-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', disk], check=True, timeout=30)
        try:
            c.db = os.path.join(disk, 'jobs.db')
            c.controller()
            api = c.api()
            acked, answers = [], set()
            big = {'team': 'x' * 60}
            for i in range(4000):
                st, body, _ = api.call('POST', '/v1/jobs', {'reference_uri': ref, 'distorted_uri': dis,
                                                            'labels': dict(big, n=str(i))})
                answers.add(st)
                if st == 201:
                    acked.append(body['id'])
                elif st == 503:
                    break
                else:
                    raise AssertionError(f'submit answered {st}: {body}')
            assert 503 in answers, f'the disk never filled ({len(acked)} jobs)'
            assert acked, 'nothing was acknowledged before the disk filled'
            # still answering, reads work, /healthz stays up
            assert api.call('GET', '/healthz', token=None)[0] == 200
            for jid in acked[-5:]:
                assert api.job(jid)['status'] == 'pending'
            # room again: the same controller takes submits, and nothing acknowledged is lost
            subprocess.run(['mount', '-o', 'remount,size=8m', disk], check=True, timeout=30)
            wait_until('a submit to succeed again',
                       lambda: api.call('POST', '/v1/jobs', {'reference_uri': ref, 'distorted_uri': dis})[0] == 201,
                       timeout=20)
            c.ctl.kill9()
            c.controller()
            ids, cursor = set(), ''
            while True:
                page = api.ok('GET', f'/v1/jobs?limit=1000{cursor}')
                ids |= {j['id'] for j in page['jobs']}
                if not page.get('next_cursor'):
                    break
                cursor = f'&cursor={page["next_cursor"]}'
            missing = [j for j in acked if j not in ids]
            assert not missing, f'{len(missing)} acknowledged jobs lost after the disk filled'
            print(f'      {len(acked)} jobs acknowledged before the disk filled; 503 then; all kept')
        finally:
            c.close()
            subprocess.run(['umount', '-l', disk], timeout=30)
