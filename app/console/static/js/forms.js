// API errors shown where they belong: `{"error","detail","field"}` next to the control whose
// name is `field` (or its nearest named parent: "voices.openai" -> "voices"), else atop the form.
import { h } from './dom.js';

function controlFor(form, field) {
  const parts = (field || '').split('.');
  while (parts.length) {
    const control = form.querySelector(`[name="${CSS.escape(parts.join('.'))}"]`);
    if (control) return control;
    parts.pop();
  }
  return null;
}

export function clearErrors(form) {
  form.querySelectorAll('.field-error').forEach((el) => el.remove());
  form.querySelectorAll('[aria-invalid]').forEach((el) => {
    el.removeAttribute('aria-invalid');
    el.removeAttribute('aria-describedby');
  });
  const general = form.querySelector('.form-error');
  if (general) { general.textContent = ''; general.hidden = true; }
}

export function showError(form, error) {
  clearErrors(form);
  const control = controlFor(form, error.field);
  if (control) {
    const id = `${control.id}-error`;
    control.after(h('p', { class: 'field-error', id, 'data-field': error.field }, error.message));
    control.setAttribute('aria-invalid', 'true');
    control.setAttribute('aria-describedby', id);
    control.focus();
    return;
  }
  let general = form.querySelector('.form-error');
  if (!general) {
    general = h('p', { class: 'form-error', role: 'alert' });
    form.prepend(general);
  }
  general.hidden = false;
  general.textContent = error.message;
}

// Submit handler: run `action(values)`; errors land at their fields.
export function onSubmit(form, action) {
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    clearErrors(form);
    const button = form.querySelector('button[type=submit]');
    if (button) button.disabled = true;
    try {
      await action(new FormData(form));
    } catch (error) {
      if (error.status === undefined) throw error;
      showError(form, error);
    } finally {
      if (button) button.disabled = false;
    }
  });
}
