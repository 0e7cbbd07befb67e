"""CAMBI beyond the conformance goldens: bit depths the goldens do not cover (12- and 16-bit
made from the 10-bit pair, which libvmaf converts back to exactly the same 10-bit samples),
heat maps (libvmaf's file names and sizes, contents consistent with the golden scores),
option names and values against libvmaf 3.2.0 itself where its binary is at hand, and
refusals that name the option or the reason."""
import array, json, os, shutil
from vmafx_testlib import Skip, run, pair_files, compare_json

P10 = 'testsrc2_576x324_p10_crf35'
P8 = 'testsrc2_576x324_crf35'
LIBVMAF = os.environ.get('VMAFX_LIBVMAF', '/work/ref/libvmaf/build/tools/vmaf')

# option sets whose names and values are compared with libvmaf's (names: sorted options with
# their aliases, as a model's feature_opts_dicts would make them)
OPTION_SETS = (
    'eotf=pq',
    'cambi_eotf=pq:topk=0.5:window_size=33',
    'cambi_high_res_speedup=1080:cambi_max_val=17:cambi_vis_lum_threshold=0.06',
    'enc_bitdepth=8:tvi_threshold=0.01:max_log_contrast=3:cambi_topk=0.3',
    'full_ref=true:src_width=400:src_height=300:enc_width=288:enc_height=200',
    'max_log_contrast=5:cambi_vis_lum_threshold=20:window_size=127',
)


def scratch(env, *parts):
    path = os.path.join(env.scratch, 'cambi', *parts)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    return path


def shifted_y4m(src, dst, bits):
    """A copy of a 10-bit y4m with every sample shifted up to `bits` bits."""
    data = open(src, 'rb').read()
    end = data.index(b'\n')
    header = data[:end].replace(b'C420p10', b'C420p%d' % bits).replace(b'420P10', b'420P%d' % bits)
    w = int(next(t[1:] for t in header.split() if t.startswith(b'W')))
    h = int(next(t[1:] for t in header.split() if t.startswith(b'H')))
    size = (w * h + 2 * ((w + 1) // 2) * ((h + 1) // 2)) * 2
    out, pos = [header + b'\n'], end + 1
    while pos < len(data):
        line = data.index(b'\n', pos) + 1
        out.append(data[pos:line])
        samples = array.array('H')
        samples.frombytes(data[line:line + size])
        out.append(array.array('H', (s << (bits - 10) for s in samples)).tobytes())
        pos = line + size
    with open(dst, 'wb') as f:
        f.write(b''.join(out))


def score(env, ref, dis, feature, out, extra=()):
    run([env.vmafx, 'score', '-q', '-r', ref, '-d', dis, '--feature', feature, '--json', '-o', out]
        + list(extra))
    return json.load(open(out))


def check_bit_depth(env, bits):
    ref10, dis10 = pair_files(env, P10)
    ref, dis = scratch(env, f'ref{bits}.y4m'), scratch(env, f'dis{bits}.y4m')
    if not os.path.exists(dis):
        shifted_y4m(ref10, ref, bits)
        shifted_y4m(dis10, dis, bits)
    golden = os.path.join(env.shared, 'conformance', P10, 'golden', 'cambi_full_ref.json')
    ours = score(env, ref, dis, 'cambi=full_ref=true:enc_width=480:enc_height=270',
                 scratch(env, f'p{bits}.json'))
    g = json.load(open(golden))
    for gf, of in zip(g['frames'], ours['frames']):
        for k, v in gf['metrics'].items():
            if 'cambi' in k:
                assert of['metrics'][k] == v, f'{bits}-bit frame {gf["frameNum"]} {k}: {of["metrics"][k]}, 10-bit golden {v}'


def map_files(w, h):
    names = []
    for s in range(5):
        names.append((f'cambi_heatmap_scale_{s}_{w}x{h}_16b.gray', w, h))
        w, h = (w + 1) // 2, (h + 1) // 2
    return names


def check_heatmaps(env):
    """Per frame, the score recomputed from the 16-bit maps (c-values truncated to 1/scaling)
    must come within their quantisation of the golden CAMBI score."""
    ref, dis = pair_files(env, P8)
    out = scratch(env, 'maps', 'x')
    shutil.rmtree(os.path.dirname(out), ignore_errors=True)
    score(env, ref, dis, f'cambi=heatmaps_path={os.path.dirname(out)}/sub', scratch(env, 'maps.json'),
          ['--threads', '2'])
    golden = json.load(open(os.path.join(env.shared, 'conformance', P8, 'golden', 'cambi.json')))
    frames = len(golden['frames'])
    window = 9                                      # 576x324: 65 * 900 / 375 >> 4 | 1
    scaling = 65535 / (4 * window * window // 4)    # weight 4 for the 4 contrasts
    maps = []
    for name, w, h in map_files(576, 324):
        path = os.path.join(os.path.dirname(out), 'sub', name)
        assert os.path.getsize(path) == frames * w * h * 2, f'{name}: {os.path.getsize(path)} bytes'
        a = array.array('H')
        a.frombytes(open(path, 'rb').read())
        maps.append((a, w * h))
    for n, fr in enumerate(golden['frames']):
        total = 0.0
        for s, (a, size) in enumerate(maps):
            c = sorted((v / scaling for v in a[n * size:(n + 1) * size]), reverse=True)
            k = max(1, int(0.6 * size))
            total += sum(c[:k]) / k * (16 >> s)
        ours, want = total / (window * window), fr['metrics']['cambi']
        assert abs(ours - want) <= 31 / scaling / (window * window) + 1e-6, \
            f'frame {n}: maps give {ours}, golden cambi {want}'


def check_heatmaps_libvmaf(env):
    if not os.access(LIBVMAF, os.X_OK):
        raise Skip(f'no libvmaf binary at {LIBVMAF} (set VMAFX_LIBVMAF)')
    ref, dis = pair_files(env, P8)
    root = os.path.dirname(scratch(env, 'maps_lib', 'x'))
    shutil.rmtree(root, ignore_errors=True)
    for who, cmd in (('vmafx', [env.vmafx, 'score']), ('libvmaf', [LIBVMAF])):
        run(cmd + ['-q', '-r', ref, '-d', dis, '--feature',
                   f'cambi=heatmaps_path={root}/{who}:full_ref=true:cambi_high_res_speedup=1080',
                   '-o', os.devnull])
    for name, _, _ in map_files(576, 324):
        a, b = (open(os.path.join(root, who, name), 'rb').read() for who in ('vmafx', 'libvmaf'))
        assert a == b, f'{name} differs from libvmaf\'s'


def check_options_libvmaf(env):
    if not os.access(LIBVMAF, os.X_OK):
        raise Skip(f'no libvmaf binary at {LIBVMAF} (set VMAFX_LIBVMAF)')
    for pair in ('testsrc2_301x173_444_crf35', P10):
        ref, dis = pair_files(env, pair)
        for i, opts in enumerate(OPTION_SETS):
            lib, ours = scratch(env, f'lib-{pair}-{i}.json'), scratch(env, f'ours-{pair}-{i}.json')
            run([LIBVMAF, '-q', '-r', ref, '-d', dis, '--feature', f'cambi={opts}', '--json', '-o', lib])
            score(env, ref, dis, f'cambi={opts}', ours)
            compare_json(lib, ours, f'{pair} cambi={opts}')


def check_refusals(env):
    ref, dis = pair_files(env, P8)
    for opts, words in (('eotf=hlg', "'hlg' is not one of bt1886, pq"),
                        ('window_size=200', 'window_size=200 out of range'),
                        ('enc_width=100', 'enc_width=100 out of range'),
                        ('no_such_option=1', "unknown option 'no_such_option'")):
        p = run([env.vmafx, 'score', '-q', '-r', ref, '-d', dis, '--feature', f'cambi={opts}',
                 '-o', os.devnull], check=False)
        assert p.returncode != 0, f'cambi={opts} accepted'
        lines = [l for l in p.stderr.splitlines() if l.strip()]
        assert len(lines) == 1 and words in lines[0], f'cambi={opts}: {p.stderr.strip()}'


def cases(env):
    yield '12-bit', lambda: check_bit_depth(env, 12)
    yield '16-bit', lambda: check_bit_depth(env, 16)
    yield 'heatmaps', lambda: check_heatmaps(env)
    yield 'heatmaps_vs_libvmaf', lambda: check_heatmaps_libvmaf(env)
    yield 'options_vs_libvmaf', lambda: check_options_libvmaf(env)
    yield 'refusals', lambda: check_refusals(env)
