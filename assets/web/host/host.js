// The host's monitor in a browser (/host/), for a host who sits apart from
// the control room: the program, the question on air in large type with who
// asked, the next three in the air queue, the show's elapsed and remaining
// time, and the producer's latest cue. Signed in with the host token (or
// the producer's); the studio sends host.state whenever any of it changes.
//
// Selectors (data-testid): host-login, host-token, host-login-submit,
// host-login-error; host-monitor with host-cue (data-fresh), host-onair
// (data-state none|on_air) > host-onair-text, host-onair-asker; host-next >
// li; host-elapsed, host-remaining (data-level ok|soon|last); host-conn;
// <body data-hello="ok"> once signed in.

import { h, retrySeconds, sessionGet, sessionSet, StudioSocket, ConnState, timecode } from '../common.js';
import { applyStatic, mountLangToggle, onLangChange, t } from '../i18n.js';
import { ErrorCode, Msg, Role } from '../protocol.js';
import { ProgramPlayer } from '../program_player.js';

const kTokenKey = 'yst.host_token'; // sessionStorage only
const kCueFreshMs = 8000;

const $ = (testid) => document.querySelector(`[data-testid="${testid}"]`);

const ui = {
  login: $('host-login'),
  loginForm: $('host-login-form'),
  token: $('host-token'),
  loginError: $('host-login-error'),
  monitor: $('host-monitor'),
  cue: $('host-cue'),
  video: $('host-video'),
  videoNone: $('host-video-none'),
  elapsed: $('host-elapsed'),
  remainingBox: $('host-remaining-box'),
  remaining: $('host-remaining'),
  title: $('host-title'),
  onair: $('host-onair'),
  onairHeading: $('host-onair-heading'),
  onairText: $('host-onair-text'),
  onairAsker: $('host-onair-asker'),
  nextHeading: $('host-next-heading'),
  next: $('host-next'),
  conn: $('host-conn'),
};

const state = {
  token: sessionGet(kTokenKey),
  loggedIn: false,
  helloPending: false,
  loginError: null,
  loginErrorVars: null,
  host: null, // the latest host.state
  receivedAt: 0, // performance.now() when it came: the clock runs on from there
  cueKey: '',
  cueFreshUntil: 0,
  connection: ConnState.CONNECTING,
};

const socket = new StudioSocket({
  staff: true,
  onOpen: () => {
    if (state.token) sayHello();
    render();
  },
  onMessage: handleMessage,
  onState: (connection) => {
    state.connection = connection;
    if (connection !== ConnState.OPEN) state.helloPending = false;
    render();
  },
});

function sayHello() {
  state.helloPending = true;
  socket.send({ type: Msg.HELLO, role: Role.HOST, token: state.token }, { withId: false });
}

ui.loginForm.addEventListener('submit', (event) => {
  event.preventDefault();
  const token = ui.token.value.trim();
  if (!token) return;
  state.token = token;
  sessionSet(kTokenKey, token);
  state.loginError = null;
  ui.token.value = '';
  if (socket.isOpen()) sayHello();
  render();
});

function handleMessage(message) {
  if (message.type === Msg.HELLO_OK && message.role === Role.HOST) {
    state.helloPending = false;
    state.loggedIn = true;
    applyState(message.host);
  } else if (message.type === Msg.HOST_STATE) {
    applyState(message);
  } else if (message.type === Msg.ERROR && state.helloPending) {
    state.helloPending = false;
    state.loggedIn = false;
    state.token = null;
    sessionSet(kTokenKey, null);
    const tooMany = message.code === ErrorCode.TOO_MANY_ATTEMPTS || message.code === ErrorCode.RATE_LIMITED;
    state.loginError = message.code === ErrorCode.FORBIDDEN ? 'host.login.forbidden'
      : tooMany ? 'host.login.too_many' : 'host.login.failed';
    state.loginErrorVars = tooMany ? { n: retrySeconds(message) } : null;
    render();
  }
}

function applyState(host) {
  if (!host || typeof host !== 'object') return;
  state.host = host;
  state.receivedAt = performance.now();
  const cue = host.cue && typeof host.cue.text === 'string' ? host.cue : null;
  const key = cue ? `${cue.utc}|${cue.text}` : '';
  if (key !== state.cueKey) {
    if (state.cueKey !== '' || cue) state.cueFreshUntil = cue ? Date.now() + kCueFreshMs : 0;
    state.cueKey = key;
  }
  render();
}

// ---------------------------------------------------------------------------

function elapsedMs() {
  const show = state.host && state.host.show;
  if (!show || typeof show.timeline_ms !== 'number') return 0;
  return show.timeline_ms + (performance.now() - state.receivedAt);
}

function renderClock() {
  if (!state.host) return;
  const elapsed = elapsedMs();
  ui.elapsed.textContent = timecode(elapsed);
  const planned = state.host.show && typeof state.host.show.duration_ms === 'number' ? state.host.show.duration_ms : 0;
  ui.remainingBox.hidden = planned <= 0;
  if (planned > 0) {
    const left = planned - elapsed;
    ui.remaining.textContent = (left < 0 ? '−' : '') + timecode(Math.abs(left));
    ui.remaining.dataset.level = left < 60000 ? 'last' : left < 300000 ? 'soon' : 'ok';
  }
  ui.cue.dataset.fresh = Date.now() < state.cueFreshUntil ? 'true' : 'false';
}

function asker(q) {
  const who = q.nickname || t('anonymous');
  return q.observer ? `${who} · ${t('observer.badge', { name: q.observer })}` : who;
}

function render() {
  document.body.dataset.hello = state.loggedIn ? 'ok' : 'none';
  ui.login.hidden = state.loggedIn || Boolean(state.token && state.helloPending);
  ui.monitor.hidden = !state.loggedIn;
  ui.loginError.hidden = !state.loginError;
  ui.loginError.textContent = state.loginError ? t(state.loginError, state.loginErrorVars || undefined) : '';
  ui.conn.dataset.state = state.connection;
  ui.conn.textContent = t(state.connection === ConnState.OPEN ? 'conn.open'
    : state.connection === ConnState.CONNECTING ? 'conn.connecting' : 'conn.closed');
  if (!state.loggedIn || !state.host) return;
  const host = state.host;
  ui.title.textContent = host.show && host.show.title ? host.show.title : '';
  const cue = host.cue && host.cue.text ? host.cue.text : '';
  ui.cue.hidden = cue === '';
  ui.cue.textContent = cue;
  const onAir = host.on_air && typeof host.on_air === 'object' ? host.on_air : null;
  ui.onair.dataset.state = onAir ? 'on_air' : 'none';
  ui.onairHeading.textContent = t(onAir ? 'host.on_air' : 'host.none_on_air');
  ui.onairText.textContent = onAir ? onAir.text : '';
  ui.onairAsker.textContent = onAir ? `—— ${asker(onAir)}` : '';
  const next = Array.isArray(host.next) ? host.next : [];
  ui.nextHeading.textContent = t(next.length > 0 ? 'host.next' : 'host.queue_empty');
  ui.next.replaceChildren(...next.map((q) => h('li', null, q.text,
    h('span', { class: 'next-asker' }, `—— ${asker(q)}`))));
  renderClock();
}

const player = new ProgramPlayer(ui.video, (videoState) => {
  ui.videoNone.hidden = videoState === 'playing';
});

applyStatic();
mountLangToggle($('lang-toggle'));
onLangChange(render);
setInterval(renderClock, 250);
socket.connect();
player.start();
render();
if (!state.token) ui.token.focus();
