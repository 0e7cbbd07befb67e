// Live job updates for the pages. The controller's event stream (GET /v1/events, server-sent
// events 'job' whose data is the job as GET /v1/jobs/{id} shows it) is read with fetch(), since
// EventSource cannot send the Authorization header. Where the controller has no stream (404,
// 405) or it breaks, the pages are asked to refresh every POLL_MS instead ('tick'), and the
// stream is tried again now and then.
import { request } from './api.js';

const POLL_MS = 3000, RETRY_STREAM_MS = 30000, RECONNECT_AFTER_MS = 5000;

export class Live {
  constructor(statusEl) {
    this.statusEl = statusEl;
    this.jobFns = new Set();
    this.tickFns = new Set();
    this.mode = 'starting';
    this.received = 0;   // job events applied (the browser tests read it)
    this.timer = null;
    this.abort = null;
  }

  // fn(job) for each job event; returns the unsubscribe function
  onJob(fn) { this.jobFns.add(fn); return () => this.jobFns.delete(fn); }
  // fn() every POLL_MS while polling, and once when the stream (re)starts (a promise: the
  // stream's events wait for it); returns the unsubscribe function
  onTick(fn) { this.tickFns.add(fn); return () => this.tickFns.delete(fn); }

  setMode(mode, why = '') {
    this.mode = mode;
    const text = { stream: 'live: event stream', poll: `live: polling every ${POLL_MS / 1000} s`,
                   starting: 'live: connecting' }[mode];
    this.statusEl.textContent = text;
    this.statusEl.title = why;
    document.documentElement.dataset.live = mode;
  }

  start() {
    this.stop();
    this.connect();
  }

  stop() {
    if (this.abort) this.abort.abort();
    clearInterval(this.timer);
    this.timer = null;
    this.mode = 'stopped';
  }

  poll(why) {
    if (this.mode === 'poll') return;
    this.setMode('poll', why);
    clearInterval(this.timer);
    let since = 0;
    this.timer = setInterval(() => {
      this.tickFns.forEach(fn => fn());
      since += POLL_MS;
      if (since >= RETRY_STREAM_MS) this.connect();
    }, POLL_MS);
  }

  async connect() {
    if (this.abort) this.abort.abort();
    const ctl = this.abort = new AbortController();
    let r;
    try {
      r = await request('/v1/events', { signal: ctl.signal, headers: { Accept: 'text/event-stream' } });
    } catch (e) {
      if (!ctl.signal.aborted) this.poll('the event stream failed: ' + e.message);
      return;
    }
    const type = r.headers.get('Content-Type') || '';
    if (!r.ok || !type.startsWith('text/event-stream')) {
      ctl.abort();
      this.poll(`GET /v1/events answered ${r.status}: polling GET /v1/jobs instead`);
      return;
    }
    clearInterval(this.timer);
    this.timer = null;
    this.setMode('stream');
    // catch up on what changed before the stream began, and only then apply its events, so
    // that a page fetched before an event cannot overwrite it
    await Promise.allSettled([...this.tickFns].map(fn => fn()));
    const began = Date.now();
    try {
      await this.read(r.body.getReader());
    } catch { /* aborted or broken: below */ }
    if (ctl.signal.aborted) return;
    // a stream that ran a while (closed by a proxy's or the server's idle timeout, or a
    // restart) is simply opened again; one that ends at once falls back to polling
    if (Date.now() - began > RECONNECT_AFTER_MS) {
      setTimeout(() => { if (this.abort === ctl && !ctl.signal.aborted) this.connect(); }, 1000);
      return;
    }
    this.mode = 'broken';
    this.poll('the event stream ended');
  }

  // Server-sent events (the WHATWG format): fields up to a blank line make one event.
  async read(reader) {
    const dec = new TextDecoder();
    let buf = '', event = 'message', data = [], skipLF = false;
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buf += dec.decode(value, { stream: true });
      if (skipLF && buf.length) {   // the LF of a CR LF that the previous read cut after its CR
        if (buf[0] === '\n') buf = buf.slice(1);
        skipLF = false;
      }
      let nl;
      while ((nl = buf.search(/\r\n|\r|\n/)) >= 0) {
        const line = buf.slice(0, nl), crlf = buf.startsWith('\r\n', nl);
        skipLF = !crlf && buf[nl] === '\r' && nl === buf.length - 1;
        buf = buf.slice(nl + (crlf ? 2 : 1));
        if (line === '') {
          if (data.length) this.dispatch(event, data.join('\n'));
          event = 'message';
          data = [];
        } else if (!line.startsWith(':')) {
          const colon = line.indexOf(':');
          const field = colon < 0 ? line : line.slice(0, colon);
          let val = colon < 0 ? '' : line.slice(colon + 1);
          if (val.startsWith(' ')) val = val.slice(1);
          if (field === 'event') event = val;
          else if (field === 'data') data.push(val);
        }
      }
    }
  }

  dispatch(event, data) {
    if (event !== 'job') return;
    let job;
    try { job = JSON.parse(data); } catch { return; }
    if (!job || !job.id) return;
    this.received++;
    this.jobFns.forEach(fn => fn(job));
  }
}
