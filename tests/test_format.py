"""The C sources stay within the repository's .clang-format (issue 15): scripts/format.sh --check
lists every file clang-format would rewrite. Hand-aligned tables are kept by clang-format off/on
regions, whose lines must still fit the column limit."""
import os
import re
import shutil
import subprocess
from vmafx_testlib import Skip

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def sources():
    out = subprocess.run(['git', 'ls-files', 'src/*.c', 'src/*.h', 'include/*.h', 'tests/*.c', 'tests/*.h'],
                         cwd=ROOT, capture_output=True, text=True, check=True).stdout
    return out.split()


def test_sources_formatted(env):
    if env.quick:
        raise Skip('quick subset: the sources are the same for every build (the release run checks them)')
    if not shutil.which('clang-format'):
        raise Skip('clang-format is not installed (scripts/setup.sh installs it)')
    if not os.path.isdir(os.path.join(ROOT, '.git')) and not os.path.isfile(os.path.join(ROOT, '.git')):
        raise Skip('not a git checkout: the file list comes from git')
    p = subprocess.run(['scripts/format.sh', '--check'], cwd=ROOT, capture_output=True, text=True,
                       timeout=600)
    assert p.returncode == 0, 'not formatted (scripts/format.sh --fix):\n' + p.stdout[-3000:] + p.stderr[-1000:]


def test_lines_within_limit(env):
    limit = int(re.search(r'^ColumnLimit:\s*(\d+)', open(os.path.join(ROOT, '.clang-format')).read(),
                          re.M).group(1))
    long_lines = []
    for f in sources():
        with open(os.path.join(ROOT, f), encoding='utf-8') as fh:
            long_lines += [f'{f}:{i}' for i, line in enumerate(fh, 1) if len(line.rstrip('\n')) > limit]
    assert not long_lines, f'{len(long_lines)} lines over {limit} columns: {long_lines[:20]}'
