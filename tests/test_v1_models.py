"""VMAF v1 models, checked in the parts vmafx computes today, against the v1 golden files
(vmaf_v1.0.16_3d0h.json, vmaf_v1_all.json), which list every feature the models computed.

  integer: adm3/AIM/ADM scales and motion2/motion3 under the v1 models' options (adm_csf_mode
           2, adm_dlm_weight, adm_min_val, ..., motion_max_val, the HFR models' five-frame
           window and moving average), from vmafx-dump with a stand-in model that asks for
           adm3 and motion3 with each v1 model's options. Every integer ADM/motion key of the
           golden file must be there, under the same name, equal at printed precision.
  model:   the v1 models' arithmetic (normalisation, SVR, chroma correction, transform, clip):
           vmafx-model-eval fed with adm3/motion3 at full precision (as above) and the golden's
           CAMBI and SpEED values; the score must match the golden one within what the
           six printed decimals of CAMBI and SpEED allow (their effect is measured by moving
           each by half a printed unit).

  refusals: ADM options the integer ADM cannot compute (adm_csf_mode 2/3 outside their nine
           viewing conditions, Barten weights beyond the fixed-point range) are refused before
           any frame, with the option named.
  libvmaf: the ADM/motion options no golden file uses (Barten with small scales, the refitted
           blend, adm_skip_scale0/adm_skip_aim, the five-frame window alone) against libvmaf
           3.2.0's own `vmaf` where one is built (VMAFX_LIBVMAF, default
           /work/ref/libvmaf/build/tools/vmaf); skipped elsewhere.
  catalog: `vmafx score --help` lists every extractor with its options and every built-in
           model; the controller serves the same catalog at GET /v1/models and refuses at
           submit what the engine refuses.

The whole-file replays stay in test_conformance_v32.py's PENDING until CAMBI and SpEED land."""
import json, os, re, shlex
from vmafx_testlib import Skip, run, pairs, pair_files, compare_json

GOLDENS = ('vmaf_v1.0.16_3d0h.json', 'vmaf_v1_all.json')
V1 = ('3d0h', '5d0h', '1d5h_2160', '3d0h_2160', 'hfr_3d0h', 'hfr_5d0h', 'hfr_1d5h_2160',
      'hfr_3d0h_2160')
QUICK = {'testsrc2_576x324_crf35', 'testsrc2_576x324_p10_crf35', 'testsrc2_301x173_444_crf35',
         'testsrc2_320x240_2frames_crf35', 'clouds_320x240_1frame_crf40'}

# libvmaf 3.2.0's option tables (integer_adm.c, integer_motion.c): alias, default, boolean;
# feature names carry the non-default ones, sorted by option name
NAMING = {
    'adm': {'adm_csf_mode': ('csf', 0, False), 'adm_dlm_weight': ('dlmw', 0.5, False),
            'adm_enhn_gain_limit': ('egl', 100.0, False), 'adm_min_val': ('min', 0.0, False),
            'adm_noise_weight': ('nw', 0.03125, False), 'adm_norm_view_dist': ('nvd', 3.0, False),
            'adm_ref_display_height': ('rdh', 1080, False), 'adm_csf_scale': ('scf', 1.0, False),
            'adm_csf_diag_scale': ('scfd', 1.0, False), 'adm_skip_scale0': ('ssz', False, True)},
    'motion': {'motion_max_val': ('mmxv', 10000.0, False), 'motion_five_frame_window': ('mffw', False, True),
               'motion_moving_average': ('mma', False, True), 'motion_force_zero': ('force_0', False, True),
               'motion_blend_factor': ('mbf', 1.0, False), 'motion_blend_offset': ('mbo', 40.0, False),
               'motion_fps_weight': ('mfw', 1.0, False)},
}


def suffix(kind, opts):
    out = ''
    for name in sorted(opts):
        alias, default, boolean = NAMING[kind][name]
        v = opts[name]
        if v == default:
            continue
        out += f'_{alias}' if boolean else f'_{alias}_{float(v):g}'
    return out


def model_json(env, name):
    return json.load(open(os.path.join(env.shared, 'models', f'vmaf_v1.0.16_{name}.json')))


def opts_of(env, name, prefix):
    """The feature_opts_dicts entry of the model's feature whose name contains prefix."""
    md = model_json(env, name)['model_dict']
    i = next(k for k, f in enumerate(md['feature_names']) if prefix in f)
    return md['feature_opts_dicts'][i]


def stand_in_model(env):
    """A model asking for adm3 and motion3 with every distinct option set of the v1 models
    (its SVM is a dummy: only the features matter)."""
    adm, motion = [], []
    for m in V1:
        for lst, p in ((adm, 'adm3'), (motion, 'motion3')):
            o = opts_of(env, m, p)
            if o not in lst:
                lst.append(o)
    names = ['VMAF_integer_feature_adm3_score'] * len(adm) + ['VMAF_integer_feature_motion3_score'] * len(motion)
    n = len(names)
    sv = ' '.join(f'{i + 1}:0' for i in range(n))
    return {'model_dict': {
        'model_type': 'LIBSVMNUSVR', 'norm_type': 'linear_rescale', 'feature_names': names,
        'feature_opts_dicts': adm + motion, 'slopes': [1.0] * (n + 1), 'intercepts': [0.0] * (n + 1),
        'model': f'svm_type nu_svr\nkernel_type rbf\ngamma 0.1\nnr_class 2\ntotal_sv 1\nrho 0\nSV\n1 {sv}\n'}}


_DUMPS = {}


def full_precision(env, pair, level=None):
    """Per-frame integer features at full precision: {frame: {output name: '%.17g'}}."""
    if (pair, level) not in _DUMPS:
        _DUMPS[pair, level] = _dump(env, pair, level)
    return _DUMPS[pair, level]


def _dump(env, pair, level):
    tag = level or 'auto'
    d = os.path.join(env.scratch, 'v1_models')
    os.makedirs(d, exist_ok=True)
    model, tsv = os.path.join(d, 'stand_in.json'), os.path.join(d, f'{pair}.{tag}.tsv')
    with open(model, 'w') as f:
        json.dump(stand_in_model(env), f)
    ref, dis = pair_files(env, pair)
    envv = dict(os.environ, VMAFX_CPU=level) if level else None
    run([env.dump, ref, dis, model, tsv], env=envv)
    with open(tsv) as f:
        head = f.readline().rstrip('\n').split('\t')
        rows = {}
        for line in f:
            p = line.rstrip('\n').split('\t')
            if p[0].startswith('#'):
                continue
            rows[int(p[0])] = {h: v for h, v in zip(head[1:], p[1:]) if v}
    return rows


def printed(v):
    """libvmaf's JSON number: %.6f, or %.16f for a non-zero fraction below 1e-6."""
    a = abs(v)
    frac = a - int(a) if a < 2147483648.0 else 1.0
    return ('%.16f' if 0 < frac < 1e-6 else '%.6f') % v


def golden(env, pair, name):
    path = os.path.join(env.shared, 'conformance', pair, 'golden', name)
    if not os.path.exists(path):
        return None
    return json.load(open(path), parse_float=str)


INTEGER_KEY = re.compile(r'(integer_(adm|aim|motion)|VMAF_integer_feature_motion_sad_score)')


def check_integer(env, pair, name, level=None):
    g = golden(env, pair, name)
    ours = full_precision(env, pair, level)
    errors, n = [], 0
    for fr in g['frames']:
        mine = ours.get(fr['frameNum'], {})
        for k, gv in fr['metrics'].items():
            if not INTEGER_KEY.match(k):
                continue
            n += 1
            if k not in mine:
                errors.append(f'frame {fr["frameNum"]}: {k} missing')
            elif printed(float(mine[k])) != gv:
                errors.append(f'frame {fr["frameNum"]} {k}: golden {gv}, ours {mine[k]}')
    assert n, f'{pair}/{name}: no integer ADM/motion values in the golden file'
    assert not errors, f'{pair}/{name}: {len(errors)} of {n} differ; first: ' + '; '.join(errors[:3])


def models_of(env, pair, name):
    """(v1 model, score key) of each model the golden file's command used."""
    cmd = open(os.path.join(env.shared, 'conformance', pair, 'golden', 'COMMANDS_v32.txt')).read()
    line = next(l for l in cmd.splitlines() if l.startswith('vmaf ') and f'golden/{name}' in l)
    out = []
    for a in shlex.split(line):
        m = re.fullmatch(r'version=vmaf_v1\.0\.16_([a-z0-9_]+?)(?::name=(.*))?', a)
        if m:
            out.append((m.group(1), m.group(2) or 'vmaf'))
    return out


def half_unit(s):
    """Half a unit of the last printed digit; 0 for an exact printed 0 (libvmaf prints a tiny
    non-zero value with 16 decimals, so 0.000000 is 0)."""
    if float(s) == 0.0:
        return 0.0
    return 0.5 * 10.0 ** -len(s.split('.')[1])


def inputs(env, model, fr, mine):
    """The model's four inputs for one frame, with the uncertainty of each."""
    def one(prefix, pick):
        keys = [k for k in fr if k.startswith(prefix) and pick(k)]
        assert len(keys) == 1, f'{model}: {prefix} keys {keys}'
        return fr[keys[0]]
    cambi = one('cambi', lambda k: True)
    ps = opts_of(env, model, 'speed_chroma').get('speed_prescale')
    speed = one('speed_chroma_uv', (lambda k: f'_ps_{ps:g}_' in k) if ps else (lambda k: '_ps_' not in k))
    adm = mine['integer_adm3' + suffix('adm', opts_of(env, model, 'adm3'))]
    motion = mine['integer_motion3' + suffix('motion', opts_of(env, model, 'motion3'))]
    return [float(cambi), float(speed), float(adm), float(motion)], [half_unit(cambi), half_unit(speed), 0, 0]


def evaluate(env, model, rows):
    text = ''.join(' '.join(repr(v) for v in r) + '\n' for r in rows)
    p = run([env.bin('tests', 'vmafx-model-eval'), f'vmaf_v1.0.16_{model}'], input=text)
    return [float(v) for v in p.stdout.splitlines()[1:]]


def check_model(env, pair, name):
    g = golden(env, pair, name)
    ours = full_precision(env, pair)
    worst, errors, n = 0.0, [], 0
    for model, key in models_of(env, pair, name):
        frames = [fr for fr in g['frames'] if key in fr['metrics']]
        rows, tol_rows = [], []
        for fr in frames:
            x, du = inputs(env, model, fr['metrics'], ours[fr['frameNum']])
            rows.append(x)
            for i in range(2):        # CAMBI, SpEED moved by half a printed unit either way
                for sgn in (-1, 1):
                    y = list(x)
                    y[i] += sgn * du[i]
                    tol_rows.append(y)
        scores = evaluate(env, model, rows + tol_rows)
        base, moved = scores[:len(rows)], scores[len(rows):]
        for j, fr in enumerate(frames):
            spread = sum(max(abs(moved[4 * j + 2 * i] - base[j]), abs(moved[4 * j + 2 * i + 1] - base[j]))
                         for i in range(2))
            gv = float(fr['metrics'][key])
            dev = abs(base[j] - gv)
            worst = max(worst, dev)
            n += 1
            # the golden's own printing (5e-7) plus what the printed CAMBI/SpEED may hide
            if dev > 5e-7 + spread + 1e-9:
                errors.append(f'{key} frame {fr["frameNum"]}: golden {gv}, ours {base[j]:.9f} '
                              f'(allowed {5e-7 + spread:.2g})')
    assert n, f'{pair}/{name}: no model scores'
    assert not errors, f'{pair}/{name}: {len(errors)} of {n} scores differ; first: ' + '; '.join(errors[:3])


def cases(env):
    for pair in pairs(env):
        if env.quick and pair not in QUICK:
            continue
        for name in GOLDENS:
            if golden(env, pair, name) is None:
                continue          # refused by libvmaf on this pair (test_conformance_v32.py)
            yield f'{pair}/integer:{name}', (lambda p=pair, n=name: check_integer(env, p, n))
            yield f'{pair}/model:{name}', (lambda p=pair, n=name: check_model(env, p, n))
    # every kernel level gives the same integer features under the v1 options
    for level in ('scalar', 'avx2', 'avx512'):
        def case(lv=level):
            if lv not in cpu_levels():
                raise Skip(f'this CPU has no {lv}')
            check_integer(env, 'testsrc2_576x324_crf35', 'vmaf_v1_all.json', lv)
            check_integer(env, 'testsrc2_576x324_p10_crf35', 'vmaf_v1_all.json', lv)
        yield f'levels/integer:{level}', case


# ---- refusals at start -------------------------------------------------------------------

def test_refused_adm_options(env):
    ref, dis = pair_files(env, 'testsrc2_320x240_2frames_crf35')
    for opts, words in (('adm_csf_mode=1', ['adm_csf_mode=1', 'adm_csf_scale']),
                        ('adm_csf_mode=2:adm_norm_view_dist=4', ['adm_csf_mode=2', '1080/4']),
                        ('adm_csf_mode=3:adm_ref_display_height=1440', ['adm_csf_mode=3', '1440/3']),
                        ('adm_csf_mode=1.5', ['adm_csf_mode']),
                        # level-3 weight 0.5045: libvmaf's C and SIMD code disagree from 0.5 on
                        ('adm_csf_mode=1:adm_csf_scale=0.0187:adm_csf_diag_scale=0.005', ['level 3', 'adm_csf_scale']),
                        ('adm_norm_view_dist=2', ['adm_norm_view_dist'])):
        p = run([env.vmafx, 'score', '-q', '-r', ref, '-d', dis, '--feature', f'adm={opts}', '-o', os.devnull],
                check=False)
        lines = [ln for ln in p.stderr.splitlines() if ln.strip()]
        assert p.returncode != 0 and len(lines) == 1, f'{opts}: exit {p.returncode}, {p.stderr!r}'
        for w in words:
            assert w in lines[0], f'{opts}: {w!r} not in {lines[0]!r}'
        # refused at setup: before any frame was read
        assert 'frame' not in lines[0], lines[0]


# ---- against libvmaf itself, for options no golden file covers ------------------------------

LIBVMAF = os.environ.get('VMAFX_LIBVMAF', '/work/ref/libvmaf/build/tools/vmaf')
OPTION_SETS = (
    'adm=adm_csf_mode=1:adm_csf_scale=0.0185:adm_csf_diag_scale=0.005',
    'adm=adm_csf_mode=1:adm_csf_scale=0.002:adm_csf_diag_scale=0.0005:adm_norm_view_dist=5',
    'adm=adm_csf_mode=3:adm_norm_view_dist=5',
    'adm=adm_csf_mode=2:adm_ref_display_height=2160:adm_norm_view_dist=5',
    'adm=adm_skip_scale0=true:adm_csf_mode=2',
    'adm=adm_skip_aim=true:adm_dlm_weight=0.3',
    'adm=adm_skip_aim=true',        # same names as the default model's ADM: the model's wins
    'motion=motion_five_frame_window=true',
    'motion=motion_five_frame_window=true:motion_blend_factor=0.5:motion_blend_offset=1',
)


def test_options_against_libvmaf(env):
    if not os.access(LIBVMAF, os.X_OK):
        raise Skip(f'no libvmaf vmaf at {LIBVMAF} (set VMAFX_LIBVMAF)')
    d = os.path.join(env.scratch, 'v1_libvmaf')
    os.makedirs(d, exist_ok=True)
    for pair in ('testsrc2_576x324_crf35', 'testsrc2_576x324_p10_crf35', 'testsrc2_301x173_444_crf35',
                 'testsrc2_320x240_2frames_crf35'):
        ref, dis = pair_files(env, pair)
        args = ['-q', '-r', ref, '-d', dis, '--frame_cnt', '8', '--json']
        for o in OPTION_SETS:
            args += ['--feature', o]
        theirs, ours = os.path.join(d, pair + '.libvmaf.json'), os.path.join(d, pair + '.vmafx.json')
        run([LIBVMAF] + args + ['-o', theirs])
        for level, threads in [(lv, '1') for lv in cpu_levels()] + [('auto', '3')]:
            run([env.vmafx] + args + ['--threads', threads, '--cpu', level, '-o', ours])
            compare_json(theirs, ours, f'{pair} (--cpu {level} --threads {threads})')


def cpu_levels():
    """scalar plus the SIMD levels this CPU has (as test_kernel_levels.py decides)."""
    from test_kernel_levels import cpu_levels as levels
    return levels()


# ---- catalog: help, GET /v1/models, submit ------------------------------------------------

def test_help_lists_every_feature_and_model(env):
    text = run([env.vmafx, 'score', '--help']).stdout
    cat = _catalog(env)
    for fx in cat['features']:
        assert re.search(r'^  ' + re.escape(fx['name']) + r' ', text, re.M), fx['name']
        for o in fx['options']:
            assert o['name'] in text, (fx['name'], o['name'])
    for m in cat['models']:
        assert re.search(r'^  ' + re.escape(m['name']) + r'\b', text, re.M), m['name']
    for v in V1:
        assert f'vmaf_v1.0.16_{v}' in text


def _catalog(env):
    from controller_testlib import Cluster
    with Cluster(env, 'v1-catalog') as c:
        c.controller()
        st, obj, _ = c.api().call('GET', '/v1/models')
        assert st == 200, (st, obj)
        return obj


def test_models_endpoint_and_submit_checks(env):
    from controller_testlib import Cluster
    with Cluster(env, 'v1-models') as c:
        c.controller()
        api = c.api()
        st, cat, _ = api.call('GET', '/v1/models')
        assert st == 200, (st, cat)
        assert cat['default_model'] == 'vmaf_v0.6.1'
        models = {m['name']: m for m in cat['models']}
        for v in V1:
            m = models[f'vmaf_v1.0.16_{v}']
            adm = next(f for f in m['features'] if 'adm3' in f['name'])
            assert adm['extractor'] == 'adm' and adm['options']['adm_csf_mode'] == 2, adm
        feats = {f['name']: f for f in cat['features']}
        adm_opts = {o['name'] for o in feats['adm']['options']}
        assert {'adm_csf_mode', 'adm_csf_scale', 'adm_csf_diag_scale', 'adm_skip_aim', 'adm_skip_scale0',
                'adm_dlm_weight', 'adm_noise_weight', 'adm_min_val'} <= adm_opts, adm_opts
        assert 'motion_five_frame_window' in {o['name'] for o in feats['motion']['options']}
        # submit: what the engine accepts is accepted, what it refuses is refused naming the field
        base = {'reference_uri': '/data/ref.y4m', 'distorted_uri': '/data/dis.y4m'}
        ok = dict(base, models=['vmaf_v0.6.1neg'],
                  features=['adm=adm_csf_mode=2:adm_dlm_weight=0.7', 'motion=motion_five_frame_window=true'])
        st, obj, _ = api.call('POST', '/v1/jobs', ok)
        assert st == 201, (st, obj)
        for body, field, word in ((dict(base, models=['vmaf_v9']), 'models[0]', 'vmaf_v9'),
                                  (dict(base, features=['psnr', 'adm=adm_csf_mode=1']), 'features[1]', 'adm_csf_mode'),
                                  (dict(base, features=['cambi_x']), 'features[0]', 'cambi_x'),
                                  (dict(base, models=['vmaf_v0.6.1', 'version=vmaf_v0.6.1neg']),
                                   'models[1]', 'two models'),
                                  (dict(base, features=['motion=motion_max_val=-1']), 'features[0]', 'motion_max_val')):
            st, obj, _ = api.call('POST', '/v1/jobs', body)
            assert st == 400 and obj['field'] == field and word in obj['error'], (body, st, obj)
        assert c.ctl.stop() == 0
