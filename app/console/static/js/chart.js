// Calls per hour, one small chart per department, bars stacked by outcome; drawn as inline
// SVG (no chart library to ship for a few rectangles), with the numbers in a table too.
import { h, table, field, select } from './dom.js';
import { t, tOr, language } from './i18n.js';
import { all, get } from './api.js';
import { onSubmit } from './forms.js';

export const NAV = 'chart';
const NS = 'http://www.w3.org/2000/svg';
const COLORS = { resolved: '#1e6b2e', handed_over: '#0b57d0', transferred_to_human: '#6a3fb5',
                 callback_requested: '#b36b00', abandoned: '#7a7a7a', failed: '#a1261b',
                 active: '#00838f', unknown: '#b0b0b0' };
const range = { hours: 24, department: '' };

function svg(tag, attrs, ...children) {
  const el = document.createElementNS(NS, tag);
  Object.entries(attrs).forEach(([k, v]) => el.setAttribute(k, v));
  el.append(...children);
  return el;
}

function hourLabel(iso) {
  return new Intl.DateTimeFormat(language() === 'ar' ? 'ar-u-nu-latn' : 'en-GB',
    { hour: '2-digit', day: range.hours > 24 ? '2-digit' : undefined }).format(new Date(iso));
}

function departmentChart(department, series, hours, top) {
  const W = 760, H = 160, left = 34, bottom = 22, bw = (W - left) / hours.length;
  const title = t('chart.for', { department });
  const chart = svg('svg', { viewBox: `0 0 ${W} ${H + bottom}`, role: 'img', dir: 'ltr',
                             'aria-label': title, 'data-department': department });
  chart.append(svg('line', { x1: left, y1: H, x2: W, y2: H, stroke: '#767676' }),
    svg('text', { x: 2, y: 12, 'font-size': 11, fill: '#1b1b1b' }, String(top)));
  const stacked = new Array(hours.length).fill(0);
  for (const s of series) {
    s.counts.forEach((n, i) => {
      if (!n) return;
      const height = (n / top) * (H - 8);
      stacked[i] += height;
      chart.append(svg('rect', { x: left + i * bw + 1, y: H - stacked[i], width: Math.max(1, bw - 2),
        height, fill: COLORS[s.outcome] || COLORS.unknown },
        svg('title', {}, `${hourLabel(hours[i])} · ${tOr(`value.${s.outcome}`, s.outcome)}: ${n}`)));
    });
  }
  const every = Math.ceil(hours.length / 12);
  hours.forEach((hour, i) => {
    if (i % every === 0) {
      chart.append(svg('text', { x: left + i * bw + bw / 2, y: H + 15, 'font-size': 11,
                                 'text-anchor': 'middle', fill: '#1b1b1b' }, hourLabel(hour)));
    }
  });
  return h('figure', { class: 'card chart' }, h('figcaption', {}, title), chart);
}

async function draw(out) {
  const end = new Date();
  const start = new Date(end.getTime() - range.hours * 3600 * 1000);
  const data = await get('/console/api/stats/hourly', { started_from: start.toISOString(),
    started_to: end.toISOString(), department: range.department });
  const top = Math.max(1, ...data.hours.map((_, i) =>
    data.series.reduce((sum, s) => sum + s.counts[i], 0)));
  const departments = [...new Set(data.series.map((s) => s.department))];
  const outcomes = [...new Set(data.series.map((s) => s.outcome))];
  out.replaceChildren(
    departments.length ? h('ul', { class: 'legend', 'aria-label': t('chart.legend') },
      outcomes.map((o) => h('li', {}, h('span', { class: 'swatch',
        'data-color': COLORS[o] || COLORS.unknown }), tOr(`value.${o}`, o))))
      : h('p', {}, t('chart.none')),
    ...departments.map((d) => departmentChart(d, data.series.filter((s) => s.department === d),
                                              data.hours, top)),
    departments.length ? table(t('chart.tableCaption'),
      [t('call.department'), t('call.outcome'), t('chart.total')],
      data.series.map((s) => h('tr', {}, h('td', {}, s.department),
        h('td', {}, tOr(`value.${s.outcome}`, s.outcome)),
        h('td', {}, s.counts.reduce((a, b) => a + b, 0)))), { id: 'chart-table' }) : null);
  // swatch colours set from script (the page's CSP allows no inline style attributes)
  out.querySelectorAll('.swatch').forEach((el) => { el.style.background = el.dataset.color; });
}

export async function render(container) {
  const depts = await all('/api/v1/departments');
  const form = h('form', { class: 'filters card', id: 'chart-filters' },
    field(t('chart.range'), select('hours', [[6, t('chart.hours', { n: 6 })],
      [24, t('chart.hours', { n: 24 })], [72, t('chart.days', { n: 3 })],
      [168, t('chart.days', { n: 7 })], [720, t('chart.days', { n: 30 })]], range.hours)),
    field(t('call.department'), select('department',
      [['', t('history.any')], ...depts.map((d) => [d.slug, d.display_name.en || d.slug])],
      range.department)),
    h('button', { type: 'submit' }, t('history.apply')));
  const out = h('div', { id: 'chart' });
  container.append(h('h2', {}, t('chart.title')), form, out);
  onSubmit(form, async (data) => {
    range.hours = Number(data.get('hours'));
    range.department = data.get('department');
    await draw(out);
  });
  await draw(out);
}
