"""`vmafx score` behaviour beyond the golden files: raw .yuv and stdin input, output routing,
and every bad-input case of the engine issue (one clear line naming the input, non-zero exit,
no report file left behind)."""
import json, os, shutil
from vmafx_testlib import run, pair_files

SMALL = 'testsrc2_320x240_2frames_crf35'
OTHER = 'clouds_176x144_p12_x265crf30'


def scratch(env, name):
    d = os.path.join(env.scratch, 'cli', name)
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(d)
    return d


def y4m_frames(path):
    """(header bytes, list of frame byte strings including their FRAME line)."""
    data = open(path, 'rb').read()
    head_end = data.index(b'\n') + 1
    parts = data[head_end:].split(b'FRAME\n')
    return data[:head_end], [b'FRAME\n' + p for p in parts[1:]]


def expect_failure(env, args, *needles, out=None):
    p = run([env.vmafx] + args, check=False)
    assert p.returncode != 0, f'expected failure, got exit 0: {args}'
    err = p.stderr.strip()
    lines = [l for l in err.splitlines() if l.startswith('vmafx: error:')]
    assert len(lines) == 1, f'expected one error line, got: {err!r}'
    for n in needles:
        assert n in lines[0], f'error line lacks {n!r}: {lines[0]}'
    if out:
        d = os.path.dirname(out)
        left = [f for f in os.listdir(d) if f.startswith(os.path.basename(out))]
        assert not left, f'report files left behind: {left}'
    return lines[0]


def score_json(env, args, out):
    run([env.vmafx, 'score', '-q'] + args + ['--json', '-o', out])
    return json.load(open(out))


def test_raw_yuv_equals_y4m(env):
    ref, dis = pair_files(env, SMALL)
    d = scratch(env, 'raw')
    raws = []
    for src in (ref, dis):
        head, frames = y4m_frames(src)
        raw = os.path.join(d, os.path.basename(src).replace('.y4m', '.yuv'))
        with open(raw, 'wb') as f:
            for fr in frames:
                f.write(fr[len(b'FRAME\n'):])
        raws.append(raw)
    a = score_json(env, ['-r', ref, '-d', dis], os.path.join(d, 'y4m.json'))
    b = score_json(env, ['-r', raws[0], '-d', raws[1], '-w', '320', '-h', '240', '-p', '420', '-b', '8'],
                   os.path.join(d, 'yuv.json'))
    assert a['frames'] == b['frames'] and a['pooled_metrics'] == b['pooled_metrics']


def test_stdin_and_stdout(env):
    ref, dis = pair_files(env, SMALL)
    d = scratch(env, 'stdin')
    a = score_json(env, ['-r', ref, '-d', dis], os.path.join(d, 'file.json'))
    with open(dis, 'rb') as f:
        p = run([env.vmafx, 'score', '-q', '-r', ref, '-d', '-', '--json', '-o', '-'], stdin=f)
    b = json.loads(p.stdout)
    assert a['frames'] == b['frames']
    assert 'vmaf' in p.stderr, 'the pooled score goes to stderr when the report uses stdout'


def test_prints_pooled_score(env):
    ref, dis = pair_files(env, SMALL)
    p = run([env.vmafx, 'score', '-q', '-r', ref, '-d', dis])
    name, value = p.stdout.strip().split(': ')
    assert name == 'vmaf' and 0 <= float(value) <= 100   # the report's key (libvmaf's), one name per model


def test_version(env):
    p = run([env.vmafx, 'score', '-v'])
    assert p.stdout.startswith('vmafx ')


def test_geometry_mismatch(env):
    ref, _ = pair_files(env, SMALL)
    _, dis = pair_files(env, OTHER)
    out = os.path.join(scratch(env, 'geo'), 'r.json')
    expect_failure(env, ['score', '-r', ref, '-d', dis, '--json', '-o', out], 'inputs differ', '320x240', '176x144', out=out)


def test_bitdepth_mismatch(env):
    ref, dis = pair_files(env, SMALL)
    d = scratch(env, 'bpc')
    p10 = os.path.join(d, 'dis10.y4m')
    head, frames = y4m_frames(dis)
    # the same geometry declared 10-bit (data doubled to stay framed)
    with open(p10, 'wb') as f:
        f.write(head.replace(b'C420jpeg', b'C420p10'))
        for fr in frames:
            f.write(b'FRAME\n' + bytes(2 * (len(fr) - 6)))
    out = os.path.join(d, 'r.json')
    expect_failure(env, ['score', '-r', ref, '-d', p10, '--json', '-o', out], 'inputs differ', '10-bit', out=out)


def test_truncated_last_frame(env):
    ref, dis = pair_files(env, SMALL)
    d = scratch(env, 'trunc')
    cut = os.path.join(d, 'cut.y4m')
    data = open(dis, 'rb').read()
    open(cut, 'wb').write(data[:-1000])
    out = os.path.join(d, 'r.json')
    expect_failure(env, ['score', '-r', ref, '-d', cut, '--json', '-o', out], 'distorted input', cut, 'truncated frame 1', out=out)


def test_missing_file(env):
    ref, _ = pair_files(env, SMALL)
    out = os.path.join(scratch(env, 'missing'), 'r.json')
    expect_failure(env, ['score', '-r', ref, '-d', '/nonexistent/dis.y4m', '-o', out],
                   'distorted input /nonexistent/dis.y4m', 'cannot open', out=out)


def test_corrupt_y4m_header(env):
    ref, dis = pair_files(env, SMALL)
    d = scratch(env, 'corrupt')
    bad = os.path.join(d, 'bad.y4m')
    data = open(dis, 'rb').read()
    open(bad, 'wb').write(data.replace(b'W320', b'Wxyz', 1))
    out = os.path.join(d, 'r.json')
    expect_failure(env, ['score', '-r', bad, '-d', dis, '-o', out], 'reference input', 'corrupt y4m header', out=out)


def test_lost_framing(env):
    ref, dis = pair_files(env, SMALL)
    d = scratch(env, 'framing')
    bad = os.path.join(d, 'bad.y4m')
    head, frames = y4m_frames(dis)
    open(bad, 'wb').write(head + frames[0] + b'FRAMX\n' + frames[1][6:])
    expect_failure(env, ['score', '-r', ref, '-d', bad], 'distorted input', 'frame 1', 'framing')


def test_unknown_model_version(env):
    ref, dis = pair_files(env, SMALL)
    expect_failure(env, ['score', '-r', ref, '-d', dis, '-m', 'version=vmaf_v9'], 'vmaf_v9', 'unknown model')


def test_unknown_feature(env):
    ref, dis = pair_files(env, SMALL)
    expect_failure(env, ['score', '-r', ref, '-d', dis, '--feature', 'ciede2001'], 'ciede2001', 'unknown feature')


def test_unknown_feature_option(env):
    ref, dis = pair_files(env, SMALL)
    expect_failure(env, ['score', '-r', ref, '-d', dis, '--feature', 'psnr=bogus=1'], 'psnr', "unknown option 'bogus'")


def test_sync_limit_as_jobs(env):
    """One limit for --sync auto:N, the same as a job's (jobspec_sync)."""
    ref, dis = pair_files(env, SMALL)
    expect_failure(env, ['score', '-r', ref, '-d', dis, '--sync', 'auto:251'], '--sync', "'auto:251'", 'up to 250')
    expect_failure(env, ['score', '-r', ref, '-d', dis, '--sync', 'auto:+5'], '--sync', "'auto:+5'")


def test_model_spec_errors_name_the_flag(env):
    """One model parser: path= loads a file for vmafx score; a model spec error names the flag."""
    ref, dis = pair_files(env, SMALL)
    expect_failure(env, ['score', '-r', ref, '-d', dis, '-m', 'version=vmaf_v0.6.1:path=/x.json'],
                   '--model version=vmaf_v0.6.1:path=/x.json', 'exactly one of')
    expect_failure(env, ['score', '-r', ref, '-d', dis, '-m', 'version=vmaf_v0.6.1:colour=1'], 'unknown key', 'colour')


def test_unknown_option(env):
    ref, dis = pair_files(env, SMALL)
    p = run([env.vmafx, 'score', '-r', ref, '-d', dis, '--frobnicate'], check=False)
    assert p.returncode == 2 and '--frobnicate' in p.stderr


def test_bad_number(env):
    ref, dis = pair_files(env, SMALL)
    expect_failure(env, ['score', '-r', ref, '-d', dis, '--subsample', 'x'], '--subsample', "'x'")


def test_model_not_json(env):
    ref, dis = pair_files(env, SMALL)
    d = scratch(env, 'model')
    bad = os.path.join(d, 'bad.json')
    open(bad, 'w').write('{"model_dict": [1, 2,')
    out = os.path.join(d, 'r.json')
    expect_failure(env, ['score', '-r', ref, '-d', dis, '-m', 'path=' + bad, '-o', out], bad, 'JSON', out=out)


def test_model_missing_fields(env):
    ref, dis = pair_files(env, SMALL)
    d = scratch(env, 'model2')
    model = json.load(open(os.path.join(env.shared, 'models', 'vmaf_v0.6.1.json')))
    del model['model_dict']['slopes']
    bad = os.path.join(d, 'noslopes.json')
    json.dump(model, open(bad, 'w'))
    expect_failure(env, ['score', '-r', ref, '-d', dis, '-m', 'path=' + bad], bad, 'slopes')


def test_feature_file_path_local_only(env):
    """A local run may give CAMBI a heat-map folder; a job may not (nodes write no side files)."""
    ref, dis = pair_files(env, SMALL)
    d = scratch(env, 'heatmaps-submit')
    expect_failure(env, ['submit', '--controller', 'http://127.0.0.1:9', '-r', ref, '-d', dis,
                         '--feature', f'cambi=heatmaps_path={d}'], 'heatmaps_path', 'job')


def test_unknown_model_feature_refused(env):
    """A model reading a feature no extractor computes is refused, naming the feature (the
    float models, refused this way before issue 11, now score: test_conformance_v32.py)."""
    ref, dis = pair_files(env, SMALL)
    m = json.load(open(os.path.join(env.shared, 'models', 'vmaf_v0.6.1.json')))
    m['model_dict']['feature_names'][0] = 'VMAF_feature_unknown_score'
    path = os.path.join(scratch(env, 'unknownfeat'), 'm.json')
    json.dump(m, open(path, 'w'))
    expect_failure(env, ['score', '-r', ref, '-d', dis, '-m', 'path=' + path],
                   'VMAF_feature_unknown_score', 'not supported')


def test_model_path_equals_builtin(env):
    ref, dis = pair_files(env, SMALL)
    d = scratch(env, 'modelpath')
    a = score_json(env, ['-r', ref, '-d', dis], os.path.join(d, 'a.json'))
    b = score_json(env, ['-r', ref, '-d', dis, '-m', 'path=' + os.path.join(env.shared, 'models', 'vmaf_v0.6.1.json')],
                   os.path.join(d, 'b.json'))
    assert a['frames'] == b['frames']


def test_two_models_share_extractors(env):
    ref, dis = pair_files(env, SMALL)
    d = scratch(env, 'two')
    both = score_json(env, ['-r', ref, '-d', dis, '-m', 'version=vmaf_v0.6.1:name=vmaf', '-m',
                            'version=vmaf_v0.6.1neg:name=vmaf_neg'], os.path.join(d, 'both.json'))
    one = score_json(env, ['-r', ref, '-d', dis], os.path.join(d, 'one.json'))
    neg = score_json(env, ['-r', ref, '-d', dis, '-m', 'version=vmaf_v0.6.1neg'], os.path.join(d, 'neg.json'))
    counts = (len(both['frames']), len(one['frames']), len(neg['frames']))
    assert counts[0] > 0 and len(set(counts)) == 1, f'frame counts differ or are zero: {counts}'
    for fb, fo, fn in zip(both['frames'], one['frames'], neg['frames']):
        assert fb['metrics']['vmaf'] == fo['metrics']['vmaf']
        assert fb['metrics']['vmaf_neg'] == fn['metrics']['vmaf']
        assert fb['metrics']['integer_adm2_egl_1'] == fn['metrics']['integer_adm2_egl_1']


def test_fewer_frames_scores_common(env):
    ref, dis = pair_files(env, SMALL)
    d = scratch(env, 'fewer')
    short = os.path.join(d, 'short.y4m')
    head, frames = y4m_frames(dis)
    open(short, 'wb').write(head + frames[0])
    out = os.path.join(d, 'r.json')
    p = run([env.vmafx, 'score', '-q', '-r', ref, '-d', short, '--json', '-o', out])
    assert 'warning' in p.stderr and '2 frames' in p.stderr and 'has 1' in p.stderr, p.stderr
    rep = json.load(open(out))
    assert len(rep['frames']) == 1
    assert rep['input_frames'] == {'reference': 2, 'distorted': 1}


def test_skip_beyond_end(env):
    ref, dis = pair_files(env, SMALL)
    expect_failure(env, ['score', '-r', ref, '-d', dis, '--frame_skip_ref', '5'], 'reference input', 'cannot skip 5')


def test_raw_without_geometry(env):
    d = scratch(env, 'rawgeo')
    raw = os.path.join(d, 'x.yuv')
    open(raw, 'wb').write(bytes(320 * 240 * 3 // 2))
    expect_failure(env, ['score', '-r', raw, '-d', raw], 'reference input', '--width')


def test_raw_partial_frame(env):
    d = scratch(env, 'rawpart')
    raw = os.path.join(d, 'x.yuv')
    cut = os.path.join(d, 'cut.yuv')
    open(raw, 'wb').write(bytes(320 * 240 * 3 // 2 * 2))
    open(cut, 'wb').write(bytes(320 * 240 * 3 // 2 * 2 - 7))
    out = os.path.join(d, 'r.xml')
    # a local file's size is checked against the geometry at open (issue 16), before any frame
    expect_failure(env, ['score', '-r', raw, '-d', cut, '-w', '320', '-h', '240', '-p', '420', '-b', '8', '-o', out],
                   'distorted input', 'size 230,393 is not a multiple of the 115,200-byte frame', out=out)


def with_sample(src, dst, frame, plane, row, col, value):
    """A copy of the 4:2:0 high-bit-depth y4m src with one 16-bit sample set to value."""
    head, frames = y4m_frames(src)
    w = int(head.split(b' W')[1].split()[0])
    h = int(head.split(b' H')[1].split()[0])
    cw, ch = (w + 1) // 2, (h + 1) // 2
    start = (0, w * h, w * h + cw * ch)[plane]
    at = len(b'FRAME\n') + 2 * (start + row * (cw if plane else w) + col)
    fr = bytearray(frames[frame])
    fr[at:at + 2] = value.to_bytes(2, 'little')
    frames[frame] = bytes(fr)
    open(dst, 'wb').write(head + b''.join(frames))
    return dst


def test_sample_above_bit_depth_refused(env):
    """A 12-bit sample of 4096 is refused at its frame, plane, row and column; 4095 is not."""
    ref, dis = pair_files(env, OTHER)
    d = scratch(env, 'depth')
    out = os.path.join(d, 'r.json')
    bad = with_sample(dis, os.path.join(d, 'bad.y4m'), 1, 0, 3, 5, 4096)
    expect_failure(env, ['score', '-r', ref, '-d', bad, '--json', '-o', out], 'distorted input', bad,
                   'frame 1: sample 4096 at row 3, column 5 of the Y plane', '12-bit maximum 4095', out=out)
    edge = with_sample(dis, os.path.join(d, 'edge.y4m'), 1, 0, 3, 5, 4095)
    assert score_json(env, ['-r', ref, '-d', edge], os.path.join(d, 'edge.json'))['frames']
    # raw input goes through the same check
    raw = os.path.join(d, 'bad.yuv')
    open(raw, 'wb').write(b''.join(f[len(b'FRAME\n'):] for f in y4m_frames(bad)[1]))
    expect_failure(env, ['score', '-r', raw, '-d', raw, '-w', '176', '-h', '144', '-p', '420', '-b', '12', '-o', out],
                   'reference input', raw, 'frame 1: sample 4096 at row 3, column 5 of the Y plane', out=out)


def test_chroma_above_bit_depth(env):
    """A bad chroma sample is refused where a metric reads chroma, and does not matter (nor
    is it read) where none does."""
    ref, dis = pair_files(env, OTHER)
    d = scratch(env, 'depthuv')
    bad = with_sample(ref, os.path.join(d, 'bad.y4m'), 0, 2, 70, 87, 65535)
    out = os.path.join(d, 'r.json')
    expect_failure(env, ['score', '-r', bad, '-d', dis, '--feature', 'psnr', '--json', '-o', out], 'reference input',
                   'frame 0: sample 65535 at row 70, column 87 of the V plane', out=out)
    clean = score_json(env, ['-r', ref, '-d', dis], os.path.join(d, 'clean.json'))
    luma = score_json(env, ['-r', bad, '-d', dis], out)
    assert luma['pooled_metrics'] == clean['pooled_metrics']


def test_tiny_picture_ms_ssim_refused(env):
    ref, dis = pair_files(env, OTHER)
    expect_failure(env, ['score', '-r', ref, '-d', dis, '--feature', 'float_ms_ssim'], 'float_ms_ssim', 'too small')


def test_threads_give_identical_reports(env):
    """Frame-parallel scoring changes no number and no order (fps aside)."""
    import re
    d = scratch(env, 'threads')
    for pair, extra in (('testsrc2_576x324_crf35', ['--feature', 'psnr', '--subsample', '2']),
                        ('clouds_176x144_p12_x265crf30', ['-m', 'version=vmaf_v0.6.1neg'])):
        ref, dis = pair_files(env, pair)
        texts = []
        for t in ('1', '2', '3'):
            out = os.path.join(d, f'{pair}-{t}.xml')
            run([env.vmafx, 'score', '-q', '-r', ref, '-d', dis, '--threads', t, '-o', out] + extra)
            texts.append(re.sub(r'fps="[^"]*"', '', open(out).read()))
        assert texts[0] == texts[1] == texts[2], f'{pair}: reports differ between thread counts'


def test_progress_line_on_a_terminal(env):
    """On a terminal, stderr shows frames, fps and an ETA (the frame count comes from the
    file size); with --quiet, or when stderr is not a terminal, nothing."""
    import pty, subprocess
    ref, dis = pair_files(env, 'photo_576x324_crf35')
    master, slave = pty.openpty()
    p = subprocess.Popen([env.vmafx, 'score', '-r', ref, '-d', dis, '--cpu', 'scalar'],
                         stdout=subprocess.PIPE, stderr=slave)
    os.close(slave)
    seen = b''
    while True:
        try:
            chunk = os.read(master, 4096)
        except OSError:
            break
        if not chunk:
            break
        seen += chunk
    p.wait(timeout=120)
    os.close(master)
    text = seen.decode(errors='replace')
    assert p.returncode == 0
    assert '/48' in text and 'fps' in text and 'ETA' in text, f'no progress line: {text!r}'
    q = run([env.vmafx, 'score', '-r', ref, '-d', dis, '--frame_cnt', '3'])
    assert 'fps' not in q.stderr, 'progress printed although stderr is not a terminal'


def test_output_to_fifo_and_symlink(env):
    """-o onto a pipe or device writes into it (renaming a temporary file over it would replace
    /dev/null with a regular file when run as root); -o onto a symbolic link replaces its
    target and keeps the link."""
    import stat, threading
    ref, dis = pair_files(env, SMALL)
    d = scratch(env, 'special')
    fifo = os.path.join(d, 'pipe')
    os.mkfifo(fifo)
    got = {}
    reader = threading.Thread(target=lambda: got.setdefault('text', open(fifo).read()))
    reader.start()
    run([env.vmafx, 'score', '-q', '-r', ref, '-d', dis, '--json', '-o', fifo], timeout=60)
    reader.join(30)
    assert stat.S_ISFIFO(os.stat(fifo).st_mode), 'the FIFO was replaced by a file'
    assert json.loads(got['text'])['frames'], 'nothing came through the FIFO'
    target = os.path.join(d, 'target.json')
    open(target, 'w').write('old')
    link = os.path.join(d, 'link.json')
    os.symlink(target, link)
    run([env.vmafx, 'score', '-q', '-r', ref, '-d', dis, '--json', '-o', link])
    assert os.path.islink(link) and json.load(open(target))['frames']
    assert not [f for f in os.listdir(d) if '.json.' in f], 'temporary files left'
