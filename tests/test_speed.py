"""SpEED end to end, beyond speed.json (test_conformance_v32.py): the speed_chroma option sets
of the VMAF v1 models (read from ../shared/models), given as --feature options, reproduce
libvmaf 3.2's values and suffixed feature names in the v1 golden files digit for digit
(speed_prescale 0.5/0.6 with bilinear resizing included); bad options and pictures too small
are refused with one line naming the reason; scoring frames on several threads gives the same
speed_temporal as one thread."""
import glob, json, os
from vmafx_testlib import Skip, run, pairs, pair_files

PAIR = 'testsrc2_576x324_crf35'


def v1_option_sets(env):
    """The distinct speed_chroma option sets of the v1 models, as --feature values."""
    sets = set()
    for path in sorted(glob.glob(os.path.join(env.shared, 'models', 'vmaf_v1*.json'))):
        md = json.load(open(path))['model_dict']
        for name, opts in zip(md['feature_names'], md.get('feature_opts_dicts', [])):
            if name.startswith('Speed_chroma_feature'):
                sets.add(':'.join(f'{k}={v}' for k, v in sorted(opts.items())))
    return sorted(sets)


def score(env, pair, features, out, extra=()):
    ref, dis = pair_files(env, pair)
    args = [env.vmafx, 'score', '-q', '-r', ref, '-d', dis, '--json', '-o', out] + list(extra)
    for f in features:
        args += ['--feature', f]
    run(args)
    return json.load(open(out), parse_float=str)


def check_v1_options(env, pair, golden_path):
    sets = v1_option_sets(env)
    if not sets:
        raise Skip('no v1 models with speed_chroma options in ../shared/models')
    out = os.path.join(env.scratch, 'speed', f'{pair}.v1.json')
    os.makedirs(os.path.dirname(out), exist_ok=True)
    ours = score(env, pair, [f'speed_chroma={s}' for s in sets], out)
    golden = json.load(open(golden_path), parse_float=str)
    of = {fr['frameNum']: fr['metrics'] for fr in ours['frames']}
    compared, errors = 0, []
    for fr in golden['frames']:
        for k, v in fr['metrics'].items():
            if not k.startswith('speed_chroma'):
                continue
            compared += 1
            got = of.get(fr['frameNum'], {}).get(k)
            if got != v:
                errors.append(f'frame {fr["frameNum"]} {k}: golden {v}, ours {got}')
    for k, stats in golden['pooled_metrics'].items():
        if k.startswith('speed_chroma') and ours['pooled_metrics'].get(k) != stats:
            errors.append(f'pooled {k}: golden {stats}, ours {ours["pooled_metrics"].get(k)}')
    assert compared, f'{pair}: no speed_chroma values in {golden_path}'
    assert not errors, f'{pair}: {len(errors)} of {compared} differ; first: ' + '; '.join(errors[:3])


REFUSED = [
    ('speed_chroma=speed_kernelscale=4', 'speed_kernelscale=4 is not one of'),
    ('speed_chroma=speed_prescale_method=area', 'not one of nearest, bilinear, bicubic, lanczos4'),
    ('speed_chroma=speed_weight_var_mode=2.5', 'must be an integer'),
    ('speed_chroma=speed_sigma_nn=3', 'out of range [0.1, 2]'),
    ('speed_temporal=speed_weight_var_mode=1', "unknown option 'speed_weight_var_mode'"),
    ('speed_chroma=speed_prescale=0.2', 'image too small'),
    ('speed_temporal=speed_prescale=0.1', 'image too small'),
]


def check_refused(env, feature, reason, pair=PAIR):
    ref, dis = pair_files(env, pair)
    p = run([env.vmafx, 'score', '-q', '-r', ref, '-d', dis, '--feature', feature, '-o', os.devnull],
            check=False)
    lines = [ln for ln in p.stderr.splitlines() if ln.strip()]
    assert p.returncode != 0, f'{feature}: accepted'
    assert len(lines) == 1 and reason in lines[0], f'{feature}: expected one line with "{reason}", got {lines}'


def check_threads(env):
    out = os.path.join(env.scratch, 'speed', 'threads-%d.json')
    os.makedirs(os.path.dirname(out), exist_ok=True)
    feats = ['speed_chroma', 'speed_temporal']
    one = score(env, PAIR, feats, out % 1, ['--threads', '1'])
    three = score(env, PAIR, feats, out % 3, ['--threads', '3'])
    assert one['frames'] == three['frames'], 'speed features differ between 1 and 3 threads'


def cases(env):
    for pair in pairs(env):
        golden = os.path.join(env.shared, 'conformance', pair, 'golden', 'vmaf_v1_all.json')
        if os.path.exists(golden) and (not env.quick or pair in (PAIR, 'testsrc2_1920x1080_crf35')):
            yield f'v1_options/{pair}', (lambda p=pair, g=golden: check_v1_options(env, p, g))
    for feature, reason in REFUSED:
        yield f'refused/{feature}', (lambda f=feature, r=reason: check_refused(env, f, r))
    yield 'refused/176x144-chroma', lambda: check_refused(
        env, 'speed_chroma', 'chroma planes of 88x72 give 5x4', 'clouds_176x144_p12_x265crf30')
    yield 'threads', lambda: check_threads(env)
