// Numbers the pages show, computed from per-frame values (plain arrays or typed arrays).

export function mean(v) {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i];
  return v.length ? s / v.length : NaN;
}

// (a loop: Math.min(...v) overflows the stack for long clips)
export function min(v) {
  let m = Infinity;
  for (let i = 0; i < v.length; i++) if (v[i] < m) m = v[i];
  return v.length ? m : NaN;
}

// "1 % low": the mean of the lowest 1 % of the frames (at least one frame), as frame-time
// statistics of games define it; it says how bad the worst moments are.
export function lowPercentMean(v, pct = 1) {
  if (!v.length) return NaN;
  const sorted = Float64Array.from(v).sort();
  const n = Math.max(1, Math.floor(v.length * pct / 100));
  return mean(sorted.subarray(0, n));
}

// Indices of the n smallest values, smallest first (ties: the earlier frame first).
export function worstFrames(v, n) {
  const idx = Array.from({ length: v.length }, (_, i) => i);
  idx.sort((a, b) => v[a] - v[b] || a - b);
  return idx.slice(0, n);
}

// Runs [first, last] of consecutive frames whose value is below t.
export function runsBelow(v, t) {
  const runs = [];
  for (let i = 0; i < v.length; i++) {
    if (!(v[i] < t)) continue;
    let j = i;
    while (j + 1 < v.length && v[j + 1] < t) j++;
    runs.push([i, j]);
    i = j;
  }
  return runs;
}

export const fmt = (x, digits = 3) => (x === null || x === undefined || Number.isNaN(x)) ? '–'
  : (typeof x === 'number' ? x.toFixed(digits) : String(x));

// "1h 02m", "3m 05s", "12s"
export function duration(s) {
  if (!Number.isFinite(s) || s < 0) return '–';
  s = Math.round(s);
  const h = Math.floor(s / 3600), m = Math.floor(s % 3600 / 60), sec = s % 60;
  if (h) return `${h}h ${String(m).padStart(2, '0')}m`;
  if (m) return `${m}m ${String(sec).padStart(2, '0')}s`;
  return `${sec}s`;
}

// A CSV report (`Frame,metric,...,` then one line a frame, as the engine writes it) as columns:
// { x: frame numbers, names: [...], values: { name: Float64Array or, where a frame lacks the
// value, an array with null there } }. The CSV is a sixth of the JSON report's size, and its
// numbers are the same decimal texts, so they parse to the same values. The fast path turns
// the rows into one JSON array for the browser's native parser (about twice as fast as
// splitting 200,000 lines); a report it cannot take (an empty field, "nan") is split instead.
export function csvColumns(text) {
  const nl = text.indexOf('\n');
  const head = (nl < 0 ? text : text.slice(0, nl)).replace(/\r$/, '').split(',');
  if (head[head.length - 1] === '') head.pop();
  if (head[0] !== 'Frame') throw new Error('the CSV report has no Frame column');
  const w = head.length, names = head.slice(1);
  let flat = null;
  try {
    flat = JSON.parse('[' + (nl < 0 ? '' : text.slice(nl + 1)).replace(/,?\r?\n/g, ',').replace(/,$/, '') + ']');
  } catch { /* below */ }
  if (!flat || flat.length % w) return splitColumns(text, head, names);
  const n = flat.length / w, cols = [];
  for (let c = 0; c < w; c++) {
    const a = new Float64Array(n);
    for (let i = 0; i < n; i++) a[i] = flat[i * w + c];
    cols.push(a);
  }
  return { x: cols[0], names, values: Object.fromEntries(names.map((m, k) => [m, cols[k + 1]])) };
}

function splitColumns(text, head, names) {
  const lines = text.split('\n');
  const cols = head.map(() => []);
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i].replace(/\r$/, '');
    if (!line) continue;
    const f = line.split(',');
    for (let k = 0; k < head.length; k++) cols[k].push(f[k] === undefined || f[k] === '' ? null : Number(f[k]));
  }
  const typed = v => v.includes(null) ? v : Float64Array.from(v);
  return { x: typed(cols[0]), names, values: Object.fromEntries(names.map((m, k) => [m, typed(cols[k + 1])])) };
}
