"""Helpers shared by the test modules: running programs, decompressing conformance pairs,
comparing libvmaf reports value by value."""
import json, lzma, os, re, shutil, subprocess


class Skip(Exception):
    """Raised by a case that checked nothing on this machine or in this run (the runner counts
    it as skipped, never as passed); the message says why."""


def run(cmd, check=True, timeout=900, **kw):
    """Runs cmd; returns CompletedProcess with text stdout/stderr."""
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, **kw)
    if check and p.returncode != 0:
        raise AssertionError(f'{" ".join(map(str, cmd))} exited {p.returncode}: {p.stderr.strip()[-800:]}')
    return p


def pairs(env):
    root = os.path.join(env.shared, 'conformance')
    return sorted(d for d in os.listdir(root) if os.path.isdir(os.path.join(root, d, 'golden')))


def pair_files(env, pair):
    """Decompressed ref.y4m/dis.y4m of a pair, cached under the build folder."""
    src = os.path.join(env.shared, 'conformance', pair)
    dst = os.path.join(env.build, 'conformance-cache', pair)
    os.makedirs(dst, exist_ok=True)
    out = []
    for stem in ('ref', 'dis'):
        path = os.path.join(dst, stem + '.y4m')
        if not os.path.exists(path):
            with lzma.open(os.path.join(src, stem + '.y4m.xz')) as fi, open(path + '.part', 'wb') as fo:
                shutil.copyfileobj(fi, fo, 1 << 22)
            os.rename(path + '.part', path)
        out.append(path)
    return out


# libvmaf prints these internal names under aliases (the golden .tsv files use internal names)
_ALIASED = {'adm2', 'aim', 'adm3', 'motion', 'motion2', 'motion3',
            'vif_scale0', 'vif_scale1', 'vif_scale2', 'vif_scale3'}


def alias(name):
    m = re.fullmatch(r'VMAF_integer_feature_(.*)_score', name)
    return 'integer_' + m.group(1) if m and m.group(1) in _ALIASED else name


def read_tsv(path):
    rows, pooled = {}, None
    with open(path) as f:
        header = f.readline().rstrip('\n').split('\t')
        for line in f:
            parts = line.rstrip('\n').split('\t')
            if parts[0] == '#pooled_mean':
                pooled = parts[1]
                continue
            rows[int(parts[0])] = {alias(h): v for h, v in zip(header[1:], parts[1:]) if v != ''}
    return rows, pooled


def compare_tsv(golden, ours, label):
    """Every golden value must be present and identical as a %.17g string."""
    g, gp = read_tsv(golden)
    o, op = read_tsv(ours)
    errors = []
    if set(g) != set(o):
        errors.append(f'frames differ: golden {len(g)}, ours {len(o)}')
    for fr in sorted(g):
        for name, gv in g[fr].items():
            ov = o.get(fr, {}).get(name)
            if ov != gv:
                errors.append(f'frame {fr} {name}: golden {gv}, ours {ov}')
    if gp != op:
        errors.append(f'pooled mean: golden {gp}, ours {op}')
    if errors:
        raise AssertionError(f'{label}: {len(errors)} differences; first: ' + '; '.join(errors[:3]))


FLOAT_SSIM = ('float_ssim', 'float_ms_ssim')


def _close(name, gv, ov):
    if gv == ov:
        return True
    if name.startswith(FLOAT_SSIM) and gv is not None and ov is not None:
        return abs(float(gv) - float(ov)) <= 1e-6 + 1e-12
    return False


def compare_json(golden, ours, label):
    """Per frame and pooled, by metric name, digit for digit (float SSIM: within 1e-6)."""
    g = json.load(open(golden), parse_float=str)
    o = json.load(open(ours), parse_float=str)
    errors = []
    gf = {fr['frameNum']: fr['metrics'] for fr in g['frames']}
    of = {fr['frameNum']: fr['metrics'] for fr in o['frames']}
    if list(gf) != list(of):
        errors.append(f'frame numbers differ: golden {list(gf)[:5]}..., ours {list(of)[:5]}...')
    for n, gm in gf.items():
        om = of.get(n, {})
        if set(gm) != set(om):
            errors.append(f'frame {n}: metric names differ: {sorted(set(gm) ^ set(om))}')
        for k, gv in gm.items():
            if not _close(k, gv, om.get(k)):
                errors.append(f'frame {n} {k}: golden {gv}, ours {om.get(k)}')
    gp, op = g['pooled_metrics'], o['pooled_metrics']
    if set(gp) != set(op):
        errors.append(f'pooled metric names differ: {sorted(set(gp) ^ set(op))}')
    for k, stats in gp.items():
        for s, gv in stats.items():
            ov = op.get(k, {}).get(s)
            if not _close(k, gv, ov):
                errors.append(f'pooled {k}.{s}: golden {gv}, ours {ov}')
    if g.get('aggregate_metrics') != o.get('aggregate_metrics'):
        errors.append('aggregate_metrics differ')
    if errors:
        raise AssertionError(f'{label}: {len(errors)} differences; first: ' + '; '.join(errors[:3]))


def normalise_text(text):
    """Blanks the fields that are not results: version and fps."""
    text = re.sub(r'<VMAF version="[^"]*">', '<VMAF version="">', text)
    return re.sub(r'<fyi fps="[^"]*" />', '<fyi fps="" />', text)


def compare_text(golden, ours, label):
    g = normalise_text(open(golden).read()).splitlines()
    o = normalise_text(open(ours).read()).splitlines()
    for i, (a, b) in enumerate(zip(g, o)):
        if a != b:
            raise AssertionError(f'{label}: line {i + 1} differs:\n  golden {a[:300]}\n  ours   {b[:300]}')
    if len(g) != len(o):
        raise AssertionError(f'{label}: golden has {len(g)} lines, ours {len(o)}')
