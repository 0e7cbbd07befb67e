// The Compare page: two or more completed jobs (typically encodes of one reference) on one
// per-frame plot, the per-frame difference of each to the first (A), and a summary: mean,
// 1 % low, and the frames where a job is worse than A by more than X. Frames are matched by
// frame number. window.__vmafx.compare holds what is plotted (the browser tests read it).
import { api, frameColumns, jobPath } from './api.js';
import { errorBox, h, modelKeys } from './dom.js';
import { COLORS, framePlot, zoomTo } from './plot.js';
import { fmt, lowPercentMean, mean, min } from './stats.js';

function picker(ids) {
  const input = h('input', { type: 'text', id: 'compare-ids', size: 60, value: ids.join(','),
                             placeholder: 'job ids, comma-separated (or select them on the Jobs page)' });
  return h('form', { class: 'toolbar', onsubmit: e => {
    e.preventDefault();
    location.hash = '#/compare/' + input.value.split(/[\s,]+/).filter(Boolean).join(',');
  } }, input, h('button', { type: 'submit' }, 'Compare'));
}

// Values of one metric on the frame numbers every job has, in frame order.
function align(cols, metric) {
  const sets = cols.map(c => new Map(Array.from(c.x, (f, i) => [f, c.values[metric] ? c.values[metric][i] : null])));
  const x = Array.from(cols[0].x).filter(f => sets.every(s => s.has(f) && s.get(f) !== null));
  return { x, series: sets.map(s => Float64Array.from(x, f => s.get(f))) };
}

function summaryTable(jobs, al, X) {
  const a = al.series[0];
  return h('table', { id: 'compare-summary' },
    h('tr', {}, ['', 'job', 'labels', 'mean', '1 % low', 'min', 'mean − A', `frames worse than A by > ${X}`]
      .map(t => h('th', {}, t))),
    jobs.map((job, k) => {
      const v = al.series[k];
      const worse = k ? al.x.filter((f, i) => a[i] - v[i] > X) : [];
      return h('tr', { dataset: { id: job.id } }, h('td', {}, String.fromCharCode(65 + k)), h('td', {}, h('code', {}, job.id)),
        h('td', {}, Object.entries(job.labels || {}).map(([kk, vv]) => `${kk}=${vv}`).join(' ')),
        h('td', { class: 'num' }, fmt(mean(v), 4)), h('td', { class: 'num' }, fmt(lowPercentMean(v), 4)),
        h('td', { class: 'num' }, fmt(min(v), 4)),
        h('td', { class: 'num' }, k ? fmt(mean(v) - mean(a), 4) : '–'),
        h('td', { class: 'num', dataset: { worse: String(worse.length) },
                  title: worse.length ? `frames ${worse.slice(0, 20).join(', ')}${worse.length > 20 ? ', …' : ''} (click: zoom to the first)` : '' },
          k ? String(worse.length) : '–'));
    }));
}

async function render(box, ids) {
  box.replaceChildren(h('p', { class: 'muted' }, 'Loading…'));
  const jobs = await Promise.all(ids.map(id => api(jobPath(id))));
  const notDone = jobs.filter(j => j.status !== 'completed');
  if (notDone.length) throw new Error(`only completed jobs have frames: ${notDone.map(j => `${j.id} is ${j.status}`).join(', ')}`);
  const cols = await Promise.all(ids.map(id => frameColumns(id)));
  const common = cols[0].names.filter(n => cols.every(c => c.names.includes(n)));
  if (!common.length) throw new Error('the jobs have no metric in common');
  const models = modelKeys(jobs[0], common);
  const metricSel = h('select', { id: 'compare-metric' }, common.map(n => h('option', { value: n, selected: n === (models[0] || common[0]) }, n)));
  const xIn = h('input', { type: 'number', id: 'compare-x', value: '5', step: 'any', size: 5 });
  const plots = h('div', {});
  let made = [];

  const draw = () => {
    made.forEach(p => p.destroy());
    const metric = metricSel.value, X = parseFloat(xIn.value) || 0;
    const al = align(cols, metric);
    const label = k => `${String.fromCharCode(65 + k)} ${jobs[k].id}`;
    const over = h('div', { class: 'plot', id: 'compare-plot' }), diff = h('div', { class: 'plot', id: 'diff-plot' });
    const diffs = al.series.slice(1).map(v => v.map((y, i) => y - al.series[0][i]));   // Float64Arrays
    plots.replaceChildren(h('h2', {}, `${metric} per frame (${al.x.length} frames in common)`), over,
                          h('h2', {}, `Difference to A (${metric}: job − A)`), diff, summaryTable(jobs, al, X));
    const p1 = framePlot(over, { x: al.x, yLabel: metric, series: al.series.map((v, k) => ({ label: label(k), values: v, color: COLORS[k % COLORS.length] })) });
    const p2 = framePlot(diff, { x: al.x, height: 220, yLabel: `${metric} − A`, getThreshold: () => ({ value: -X, scale: 'left', runs: [] }),
                                 series: diffs.map((v, k) => ({ label: `${label(k + 1)} − A`, values: v, color: COLORS[(k + 1) % COLORS.length] })) });
    made = [p1, p2];
    plots.querySelectorAll('td[data-worse]').forEach(td => td.addEventListener('click', () => {
      const k = [...td.closest('table').rows].indexOf(td.closest('tr')) - 1;
      const f = al.x.find((ff, i) => al.series[0][i] - al.series[k][i] > X);
      if (f !== undefined) { zoomTo(p1, f); zoomTo(p2, f); }
    }));
    window.__vmafx.compare = { ids, metric, X, x: al.x, series: Object.fromEntries(ids.map((id, k) => [id, al.series[k]])),
                               diff: Object.fromEntries(ids.slice(1).map((id, k) => [id, diffs[k]])) };
  };
  metricSel.addEventListener('change', draw);
  xIn.addEventListener('change', draw);
  box.replaceChildren(h('div', { class: 'toolbar' }, h('label', {}, 'metric ', metricSel),
                        h('label', {}, 'X ', xIn)), plots);
  draw();
  return () => made.forEach(p => p.destroy());
}

export function comparePage(main, live, arg) {
  const ids = (arg || '').split(',').map(decodeURIComponent).filter(Boolean);
  if (!ids.length) {   // the jobs ticked on the Jobs page, offered in the picker
    const picked = JSON.parse(sessionStorage.getItem('vmafx.compare') || '[]');
    if (picked.length >= 2) { location.replace('#/compare/' + picked.map(encodeURIComponent).join(',')); return () => {}; }
  }
  const box = h('div', {});
  main.replaceChildren(h('h1', {}, 'Compare'), picker(ids), box);
  let cleanup = null;
  if (ids.length < 2) box.replaceChildren(h('p', { class: 'muted' }, 'Name two or more completed jobs: A is the first; the others are compared with it.'));
  else render(box, ids).then(c => { cleanup = c; }).catch(e => box.replaceChildren(errorBox(e)));
  return () => cleanup && cleanup();
}
