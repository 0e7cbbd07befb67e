"""A chunk's inputs start at its frame without reading what comes before (issue 13, point 3):

  http:   y4m and raw yuv behind an http URL seek with one range request: `vmafx score --chunk`
          gives the chunk text the local files give, and the server sends about the chunk's
          frames, not the bytes before them; the notice says "seeked to frame N".
  refuse: a server that says it takes ranges but answers 200 with the whole object, and one
          that does not take ranges: the same chunk text, read forward (the whole prefix sent).
  y4m:    a y4m whose frames carry parameters (frames of different sizes) is never mis-seeked.
  mp4:    an h264 mp4 (closed GOPs, B-frames) chunked at starts on and off keyframes, merged,
          equals the whole-file report byte for byte; chunks say "seeked to keyframe K ...,
          decoded D frames before frame F" (D < F); the same over http.
  mkv:    matroska has no frame index: a demux-only packet scan finds the closed-GOP keyframe
          at or before the frame (the g8 stream remuxed: keyframes 8, 16, ...; its open-GOP
          twin: keyframe 0 only; the pair's dis.mkv, whose only keyframe is frame 0: a
          warning); merged equals the whole file; an mkv from a server without ranges
          decodes from the start. A seek is logged, a fallback also warned about.
  md5:    an MD5 check still passes for the last chunk over http (the skipped bytes are read at
          the end for it) and still fails for altered bytes; a size-only check reads no more.
  rclone: an S3 object through `rclone serve http` (the default storage mode) seeks too."""
import json, os, re, tempfile, threading
import http.server
from vmafx_testlib import Skip, run, pair_files
from media.mediatest import cached, ffmpeg, raw_copy

PAIR = 'testsrc2_576x324_crf35'        # 48 frames, 576x324 8-bit 4:2:0 (279936 bytes a frame)
FRAME = 576 * 324 * 3 // 2
RAW = ['--width', '576', '--height', '324', '--pixel_format', '420', '--bitdepth', '8']


class Handler(http.server.SimpleHTTPRequestHandler):
    """Serves a folder; mode 'range' honours Range, 'ignore' says "Accept-Ranges: bytes" but
    answers 200 with everything, 'none' neither; counts the body bytes it sent per file."""
    def log_message(self, *a):
        pass

    def do_GET(self):
        path = self.translate_path(self.path)
        if not os.path.isfile(path):
            self.send_error(404)
            return
        size = os.path.getsize(path)
        start, end = 0, size - 1
        m = re.fullmatch(r'bytes=(\d+)-(\d*)', self.headers.get('Range') or '')
        mode = self.server.mode
        if m and mode == 'range':
            start = int(m.group(1))
            end = int(m.group(2)) if m.group(2) else size - 1
            if start >= size:
                self.send_response(416)
                self.send_header('Content-Range', f'bytes */{size}')
                self.end_headers()
                return
            self.send_response(206)
            self.send_header('Content-Range', f'bytes {start}-{end}/{size}')
        else:
            self.send_response(200)
        if mode != 'none':
            self.send_header('Accept-Ranges', 'bytes')
        self.send_header('Content-Length', str(end - start + 1))
        self.end_headers()
        name = os.path.basename(path)
        with open(path, 'rb') as f:
            f.seek(start)
            left = end - start + 1
            while left > 0:
                block = f.read(min(left, 1 << 16))
                try:
                    self.wfile.write(block)
                except (BrokenPipeError, ConnectionResetError):
                    return
                left -= len(block)
                with self.server.lock:
                    self.server.sent[name] = self.server.sent.get(name, 0) + len(block)


def serve(root, mode):
    import functools
    srv = http.server.ThreadingHTTPServer(('127.0.0.1', 0), functools.partial(Handler, directory=root))
    srv.mode, srv.sent, srv.lock = mode, {}, threading.Lock()
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    return srv


def vmafx(env, *args, check=True, debug_io=False):
    e = dict(os.environ, VMAFX_DEBUG_IO='1') if debug_io else None
    return run([env.bin('src/cli/vmafx'), 'score', '-q', *args], check=check, env=e)


def chunk_text(env, ref, dis, spec, out, args=(), debug_io=False):
    p = vmafx(env, '-r', ref, '-d', dis, *args, '--chunk', spec, '-o', out, debug_io=debug_io)
    with open(out) as f:
        return re.sub(r'^time .*$', 'time', f.read(), flags=re.M), p.stderr


def bytes_read(stderr, label):
    """Bytes the input's connections delivered to vmafx (VMAFX_DEBUG_IO's line)."""
    for line in stderr.splitlines():
        if line.startswith('vmafx debug-io: '):
            d = json.loads(line[len('vmafx debug-io: '):])
            if d['input'].startswith(label):
                return d['bytes']
    raise AssertionError(f'no debug-io line for {label}: {stderr!r}')


def folder(env, name, files):
    """A scratch folder holding links to files under the names given."""
    d = os.path.join(env.scratch, 'media-seek', name)
    os.makedirs(d, exist_ok=True)
    for link, target in files.items():
        p = os.path.join(d, link)
        if os.path.lexists(p):
            os.unlink(p)
        os.symlink(target, p)
    return d


def check_http(env, kind, mode, first=30, end=40):
    ref, dis = pair_files(env, PAIR)
    args = RAW if kind == 'yuv' else []
    if kind == 'yuv':
        ref, dis = raw_copy(env, ref, f'{PAIR}-ref.yuv'), raw_copy(env, dis, f'{PAIR}-dis.yuv')
    ext = 'yuv' if kind == 'yuv' else 'y4m'
    root = folder(env, kind, {f'ref.{ext}': ref, f'dis.{ext}': dis})
    srv = serve(root, mode)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            spec = f'{first}:{end}'
            local, _ = chunk_text(env, ref, dis, spec, os.path.join(tmp, 'local'), args)
            base = f'http://127.0.0.1:{srv.server_address[1]}/'
            remote, err = chunk_text(env, base + f'ref.{ext}', base + f'dis.{ext}', spec,
                                     os.path.join(tmp, 'remote'), args, debug_io=True)
    finally:
        srv.shutdown()
    if local != remote:
        raise AssertionError(f'{kind} over http ({mode}): chunk {spec} differs from the local files\' chunk')
    skipped = first - 2                         # PIPELINE_CHUNK_HISTORY frames are decoded before
    sent = srv.sent.get(f'ref.{ext}', 0)       # includes what filled the socket buffers
    got = bytes_read(err, 'reference input http')
    chunk_bytes = (end - skipped) * (FRAME + 6)
    prefix = skipped * FRAME
    if mode == 'range':
        if 'seeked to frame %d' % skipped not in err:
            raise AssertionError(f'{kind}: no seek said: {err!r}')
        # the chunk's frames plus the first read-ahead (256 KiB) before the seek
        if not chunk_bytes - 6 * (end - skipped) <= got <= chunk_bytes + 3 * FRAME or sent >= prefix + chunk_bytes:
            raise AssertionError(f'{kind}: {got} bytes read, {sent} sent for a chunk of {chunk_bytes} bytes')
    else:
        if 'read %d frames forward' % skipped not in err:
            raise AssertionError(f'{kind}: no fallback said: {err!r}')
        if got < prefix + chunk_bytes - 6 * end:
            raise AssertionError(f'{kind} ({mode}): only {got} bytes read, yet nothing was seeked')
    print(f'  {kind} {mode}: chunk {spec}: {got} bytes read, {sent} sent by the server '
          f'(chunk {chunk_bytes}, file {os.path.getsize(ref)})')


def check_frame_params(env):
    """Frames with parameters ("FRAME Ixx") have different sizes: the seek must not guess."""
    ref, dis = pair_files(env, PAIR)
    d = os.path.join(env.scratch, 'media-seek', 'params')
    os.makedirs(d, exist_ok=True)
    data = open(ref, 'rb').read()
    head_end = data.index(b'\n') + 1
    frames = data[head_end:].split(b'FRAME\n')[1:]
    # frame 20 gets a parameter: the frames after it move by 3 bytes, the total size stays
    # a multiple of nothing useful, and "FRAME" no longer sits at the computed offsets
    out = data[:head_end] + b''.join((b'FRAME Ia\n' if i == 20 else b'FRAME\n') + f for i, f in enumerate(frames))
    with open(os.path.join(d, 'ref.y4m'), 'wb') as f:
        f.write(out)
    folder(env, 'params', {'dis.y4m': dis})
    srv = serve(d, 'range')
    try:
        with tempfile.TemporaryDirectory() as tmp:
            local, _ = chunk_text(env, ref, dis, '30:40', os.path.join(tmp, 'local'))
            base = f'http://127.0.0.1:{srv.server_address[1]}/'
            remote, err = chunk_text(env, base + 'ref.y4m', base + 'dis.y4m', '30:40', os.path.join(tmp, 'r'))
    finally:
        srv.shutdown()
    if local != remote:
        raise AssertionError('y4m with frame parameters: the chunk differs')
    if 'ref.y4m: read 28 frames forward' not in err:
        raise AssertionError(f'y4m with frame parameters: no fallback said: {err!r}')


def mp4_of(env):
    ref, _ = pair_files(env, PAIR)
    # x264's default closed GOPs, a keyframe every 8 frames, B-frames (decode order differs)
    return cached(env, f'{PAIR}-ref-g8.mp4', lambda out: ffmpeg(
        '-i', ref, '-c:v', 'libx264', '-crf', '30', '-g', '8', '-keyint_min', '8', '-sc_threshold', '0',
        '-bf', '2', out))


def without_timing(text):
    return re.sub(r'fps(="|": )[0-9.e+-]+', 'fps', text)


def check_chunked(env, ref, dis, starts, expect, args=()):
    """Chunks [s0, s1), [s1, s2) ... merged equal the whole report; every chunk but the first
    says expect (a regex) on stderr; returns the notices."""
    notes = []
    with tempfile.TemporaryDirectory() as tmp:
        whole = os.path.join(tmp, 'whole.json')
        vmafx(env, '-r', ref, '-d', dis, *args, '--json', '-o', whole)
        merge = []
        for a, b in zip(starts, starts[1:] + [None]):
            path = os.path.join(tmp, f'chunk{a}')
            p = vmafx(env, '-r', ref, '-d', dis, *args, '--chunk', f'{a}:{"" if b is None else b}', '-o', path)
            merge += ['--merge', path]
            if a > 2 and not re.search(expect, p.stderr):
                raise AssertionError(f'chunk {a}: expected /{expect}/ on stderr, got {p.stderr!r}')
            notes.append(p.stderr.strip())
        out = os.path.join(tmp, 'merged.json')
        vmafx(env, '-r', ref, '-d', dis, *args, *merge, '--json', '-o', out)
        if without_timing(open(whole).read()) != without_timing(open(out).read()):
            raise AssertionError(f'{dis}: merged chunks {starts} differ from the whole report')
    return notes


# chunk starts: the source is opened at start - 2 (history frames); keyframes at 0, 8, 16, ...
MP4_STARTS = [0, 3, 10, 13, 18, 27, 34, 41]


def check_mp4(env):
    ref, _ = pair_files(env, PAIR)
    mp4 = mp4_of(env)
    notes = check_chunked(env, ref, mp4, MP4_STARTS, r'seeked to keyframe \d+|nearest keyframe is the first')
    for a, note in zip(MP4_STARTS, notes):
        m = re.search(r'seeked to keyframe (\d+) \(sample table\), decoded (\d+) frames before frame (\d+)', note)
        if a - 2 >= 8 and (not m or int(m.group(1)) != (a - 2) // 8 * 8 or int(m.group(3)) != a - 2):
            raise AssertionError(f'mp4 chunk {a}: {note!r}')
        if 2 < a < 10 and f'decoded {a - 2} frames from the start: the nearest keyframe is the first' not in note:
            raise AssertionError(f'mp4 chunk {a}: {note!r}')
        if a - 2 >= 8 and 'warning' in note:
            raise AssertionError(f'mp4 chunk {a}: a seek is not a warning: {note!r}')
    print('  mp4:', '; '.join(n.split(': ', 2)[-1] for n in notes if n))


def check_mp4_http(env):
    ref, _ = pair_files(env, PAIR)
    mp4 = mp4_of(env)
    srv = serve(folder(env, 'mp4', {'dis.mp4': mp4}), 'range')
    try:
        url = f'http://127.0.0.1:{srv.server_address[1]}/dis.mp4'
        notes = check_chunked(env, ref, url, [0, 27, 41], r'seeked to keyframe (24|32) \(sample table\)')
        print('  mp4 over http:', '; '.join(n.split(': ', 2)[-1] for n in notes if n))
    finally:
        srv.shutdown()


def check_open_gop(env, quiet=False):
    """x264's open GOPs: a keyframe's sample number is not its frame number (frames decoded
    after it are shown before it): the seek is refused on the packets, the source reopened and
    decoded from the start (the decoder may also fail on the keyframe first: the same fallback)."""
    ref, _ = pair_files(env, PAIR)
    mp4 = cached(env, f'{PAIR}-ref-opengop.mp4', lambda out: ffmpeg(
        '-i', ref, '-c:v', 'libx264', '-crf', '30', '-g', '8', '-keyint_min', '8', '-sc_threshold', '0',
        '-bf', '3', '-x264-params', 'open-gop=1', out))
    if quiet:
        return
    notes = check_chunked(env, ref, mp4, [0, 12, 30], r'decoded \d+ frames from the start: (the frames after the '
                          r'keyframe are not in order|decoding after the seek failed)')
    print('  open GOP:', '; '.join(n.split(': ', 2)[-1] for n in notes if n))


def integrity(env, url, path, md5, skip, size_delta=0):
    size = os.path.getsize(path) + size_delta
    p = run([env.bin('tests', 'media', 'media-integrity-check'), url, str(size), md5, str(skip)], check=False,
            timeout=120, env=dict(os.environ, VMAFX_DEBUG_IO='1'))
    return p.returncode, p.stdout.strip(), bytes_read(p.stderr, 'input http')


def check_integrity(env):
    """A chunk that seeked and then reads to the end (the last chunk) is still verified: an MD5
    check reads the skipped bytes at the end (the hash goes in order), a size-only check does
    not need them; altered or cut objects still fail."""
    import hashlib
    ref, _ = pair_files(env, PAIR)
    mp4 = mp4_of(env)
    srv = serve(folder(env, 'integrity', {'ref.y4m': ref, 'dis.mp4': mp4}), 'range')
    try:
        base = f'http://127.0.0.1:{srv.server_address[1]}/'
        for name, path, skip in (('ref.y4m', ref, 30), ('dis.mp4', mp4, 25)):
            md5 = hashlib.md5(open(path, 'rb').read()).hexdigest()
            size = os.path.getsize(path)
            rc, out, got = integrity(env, base + name, path, md5, skip)
            if (rc, out) != (0, 'ok') or got < size:
                raise AssertionError(f'{name} MD5 after a seek: {rc} {out!r}, {got} of {size} bytes read')
            print(f'  {name}: skip {skip} with MD5: {got} bytes read (object {size})')
            rc, out, got = integrity(env, base + name, path, '-', skip)
            if (rc, out) != (0, 'ok') or (name == 'ref.y4m' and got > size - (skip - 2) * FRAME):
                raise AssertionError(f'{name} size-only after a seek: {rc} {out!r}, {got} of {size} bytes read')
            print(f'  {name}: skip {skip} size only: {got} bytes read (object {size})')
            rc, out, _ = integrity(env, base + name, path, '0' * 32, skip)
            if rc != 1 or 'does not match the stored MD5' not in out:
                raise AssertionError(f'{name}: a wrong MD5 after a seek: {rc} {out!r}')
            rc, out, _ = integrity(env, base + name, path, '-', skip, 1000)
            if rc != 1 or 'truncated stream' not in out:
                raise AssertionError(f'{name}: a short object after a seek: {rc} {out!r}')
    finally:
        srv.shutdown()


def check_rclone(env):
    """Through the storage layer's default mode (rclone serve http of an S3 remote): the y4m
    chunk seeks with a range request and equals the local chunk."""
    if env.quick:
        raise Skip('--quick (the sanitizer run) leaves out the storage lab')
    import storage_lab
    lab = storage_lab.get_lab(env.scratch)
    ref, dis = pair_files(env, PAIR)
    lab.rclone_cmd('copyto', ref, 's3:media/seek/ref.y4m')
    lab.rclone_cmd('copyto', dis, 's3:media/seek/dis.y4m')
    with tempfile.TemporaryDirectory() as tmp:
        local, _ = chunk_text(env, ref, dis, '30:40', os.path.join(tmp, 'local'))
        out = os.path.join(tmp, 'remote')
        p = run([env.vmafx, 'score', '-q', '-r', 's3://media/seek/ref.y4m', '-d', 's3://media/seek/dis.y4m',
                 '--storage-mode', 'http-serve', '--rclone-config', lab.conf, '--chunk', '30:40', '-o', out],
                env=storage_lab.clean_env({'VMAFX_DEBUG_IO': '1'}), timeout=120)
        remote = re.sub(r'^time .*$', 'time', open(out).read(), flags=re.M)
    if local != remote:
        raise AssertionError('rclone: the chunk differs from the local files\' chunk')
    if 'seeked to frame 28' not in p.stderr:
        raise AssertionError(f'rclone: no seek said: {p.stderr!r}')
    got = bytes_read(p.stderr, 'reference input')
    if got > 15 * FRAME:
        raise AssertionError(f'rclone: {got} bytes read for 12 frames')
    print(f'  rclone serve http: chunk 30:40: {got} bytes read (file {os.path.getsize(ref)})')
    assert not storage_lab.rclone_pids(lab.conf), 'rclone processes left behind'


def check_mkv(env):
    """The pair's dis.mkv (x264, one keyframe in 48 frames): the packet scan finds keyframe 0,
    so every chunk decodes from the start: said as a warning naming the input and why."""
    ref, _ = pair_files(env, PAIR)
    mkv = os.path.join(env.shared, 'conformance', PAIR, 'dis.mkv')
    if not os.path.exists(mkv):
        raise Skip(f'no {mkv}')
    notes = check_chunked(env, ref, mkv, [0, 9, 16, 30], r'decoded \d+ frames from the start: the nearest '
                          r'keyframe is the first frame \(packet scan\)')
    warn = ('warning: distorted input ' + mkv + ': a chunk cannot seek to its first frame, the frames before it '
            'are read from the start: the nearest keyframe is the first frame (packet scan)')
    for a, note in zip([0, 9, 16, 30], notes):
        if a > 2 and warn not in note:
            raise AssertionError(f'mkv chunk {a}: no fallback warning: {note!r}')


def remux_mkv(env, mp4, name):
    return cached(env, name, lambda out: ffmpeg('-i', mp4, '-c', 'copy', out))


def check_mkv_keyframes(env, open_gop=False):
    """The g8 mp4's stream remuxed into matroska (cues: keyframe times only): the demux-only
    packet scan finds the closed-GOP keyframe at or before the frame; with open GOPs the scan
    takes keyframe 0, or a keyframe that fails to decode sends the chunk back to the start."""
    ref, _ = pair_files(env, PAIR)
    if open_gop:
        check_open_gop(env, quiet=True)
        src = os.path.join(os.path.dirname(mp4_of(env)), f'{PAIR}-ref-opengop.mp4')
    else:
        src = mp4_of(env)
    mkv = remux_mkv(env, src, os.path.basename(src)[:-4] + '.mkv')
    # frames before keyframe 8 decode from keyframe 0, which is said as decoding from the start
    expect = r'seeked to keyframe \d+ \(packet scan\)|the nearest keyframe is the first frame \(packet scan\)'
    if open_gop:   # a keyframe that looks closed may still fail to decode: then from the start
        expect += r'|decoded \d+ frames from the start'
    notes = check_chunked(env, ref, mkv, MP4_STARTS, expect)
    for a, note in zip(MP4_STARTS, notes):
        m = re.search(r'seeked to keyframe (\d+) \(packet scan\), decoded (\d+) frames before frame (\d+)', note)
        want = 0 if open_gop else (a - 2) // 8 * 8
        if open_gop and a > 2 and not (m and m.group(1) == '0' or 'frames from the start' in note):
            raise AssertionError(f'open-GOP mkv chunk {a}: {note!r}')
        if not open_gop and 2 < a < 10:
            if f'decoded {a - 2} frames from the start: the nearest keyframe is the first frame' not in note:
                raise AssertionError(f'mkv chunk {a}: {note!r}')
        elif not open_gop and a > 2 and (not m or int(m.group(1)) != want or int(m.group(3)) != a - 2):
            raise AssertionError(f'mkv chunk {a}: {note!r}')
    print('  mkv:', '; '.join(n.split(': ', 2)[-1] for n in notes if n))


def check_mkv_unseekable(env):
    """An mkv from a server that takes no ranges cannot be scanned and sought: decoded from the
    start, said so."""
    ref, _ = pair_files(env, PAIR)
    mkv = remux_mkv(env, mp4_of(env), f'{PAIR}-ref-g8.mkv')
    srv = serve(folder(env, 'mkv', {'dis.mkv': mkv}), 'none')
    try:
        url = f'http://127.0.0.1:{srv.server_address[1]}/dis.mkv'
        check_chunked(env, ref, url, [0, 27], r'decoded 25 frames from the start: .*cannot be scanned')
    finally:
        srv.shutdown()


def cases(env):
    for kind in ('y4m', 'yuv'):
        for mode in ('range', 'ignore', 'none'):
            yield f'http[{kind},{mode}]', lambda kind=kind, mode=mode: check_http(env, kind, mode)
    yield 'y4m_frame_params', lambda: check_frame_params(env)
    yield 'mp4_keyframe_seek', lambda: check_mp4(env)
    yield 'mp4_http', lambda: check_mp4_http(env)
    yield 'mp4_open_gop', lambda: check_open_gop(env)
    yield 'mkv_pair', lambda: check_mkv(env)
    yield 'mkv_keyframes', lambda: check_mkv_keyframes(env)
    yield 'mkv_open_gop', lambda: check_mkv_keyframes(env, open_gop=True)
    yield 'mkv_unseekable', lambda: check_mkv_unseekable(env)
    yield 'integrity', lambda: check_integrity(env)
    yield 'rclone', lambda: check_rclone(env)
