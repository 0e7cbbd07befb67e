"""A frame count above the frames that decode (issue 13: a count is a lower bound for
cutting a job): chunks that start at or past the inputs' end are empty, not failed, and
the merge takes them as lying past the job's end; the merged report still equals the
unchunked `vmafx score` byte for byte but the fps field.

  edit list: dis.mkv stream-copied into an mp4 from 0.5 s on: the mp4 keeps every sample
             (nb_frames 48) behind an edit list that drops the first 12 when decoding
             (checked with ffprobe). `vmafx score --chunk` per range of the 48 counted
             frames + `--merge`, chunk sizes {1, 5, 7, 12, 16}, in any order, every format.
  empty:     --chunk ranges past the end of a y4m pair (no mp4 needed): the same.
  refusals:  a gap before the end, or a chunk that scored frames after the chunk that met
             the end, is still refused at merge.
  service:   a job with that mp4: a node counts 48 frames (the mp4's header), the job is cut
             into chunks of 5 and 12 over them, completes, and its report is `vmafx score`'s."""
import json, os, shutil, subprocess, tempfile
from vmafx_testlib import Skip, run, pair_files
from controller_testlib import Cluster
from test_chunks import without_timing, y4m_frames, check_refusal
from test_chunks_service import whole_report, frames

PAIR = 'testsrc2_576x324_crf35'      # 48 frames; dis.mkv beside it
Y4M_PAIR = 'testsrc2_576x324_p10_crf35'
FMT = {'json': '--json', 'xml': '--xml', 'csv': '--csv'}


def ffprobe_counts(path):
    """(nb_frames the header states, frames that decode)."""
    p = subprocess.run(['ffprobe', '-v', 'error', '-count_frames', '-select_streams', 'v:0', '-show_entries',
                        'stream=nb_frames,nb_read_frames', '-of', 'json', path],
                       check=True, capture_output=True, text=True)
    s = json.loads(p.stdout)['streams'][0]
    return int(s['nb_frames']), int(s['nb_read_frames'])


def edit_list_mp4(env, out):
    """dis.mkv (one keyframe) stream-copied from 0.5 s: the mp4 muxer keeps the samples from
    the keyframe on and writes an edit list that starts at 0.5 s."""
    if not shutil.which('ffmpeg') or not shutil.which('ffprobe'):
        raise Skip('no ffmpeg/ffprobe to make an mp4 with an edit list')
    mkv = os.path.join(env.shared, 'conformance', PAIR, 'dis.mkv')
    if not os.path.exists(mkv):
        raise Skip(f'no {mkv}')
    subprocess.run(['ffmpeg', '-nostdin', '-v', 'error', '-y', '-ss', '0.5', '-i', mkv, '-c', 'copy', out],
                   check=True)
    stated, decoded = ffprobe_counts(out)
    if stated <= decoded:
        raise Skip(f'ffmpeg wrote no edit list that drops samples (nb_frames {stated}, {decoded} decode)')
    return stated, decoded


def vmafx(env, *args, check=True):
    return run([env.bin('src/cli/vmafx'), 'score', '-q', *args], check=check)


def cut(total, size):
    out = [(a, a + size) for a in range(0, total - size, size)]
    out.append((out[-1][1] if out else 0, None))
    return out


def merged_equals_whole(env, ref, dis, counted, size, tmp, fmts=('json',), order=1):
    files = []
    for a, b in cut(counted, size):
        path = os.path.join(tmp, f'chunk{a}')
        vmafx(env, '-r', ref, '-d', dis, '--chunk', f'{a}:{"" if b is None else b}', '-o', path)
        files.append(path)
    merge = [x for p in files[::order] for x in ('--merge', p)]
    for fmt in fmts:
        whole, out = os.path.join(tmp, 'whole.' + fmt), os.path.join(tmp, 'merged.' + fmt)
        vmafx(env, '-r', ref, '-d', dis, FMT[fmt], '-o', whole)
        vmafx(env, '-r', ref, '-d', dis, *merge, FMT[fmt], '-o', out)
        if without_timing(open(whole).read()) != without_timing(open(out).read()):
            raise AssertionError(f'{dis}: {counted} frames counted, chunks of {size} ({fmt}): the merged '
                                 'report differs from vmafx score')
    return files


def check_edit_list(env, size, fmts=('json',), order=1):
    ref, _ = pair_files(env, PAIR)
    with tempfile.TemporaryDirectory() as tmp:
        mp4 = os.path.join(tmp, 'dis.mp4')
        stated, decoded = edit_list_mp4(env, mp4)
        files = merged_equals_whole(env, ref, mp4, stated, size, tmp, fmts, order)
        empty = [p for p in files if int(p.rsplit('chunk', 1)[1]) >= decoded]
        for p in empty:
            head = open(p).read().split('\n')[:3]
            a = p.rsplit('chunk', 1)[1]
            if head[2] != f'range {a} {a} 1':
                raise AssertionError(f'the chunk from frame {a} (past {decoded} frames) is not empty: {head}')
        if size < stated - decoded and not empty:
            raise AssertionError(f'chunks of {size}: none started past the end ({decoded} frames)')


def check_y4m_past_end(env):
    ref, dis = pair_files(env, Y4M_PAIR)
    total = y4m_frames(ref)
    with tempfile.TemporaryDirectory() as tmp:
        merged_equals_whole(env, ref, dis, total + 11, 5, tmp, order=-1)


def test_service_edit_list(env):
    """The node counts the mp4's 48 stated frames: chunks past the 36 that decode run empty."""
    ref, _ = pair_files(env, PAIR)
    with Cluster(env, 'chunks-overcount') as c:
        mp4 = os.path.join(c.dir, 'dis.mp4')
        stated, decoded = edit_list_mp4(env, mp4)
        c.controller()
        api = c.api()
        c.node('a')
        c.node('b')
        for size in (5, 12):
            jid = api.submit(ref, mp4, chunk_frames=size)
            job = api.wait_status(jid, ('completed', 'failed'), timeout=180)
            if job['status'] != 'completed':
                raise AssertionError(f'chunks of {size} over {stated} counted frames ({decoded} decode): {job}')
            n = (stated + size - 1) // size
            if len(job.get('chunks', [])) != n or f'{stated} frames known' not in job.get('chunk_note', ''):
                raise AssertionError(f'expected {n} chunks cut from {stated} frames: {job}')
            for fmt in ('json', 'xml', 'csv'):
                want = whole_report(env, ref, mp4, [], fmt, os.path.join(c.dir, f'whole.{fmt}'))
                if without_timing(want) != without_timing(frames(api, jid, fmt)):
                    raise AssertionError(f'chunks of {size} ({fmt}): the merged report differs from vmafx score')


def cases(env):
    for size in (1, 5, 7, 12, 16):
        yield f'edit_list[{size}]', lambda size=size: check_edit_list(env, size)
    yield 'edit_list_formats', lambda: check_edit_list(env, 5, fmts=('json', 'xml', 'csv'), order=-1)
    yield 'y4m_past_end', lambda: check_y4m_past_end(env)
    p = Y4M_PAIR
    yield 'refuse_gap_before_end', lambda: check_refusal(env, p, [(0, 12), (24, 30), (30, None)],
                                                         'missing or scored twice')
    yield 'refuse_frames_after_end', lambda: check_refusal(env, p, [(0, None), (5, 10)],
                                                           'before the chunk at frame 5')
    yield 'refuse_no_end', lambda: check_refusal(env, p, [(0, 12), (12, 24)], 'no chunk reached it')
