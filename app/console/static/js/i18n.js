// UI text: one dictionary per language (../i18n/<lang>.json); Arabic lays the page out
// right to left. The chosen language is a preference, kept in localStorage (nothing secret).
const LANGUAGES = { en: 'ltr', ar: 'rtl' };
const dictionaries = {};
let current = 'en';

export function language() { return current; }

export function t(key, vars = {}) {
  const text = dictionaries[current]?.[key] ?? dictionaries.en?.[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, name) => (name in vars ? String(vars[name]) : `{${name}}`));
}

// The text for `key`, or `fallback` when no dictionary has one (values from the API).
export function tOr(key, fallback) {
  return dictionaries[current]?.[key] ?? dictionaries.en?.[key] ?? fallback;
}

async function load(lang) {
  if (!dictionaries[lang]) {
    const resp = await fetch(`/console/static/i18n/${lang}.json`);
    dictionaries[lang] = await resp.json();
  }
}

// Static text in the page shell: data-i18n (text) and data-i18n-aria-label.
export function translate(root = document) {
  root.querySelectorAll('[data-i18n]').forEach((el) => { el.textContent = t(el.dataset.i18n); });
  root.querySelectorAll('[data-i18n-aria-label]').forEach((el) => {
    el.setAttribute('aria-label', t(el.dataset.i18nAriaLabel));
  });
}

export async function setLanguage(lang) {
  current = lang in LANGUAGES ? lang : 'en';
  await Promise.all([load('en'), load(current)]);
  document.documentElement.lang = current;
  document.documentElement.dir = LANGUAGES[current];
  document.title = t('app.title');
  try { localStorage.setItem('cc-console-language', current); } catch { /* private mode */ }
  translate();
}

export function preferredLanguage() {
  try {
    const saved = localStorage.getItem('cc-console-language');
    if (saved in LANGUAGES) return saved;
  } catch { /* private mode */ }
  return (navigator.language || 'en').startsWith('ar') ? 'ar' : 'en';
}

export function formatTime(iso, withDate = true) {
  if (!iso) return '';
  const options = withDate ? { dateStyle: 'short', timeStyle: 'medium' } : { timeStyle: 'medium' };
  return new Intl.DateTimeFormat(current === 'ar' ? 'ar-u-nu-latn' : 'en-GB', options)
    .format(new Date(iso));
}

export function formatDuration(seconds) {
  if (seconds == null) return '';
  const s = Math.max(0, Math.round(seconds));
  const mm = String(Math.floor(s / 60) % 60).padStart(2, '0');
  const ss = String(s % 60).padStart(2, '0');
  return s >= 3600 ? `${Math.floor(s / 3600)}:${mm}:${ss}` : `${mm}:${ss}`;
}
