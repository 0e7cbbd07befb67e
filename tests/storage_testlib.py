"""Running build/src/storage/vmafx-storage against the storage lab, and the leak checks every
storage test ends with: no rclone process, no mount and no private directory left behind."""
import os, shutil, subprocess, time

import storage_lab


class StorageTool:
    def __init__(self, env, lab=None):
        self.path = env.bin('src', 'storage', 'vmafx-storage')
        if not os.access(self.path, os.X_OK):
            raise AssertionError(f'{self.path} is missing: build the tree first')
        self.lab = lab
        # Every child of the tool carries this directory in its command line (--cache-dir under
        # the private run directory), and every mount point lies under it: the leak marker.
        self.tmp = os.path.join(env.scratch, 'storage-tmp')
        os.makedirs(self.tmp, exist_ok=True)

    def environ(self, settings=None, config=True):
        env = storage_lab.clean_env({'TMPDIR': self.tmp})
        for k in list(env):
            if k.startswith('VMAFX_'):
                del env[k]
        if config and self.lab:
            env['VMAFX_RCLONE_CONFIG'] = self.lab.conf
        env.update(settings or {})
        return env

    def args(self, settings):
        out = []
        for k, v in (settings or {}).items():
            out += ['--set', f'{k}={v}']
        return out

    def run(self, *args, settings=None, env=None, timeout=60, input=None, check_leaks=True):
        t0 = time.monotonic()
        p = subprocess.run([self.path, *self.args(settings), *args], capture_output=True, text=True,
                           timeout=timeout, input=input, env=env or self.environ())
        p.elapsed = time.monotonic() - t0
        if check_leaks:
            self.assert_clean()
        return p

    def ok(self, *args, **kw):
        p = self.run(*args, **kw)
        if p.returncode:
            raise AssertionError(f'vmafx-storage {" ".join(args)} failed ({p.returncode}): {p.stderr.strip()[-600:]}')
        return p

    def fails(self, expect, *args, within=5.0, **kw):
        """The command fails, within `within` seconds, with `expect` in its message."""
        p = self.run(*args, **kw)
        if p.returncode == 0:
            raise AssertionError(f'vmafx-storage {" ".join(args)} succeeded; expected "{expect}"')
        if expect not in p.stderr:
            raise AssertionError(f'vmafx-storage {" ".join(args)}: expected "{expect}" in: {p.stderr.strip()[-600:]}')
        if p.elapsed > within:
            raise AssertionError(f'vmafx-storage {" ".join(args)} took {p.elapsed:.1f}s (limit {within}s)')
        return p

    def popen(self, *args, settings=None, env=None):
        return subprocess.Popen([self.path, *self.args(settings), *args], stdin=subprocess.PIPE,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                env=env or self.environ())

    def assert_clean(self, wait=3.0):
        """No rclone child, no mount, no private directory of any tool run is left."""
        end = time.monotonic() + wait
        while True:
            pids = storage_lab.rclone_pids(self.tmp)
            mnt = storage_lab.mounts(self.tmp)
            left = os.listdir(self.tmp)
            if not pids and not mnt and not left:
                return
            if time.monotonic() > end:
                break
            time.sleep(0.05)
        for line in mnt:   # do not let one failure poison the following tests
            subprocess.run(['fusermount3', '-uz', line.split()[4]], timeout=10)
        for pid in pids:
            try:
                os.kill(pid, 9)
            except OSError:
                pass
        for d in left:
            shutil.rmtree(os.path.join(self.tmp, d), ignore_errors=True)
        raise AssertionError(f'leaked: rclone pids {pids}, mounts {len(mnt)}, directories {left}')


class Shell:
    """vmafx-storage shell: one process, several prepares (warm pool tests)."""

    def __init__(self, tool, settings=None):
        self.tool = tool
        self.p = tool.popen('shell', settings=settings)

    def cmd(self, line, timeout=30):
        self.p.stdin.write(line + '\n')
        self.p.stdin.flush()
        out = _readline(self.p, timeout)
        if not out:
            raise AssertionError(f'shell ended at "{line}": {self.p.stderr.read()[-600:]}')
        return out.split(' ', 3) if out.startswith('err') else out.split(' ', 8)

    def prepare(self, i, uri):
        r = self.cmd(f'prepare {i} {uri}')
        if r[0] != 'ok':
            raise AssertionError(f'prepare {uri}: {" ".join(r)}')
        return parse_ready(r)

    def close(self, timeout=30):
        out, err = finish(self.p, 'quit\n', timeout)
        self.tool.assert_clean()
        return self.p.returncode, err


def parse_ready(r):
    """ok ID VIA SIZE HASHTYPE HASH PID MICROSECONDS LOCATION"""
    return {'via': r[2], 'size': int(r[3]), 'hash_type': r[4], 'hash': r[5], 'pid': int(r[6]),
            'us': float(r[7]), 'location': r[8]}


def _readline(p, timeout):
    """A line of p's stdout within timeout. A reader thread feeds a queue: select() on the
    pipe would miss lines already sitting in Python's buffer."""
    import queue, threading
    q = getattr(p, '_lines', None)
    if q is None:
        q = p._lines = queue.Queue()

        def pump():
            for line in p.stdout:
                q.put(line)
            q.put('')
        threading.Thread(target=pump, daemon=True).start()
    try:
        return q.get(timeout=timeout).strip()
    except queue.Empty:
        p.kill()
        p.wait()
        raise AssertionError(f'no answer within {timeout}s')


def readline(p, timeout=30):
    return _readline(p, timeout)


def finish(p, input=None, timeout=30):
    """Like communicate(), for a process read with readline(): (rest of stdout, stderr)."""
    if input is not None:
        try:
            p.stdin.write(input)
            p.stdin.flush()
        except BrokenPipeError:
            pass
    try:
        p.stdin.close()
    except BrokenPipeError:
        pass
    import threading
    err = []
    t = threading.Thread(target=lambda: err.append(p.stderr.read()), daemon=True)
    t.start()
    try:
        p.wait(timeout)
    except Exception:
        p.kill()
        p.wait()
        raise AssertionError(f'the process did not end within {timeout}s')
    t.join(5)
    out = []
    if getattr(p, '_lines', None) is not None:
        while True:
            line = p._lines.get(timeout=5)
            if not line:
                break
            out.append(line)
    else:
        out.append(p.stdout.read())
    return ''.join(out), ''.join(err)
