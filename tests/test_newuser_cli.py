"""What a new user hit with `vmafx score` and the client commands (issue 16): late failures,
report file modes and formats, and the option syntax. Each case runs the issue's command and
fails on the behaviour it reported."""
import json, os, shutil, stat, subprocess
from vmafx_testlib import run, pair_files

SMALL = 'testsrc2_320x240_2frames_crf35'   # 2 frames of 320x240 4:2:0 8-bit


def scratch(env, name):
    d = os.path.join(env.scratch, 'newuser-cli', name)
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(d)
    return d


def error_line(p):
    lines = [l for l in p.stderr.splitlines() if l.startswith('vmafx: error:')]
    assert p.returncode != 0 and len(lines) == 1, (p.returncode, p.stderr)
    return lines[0]


def raw_pair(env, d, ten_bit=False):
    """The SMALL pair as raw .yuv files (8-bit, or as 10-bit little-endian samples, x4)."""
    out = []
    for path in pair_files(env, SMALL):
        data = open(path, 'rb').read()
        head = data[:data.index(b'\n') + 1]
        raw = b''.join(data[len(head):].split(b'FRAME\n')[1:])
        if ten_bit:
            raw = bytes(x for b in raw for x in ((b << 2) & 0xff, b >> 6))
        name = os.path.join(d, os.path.basename(path).replace('.y4m', '10.yuv' if ten_bit else '.yuv'))
        with open(name, 'wb') as f:
            f.write(raw)
        out.append(name)
    return out


# ---- item 6: late failures -----------------------------------------------------------------

def test_output_folder_checked_before_scoring(env):
    """`-o /nonexistent/dir/r.json` failed only after the whole clip was scored. A clip that
    never ends (a FIFO nobody writes) shows whether the check comes first."""
    d = scratch(env, 'outdir')
    ref, _ = pair_files(env, SMALL)
    fifo = os.path.join(d, 'never.y4m')
    os.mkfifo(fifo)
    p = run([env.vmafx, 'score', '-q', '-r', ref, '-d', fifo, '-o', '/nonexistent/dir/r.json'],
            check=False, timeout=20)
    line = error_line(p)
    assert '/nonexistent/dir' in line and 'No such file' in line, line
    p = run([env.vmafx, 'score', '-q', '-r', ref, '-d', fifo, '-o', d], check=False, timeout=20)
    assert 'is a folder' in error_line(p)


def test_raw_size_checked_against_geometry(env):
    """Raw .yuv with the wrong -w/-h failed at some frame with 'the file is cut short'."""
    d = scratch(env, 'rawsize')
    ref, dis = raw_pair(env, d)
    p = run([env.vmafx, 'score', '-q', '-r', ref, '-d', dis, '-w', '352', '-h', '288', '-p', '420', '-b', '8'],
            check=False)
    line = error_line(p)
    assert ('size 230,400 is not a multiple of the 152,064-byte frame of 352x288 4:2:0 8-bit: wrong -w/-h/-p/-b?'
            in line and 'ref.yuv' in line), line


def test_raw_bit_depth_mismatch_warned(env):
    """-b 10 on 8-bit data (and -b 8 on 10-bit data) scored without a word when the size fit;
    now a warning says so at open (and -b 10 then stops at the first sample above 1023)."""
    d = scratch(env, 'rawdepth')
    ref8, dis8 = raw_pair(env, d)
    ref10, dis10 = raw_pair(env, d, ten_bit=True)
    geo = ['-w', '320', '-h', '240', '-p', '420']
    # 8-bit data read as 10-bit has samples above 1023: refused, after the warning's hint
    p = run([env.vmafx, 'score', '-q', '-r', ref8, '-d', dis8, '-b', '10'] + geo, check=False)
    assert 'vmafx: warning:' in p.stderr and 'looks 8-bit' in p.stderr and 'ref.yuv' in p.stderr, p.stderr
    assert 'above the 10-bit maximum 1023' in error_line(p)
    p = run([env.vmafx, 'score', '-q', '-r', ref10, '-d', dis10, '-b', '8'] + geo)
    assert 'vmafx: warning:' in p.stderr and 'looks 10-bit' in p.stderr, p.stderr
    # the right depths: no warning, and the same score both ways
    a = run([env.vmafx, 'score', '-q', '-r', ref8, '-d', dis8, '-b', '8'] + geo)
    b = run([env.vmafx, 'score', '-q', '-r', ref10, '-d', dis10, '-b', '10'] + geo)
    assert 'warning' not in a.stderr + b.stderr, a.stderr + b.stderr
    assert a.stdout.split(':')[0] == b.stdout.split(':')[0]


# ---- item 7: report file mode ----------------------------------------------------------------

def test_report_mode_follows_umask(env):
    """`vmafx score -o` created reports 0600 whatever the umask."""
    d = scratch(env, 'mode')
    ref, dis = pair_files(env, SMALL)
    for mask, want in ((0o022, 0o644), (0o027, 0o640)):
        out = os.path.join(d, f'r{mask:o}.json')
        subprocess.run([env.vmafx, 'score', '-q', '-r', ref, '-d', dis, '--json', '-o', out], check=True,
                       capture_output=True, preexec_fn=lambda m=mask: os.umask(m))
        got = stat.S_IMODE(os.stat(out).st_mode)
        assert got == want, f'umask {mask:o}: mode {got:o}, expected {want:o}'
        assert json.load(open(out))['frames']
    assert sorted(os.listdir(d)) == ['r22.json', 'r27.json'], os.listdir(d)   # no temporary left


# ---- item 8: output format -------------------------------------------------------------------

def test_format_from_extension(env):
    """`-o report.json` without --json wrote XML into a .json file."""
    d = scratch(env, 'format')
    ref, dis = pair_files(env, SMALL)
    for ext, check in (('json', lambda t: json.loads(t)['frames']), ('csv', lambda t: t.startswith('Frame,')),
                       ('xml', lambda t: t.startswith('<VMAF')), ('sub', lambda t: t.startswith('{'))):
        out = os.path.join(d, 'report.' + ext)
        run([env.vmafx, 'score', '-q', '-r', ref, '-d', dis, '-o', out])
        assert check(open(out).read()), (ext, open(out).read()[:80])
    out = os.path.join(d, 'report.txt')
    run([env.vmafx, 'score', '-q', '-r', ref, '-d', dis, '-o', out])
    assert open(out).read().startswith('<VMAF')             # libvmaf's default
    out = os.path.join(d, 'forced.json')
    run([env.vmafx, 'score', '-q', '-r', ref, '-d', dis, '-o', out, '--csv'])
    assert open(out).read().startswith('Frame,')            # a flag wins over the extension
    p = run([env.vmafx, 'score', '-q', '-r', ref, '-d', dis, '-o', out, '--json', '--csv'], check=False)
    assert '--json and --csv' in error_line(p)


# ---- item 9: option syntax ---------------------------------------------------------------------

def test_underscore_and_dash_spellings(env):
    """libvmaf's names use '_' (--frame_cnt), vmafx's own '-' (--scale-to): both spellings of
    every long option work, in score and in the client commands."""
    d = scratch(env, 'spell')
    ref, dis = pair_files(env, SMALL)
    reports = []
    for args in (['--frame_cnt', '1', '--frame_skip_ref', '0', '--scale-to', '320x240'],
                 ['--frame-cnt', '1', '--frame-skip-ref', '0', '--scale_to', '320x240']):
        out = os.path.join(d, f'r{len(reports)}.json')
        run([env.vmafx, 'score', '-q', '-r', ref, '-d', dis, '-o', out] + args)
        reports.append(json.load(open(out)))
    assert len(reports[0]['frames']) == 1 and reports[0]['frames'] == reports[1]['frames']
    # submit checks the request before sending: an option it did not know would be exit 2
    for flag in ('--frame-cnt', '--frame_cnt', '--no-prediction', '--no_prediction', '--token_file'):
        p = run([env.vmafx, 'submit', '-r', ref, '-d', dis, flag] + ([] if 'prediction' in flag else ['1']) +
                ['--controller', 'http://127.0.0.1:9'], check=False)
        assert 'unknown option' not in p.stderr, (flag, p.stderr)
    p = run([env.bin('src', 'cli', 'vmafx-node'), '--drain_timeout', 'x'], check=False)
    assert '--drain-timeout' in p.stderr and 'not a number' in p.stderr, p.stderr


def test_h_alone_is_help(env):
    """`vmafx score -h` said 'option -h needs a value'; -h followed by a number is a height."""
    for cmd in (['score', '-h'], ['submit', '-h'], ['status', '-h'], ['score', '-r', 'x', '-h', '-d', 'y']):
        p = run([env.vmafx] + cmd)
        assert p.stdout.startswith('usage: vmafx ' + cmd[0]), (cmd, p.stdout[:200], p.stderr)
    ref, dis = pair_files(env, SMALL)
    p = run([env.vmafx, 'score', '-q', '-r', ref, '-d', dis, '-h', '240', '-w', '320'])
    assert p.stdout.startswith('vmaf'), p.stdout       # a y4m's own size; -h taken as a height
    p = run([env.vmafx, 'score', '-r', 'a.yuv', '-d', 'b.yuv', '-o', '-h', '-w', '3'], check=False)
    assert 'usage' not in p.stdout, p.stdout           # "-h" as -o's value is a file name


def test_help_columns_aligned(env):
    """The help text starts in one column for every option (it used to shift with long
    METAVARs such as SECONDS and auto[:N]), and lines stay within 100 columns."""
    for cmd in (['score'], ['submit'], ['jobs']):
        text = run([env.vmafx] + cmd + ['--help']).stdout
        lines = text.split('\n\n')[1].splitlines()[1:] if cmd != ['score'] else \
            text.split('\nFeatures')[0].split('\n\n')[1].splitlines()[1:]
        starts = set()
        for line in lines:
            if line.startswith('  -'):
                flag = line.split('  ')[1]
                rest = line[len('  ' + flag):]
                if rest.strip():
                    starts.add(len(line) - len(rest.lstrip()))
            assert len(line) <= 100, (cmd, line)
        assert len(starts) == 1, (cmd, starts)
    for prog in ('vmafx-controller', 'vmafx-node'):
        text = run([env.bin('src', 'cli', prog), '--help']).stdout
        assert all(len(l) <= 100 for l in text.splitlines()), prog


def test_version_help(env):
    """`vmafx version --help` printed the version."""
    p = run([env.vmafx, 'version', '--help'])
    assert p.stdout.startswith('usage: vmafx version'), p.stdout
    assert run([env.vmafx, 'version']).stdout.startswith('vmafx ')
