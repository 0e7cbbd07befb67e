"""Inputs over HTTP from a private nginx (range requests on): the same content gives the same
per-frame results by every path — a .y4m file, the same file over HTTP, raw .yuv over HTTP,
the x264 dis.mkv of a conformance pair over HTTP (its golden output), an mp4 whose index sits
at the end (the demuxer seeks over HTTP). And streaming: scoring starts with the first bytes."""
import os
from vmafx_testlib import pair_files, compare_json
from media.mediatest import PAIR8, clip, encode, error_line, score, same_scores, scratch, y4m_split
from servers.nginx import Nginx
from servers.misbehave import MisbehavingServer


def served(env, name):
    """A folder nginx serves, with links to the files the cases need."""
    d = scratch(env, name)
    ref, dis = pair_files(env, PAIR8)
    for stem, src in (('ref.y4m', ref), ('dis.y4m', dis),
                      ('dis.mkv', os.path.join(env.shared, 'conformance', PAIR8, 'dis.mkv'))):
        os.symlink(src, os.path.join(d, stem))
    return d


def golden(env, pair=PAIR8):
    return os.path.join(env.shared, 'conformance', pair, 'golden', 'vmaf_v0.6.1.json')


def test_y4m_over_http_equals_local(env):
    d = served(env, 'http-y4m')
    with Nginx(d) as web:
        remote, _ = score(env, ['-r', web.url('ref.y4m'), '-d', web.url('dis.y4m')], os.path.join(d, 'remote.json'))
    local, _ = score(env, ['-r', os.path.join(d, 'ref.y4m'), '-d', os.path.join(d, 'dis.y4m')],
                     os.path.join(d, 'local.json'))
    same_scores(remote, local, 'y4m over HTTP vs local')
    compare_json(golden(env), os.path.join(d, 'remote.json'), 'y4m over HTTP vs golden')


def test_https_verifies_the_server(env):
    """https: a server whose certificate no trusted CA signed is refused; trusting its
    certificate (--tls-ca-file) lets the same input through."""
    d = served(env, 'https')
    with Nginx(d, tls=True) as web:
        _, p = score(env, ['-r', web.url('ref.y4m'), '-d', web.url('dis.mkv')], os.path.join(d, 'r.json'),
                     check=False)
        error_line(p, f'reference input {web.url("ref.y4m")}', 'cannot open')
        score(env, ['-r', web.url('ref.y4m'), '-d', web.url('dis.mkv'), '--tls-ca-file', web.certificate],
              os.path.join(d, 'r.json'))
    compare_json(golden(env), os.path.join(d, 'r.json'), 'over HTTPS vs golden')


def test_raw_yuv_over_http(env):
    d = served(env, 'http-yuv')
    for stem in ('ref', 'dis'):
        _, frames = y4m_split(os.path.join(d, stem + '.y4m'))
        with open(os.path.join(d, stem + '.yuv'), 'wb') as f:
            for fr in frames:
                f.write(fr)
    geo = ['-w', '576', '-h', '324', '-p', '420', '-b', '8']
    with Nginx(d) as web:
        score(env, ['-r', web.url('ref.yuv'), '-d', web.url('dis.yuv')] + geo, os.path.join(d, 'r.json'))
    compare_json(golden(env), os.path.join(d, 'r.json'), 'raw yuv over HTTP vs golden')


def test_mkv_over_http_equals_golden(env):
    d = served(env, 'http-mkv')
    with Nginx(d) as web:
        score(env, ['-r', web.url('ref.y4m'), '-d', web.url('dis.mkv')], os.path.join(d, 'r.json'))
    compare_json(golden(env), os.path.join(d, 'r.json'), 'dis.mkv over HTTP vs golden')


def test_mp4_index_at_end_over_http(env):
    """moov after mdat: the demuxer must seek to the end and back over HTTP."""
    d = served(env, 'http-mp4')
    src = clip(env, PAIR8, 'ref', 0, 16)
    mp4 = encode(env, 'h264-moov-at-end.mp4', src, '-c:v', 'libx264', '-crf', '30', '-g', '8')
    os.symlink(mp4, os.path.join(d, 'late.mp4'))
    os.symlink(src, os.path.join(d, 'src.y4m'))
    with Nginx(d) as web:
        remote, _ = score(env, ['-r', web.url('src.y4m'), '-d', web.url('late.mp4')], os.path.join(d, 'remote.json'))
    local, _ = score(env, ['-r', src, '-d', mp4], os.path.join(d, 'local.json'))
    same_scores(remote, local, 'mp4 over HTTP vs local')


def test_streams_without_downloading_first(env):
    """The server sends 40 % of the file and then nothing: scoring the first 5 frames
    succeeds, which it could not if the input were downloaded before decoding."""
    d = served(env, 'http-stream')
    with MisbehavingServer(d) as bad:
        rep, _ = score(env, ['-r', os.path.join(d, 'ref.y4m'), '-d', bad.url('stall', 'dis.y4m'),
                             '--frame_cnt', '5', '--stall-timeout', '20'], os.path.join(d, 'r.json'), timeout=60)
    assert len(rep['frames']) == 5
