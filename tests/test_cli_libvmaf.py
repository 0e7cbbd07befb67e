"""libvmaf's CLI semantics where vmafx once differed (issue 11 point 6, issue 16 items 9-10):
model names (every model is "vmaf" unless name= says otherwise, so two unnamed models are
refused and the first model of a two-model run is keyed "vmaf"), one name per model on the
terminal and in the report, `-n` (no prediction: only the named models' and --feature's
features), and the bare model name. Compared with the goldens, and with libvmaf's `vmaf` where
it is built."""
import json, os, shutil

from vmafx_testlib import Skip, pair_files, run, compare_json

PAIR = 'testsrc2_576x324_crf35'
LIBVMAF = '/work/ref/libvmaf/build/tools/vmaf'


def scratch(env, name):
    d = os.path.join(env.scratch, 'cli_libvmaf', name)
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(d)
    return d


def golden(env, name):
    return os.path.join(env.shared, 'conformance', PAIR, 'golden', name)


def score(env, out, *args):
    p = run([env.vmafx, 'score', '-q', '-r', *pair_files(env, PAIR)[:1], '-d', pair_files(env, PAIR)[1], *args,
             '--json', '-o', out])
    return json.load(open(out)), p


def test_first_model_is_vmaf(env):
    """`-m version=vmaf_v0.6.1 -m version=vmaf_v0.6.1neg:name=vmaf_neg`: keys vmaf and vmaf_neg
    with the values of the single-model goldens (scripts read pooled_metrics.vmaf)."""
    d = scratch(env, 'two')
    ours, _ = score(env, os.path.join(d, 'two.json'), '-m', 'version=vmaf_v0.6.1', '-m',
                    'version=vmaf_v0.6.1neg:name=vmaf_neg')
    one = json.load(open(golden(env, 'vmaf_v0.6.1.json')), parse_float=str)
    neg = json.load(open(golden(env, 'vmaf_v0.6.1neg.json')), parse_float=str)
    assert set(ours['pooled_metrics']) >= {'vmaf', 'vmaf_neg'}, sorted(ours['pooled_metrics'])
    text = json.load(open(os.path.join(d, 'two.json')), parse_float=str)
    for fo, f1, fn in zip(text['frames'], one['frames'], neg['frames']):
        assert fo['metrics']['vmaf'] == f1['metrics']['vmaf'] and fo['metrics']['vmaf_neg'] == fn['metrics']['vmaf']


def test_two_unnamed_models_refused(env):
    ref, dis = pair_files(env, PAIR)
    p = run([env.vmafx, 'score', '-q', '-r', ref, '-d', dis, '-m', 'version=vmaf_v0.6.1', '-m',
             'version=vmaf_v0.6.1neg', '-o', os.devnull], check=False)
    assert p.returncode != 0, 'libvmaf refuses two models without name='
    assert "two models named 'vmaf'" in p.stderr and 'name=' in p.stderr, p.stderr
    if os.path.exists(LIBVMAF):   # and libvmaf does refuse it
        q = run([LIBVMAF, '-q', '-r', ref, '-d', dis, '-m', 'version=vmaf_v0.6.1', '-m', 'version=vmaf_v0.6.1neg',
                 '-o', os.devnull], check=False)
        assert q.returncode != 0 and 'uniquely named' in q.stderr, q.stderr


def test_bare_model_name(env):
    """`score -m vmaf_v0.6.1neg` works as `submit -m vmaf_v0.6.1neg` does."""
    d = scratch(env, 'bare')
    out = os.path.join(d, 'neg.json')
    score(env, out, '-m', 'vmaf_v0.6.1neg')
    compare_json(golden(env, 'vmaf_v0.6.1neg.json'), out, 'bare name')


def test_one_name_on_terminal_and_in_report(env):
    """The terminal line of each model is the report's key (issue 16 item 10)."""
    ref, dis = pair_files(env, PAIR)
    for models, names in (([], ['vmaf']), (['-m', 'version=vmaf_v0.6.1'], ['vmaf']),
                          (['-m', 'vmaf_v0.6.1neg:name=neg', '-m', 'vmaf_4k_v0.6.1'], ['neg', 'vmaf'])):
        p = run([env.vmafx, 'score', '-q', '-r', ref, '-d', dis, *models, '--json', '-o', '-'])
        printed = [ln.split(': ')[0] for ln in p.stderr.splitlines() if ': ' in ln and not ln.startswith('vmafx')]
        report = json.loads(p.stdout)
        assert printed == names, (models, p.stderr)
        assert all(n in report['pooled_metrics'] for n in names), sorted(report['pooled_metrics'])


def model_keys(doc):
    return sorted(doc['frames'][0]['metrics']) if doc['frames'] else []


def test_no_prediction(env):
    """-n: no model scores; without -m and --feature no features at all (libvmaf writes empty
    frames); with -m the model's features (with its options); --feature alone adds only that."""
    d = scratch(env, 'n')
    alone, _ = score(env, os.path.join(d, 'alone.json'), '-n')
    assert alone['frames'] == [] and alone['pooled_metrics'] == {}, alone
    psnr, _ = score(env, os.path.join(d, 'psnr.json'), '-n', '--feature', 'psnr')
    assert model_keys(psnr) == ['psnr_cb', 'psnr_cr', 'psnr_y'], model_keys(psnr)
    neg, _ = score(env, os.path.join(d, 'neg.json'), '-n', '-m', 'version=vmaf_v0.6.1neg')
    full = json.load(open(golden(env, 'vmaf_v0.6.1neg.json')))
    assert model_keys(neg) == sorted(k for k in full['frames'][0]['metrics'] if k != 'vmaf'), model_keys(neg)
    if not os.path.exists(LIBVMAF):
        raise Skip(f'{LIBVMAF} not built: checked against the goldens only')
    ref, dis = pair_files(env, PAIR)
    for args in (['-n'], ['-n', '--feature', 'psnr'], ['-n', '-m', 'version=vmaf_v0.6.1neg']):
        theirs = os.path.join(d, 'libvmaf.json')
        run([LIBVMAF, '-q', '-r', ref, '-d', dis, *args, '--json', '-o', theirs])
        ours = os.path.join(d, 'ours.json')
        score(env, ours, *args)
        compare_json(theirs, ours, ' '.join(args))


def test_unknown_names_list_the_valid_ones(env):
    """Issue 16 item 9: an unknown model or feature is refused with the names that exist."""
    ref, dis = pair_files(env, PAIR)
    for args, needles in ((['-m', 'vmaf_v9'], ("'vmaf_v9'", 'vmaf_v0.6.1neg', 'vmaf_b_v0.6.3')),
                          (['--feature', 'cambi_x'], ("'cambi_x'", 'cambi', 'psnr_hvs', 'float_vif'))):
        p = run([env.vmafx, 'score', '-q', '-r', ref, '-d', dis, *args], check=False)
        lines = [ln for ln in p.stderr.splitlines() if ln.strip()]
        assert p.returncode != 0 and len(lines) == 1, p.stderr
        for n in needles:
            assert n in lines[0], (n, lines[0])


def test_models_command(env):
    """`vmafx models` lists what -m, --feature and the presets accept; --json is GET /v1/models."""
    text = run([env.vmafx, 'models']).stdout
    cat = json.loads(run([env.vmafx, 'models', '--json']).stdout)
    for m in cat['models']:
        assert m['name'] in text and m.get('available', True), m['name']
    for f in cat['features']:
        assert f'  {f["name"]} ' in text, f['name']
    assert {(p['option'], p['version']) for p in cat['presets']} == \
        {('aom_ctc', f'v{i}.0') for i in range(1, 8)} | {('nflx_ctc', 'v1.0')}
    assert '--aom_ctc v7.0' in text and 'float_ssim=scale=1' in text
    assert run([env.vmafx, 'models', '--bogus'], check=False).returncode == 2


def test_bootstrap_terminal_line(env):
    """A bootstrap model's terminal line is libvmaf's: the bagging score, ci.p95 and stddev,
    each the pooled mean of the report's vmaf_bagging, vmaf_ci_p95_lo/hi and vmaf_stddev."""
    d = scratch(env, 'bootstrap')
    _, p = score(env, os.path.join(d, 'b.json'), '-m', 'version=vmaf_b_v0.6.3')
    g = json.load(open(golden(env, 'vmaf_b_v0.6.3.json')))['pooled_metrics']
    want = 'vmaf: %f, ci.p95: [%f, %f], stddev: %f' % tuple(
        g['vmaf_' + k]['mean'] for k in ('bagging', 'ci_p95_lo', 'ci_p95_hi', 'stddev'))
    assert want in p.stdout + p.stderr, (want, p.stdout, p.stderr)
