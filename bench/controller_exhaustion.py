#!/usr/bin/python3
"""Connection exhaustion, as issue 17's probe tried it (on demand, not part of the tests):
1,030 idle TCP connections from 127.0.0.1 against a controller with its default settings.
Prints how many the controller keeps (the per-client cap), whether /healthz is answered for
another client (127.0.0.2) and for the same one meanwhile, and when the idle connections are
closed (the connection timeout).

usage: bench/controller_exhaustion.py [BUILD_DIR]   (run from the repository root)"""
import os, socket, subprocess, sys, tempfile, time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, '..', 'tests'))
from controller_testlib import free_port
port = free_port()
build = sys.argv[1] if len(sys.argv) > 1 else 'build'
db = os.path.join(tempfile.mkdtemp(prefix='vmafx-exhaust-'), 'jobs.db')
ctl = subprocess.Popen([os.path.join(build, 'src', 'cli', 'vmafx-controller'), '--listen', f'127.0.0.1:{port}', '--db', db],
                       stderr=subprocess.DEVNULL)
time.sleep(0.5)
def healthz(src):
    s = socket.socket(); s.bind((src, 0)); s.settimeout(3)
    try:
        s.connect(('127.0.0.1', port)); s.sendall(b'GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')
        return s.recv(100).startswith(b'HTTP/1.1 200')
    except OSError:
        return False
    finally:
        s.close()
socks = []
t0 = time.monotonic()
for i in range(1030):
    s = socket.socket(); s.settimeout(5); s.connect(('127.0.0.1', port)); socks.append(s)
time.sleep(1)
open_ = 0
for s in socks:
    s.settimeout(0.01)
    try:
        open_ += s.recv(1) != b''
    except socket.timeout:
        open_ += 1
    except OSError:
        pass
print(f'held by the server after 1 s: {open_} of 1030')
print('healthz from 127.0.0.2 while held:', healthz('127.0.0.2'))
print('healthz from 127.0.0.1 while held:', healthz('127.0.0.1'))
end = time.monotonic() + 20
while time.monotonic() < end:
    alive = 0
    for s in socks:
        s.settimeout(0.01)
        try:
            alive += s.recv(1) != b''
        except socket.timeout:
            alive += 1
        except OSError:
            pass
    if not alive:
        break
    time.sleep(0.5)
print(f'all idle connections closed after {time.monotonic() - t0:.1f} s (alive now: {alive})')
print('healthz from 127.0.0.1 after:', healthz('127.0.0.1'))
for s in socks: s.close()
ctl.terminate(); ctl.wait()
