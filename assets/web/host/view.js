// The host monitor drawn from its state (state.js): the login form, the
// producer's cue, the clocks, the question on air with who asked and the
// next ones. People's text reaches the page through h() and textContent
// only.
//
// Selectors (data-testid): host-login, host-token, host-login-submit,
// host-login-error; host-monitor with host-cue (data-fresh), host-onair
// (data-state none|on_air) > host-onair-text, host-onair-asker; host-next >
// li; host-elapsed, host-remaining (data-level ok|soon|last); host-conn;
// <body data-hello="ok"> once signed in.

import { t } from '../i18n.js';
import { h, timecode, ConnState } from '../common.js';
import { clocks, cueFresh, loginVisible, monitor } from './state.js';

// createView() finds the page's elements and returns what draws them.
export function createView() {
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
    langToggle: $('lang-toggle'),
  };

  function render(state, nowMs) {
    document.body.dataset.hello = state.loggedIn ? 'ok' : 'none';
    ui.login.hidden = !loginVisible(state);
    ui.monitor.hidden = !state.loggedIn;
    ui.loginError.hidden = !state.loginError;
    ui.loginError.textContent = state.loginError ? t(state.loginError, state.loginErrorVars || undefined) : '';
    ui.conn.dataset.state = state.connection;
    ui.conn.textContent = t(state.connection === ConnState.OPEN ? 'conn.open'
      : state.connection === ConnState.CONNECTING ? 'conn.connecting' : 'conn.closed');
    if (!state.loggedIn || !state.host) return;
    const { title, cue, onAir, next } = monitor(state);
    ui.title.textContent = title;
    ui.cue.hidden = cue === '';
    ui.cue.textContent = cue;
    ui.onair.dataset.state = onAir ? 'on_air' : 'none';
    ui.onairHeading.textContent = t(onAir ? 'host.on_air' : 'host.none_on_air');
    ui.onairText.textContent = onAir ? onAir.text : '';
    ui.onairAsker.textContent = onAir ? `—— ${asker(onAir)}` : '';
    ui.nextHeading.textContent = t(next.length > 0 ? 'host.next' : 'host.queue_empty');
    ui.next.replaceChildren(...next.map((q) => h('li', null, q.text,
      h('span', { class: 'next-asker' }, `—— ${asker(q)}`))));
    renderClocks(state, nowMs);
  }

  // The clocks and the cue's mark: drawn with everything else, and on their
  // own several times a second, since they move without any message.
  function renderClocks(state, nowMs) {
    if (!state.host) return;
    const { elapsedMs, remaining } = clocks(state, nowMs);
    ui.elapsed.textContent = timecode(elapsedMs);
    ui.remainingBox.hidden = remaining === null;
    if (remaining) {
      ui.remaining.textContent = (remaining.ms < 0 ? '−' : '') + timecode(Math.abs(remaining.ms));
      ui.remaining.dataset.level = remaining.level;
    }
    ui.cue.dataset.fresh = cueFresh(state, nowMs) ? 'true' : 'false';
  }

  // The program player's state ('soon' | 'playing' | 'unsupported'): a note
  // stands in for the picture until it plays.
  function renderVideo(videoState) {
    ui.videoNone.hidden = videoState === 'playing';
  }

  return { ui, render, renderClocks, renderVideo };
}

function asker(q) {
  const who = q.nickname || t('anonymous');
  return q.observer ? `${who} · ${t('observer.badge', { name: q.observer })}` : who;
}
