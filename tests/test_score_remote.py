"""`vmafx score` on remote inputs: the reference from S3 and the distorted (an x264 .mkv) from
SFTP, through the storage layer (rclone), with the mode and the rclone config given as flags
or as environment variables. The report must equal the local run's, and no rclone process may
outlive the command."""
import json, os, shutil
from vmafx_testlib import Skip, run, pair_files

PAIR = 'testsrc2_320x240_2frames_crf35'


def _upload(env):
    import storage_lab
    lab = storage_lab.get_lab(env.scratch)
    ref, _ = pair_files(env, PAIR)
    mkv = os.path.join(env.shared, 'conformance', PAIR, 'dis.mkv')
    lab.rclone_cmd('copyto', ref, 's3:media/score/ref.y4m')
    lab.rclone_cmd('copyto', mkv, 'sftp:media/score/dis.mkv')
    sftp = f'sftp://root@127.0.0.1:{lab.servers["sftp"].port}/media/score/dis.mkv'
    return lab, ref, mkv, sftp


def _frames(path):
    return json.load(open(path))['frames']


def _check(env, lab, args, extra_env, name):
    import storage_lab
    d = os.path.join(env.scratch, 'score-remote', name)
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(d)
    out = os.path.join(d, 'remote.json')
    run([env.vmafx, 'score', '-q', '--json', '-o', out] + args,
        env=storage_lab.clean_env(extra_env), timeout=120)
    return out


def test_s3_and_sftp_with_flags(env):
    if env.quick:
        raise Skip('--quick (the sanitizer run) leaves out the storage lab')
    import storage_lab
    lab, ref, mkv, sftp = _upload(env)
    out = _check(env, lab, ['-r', 's3://media/score/ref.y4m', '-d', sftp, '--storage-mode', 'http-serve',
                            '--rclone-config', lab.conf], {}, 'flags')
    local = os.path.join(env.scratch, 'score-remote', 'local.json')
    run([env.vmafx, 'score', '-q', '-r', ref, '-d', mkv, '--json', '-o', local])
    assert _frames(out) == _frames(local), 'remote inputs scored differently from the same files locally'
    assert not storage_lab.rclone_pids(lab.conf), 'rclone processes left behind'


def test_s3_and_sftp_with_environment(env):
    if env.quick:
        raise Skip('--quick (the sanitizer run) leaves out the storage lab')
    import storage_lab
    lab, ref, mkv, sftp = _upload(env)
    out = _check(env, lab, ['-r', 's3://media/score/ref.y4m', '-d', sftp],
                 {'VMAFX_STORAGE_MODE': 'mount', 'VMAFX_RCLONE_CONFIG': lab.conf}, 'env')
    assert len(_frames(out)) == 2
    assert not storage_lab.rclone_pids(lab.conf), 'rclone processes left behind'
    assert not storage_lab.mounts(lab.root), 'mounts left behind'


def test_missing_remote_object_named(env):
    if env.quick:
        raise Skip('--quick (the sanitizer run) leaves out the storage lab')
    import storage_lab
    lab, ref, mkv, sftp = _upload(env)
    p = run([env.vmafx, 'score', '-q', '-r', 's3://media/score/ref.y4m', '-d', 's3://media/score/nope.mkv',
             '--rclone-config', lab.conf], check=False, env=storage_lab.clean_env(), timeout=60)
    assert p.returncode != 0
    assert 'distorted input s3://media/score/nope.mkv' in p.stderr and 'not found' in p.stderr, p.stderr
