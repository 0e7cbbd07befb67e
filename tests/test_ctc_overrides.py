"""libvmaf 3.2.0's presets (--aom_ctc, --nflx_ctc) and per-model feature overrides
(-m version=NAME:EXTRACTOR.OPTION=VALUE) beyond what the conformance goldens show: libvmaf's
refusals, common_bitdepth, the override against libvmaf's own C path, and both through the job
API and a node (validated at submit, listed by GET /v1/models). test_conformance_v32.py
replays the goldens themselves."""
import json, os, shutil, struct

from vmafx_testlib import Skip, pair_files, run, compare_json

SMALL = 'testsrc2_320x240_2frames_crf35'
LIBVMAF = '/work/ref/libvmaf/build/tools/vmaf'
OVERRIDE = 'version=vmaf_v0.6.1:vif.vif_enhn_gain_limit=1.0:adm.adm_enhn_gain_limit=1.2'


def scratch(env, name):
    d = os.path.join(env.scratch, 'ctc', name)
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(d)
    return d


def score(env, out, *args):
    run([env.vmafx, 'score', '-q', *args, '--json', '-o', out])
    return json.load(open(out))


def refused(env, args, *needles):
    p = run([env.vmafx, 'score', '-q', *args], check=False)
    assert p.returncode != 0, f'accepted: {args}'
    lines = [ln for ln in p.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1, f'expected one line, got {p.stderr!r}'
    for n in needles:
        assert n in lines[0], f'{n!r} not in {lines[0]!r}'


def test_preset_refusals_as_libvmaf(env):
    ref, dis = pair_files(env, SMALL)
    io = ['-r', ref, '-d', dis]
    refused(env, io + ['--aom_ctc', 'proposed'], 'deprecated')
    refused(env, io + ['--aom_ctc', 'v8.0'], "'v8.0'", 'v7.0')
    refused(env, io + ['--nflx_ctc', 'v2.0'], "'v2.0'", 'v1.0')
    # the preset's models are named vmaf and vmaf_neg: a -m without name= is also "vmaf"
    refused(env, io + ['--aom_ctc', 'v1.0', '-m', 'version=vmaf_v0.6.1'], "two models named 'vmaf'")
    refused(env, io + ['--aom_ctc', 'v1.0', '--nflx_ctc', 'v1.0'], 'two models named')


def test_preset_with_named_model_and_replaced_feature(env):
    """libvmaf appends the preset to what the command names; v7.0 replaces float_ssim."""
    ref, dis = pair_files(env, SMALL)
    d = scratch(env, 'named')
    a = score(env, os.path.join(d, 'a.json'), '-r', ref, '-d', dis, '--aom_ctc', 'v7.0', '-m',
              'version=vmaf_4k_v0.6.1:name=k4', '--feature', 'float_ssim')
    b = score(env, os.path.join(d, 'b.json'), '-r', ref, '-d', dis, '--aom_ctc', 'v7.0')
    m = a['frames'][0]['metrics']
    assert 'k4' in m and 'vmaf' in m and 'vmaf_neg' in m, sorted(m)
    assert m['float_ssim'] == b['frames'][0]['metrics']['float_ssim']   # in dB, scale=1: the preset's


def y4m_widened(src, dst, bits):
    """The 8-bit 4:2:0 y4m src as a bits-deep y4m (samples shifted left)."""
    data = open(src, 'rb').read()
    nl = data.index(b'\n')
    head = data[:nl].replace(b'C420jpeg', b'C420p%d' % bits).replace(b'C420 ', b'C420p%d ' % bits)
    assert head != data[:nl], head
    out = [head + b'\n']
    for part in data[nl + 1:].split(b'FRAME\n')[1:]:
        out.append(b'FRAME\n' + struct.pack(f'<{len(part)}H', *(x << (bits - 8) for x in part)))
    open(dst, 'wb').write(b''.join(out))


def test_common_bitdepth(env):
    """v6.0 and later compare an 8-bit and a 10-bit input at 10 bits (the 8-bit one widened);
    without common_bitdepth, as in libvmaf, the depths must agree."""
    ref, dis = pair_files(env, SMALL)
    d = scratch(env, 'depth')
    dis10, ref10 = os.path.join(d, 'dis10.y4m'), os.path.join(d, 'ref10.y4m')
    y4m_widened(dis, dis10, 10)
    y4m_widened(ref, ref10, 10)
    refused(env, ['-r', ref, '-d', dis10, '--aom_ctc', 'v5.0'], 'differ', '8-bit', '10-bit')
    mixed = score(env, os.path.join(d, 'mixed.json'), '-r', ref, '-d', dis10, '--aom_ctc', 'v6.0')
    both = score(env, os.path.join(d, 'both.json'), '-r', ref10, '-d', dis10, '--aom_ctc', 'v6.0')
    assert mixed['frames'] == both['frames'] and mixed['pooled_metrics'] == both['pooled_metrics']


def has_avx512():
    flags = open('/proc/cpuinfo').read()
    return all(f in flags for f in ('avx512f', 'avx512bw', 'avx512dq', 'avx512vl'))


def test_fractional_gain_limit_as_libvmaf_goldens(env):
    """With a non-integer adm_enhn_gain_limit libvmaf's AVX-512 ADM (which made the goldens)
    rounds restored*limit where its C code truncates (adm_kernels.h): every vmafx level gives
    the golden, and libvmaf's own AVX-512 path for other limits too."""
    d = scratch(env, 'egl')
    for pair in ('testsrc2_576x324_crf35', 'clouds_176x144_p12_x265crf30', 'testsrc2_301x173_444_crf35'):
        ref, dis = pair_files(env, pair)
        gold = os.path.join(env.shared, 'conformance', pair, 'golden', 'override_vif_egl.json')
        ours = os.path.join(d, f'{pair}.json')
        for cpu in ('scalar', 'avx2', 'avx512', 'auto'):
            score(env, ours, '-r', ref, '-d', dis, '-m', OVERRIDE, '--cpu', cpu)
            compare_json(gold, ours, f'{pair} --cpu {cpu}')
    if not os.path.exists(LIBVMAF) or not has_avx512():
        raise Skip('libvmaf or AVX-512 missing: checked against the goldens only')
    ref, dis = pair_files(env, 'testsrc2_576x324_crf35')
    other = 'version=vmaf_v0.6.1:vif.vif_enhn_gain_limit=1.3:adm.adm_enhn_gain_limit=2.5'
    theirs = os.path.join(d, 'libvmaf.json')
    run([LIBVMAF, '-q', '-r', ref, '-d', dis, '-m', other, '--json', '-o', theirs])
    for cpu in ('scalar', 'auto'):
        score(env, ours, '-r', ref, '-d', dis, '-m', other, '--cpu', cpu)
        compare_json(theirs, ours, f'libvmaf AVX-512, --cpu {cpu}')


def test_override_semantics(env):
    ref, dis = pair_files(env, SMALL)
    d = scratch(env, 'ovr')
    io = ['-r', ref, '-d', dis]
    neg = score(env, os.path.join(d, 'neg.json'), *io, '-m', 'version=vmaf_v0.6.1neg')
    # repeated and later-wins, as libvmaf merges them; an extractor the model lacks is ignored
    same = score(env, os.path.join(d, 'same.json'), *io, '-m', 'version=vmaf_v0.6.1:adm.adm_enhn_gain_limit=5'
                 ':vif.vif_enhn_gain_limit=1:adm.adm_enhn_gain_limit=1:float_vif.vif_enhn_gain_limit=2')
    assert same['frames'] == neg['frames'], 'the neg model is vmaf_v0.6.1 with both gain limits at 1'
    refused(env, io + ['-m', 'version=vmaf_v0.6.1:adm.no_such_option=1'], 'no_such_option')
    refused(env, io + ['-m', 'version=vmaf_v0.6.1:adm.adm_enhn_gain_limit=0.5'], 'adm_enhn_gain_limit')
    refused(env, io + ['-m', 'version=vmaf_v0.6.1:colour=1'], "unknown key 'colour'")


def test_cpumask_levels(env):
    """--cpumask as libvmaf takes it (bits forbid instruction sets); every level the same."""
    ref, dis = pair_files(env, SMALL)
    d = scratch(env, 'cpumask')
    base = score(env, os.path.join(d, 'base.json'), '-r', ref, '-d', dis, '--cpu', 'scalar')
    for mask in ('0', '32', '48', '56', '255', '0x38'):
        got = score(env, os.path.join(d, f'm{mask}.json'), '-r', ref, '-d', dis, '--cpumask', mask, '--gpumask', '1')
        assert got['frames'] == base['frames'], mask
    refused(env, ['-r', ref, '-d', dis, '--cpumask', 'avx2'], '--cpumask', 'avx2')


def test_jobs_with_preset_and_override(env):
    from controller_testlib import Cluster
    ref, dis = pair_files(env, SMALL)
    with Cluster(env, 'ctc-jobs') as c:
        c.controller()
        c.node('n1')
        api = c.api()
        cat = api.ok('GET', '/v1/models')
        presets = {(p['option'], p['version']): p for p in cat['presets']}
        assert len(presets) == 8 and presets[('aom_ctc', 'v7.0')]['common_bitdepth'] is True, presets.keys()
        assert 'cambi' in presets[('nflx_ctc', 'v1.0')]['features']
        base = {'reference_uri': ref, 'distorted_uri': dis}
        for body, field, word in ((dict(base, options={'aom_ctc': 'v9.0'}), 'options.aom_ctc', 'v9.0'),
                                  (dict(base, options={'aom_ctc': 'v1.0'}, models=['vmaf_v0.6.1']), 'options.aom_ctc',
                                   "two models named 'vmaf'"),
                                  (dict(base, models=['version=vmaf_v0.6.1:adm.nope=1']), 'models[0]', 'nope'),
                                  (dict(base, models=['vmaf_v0.6.1', 'vmaf_v0.6.1neg']), 'models[1]', 'two models')):
            st, obj, _ = api.call('POST', '/v1/jobs', body)
            assert st == 400 and obj['field'] == field and word in obj['error'], (body, st, obj)
        cases = [({'options': {'aom_ctc': 'v7.0'}}, ['--aom_ctc', 'v7.0']),
                 ({'options': {'nflx_ctc': 'v1.0'}}, ['--nflx_ctc', 'v1.0']),
                 ({'models': [OVERRIDE]}, ['-m', OVERRIDE])]
        jobs = [(api.submit(ref, dis, **fields), flags) for fields, flags in cases]
        for jid, flags in jobs:
            j = api.wait_status(jid, ('completed', 'failed'), timeout=120)
            assert j['status'] == 'completed', j
            st, body, _ = api.call('GET', f'/v1/jobs/{jid}/frames?format=json', raw=True)
            assert st == 200
            d = scratch(env, f'job-{jid}')
            job_report = os.path.join(d, 'job.json')
            open(job_report, 'wb').write(body)
            cli = os.path.join(d, 'cli.json')
            score(env, cli, '-r', ref, '-d', dis, *flags)
            compare_json(cli, job_report, f'job {flags}')
            if 'aom_ctc' in flags:
                assert set(j['pooled_metrics']) >= {'vmaf', 'vmaf_neg', 'ciede2000', 'psnr_hvs', 'cambi'}, j
        # the client prints the model by the name the report keys it under
        p = run([env.vmafx, 'submit', '--controller', f'http://127.0.0.1:{c.port}', '-r', ref, '-d', dis,
                 '--nflx_ctc', 'v1.0', '--wait', '-q'])
        names = [ln.split(': ')[0] for ln in p.stdout.splitlines() if ': ' in ln]   # after the job id
        assert names == ['vmaf', 'vmaf_neg'], p.stdout
        assert 'model="vmaf_neg"' in api.metrics()
        assert c.ctl.stop() == 0
