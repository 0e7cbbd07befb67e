"""Luma-only reads: when no extractor of a run reads the U and V planes, `vmafx score` passes
over a local file's chroma bytes with a seek and leaves those planes unfilled, so an extractor
that reads them without saying so (EXTRACTOR_CHROMA) would score zeros, not the picture. For
every extractor `vmafx score --help` lists, the per-frame values from the local files must
equal those from the same files through FIFOs (pipes cannot seek: every byte is read), and the
debug-io figures say which runs passed over the chroma: the ones without a chroma reader."""
import json, os, re, threading
from vmafx_testlib import run, pair_files
from media.mediatest import PAIR8, debug_lines, scratch

FRAMES = 3
CHROMA_READERS = {'psnr', 'ciede', 'psnr_hvs', 'speed_chroma'}  # those that must read U and V


def extractors(env):
    text = run([env.vmafx, 'score', '--help']).stdout
    block = text[text.index('Features (--feature NAME'):text.index('Built-in models')]
    names = re.findall(r'^  ([a-z][a-z0-9_]*)', block, re.M)
    assert 'vif' in names and 'psnr' in names, names
    return names


def score(env, ref, dis, feature):
    p = run([env.vmafx, 'score', '-n', '--feature', feature, '--frame_cnt', str(FRAMES), '-r', ref, '-d', dis,
             '--json', '-o', '-'], env=dict(os.environ, VMAFX_DEBUG_IO='1'))
    frames = json.loads(p.stdout)['frames']
    skipped = [line['skipped'] for line in debug_lines(p.stderr)]
    return frames, skipped


def through_fifos(env, d, ref, dis, feature):
    """The same run with each input fed through a FIFO by a writer thread."""
    fifos = [os.path.join(d, name) for name in ('ref.fifo', 'dis.fifo')]
    for f in fifos:
        if os.path.exists(f):
            os.unlink(f)
        os.mkfifo(f)

    def feed(src, fifo):
        try:
            with open(src, 'rb') as i, open(fifo, 'wb') as o:
                while chunk := i.read(1 << 20):
                    o.write(chunk)
        except BrokenPipeError:
            pass  # the scorer stops reading after FRAMES frames

    writers = [threading.Thread(target=feed, args=a, daemon=True) for a in zip((ref, dis), fifos)]
    for w in writers:
        w.start()
    try:
        return score(env, fifos[0], fifos[1], feature)
    finally:
        for f in fifos:  # unblock a writer still waiting for a reader
            try:
                os.close(os.open(f, os.O_RDONLY | os.O_NONBLOCK))
            except OSError:
                pass
        for w in writers:
            w.join(timeout=10)


def cases(env):
    ref, dis = pair_files(env, PAIR8)
    d = scratch(env, 'luma-only')
    for name in extractors(env):
        def case(name=name):
            local, skipped = score(env, ref, dis, name)
            piped, piped_skipped = through_fifos(env, d, ref, dis, name)
            assert len(skipped) == 2 and piped_skipped == [0, 0], (skipped, piped_skipped)
            chroma_read = skipped == [0, 0]
            assert len(local) == FRAMES and local == piped, \
                f'{name}: values from the local files (chroma passed over: {not chroma_read}) differ from ' \
                f'the piped ones'
            assert chroma_read == (name in CHROMA_READERS), \
                f'{name}: chroma {"read" if chroma_read else "passed over"} ({skipped} bytes skipped)'
        yield f'luma_only_{name}', case
