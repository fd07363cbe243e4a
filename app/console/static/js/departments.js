// Departments: names, persona, welcome line and instructions per language, voices, human
// line, handoff and transfer modes, recording; their hours, routing examples and knowledge.
import { h, field, select, status, table } from './dom.js';
import { t } from './i18n.js';
import { all, del, get, patch, post, put } from './api.js';
import { onSubmit, showError } from './forms.js';

const LANGS = ['ar', 'en'];
let chosen = null; // the department shown (kept while switching tabs)

function perLanguage(name, values, multiline = false) {
  return LANGS.map((lang) => field(t(`dept.${name}`, { lang: t(`lang.${lang}`) }),
    h(multiline ? 'textarea' : 'input', { name: `${name}.${lang}`, dir: 'auto', lang,
      ...(multiline ? {} : { value: values[lang] || '' }) }, multiline ? values[lang] || '' : null)));
}

function json(name, value) {
  return h('textarea', { name, dir: 'ltr', spellcheck: 'false' }, JSON.stringify(value ?? {}, null, 1));
}

function parseJson(form, name, text) {
  try { return JSON.parse(text); } catch {
    const error = { field: name, message: t('dept.badJson') };
    showError(form, error);
    throw Object.assign(new Error(error.message), { handled: true });
  }
}

// The form's values as a department body; only the fields that changed are sent.
function changes(form, data, dept) {
  const body = {};
  for (const name of ['display_name', 'persona_name', 'welcome', 'instructions']) {
    const value = Object.fromEntries(LANGS.map((l) => [l, data.get(`${name}.${l}`)]).filter(([, v]) => v));
    const kept = Object.fromEntries(Object.entries(dept[name]).filter(([l]) => !LANGS.includes(l)));
    body[name] = { ...kept, ...value };
  }
  body.voices = parseJson(form, 'voices', data.get('voices'));
  for (const name of ['default_language', 'transfer_mode']) body[name] = data.get(name);
  for (const name of ['human_transfer_target', 'handoff_mode']) body[name] = data.get(name) || null;
  body.record_calls = data.get('record_calls') === 'on';
  return Object.fromEntries(Object.entries(body).filter(
    ([k, v]) => JSON.stringify(v) !== JSON.stringify(dept[k])));
}

function editForm(dept, reload) {
  const form = h('form', { class: 'card', id: 'department-form', 'data-slug': dept.slug },
    h('div', { class: 'grid2' },
      ...perLanguage('display_name', dept.display_name),
      ...perLanguage('persona_name', dept.persona_name),
      ...perLanguage('welcome', dept.welcome),
      field(t('dept.default_language'), select('default_language',
        LANGS.map((l) => [l, t(`lang.${l}`)]), dept.default_language)),
      field(t('dept.human_transfer_target'), h('input', {
        name: 'human_transfer_target', dir: 'ltr', value: dept.human_transfer_target || '',
        placeholder: 'tel:+966112345678' })),
      field(t('dept.handoff_mode'), select('handoff_mode', [['', t('dept.handoffDefault')],
        ['in_room', t('dept.in_room')], ['sip_transfer', t('dept.sip_transfer')]], dept.handoff_mode)),
      field(t('dept.transfer_mode'), select('transfer_mode',
        [['cold', t('dept.cold')], ['warm', t('dept.warm')]], dept.transfer_mode))),
    ...perLanguage('instructions', dept.instructions, true),
    field(t('dept.voices'), json('voices', dept.voices)),
    h('div', { class: 'field' }, h('label', {},
      h('input', { type: 'checkbox', name: 'record_calls', checked: dept.record_calls }),
      ` ${t('dept.record_calls')}`)),
    h('button', { type: 'submit' }, t('config.save')));
  onSubmit(form, async (data) => {
    let body;
    try { body = changes(form, data, dept); } catch (error) { if (error.handled) return; throw error; }
    if (!Object.keys(body).length) { status(t('config.nothingChanged')); return; }
    await patch(`/api/v1/departments/${dept.id}`, body);
    status(t('config.saved'));
    reload();
  });
  return form;
}

async function hoursForm(dept) {
  const hours = await get(`/api/v1/departments/${dept.id}/hours`);
  const value = hours.always_open ? { time_zone: 'Asia/Riyadh', weekly: {}, closed_dates: [] }
    : { time_zone: hours.time_zone, weekly: hours.weekly, closed_dates: hours.closed_dates };
  const form = h('form', { class: 'card', id: 'hours-form' },
    h('p', {}, hours.always_open ? t('dept.alwaysOpen')
      : (hours.open_now ? t('dept.openNow') : t('dept.closedNow'))),
    field(t('dept.hours'), json('hours', value)),
    h('div', { class: 'actions' }, h('button', { type: 'submit' }, t('config.save')),
      hours.always_open ? null : h('button', { type: 'button', class: 'secondary', onclick: async () => {
        await del(`/api/v1/departments/${dept.id}/hours`); status(t('config.saved'));
      } }, t('dept.clearHours'))));
  onSubmit(form, async (data) => {
    let body;
    try { body = parseJson(form, 'hours', data.get('hours')); } catch { return; }
    try {
      await put(`/api/v1/departments/${dept.id}/hours`, body);
    } catch (error) { // the hours body's own fields live inside the one textarea
      if (error.field) error.field = 'hours';
      throw error;
    }
    status(t('config.saved'));
  });
  return form;
}

async function examplesSection(dept, reload) {
  const items = await all('/api/v1/routing-examples', { department_id: dept.id });
  const form = h('form', { class: 'inline', id: 'example-form' },
    field(t('call.language'), select('language', LANGS.map((l) => [l, t(`lang.${l}`)]), 'ar')),
    field(t('dept.exampleText'), h('input', { name: 'text', dir: 'auto', required: true })),
    h('button', { type: 'submit' }, t('config.add')));
  onSubmit(form, async (data) => {
    await post('/api/v1/routing-examples', { department_id: dept.id, language: data.get('language'),
                                              text: data.get('text') });
    reload();
  });
  return [collapsed(t('dept.examplesCount', { n: items.length }), table(t('dept.examplesCaption'), [t('call.language'), t('dept.exampleText'), t('config.actions')],
    items.map((e) => h('tr', {}, h('td', {}, t(`lang.${e.language}`)), h('td', { dir: 'auto' }, e.text),
      h('td', {}, h('button', { type: 'button', class: 'danger', 'aria-label': t('config.deleteItem', { name: e.text }),
        onclick: async () => { await del(`/api/v1/routing-examples/${e.id}`); reload(); } },
      t('config.delete'))))), { id: 'examples' })), form];
}

async function knowledgeSection(dept, reload) {
  const items = await all('/api/v1/knowledge', { department_id: dept.id });
  const form = h('form', { class: 'card', id: 'knowledge-form' },
    h('div', { class: 'grid2' },
      field(t('dept.key'), h('input', { name: 'key', dir: 'ltr', required: true, placeholder: 'opening-hours' })),
      field(t('call.language'), select('language', LANGS.map((l) => [l, t(`lang.${l}`)]), 'ar')),
      field(t('dept.question'), h('input', { name: 'question', dir: 'auto', required: true })),
      field(t('dept.answer'), h('input', { name: 'answer', dir: 'auto', required: true }))),
    h('button', { type: 'submit' }, t('config.add')));
  onSubmit(form, async (data) => {
    const lang = data.get('language');
    try {
      await post('/api/v1/knowledge', { key: data.get('key'), department_id: dept.id,
        questions: { [lang]: [data.get('question')] }, answers: { [lang]: data.get('answer') } });
    } catch (error) {
      if (error.field?.startsWith('questions')) error.field = 'question';
      if (error.field?.startsWith('answers')) error.field = 'answer';
      throw error;
    }
    reload();
  });
  return [collapsed(t('dept.knowledgeCount', { n: items.length }), table(t('dept.knowledgeCaption'), [t('dept.key'), t('dept.answer'), t('config.actions')],
    items.map((k) => h('tr', {}, h('td', { dir: 'ltr' }, k.key),
      h('td', { dir: 'auto' }, Object.values(k.answers).join(' / ')),
      h('td', {}, h('button', { type: 'button', class: 'danger', 'aria-label': t('config.deleteItem', { name: k.key }),
        onclick: async () => { await del(`/api/v1/knowledge/${k.id}`); reload(); } },
      t('config.delete'))))), { id: 'knowledge' })), form];
}

function collapsed(summary, content) {
  return h('details', { class: 'card' }, h('summary', {}, summary), content);
}

function createForm(reload) {
  const form = h('form', { class: 'inline card', id: 'new-department' },
    field(t('dept.slug'), h('input', { name: 'slug', dir: 'ltr', required: true, placeholder: 'billing' })),
    ...perLanguage('display_name', {}),
    h('button', { type: 'submit' }, t('dept.create')));
  onSubmit(form, async (data) => {
    const display = Object.fromEntries(LANGS.map((l) => [l, data.get(`display_name.${l}`)]).filter(([, v]) => v));
    const created = await post('/api/v1/departments', { slug: data.get('slug'), display_name: display });
    chosen = created.slug;
    reload();
  });
  return form;
}

export async function render(panel) {
  const depts = await all('/api/v1/departments');
  const reload = () => render(panel);
  const dept = depts.find((d) => d.slug === chosen) || depts[0];
  const picker = field(t('dept.choose'), select('department', depts.map((d) => [d.slug,
    `${d.display_name.en || d.slug} — ${d.persona_name.en || ''}`]), dept?.slug, {
    id: 'department-picker', onchange: (e) => { chosen = e.target.value; reload(); } }));
  const parts = [picker];
  if (dept) {
    parts.push(
      h('p', { class: 'muted' }, t('dept.numbers', { numbers: dept.numbers.join(', ') || '-' })),
      editForm(dept, reload),
      h('h3', {}, t('dept.hoursTitle')), await hoursForm(dept),
      h('h3', {}, t('dept.examplesTitle')), ...(await examplesSection(dept, reload)),
      h('h3', {}, t('dept.knowledgeTitle')), ...(await knowledgeSection(dept, reload)));
  }
  parts.push(h('h3', {}, t('dept.new')), createForm(reload));
  panel.replaceChildren(...parts);
}
