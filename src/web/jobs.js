// The Jobs page: one page of GET /v1/jobs at a time (its cursor walks any number of jobs; the
// cursors of earlier pages are kept for "previous"), filtered by state and label, with the
// rows updated live from the event stream (or the current page fetched again when polling).
import { api } from './api.js';
import { errorBox, etaEl, h, labelsEl, modelsText, pooledEl, progressEl, stateEl, when } from './dom.js';

const STATES = ['', 'pending', 'running', 'completed', 'failed', 'cancelled'];

function query(q, cursor) {
  const p = new URLSearchParams();
  if (q.status) p.set('status', q.status);
  if (q.label) p.set('label', q.label);
  p.set('limit', String(q.limit));
  if (cursor) p.set('cursor', cursor);
  return '/v1/jobs?' + p;
}

function row(job, selected, toggle) {
  return h('tr', { class: 'row', dataset: { id: job.id, state: job.status },
                   onclick: e => { if (e.target.type !== 'checkbox') location.hash = '#/job/' + encodeURIComponent(job.id); } },
    h('td', {}, h('input', { type: 'checkbox', checked: selected.has(job.id), title: 'select for Compare',
                             onchange: e => toggle(job.id, e.target.checked) })),
    h('td', {}, h('code', {}, job.id)), h('td', {}, stateEl(job)), h('td', { class: 'progress' }, progressEl(job)),
    h('td', {}, etaEl(job)), h('td', {}, labelsEl(job.labels)), h('td', {}, modelsText(job)),
    h('td', { class: 'pooled' }, pooledEl(job)), h('td', {}, when(job.created_at)), h('td', {}, when(job.finished_at)));
}

function matches(q, job) {
  if (q.status && job.status !== q.status) return false;
  if (!q.label) return true;
  const [k, v] = q.label.split('=', 2), labels = job.labels || {};
  return k in labels && (v === undefined || labels[k] === v);
}

export function jobsPage(main, live, params) {
  const q = { status: params.get('status') || '', label: params.get('label') || '',
              limit: Math.min(1000, Math.max(1, parseInt(params.get('limit') || '100', 10) || 100)) };
  const cursors = [null];   // cursors[i]: the cursor of page i
  let page = 0, next = null, jobs = [], gone = false, loading = null;
  const selected = new Set(JSON.parse(sessionStorage.getItem('vmafx.compare') || '[]'));
  const tbody = h('tbody', {}), info = h('span', { class: 'muted', id: 'page-info' }), err = h('div', {});
  const compareBtn = h('button', { type: 'button', id: 'compare-selected',
                                   onclick: () => { location.hash = '#/compare/' + [...selected].join(','); } });
  const updateCompare = () => {
    compareBtn.textContent = `Compare selected (${selected.size})`;
    compareBtn.disabled = selected.size < 2;
    sessionStorage.setItem('vmafx.compare', JSON.stringify([...selected]));
  };
  const toggle = (id, on) => { if (on) selected.add(id); else selected.delete(id); updateCompare(); };
  const prev = h('button', { type: 'button', id: 'prev', onclick: () => { if (page > 0) { page--; load(); } } }, '← Newer');
  const nextBtn = h('button', { type: 'button', id: 'next', onclick: () => { if (next) { cursors[page + 1] = next; page++; load(); } } },
                    'Older →');

  const render = () => {
    tbody.replaceChildren(...jobs.map(j => row(j, selected, toggle)));
    info.textContent = jobs.length ? `page ${page + 1} · ${jobs.length} jobs` : 'no jobs';
    prev.disabled = page === 0;
    nextBtn.disabled = !next;
  };
  const load = () => {
    const ctl = new AbortController();
    if (loading) loading.abort();
    loading = ctl;
    return api(query(q, cursors[page]), { signal: ctl.signal }).then(r => {
      if (gone || ctl.signal.aborted) return;
      jobs = r.jobs;
      next = r.next_cursor;
      err.replaceChildren();
      render();
      document.documentElement.dataset.jobsLoaded = String(Date.now());
    }).catch(e => { if (!ctl.signal.aborted) err.replaceChildren(errorBox(e)); });
  };
  const apply = () => {
    const p = new URLSearchParams();
    if (q.status) p.set('status', q.status);
    if (q.label) p.set('label', q.label);
    if (q.limit !== 100) p.set('limit', String(q.limit));
    location.hash = '#/jobs' + (p.toString() ? '?' + p : '');
  };
  const stateSel = h('select', { id: 'filter-state', onchange: e => { q.status = e.target.value; apply(); } },
    STATES.map(s => h('option', { value: s, selected: s === q.status }, s || 'any state')));
  const labelIn = h('input', { type: 'text', id: 'filter-label', value: q.label, placeholder: 'label KEY or KEY=VALUE',
                               onchange: e => { q.label = e.target.value.trim(); apply(); } });
  const limitSel = h('select', { id: 'page-size', onchange: e => { q.limit = parseInt(e.target.value, 10); apply(); } },
    [25, 50, 100, 250, 1000].map(n => h('option', { value: String(n), selected: n === q.limit }, `${n} a page`)));

  main.replaceChildren(h('h1', {}, 'Jobs'),
    h('div', { class: 'toolbar' }, stateSel, labelIn, limitSel, prev, nextBtn, info, compareBtn), err,
    h('table', { id: 'jobs' }, h('thead', {}, h('tr', {}, ['', 'id', 'state', 'progress', 'ETA', 'labels', 'models',
                                                            'pooled', 'created', 'finished'].map(t => h('th', {}, t)))),
      tbody));
  updateCompare();

  // Event stream: a shown job is updated in place; a new one that belongs on the first page
  // reloads it (at most once a second).
  let reloadSoon = null;
  const offJob = live.onJob(job => {
    const i = jobs.findIndex(j => j.id === job.id);
    if (i >= 0) {
      jobs[i] = job;
      const old = tbody.querySelector(`tr[data-id="${CSS.escape(job.id)}"]`);
      if (old) old.replaceWith(row(job, selected, toggle));
      else render();
    } else if (page === 0 && matches(q, job) && !reloadSoon) {
      reloadSoon = setTimeout(() => { reloadSoon = null; load(); }, 1000);
    }
  });
  const offTick = live.onTick(load);
  load();
  return () => { gone = true; offJob(); offTick(); clearTimeout(reloadSoon); if (loading) loading.abort(); };
}
