// Drives the dashboard in Debian's chromium, headless, through playwright-core (no browser
// download): tests/test_dashboard.py starts the controller and node, runs this script with a
// JSON config, and judges what it writes (the plotted data, the pages' rows, the downloads,
// the screenshots) against the API. Every wait is bounded.
//
// usage: node dashboard.mjs CONFIG.json   (config: see tests/test_dashboard.py)
import { createRequire } from 'module';
import fs from 'fs';
import path from 'path';

const cfg = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
const require = createRequire(import.meta.url);
const { chromium } = require(cfg.playwright);
const out = { steps: [], screenshots: [], console: [] };
const T = cfg.timeout_ms || 20000;

function log(msg) {
  console.log(`[dashboard] ${msg}`);
  out.steps.push(msg);
}

async function shot(page, name) {
  const file = path.join(cfg.artefacts, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  out.screenshots.push(file);
  console.log(`[dashboard] screenshot ${file}`);
}

// The plot's canvas alone: the test counts its series' line colours.
async function plotShot(page, sel, name) {
  const file = path.join(cfg.artefacts, `${name}.png`);
  await page.locator(sel).screenshot({ path: file });
  out.screenshots.push(file);
  console.log(`[dashboard] screenshot ${file}`);
}

async function newPage(browser, label) {
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 }, acceptDownloads: true });
  const page = await ctx.newPage();
  page.setDefaultTimeout(T);
  page.on('console', m => { if (m.type() === 'error' || m.type() === 'warning') out.console.push(`${label}: ${m.text()}`); });
  page.on('pageerror', e => out.console.push(`${label}: page error: ${e.message}`));
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', e => {
      (window.__csp = window.__csp || []).push(`${e.violatedDirective} ${e.blockedURI}`);
    });
  });
  return page;
}

async function login(page, tok) {
  await page.waitForSelector('#login:not([hidden])');
  await page.fill('#token', tok);
  await page.click('#login button[type=submit]');
  await page.waitForSelector('#login', { state: 'hidden' });
}

const rowIds = page => page.$$eval('#jobs tbody tr', trs => trs.map(t => t.dataset.id));

async function jobsLoaded(page, hash) {
  const before = await page.evaluate(() => document.documentElement.dataset.jobsLoaded || '');
  await page.evaluate(h => { location.hash = h; }, hash);
  await page.waitForFunction(b => (document.documentElement.dataset.jobsLoaded || '') !== b, before);
}

async function clickAndLoad(page, sel) {
  const before = await page.evaluate(() => document.documentElement.dataset.jobsLoaded || '');
  await page.click(sel);
  await page.waitForFunction(b => (document.documentElement.dataset.jobsLoaded || '') !== b, before);
}

// Pages of the bulk label at 100 a page, walked with the Older/Newer buttons.
async function paging(page) {
  await jobsLoaded(page, `#/jobs?label=${encodeURIComponent(cfg.bulk_label)}`);
  const pages = [await rowIds(page)];
  while (!(await page.$eval('#next', b => b.disabled))) {
    await clickAndLoad(page, '#next');
    pages.push(await rowIds(page));
    if (pages.length > 20) throw new Error('more pages than jobs');
  }
  await clickAndLoad(page, '#prev');
  out.paging = { pages, back: await rowIds(page) };
  await jobsLoaded(page, '#/jobs?status=cancelled&limit=25');
  out.state_filter = await page.$$eval('#jobs tbody tr', trs => trs.map(t => t.dataset.state));
  log(`paging: ${pages.map(p => p.length).join(' + ')} rows; state filter: ${out.state_filter.length} rows`);
}

// Fills the Submit form and follows the job page until completed; returns the job id.
async function submitAndWatch(page, dis, labels, name) {
  await page.evaluate(() => { location.hash = '#/submit'; });
  await page.waitForSelector('#submit-form');
  await page.fill('#reference_uri', cfg.ref);
  await page.fill('#distorted_uri', dis);
  for (const f of cfg.features) await page.check(`#features input[value="${f}"]`);
  await page.fill('#labels', labels);
  await page.evaluate(() => { window.__noReload = 1; });
  await page.click('#submit-button');
  await page.waitForFunction(() => location.hash.startsWith('#/job/'));
  const id = decodeURIComponent(await page.evaluate(() => location.hash.slice(6)));
  const seen = [];
  const end = Date.now() + cfg.job_timeout_ms;
  for (;;) {
    const st = await page.evaluate(() => {
      const s = document.querySelector('#job-summary [data-state]');
      return s ? s.dataset.state : null;
    });
    if (st && seen[seen.length - 1] !== st) seen.push(st);
    if (st === 'completed' || st === 'failed' || st === 'cancelled') break;
    if (Date.now() > end) throw new Error(`job ${id} not finished after ${cfg.job_timeout_ms} ms; states seen ${seen}`);
    await page.waitForTimeout(100);
  }
  await page.waitForFunction(() => window.__vmafx.plot && window.__vmafx.draws > 0, null, { timeout: T });
  const kept = await page.evaluate(() => window.__noReload === 1);
  out.jobs = out.jobs || {};
  out.jobs[name] = { id, states: seen, no_reload: kept };
  log(`job ${name} ${id}: states ${seen.join(' → ')} (page not reloaded: ${kept})`);
  return id;
}

async function jobPageChecks(page, id) {
  const plot = await page.evaluate(() => {
    const p = window.__vmafx.plot;
    return { job: p.job, x: Array.from(p.x), series: Object.fromEntries(Object.entries(p.series).map(([k, v]) => [k, Array.from(v)])),
             primary: p.primary, threshold: p.threshold };
  });
  // every feature the report has, shown too (tick them all)
  for (const box of await page.$$('.series-pick input:not(:checked)')) await box.check();
  await page.waitForFunction(n => Object.keys(window.__vmafx.plot.series).length === n,
                             await page.$$eval('.series-pick input', i => i.length));
  const all = await page.evaluate(() => Object.fromEntries(Object.entries(window.__vmafx.plot.series).map(([k, v]) => [k, Array.from(v)])));
  // only the models again, for the screenshot
  for (const box of await page.$$('.series-pick input:checked')) {
    const name = await box.getAttribute('data-series');
    if (!plot.series[name]) await box.uncheck();
  }
  // hover: the legend names the frame under the cursor
  const over = await page.$('#frames-plot .u-over');
  const bb = await over.boundingBox();
  await page.mouse.move(bb.x + bb.width * 0.5, bb.y + bb.height * 0.5);
  const legend = await page.$$eval('#frames-plot .u-legend .u-series', rows => rows.map(r => r.innerText.replace(/\s+/g, ' ').trim()));
  // zoom by dragging a range over the middle fifth
  await page.mouse.move(bb.x + bb.width * 0.4, bb.y + bb.height * 0.5);
  await page.mouse.down();
  await page.mouse.move(bb.x + bb.width * 0.6, bb.y + bb.height * 0.5, { steps: 5 });
  await page.mouse.up();
  const zoomed = await page.evaluate(() => ({ ...window.__vmafx.plot.uplot.scales.x }));
  // a threshold that some frames are below
  await page.fill('#threshold', String(cfg.threshold));
  await page.dispatchEvent('#threshold', 'change');
  await page.waitForFunction(t => window.__vmafx.plot.threshold && window.__vmafx.plot.threshold.value === t, cfg.threshold);
  const threshold = await page.evaluate(() => window.__vmafx.plot.threshold);
  const worst = await page.$$eval('#worst tr', trs => trs.slice(1).map(t => [...t.cells].map(c => c.innerText)));
  const pooled = await page.$$eval('#pooled tr', trs => trs.slice(1).map(t => [...t.cells].map(c => c.innerText)));
  await page.dblclick('#frames-plot .u-over');   // all frames again
  await page.waitForFunction(n => window.__vmafx.plot.uplot.scales.x.max - window.__vmafx.plot.uplot.scales.x.min >= n - 1,
                             plot.x.length);
  await shot(page, 'job');
  await plotShot(page, '#frames-plot canvas', 'job-plot');
  // a download: the JSON report
  const [dl] = await Promise.all([page.waitForEvent('download'), page.click('#downloads button[data-format=json]')]);
  const file = path.join(cfg.artefacts, `report-${id}.json`);
  await dl.saveAs(file);
  out.job_page = { id, plot, all, legend, zoomed, worst, pooled, threshold, download: file };
  log(`job page: ${Object.keys(all).length} series of ${plot.x.length} frames; legend "${legend[0]}"; zoomed to ${zoomed.min}..${zoomed.max}`);
}

// From the Jobs page: tick A, then B, then "Compare selected".
async function compare(page, ids) {
  for (const id of ids) await page.check(`#jobs tr[data-id="${id}"] input[type=checkbox]`);
  await page.click('#compare-selected');
  await page.waitForFunction(() => window.__vmafx.compare && document.querySelector('#compare-summary'));
  await page.fill('#compare-x', String(cfg.compare_x));
  await page.dispatchEvent('#compare-x', 'change');
  await page.waitForFunction(x => window.__vmafx.compare.X === x, cfg.compare_x);
  out.compare = await page.evaluate(() => {
    const c = window.__vmafx.compare;
    const arr = o => Object.fromEntries(Object.entries(o).map(([k, v]) => [k, Array.from(v)]));
    return { ids: c.ids, metric: c.metric, X: c.X, x: Array.from(c.x), series: arr(c.series), diff: arr(c.diff),
             summary: [...document.querySelectorAll('#compare-summary tr')].slice(1).map(t => [...t.cells].map(x => x.innerText)) };
  });
  await shot(page, 'compare');
  await plotShot(page, '#compare-plot canvas', 'compare-plot');
  log(`compare: ${out.compare.x.length} frames of ${out.compare.metric}; summary ${JSON.stringify(out.compare.summary)}`);
}

async function reader(browser) {
  const page = await newPage(browser, 'reader');
  await page.goto(cfg.base + '/ui/#/submit');
  await login(page, cfg.tokens.reader);
  await page.waitForSelector('#submit-refused');
  const form = await page.$('#submit-form');
  const status = await page.evaluate(async ([ref, dis]) => {
    const r = await fetch('/v1/jobs', { method: 'POST', headers: { Authorization: 'Bearer ' + sessionStorage.getItem('vmafx.token'),
                                                               'Content-Type': 'application/json' },
                                        body: JSON.stringify({ reference_uri: ref, distorted_uri: dis }) });
    return r.status;
  }, [cfg.ref, cfg.dis[0]]);
  await shot(page, 'reader-submit');
  // the reader still sees the jobs
  await jobsLoaded(page, '#/jobs');
  out.reader = { refused_shown: true, form_present: !!form, api_status: status, jobs_rows: (await rowIds(page)).length,
                 csp: await page.evaluate(() => window.__csp || []) };
  log(`reader: form ${form ? 'present' : 'hidden'}, POST /v1/jobs answered ${status}, sees ${out.reader.jobs_rows} jobs`);
  await page.context().close();
}

// The event stream as the hooks work defines it (GET /v1/events: 'event: job', data the job's
// JSON), played by the browser's network layer: a comment, CRLF line ends, a data field split
// over two lines, an event of another type. The Jobs row must take the event's state and ETA.
async function stream(browser, id) {
  const page = await newPage(browser, 'stream');
  const job = await (await page.request.get(`${cfg.base}/v1/jobs/${id}`,
                                            { headers: { Authorization: `Bearer ${cfg.tokens.writer}` } })).json();
  const ev = { ...job, status: 'running', finished_at: null, progress: { frames_done: 12, frames_total: 48, fps: 4 } };
  const text = JSON.stringify(ev), cut = text.indexOf(',') + 1;
  const body = `: hello\r\nevent: other\r\ndata: {}\r\n\r\nevent: job\r\ndata: ${text.slice(0, cut)}\r\ndata: ${text.slice(cut)}\r\n\r\n`;
  let asked = null;
  await page.route('**/v1/events', route => {
    asked = route.request().headers().authorization || '';
    route.fulfill({ status: 200, headers: { 'Content-Type': 'text/event-stream' }, body });
  });
  await page.goto(cfg.base + '/ui/#/jobs?label=test%3Ddashboard');
  await login(page, cfg.tokens.writer);
  await page.waitForFunction(i => {
    const tr = document.querySelector(`#jobs tr[data-id="${i}"]`);
    return tr && tr.dataset.state === 'running' && window.__vmafx.live.received >= 1;
  }, id, { timeout: 10000 });
  out.stream = { authorization: asked, eta: await page.textContent(`#jobs tr[data-id="${id}"] .eta`),
                 received: await page.evaluate(() => window.__vmafx.live.received) };
  log(`event stream: the row of ${id} shows running, ETA ${out.stream.eta}`);
  await page.context().close();
}

// A failed job's page shows its error; chunks (which the chunked-jobs work adds to the job's
// JSON) are added here by the browser's network layer and must show as a table.
async function failedJob(browser) {
  const page = await newPage(browser, 'failed');
  const chunks = [{ index: 0, status: 'completed', frames: '0-99' }, { index: 1, status: 'failed', error: 'x' }];
  const warnings = ['the inputs have different frame rates: 25 and 30 fps', 'reference has 250 frames, distorted has 300'];
  await page.route(`**/v1/jobs/${cfg.failed_id}`, async route => {
    const r = await route.fetch();
    const job = await r.json();
    route.fulfill({ response: r, json: { ...job, chunks, warnings: [...(job.warnings || []), ...warnings] } });
  });
  await page.goto(`${cfg.base}/ui/#/job/${cfg.failed_id}`);
  await login(page, cfg.tokens.reader);
  await page.waitForSelector('#job-error');
  await page.waitForSelector('#chunks table');
  await page.waitForSelector('#job-warnings li');
  out.failed = { error: await page.textContent('#job-error'), state: await page.getAttribute('#job-summary [data-state]', 'data-state'),
                 chunk_rows: await page.$$eval('#chunks tr', trs => trs.slice(1).map(t => [...t.cells].map(c => c.innerText))),
                 downloads: !!(await page.$('#downloads')),
                 warnings: await page.$$eval('#job-warnings li', lis => lis.map(l => l.innerText)) };
  await shot(page, 'failed');
  log(`failed job: "${out.failed.error}", ${out.failed.chunk_rows.length} chunks shown`);
  await page.context().close();
}

async function openMode(browser) {
  const page = await newPage(browser, 'open');
  await page.goto(cfg.open_base + '/');
  await page.waitForFunction(() => document.documentElement.dataset.jobsLoaded);
  out.open = { url: page.url(), login_visible: await page.isVisible('#login'), live: await page.textContent('#live') };
  await shot(page, 'open-mode');
  log(`open mode: ${out.open.url}, token asked: ${out.open.login_visible}`);
  await page.context().close();
}

async function main() {
  const browser = await chromium.launch({ executablePath: cfg.chromium, headless: true,
                                          args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
  try {
    const page = await newPage(browser, 'writer');
    const resp = await page.goto(cfg.base + '/');
    out.root = { url: page.url(), status: resp.status() };
    await login(page, cfg.tokens.writer);
    await page.waitForFunction(() => document.documentElement.dataset.jobsLoaded);
    out.live_mode = await page.evaluate(() => document.documentElement.dataset.live);
    log(`writer: ${out.root.url}; live updates by ${out.live_mode}`);
    await paging(page);
    const a = await submitAndWatch(page, cfg.dis[0], 'test=dashboard\nencode=A', 'A');
    await jobPageChecks(page, a);
    const b = await submitAndWatch(page, cfg.dis[1], 'test=dashboard\nencode=B', 'B');
    await jobsLoaded(page, '#/jobs?label=test%3Ddashboard');
    out.jobs_rows = await page.$$eval('#jobs tbody tr', trs => trs.map(t => ({ id: t.dataset.id, state: t.dataset.state,
                                                                               pooled: t.querySelector('.pooled').innerText })));
    await shot(page, 'jobs');
    await compare(page, [a, b]);
    await page.evaluate(() => { location.hash = '#/submit'; });
    await page.waitForSelector('#submit-form');
    await shot(page, 'submit');
    out.csp = await page.evaluate(() => window.__csp || []);
    await page.context().close();
    await stream(browser, a);
    await reader(browser);
    await failedJob(browser);
    if (cfg.open_base) await openMode(browser);
  } finally {
    await browser.close();
    fs.writeFileSync(cfg.result, JSON.stringify(out));
  }
}

const guard = setTimeout(() => { console.error('[dashboard] overall time limit reached'); process.exit(3); }, cfg.total_ms);
main().then(() => { clearTimeout(guard); }, e => {
  console.error(`[dashboard] ${e.stack || e}`);
  fs.writeFileSync(cfg.result, JSON.stringify({ ...out, error: String(e.stack || e) }));
  process.exit(1);
});
