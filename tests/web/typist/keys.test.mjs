// The typist page's keys (assets/web/typist/keys.js).

import { test } from 'node:test';
import assert from 'node:assert/strict';

import { composeKey, speakerIndex, editKey, leavesEditor, promiseKey } from '../../../assets/web/typist/keys.js';

const key = (name, extra = {}) =>
  ({ key: name, altKey: false, ctrlKey: false, metaKey: false, shiftKey: false, isComposing: false, keyCode: 0, ...extra });

test('in the box: Enter publishes, Shift+Enter adds no line break, ↑ in an empty box corrects', () => {
  assert.equal(composeKey(key('Enter'), '话'), 'publish');
  assert.equal(composeKey(key('Enter', { ctrlKey: true }), '话'), 'publish');
  assert.equal(composeKey(key('Enter', { shiftKey: true }), '话'), 'no_newline');
  assert.equal(composeKey(key('ArrowUp'), ''), 'edit_last');
  assert.equal(composeKey(key('ArrowUp'), '话'), null);
  assert.equal(composeKey(key('ArrowUp', { altKey: true }), ''), null);
  assert.equal(composeKey(key('Escape'), '话'), 'dismiss');
  assert.equal(composeKey(key('a'), ''), null);
});

test('an IME\'s Enter picks a candidate: nothing is published or saved', () => {
  assert.equal(composeKey(key('Enter', { isComposing: true }), '话'), null);
  assert.equal(composeKey(key('Enter', { keyCode: 229 }), '话'), null);
  assert.equal(editKey(key('Enter', { isComposing: true })), null);
  assert.equal(leavesEditor(key('Escape', { keyCode: 229 })), false);
});

test('F1…Fn pick speakers, without modifiers', () => {
  assert.equal(speakerIndex(key('F1')), 0);
  assert.equal(speakerIndex(key('F12')), 11);
  assert.equal(speakerIndex(key('F5', { ctrlKey: true })), null);
  assert.equal(speakerIndex(key('F2', { shiftKey: true })), null);
  assert.equal(speakerIndex(key('F')), null);
  assert.equal(speakerIndex(key('F123')), null);
  assert.equal(speakerIndex(key('1')), null);
});

test('in a correction: Enter saves, Shift+Enter adds nothing, Esc leaves', () => {
  assert.equal(editKey(key('Enter')), 'save');
  assert.equal(editKey(key('Enter', { shiftKey: true })), 'no_newline');
  assert.equal(editKey(key('a')), null);
  assert.equal(leavesEditor(key('Escape')), true);
  assert.equal(leavesEditor(key('Enter')), false);
});

test('Alt+P marks the last line as a promise; Ctrl+P stays the browser’s print; not while composing', () => {
  assert.equal(promiseKey({ key: 'p', altKey: true }), true);
  assert.equal(promiseKey({ key: 'π', code: 'KeyP', altKey: true }), true, 'a Mac’s Alt+P types π');
  assert.equal(promiseKey({ key: 'p', ctrlKey: true }), false);
  assert.equal(promiseKey({ key: 'p' }), false);
  assert.equal(promiseKey({ key: 'p', altKey: true, isComposing: true }), false);
});
