"""Pictures allocated together share one block (vmafx_picture_alloc_many): each is zero-filled,
aligned and disjoint, and is freed on its own in any order, also after owners exchanged them
(tests/engine/picture_check.c; the sanitizer build runs it under ASan)."""
from vmafx_testlib import run


def test_picture_blocks(env):
    p = run([env.bin('tests', 'engine', 'engine-picture-check')], check=False, timeout=60)
    assert p.returncode == 0 and p.stdout.strip() == 'ok', p.stdout[-2000:] + p.stderr[-2000:]
