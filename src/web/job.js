// The Job page: state and progress (live), the error of a failed job, chunk states, pooled
// scores per model and feature, the per-frame plot with a threshold and the N worst frames,
// and the report's downloads. What is plotted is also on window.__vmafx.plot (the browser
// tests compare it with GET /v1/jobs/{id}/frames), with the timings of the first plot.
import { api, blob, frameColumns, jobPath } from './api.js';
import { TERMINAL, errorBox, etaEl, h, labelsEl, modelKeys, modelsText, progressEl, stateEl, when } from './dom.js';
import { COLORS, framePlot, zoomTo } from './plot.js';
import { fmt, runsBelow, worstFrames } from './stats.js';

function summary(job) {
  const row = (k, v) => [h('span', { class: 'muted' }, k), h('span', {}, v)];
  return h('div', { class: 'grid', id: 'job-summary' },
    row('state', stateEl(job)), row('progress', progressEl(job)), row('ETA', etaEl(job)),
    row('reference', job.reference_uri), row('distorted', job.distorted_uri),
    row('models', modelsText(job)), row('features', (job.features || []).join(', ') || '–'),
    row('labels', labelsEl(job.labels)), row('priority', String(job.priority ?? 0)),
    row('created', when(job.created_at)), row('started', when(job.started_at)),
    row('finished', when(job.finished_at)), row('node', job.node || '–'),
    row('attempts', `${job.attempts} (lost leases: ${job.lost_leases})`));
}

// Chunks (from the chunked-jobs work): a table of whatever fields each chunk has.
function chunksEl(chunks) {
  if (!Array.isArray(chunks) || !chunks.length) return null;
  const cols = [...new Set(chunks.flatMap(c => Object.keys(c || {})))];
  const cell = v => v !== null && typeof v === 'object' ? JSON.stringify(v) : (v ?? '–');
  return h('section', { id: 'chunks' }, h('h2', {}, `Chunks (${chunks.length})`),
    h('table', {}, h('tr', {}, cols.map(c => h('th', {}, c))),
      chunks.map(c => h('tr', {}, cols.map(k => h('td', {}, k === 'status' || k === 'state'
        ? h('span', { class: `state state-${c[k]}` }, cell(c[k])) : cell(c[k])))))));
}

function pooledTable(job) {
  const pooled = job.pooled_metrics || {};
  const models = modelKeys(job, Object.keys(pooled));
  const names = [...models, ...Object.keys(pooled).filter(k => !models.includes(k))];
  const stats = ['mean', 'harmonic_mean', 'min', 'max'];
  return h('table', { id: 'pooled' }, h('tr', {}, h('th', {}, 'metric'), stats.map(s => h('th', { class: 'num' }, s))),
    names.map(n => h('tr', { dataset: { metric: n } }, h('td', {}, models.includes(n) ? h('b', {}, n) : n),
      stats.map(s => h('td', { class: 'num' }, fmt(pooled[n] && pooled[n][s], 4))))));
}

function downloads(id) {
  const get = fmtName => async () => {
    const b = await blob(`${jobPath(id)}/frames?format=${fmtName}`);
    const a = h('a', { href: URL.createObjectURL(b), download: `vmafx-${id}.${fmtName}` });
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(a.href), 10000);
  };
  return h('div', { class: 'toolbar', id: 'downloads' }, 'Report:',
    ['json', 'xml', 'csv'].map(f => h('button', { type: 'button', dataset: { format: f }, onclick: get(f) }, f.toUpperCase())));
}

// The plot, its series picker, the threshold and the worst frames.
function framesView(job, cols, timing, pooled) {
  const models = modelKeys(job, cols.names);
  const order = [...models, ...cols.names.filter(n => !models.includes(n))];   // colours: models first
  const primary = models[0] || cols.names[0];
  const chosen = new Set(models.length ? models : cols.names.slice(0, 1));
  const box = h('div', { class: 'plot', id: 'frames-plot' });
  const thrInput = h('input', { type: 'number', id: 'threshold', value: '60', step: 'any', size: 6 });
  const nInput = h('input', { type: 'number', id: 'worst-n', value: '10', min: 1, max: 1000, size: 5 });
  const worstBox = h('div', { id: 'worst' });
  let plot = null, threshold = null;

  const state = () => {
    const t = parseFloat(thrInput.value);
    // runs of frame numbers (not indices: a subsampled job's frames are 0, 2, 4, ...)
    const runs = Number.isFinite(t) ? runsBelow(cols.values[primary], t).map(([a, b]) => [cols.x[a], cols.x[b]]) : [];
    threshold = Number.isFinite(t) ? { value: t, scale: 'left', runs } : null;
  };
  const draw = () => {
    if (plot) plot.destroy();
    box.replaceChildren();
    const names = cols.names.filter(n => chosen.has(n));
    const series = names.map(n => ({ label: n, values: cols.values[n], color: COLORS[order.indexOf(n) % COLORS.length],
                                     scale: models.includes(n) ? 'left' : (names.some(m => models.includes(m)) ? 'right' : 'left') }));
    const t0 = performance.now();
    let first = true;
    plot = framePlot(box, { x: cols.x, series, getThreshold: () => threshold, onDraw: () => {
      if (first) { first = false; timing.plot_ms = performance.now() - t0; timing.first_plot_ms = performance.now() - timing.t0; }
      window.__vmafx.draws = (window.__vmafx.draws || 0) + 1;
    } });
    window.__vmafx.plot = { job: job.id, x: cols.x, series: Object.fromEntries(names.map(n => [n, cols.values[n]])),
                            primary, threshold: threshold && { value: threshold.value, runs: threshold.runs }, uplot: plot };
  };
  const worst = () => {
    const n = Math.max(1, Math.min(1000, parseInt(nInput.value, 10) || 10));
    const v = cols.values[primary];
    worstBox.replaceChildren(h('table', {}, h('tr', {}, h('th', {}, '#'), h('th', { class: 'num' }, 'frame'),
                                                   h('th', { class: 'num' }, primary)),
      worstFrames(v, n).map((i, k) => h('tr', { class: 'row', onclick: () => zoomTo(plot, cols.x[i]) },
        h('td', {}, String(k + 1)), h('td', { class: 'num' }, h('a', { class: 'frame' }, String(cols.x[i]))),
        h('td', { class: 'num' }, fmt(v[i], 4))))));
  };
  const picker = h('div', { class: 'series-pick' }, 'Show: ', cols.names.map(n => h('label', {},
    h('input', { type: 'checkbox', checked: chosen.has(n), dataset: { series: n },
                 onchange: e => { if (e.target.checked) chosen.add(n); else chosen.delete(n); draw(); } }), n)));
  thrInput.addEventListener('change', () => { state(); plot.redraw(false, false); window.__vmafx.plot.threshold = threshold; });
  nInput.addEventListener('change', worst);
  state();
  queueMicrotask(() => { draw(); worst(); });
  return {
    el: h('section', {}, h('h2', {}, `Per frame (${cols.x.length} frames)`), picker,
          h('div', { class: 'toolbar' }, h('label', {}, `Highlight frames with ${primary} below `, thrInput),
            h('span', { class: 'muted' }, 'drag: zoom · wheel: zoom · Shift+drag: pan · double-click: all')),
          box, h('div', { class: 'columns' }, pooled,
                 h('section', {}, h('h2', {}, 'Worst frames'), h('label', {}, 'N ', nInput), worstBox))),
    destroy: () => plot && plot.destroy(),
  };
}

// What the node said about the inputs while it scored (scaling, sync, frame counts and rates).
function warningsEl(warnings) {
  if (!Array.isArray(warnings) || !warnings.length) return null;
  return h('section', { class: 'warnbox', id: 'job-warnings' }, h('h2', {}, 'Warnings'),
           h('ul', {}, ...warnings.map(w => h('li', {}, String(w)))));
}

export function jobPage(main, live, id) {
  const timing = window.__vmafx.timing = { t0: performance.now() };
  const head = h('div', {}), body = h('div', {});
  main.replaceChildren(h('h1', {}, 'Job ', h('code', {}, id)), head, body);
  let frames = null, shown = null, gone = false, last = null;

  const render = async job => {
    if (gone) return;
    last = job.status;
    head.replaceChildren(...[summary(job), job.error ? h('div', { class: 'errorbox', id: 'job-error' }, job.error) : null,
                             warningsEl(job.warnings), chunksEl(job.chunks)].filter(Boolean));
    if (job.status !== 'completed' || shown === 'completed') return;
    shown = 'completed';
    const pooled = h('section', {}, h('h2', {}, 'Pooled scores'), pooledTable(job));
    body.replaceChildren(downloads(id), h('p', { class: 'muted' }, 'Loading frames…'));
    const cols = await frameColumns(id, timing);
    if (gone) return;
    frames = framesView(job, cols, timing, pooled);
    body.lastChild.replaceWith(frames.el);
  };
  const load = () => api(jobPath(id)).then(render).catch(e => head.replaceChildren(errorBox(e)));
  const offJob = live.onJob(j => { if (j.id === id) render(j).catch(e => body.replaceChildren(errorBox(e))); });
  const offTick = live.onTick(() => TERMINAL.has(last) ? null : load());
  load();
  return () => { gone = true; offJob(); offTick(); if (frames) frames.destroy(); };
}
