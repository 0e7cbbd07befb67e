// The dashboard's pure parts under node (no browser): the CSV report parser (fast path and
// fallback agree, values exact), the statistics the pages show, and the event-stream parser
// fed in every possible cut of its input. tests/test_dashboard.py runs it; it prints
// "units: N checks" and exits non-zero on the first failure.
import assert from 'assert/strict';
import { Live } from '../../src/web/live.js';
import { csvColumns, lowPercentMean, mean, min, runsBelow, worstFrames } from '../../src/web/stats.js';

let checks = 0;
const check = (what, fn) => { try { fn(); checks++; } catch (e) { console.error(`units: ${what}: ${e.message}`); process.exit(1); } };

// CSV: the engine's layout (trailing comma), the fast path and the split fallback
const csv = 'Frame,integer_adm2,vmaf,\n0,0.940444,74.222528,\n1,0.932954,73.773355,\n2,1e-05,0.000000,\n';
check('csv fast path', () => {
  const c = csvColumns(csv);
  assert.deepEqual(c.names, ['integer_adm2', 'vmaf']);
  assert.ok(c.x instanceof Float64Array);
  assert.deepEqual(Array.from(c.x), [0, 1, 2]);
  assert.deepEqual(Array.from(c.values.vmaf), [74.222528, 73.773355, 0]);
  assert.equal(c.values.integer_adm2[2], 1e-05);
});
check('csv fallback (empty field, nan) agrees', () => {
  const c = csvColumns('Frame,a,b,\r\n0,1.5,,\r\n1,nan,2.25,\r\n');
  assert.deepEqual(Array.from(c.x), [0, 1]);
  assert.deepEqual(c.values.b, [null, 2.25]);
  assert.ok(Number.isNaN(c.values.a[1]) && c.values.a[0] === 1.5);
});
check('csv without frames', () => assert.equal(csvColumns('Frame,vmaf,\n').x.length, 0));
check('csv without Frame column', () => assert.throws(() => csvColumns('x,y\n1,2\n')));

// statistics
const v = [90, 80, 95, 70, 70, 99, 60, 100];
check('mean, min', () => { assert.equal(mean(v), 83); assert.equal(min(Float64Array.from(v)), 60); });
check('1 % low: the lowest 1 % (at least one frame)', () => {
  assert.equal(lowPercentMean(v), 60);
  const many = Array.from({ length: 1000 }, (_, i) => i);   // lowest 10: 0..9
  assert.equal(lowPercentMean(many), 4.5);
});
check('worst frames: smallest first, ties by frame', () => assert.deepEqual(worstFrames(v, 4), [6, 3, 4, 1]));
check('runs below a threshold', () => {
  assert.deepEqual(runsBelow(v, 75), [[3, 4], [6, 6]]);
  assert.deepEqual(runsBelow(v, 50), []);
  assert.deepEqual(runsBelow([1, 1], 5), [[0, 1]]);
});

// the event stream, cut at every byte boundary (and in one piece)
const job = { id: 'j-1', status: 'running', progress: { frames_done: 3, frames_total: 9, fps: 2 } };
const text = JSON.stringify(job), half = text.indexOf(',') + 1;
const stream = `: comment\r\nevent: other\r\ndata: {}\r\n\r\nevent: job\r\ndata: ${text.slice(0, half)}\r\ndata:${text.slice(half)}\r\n\r\n` +
               `event: job\ndata: ${JSON.stringify({ ...job, status: 'completed' })}\n\nevent: job\rdata: not json\r\r` +
               `data: ${JSON.stringify({ id: 'j-2' })}\n\n`;
const bytes = new TextEncoder().encode(stream);
async function feed(cuts) {
  const live = new Live({ textContent: '', title: '' });
  const got = [];
  live.onJob(j => got.push(j));
  let k = 0;
  const parts = [];
  for (const c of [...cuts, bytes.length]) { parts.push(bytes.slice(k, c)); k = c; }
  const reader = { read: async () => parts.length ? { value: parts.shift(), done: false } : { done: true } };
  await live.read(reader);
  return got;
}
for (let c = 0; c <= bytes.length; c++) {
  const got = await feed(c ? [c] : []);
  check(`event stream cut at byte ${c}`, () => {
    assert.equal(got.length, 2, `${got.length} job events`);
    assert.deepEqual(got[0], job);
    assert.equal(got[1].status, 'completed');
  });
}
const one = await feed(Array.from({ length: bytes.length - 1 }, (_, i) => i + 1));
check('event stream fed byte by byte', () => assert.deepEqual(one.map(j => j.status), ['running', 'completed']));
console.log(`units: ${checks} checks`);
