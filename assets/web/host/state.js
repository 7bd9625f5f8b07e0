// The host monitor's state and the pure functions that change it: each takes
// the state and a server message or the host's action (and the time, where it
// matters) and returns a new state. No DOM, no socket, no storage, no timers:
// host.js does those and view.js draws the state.
//
// The studio is the single source of truth: hello.ok brings the monitor's
// whole state (`host`), and host.state replaces it whenever anything on it
// changes. Between messages only the clocks move, counted on from the
// show's timeline in the last one. Times are the page's monotonic clock
// (performance.now()), passed in as nowMs.

import { ConnState, retrySeconds } from '../common.js';
import { ErrorCode, Msg, Role } from '../protocol.js';

// How long a new cue from the producer is marked as new.
export const kCueFreshMs = 8000;
// The remaining time turns amber below this, and red below kLastMs.
export const kSoonMs = 5 * 60 * 1000;
export const kLastMs = 60 * 1000;

export function initialState({ token = null } = {}) {
  return {
    token,
    loggedIn: false,
    helloPending: false,
    loginError: null, // i18n key
    loginErrorVars: null,
    connection: ConnState.CONNECTING,
    host: null, // the latest host state from the studio
    receivedMs: 0, // nowMs when it came: the clocks run on from there
    cueKey: '', // the cue last seen, to tell a new one
    cueFreshUntilMs: 0,
  };
}

// ---------------------------------------------------------------------------
// Connection and login.

export function connectionChanged(state, connection) {
  if (connection === ConnState.OPEN) return { ...state, connection };
  return { ...state, connection, helloPending: false };
}

export function helloMessage(state) {
  return { type: Msg.HELLO, role: Role.HOST, token: state.token };
}

export function helloSent(state) {
  return { ...state, helloPending: true };
}

export function loginSubmitted(state, token) {
  return { ...state, token, loginError: null };
}

// A message from the studio. An error while the hello waits for its answer
// refuses the login and forgets the token; other errors (there are no
// commands on this page) and other messages change nothing.
export function messageReceived(state, message, nowMs) {
  if (message.type === Msg.HELLO_OK && message.role === Role.HOST) {
    return hostState({ ...state, helloPending: false, loggedIn: true }, message.host, nowMs);
  }
  if (message.type === Msg.HOST_STATE) return hostState(state, message, nowMs);
  if (message.type === Msg.ERROR && state.helloPending) return loginRefused(state, message);
  return state;
}

function loginRefused(state, message) {
  const tooMany = message.code === ErrorCode.TOO_MANY_ATTEMPTS || message.code === ErrorCode.RATE_LIMITED;
  return {
    ...state,
    helloPending: false,
    loggedIn: false,
    token: null,
    loginError: message.code === ErrorCode.FORBIDDEN ? 'host.login.forbidden'
      : tooMany ? 'host.login.too_many' : 'host.login.failed',
    loginErrorVars: tooMany ? { n: retrySeconds(message) } : null,
  };
}

// What the monitor shows, from hello.ok's `host` or a host.state. A cue
// other than the last one seen is marked new for kCueFreshMs (the first one
// seen too: it may have just been sent).
function hostState(state, host, nowMs) {
  if (!host || typeof host !== 'object') return state;
  const next = { ...state, host, receivedMs: nowMs };
  const cue = cueOf(host);
  const key = cue ? `${cue.utc}|${cue.text}` : '';
  if (key !== state.cueKey) {
    next.cueKey = key;
    next.cueFreshUntilMs = cue ? nowMs + kCueFreshMs : 0;
  }
  return next;
}

function cueOf(host) {
  return host.cue && typeof host.cue.text === 'string' ? host.cue : null;
}

// The login form shows unless signed in, or while a stored token's hello
// waits for its answer.
export function loginVisible(state) {
  return !state.loggedIn && !(state.token && state.helloPending);
}

// ---------------------------------------------------------------------------
// What the monitor shows.

// The show's elapsed time now: the timeline in the last state, counted on.
export function elapsedMs(state, nowMs) {
  const show = state.host && state.host.show;
  if (!show || typeof show.timeline_ms !== 'number') return 0;
  return show.timeline_ms + (nowMs - state.receivedMs);
}

// The show's clocks now: {elapsedMs, remaining}, remaining being null
// without a planned duration, else {ms (below 0 once over time), level:
// 'ok' | 'soon' | 'last'}.
export function clocks(state, nowMs) {
  const elapsed = elapsedMs(state, nowMs);
  const show = state.host && state.host.show;
  const planned = show && typeof show.duration_ms === 'number' ? show.duration_ms : 0;
  if (planned <= 0) return { elapsedMs: elapsed, remaining: null };
  const left = planned - elapsed;
  return { elapsedMs: elapsed, remaining: { ms: left, level: left < kLastMs ? 'last' : left < kSoonMs ? 'soon' : 'ok' } };
}

export function cueFresh(state, nowMs) {
  return nowMs < state.cueFreshUntilMs;
}

// The parts of the host state the monitor draws, each checked: {title, cue
// ('' for none), onAir (a question or null), next (questions, in air order)}.
export function monitor(state) {
  const host = state.host || {};
  return {
    title: host.show && host.show.title ? host.show.title : '',
    cue: host.cue && host.cue.text ? host.cue.text : '',
    onAir: host.on_air && typeof host.on_air === 'object' ? host.on_air : null,
    next: Array.isArray(host.next) ? host.next : [],
  };
}
