"""VMAFX_DEBUG_IO=1: one line per input with what the media layer read (reads, bytes, time
blocked, histograms), and the read sizes it shows: a local y4m is read in large blocks
(glibc's stdio read 4 KiB at a time, ~70 read() calls per 576x324 frame), through an rclone
mount (mode `mount`, FUSE) as well."""
import json, os, re, shutil, stat
from vmafx_testlib import Skip, pair_files, run
from media.mediatest import PAIR8, scratch

FRAMES8 = 48


def debug_lines(stderr):
    return [json.loads(m) for m in re.findall(r'^vmafx debug-io: (\{.*\})$', stderr, re.M)]


def score(env, ref, dis, extra_env=None, args=()):
    p = run([env.vmafx, 'score', '-r', ref, '-d', dis, '--json', '-o', '-', *args],
            env=dict(os.environ, **(extra_env or {})))
    return json.loads(p.stdout)['pooled_metrics'], p.stderr


def check_large_reads(lines, files, via):
    assert len(lines) == 2, lines
    for path in files:
        line = next((x for x in lines if x['input'].endswith('/' + os.path.basename(path))), None)
        assert line, f'no debug-io line for {path}: {lines}'
        size = os.path.getsize(path)
        assert line['via'] == via, line
        assert line['bytes'] == size, f'{path}: {line["bytes"]} bytes read of {size}'
        # 1 MiB blocks: a 13 MB file takes about 13 reads (4 KiB stdio reads: ~3,300)
        assert line['reads'] <= size // (512 << 10) + 3, f'{path}: {line["reads"]} reads for {size} bytes'
        assert line['blocked_s'] <= line['open_s'], line
        # every read is in the latency histogram; the size histogram leaves out the one at the end
        assert sum(line['lat_us_log2'].values()) == line['reads'], line
        assert 0 <= line['reads'] - sum(line['size_log2'].values()) <= 1, line


def test_debug_io_local_y4m(env):
    ref, dis = pair_files(env, PAIR8)
    plain, err = score(env, ref, dis)
    assert 'debug-io' not in err, 'debug-io figures printed without VMAFX_DEBUG_IO'
    debug, err = score(env, ref, dis, {'VMAFX_DEBUG_IO': '1'})
    assert debug == plain, 'VMAFX_DEBUG_IO changed the scores'
    check_large_reads(debug_lines(err), (ref, dis), 'file')


def test_debug_io_zero_is_off(env):
    ref, dis = pair_files(env, PAIR8)
    _, err = score(env, ref, dis, {'VMAFX_DEBUG_IO': '0'})
    assert 'debug-io' not in err, err[-300:]


def test_debug_io_through_mount(env):
    """Mount mode (rclone mount2 of the local backend): scores equal the local files', and the
    reads through FUSE are as large as from disk."""
    if not shutil.which('rclone') or not shutil.which('fusermount3'):
        raise Skip('rclone or fusermount3 is not installed')
    if not os.path.exists('/dev/fuse') or not stat.S_ISCHR(os.stat('/dev/fuse').st_mode):
        raise Skip('no /dev/fuse on this machine')
    ref, dis = pair_files(env, PAIR8)
    d = scratch(env, 'debug-io-mount')
    conf = os.path.join(d, 'rclone.conf')
    with open(conf, 'w') as f:
        f.write('[local]\ntype = local\n')
    extra = {'VMAFX_DEBUG_IO': '1', 'VMAFX_RCLONE_CONFIG': conf, 'VMAFX_MOUNT_ROOT': d,
             'VMAFX_STORAGE_CHECK_TIMEOUT': '30', 'TMPDIR': d}
    local, _ = score(env, ref, dis)
    mounted, err = score(env, 'local:' + ref, 'local:' + dis, extra, ('--storage-mode', 'mount'))
    assert mounted == local, 'scores through the mount differ from the local files'
    check_large_reads(debug_lines(err), (ref, dis), 'fuse')
    with open('/proc/self/mountinfo') as f:
        left = [line for line in f if d in line]
    assert not left, f'mount left behind: {left}'
