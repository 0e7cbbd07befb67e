// Per-frame plots on uPlot: x is the frame number. Zoom: drag a range, or the mouse wheel;
// pan: Shift+drag; double-click: everything. Hover shows the frame number and every value.
// A threshold paints the runs of frames below it (precomputed, so that drawing a view of
// 200,000 frames costs only the runs in it).
import uPlot from './uPlot.esm.js';

export const COLORS = ['#2563eb', '#dc2626', '#16a34a', '#9333ea', '#ea580c', '#0891b2', '#be185d', '#4d7c0f',
                       '#7c2d12', '#1e40af'];

// whole frames only on the frame axis
const FRAME_STEPS = [1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 2500, 5000, 10000, 20000, 25000, 50000,
                     100000, 200000, 500000, 1000000];

function wheelZoomPan() {
  return {
    hooks: {
      ready(u) {
        const over = u.over;
        over.addEventListener('wheel', e => {
          e.preventDefault();
          const { min, max } = u.scales.x, [lo, hi] = u.__extent;
          const at = u.posToVal(e.offsetX, 'x'), f = e.deltaY < 0 ? 0.75 : 1 / 0.75;
          let a = at - (at - min) * f, b = at + (max - at) * f;
          if (b - a >= hi - lo) [a, b] = [lo, hi];
          u.setScale('x', { min: Math.max(lo, a), max: Math.min(hi, b) });
        }, { passive: false });
        over.addEventListener('mousedown', e => {
          if (!e.shiftKey) return;
          e.preventDefault();
          e.stopPropagation();
          const x0 = e.clientX, { min, max } = u.scales.x, per = (max - min) / u.over.clientWidth;
          const [lo, hi] = u.__extent;
          const move = m => {
            let d = (x0 - m.clientX) * per;
            d = Math.max(lo - min, Math.min(hi - max, d));
            u.setScale('x', { min: min + d, max: max + d });
          };
          const up = () => { window.removeEventListener('mousemove', move); window.removeEventListener('mouseup', up); };
          window.addEventListener('mousemove', move);
          window.addEventListener('mouseup', up);
        }, true);
      },
    },
  };
}

// opts.threshold: { value, scale, runs: [[first, last], ...] } or null
function thresholdBands(getThreshold) {
  return {
    hooks: {
      drawClear(u) {
        const t = getThreshold();
        if (!t || !t.runs.length) return;
        const { ctx } = u, { top, height } = u.bbox, { min, max } = u.scales.x;
        ctx.save();
        ctx.fillStyle = 'rgba(220, 38, 38, 0.14)';
        // the first run that may be visible: binary search on the run ends
        let lo = 0, hi = t.runs.length;
        while (lo < hi) { const m = (lo + hi) >> 1; if (t.runs[m][1] < min - 1) lo = m + 1; else hi = m; }
        for (let i = lo; i < t.runs.length && t.runs[i][0] <= max + 1; i++) {
          const a = u.valToPos(t.runs[i][0] - 0.5, 'x', true), b = u.valToPos(t.runs[i][1] + 0.5, 'x', true);
          ctx.fillRect(a, top, Math.max(1, b - a), height);
        }
        ctx.restore();
      },
      draw(u) {
        const t = getThreshold();
        if (!t || !u.scales[t.scale]) return;
        const { ctx } = u, y = u.valToPos(t.value, t.scale, true);
        ctx.save();
        ctx.strokeStyle = 'rgba(220, 38, 38, 0.8)';
        ctx.setLineDash([6, 4]);
        ctx.beginPath();
        ctx.moveTo(u.bbox.left, y);
        ctx.lineTo(u.bbox.left + u.bbox.width, y);
        ctx.stroke();
        ctx.restore();
      },
    },
  };
}

// series: [{ label, values, scale ('left' or 'right'), color }]
export function framePlot(el, { x, series, height = 340, title, yLabel, getThreshold = () => null, onDraw }) {
  const hasRight = series.some(s => s.scale === 'right');
  const opts = {
    width: Math.max(400, el.clientWidth - 12),
    height,
    title,
    cursor: { drag: { x: true, y: false, setScale: true }, focus: { prox: 16 } },
    scales: { x: { time: false } },
    series: [
      { label: 'frame', value: (u, v) => v === null || v === undefined ? '–' : String(v) },
      ...series.map((s, i) => ({ label: s.label, scale: s.scale || 'left', stroke: s.color || COLORS[i % COLORS.length],
                                  width: 1, points: { show: false },
                                  value: (u, v) => v === null || v === undefined ? '–' : v.toFixed(4) })),
    ],
    axes: [
      { label: 'frame', incrs: FRAME_STEPS },
      { scale: 'left', label: yLabel || series.filter(s => (s.scale || 'left') === 'left').map(s => s.label).slice(0, 3).join(', ') },
      ...(hasRight ? [{ scale: 'right', side: 1, grid: { show: false },
                        label: series.filter(s => s.scale === 'right').map(s => s.label).slice(0, 3).join(', ') }] : []),
    ],
    plugins: [wheelZoomPan(), thresholdBands(getThreshold)],
    hooks: { draw: [u => onDraw && onDraw(u)] },
  };
  const data = [x, ...series.map(s => s.values)];
  const u = new uPlot(opts, data, el);
  u.__extent = [x.length ? x[0] : 0, x.length ? x[x.length - 1] : 1];
  const resize = () => u.setSize({ width: Math.max(400, el.clientWidth - 12), height });
  window.addEventListener('resize', resize);
  const destroy = u.destroy.bind(u);
  u.destroy = () => { window.removeEventListener('resize', resize); destroy(); };
  return u;
}

// Shows frames [f - w, f + w]
export function zoomTo(u, f, w = 60) {
  const [lo, hi] = u.__extent;
  u.setScale('x', { min: Math.max(lo, f - w), max: Math.min(hi, f + w) });
}
