// The console's single-page app: a router over four views, the live feed indicator, the token
// prompt (when the console uses a bearer token) and the error view.

import { ApiError, getJson, setToken, takeTokenFromUrl } from './api.js';
import { esc } from './format.js';
import { fleetView } from './fleet.js';
import { healthView } from './health.js';
import { incidentsView } from './incidents.js';
import { onLiveState, startLive } from './live.js';
import { vehicleView } from './vehicle.js';

const ROUTES = [
  [/^\/$/, fleetView, 'fleet'],
  [/^\/vehicles\/([^/]+)$/, vehicleView, 'fleet'],
  [/^\/incidents$/, incidentsView, 'incidents'],
  [/^\/health$/, healthView, 'health'],
];

const TITLES = { UNKNOWN_VEHICLE: 'Unknown vehicle', BAD_PARAMETER: 'Bad parameter', NOT_FOUND: 'Not found', WINDOW_TOO_LARGE: 'Window too large', LAKE_CACHE_FULL: 'Window too large', UNAUTHORIZED: 'Not signed in', UNREACHABLE: 'Console unreachable' };

const root = document.getElementById('view');
let config;
let cleanup;
let generation = 0;

function errorView(err) {
  const code = err instanceof ApiError ? err.code : 'ERROR';
  const status = err instanceof ApiError ? err.status : 0;
  root.innerHTML = `<section class="error-view" data-code="${esc(code)}" data-status="${status}">
    <h1>${esc(TITLES[code] ?? 'Something went wrong')}</h1><p class="message">${esc(err.message)}</p>
    <p><a href="/" data-link>Back to the fleet map</a></p></section>`;
  document.title = `${TITLES[code] ?? 'Error'} - Fleetlake console`;
}

function tokenForm() {
  root.innerHTML = `<section class="error-view" data-code="UNAUTHORIZED"><h1>Sign in</h1>
    <form id="token-form"><label>Console token <input type="password" name="token" autocomplete="current-password" required></label> <button type="submit">sign in</button></form></section>`;
  root.querySelector('#token-form').addEventListener('submit', (e) => {
    e.preventDefault();
    setToken(String(new FormData(e.target).get('token')));
    void start();
  });
}

export function navigate(url) {
  history.pushState(null, '', url);
  void render();
}

async function render() {
  const mine = ++generation;
  cleanup?.();
  cleanup = undefined;
  const path = location.pathname;
  const route = ROUTES.find(([re]) => re.test(path));
  for (const a of document.querySelectorAll('[data-nav]')) a.classList.toggle('active', route?.[2] === a.dataset.nav);
  root.innerHTML = '<p class="loading">Loading…</p>';
  if (!route) return errorView(new ApiError(404, 'NOT_FOUND', `There is no page at ${path}.`));
  const params = route[0].exec(path).slice(1).map(decodeURIComponent);
  document.title = `${params[0] ?? route[2]} - Fleetlake console`;
  try {
    const done = await route[1](root, { config, params, search: location.search, navigate });
    if (mine !== generation) done?.();
    else cleanup = done;
    root.dataset.ready = path;
  } catch (err) {
    if (mine !== generation) return;
    if (err instanceof ApiError && err.status === 401 && config?.auth === 'bearer') return tokenForm();
    errorView(err);
    root.dataset.ready = path;
  }
}

document.addEventListener('click', (e) => {
  const a = e.target.closest?.('a[data-link]');
  if (!a || e.ctrlKey || e.metaKey || e.shiftKey || e.button !== 0) return;
  e.preventDefault();
  navigate(a.getAttribute('href'));
});
window.addEventListener('popstate', () => void render());

async function start() {
  try {
    config = await getJson('/api/config');
  } catch (err) {
    return errorView(err);
  }
  const feed = document.getElementById('feed');
  if (config.kafka) {
    startLive();
    onLiveState((s) => {
      feed.textContent = `live: ${s}`;
      feed.dataset.state = s;
    });
  } else {
    feed.textContent = 'live: off (lake only)';
  }
  await render();
}

takeTokenFromUrl();
void start();
