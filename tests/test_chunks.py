"""Chunked jobs (issue 13): a job scored as frame ranges and merged must give the report one
process gives for the whole job, byte for byte except the timing field (fps).

  local:  `vmafx score --chunk FIRST:END` per range (the last one open-ended) and
          `vmafx score --merge` of the chunk files, against the unchunked `vmafx score`:
          every conformance pair with >= 12 frames at chunk sizes {1, 2, 5, 7, 16} (default
          model, JSON; size 5 only in the --quick subset), and those sizes on two pairs for the
          default model, NEG, --subsample 3, PSNR/SSIM features, a v1 HFR model (motion's
          five-frame window and moving average, CAMBI, SpEED), SpEED temporal and the bootstrap
          model (its CI and stddev outputs), size 5 only in --quick; XML and CSV too; chunks
          merged in any order.
  inputs:  --frame_skip_ref/--frame_skip_dist (the inputs' frame counts then differ and the
          report says so), --frame_cnt, --sync, a dis.mkv (chunks decode to their frame), a
          y4m served over HTTP (chunks read past their start) and local files (chunks seek).
  refusals: a gap, an overlap or a chunk that ended the job early is refused at merge.
  service: see test_chunks_service.py (controller and nodes)."""
import os, re, tempfile
from vmafx_testlib import Skip, run, pairs, pair_files

MIN_FRAMES = 12
TWO_PAIRS = ('testsrc2_576x324_p10_crf35', 'testsrc2_576x324_crf35')
SIZES = (1, 2, 5, 7, 16)
OPTION_SETS = {
    'default': [],
    'neg': ['-m', 'version=vmaf_v0.6.1neg'],
    'subsample3': ['--subsample', '3'],
    'psnr_ssim': ['--feature', 'psnr', '--feature', 'float_ssim', '--feature', 'float_ms_ssim'],
    'v1_hfr': ['-m', 'version=vmaf_v1.0.16_hfr_3d0h'],
    'speed_temporal': ['--feature', 'speed_temporal', '-n'],
    'bootstrap': ['-m', 'version=vmaf_b_v0.6.3'],
}
FMT = {'json': '--json', 'xml': '--xml', 'csv': '--csv'}


def without_timing(text):
    return re.sub(r'fps(="|": )[0-9.e+-]+', 'fps', text)


def y4m_frames(path):
    """Frames of a y4m file with FRAME headers without parameters (the conformance pairs)."""
    with open(path, 'rb') as f:
        head = f.readline()
    w = int(re.search(rb' W(\d+)', head).group(1))
    h = int(re.search(rb' H(\d+)', head).group(1))
    c = re.search(rb' C(\S+)', head)
    c = c.group(1).decode() if c else '420'
    bps = 2 if re.search(r'p(9|1\d)$', c) else 1
    chroma = {'444': 2, '422': 1}.get(c[:3], 0.5)
    frame = int(w * h * (1 + chroma)) * bps + 6
    return (os.path.getsize(path) - len(head)) // frame


def ranges(total, size):
    out = [(a, a + size) for a in range(0, total - size, size)] if total > size else []
    out.append((out[-1][1] if out else 0, None))   # the last chunk runs to the end of the job
    return out


def score_whole(env, ref, dis, args, fmt, out):
    run([env.bin('src/cli/vmafx'), 'score', '-q', '-r', ref, '-d', dis, *args, FMT[fmt], '-o', out])
    with open(out) as f:
        return f.read()


def score_chunked(env, ref, dis, args, size, fmt, tmp, order=1):
    total = y4m_frames(ref)
    files = []
    for a, b in ranges(total, size):
        path = os.path.join(tmp, f'chunk{a}')
        spec = f'{a}:{"" if b is None else b}'
        run([env.bin('src/cli/vmafx'), 'score', '-q', '-r', ref, '-d', dis, *args, '--chunk', spec, '-o', path])
        files.append(path)
    merge = []
    for p in files[::order]:
        merge += ['--merge', p]
    out = os.path.join(tmp, 'merged.' + fmt)
    run([env.bin('src/cli/vmafx'), 'score', '-q', '-r', ref, '-d', dis, *args, *merge, FMT[fmt], '-o', out])
    with open(out) as f:
        return f.read(), len(files)


def check_pair(env, pair, args, size, fmt='json', order=1):
    ref, dis = pair_files(env, pair)
    if y4m_frames(ref) < MIN_FRAMES:
        raise Skip(f'{pair} has fewer than {MIN_FRAMES} frames')
    with tempfile.TemporaryDirectory() as tmp:
        whole = score_whole(env, ref, dis, args, fmt, os.path.join(tmp, 'whole.' + fmt))
        merged, n = score_chunked(env, ref, dis, args, size, fmt, tmp, order)
    if n < 2:
        raise AssertionError(f'{pair}: chunk size {size} made {n} chunk(s)')
    if without_timing(whole) != without_timing(merged):
        a, b = without_timing(whole).splitlines(), without_timing(merged).splitlines()
        i = next((k for k in range(min(len(a), len(b))) if a[k] != b[k]), min(len(a), len(b)))
        raise AssertionError(f'{pair} {" ".join(args)} chunks of {size} ({fmt}): line {i + 1} differs: '
                             f'{a[i] if i < len(a) else "<end>"!r} vs {b[i] if i < len(b) else "<end>"!r}')


INPUT_SETS = {
    'skip': ['--frame_skip_ref', '2', '--frame_skip_dist', '3'],
    'frame_cnt': ['--frame_cnt', '17'],
    'sync': ['--sync', 'auto:3'],
}


def check_inputs(env, pair, ref=None, dis=None, args=(), size=5):
    r, d = pair_files(env, pair)
    ref, dis = ref or r, dis or d
    total = y4m_frames(r)
    if '--frame_cnt' in args:
        total = int(args[args.index('--frame_cnt') + 1]) + 4
    with tempfile.TemporaryDirectory() as tmp:
        whole = score_whole(env, ref, dis, list(args), 'json', os.path.join(tmp, 'whole.json'))
        files = []
        for a, b in ranges(total - 4, size):   # 4: what skip and frame_cnt take away, at most
            path = os.path.join(tmp, f'chunk{a}')
            run([env.bin('src/cli/vmafx'), 'score', '-q', '-r', ref, '-d', dis, *args, '--chunk',
                 f'{a}:{"" if b is None else b}', '-o', path])
            files += ['--merge', path]
        out = os.path.join(tmp, 'merged.json')
        run([env.bin('src/cli/vmafx'), 'score', '-q', '-r', ref, '-d', dis, *args, *files, '--json', '-o', out])
        merged = open(out).read()
    if without_timing(whole) != without_timing(merged):
        raise AssertionError(f'{pair} {ref} {dis} {" ".join(args)}: the merged report differs')


def serve_dir(root):
    import functools, http.server, threading
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *a):
            pass
    handler = functools.partial(Quiet, directory=root)
    srv = http.server.ThreadingHTTPServer(('127.0.0.1', 0), handler)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    return srv


def check_http(env, pair):
    ref, dis = pair_files(env, pair)
    srv = serve_dir(os.path.dirname(ref))
    try:
        base = f'http://127.0.0.1:{srv.server_address[1]}/'
        check_inputs(env, pair, base + 'ref.y4m', base + 'dis.y4m', size=7)
    finally:
        srv.shutdown()


def check_refusal(env, pair, cut, expect):
    ref, dis = pair_files(env, pair)
    with tempfile.TemporaryDirectory() as tmp:
        merge = []
        for a, b in cut:
            path = os.path.join(tmp, f'chunk{a}')
            run([env.bin('src/cli/vmafx'), 'score', '-q', '-r', ref, '-d', dis, '--chunk',
                 f'{a}:{"" if b is None else b}', '-o', path])
            merge += ['--merge', path]
        p = run([env.bin('src/cli/vmafx'), 'score', '-q', '-r', ref, '-d', dis, *merge, '--json', '-o',
                 os.path.join(tmp, 'm.json')], check=False)
    if p.returncode == 0 or expect not in p.stderr:
        raise AssertionError(f'merge of {cut}: exit {p.returncode}, {p.stderr.strip()!r} (expected {expect!r})')


def all_pairs(env, pair, size):
    if env.quick and size != 5:
        raise Skip('quick subset: chunk size 5 only (the release run takes every size)')
    frames = y4m_frames(pair_files(env, pair)[0])
    if MIN_FRAMES <= frames <= size:
        raise Skip(f'{pair}: {frames} frames make one chunk of {size}')
    check_pair(env, pair, [], size)


def matrix_case(env, pair, args, size):
    if env.quick and size != 5:
        raise Skip('quick subset: chunk size 5 only (the release run takes every size)')
    check_pair(env, pair, args, size)


def cases(env):
    for pair in pairs(env):
        for size in SIZES:
            yield f'all_pairs[{pair},{size}]', lambda pair=pair, size=size: all_pairs(env, pair, size)
    for pair in TWO_PAIRS:
        for name, args in OPTION_SETS.items():
            for size in SIZES:
                if size <= 2 and pair != TWO_PAIRS[0]:
                    continue      # 48 one-frame chunks per option set: the 24-frame pair is enough
                yield (f'matrix[{pair},{name},{size}]',
                       lambda pair=pair, args=args, size=size: matrix_case(env, pair, args, size))
        for fmt in ('xml', 'csv'):
            yield f'format[{pair},{fmt}]', lambda pair=pair, fmt=fmt: check_pair(env, pair, [], 5, fmt)
        yield f'reverse_order[{pair}]', lambda pair=pair: check_pair(env, pair, [], 7, order=-1)
    for name, args in INPUT_SETS.items():
        yield f'inputs[{name}]', lambda args=args: check_inputs(env, TWO_PAIRS[1], args=args)
    mkv = os.path.join(env.shared, 'conformance', TWO_PAIRS[1], 'dis.mkv')
    yield 'inputs[dis.mkv]', lambda: check_inputs(env, TWO_PAIRS[1], dis=mkv, size=7)
    yield 'inputs[http]', lambda: check_http(env, TWO_PAIRS[1])
    p = TWO_PAIRS[0]
    yield 'refuse_gap', lambda: check_refusal(env, p, [(0, 4), (5, None)], 'missing or scored twice')
    yield 'refuse_overlap', lambda: check_refusal(env, p, [(0, 5), (4, None)], 'missing or scored twice')
    yield 'refuse_no_end', lambda: check_refusal(env, p, [(0, 4), (4, 8)], 'no chunk reached it')
