// Building elements without innerHTML: every value from the API is text, never markup.
import { tOr } from './i18n.js';

export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value == null || value === false) continue;
    if (name.startsWith('on')) el.addEventListener(name.slice(2), value);
    else if (name === 'text') el.textContent = value;
    else el.setAttribute(name, value === true ? '' : value);
  }
  for (const child of children.flat()) {
    if (child == null || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

// A phone number with its last 4 digits only (as core/pii.py's mask_number).
export function mask(value) {
  if (!value) return '-';
  const digits = value.replace(/^(tel:|sip:|sips:)/, '').split('@')[0];
  const keep = /^\+?\d+$/.test(digits) ? 4 : 3;
  return `***${digits.length > keep ? digits.slice(-keep) : ''}`;
}

export function badge(value, label) {
  return h('span', { class: `badge ${value || ''}`, 'data-value': value || '' },
           label ?? tOr(`value.${value}`, value ?? ''));
}

export function table(caption, headers, rows, attrs = {}) {
  return h('div', { class: 'table-wrap' },
    h('table', attrs,
      h('caption', {}, caption),
      h('thead', {}, h('tr', {}, headers.map((name) => h('th', { scope: 'col' }, name)))),
      h('tbody', {}, rows)));
}

export function status(message) {
  document.getElementById('status').textContent = message;
  if (message) setTimeout(() => {
    const el = document.getElementById('status');
    if (el.textContent === message) el.textContent = '';
  }, 6000);
}

// A labelled control: <div class=field><label for=id>…</label><control id=id name=name></div>
let nextId = 0;
export function field(label, control) {
  const id = control.id || `f${++nextId}`;
  control.id = id;
  return h('div', { class: 'field' }, h('label', { for: id }, label), control);
}

export function select(name, options, value, attrs = {}) {
  return h('select', { name, ...attrs },
    options.map(([v, label]) => h('option', { value: v, selected: String(v) === String(value ?? '') }, label)));
}
