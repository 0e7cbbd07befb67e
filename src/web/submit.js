// The Submit page (writer role): reference and distorted URI, models, features, labels,
// priority and a few options, sent as POST /v1/jobs. Whether this token may submit is asked
// without a side effect: an empty body is refused with 403 for a token that lacks the role
// (the controller checks the role first), and with 400 otherwise.
import { ApiError, api, request } from './api.js';
import { errorBox, h } from './dom.js';

async function maySubmit() {
  const r = await request('/v1/jobs', { method: 'POST', body: {} });
  return r.status !== 403;
}

function labelsFrom(text) {
  const labels = {};
  for (const line of text.split(/[\n,]+/).map(s => s.trim()).filter(Boolean)) {
    const eq = line.indexOf('=');
    if (eq <= 0) throw new ApiError(400, `labels: '${line}' is not KEY=VALUE`, 'labels');
    labels[line.slice(0, eq).trim()] = line.slice(eq + 1).trim();
  }
  return labels;
}

function form(catalog) {
  const models = (catalog.models || []).filter(m => m.available !== false).map(m => m.name);
  const def = catalog.default_model || 'vmaf_v0.6.1';
  const features = (catalog.features || []).map(f => f.name);
  const txt = (id, ph, req) => h('input', { type: 'text', id, name: id, placeholder: ph, required: req, spellcheck: 'false' });
  const checks = (name, list, on) => h('div', { class: 'checks', id: name }, list.map(n =>
    h('label', {}, h('input', { type: 'checkbox', name, value: n, checked: on.includes(n) }), n)));
  const out = h('div', { id: 'submit-result' });
  const f = h('form', { class: 'submit', id: 'submit-form' },
    h('label', { for: 'reference_uri' }, 'Reference URI'), txt('reference_uri', 's3://bucket/ref.mkv, /path/on/node.y4m, https://…', true),
    h('label', { for: 'distorted_uri' }, 'Distorted URI'), txt('distorted_uri', 's3://bucket/dis.mkv', true),
    h('span', {}, 'Models'), checks('models', models, [def]),
    h('span', {}, 'Features'), checks('features', features, []),
    h('label', { for: 'labels' }, 'Labels'), h('textarea', { id: 'labels', rows: 3, placeholder: 'title=Movie\nladder=1080p' }),
    h('label', { for: 'priority' }, 'Priority'), h('input', { type: 'number', id: 'priority', value: '0', min: -1000, max: 1000 }),
    h('label', { for: 'subsample' }, 'Subsample'), h('input', { type: 'number', id: 'subsample', min: 1, placeholder: '1' }),
    h('label', { for: 'frame_cnt' }, 'Frames (at most)'), h('input', { type: 'number', id: 'frame_cnt', min: 1, placeholder: 'all' }),
    h('span', {}), h('button', { type: 'submit', id: 'submit-button' }, 'Submit job'),
    h('span', {}), out);
  f.addEventListener('submit', async e => {
    e.preventDefault();
    const v = id => f.querySelector('#' + id).value.trim();
    const picked = name => [...f.querySelectorAll(`input[name=${name}]:checked`)].map(i => i.value);
    try {
      const body = { reference_uri: v('reference_uri'), distorted_uri: v('distorted_uri'), models: picked('models'),
                     features: picked('features'), labels: labelsFrom(v('labels')), priority: parseInt(v('priority') || '0', 10) };
      const options = {};
      if (v('subsample')) options.subsample = parseInt(v('subsample'), 10);
      if (v('frame_cnt')) options.frame_cnt = parseInt(v('frame_cnt'), 10);
      if (Object.keys(options).length) body.options = options;
      if (!body.models.length) delete body.models;
      const r = await api('/v1/jobs', { method: 'POST', body });
      location.hash = '#/job/' + encodeURIComponent(r.id);
    } catch (err) {
      out.replaceChildren(errorBox(err.field ? new Error(`${err.message} (field ${err.field})`) : err));
      out.dataset.status = String(err.status || '');
    }
  });
  return f;
}

export function submitPage(main) {
  main.replaceChildren(h('h1', {}, 'Submit a job'), h('p', { class: 'muted' }, 'Checking this token’s role…'));
  let gone = false;
  (async () => {
    const [ok, catalog] = await Promise.all([maySubmit(), api('/v1/models').catch(() => ({}))]);
    if (gone) return;
    if (!ok) {
      main.replaceChildren(h('h1', {}, 'Submit a job'),
        h('div', { class: 'errorbox', id: 'submit-refused' }, 'This token may read jobs but not submit them (it needs the writer or admin role).'));
      return;
    }
    main.replaceChildren(h('h1', {}, 'Submit a job'), form(catalog));
  })().catch(e => { if (!gone) main.replaceChildren(h('h1', {}, 'Submit a job'), errorBox(e)); });
  return () => { gone = true; };
}
