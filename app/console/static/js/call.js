// One call: what happened (timeline), what was said (transcript, each line in its own
// direction: dir="auto"), the recording and the summary when there are.
import { h, badge, mask } from './dom.js';
import { t, tOr, formatTime, formatDuration } from './i18n.js';
import { get } from './api.js';

export const NAV = 'history';

// What a timeline line says about an event, from its data (numbers masked).
function describe(kind, data) {
  switch (kind) {
    case 'handoff': case 'handoff_transferred':
      return `${data.from || '?'} → ${data.to || '?'}${data.reason ? ` (${data.reason})` : ''}`;
    case 'dtmf': return [data.digit, data.action && `→ ${data.action}`].filter(Boolean).join(' ');
    case 'transfer_requested': case 'transfer_succeeded': case 'transfer_failed':
      return [mask(data.target), data.reason, data.error].filter(Boolean).join(' — ');
    case 'language': return `${data.from || '?'} → ${data.to || '?'}`;
    case 'error': return data.error || JSON.stringify(data);
    case 'ended': return data.reason || '';
    default: return Object.entries(data).filter(([, v]) => typeof v !== 'object')
      .map(([k, v]) => `${k}: ${/number|target|caller|human/.test(k) ? mask(String(v)) : v}`)
      .join(', ');
  }
}

function facts(call) {
  const items = [
    ['call.caller', h('bdi', { dir: 'ltr' }, mask(call.caller))],
    ['call.number', h('bdi', { dir: 'ltr' }, call.called_number || '-')],
    ['call.department', call.first_department === call.current_department
      ? call.first_department : `${call.first_department} → ${call.current_department}`],
    ['call.language', tOr(`lang.${call.language}`, call.language)],
    ['call.source', tOr(`value.${call.source}`, call.source)],
    ['call.started', formatTime(call.started_at)],
    ['call.duration', formatDuration(call.duration_seconds)],
    ['call.state', badge(call.status)],
    ['call.outcome', call.outcome ? badge(call.outcome) : '-'],
    ['call.endReason', call.end_reason || '-'],
  ];
  return h('dl', { class: 'counters facts', id: 'call-facts' },
    items.map(([key, value]) => h('div', {}, h('dt', {}, t(key)), h('dd', {}, value))));
}

function links(call) {
  const parts = [];
  if (call.parent_call_id) {
    parts.push(h('a', { href: `#/calls/${call.parent_call_id}` }, t('call.parent')));
  }
  call.child_call_ids.forEach((id) => parts.push(h('a', { href: `#/calls/${id}` }, t('call.child'))));
  return parts.length ? h('p', { class: 'actions' }, parts) : null;
}

export async function render(container, id) {
  const call = await get(`/api/v1/calls/${encodeURIComponent(id)}`);
  const lines = call.events.filter((e) => e.kind === 'transcript');
  const timeline = call.events.filter((e) => e.kind !== 'transcript');
  container.append(...[
    h('p', {}, h('a', { href: '#/history' }, t('call.back'))),
    h('h2', {}, t('call.title', { time: formatTime(call.started_at) })),
    facts(call),
    links(call),
    call.summary ? h('section', { class: 'card', 'aria-labelledby': 'summary-title' },
      h('h3', { id: 'summary-title' }, t('call.summary')),
      h('p', { id: 'call-summary', dir: 'auto' }, call.summary)) : null,
    call.has_recording ? h('section', { class: 'card', 'aria-labelledby': 'recording-title' },
      h('h3', { id: 'recording-title' }, t('call.recording')),
      h('audio', { id: 'recording', controls: true, preload: 'none',
                   src: `/api/v1/calls/${encodeURIComponent(call.id)}/recording`,
                   'aria-labelledby': 'recording-title' })) : null,
    h('div', { class: 'grid2' },
      h('section', { class: 'card', 'aria-labelledby': 'timeline-title' },
        h('h3', { id: 'timeline-title' }, t('call.timeline')),
        h('ol', { class: 'timeline', id: 'timeline' }, timeline.map((e) =>
          h('li', { 'data-kind': e.kind },
            h('time', { datetime: e.at }, formatTime(e.at, false)),
            h('strong', {}, tOr(`event.${e.kind}`, e.kind)), ' ',
            h('span', { dir: 'auto' }, describe(e.kind, e.data)))))),
      h('section', { class: 'card transcript', 'aria-labelledby': 'transcript-title' },
        h('h3', { id: 'transcript-title' }, t('call.transcript')),
        lines.length ? h('div', { id: 'transcript' }, lines.map((e) =>
          h('p', { class: 'line', 'data-role': e.data.role, dir: 'auto' },
            h('span', { class: 'who' }, t(`call.role.${e.data.role}`)),
            h('span', { class: 'text' }, e.data.text))))
          : h('p', { class: 'muted' }, t('call.noTranscript'))))].filter(Boolean));
}
