"""A small HTTP server that misbehaves on purpose, for the media input tests. It serves the
files of one folder under /MODE/NAME, where MODE says how to fail:

  ok         honest: ranges (206), Accept-Ranges, Content-Length
  status/N   answers status N (404, 403, 500, ...)
  stall      sends the headers and 40 % of the body, then nothing until the server stops
  stallhead  accepts the connection and never answers
  cut        no ranges; sends 40 % of the body, then resets the connection (TCP RST; the
             client may get less, as a reset drops what is still in flight)
  close      no ranges; sends 40 % of the body, then closes the connection cleanly
  short      no ranges; announces 64 KiB more than the file and closes after the file
  flaky      ranges; the first response is cut at 40 %, later ones are honest
  flakyall   ranges; every response is cut after 40 % of what it should carry
  badrange   claims ranges; cuts the first response at 40 %, then ignores Range (200 from 0)

A query "?at=F" moves the 40 % of stall, cut, close, flaky, flakyall and badrange to the fraction F.
Every request is logged (mode, name, Range header) so tests can check what the client did.
"""
import os, re, socket, struct, threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

CHUNK = 1 << 16


class _Handler(BaseHTTPRequestHandler):
    server_version = 'misbehave/1'

    def log_message(self, *args):
        pass

    def do_GET(self):
        srv = self.server
        url = urlsplit(self.path)
        self.at = float(parse_qs(url.query).get('at', ['0.4'])[0])
        parts = url.path.lstrip('/').split('/', 2)
        mode = parts[0]
        with srv.lock:
            srv.requests.append((mode, self.path, self.headers.get('Range')))
            count = sum(1 for m, p, _ in srv.requests if p == self.path)
        try:
            if mode == 'status':
                self.send_error(int(parts[1]))
                return
            if mode == 'stallhead':
                srv.stop.wait(120)
                return
            data = self._file(parts[-1])
            if data is None:
                self.send_error(404)
                return
            getattr(self, '_' + mode)(data, count)
        except (BrokenPipeError, ConnectionResetError):
            pass

    def _file(self, name):
        path = os.path.join(self.server.root, os.path.basename(name))
        return open(path, 'rb').read() if os.path.isfile(path) else None

    def _range(self, size):
        m = re.fullmatch(r'bytes=(\d+)-', self.headers.get('Range') or '')
        return int(m.group(1)) if m else None

    def _head(self, status, length, total=None, start=0, ranges=True):
        self.send_response(status)
        self.send_header('Content-Type', 'application/octet-stream')
        self.send_header('Content-Length', str(length))
        if ranges:
            self.send_header('Accept-Ranges', 'bytes')
        if status == 206:
            self.send_header('Content-Range', f'bytes {start}-{start + length - 1}/{total}')
        self.end_headers()

    def _send(self, data):
        for i in range(0, len(data), CHUNK):
            self.wfile.write(data[i:i + CHUNK])
        self.wfile.flush()

    def _reset(self):
        """Closes with RST instead of FIN: what a crashed peer looks like."""
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack('ii', 1, 0))
        self.connection.close()

    def _ranged(self, data, cut=None, honour=True):
        start = self._range(len(data)) if honour else None
        if start is not None and start >= len(data):
            self.send_error(416)
            return
        if start is None:
            self._head(200, len(data))
            body = data
        else:
            self._head(206, len(data) - start, len(data), start)
            body = data[start:]
        if cut is None:
            self._send(body)
        else:
            self._send(body[:int(len(body) * cut)])
            self._reset()

    def _ok(self, data, count):
        self._ranged(data)

    def _stall(self, data, count):
        self._head(200, len(data), ranges=False)
        self._send(data[:int(len(data) * self.at)])
        self.server.stop.wait(120)

    def _cut(self, data, count):
        self._head(200, len(data), ranges=False)
        self._send(data[:int(len(data) * self.at)])
        self._reset()

    def _close(self, data, count):
        self._head(200, len(data), ranges=False)
        self._send(data[:int(len(data) * self.at)])

    def _short(self, data, count):
        self._head(200, len(data) + 65536, ranges=False)
        self._send(data)

    def _flaky(self, data, count):
        self._ranged(data, cut=self.at if count == 1 else None)

    def _flakyall(self, data, count):
        self._ranged(data, cut=self.at)

    def _badrange(self, data, count):
        self._ranged(data, cut=self.at if count == 1 else None, honour=count == 1)


class MisbehavingServer:
    """with MisbehavingServer(folder) as s: s.url('cut', 'dis.y4m') ..."""

    def __init__(self, root):
        self.httpd = ThreadingHTTPServer(('127.0.0.1', 0), _Handler)
        self.httpd.daemon_threads = True
        self.httpd.root = root
        self.httpd.lock = threading.Lock()
        self.httpd.requests = []
        self.httpd.stop = threading.Event()
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={'poll_interval': 0.05},
                                       daemon=True)

    def url(self, mode, name, at=None):
        return f'http://127.0.0.1:{self.port}/{mode}/{name}' + (f'?at={at}' if at is not None else '')

    @property
    def requests(self):
        with self.httpd.lock:
            return list(self.httpd.requests)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.httpd.stop.set()
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(10)
