// Configuration: departments (with hours, routing examples, knowledge), numbers, trunks.
import { h, table, field, badge, select, status } from './dom.js';
import { t } from './i18n.js';
import { all, del, patch, post } from './api.js';
import { onSubmit } from './forms.js';
import * as departments from './departments.js';

export const NAV = 'config';
const TABS = ['departments', 'numbers', 'trunks'];

async function numbersTab(panel) {
  const [numbers, depts, trunks] = await Promise.all([
    all('/api/v1/numbers'), all('/api/v1/departments'), all('/api/v1/trunks')]);
  const deptOptions = depts.map((d) => [d.id, `${d.display_name.en || d.slug} (${d.slug})`]);
  const inbound = [['', t('config.defaultTrunk')],
    ...trunks.filter((tr) => tr.direction === 'inbound').map((tr) => [tr.id, tr.name])];
  const reload = () => numbersTab(panel);
  const rows = numbers.map((n) => h('tr', { 'data-number': n.e164 },
    h('td', { dir: 'ltr' }, n.e164),
    h('td', {}, select('department_id', deptOptions, n.department_id, {
      'aria-label': t('config.departmentOf', { number: n.e164 }),
      onchange: async (e) => {
        try { await patch(`/api/v1/numbers/${n.id}`, { department_id: Number(e.target.value) }); }
        catch (error) { status(error.message); }
        reload();
      } })),
    h('td', {}, badge(n.sync_status), n.sync_error ? h('span', { class: 'field-error' }, ` ${n.sync_error}`) : null),
    h('td', {}, h('button', { type: 'button', class: 'danger',
      'aria-label': t('config.deleteNumber', { number: n.e164 }),
      onclick: async () => {
        if (!window.confirm(t('config.confirmDelete', { name: n.e164 }))) return;
        await del(`/api/v1/numbers/${n.id}`); reload();
      } }, t('config.delete')))));
  const form = h('form', { class: 'inline card', id: 'add-number' },
    field(t('config.e164'), h('input', { name: 'e164', required: true, dir: 'ltr',
                                          placeholder: '+966112345678', autocomplete: 'off' })),
    field(t('call.department'), select('department_id', deptOptions, depts[0]?.id)),
    field(t('config.trunk'), select('trunk_id', inbound, '')),
    h('button', { type: 'submit' }, t('config.addNumber')));
  onSubmit(form, async (data) => {
    const created = await post('/api/v1/numbers', {
      e164: data.get('e164').trim(), department_id: Number(data.get('department_id')),
      trunk_id: data.get('trunk_id') ? Number(data.get('trunk_id')) : null });
    status(t('config.numberAdded', { number: created.e164, status: created.sync_status }));
    reload();
  });
  const resync = h('button', { type: 'button', class: 'secondary', id: 'resync',
    onclick: async () => {
      resync.disabled = true;
      try {
        const result = await post('/api/v1/sip/sync');
        status(result.ok ? t('config.synced', { writes: result.writes })
          : t('config.syncFailed', { error: result.error || Object.values(result.errors).join('; ') }));
      } catch (error) { status(error.message); }
      reload();
    } }, t('config.resync'));
  panel.replaceChildren(
    h('div', { class: 'actions' }, resync),
    table(t('config.numbersCaption'), [t('config.e164'), t('call.department'),
      t('config.sync'), t('config.actions')], rows, { id: 'numbers' }),
    h('h3', {}, t('config.addNumber')), form);
}

// An inbound trunk's catch-all: which department answers calls to numbers nobody has
// (the API allows it for a trunk that identifies its carrier, and for one trunk).
function catchAll(tr, deptOptions, reload) {
  if (tr.direction !== 'inbound') return '-';
  return select('unassigned_department_id', [['', t('config.notAnswered')], ...deptOptions],
    tr.unassigned_department_id ?? '', {
      'aria-label': t('config.unassignedOf', { name: tr.name }),
      onchange: async (e) => {
        const value = e.target.value ? Number(e.target.value) : null;
        try { await patch(`/api/v1/trunks/${tr.id}`, { unassigned_department_id: value }); }
        catch (error) { status(error.message); }
        reload();
      } });
}

async function trunksTab(panel) {
  const [trunks, depts] = await Promise.all([all('/api/v1/trunks'), all('/api/v1/departments')]);
  const deptOptions = depts.map((d) => [d.id, `${d.display_name.en || d.slug} (${d.slug})`]);
  const reload = () => trunksTab(panel);
  const rows = trunks.map((tr) => h('tr', { 'data-trunk': tr.name },
    h('td', {}, tr.name), h('td', {}, t(`config.${tr.direction}`)),
    h('td', { dir: 'ltr' }, tr.direction === 'inbound' ? tr.allowed_addresses.join(', ') || '-'
      : `${tr.address} (${tr.transport})`),
    h('td', { dir: 'ltr' }, (tr.direction === 'inbound' ? tr.numbers : tr.outbound_numbers).join(', ') || '-'),
    h('td', {}, tr.has_auth ? t('config.yes') : t('config.no')),
    h('td', {}, catchAll(tr, deptOptions, reload)),
    h('td', {}, badge(tr.sync_status)),
    h('td', {}, h('button', { type: 'button', class: 'danger',
      'aria-label': t('config.deleteTrunk', { name: tr.name }),
      onclick: async () => {
        if (!window.confirm(t('config.confirmDelete', { name: tr.name }))) return;
        try { await del(`/api/v1/trunks/${tr.id}`); } catch (error) { status(error.message); }
        reload();
      } }, t('config.delete')))));
  const form = h('form', { class: 'card', id: 'add-trunk' },
    h('div', { class: 'grid2' },
      field(t('config.name'), h('input', { name: 'name', required: true })),
      field(t('config.direction'), select('direction', [['inbound', t('config.inbound')],
                                                        ['outbound', t('config.outbound')]], 'inbound')),
      field(t('config.allowedAddresses'), h('input', { name: 'allowed_addresses', dir: 'ltr',
                                                        placeholder: '192.0.2.0/24, 198.51.100.7' })),
      field(t('config.address'), h('input', { name: 'address', dir: 'ltr', placeholder: 'sip.carrier.example' })),
      field(t('config.outboundNumbers'), h('input', { name: 'outbound_numbers', dir: 'ltr' })),
      field(t('config.username'), h('input', { name: 'auth_username', autocomplete: 'off' })),
      field(t('config.password'), h('input', { name: 'auth_password', type: 'password',
                                                autocomplete: 'new-password' }))),
    h('button', { type: 'submit' }, t('config.addTrunk')));
  onSubmit(form, async (data) => {
    const list = (name) => data.get(name).split(',').map((s) => s.trim()).filter(Boolean);
    const body = { name: data.get('name'), direction: data.get('direction') };
    // digest auth only when given (the API takes both or neither, never null)
    if (data.get('auth_username') || data.get('auth_password')) {
      Object.assign(body, { auth_username: data.get('auth_username'),
                            auth_password: data.get('auth_password') });
    }
    if (body.direction === 'inbound') body.allowed_addresses = list('allowed_addresses');
    else Object.assign(body, { address: data.get('address'), outbound_numbers: list('outbound_numbers') });
    await post('/api/v1/trunks', body);
    reload();
  });
  panel.replaceChildren(
    table(t('config.trunksCaption'), [t('config.name'), t('config.direction'),
      t('config.addresses'), t('config.numbers'), t('config.auth'), t('config.unassigned'),
      t('config.sync'),
      t('config.actions')], rows, { id: 'trunks' }),
    h('h3', {}, t('config.addTrunk')), form);
}

const RENDER = { departments: departments.render, numbers: numbersTab, trunks: trunksTab };

export async function render(container, tab = 'departments') {
  const current = TABS.includes(tab) ? tab : 'departments';
  const panel = h('div', { id: `panel-${current}`, role: 'tabpanel',
                           'aria-labelledby': `tab-${current}` });
  container.append(
    h('h2', {}, t('config.title')),
    h('div', { class: 'tabs', role: 'tablist', 'aria-label': t('config.title') },
      TABS.map((name) => h('button', {
        type: 'button', role: 'tab', id: `tab-${name}`, 'aria-selected': String(name === current),
        'aria-controls': name === current ? `panel-${name}` : null, onclick: () => { location.hash = `#/config/${name}`; },
      }, t(`config.${name}`)))),
    panel);
  await RENDER[current](panel);
}
