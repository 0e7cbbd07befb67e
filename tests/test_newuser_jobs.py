"""Issue 16 items 3, 4 and 12, through a controller and a node on loopback: a job's warnings
are kept and shown by status, wait, results and the API; submit refuses unknown models and
features (exit 2, before anything runs), turns a relative path into an absolute one, and is
refused for a remote no node can read; jobs lists scores, labels, inputs and errors in three
formats, with a summary by label; compare; short id prefixes; the "more" hint keeps the
filters; status of a failed job exits 1; results --sub."""
import csv, io, json, os

from controller_testlib import SMALL, Cluster, wait_until
from media.mediatest import PAIR8, cached, clip, ffmpeg, y4m_split, y4m_write
from vmafx_testlib import pair_files, run


def vmafx(env, c, *args, check=False, cwd=None):
    return run([env.vmafx, *args[:1], '--controller', f'http://127.0.0.1:{c.port}', *args[1:]], check=check,
               timeout=120, cwd=cwd)


def rate_pair(env):
    """A 25 fps reference and the same frames converted to 30 fps (y4m headers)."""
    def make_ref(out):
        head, frames = y4m_split(clip(env, PAIR8, 'ref', 0, 12))
        parts = [t if not t.startswith(b'F') else b'F25:1' for t in head.rstrip(b'\n').split(b' ')]
        y4m_write(out, b' '.join(parts) + b'\n', frames)
    ref = cached(env, 'jobs-ref25.y4m', make_ref)
    dis = cached(env, 'jobs-dis30.y4m', lambda out: ffmpeg('-i', ref, '-vf', 'fps=30', '-f', 'yuv4mpegpipe', out))
    return ref, dis


def cluster(env, name):
    c = Cluster(env, name)
    c.controller()
    c.node('a')
    return c


# ---- item 3: warnings --------------------------------------------------------------------

def test_warnings_kept_and_shown(env):
    ref, dis = rate_pair(env)
    with cluster(env, 'nu-warnings') as c:
        p = vmafx(env, c, 'submit', '-r', ref, '-d', dis, '--wait', '-q')
        assert p.returncode == 0, p.stderr
        jid = p.stdout.split()[0]
        assert 'warning: frame rates differ' in p.stderr, p.stderr      # submit --wait
        job = c.api().job(jid)
        assert any('frame rates differ' in w for w in job['warnings']), job['warnings']
        assert any('reference has 12 frames, distorted has 14' in w for w in job['warnings']), job['warnings']
        st = vmafx(env, c, 'status', jid)
        assert st.returncode == 0 and 'warning: frame rates differ' in st.stdout, (st.returncode, st.stdout)
        res = vmafx(env, c, 'results', jid, '-o', os.path.join(c.dir, 'r.json'))
        assert res.returncode == 0 and 'warning: frame rates differ' in res.stderr, res.stderr
        # a clean job has an empty list
        a, b = pair_files(env, SMALL)
        clean = vmafx(env, c, 'submit', '-r', a, '-d', b, '--wait', '-q')
        assert clean.returncode == 0 and 'warning' not in clean.stderr, clean.stderr
        assert c.api().job(clean.stdout.split()[0])['warnings'] == []


# ---- item 4: submit checks ---------------------------------------------------------------

def test_submit_refuses_unknown_model_and_feature(env):
    a, b = pair_files(env, SMALL)
    with cluster(env, 'nu-submit-check') as c:
        for args, needle in ((['-m', 'vmaf_v9'], "--model vmaf_v9: unknown model version 'vmaf_v9'"),
                             (['--feature', 'cambi_nope'], "--feature cambi_nope: unknown feature 'cambi_nope'"),
                             (['--feature', 'cambi=nope=1'], "unknown option 'nope'")):
            p = vmafx(env, c, 'submit', '-r', a, '-d', b, *args)
            assert p.returncode == 2, (args, p.returncode, p.stdout, p.stderr)
            assert needle in p.stderr and not p.stdout.strip(), (args, p.stderr)
        # the controller refuses the same on its own, with a 400 naming the field
        api = c.api()
        st, body = api.call('POST', '/v1/jobs', dict(reference_uri=a, distorted_uri=b, models=['vmaf_v9']))[:2]
        assert st == 400 and body['field'] == 'models[0]' and 'vmaf_v9' in body['error'], (st, body)
        st, body = api.call('POST', '/v1/jobs', dict(reference_uri=a, distorted_uri=b, features=['cambi_nope']))[:2]
        assert st == 400 and body['field'] == 'features[0]', (st, body)
        assert api.ok('GET', '/v1/jobs')['jobs'] == []


def test_submit_controller_refusal_exits_2(env):
    """A 400 from the controller (an input outside its allow-list) is a usage error too."""
    a, b = pair_files(env, SMALL)
    with Cluster(env, 'nu-submit-400') as c:
        c.controller('--storage-allow', os.path.dirname(a))
        p = vmafx(env, c, 'submit', '-r', a, '-d', 'http://169.254.169.254/x.mp4')
        assert p.returncode == 2, (p.returncode, p.stderr)
        assert 'HTTP 400' in p.stderr, p.stderr


def test_submit_relative_path_made_absolute(env):
    a, b = pair_files(env, SMALL)
    with cluster(env, 'nu-relative') as c:
        d = os.path.dirname(a)
        p = vmafx(env, c, 'submit', '-r', os.path.basename(a), '-d', './' + os.path.basename(b), '--wait', '-q', cwd=d)
        assert p.returncode == 0, p.stderr
        assert f'--reference {os.path.basename(a)} is a relative path: sent as {a}' in p.stderr, p.stderr
        assert 'must exist on the nodes' in p.stderr, p.stderr
        job = c.api().job(p.stdout.split()[0])
        assert job['reference_uri'] == a and job['distorted_uri'] == b, job
