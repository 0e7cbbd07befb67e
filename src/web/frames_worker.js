// Fetches and parses a job's JSON report off the page's thread (a 200,000-frame report is
// about 50 MB of JSON: the page stays responsive meanwhile) and hands back its columns,
// as Float64Arrays where a metric has a value on every frame (moved, not copied).
import { reportColumns } from './stats.js';

self.onmessage = async e => {
  const { url, token } = e.data;
  try {
    const t0 = performance.now();
    const r = await fetch(url, { headers: token ? { Authorization: 'Bearer ' + token } : {}, cache: 'no-store' });
    if (!r.ok) {
      let msg = `HTTP ${r.status}`;
      try { msg = (await r.json()).error || msg; } catch { /* not JSON */ }
      self.postMessage({ status: r.status, error: msg });
      return;
    }
    const report = await r.json();
    const t1 = performance.now();
    const cols = reportColumns(report);
    const moved = [];
    const typed = v => {
      if (v.some(y => y === null || typeof y !== 'number')) return v;
      const a = Float64Array.from(v);
      moved.push(a.buffer);
      return a;
    };
    cols.x = typed(cols.x);
    for (const n of cols.names) cols.values[n] = typed(cols.values[n]);
    self.postMessage({ status: 200, cols, fetch_ms: t1 - t0, parse_ms: performance.now() - t1 }, moved);
  } catch (err) {
    self.postMessage({ status: 0, error: `the report could not be read: ${err.message}` });
  }
};
