"""Start-up cost: FFmpeg's libraries (and the ~130 libraries they pull in) are loaded only when
an input needs them (src/media/libav_api.c). A y4m pair must run without them; an MKV input
must load them and score. The dynamic loader's own trace (LD_DEBUG=files) says what was
mapped."""
import os
import subprocess
from vmafx_testlib import pair_files

PAIR = 'photo_576x324_crf35'


def loaded(env, args):
    p = subprocess.run([env.vmafx, 'score', '-q', '--frame_cnt', '2', '-o', os.devnull] + args,
                       capture_output=True, text=True, timeout=300,
                       env=dict(os.environ, LD_DEBUG='files'))
    assert p.returncode == 0, p.stderr[-2000:]
    return {line.split('file=', 1)[1].split()[0] for line in p.stderr.splitlines()
            if 'file=' in line}


def test_y4m_loads_no_ffmpeg(env):
    ref, dis = pair_files(env, PAIR)
    libs = loaded(env, ['-r', ref, '-d', dis])
    av = sorted(x for x in libs if x.startswith(('libav', 'libsw')))
    assert not av, f'a y4m run mapped {av}'
    assert len(libs) < 30, f'a y4m run mapped {len(libs)} libraries: {sorted(libs)}'


def test_mkv_loads_ffmpeg_on_demand(env):
    ref, _ = pair_files(env, PAIR)
    mkv = os.path.join(env.shared, 'conformance', PAIR, 'dis.mkv')
    libs = loaded(env, ['-r', ref, '-d', mkv])
    for name in ('libavformat', 'libavcodec', 'libavutil', 'libswscale'):
        assert any(x.startswith(name + '.so') for x in libs), f'{name} not loaded: {sorted(libs)}'
