// The single-page app: hash routes, one page at a time, refreshed on server events.
import { api, connectEvents } from './api.js';
import { h, replace } from './dom.js';
import * as overview from './pages/overview.js';
import * as jobs from './pages/jobs.js';
import * as job from './pages/job.js';
import * as worker from './pages/worker.js';
import * as masters from './pages/masters.js';
import * as workers from './pages/workers.js';

const routes = [
  { pattern: /^#?\/?$/, page: overview, nav: 'overview' },
  { pattern: /^#\/jobs\/?$/, page: jobs, nav: 'jobs' },
  { pattern: /^#\/jobs\/([^/]+)\/?$/, page: job, nav: 'jobs', keys: ['id'] },
  { pattern: /^#\/workers\/?$/, page: workers, nav: 'workers' },
  { pattern: /^#\/workers\/([^/]+)\/?$/, page: worker, nav: 'workers', keys: ['id'] },
  { pattern: /^#\/masters\/?$/, page: masters, nav: 'masters' },
];

// Pages with something running refresh on this tick too, so durations keep moving.
const LIVE_TICK_MS = 5000;
const EVENT_DEBOUNCE_MS = 150;

let current = null; // { page, params, data, generation }
let generation = 0;
let refreshTimer = null;
let tickTimer = null;

function match(hash) {
  for (const r of routes) {
    const m = r.pattern.exec(hash || '#/');
    if (m) {
      const params = {};
      (r.keys || []).forEach((k, i) => { params[k] = decodeURIComponent(m[i + 1]); });
      return { ...r, params };
    }
  }
  return null;
}

// #page carries data-rendered="<hash>" once the page of that address has been drawn (with its
// data, or as an error), so that tests can wait for it before they count what is absent.
function markRendered(main, hash) {
  main.dataset.rendered = hash || '#/';
}

async function show() {
  const main = document.getElementById('page');
  delete main.dataset.rendered;
  const hash = location.hash;
  const route = match(hash);
  document.querySelectorAll('[data-nav]').forEach((a) =>
    a.classList.toggle('active', route && a.dataset.nav === route.nav));
  if (!route) {
    current = null;
    replace(main, h('section', { class: 'error-box' },
      h('h1', {}, 'Not found'), h('p', {}, `No page at ${location.hash}.`)));
    markRendered(main, hash);
    return;
  }
  current = { page: route.page, params: route.params, hash };
  await refresh(true);
}

async function refresh(first = false, force = false) {
  if (!current) return;
  const mine = ++generation;
  const { page, params } = current;
  const main = document.getElementById('page');
  try {
    const data = await page.load(params);
    if (mine !== generation) return; // a newer refresh or route won
    // Unchanged data keeps the page as it is: no flicker, open details stay open.
    const json = JSON.stringify(data);
    if (!first && !force && json === current.json) {
      scheduleTick(page.isLive ? page.isLive(data) : false);
      return;
    }
    current.data = data;
    current.json = json;
    const view = page.view(data, params, { refresh: () => refresh(false, true) });
    replace(main, view);
    markRendered(main, current.hash);
    if (first) window.scrollTo(0, 0);
    scheduleTick(page.isLive ? page.isLive(data) : false);
  } catch (e) {
    if (mine !== generation) return;
    replace(main, h('section', { class: 'error-box' },
      h('h1', {}, e.status === 404 ? 'Not found' : 'Error'),
      h('p', { class: 'error-message' }, e.message)));
    markRendered(main, current.hash);
  }
}

function scheduleTick(live) {
  clearTimeout(tickTimer);
  if (live) tickTimer = setTimeout(() => refresh(), LIVE_TICK_MS);
}

function onEvent(ev) {
  if (!current) return;
  if (current.page.wants && !current.page.wants(ev, current.params, current.data)) return;
  clearTimeout(refreshTimer);
  refreshTimer = setTimeout(() => refresh(), EVENT_DEBOUNCE_MS);
}

function onStatus(status) {
  const el = document.getElementById('connection');
  el.dataset.status = status;
  el.textContent = {
    live: '● live', history: '◆ history (saved jobs)', offline: '○ offline',
    reconnecting: '◌ reconnecting',
  }[status] || status;
  if (status === 'live') refresh(); // catch up on anything missed while disconnected
}

// Who is logged in, and a logout button, when the server asks for a login.
async function showSession() {
  let session;
  try { session = await api.session(); } catch { return; }
  if (!session?.login || !session.user) return;
  const el = document.getElementById('session');
  replace(el, h('span', { id: 'session-user' }, session.user),
    h('form', { method: 'post', action: '/logout' },
      h('button', { id: 'logout', type: 'submit' }, 'Log out')));
  el.hidden = false;
}

// Chromium keeps a page the user left in its back/forward cache with its connections open: six
// left pages holding their event streams (its connections per host) and the next page load
// waited ~50 s. So a left page lets its stream and timers go, and takes them up again, with fresh
// data, if the user comes back to it.
let events = null;

function openEvents() {
  events = connectEvents(onEvent, onStatus);
}

window.addEventListener('pagehide', () => {
  events?.close();
  events = null;
  clearTimeout(refreshTimer);
  clearTimeout(tickTimer);
  generation++; // a refresh still under way draws nothing
});

window.addEventListener('pageshow', (e) => {
  if (!e.persisted || events) return; // a first load, which opened its stream below
  onStatus('reconnecting');
  openEvents();
  refresh();
});

window.addEventListener('hashchange', show);
showSession();
openEvents();
show();
