// Browser test call: token from the API, join the LiveKit room, talk or type to the assistant.
// Plain script (no build step); livekit-client's UMD build provides the global `LivekitClient`.
(function () {
  'use strict';

  const $ = (id) => document.getElementById(id);
  const ui = {
    error: $('error'), form: $('call-form'), department: $('department'), language: $('language'),
    name: $('participant-name'), keyField: $('access-key-field'), key: $('access-key'),
    call: $('call-btn'), hangup: $('hangup-btn'), audio: $('audio-btn'),
    connection: $('connection-state'), persona: $('persona-name'), agentState: $('agent-state'),
    meter: $('mic-level'), micStatus: $('mic-status'), transcript: $('transcript'),
    chatForm: $('chat-form'), chatInput: $('chat-input'), chatSend: $('chat-send'),
    audioSink: $('audio-sink'),
  };

  const AGENT_STATE_LABELS = {
    initializing: 'starting…', idle: 'idle', listening: 'listening', thinking: 'thinking…',
    speaking: 'speaking',
  };
  const AGENT_WAIT_WARNING_MS = 15000;

  let departments = [];  // [{slug, display_name, persona_name, default_language}]
  let room = null;
  let agentIdentity = null;
  let micAnalyser = null;
  let meterTimer = null;
  let agentWaitTimer = null;
  let callLanguage = 'ar';
  const segments = new Map();  // segment id -> <li>

  // ---- small helpers -------------------------------------------------------------------
  function showError(message) {
    ui.error.textContent = message;
    ui.error.hidden = !message;
  }

  function setConnection(state, text) {
    ui.connection.dataset.state = state;
    ui.connection.textContent = text;
  }

  function setAgentState(state) {
    ui.agentState.dataset.state = state || 'none';
    ui.agentState.textContent = AGENT_STATE_LABELS[state] || state || 'not in call';
  }

  function departmentBySlug(slug) {
    return departments.find((d) => d.slug === slug) || null;
  }

  function personaLabel(slug, fallbackName) {
    const dept = departmentBySlug(slug);
    if (!dept) return fallbackName || slug || '—';
    const names = dept.persona_name || {};
    const primary = names[callLanguage] || names.en || fallbackName || slug;
    const others = Object.values(names).filter((n) => n && n !== primary);
    return others.length ? `${primary} · ${others.join(' · ')}` : primary;
  }

  function setPersona(slug, fallbackName) {
    ui.persona.dataset.department = slug || '';
    ui.persona.textContent = personaLabel(slug, fallbackName);
  }

  function currentSpeakerName() {
    const slug = ui.persona.dataset.department;
    const dept = departmentBySlug(slug);
    if (dept && dept.persona_name) {
      return dept.persona_name[callLanguage] || dept.persona_name.en || slug;
    }
    return ui.persona.textContent || 'Assistant';
  }

  function setInCall(inCall) {
    ui.call.disabled = inCall || departments.length === 0;
    ui.department.disabled = inCall || departments.length === 0;
    ui.language.disabled = inCall;
    ui.name.disabled = inCall;
    ui.hangup.disabled = !inCall;
    ui.chatInput.disabled = !inCall;
    ui.chatSend.disabled = !inCall;
  }

  function scrollTranscript() {
    ui.transcript.scrollTop = ui.transcript.scrollHeight;
  }

  function addLine(speaker, who, text, { segmentId = null, final = true } = {}) {
    const li = document.createElement('li');
    li.className = 'line';
    li.dataset.speaker = speaker;
    li.dataset.final = String(final);
    if (segmentId) li.dataset.segment = segmentId;
    const whoEl = document.createElement('span');
    whoEl.className = 'who';
    whoEl.textContent = who;
    const textEl = document.createElement('p');
    textEl.className = 'text';
    textEl.dir = 'auto';
    textEl.textContent = text;
    li.append(whoEl, textEl);
    ui.transcript.append(li);
    scrollTranscript();
    return li;
  }

  function setLineText(li, text, final) {
    li.querySelector('.text').textContent = text;
    li.dataset.final = String(final);
    scrollTranscript();
  }

  // Transcripts may be plain text or JSON TimedString lines ({"text": ...}) depending on
  // the agent's settings; show the words either way.
  function visibleText(raw) {
    const trimmed = raw.trim();
    if (!trimmed.startsWith('{')) return raw;
    const parts = [];
    for (const line of trimmed.split('\n')) {
      try {
        const parsed = JSON.parse(line);
        parts.push(typeof parsed.text === 'string' ? parsed.text : line);
      } catch (_) {
        return raw;
      }
    }
    return parts.join('');
  }

  // ---- departments -----------------------------------------------------------------------
  async function loadDepartments() {
    let response;
    try {
      response = await fetch('/api/v1/token/departments', { headers: { Accept: 'application/json' } });
    } catch (err) {
      showError('Cannot reach the contact-center server to list departments. ' +
                'Check that the API is running, then reload this page.');
      ui.department.innerHTML = '<option value="">unavailable</option>';
      return;
    }
    if (!response.ok) {
      showError(`The server could not list departments (HTTP ${response.status}).`);
      ui.department.innerHTML = '<option value="">unavailable</option>';
      return;
    }
    const body = await response.json();
    departments = body.departments || [];
    ui.keyField.hidden = !body.requires_auth;
    ui.department.innerHTML = '';
    for (const dept of departments) {
      const option = document.createElement('option');
      option.value = dept.slug;
      const display = (dept.display_name && (dept.display_name.en || dept.display_name.ar)) || dept.slug;
      const persona = dept.persona_name ? (dept.persona_name.en || dept.persona_name.ar) : '';
      option.textContent = persona ? `${display} — ${persona}` : display;
      ui.department.append(option);
    }
    if (departments.length === 0) {
      ui.department.innerHTML = '<option value="">no departments configured</option>';
      showError('No departments are configured on this server.');
    }
    syncLanguageWithDepartment();
    setInCall(false);
  }

  function syncLanguageWithDepartment() {
    const dept = departmentBySlug(ui.department.value);
    if (dept && dept.default_language) ui.language.value = dept.default_language;
    if (!room) {
      callLanguage = ui.language.value;
      setPersona(ui.department.value);
    }
  }

  // ---- the call --------------------------------------------------------------------------
  async function requestToken() {
    const headers = { 'Content-Type': 'application/json', Accept: 'application/json' };
    if (!ui.keyField.hidden && ui.key.value) headers.Authorization = `Bearer ${ui.key.value}`;
    let response;
    try {
      response = await fetch('/api/v1/token', {
        method: 'POST', headers,
        body: JSON.stringify({
          department: ui.department.value, language: ui.language.value,
          participant_name: ui.name.value.trim() || 'Web caller',
        }),
      });
    } catch (err) {
      throw new Error('Cannot reach the contact-center server (network error). ' +
                      'Check that the API is running.');
    }
    let body = null;
    try { body = await response.json(); } catch (_) { /* not JSON */ }
    if (!response.ok) {
      const detail = body && body.detail ? body.detail : `HTTP ${response.status}`;
      if (response.status === 429) {
        const wait = response.headers.get('Retry-After');
        throw new Error(`Too many calls from this address; try again in ${wait || 'a few'} seconds.`);
      }
      if (response.status === 401) throw new Error(`Access key required or wrong: ${detail}`);
      if (response.status === 503) {
        const wait = response.headers.get('Retry-After');
        throw new Error(`All assistants for browser calls are busy; try again in ${wait || 'a few'} seconds.`);
      }
      throw new Error(`The server refused the call: ${detail}`);
    }
    return body;
  }

  function micErrorMessage(err) {
    const name = err && err.name;
    if (!window.isSecureContext || !navigator.mediaDevices) {
      return 'The microphone needs a secure page (HTTPS or localhost). ' +
             'You can still type messages below.';
    }
    if (name === 'NotAllowedError' || name === 'SecurityError') {
      return 'Microphone access was denied. You can still type messages below; ' +
             "allow the microphone in the browser's site settings to speak.";
    }
    if (name === 'NotFoundError' || name === 'OverconstrainedError') {
      return 'No microphone was found. You can still type messages below.';
    }
    if (name === 'NotReadableError') {
      return 'The microphone is in use by another application. You can still type messages below.';
    }
    return `The microphone could not be started (${(err && err.message) || err}). ` +
           'You can still type messages below.';
  }

  async function startMicrophone() {
    const LK = window.LivekitClient;
    try {
      await room.localParticipant.setMicrophoneEnabled(true);
    } catch (err) {
      ui.micStatus.textContent = 'unavailable';
      showError(micErrorMessage(err));
      return;
    }
    ui.micStatus.textContent = 'on';
    const publication = room.localParticipant.getTrackPublication(LK.Track.Source.Microphone);
    if (!publication || !publication.track) return;
    try {
      micAnalyser = LK.createAudioAnalyser(publication.track, { cloneTrack: true });
      meterTimer = setInterval(() => {
        const level = Math.min(1, micAnalyser.calculateVolume() * 4);
        ui.meter.value = level;
        ui.meter.textContent = level.toFixed(2);
      }, 100);
    } catch (err) {
      console.warn('no microphone level meter', err);
    }
  }

  function stopMeter() {
    if (meterTimer) clearInterval(meterTimer);
    meterTimer = null;
    if (micAnalyser) micAnalyser.cleanup();
    micAnalyser = null;
    ui.meter.value = 0;
    ui.meter.textContent = '0';
  }

  function isAgent(participant) {
    const LK = window.LivekitClient;
    return Boolean(participant && (participant.isAgent ||
      participant.kind === LK.ParticipantKind.AGENT));
  }

  function updateFromAgent(participant) {
    if (!isAgent(participant)) return;
    agentIdentity = participant.identity;
    if (agentWaitTimer) { clearTimeout(agentWaitTimer); agentWaitTimer = null; }
    const attrs = participant.attributes || {};
    setAgentState(attrs['lk.agent.state'] || 'initializing');
    // The agent publishes the active persona on every handoff (cc.department, cc.persona_name).
    if (attrs['cc.department'] || attrs['cc.persona_name']) {
      setPersona(attrs['cc.department'] || '', attrs['cc.persona_name']);
    }
    if (attrs['cc.language'] === 'ar' || attrs['cc.language'] === 'en') {
      callLanguage = attrs['cc.language'];
    }
  }

  function handleTranscription(reader, participantInfo) {
    const info = reader.info || {};
    const attrs = info.attributes || {};
    const segmentId = attrs['lk.segment_id'] || info.id;
    const trackId = attrs['lk.transcribed_track_id'];
    const local = room && room.localParticipant;
    let fromUser = Boolean(local && participantInfo && participantInfo.identity === local.identity);
    if (!fromUser && local && trackId) {
      for (const pub of local.trackPublications.values()) {
        if (pub.trackSid === trackId) fromUser = true;
      }
    }
    const speaker = fromUser ? 'user' : 'agent';
    const who = fromUser ? 'You' : currentSpeakerName();
    let li = segments.get(segmentId);
    let text = '';
    (async () => {
      try {
        for await (const chunk of reader) {
          text += chunk;
          if (!li) {
            li = addLine(speaker, who, visibleText(text), { segmentId, final: false });
            segments.set(segmentId, li);
          } else {
            setLineText(li, visibleText(text), false);
          }
        }
        const final = (reader.info.attributes || {})['lk.transcription_final'] !== 'false';
        if (li) setLineText(li, visibleText(text), final);
      } catch (err) {
        console.warn('transcription stream failed', err);
      }
    })();
  }

  function attachTrack(track) {
    const LK = window.LivekitClient;
    if (track.kind !== LK.Track.Kind.Audio) return;
    const element = track.attach();
    ui.audioSink.append(element);
  }

  function onDisconnected(reason) {
    const LK = window.LivekitClient;
    stopMeter();
    if (agentWaitTimer) { clearTimeout(agentWaitTimer); agentWaitTimer = null; }
    ui.audioSink.innerHTML = '';
    ui.audio.hidden = true;
    ui.micStatus.textContent = 'off';
    setAgentState(null);
    const why = reason !== undefined && LK.DisconnectReason ? LK.DisconnectReason[reason] : '';
    if (!agentIdentity && why === 'ROOM_DELETED') {
      // the server gave up waiting for an assistant (CALL_ANSWER_TIMEOUT_SECONDS)
      showError('No assistant was free to take your call. Please try again in a few minutes.');
    }
    setConnection('disconnected', why && why !== 'CLIENT_INITIATED' ?
      `Call ended (${why.toLowerCase().replace(/_/g, ' ')})` : 'Call ended');
    addLine('system', '', 'Call ended');
    room = null;
    agentIdentity = null;
    segments.clear();
    setInCall(false);
    ui.call.focus();
  }

  async function startCall() {
    showError('');
    const LK = window.LivekitClient;
    if (!LK) {
      showError('The LiveKit client library could not be loaded from ' +
                '/static/vendor/livekit-client.umd.js (is livekit-client installed on the server? ' +
                'Run `npm ci` in the project folder).');
      return;
    }
    if (!ui.department.value) return;
    setInCall(true);
    ui.hangup.disabled = true;  // until connected
    ui.transcript.innerHTML = '';
    segments.clear();
    callLanguage = ui.language.value;
    setPersona(ui.department.value);
    setConnection('requesting', 'Requesting a call token…');

    let grant;
    try {
      grant = await requestToken();
    } catch (err) {
      setConnection('failed', 'Not connected');
      showError(err.message);
      setInCall(false);
      return;
    }

    room = new LK.Room({ adaptiveStream: true, dynacast: true });
    room
      .on(LK.RoomEvent.ConnectionStateChanged, (state) => {
        const labels = { connecting: 'Connecting…', connected: 'Connected',
                         reconnecting: 'Reconnecting…', signalReconnecting: 'Reconnecting…',
                         disconnected: 'Disconnected' };
        if (state !== 'disconnected') setConnection(state, labels[state] || state);
      })
      .on(LK.RoomEvent.Disconnected, onDisconnected)
      .on(LK.RoomEvent.ParticipantConnected, updateFromAgent)
      .on(LK.RoomEvent.ParticipantAttributesChanged, (_changed, participant) => {
        updateFromAgent(participant);
      })
      .on(LK.RoomEvent.ParticipantDisconnected, (participant) => {
        if (participant.identity === agentIdentity) {
          agentIdentity = null;
          setAgentState('left');
          addLine('system', '', 'The assistant left the call');
        }
      })
      .on(LK.RoomEvent.TrackSubscribed, (track) => attachTrack(track))
      .on(LK.RoomEvent.TrackUnsubscribed, (track) => track.detach().forEach((el) => el.remove()))
      .on(LK.RoomEvent.AudioPlaybackStatusChanged, () => {
        ui.audio.hidden = room ? room.canPlaybackAudio : true;
      });
    room.registerTextStreamHandler('lk.transcription', handleTranscription);

    setConnection('connecting', 'Connecting…');
    try {
      await room.connect(grant.server_url, grant.participant_token);
    } catch (err) {
      const url = grant.server_url;
      room = null;
      setConnection('failed', 'Not connected');
      showError(`Could not connect to the LiveKit server at ${url}: ${err.message || err}. ` +
                'Check that LiveKit is running and reachable from this browser ' +
                '(LIVEKIT_PUBLIC_URL).');
      setInCall(false);
      return;
    }
    setConnection('connected', 'Connected');
    ui.hangup.disabled = false;
    addLine('system', '', `Connected to room ${grant.room_name}`);
    window.ccCall.roomName = grant.room_name;
    for (const participant of room.remoteParticipants.values()) updateFromAgent(participant);
    if (!agentIdentity) {
      setAgentState('waiting');
      ui.agentState.textContent = 'waiting for the assistant…';
      agentWaitTimer = setTimeout(() => {
        if (room && !agentIdentity) {
          showError('All assistants are busy or starting; please hold, you will be ' +
                    'answered as soon as one is free (or hang up and try later).');
        }
      }, AGENT_WAIT_WARNING_MS);
    }
    room.startAudio().catch(() => { ui.audio.hidden = false; });
    await startMicrophone();
    ui.chatInput.focus();
  }

  async function hangUp() {
    if (!room) return;
    ui.hangup.disabled = true;
    setConnection('disconnecting', 'Hanging up…');
    await room.disconnect();
  }

  async function sendChat(event) {
    event.preventDefault();
    const text = ui.chatInput.value.trim();
    if (!text || !room) return;
    ui.chatSend.disabled = true;
    try {
      await room.localParticipant.sendText(text, { topic: 'lk.chat' });
      addLine('user', 'You (typed)', text);
      ui.chatInput.value = '';
    } catch (err) {
      showError(`The message could not be sent: ${err.message || err}`);
    } finally {
      ui.chatSend.disabled = !room;
      ui.chatInput.focus();
    }
  }

  // ---- wiring ---------------------------------------------------------------------------
  ui.form.addEventListener('submit', (event) => { event.preventDefault(); startCall(); });
  ui.hangup.addEventListener('click', hangUp);
  ui.audio.addEventListener('click', () => {
    if (room) room.startAudio().then(() => { ui.audio.hidden = true; });
  });
  ui.chatForm.addEventListener('submit', sendChat);
  ui.department.addEventListener('change', syncLanguageWithDepartment);
  ui.language.addEventListener('change', () => {
    if (!room) { callLanguage = ui.language.value; setPersona(ui.department.value); }
  });
  window.addEventListener('beforeunload', () => { if (room) room.disconnect(); });

  // For debugging from the console (and for the browser tests).
  window.ccCall = {
    get room() { return room; },
    roomName: null,
  };

  if (!window.LivekitClient) {
    showError('The LiveKit client library could not be loaded from ' +
              '/static/vendor/livekit-client.umd.js (is livekit-client installed on the server? ' +
              'Run `npm ci` in the project folder).');
  }
  loadDepartments();
})();
