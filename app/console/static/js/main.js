// The console shell: sign-in and sign-out, the language switch, and a hash router over the
// views (each renders into #view and may return a function that stops it, e.g. the stream).
import { get, post, del, setCsrfToken, whenSignedOut } from './api.js';
import { preferredLanguage, setLanguage, t, language } from './i18n.js';
import { onSubmit } from './forms.js';
import { h } from './dom.js';
import * as live from './live.js';
import * as history from './history.js';
import * as call from './call.js';
import * as config from './config.js';
import * as callbacks from './callbacks.js';
import * as chart from './chart.js';

const ROUTES = [
  [/^#\/live$/, live], [/^#\/history$/, history], [/^#\/calls\/([\w-]+)$/, call],
  [/^#\/chart$/, chart], [/^#\/config(?:\/(\w+))?$/, config], [/^#\/callbacks$/, callbacks],
];
const $ = (id) => document.getElementById(id);
let stopView = null;
let signedIn = false;

function showSignIn() {
  signedIn = false;
  setCsrfToken(null);
  if (stopView) { stopView(); stopView = null; }
  $('view').hidden = true;
  $('view').replaceChildren();
  $('nav').hidden = true;
  $('sign-out').hidden = true;
  $('sign-in').hidden = false;
  $('admin_key').focus();
}

// Each render gets an element of its own: a view still loading when the next one starts
// fills a detached element, and whatever it started (the live stream) is stopped at once.
let generation = 0;

async function render() {
  if (!signedIn) return;
  const mine = ++generation;
  if (stopView) { stopView(); stopView = null; }
  const hash = location.hash || '#/live';
  const [pattern, view] = ROUTES.find(([p]) => p.test(hash)) || ROUTES[0];
  const params = (hash.match(pattern) || []).slice(1);
  document.querySelectorAll('#nav a').forEach((a) => {
    if (a.dataset.view === view.NAV) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  });
  const container = document.createElement('div');
  container.dataset.view = view.NAV;
  $('view').replaceChildren(container);
  let stop = null;
  try {
    stop = await view.render(container, ...params);
  } catch (error) {
    if (error.status === undefined) throw error;
    if (error.status !== 401) {
      container.append(h('p', { class: 'form-error', role: 'alert' }, error.message));
    }
  }
  if (mine === generation) stopView = stop || null;
  else if (stop) stop();
}

function enter(session) {
  signedIn = true;
  setCsrfToken(session.csrf_token);
  $('sign-in').hidden = true;
  $('nav').hidden = false;
  $('sign-out').hidden = false;
  $('view').hidden = false;
  render();
}

async function start() {
  await setLanguage(preferredLanguage());
  $('language').value = language();
  $('language').addEventListener('change', async (e) => {
    await setLanguage(e.target.value);
    render();
  });
  whenSignedOut(showSignIn);
  onSubmit($('sign-in-form'), async (data) => {
    let session;
    try {
      session = await post('/console/session', { admin_key: data.get('admin_key') });
    } catch (error) { // the API's reasons, in the page's language
      if (error.status === 401) error.message = t('signIn.wrongKey');
      if (error.status === 429) error.message = t('signIn.tooMany');
      if (error.status === 422) Object.assign(error, { field: 'admin_key', message: t('signIn.empty') });
      throw error;
    }
    $('admin_key').value = '';
    enter(session);
  });
  $('sign-out').addEventListener('click', async () => {
    await del('/console/session');
    showSignIn();
    document.getElementById('status').textContent = t('signIn.signedOut');
  });
  window.addEventListener('hashchange', render);
  const session = await get('/console/session');
  if (session.signed_in) enter(session); else showSignIn();
}

start();
