"""Conformance: every golden file of ../shared/conformance, reproduced by running the command
that made it (golden/COMMANDS.txt) with vmafx in place of libvmaf's tools.
  vmaf_dump lines -> build/tests/vmafx-dump: every per-frame feature incl. per-scale VIF/ADM
                     numerators/denominators, bit-exact (%.17g strings equal)
  vmaf lines      -> vmafx (same flags): JSON by metric name digit for digit (float SSIM
                     features within 1e-6); XML/CSV/SUB text equal except version and fps"""
import os, shlex
from vmafx_testlib import run, pairs, pair_files, compare_tsv, compare_json, compare_text

# the sanitizer build runs these pairs only (all features, all formats, 8/10/12-bit, odd size)
QUICK = {'testsrc2_576x324_crf35', 'testsrc2_576x324_p10_crf35', 'testsrc2_301x173_444_crf35',
         'clouds_176x144_p12_x265crf30', 'testsrc2_320x240_2frames_crf35', 'clouds_320x240_1frame_crf40'}


def commands(env, pair):
    path = os.path.join(env.shared, 'conformance', pair, 'golden', 'COMMANDS.txt')
    for line in open(path):
        line = line.strip()
        if line.startswith('vmaf ') or line.startswith('vmaf_dump '):
            yield shlex.split(line)


def check_command(env, pair, argv):
    ref, dis = pair_files(env, pair)
    out_dir = os.path.join(env.scratch, 'conformance', pair)
    os.makedirs(out_dir, exist_ok=True)
    subst = {'ref.y4m': ref, 'dis.y4m': dis}
    golden = next(a for a in argv if a.startswith('golden/'))
    ours = os.path.join(out_dir, os.path.basename(golden))
    golden = os.path.join(env.shared, 'conformance', pair, golden)
    args = [subst.get(a, ours if a.startswith('golden/') else a) for a in argv[1:]]
    if os.path.exists(ours):
        os.unlink(ours)
    label = f'{pair}/{os.path.basename(golden)}'
    if argv[0] == 'vmaf_dump':
        run([env.dump] + args)
        compare_tsv(golden, ours, label)
    else:
        run([env.vmafx] + args)
        if golden.endswith('.json'):
            compare_json(golden, ours, label)
        else:
            compare_text(golden, ours, label)


def cases(env):
    for pair in pairs(env):
        if env.quick and pair not in QUICK:
            continue
        for argv in commands(env, pair):
            name = os.path.basename(next(a for a in argv if a.startswith('golden/')))
            yield f'{pair}/{name}', (lambda p=pair, a=argv: check_command(env, p, a))
