// History: call records filtered by date, department, outcome and called number.
import { h, badge, table, field, select, mask } from './dom.js';
import { t, tOr, formatTime, formatDuration } from './i18n.js';
import { get, all } from './api.js';
import { onSubmit } from './forms.js';

export const NAV = 'history';
export const OUTCOMES = ['resolved', 'handed_over', 'transferred_to_human', 'callback_requested',
                         'abandoned', 'failed'];
const PAGE = 25;
const state = { filters: {}, offset: 0 };

function localDayStart(value, plusDays = 0) {
  if (!value) return '';
  const d = new Date(`${value}T00:00:00`);
  d.setDate(d.getDate() + plusDays);
  return d.toISOString();
}

function row(call) {
  return h('tr', { 'data-call-id': call.id },
    h('td', {}, h('a', { href: `#/calls/${call.id}` }, formatTime(call.started_at))),
    h('td', {}, mask(call.caller)),
    h('td', { dir: 'ltr' }, call.called_number || '-'),
    h('td', {}, call.first_department === call.current_department ? call.first_department
      : `${call.first_department} → ${call.current_department}`),
    h('td', {}, tOr(`lang.${call.language}`, call.language)),
    h('td', {}, formatDuration(call.duration_seconds)),
    h('td', {}, call.outcome ? badge(call.outcome) : badge(call.status)));
}

async function showPage(results) {
  const { filters, offset } = state;
  const page = await get('/api/v1/calls', {
    department: filters.department, outcome: filters.outcome, number: filters.number,
    started_from: localDayStart(filters.from), started_to: localDayStart(filters.to, 1),
    limit: PAGE, offset });
  const rows = page.items.length ? page.items.map(row)
    : [h('tr', {}, h('td', { colspan: 7 }, t('history.none')))];
  const last = Math.min(offset + PAGE, page.total);
  results.replaceChildren(
    table(t('history.caption', { total: page.total }),
      [t('call.started'), t('call.caller'), t('call.number'), t('call.department'),
       t('call.language'), t('call.duration'), t('call.outcome')], rows, { id: 'history-calls' }),
    h('div', { class: 'pager' },
      h('button', { type: 'button', class: 'secondary', disabled: offset === 0,
                    onclick: () => { state.offset = Math.max(0, offset - PAGE); showPage(results); } },
        t('history.previous')),
      h('span', {}, t('history.range', { from: page.total ? offset + 1 : 0, to: last,
                                          total: page.total })),
      h('button', { type: 'button', class: 'secondary', disabled: last >= page.total,
                    onclick: () => { state.offset = offset + PAGE; showPage(results); } },
        t('history.next'))));
}

export async function render(container) {
  const departments = await all('/api/v1/departments');
  const f = state.filters;
  const form = h('form', { class: 'filters card', id: 'history-filters' },
    field(t('history.from'), h('input', { type: 'date', name: 'from', value: f.from || '' })),
    field(t('history.to'), h('input', { type: 'date', name: 'to', value: f.to || '' })),
    field(t('call.department'), select('department',
      [['', t('history.any')], ...departments.map((d) => [d.slug, d.display_name.en || d.slug])],
      f.department)),
    field(t('call.outcome'), select('outcome',
      [['', t('history.any')], ...OUTCOMES.map((o) => [o, tOr(`value.${o}`, o)])], f.outcome)),
    field(t('call.number'), h('input', { type: 'search', name: 'number', value: f.number || '',
                                         placeholder: '+9665…', dir: 'ltr' })),
    h('button', { type: 'submit' }, t('history.apply')));
  const results = h('div', { id: 'history-results' });
  container.append(h('h2', {}, t('history.title')), form, results);
  onSubmit(form, async (data) => {
    state.filters = Object.fromEntries(data.entries());
    state.offset = 0;
    await showPage(results);
  });
  await showPage(results);
}
