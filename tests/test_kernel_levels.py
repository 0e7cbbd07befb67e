"""Conformance at each kernel level: vmafx-dump with VMAFX_CPU forced to scalar, avx2,
avx2vnni, avx512 and avx512vnni (those this CPU has) on pairs that cover 8/10/12-bit, an odd size and 1080p, compared
bit for bit with the golden per-frame features (including VIF/ADM per-scale num/den); and
CAMBI (no-reference and full-reference) against its golden JSON at each level; SpEED
(speed_chroma, speed_temporal) at each level against libvmaf 3.2's speed.json, digit for digit,
on 8/10-bit, 4:2:0/4:2:2/4:4:4 and 1080p pairs; and the float models (float VIF/ADM/motion
kernels) at each level against libvmaf's JSON goldens."""
import os, shlex
from vmafx_testlib import run, pair_files, compare_tsv, compare_json

PAIRS = ('testsrc2_576x324_crf35', 'testsrc2_576x324_p10_crf35', 'clouds_176x144_p12_x265crf30',
         'testsrc2_301x173_444_crf35', 'testsrc2_1920x1080_crf35')
QUICK = PAIRS[:4]
MODELS = ('vmaf_v0.6.1', 'vmaf_v0.6.1neg')   # egl 100 and egl 1 (VIF gain limit)
SPEED_PAIRS = ('testsrc2_576x324_crf35', 'testsrc2_576x324_p10_crf35', 'testsrc2_301x173_444_crf35',
               'clouds_352x288_422p10_crf32', 'testsrc2_1920x1080_crf35')


def cpu_levels():
    """scalar plus the SIMD levels whose instructions /proc/cpuinfo lists (as cpu.c detects)."""
    try:
        flags = next((l.split(':', 1)[1].split() for l in open('/proc/cpuinfo')
                      if l.startswith('flags')), [])
    except OSError:
        flags = []
    levels = ['scalar']
    if {'avx2', 'bmi2'} <= set(flags):
        levels.append('avx2')
        if 'avx_vnni' in flags:
            levels.append('avx2vnni')
        if {'avx512f', 'avx512bw', 'avx512dq', 'avx512vl'} <= set(flags):
            levels.append('avx512')
            if 'avx512_vnni' in flags:
                levels.append('avx512vnni')
    return levels


def check(env, pair, model, level):
    ref, dis = pair_files(env, pair)
    out = os.path.join(env.scratch, 'kernel-levels', f'{pair}.{model}.{level}.tsv')
    os.makedirs(os.path.dirname(out), exist_ok=True)
    run([env.dump, ref, dis, model, out, 'debug'], env=dict(os.environ, VMAFX_CPU=level))
    golden = os.path.join(env.shared, 'conformance', pair, 'golden', model + '.tsv')
    compare_tsv(golden, out, f'{pair}/{model} at VMAFX_CPU={level}')


# CAMBI refuses the 176x144 pair (below its minimum resolution)
CAMBI_PAIRS = ('testsrc2_576x324_crf35', 'testsrc2_576x324_p10_crf35', 'testsrc2_301x173_444_crf35',
               'testsrc2_1920x1080_crf35')
CAMBI_GOLDEN = ('cambi.json', 'cambi_full_ref.json')


def check_cambi(env, pair, golden, level):
    """Replays the golden's command line from COMMANDS_v32.txt at one kernel level."""
    src = os.path.join(env.shared, 'conformance', pair, 'golden')
    line = next(l for l in open(os.path.join(src, 'COMMANDS_v32.txt'))
                if l.startswith('vmaf ') and 'golden/' + golden in l)
    ref, dis = pair_files(env, pair)
    out = os.path.join(env.scratch, 'kernel-levels', f'{pair}.{golden}.{level}.json')
    os.makedirs(os.path.dirname(out), exist_ok=True)
    subst = {'ref.y4m': ref, 'dis.y4m': dis, 'golden/' + golden: out}
    args = [subst.get(a, a) for a in shlex.split(line)[1:]]
    run([env.vmafx] + args, env=dict(os.environ, VMAFX_CPU=level))
    compare_json(os.path.join(src, golden), out, f'{pair}/{golden} at VMAFX_CPU={level}')


def check_speed(env, pair, level):
    ref, dis = pair_files(env, pair)
    out = os.path.join(env.scratch, 'kernel-levels', f'{pair}.speed.{level}.json')
    os.makedirs(os.path.dirname(out), exist_ok=True)
    run([env.vmafx, 'score', '-q', '-r', ref, '-d', dis, '--feature', 'speed_chroma',
         '--feature', 'speed_temporal', '--json', '-o', out], env=dict(os.environ, VMAFX_CPU=level))
    golden = os.path.join(env.shared, 'conformance', pair, 'golden', 'speed.json')
    compare_json(golden, out, f'{pair}/speed.json at VMAFX_CPU={level}')


def cases(env):
    for pair in QUICK if env.quick else PAIRS:
        for level in cpu_levels():
            for model in MODELS:
                yield f'{pair}/{model}/{level}', (lambda p=pair, m=model, l=level: check(env, p, m, l))
    for pair in CAMBI_PAIRS[:2] if env.quick else CAMBI_PAIRS:
        for level in cpu_levels():
            for golden in CAMBI_GOLDEN:
                yield (f'{pair}/{golden}/{level}',
                       (lambda p=pair, g=golden, l=level: check_cambi(env, p, g, l)))
    for pair in SPEED_PAIRS[:2] if env.quick else SPEED_PAIRS:
        for level in cpu_levels():
            yield f'{pair}/speed/{level}', (lambda p=pair, l=level: check_speed(env, p, l))
    yield from float_cases(env)


FLOAT_GOLDENS = ('vmaf_float_v0.6.1.json', 'vmaf_float_neg_4k.json')


def check_float(env, pair, golden, level):
    """The golden's COMMANDS_v32.txt line, run at one kernel level."""
    gdir = os.path.join(env.shared, 'conformance', pair, 'golden')
    line = next(l for l in open(os.path.join(gdir, 'COMMANDS_v32.txt'))
                if l.startswith('vmaf ') and 'golden/' + golden in l)
    ref, dis = pair_files(env, pair)
    out = os.path.join(env.scratch, 'kernel-levels', f'{pair}.{golden}.{level}.json')
    os.makedirs(os.path.dirname(out), exist_ok=True)
    subst = {'ref.y4m': ref, 'dis.y4m': dis}
    args = [subst.get(a, out if a.startswith('golden/') else a) for a in shlex.split(line)[1:]]
    run([env.vmafx] + args, env=dict(os.environ, VMAFX_CPU=level))
    compare_json(os.path.join(gdir, golden), out, f'{pair}/{golden} at VMAFX_CPU={level}')


def float_cases(env):
    for pair in QUICK if env.quick else PAIRS:
        for level in cpu_levels():
            for golden in FLOAT_GOLDENS:
                yield (f'{pair}/{golden}/{level}',
                       lambda p=pair, g=golden, l=level: check_float(env, p, g, l))
