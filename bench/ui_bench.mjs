// The dashboard with a long job, in Debian's chromium (headless, playwright-core): opens the
// Job page REPEAT times and measures, in the page, the report's fetch and parse, the first plot,
// and then zooming in, panning, hovering and zooming out (each from the call to the finished
// redraw). bench/ui_bench.py makes the job and prints the table.
//
// usage: node ui_bench.mjs CONFIG.json   (playwright, chromium, url, repeat, result)
import { createRequire } from 'module';
import fs from 'fs';

const cfg = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
const { chromium } = createRequire(import.meta.url)(cfg.playwright);

// in the page: ms from op() to its redraw (uPlot redraws in a microtask; a 0 ms timer runs after it)
const MEASURE = `(async () => {
  const u = window.__vmafx.plot.uplot, n = window.__vmafx.plot.x.length, out = {};
  const time = async (name, op) => {
    const d = window.__vmafx.draws, t = performance.now();
    op();
    await new Promise(r => setTimeout(r, 0));
    out[name] = performance.now() - t;
    if (window.__vmafx.draws === d && name !== 'hover_ms') throw new Error(name + ': no redraw');
  };
  await time('zoom_in_ms', () => u.setScale('x', { min: n / 2 - 1000, max: n / 2 + 1000 }));
  await time('pan_ms', () => u.setScale('x', { min: n / 2, max: n / 2 + 2000 }));
  await time('hover_ms', () => u.setCursor({ left: u.bbox.width / 4, top: u.bbox.height / 4 }));
  await time('zoom_out_ms', () => u.setScale('x', { min: 0, max: n - 1 }));
  await time('zoom_in_10pct_ms', () => u.setScale('x', { min: 0, max: n / 10 }));
  out.heap_mb = performance.memory ? performance.memory.usedJSHeapSize / 1048576 : null;
  return out;
})()`;

// in the page: ms from a Jobs page action to its table drawn
const JOBS = `(async () => {
  const loaded = () => document.documentElement.dataset.jobsLoaded || '';
  const until = async (b) => { while (loaded() === b) await new Promise(r => setTimeout(r, 1)); };
  const time = async (op) => { const b = loaded(), t = performance.now(); op(); await until(b); return performance.now() - t; };
  const out = { first_ms: Number(loaded()) - performance.timeOrigin, older_ms: [] };
  for (let i = 0; i < 10; i++) out.older_ms.push(await time(() => document.getElementById('next').click()));
  out.newer_ms = await time(() => document.getElementById('prev').click());
  out.rows = document.querySelectorAll('#jobs tbody tr').length;
  out.state_ms = await time(() => { location.hash = '#/jobs?status=completed&limit=100'; });
  out.label_ms = await time(() => { location.hash = '#/jobs?label=bench%3Dui&limit=100'; });
  out.label_rows = document.querySelectorAll('#jobs tbody tr').length;
  return out;
})()`;

const browser = await chromium.launch({ executablePath: cfg.chromium, headless: true,
                                        args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
const runs = [];
try {
  for (let i = 0; i < cfg.repeat; i++) {
    const page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
    page.setDefaultTimeout(120000);
    await page.goto(cfg.url);
    await page.waitForFunction(() => window.__vmafx.timing && window.__vmafx.timing.first_plot_ms);
    const t = await page.evaluate(() => window.__vmafx.timing);
    const m = await page.evaluate(MEASURE);
    runs.push({ ...t, ...m });
    console.log(`[ui-bench] run ${i + 1}: ${JSON.stringify(runs[runs.length - 1])}`);
    await page.context().close();
  }
  if (cfg.jobs_url) {
    for (let i = 0; i < cfg.repeat; i++) {
      const page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
      page.setDefaultTimeout(120000);
      await page.goto(cfg.jobs_url);
      await page.waitForFunction(() => document.documentElement.dataset.jobsLoaded);
      const m = await page.evaluate(JOBS);
      runs[i] = { ...runs[i], jobs: m };
      console.log(`[ui-bench] jobs run ${i + 1}: ${JSON.stringify(m)}`);
      await page.context().close();
    }
  }
} finally {
  await browser.close();
}
fs.writeFileSync(cfg.result, JSON.stringify(runs));
