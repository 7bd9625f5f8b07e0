// The producer console's shortcuts (assets/web/producer/keys.js).

import { test } from 'node:test';
import assert from 'node:assert/strict';

import { shortcut } from '../../../assets/web/producer/keys.js';

const press = (key, modifiers = {}) =>
  shortcut({ key, ctrlKey: false, metaKey: false, altKey: false, shiftKey: false, ...modifiers });

test('letters and arrows name the card actions', () => {
  assert.equal(press('j'), 'next');
  assert.equal(press('ArrowDown'), 'next');
  assert.equal(press('k'), 'previous');
  assert.equal(press('ArrowUp'), 'previous');
  assert.equal(press('a'), 'approve');
  assert.equal(press('r'), 'reject');
  assert.equal(press('e'), 'edit');
  assert.equal(press('m'), 'merge');
  assert.equal(press('o'), 'on_air');
  assert.equal(press('f'), 'off_air');
  assert.equal(press('d'), 'answered');
  assert.equal(press('u'), 'undo');
  assert.equal(press('Escape'), 'escape');
  assert.equal(press('A'), 'approve', 'Caps Lock (A without Shift) does not matter');
  assert.equal(press('x'), null);
  assert.equal(press('Enter'), null);
});

test('Ctrl+Z and ⌘Z undo; other browser shortcuts are left alone', () => {
  assert.equal(press('z', { ctrlKey: true }), 'undo');
  assert.equal(press('z', { metaKey: true }), 'undo');
  assert.equal(press('z', { ctrlKey: true, shiftKey: true }), null);
  assert.equal(press('z', { ctrlKey: true, altKey: true }), null);
  assert.equal(press('a', { ctrlKey: true }), null);
  assert.equal(press('j', { metaKey: true }), null);
});

test('Alt+↑/↓ move in the queue; other Alt and Shift keys do nothing', () => {
  assert.equal(press('ArrowUp', { altKey: true }), 'move_up');
  assert.equal(press('ArrowDown', { altKey: true }), 'move_down');
  assert.equal(press('a', { altKey: true }), null);
  assert.equal(press('J', { shiftKey: true }), null);
  assert.equal(press('ArrowDown', { shiftKey: true }), null);
});
