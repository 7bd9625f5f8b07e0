// The host monitor's state (assets/web/host/state.js): what the studio's
// messages do to it, and the clocks and the cue's mark as time passes.

import { test } from 'node:test';
import assert from 'node:assert/strict';

import { ConnState } from '../../../assets/web/common.js';
import {
  initialState, connectionChanged, helloMessage, helloSent, loginSubmitted, messageReceived, loginVisible,
  elapsedMs, clocks, cueFresh, monitor, kCueFreshMs,
} from '../../../assets/web/host/state.js';

function hostState(extra = {}) {
  return {
    show: { title: '议事厅', timeline_ms: 60000, duration_ms: 3600000 },
    on_air: null,
    next: [],
    cue: null,
    ...extra,
  };
}

function signedIn(host = hostState(), nowMs = 1000) {
  let state = initialState({ token: 'host-token' });
  state = connectionChanged(state, ConnState.OPEN);
  state = helloSent(state);
  return messageReceived(state, { type: 'hello.ok', role: 'host', host }, nowMs);
}

test('the hello carries the host role and the token', () => {
  const state = loginSubmitted(initialState(), 'typed-token');
  assert.deepEqual(helloMessage(state), { type: 'hello', role: 'host', token: 'typed-token' });
});

test('hello.ok signs the host in and brings the monitor\'s state', () => {
  const state = signedIn(hostState({ on_air: { id: 3, text: '医保卡怎么用？', nickname: '小李' },
                                     next: [{ id: 4, text: '公交卡' }] }));
  assert.equal(state.loggedIn, true);
  assert.equal(state.helloPending, false);
  assert.equal(loginVisible(state), false);
  const shown = monitor(state);
  assert.equal(shown.title, '议事厅');
  assert.equal(shown.onAir.id, 3);
  assert.deepEqual(shown.next.map((q) => q.id), [4]);
  assert.equal(shown.cue, '');
});

test('a hello.ok for another role, or a stray error, changes nothing', () => {
  const waiting = helloSent(connectionChanged(initialState({ token: 'x' }), ConnState.OPEN));
  assert.equal(messageReceived(waiting, { type: 'hello.ok', role: 'viewer' }, 0), waiting);
  const state = signedIn();
  assert.equal(messageReceived(state, { type: 'error', code: 'forbidden' }, 0), state);
  assert.equal(messageReceived(state, { type: 'questions.changed' }, 0), state);
});

test('the form hides while a stored token waits for its answer, and shows without one', () => {
  assert.equal(loginVisible(initialState()), true);
  assert.equal(loginVisible(helloSent(initialState({ token: 'x' }))), false);
  assert.equal(loginVisible(initialState({ token: 'x' })), true);
});

test('an error to the hello refuses the token and says why', () => {
  const waiting = () => helloSent(connectionChanged(initialState({ token: 'wrong' }), ConnState.OPEN));
  const forbidden = messageReceived(waiting(), { type: 'error', code: 'forbidden' }, 0);
  assert.equal(forbidden.token, null);
  assert.equal(forbidden.loggedIn, false);
  assert.equal(forbidden.loginError, 'host.login.forbidden');
  assert.equal(loginVisible(forbidden), true);
  const locked = messageReceived(waiting(), { type: 'error', code: 'too_many_attempts', retry_after_s: 7.2 }, 0);
  assert.equal(locked.loginError, 'host.login.too_many');
  assert.deepEqual(locked.loginErrorVars, { n: 8 });
  assert.equal(messageReceived(waiting(), { type: 'error', code: 'rate_limited' }, 0).loginError, 'host.login.too_many');
  assert.equal(messageReceived(waiting(), { type: 'error', code: 'bad_request' }, 0).loginError, 'host.login.failed');
  // A new token clears the reason.
  assert.equal(loginSubmitted(forbidden, 'right').loginError, null);
});

test('a lost connection drops the waiting hello but keeps the monitor', () => {
  const waiting = helloSent(connectionChanged(initialState({ token: 'x' }), ConnState.OPEN));
  assert.equal(connectionChanged(waiting, ConnState.CLOSED).helloPending, false);
  const state = connectionChanged(signedIn(), ConnState.CONNECTING);
  assert.equal(state.loggedIn, true);
  assert.equal(monitor(state).title, '议事厅');
});

test('host.state replaces what the monitor shows; a malformed one is ignored', () => {
  let state = signedIn();
  state = messageReceived(state, { type: 'host.state', ...hostState({ on_air: { id: 9, text: '加装电梯' } }) }, 2000);
  assert.equal(monitor(state).onAir.id, 9);
  state = messageReceived(state, { type: 'host.state', ...hostState({ on_air: 'nonsense', next: 'nonsense' }) }, 3000);
  assert.equal(monitor(state).onAir, null);
  assert.deepEqual(monitor(state).next, []);
  const before = signedIn();
  assert.equal(messageReceived(before, { type: 'hello.ok', role: 'host', host: null }, 0).host, before.host);
});

test('the elapsed clock runs on from the last state', () => {
  const state = signedIn(hostState(), 1000);
  assert.equal(elapsedMs(state, 1000), 60000);
  assert.equal(elapsedMs(state, 3500), 62500);
  assert.equal(elapsedMs(signedIn(hostState({ show: {} })), 5000), 0);
  assert.equal(elapsedMs(initialState(), 5000), 0);
});

test('the remaining time turns amber at five minutes and red at one, and goes below zero', () => {
  const at = (elapsed) => clocks(signedIn(hostState({ show: { timeline_ms: elapsed, duration_ms: 600000 } }), 0), 0);
  assert.deepEqual(at(0).remaining, { ms: 600000, level: 'ok' });
  assert.equal(at(300000).remaining.level, 'ok');
  assert.equal(at(300001).remaining.level, 'soon');
  assert.equal(at(540000).remaining.level, 'soon');
  assert.equal(at(540001).remaining.level, 'last');
  assert.deepEqual(at(610000).remaining, { ms: -10000, level: 'last' });
  assert.equal(clocks(signedIn(hostState({ show: { timeline_ms: 0 } })), 0).remaining, null);
  assert.equal(clocks(signedIn(hostState({ show: { timeline_ms: 0, duration_ms: 0 } })), 0).remaining, null);
});

test('a new cue is marked fresh for a while; the same one again is not', () => {
  const cue = { text: '还有一分钟', utc: '2025-01-01T20:00:00Z' };
  let state = signedIn(hostState(), 0);
  assert.equal(cueFresh(state, 0), false);
  state = messageReceived(state, { type: 'host.state', ...hostState({ cue }) }, 1000);
  assert.equal(monitor(state).cue, '还有一分钟');
  assert.equal(cueFresh(state, 1000 + kCueFreshMs - 1), true);
  assert.equal(cueFresh(state, 1000 + kCueFreshMs), false);
  // The same cue in a later state (the queue changed) does not refresh it.
  state = messageReceived(state, { type: 'host.state', ...hostState({ cue, next: [{ id: 1, text: 'x' }] }) }, 5000);
  assert.equal(cueFresh(state, 1000 + kCueFreshMs), false);
  // The same words sent again are a new cue.
  state = messageReceived(state, { type: 'host.state', ...hostState({ cue: { ...cue, utc: '2025-01-01T20:01:00Z' } }) },
                          20000);
  assert.equal(cueFresh(state, 20001), true);
  // A cue taken away is not fresh.
  state = messageReceived(state, { type: 'host.state', ...hostState() }, 21000);
  assert.equal(cueFresh(state, 21001), false);
  assert.equal(monitor(state).cue, '');
});

test('a cue already there at sign-in is marked fresh: it may have just been sent', () => {
  const state = signedIn(hostState({ cue: { text: '准备', utc: '2025-01-01T20:00:00Z' } }), 100);
  assert.equal(cueFresh(state, 200), true);
});
