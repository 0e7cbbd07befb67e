"""GET /v1/events, the server-sent event stream (docs/controller.md): events for submit ->
running -> completed whose data equals GET /v1/jobs/{id}; the same auth as GET /v1/jobs;
keep-alive comments; Last-Event-ID resume from the in-memory ring (and a fresh start when
the id is no longer there); the cap on streams (503); and a client that does not read is
disconnected while the controller goes on answering at full speed."""
import json, os, socket, time

from controller_testlib import SMALL, TOKENS, Cluster, wait_until, write_tokens
from vmafx_testlib import pair_files

REF, DIS = '/data/ref.y4m', '/data/dis.y4m'


class Stream:
    """A raw HTTP/1.1 client of the event stream: chunked decoding and SSE parsing by hand,
    so that the test sees exactly what was sent."""

    def __init__(self, port, token=None, last_id=None, rcvbuf=None, timeout=10):
        self.s = socket.socket()
        if rcvbuf:
            self.s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
        self.s.settimeout(timeout)
        self.s.connect(('127.0.0.1', port))
        h = 'GET /v1/events HTTP/1.1\r\nHost: x\r\nAccept: text/event-stream\r\n'
        if token:
            h += f'Authorization: Bearer {token}\r\n'
        if last_id is not None:
            h += f'Last-Event-ID: {last_id}\r\n'
        self.s.sendall((h + '\r\n').encode())
        self.raw, self.text, self.eof = b'', '', False
        self.status, self.headers = None, {}

    def _fill(self):
        data = self.s.recv(65536)
        if not data:
            self.eof = True
        self.raw += data

    def head(self):
        while b'\r\n\r\n' not in self.raw:
            self._fill()
            if self.eof:
                raise AssertionError(f'connection closed before the headers: {self.raw!r}')
        head, self.raw = self.raw.split(b'\r\n\r\n', 1)
        lines = head.decode().split('\r\n')
        self.status = int(lines[0].split()[1])
        self.headers = {k.lower(): v.strip() for k, v in (l.split(':', 1) for l in lines[1:])}
        return self.status

    def _dechunk(self):
        while b'\r\n' in self.raw:
            size_line, rest = self.raw.split(b'\r\n', 1)
            size = int(size_line, 16)
            if size == 0:
                self.eof = True
                self.raw = b''
                return
            if len(rest) < size + 2:
                return
            self.text += rest[:size].decode()
            self.raw = rest[size + 2:]

    def next_block(self):
        """The next SSE block (text up to a blank line), or None at the end of the stream."""
        self._dechunk()
        while '\n\n' not in self.text:
            if self.eof:
                return None
            self._fill()
            self._dechunk()
        block, self.text = self.text.split('\n\n', 1)
        return block

    def next_event(self):
        """(id, data as JSON) of the next event, skipping comments; None at the end."""
        while True:
            block = self.next_block()
            if block is None:
                return None
            fields = dict(l.split(': ', 1) for l in block.split('\n') if not l.startswith(':'))
            if fields:
                assert fields['event'] == 'job', block
                assert '\n' not in fields['data']
                return int(fields['id']), json.loads(fields['data'])

    def close(self):
        self.s.close()


def test_events_follow_a_job_to_completed(env):
    ref, dis = pair_files(env, SMALL)
    with Cluster(env, 'events-job') as c:
        c.controller()
        api = c.api()
        st = Stream(c.port)
        assert st.head() == 200 and st.headers['content-type'] == 'text/event-stream', (st.status, st.headers)
        assert st.next_block().startswith(':')   # the opening comment: the stream is live
        jid = api.submit(ref, dis)
        c.node('n1')
        seen, ids, last = [], [], None
        while not seen or seen[-1] != 'completed':
            eid, job = st.next_event()
            if job['id'] != jid:
                continue
            ids.append(eid)
            if not seen or seen[-1] != job['status']:
                seen.append(job['status'])
            last = job
        assert seen == ['pending', 'running', 'completed'], seen
        assert ids == sorted(ids) and len(set(ids)) == len(ids), ids
        # the data is the job as GET /v1/jobs/{id} shows it
        assert last == api.job(jid), (last, api.job(jid))
        assert last['pooled_metrics'], last
        st.close()


def test_events_auth_and_keepalive(env):
    with Cluster(env, 'events-auth') as c:
        tokens = write_tokens(os.path.join(c.dir, 'tokens'))
        c.controller('--tokens-file', tokens, '--events-keepalive', '0.3')
        for tok, want in ((None, 401), ('not-a-known-token-123', 401), (TOKENS['node'], 403)):
            s = Stream(c.port, tok)
            assert s.head() == want, (tok, s.status)
            s.close()
        reader = Stream(c.port, TOKENS['reader'])
        assert reader.head() == 200
        writer = c.api(TOKENS['writer'])
        jid = writer.submit(REF, DIS)
        eid, job = reader.next_event()
        assert job['id'] == jid and job['status'] == 'pending', job
        # quiet: keep-alive comments come
        t0 = time.monotonic()
        block = reader.next_block()
        assert block == ': keepalive' and time.monotonic() - t0 < 3, block
        reader.close()


def test_last_event_id_resume_and_fresh_start(env):
    with Cluster(env, 'events-resume') as c:
        c.controller('--events-buffer', '8', '--events-max-lag', '8')
        api = c.api()
        a = Stream(c.port)
        assert a.head() == 200
        first = [api.submit(REF, DIS) for _ in range(3)]
        got = [a.next_event() for _ in range(3)]
        assert [j['id'] for _, j in got] == first
        a.close()
        mark = got[1][0]
        later = [api.submit(REF, DIS) for _ in range(2)]
        b = Stream(c.port, last_id=mark)
        assert b.head() == 200
        resumed = [b.next_event() for _ in range(3)]
        assert [e for e, _ in resumed] == [mark + 1, mark + 2, mark + 3], resumed
        assert [j['id'] for _, j in resumed] == first[2:] + later
        b.close()
        # the ring keeps 8: an id from before it (or from before a restart) starts fresh
        for _ in range(10):
            api.submit(REF, DIS)
        for stale in (mark, 1):
            s = Stream(c.port, last_id=stale)
            assert s.head() == 200
            new = api.submit(REF, DIS)
            eid, job = s.next_event()
            assert job['id'] == new, f'Last-Event-ID {stale}: the stream replayed old events ({job["id"]})'
            s.close()
        # ids keep growing across a restart, so a client's last id is never reused
        top = eid
        c.ctl.stop()
        c.controller()
        s = Stream(c.port, last_id=top)
        assert s.head() == 200
        new = api.submit(REF, DIS)
        eid, job = s.next_event()
        assert job['id'] == new and eid > top, (eid, top)
        s.close()


def test_stream_cap_and_slow_client(env):
    with Cluster(env, 'events-slow') as c:
        c.controller('--events-max-streams', '2', '--events-buffer', '64', '--events-max-lag', '32')
        api = c.api()
        slow = Stream(c.port, rcvbuf=4096, timeout=30)   # reads its headers, then nothing until the end
        assert slow.head() == 200
        other = Stream(c.port)
        assert other.head() == 200
        third = Stream(c.port)
        assert third.head() == 503 and third.headers.get('retry-after'), third.status
        third.close()
        other.close()
        # the slow client holds its connection; the controller must not wait for it
        n, worst = 600, 0.0
        for i in range(n):
            t0 = time.monotonic()
            api.submit(REF, DIS, labels={'pad': 'x' * 200, 'n': str(i)})
            worst = max(worst, time.monotonic() - t0)
        assert worst < 2.0, f'a submit took {worst:.2f}s with a slow event client'
        # now it reads: what it gets ends well before the last event, because the stream was cut
        events = 0
        while slow.next_event():
            events += 1
        assert events < n, f'the slow client got all {events} events: it was never disconnected'
        wait_until('the lag in the log', lambda: 'events behind' in c.ctl.text(), timeout=10)
        # and its slot is free again
        s = wait_until('a new stream', lambda: (lambda x: x if x.head() == 200 else x.close())(Stream(c.port)),
                       timeout=10)
        s.close()
        print(f'      {n} submits with a stalled event client: slowest {worst * 1000:.0f} ms; '
              f'the client got {events} events before it was cut off')
