"""The float features, CIEDE2000 and PSNR-HVS beyond the golden files: libvmaf's documented
refusals (PSNR-HVS above 12 bits, an unlisted vif_kernelscale, pictures too small for the
float filters), each one clear error line naming the feature; and float motion's debug=false,
which in libvmaf writes motion2/motion3 but no "motion" (float_motion.c: motion only if debug).
The values themselves are checked against libvmaf's goldens by test_conformance_v32.py and at
every kernel level by test_kernel_levels.py and checkasm."""
import json, os, shutil
from vmafx_testlib import run, pair_files

PAIR = 'testsrc2_320x240_2frames_crf35'


def scratch(env, name):
    d = os.path.join(env.scratch, 'float_features', name)
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(d)
    return d


def raw_pair(d, w, h, bits, frames=2):
    """A flat reference and a noisy distorted raw 4:2:0 clip (little-endian above 8 bits),
    its samples within the bit depth: a quarter of the range, plus up to 12."""
    n = (w * h + 2 * ((w + 1) // 2) * ((h + 1) // 2)) * frames
    base = 1 << (bits - 2)
    size = 2 if bits > 8 else 1
    ref = b''.join(base.to_bytes(size, 'little') for _ in range(n))
    dis = b''.join((base + i * 7919 % 13).to_bytes(size, 'little') for i in range(n))
    paths = []
    for name, data in (('ref.yuv', ref), ('dis.yuv', dis)):
        paths.append(os.path.join(d, name))
        open(paths[-1], 'wb').write(data)
    return paths


def refused(env, args, *needles):
    p = run([env.vmafx] + args, check=False)
    assert p.returncode != 0, f'accepted: {args}'
    lines = [l for l in p.stderr.splitlines() if l.startswith('vmafx: error:')]
    assert len(lines) == 1, f'expected one error line: {p.stderr!r}'
    for n in needles:
        assert n in lines[0], f'error line lacks {n!r}: {lines[0]}'


def test_psnr_hvs_refuses_16_bit(env):
    d = scratch(env, 'hvs16')
    ref, dis = raw_pair(d, 64, 64, 16)
    refused(env, ['-r', ref, '-d', dis, '-w', '64', '-h', '64', '-p', '420', '-b', '16', '-n',
                  '--feature', 'psnr_hvs', '-o', os.path.join(d, 'o.json'), '--json'],
            'psnr_hvs', '16-bit')


def test_psnr_hvs_accepts_12_bit(env):
    d = scratch(env, 'hvs12')
    ref, dis = raw_pair(d, 64, 64, 12)
    out = os.path.join(d, 'o.json')
    run([env.vmafx, '-r', ref, '-d', dis, '-w', '64', '-h', '64', '-p', '420', '-b', '12', '-n',
         '--feature', 'psnr_hvs', '--json', '-o', out])
    m = json.load(open(out))['frames'][0]['metrics']
    assert {'psnr_hvs_y', 'psnr_hvs_cb', 'psnr_hvs_cr', 'psnr_hvs'} <= set(m), sorted(m)


def test_unlisted_kernelscale_refused(env):
    ref, dis = pair_files(env, PAIR)
    refused(env, ['-r', ref, '-d', dis, '--feature', 'float_vif=vif_kernelscale=0.9',
                  '-o', os.devnull], 'float_vif', 'option value')


def test_float_model_too_small(env):
    d = scratch(env, 'small')
    ref, dis = raw_pair(d, 16, 16, 8)
    refused(env, ['-r', ref, '-d', dis, '-w', '16', '-h', '16', '-p', '420', '-b', '8',
                  '-m', 'version=vmaf_float_v0.6.1', '-o', os.devnull], 'too small')


def test_float_motion_debug_false(env):
    ref, dis = pair_files(env, PAIR)
    out = os.path.join(scratch(env, 'motion'), 'o.json')
    run([env.vmafx, '-r', ref, '-d', dis, '-n', '--feature', 'float_motion=debug=false',
         '--json', '-o', out])
    frames = json.load(open(out))['frames']
    for f in frames:
        assert 'motion' not in f['metrics'] and 'motion2' in f['metrics'], f['metrics']
    # the internal per-frame scores never reach a report
    assert not any(k.startswith('.') for f in frames for k in f['metrics'])
