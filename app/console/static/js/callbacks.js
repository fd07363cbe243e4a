// Callbacks: who is to be called back (the due ones first), cancel or mark done.
import { h, badge, table, field, select, mask, status } from './dom.js';
import { t, tOr, formatTime } from './i18n.js';
import { all, get, post } from './api.js';

export const NAV = 'callbacks';
const STATUSES = ['pending', 'dialing', 'answered', 'failed', 'cancelled', 'done'];
let shown = 'pending';

export async function render(container) {
  const [depts, page] = await Promise.all([
    all('/api/v1/departments'), get('/api/v1/callbacks', { status: shown || null, limit: 200 })]);
  const names = Object.fromEntries(depts.map((d) => [d.id, d.display_name.en || d.slug]));
  const reload = () => { container.replaceChildren(); render(container); };
  const now = Date.now();
  const act = (cb, action) => async () => {
    try { await post(`/api/v1/callbacks/${cb.id}/${action}`); status(t(`callbacks.${action}Done`)); }
    catch (error) { status(error.message); }
    reload();
  };
  const rows = page.items.map((cb) => {
    const due = cb.status === 'pending' && Date.parse(cb.next_attempt_at) <= now;
    const open = ['pending', 'dialing', 'failed'].includes(cb.status);
    return h('tr', { 'data-callback': cb.id, 'data-due': String(due) },
      h('td', {}, mask(cb.number)), h('td', {}, names[cb.department_id] || cb.department_id),
      h('td', {}, tOr(`lang.${cb.language}`, cb.language)),
      h('td', { dir: 'auto' }, cb.reason || '-'),
      h('td', {}, formatTime(cb.next_attempt_at), due ? ` (${t('callbacks.due')})` : ''),
      h('td', {}, `${cb.attempts} / ${cb.max_attempts}`),
      h('td', {}, badge(cb.status)),
      h('td', {}, cb.call_id ? h('a', { href: `#/calls/${cb.call_id}` }, t('callbacks.call')) : '-'),
      h('td', { class: 'actions' }, open ? [
        h('button', { type: 'button', class: 'secondary', onclick: act(cb, 'done'),
                      'aria-label': t('callbacks.markDoneFor', { number: mask(cb.number) }) },
          t('callbacks.markDone')),
        h('button', { type: 'button', class: 'danger', onclick: act(cb, 'cancel'),
                      'aria-label': t('callbacks.cancelFor', { number: mask(cb.number) }) },
          t('callbacks.cancel'))] : '-'));
  });
  const filter = field(t('callbacks.status'), select('status',
    [['', t('history.any')], ...STATUSES.map((s) => [s, tOr(`value.${s}`, s)])], shown,
    { onchange: (e) => { shown = e.target.value; reload(); } }));
  container.append(h('h2', {}, t('callbacks.title')), h('div', { class: 'filters card' }, filter),
    table(t('callbacks.caption', { total: page.total }),
      [t('call.caller'), t('call.department'), t('call.language'), t('callbacks.reason'),
       t('callbacks.next'), t('callbacks.attempts'), t('call.state'), t('callbacks.from'),
       t('config.actions')],
      rows.length ? rows : [h('tr', {}, h('td', { colspan: 9 }, t('callbacks.none')))],
      { id: 'callbacks' }));
}
