#!/usr/bin/python3
"""vmafx test runner: runs every tests/test_*.py module's test cases and ends with the line
'N passed, N failed, N skipped'. A module defines functions named test_* (one case each) and/or
a function cases(env) that yields (name, callable) pairs. A case fails by raising; a case that
has nothing to check here (a server or CPU feature missing, a subset run) raises Skip, so that
it is never counted as passed. A module may define teardown(env): it runs once after the
module's cases (when any ran), is not a case, and fails the run if it raises.

usage: runner.py --build BUILD_DIR [--shared SHARED_DIR] [-k SUBSTRING] [--quick]
"""
import argparse, importlib.util, os, sys, time, traceback

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from vmafx_testlib import Skip  # noqa: E402


class Env:
    """What tests need to find: binaries, the shared folder, a scratch folder."""
    def __init__(self, build, shared, quick):
        self.build = os.path.abspath(build)
        self.shared = os.path.abspath(shared)
        self.quick = quick
        self.vmafx = os.path.join(self.build, 'src', 'cli', 'vmafx')
        self.dump = os.path.join(self.build, 'tests', 'vmafx-dump')
        self.scratch = os.path.join(self.build, 'test-scratch')
        os.makedirs(self.scratch, exist_ok=True)

    def bin(self, *parts):
        return os.path.join(self.build, *parts)


def load_modules():
    mods = []
    for name in sorted(os.listdir(HERE)):
        if name.startswith('test_') and name.endswith('.py'):
            spec = importlib.util.spec_from_file_location(name[:-3], os.path.join(HERE, name))
            mod = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(mod)
            mods.append(mod)
    return mods


def collect(mod, env):
    for attr in sorted(dir(mod)):
        if attr.startswith('test_') and callable(getattr(mod, attr)):
            fn = getattr(mod, attr)
            yield f'{mod.__name__}.{attr}', (lambda fn=fn: fn(env))
    if hasattr(mod, 'cases'):
        for name, fn in mod.cases(env):
            yield f'{mod.__name__}.{name}', fn


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--build', required=True)
    ap.add_argument('--shared', default=os.path.join(HERE, '..', '..', 'shared'))
    ap.add_argument('-k', dest='filter', default='')
    ap.add_argument('--quick', action='store_true', help='a subset (used for the sanitizer build)')
    args = ap.parse_args()
    env = Env(args.build, args.shared, args.quick)
    passed = failed = skipped = 0
    failures = []
    for mod in load_modules():
        ran = False
        for name, fn in collect(mod, env):
            if args.filter and args.filter not in name:
                continue
            ran = True
            t0 = time.time()
            try:
                fn()
                passed += 1
                print(f'ok    {name} ({time.time() - t0:.1f}s)', flush=True)
            except Skip as e:
                skipped += 1
                print(f'skip  {name}: {e}', flush=True)
            except Exception as e:  # a failing case must not stop the others
                failed += 1
                msg = str(e) if isinstance(e, AssertionError) else traceback.format_exc(limit=3)
                failures.append((name, msg))
                print(f'FAIL  {name}: {msg}', flush=True)
        if ran and hasattr(mod, 'teardown'):
            try:
                mod.teardown(env)
            except Exception:  # counted as a failure, not as a case
                failed += 1
                msg = traceback.format_exc(limit=3)
                failures.append((f'{mod.__name__} teardown', msg))
                print(f'FAIL  {mod.__name__} teardown: {msg}', flush=True)
    if failures:
        print('\nfailures:')
        for name, msg in failures:
            print(f'  {name}: {msg.splitlines()[0] if msg else ""}')
    print(f'{passed} passed, {failed} failed, {skipped} skipped')
    return 1 if failed or not passed else 0


if __name__ == '__main__':
    sys.exit(main())
