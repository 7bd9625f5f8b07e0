// The department desk's state (assets/web/dept/state.js): signing in with
// the link, items that change or leave the department, writes answered or
// refused at their item.

import { test } from 'node:test';
import assert from 'node:assert/strict';

import {
  initialState, helloMessage, helloOk, helloRefused, noToken, may, listReceived, itemChanged, opened, draftChanged,
  writeSent, writeAnswered, isSending, disconnected, openCount, overdueCount,
} from '../../../assets/web/dept/state.js';

const ours = { id: 3, name: '市住建局' };
const item = (id, status, department = ours) => ({ id, status, kind: 'question', department, due: '2026-12-15' });

function signedIn() {
  let state = initialState({ token: 'abc' });
  state = helloOk(state, { department: ours, commands: ['followup.reply', 'followup.list'], today: '2026-12-10' });
  return listReceived(state, { items: [item(1, 'overdue'), item(2, 'awaiting_reply'), item(3, 'answered')] });
}

test('the hello carries the link token; a refusal says why', () => {
  assert.deepEqual(helloMessage(initialState({ token: 'abc' })), { type: 'hello', role: 'department', token: 'abc' });
  let state = signedIn();
  assert.ok(may(state, 'followup.reply'));
  assert.ok(!may(state, 'followup.forward'));
  assert.equal(openCount(state), 2);
  assert.equal(overdueCount(state), 1);
  state = helloRefused(initialState({ token: 'x' }), { code: 'forbidden' });
  assert.equal(state.notice.key, 'dept.bad_link');
  state = helloRefused(initialState({ token: 'x' }), { code: 'too_many_attempts', retry_after_s: 8 });
  assert.deepEqual(state.notice, { key: 'dept.locked', vars: { n: 8 } });
  assert.equal(noToken(initialState()).notice.key, 'dept.no_link');
});

test('an item that changes is replaced; one given to another department leaves', () => {
  let state = signedIn();
  state = itemChanged(state, { ...item(2, 'answered'), reply: '已办' });
  assert.equal(state.items.find((i) => i.id === 2).reply, '已办');
  state = itemChanged(state, item(1, 'overdue', { id: 9, name: '市医保局' }));
  assert.deepEqual(state.items.map((i) => i.id), [2, 3]);
  state = itemChanged(state, item(7, 'awaiting_reply'));
  assert.deepEqual(state.items.map((i) => i.id), [7, 2, 3]);
});

test('a write is tracked until its answer; a refusal stays at its item, a success ends the draft', () => {
  let state = opened(signedIn(), 2);
  assert.equal(state.openId, 2);
  state = draftChanged(state, 2, '答复草稿');
  state = writeSent(state, 11, 2);
  assert.ok(isSending(state, 2));
  state = writeAnswered(state, 11, { type: 'error', code: 'too_long', message: 'x' });
  assert.equal(state.errors[2].key, 'dept.error.too_long');
  assert.equal(state.drafts[2], '答复草稿', 'the draft is kept after a refusal');
  state = writeSent(state, 12, 2);
  assert.equal(state.errors[2], undefined);
  state = writeAnswered(state, 12, { type: 'reply', ok: true, item: { ...item(2, 'answered'), reply: '答复' } });
  assert.ok(!isSending(state, 2));
  assert.equal(state.drafts[2], undefined);
  assert.equal(state.items.find((i) => i.id === 2).status, 'answered');
  assert.equal(writeAnswered(state, 99, { type: 'reply' }), state, 'an unknown answer changes nothing');
  state = writeSent(state, 13, 2);
  assert.deepEqual(disconnected(state).sending, {});
  assert.equal(opened(state, 2).openId, 0, 'opening it again closes it');
});
