// The producer's graphics panel (assets/web/producer/graphics_state.js): the
// studio's overlay state in, the commands its controls send and what each
// shows out.

import { test } from 'node:test';
import assert from 'node:assert/strict';

import { Limits } from '../../../assets/web/protocol.js';
import {
  initialGraphics, overlayChanged, toggleCommand, lowerThirdCommand, tickerOnCommand, tickerOffCommand, slateCommand,
  countdownSeconds, themeCommand, clearCommand, people, personName, lowerThirdShown, toggleShown, tickerShown,
  slateKind, slateRemainingS, themeChoice, mmss, kDefaultMinutes,
} from '../../../assets/web/producer/graphics_state.js';

// An overlay state as the studio sends it (protocol.md, "Broadcast graphics").
function overlay(extra = {}) {
  return {
    theme: 'default',
    theme_name: '温网蓝',
    themes: ['cinnabar', 'default'],
    people: [{ person: 'guest10', name: '赵六' }, { person: 'guest2', name: '李四', title: '局长' },
             { person: 'host', name: '王芳', title: '主持人' }],
    lower_thirds: { left: null, right: null },
    card: { visible: false, question: null },
    bug: { visible: true, title: '议事厅' },
    clock: { visible: false },
    qr: { visible: false, url: 'https://example.org/' },
    ticker: { visible: false, text: '' },
    slate: { kind: 'none' },
    program_silenced: false,
    ...extra,
  };
}

const shown = (extra, nowMs = 0) => overlayChanged(initialGraphics(), overlay(extra), nowMs);

test('logged out, nothing can be sent and every control is off', () => {
  const state = overlayChanged(shown(), null, 0);
  assert.equal(state.overlay, null);
  assert.equal(toggleCommand(state, 'bug'), null);
  assert.equal(tickerOnCommand(state, '欢迎'), null);
  assert.equal(themeCommand(state, 'cinnabar'), null);
  assert.deepEqual(toggleShown(state, 'bug'), { pressed: false, disabled: true });
  assert.deepEqual(people(state), []);
  assert.deepEqual(themeChoice(state), { options: [], current: '', disabled: true });
  assert.equal(overlayChanged(initialGraphics(), 'nonsense', 0).overlay, null);
});

test('a toggle sends the opposite of what the studio shows', () => {
  const state = shown();
  assert.deepEqual(toggleCommand(state, 'bug'), { type: 'overlay.bug', fields: { visible: false } });
  assert.deepEqual(toggleCommand(state, 'clock'), { type: 'overlay.clock', fields: { visible: true } });
  assert.deepEqual(toggleShown(state, 'bug'), { pressed: true, disabled: false });
  assert.deepEqual(toggleShown(state, 'clock'), { pressed: false, disabled: false });
});

test('the card toggle needs a question on air', () => {
  assert.equal(toggleShown(shown(), 'card').disabled, true);
  const state = shown({ card: { visible: true, question: { id: 12, text: '医保' } } });
  assert.deepEqual(toggleShown(state, 'card'), { pressed: true, disabled: false });
  assert.deepEqual(toggleCommand(state, 'card'), { type: 'overlay.card', fields: { visible: false } });
});

test('the host comes first, then the guests in their order', () => {
  const state = shown();
  assert.deepEqual(people(state).map((p) => p.person), ['host', 'guest2', 'guest10']);
  assert.equal(personName(state, 'guest2'), '李四');
  assert.equal(personName(state, 'guest9'), 'guest9');
  assert.deepEqual(people(shown({ people: [null, { name: 'no id' }, { person: 'host' }] })).map((p) => p.person),
                   ['host']);
});

test('a lower-third button puts the person up on its side, or takes them down there', () => {
  const state = shown({ lower_thirds: { left: { person: 'host', automatic: true }, right: null } });
  assert.deepEqual(lowerThirdCommand(state, 'host', 'left'),
                   { type: 'overlay.lower_third', fields: { person: 'host', visible: false } });
  assert.deepEqual(lowerThirdCommand(state, 'host', 'right'),
                   { type: 'overlay.lower_third', fields: { person: 'host', visible: true, side: 'right' } });
  assert.deepEqual(lowerThirdCommand(state, 'guest2', 'left'),
                   { type: 'overlay.lower_third', fields: { person: 'guest2', visible: true, side: 'left' } });
  assert.deepEqual(lowerThirdShown(state, 'host', 'left'), { on: true, automatic: true });
  assert.deepEqual(lowerThirdShown(state, 'host', 'right'), { on: false, automatic: false });
  assert.deepEqual(lowerThirdShown(state, 'guest2', 'left'), { on: false, automatic: false });
});

test('the ticker goes up as typed; blank text sends nothing', () => {
  const state = shown();
  assert.deepEqual(tickerOnCommand(state, ' <b>x</b> 欢迎 '),
                   { type: 'overlay.ticker', fields: { text: ' <b>x</b> 欢迎 ', visible: true } });
  assert.equal(tickerOnCommand(state, '   '), null);
  assert.deepEqual(tickerOffCommand(), { type: 'overlay.ticker', fields: { visible: false } });
  assert.deepEqual(tickerShown(state, ''), { onAir: false, pressed: false, update: false, onDisabled: true,
                                             offDisabled: true });
  assert.equal(tickerShown(state, '欢迎').onDisabled, false);
});

test('the ticker on air: pressed while the input holds its text, an update once it differs', () => {
  const state = shown({ ticker: { visible: true, text: '欢迎收看' } });
  assert.deepEqual(tickerShown(state, '欢迎收看'), { onAir: true, pressed: true, update: false, onDisabled: false,
                                                    offDisabled: false });
  assert.deepEqual(tickerShown(state, '欢迎收看 草稿'), { onAir: true, pressed: false, update: true,
                                                         onDisabled: false, offDisabled: false });
});

test('slates: the starting one counts down from the minutes typed, within the studio\'s limit', () => {
  assert.deepEqual(slateCommand('none', '2'), { type: 'overlay.slate', fields: { slate: 'none' } });
  assert.deepEqual(slateCommand('hold', '2'), { type: 'overlay.slate', fields: { slate: 'hold' } });
  assert.deepEqual(slateCommand('starting', '2'), { type: 'overlay.slate', fields: { slate: 'starting', countdown_s: 120 } });
  assert.equal(countdownSeconds('1.5'), 90);
  assert.equal(countdownSeconds('0'), 0);
  assert.equal(countdownSeconds('-3'), kDefaultMinutes * 60);
  assert.equal(countdownSeconds('abc'), kDefaultMinutes * 60);
  assert.equal(countdownSeconds('100000'), Limits.COUNTDOWN_S);
});

test('the countdown runs on from the studio\'s remaining_s; other slates have none', () => {
  const state = shown({ slate: { kind: 'starting', remaining_s: 290 } }, 1000);
  assert.equal(slateKind(state), 'starting');
  assert.equal(slateRemainingS(state, 1000), 290);
  assert.equal(slateRemainingS(state, 1001), 290);
  assert.equal(slateRemainingS(state, 11000), 280);
  assert.equal(slateRemainingS(state, 1000 + 400000), 0);
  assert.equal(slateRemainingS(overlayChanged(state, overlay({ slate: { kind: 'hold' } }), 2000), 2000), null);
  assert.equal(slateRemainingS(shown({ slate: { kind: 'starting' } }), 0), null);
  assert.equal(mmss(290), '04:50');
  assert.equal(mmss(5400), '90:00');
  assert.equal(mmss(0), '00:00');
});

test('themes are named once they have been on air; the one on air is always listed', () => {
  let state = shown();
  assert.deepEqual(themeChoice(state), {
    options: [{ id: 'cinnabar', label: 'cinnabar' }, { id: 'default', label: '温网蓝 · default' }],
    current: 'default',
    disabled: false,
  });
  state = overlayChanged(state, overlay({ theme: 'cinnabar', theme_name: '朱砂' }), 0);
  state = overlayChanged(state, overlay({ theme: 'extra', theme_name: '', themes: ['default'] }), 0);
  assert.deepEqual(themeChoice(state).options,
                   [{ id: 'default', label: '温网蓝 · default' }, { id: 'extra', label: 'extra' }]);
  assert.equal(themeChoice(state).current, 'extra');
  assert.equal(themeChoice(shown({ themes: ['default'] })).disabled, true);
});

test('picking the theme on air sends nothing; another one is asked for', () => {
  const state = shown();
  assert.equal(themeCommand(state, 'default'), null);
  assert.deepEqual(themeCommand(state, 'cinnabar'), { type: 'overlay.theme', fields: { theme: 'cinnabar' } });
  assert.deepEqual(clearCommand(), { type: 'overlay.clear', fields: {} });
});

test('a new overlay state leaves the old one as it was', () => {
  const before = shown();
  const names = before.themeNames;
  overlayChanged(before, overlay({ theme: 'cinnabar', theme_name: '朱砂' }), 0);
  assert.equal(before.overlay.theme, 'default');
  assert.equal(names.has('cinnabar'), false);
});
