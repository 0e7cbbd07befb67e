"""Issue 16 item 11: PSNR has two poolings. vmafx's report (as libvmaf's) pools psnr_y as the
mean of per-frame dB; FFmpeg's psnr filter summary averages the MSE first. With
--feature psnr=enable_apsnr=true the report carries libvmaf's aggregate apsnr_y/cb/cr (the
summed error over the clip), which must equal FFmpeg's summary, and vmafx score prints both
poolings side by side. Checked against the ffmpeg binary when there is one, else against the
MSE pooled from the report's own per-frame values."""
import json, math, re, shutil
from vmafx_testlib import pair_files, run

PAIRS = ('testsrc2_576x324_crf35', 'testsrc2_576x324_p10_crf35')


def ffmpeg_summary(ref, dis):
    p = run(['ffmpeg', '-nostdin', '-hide_banner', '-i', dis, '-i', ref, '-lavfi', 'psnr', '-f', 'null', '-'])
    m = re.search(r'PSNR y:([0-9.]+) u:([0-9.]+) v:([0-9.]+)', p.stderr)
    assert m, p.stderr[-500:]
    return [float(x) for x in m.groups()]


def from_frames(rep, bpc):
    """MSE-pooled dB from the per-frame dB values (the peak cancels out)."""
    out = []
    for plane in ('psnr_y', 'psnr_cb', 'psnr_cr'):
        v = [f['metrics'][plane] for f in rep['frames']]
        out.append(-10 * math.log10(sum(10 ** (-x / 10) for x in v) / len(v)))
    return out


def cases(env):
    for pair in PAIRS:
        def check(pair=pair):
            ref, dis = pair_files(env, pair)
            p = run([env.vmafx, 'score', '-q', '-r', ref, '-d', dis, '--feature', 'psnr=enable_apsnr=true', '--json',
                     '-o', '-'])
            text = p.stdout
            rep = json.loads(text[:text.rindex('}') + 1])
            agg = [rep['aggregate_metrics'][k] for k in ('apsnr_y', 'apsnr_cb', 'apsnr_cr')]
            if shutil.which('ffmpeg'):
                want, tol = ffmpeg_summary(ref, dis), 1.5e-6          # FFmpeg prints 6 decimals
            else:
                want, tol = from_frames(rep, 8), 1e-3                 # per-frame values are rounded
            for name, a, w in zip(('y', 'cb', 'cr'), agg, want):
                assert abs(a - w) <= tol, f'{pair} apsnr_{name}: {a} vs {w}'
            mean = rep['pooled_metrics']['psnr_y']['mean']
            assert mean > agg[0], (mean, agg[0])     # the mean of dB is above the dB of the mean MSE
            # both poolings on the terminal (the report goes to stdout here, so they go to stderr)
            line = next((l for l in p.stderr.splitlines() if l.startswith('psnr_y:')), '')
            assert f'psnr_y: {mean:.6f} (mean of frames)' in line and f'apsnr_y: {agg[0]:.6f} (MSE-pooled' in line, \
                p.stderr
        yield pair, check


def test_plain_psnr_unchanged(env):
    """Without enable_apsnr nothing is added: the report stays libvmaf's, and no extra line."""
    ref, dis = pair_files(env, PAIRS[0])
    p = run([env.vmafx, 'score', '-q', '-r', ref, '-d', dis, '--feature', 'psnr', '--json', '-o', '-'])
    rep = json.loads(p.stdout[:p.stdout.rindex('}') + 1])
    assert rep.get('aggregate_metrics', {}) == {}, rep.get('aggregate_metrics')
    assert 'MSE-pooled' not in p.stderr, p.stderr
