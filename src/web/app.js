// The dashboard's entry: the token bar, the live updates, and the hash router
// (#/jobs, #/job/ID, #/compare/ID,ID, #/submit), each page a function that draws into <main>
// and returns its cleanup.
import { setToken, token } from './api.js';
import { comparePage } from './compare.js';
import { jobPage } from './job.js';
import { jobsPage } from './jobs.js';
import { Live } from './live.js';
import { submitPage } from './submit.js';

window.__vmafx = window.__vmafx || {};
const main = document.getElementById('main');
const live = window.__vmafx.live = new Live(document.getElementById('live'));
const login = document.getElementById('login'), forget = document.getElementById('forget');
let cleanup = null;

function route() {
  if (cleanup) cleanup();
  cleanup = null;
  const hash = location.hash.replace(/^#\/?/, '') || 'jobs';
  const [path, qs] = hash.split('?', 2);
  const [page, ...rest] = path.split('/');
  const arg = rest.join('/');
  document.querySelectorAll('header nav a').forEach(a => a.classList.toggle('active', a.dataset.page === page ||
                                                                          (page === 'job' && a.dataset.page === 'jobs')));
  const params = new URLSearchParams(qs || '');
  if (page === 'job' && arg) cleanup = jobPage(main, live, decodeURIComponent(arg));
  else if (page === 'compare') cleanup = comparePage(main, live, arg);
  else if (page === 'submit') cleanup = submitPage(main, live);
  else cleanup = jobsPage(main, live, params);
  document.documentElement.dataset.page = page;
}

function askToken(why) {
  login.hidden = false;
  document.getElementById('login-error').textContent = why || '';
  document.getElementById('token').focus();
}

login.addEventListener('submit', e => {
  e.preventDefault();
  setToken(document.getElementById('token').value.trim());
  document.getElementById('token').value = '';
  login.hidden = true;
  forget.hidden = !token();
  live.start();
  route();
});
forget.addEventListener('click', () => {
  setToken('');
  forget.hidden = true;
  live.stop();
  if (cleanup) cleanup();
  cleanup = null;
  main.replaceChildren();   // nothing read with the token stays on the page
  askToken('');
});
window.addEventListener('vmafx-auth', e => askToken(e.detail));
window.addEventListener('hashchange', route);
forget.hidden = !token();
live.start();
route();
