"""Chunked jobs whose chunks seek, end to end through a controller and two nodes (issue 13,
points 1 and 3): the reference is a y4m served over HTTP with range requests, the distorted a
y4m over the same server, an h264 mp4 with a keyframe every 8 frames, that stream remuxed
into matroska, or the pair's dis.mkv (its only keyframe is frame 0). The controller cannot
count these inputs, so a node counts them on a probe lease and the job is cut in chunks of
12 frames; every merged report equals `vmafx score` on the local files byte for byte but the
fps fields.

Each chunk after the first opens its inputs at frame first - 2, and the node log says how,
for that chunk's id: the y4m "seeked to frame F at byte B (range request)", the mp4
"seeked to keyframe K (sample table)", the mkv "(packet scan)", with K the last multiple of
8 at or before F. A seek is a log line, not a warning: those jobs have no warnings. The
pair's dis.mkv decodes every chunk's frames from the start: the job has exactly one warning,
naming the input and why, however many chunks said it."""
import os, re
from vmafx_testlib import Skip, pair_files
from controller_testlib import Cluster
from test_chunks_probe import check_chunked, mkv
from test_media_seek import serve, folder, mp4_of, remux_mkv

PAIR = 'testsrc2_576x324_crf35'   # 48 frames
SIZE = 12


def chunk_lines(c, job):
    """{chunk id: its node's log lines about it} for the chunks of job."""
    text = ''
    for name in os.listdir(c.dir):
        if name.startswith('node-') and name.endswith('.log'):
            text += open(os.path.join(c.dir, name), errors='replace').read()
    return {ch['id']: [ln for ln in text.splitlines() if f'job {ch["id"]}:' in ln] for ch in job['chunks']}


def check_seeks(c, job, label, pattern, key_of=None):
    """Every chunk after the first logged pattern (a regex with the frame it opened at as its
    last group, and the keyframe as its first where key_of is given) for the input label."""
    lines = chunk_lines(c, job)
    for ch in job['chunks']:
        if ch['first'] <= 2:
            continue
        start = ch['first'] - 2
        found = [m for ln in lines[ch['id']] if label in ln for m in [re.search(pattern, ln)] if m]
        if not found:
            raise AssertionError(f'chunk {ch["first"]}: no /{pattern}/ for {label} in the node logs: '
                                 f'{lines[ch["id"]]}')
        m = found[0]
        if int(m.group(m.lastindex)) != start or (key_of and int(m.group(1)) != key_of(start)):
            raise AssertionError(f'chunk {ch["first"]}: {m.group(0)!r}')


def test_chunks_seek_through_nodes(env):
    ref, dis = pair_files(env, PAIR)
    pair_mkv = mkv(env)
    mp4 = mp4_of(env)
    g8_mkv = remux_mkv(env, mp4, f'{PAIR}-ref-g8.mkv')
    srv = serve(folder(env, 'chunks-seek', {'ref.y4m': ref, 'dis.y4m': dis}), 'range')
    base = f'http://127.0.0.1:{srv.server_address[1]}/'
    try:
        with Cluster(env, 'chunks-seek') as c:
            c.controller()
            api = c.api()
            c.node('a')
            c.node('b')
            key8 = lambda f: f // 8 * 8                                    # noqa: E731
            cases = (
                (base + 'dis.y4m', dis, r'seeked to frame (\d+) at byte \d+ \(range request\)', None),
                (mp4, mp4, r'seeked to keyframe (\d+) \(sample table\), decoded \d+ frames before frame (\d+)',
                 key8),
                (g8_mkv, g8_mkv, r'seeked to keyframe (\d+) \(packet scan\), decoded \d+ frames before frame '
                 r'(\d+)', key8),
            )
            nodes = set()
            for d, local, pattern, key_of in cases:
                jid = api.submit(base + 'ref.y4m', d, chunk_frames=SIZE)
                job = check_chunked(env, c, api, jid, base + 'ref.y4m', d, SIZE, ref, local=(ref, local))
                check_seeks(c, job, 'reference input http', r'seeked to frame (\d+) at byte \d+ \(range request\)')
                check_seeks(c, job, 'distorted input', pattern, key_of)
                if job['warnings']:
                    raise AssertionError(f'{d}: a chunk that seeks is no warning: {job["warnings"]}')
                nodes |= {ch['node'] for ch in job['chunks']}
                print(f'  {os.path.basename(d)}: {len(job["chunks"])} chunks, no warnings')
            # the pair's dis.mkv: every chunk decodes from frame 0; one warning for the job
            jid = api.submit(base + 'ref.y4m', pair_mkv, chunk_frames=SIZE)
            job = check_chunked(env, c, api, jid, base + 'ref.y4m', pair_mkv, SIZE, ref, local=(ref, pair_mkv))
            check_seeks(c, job, 'distorted input', r'decoded (\d+) frames from the start: the nearest keyframe is '
                        r'the first frame \(packet scan\)')
            want = [f'distorted input {pair_mkv}: a chunk cannot seek to its first frame, the frames before it '
                    'are read from the start: the nearest keyframe is the first frame (packet scan)']
            if job['warnings'] != want:
                raise AssertionError(f'dis.mkv: warnings {job["warnings"]}, expected {want}')
            print(f'  dis.mkv: {len(job["chunks"])} chunks, warning: {job["warnings"][0]}')
            if len(nodes) < 2:
                raise Skip(f'every chunk ran on {nodes}: the two-node lease was not exercised '
                           '(the reports and seeks were checked)')
    finally:
        srv.shutdown()
