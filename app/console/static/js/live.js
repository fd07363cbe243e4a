// Live view: calls in progress and callers waiting, today's counters, the workers' load,
// pushed by the server (server-sent events, /console/api/live/stream) every few seconds.
import { h, badge, table } from './dom.js';
import { t, tOr, formatDuration, formatTime, language } from './i18n.js';
import { all, get } from './api.js';

export const NAV = 'live';
const COUNTERS = ['calls_now', 'waiting', 'answered_today', 'handed_over_today',
                  'transferred_today', 'callbacks_due', 'workers'];

function counters(values) {
  const load = values.load == null ? '-' : `${Math.round(values.load * 100)}%`;
  return h('dl', { class: 'counters', id: 'counters' },
    COUNTERS.map((name) => h('div', { 'data-counter': name },
      h('dt', {}, t(`live.${name}`)), h('dd', {}, values[name]))),
    h('div', { 'data-counter': 'load' }, h('dt', {}, t('live.load')), h('dd', {}, load)));
}

let names = {}; // department slug -> its names per language

function callRow(call) {
  const own = names[call.department] || {};
  const department = own[language()] || own.en || call.department || '-';
  return h('tr', { 'data-call-id': call.id || '', 'data-room': call.room || '',
                   'data-state': call.state },
    h('td', {}, call.id ? h('a', { href: `#/calls/${call.id}` }, call.caller) : call.caller),
    h('td', {}, call.persona ? `${department} — ${call.persona}` : department),
    h('td', {}, tOr(`lang.${call.language}`, call.language || '-')),
    h('td', {}, tOr(`value.${call.source}`, call.source)),
    h('td', { class: 'duration' }, formatDuration(call.duration_seconds)),
    h('td', {}, badge(call.state)));
}

function workersTable(workers) {
  return table(t('live.workersCaption'),
    [t('live.worker'), t('live.host'), t('live.workerLoad')],
    workers.length ? workers.map((w) => h('tr', { 'data-worker': w.id },
      h('td', {}, w.id), h('td', {}, w.host), h('td', {}, `${w.active_calls} / ${w.max_calls}`)))
      : [h('tr', {}, h('td', { colspan: 3 }, t('live.noWorkers')))],
    { id: 'workers' });
}

function show(container, picture) {
  const calls = picture.calls.length
    ? picture.calls.map(callRow)
    : [h('tr', { class: 'empty' }, h('td', { colspan: 6 }, t('live.noCalls')))];
  container.replaceChildren(
    h('h2', {}, t('live.title')),
    counters(picture.counters),
    table(t('live.callsCaption'),
          [t('call.caller'), t('call.department'), t('call.language'), t('call.source'),
           t('call.duration'), t('call.state')], calls, { id: 'live-calls' }),
    h('h3', {}, t('live.workersTitle')),
    workersTable(picture.workers),
    h('p', { class: 'muted', id: 'live-updated', 'data-at': picture.at },
      t('live.updated', { time: formatTime(picture.at, false) })));
}

function midnight() {
  const d = new Date();
  d.setHours(0, 0, 0, 0);
  return d.toISOString();
}

export async function render(container) {
  container.append(h('h2', {}, t('live.title')), h('p', { class: 'muted' }, t('app.loading')));
  const dayStart = midnight();
  names = Object.fromEntries((await all('/api/v1/departments')).map((d) => [d.slug, d.display_name]));
  show(container, await get('/console/api/live', { day_start: dayStart }));
  const stream = new EventSource(
    `/console/api/live/stream?day_start=${encodeURIComponent(dayStart)}`);
  stream.addEventListener('snapshot', (event) => show(container, JSON.parse(event.data)));
  stream.addEventListener('error', async () => {
    // the browser reopens a stream that ended; a session that ended signs the page out
    const session = await get('/console/session').catch(() => null);
    if (session && !session.signed_in) {
      stream.close();
      get('/console/api/live').catch(() => {}); // its 401 shows the sign-in form
    }
  });
  // "today" is fixed per stream: open a new one when the browser's day changes
  const tomorrow = new Date(dayStart);
  tomorrow.setDate(tomorrow.getDate() + 1);
  const rollover = setTimeout(() => window.dispatchEvent(new HashChangeEvent('hashchange')),
                              tomorrow.getTime() - Date.now() + 1000);
  return () => { stream.close(); clearTimeout(rollover); };
}
