// Building the pages' elements (never innerHTML: every text from the API goes in as text) and
// the pieces of a job that several pages show.
import { duration, fmt } from './stats.js';

export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else if (k === 'class') el.className = v;
    else if (k === 'dataset') Object.assign(el.dataset, v);
    else if (k in el && typeof v !== 'string') el[k] = v;
    else el.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children.flat()) {
    if (c === undefined || c === null || c === false) continue;
    el.append(c instanceof Node ? c : String(c));
  }
  return el;
}

export const TERMINAL = new Set(['completed', 'failed', 'cancelled']);

export const stateEl = job => h('span', { class: `state state-${job.status}`, dataset: { state: job.status } },
                                job.status);

// Seconds left from the node's last progress report, or NaN.
export function etaSeconds(job) {
  const p = job.progress || {};
  if (job.status !== 'running' || !(p.fps > 0) || !(p.frames_total > 0)) return NaN;
  return Math.max(0, (p.frames_total - p.frames_done) / p.fps);
}

export function progressEl(job) {
  const p = job.progress || {};
  if (job.status === 'completed') return h('span', {}, `${p.frames_done} frames`);
  if (job.status !== 'running') return h('span', { class: 'muted' }, p.frames_done ? `${p.frames_done} frames` : '–');
  const total = p.frames_total > 0 ? p.frames_total : null;
  return h('span', {}, h('progress', { max: total || 1, value: total ? p.frames_done : 0 }), ' ',
           total ? `${p.frames_done}/${total}` : `${p.frames_done}`, p.fps ? ` · ${fmt(p.fps, 1)} fps` : '');
}

export const etaEl = job => h('span', { class: 'eta' }, job.status === 'running' ? duration(etaSeconds(job)) : '–');

export const labelsEl = labels => h('span', { class: 'labels' },
  Object.entries(labels || {}).map(([k, v]) => h('span', {}, `${k}=${v}`)));

// The names the report gives the job's models: one model is "vmaf", several their versions,
// "name=N" its N (as `vmafx score` and libvmaf name them).
export function modelKeys(job, available) {
  const specs = job.models && job.models.length ? job.models : ['vmaf_v0.6.1'];
  let keys = specs.length === 1 ? ['vmaf'] : [];
  for (const s of specs) {
    const kv = Object.fromEntries(s.split(':').map(p => p.includes('=') ? p.split('=', 2) : [p, true]));
    if (kv.name) keys.push(kv.name);
    keys.push(kv.version || s);
  }
  keys = [...new Set(keys)];
  const have = available ? keys.filter(k => available.includes(k)) : keys;
  return have.length ? have : (available || []).filter(k => k.startsWith('vmaf'));
}

export const modelsText = job => (job.models && job.models.length ? job.models : ['vmaf_v0.6.1 (default)']).join(', ');

// "vmaf 93.21" for each model of a completed job
export function pooledEl(job) {
  const pooled = job.pooled_metrics;
  if (!pooled) return h('span', { class: 'muted' }, '–');
  return h('span', {}, modelKeys(job, Object.keys(pooled)).map(k =>
    h('span', { class: 'chip', title: `${k}: pooled mean` }, `${k} ${fmt(pooled[k] && pooled[k].mean, 2)}`)));
}

// one formatter for every time shown (toLocaleString() builds a new one each call: slow
// for a page of 1,000 jobs)
const TIME = new Intl.DateTimeFormat(undefined, { dateStyle: 'short', timeStyle: 'medium' });
export const when = t => t ? TIME.format(new Date(t)) : '–';

export function errorBox(err) {
  return h('div', { class: 'errorbox', role: 'alert' }, err.message || String(err));
}
