// The producer console's state (assets/web/producer/state.js): what each
// server message and each action of the producer does to it.

import { test } from 'node:test';
import assert from 'node:assert/strict';

import { ConnState } from '../../../assets/web/common.js';
import {
  initialState, connectionChanged, helloSent, loginSubmitted, loggedOut, helloOk, errorReceived, helloRefusal,
  replyReceived, questionsChanged, votesReceived, commandSent, maySend, boardVisible, editMode, rejectMode, mergeMode,
  modeOpened, modeClosed, modeChanged, modeError, modeCommand, selected, steppedSelection, selectionShown, moveIndex,
  columns, counts, kRecentLimit,
} from '../../../assets/web/producer/state.js';

// A question in the producer's view, with the actions the studio allows for
// its status (protocol.md, "Producer commands").
const kActions = {
  pending: ['approve', 'edit', 'merge', 'on_air', 'reject'],
  approved: ['answered', 'edit', 'merge', 'move', 'on_air', 'reject'],
  on_air: ['answered', 'edit', 'off_air'],
  answered: ['edit', 'on_air'],
  rejected: ['approve', 'edit', 'merge'],
  merged: ['approve'],
};

function question(id, status, extra = {}) {
  return { id, status, text: `问题 ${id}`, nickname: '网友', category: 'question', votes: 0, flags: [],
           duplicate_of: null, position: null, received_ms: id * 1000, actions: kActions[status], ...extra };
}

function loggedIn(questions, onAir = null) {
  let state = initialState({ token: 'secret-token', name: '小李' });
  state = connectionChanged(state, ConnState.OPEN);
  state = helloSent(state);
  return helloOk(state, { type: 'hello.ok', role: 'producer', status: { show: { title: '议事厅' } },
                          commands: ['question.approve', 'question.undo', 'questions.list'],
                          questions, on_air: onAir });
}

test('hello.ok fills the board and says what the producer may send', () => {
  const onAir = question(3, 'on_air');
  const state = loggedIn([question(1, 'pending'), question(2, 'approved', { position: 1 }), onAir], onAir);
  assert.equal(state.loggedIn, true);
  assert.equal(state.helloPending, false);
  assert.equal(state.questions.size, 3);
  assert.equal(state.onAir.id, 3);
  assert.equal(maySend(state, 'question.undo'), true);
  assert.equal(maySend(state, 'overlay.clear'), false);
  assert.deepEqual(columns(state).onAir.map((q) => q.id), [3]);
  assert.deepEqual(counts(state), { pending: 1, approved: 1, on_air: 1, answered: 0, rejected: 0, merged: 0 });
});

test('a hello.ok for another role refuses the login and forgets the token', () => {
  const state = helloOk(helloSent(initialState({ token: 'x' })), { type: 'hello.ok', role: 'viewer' });
  assert.equal(state.loggedIn, false);
  assert.equal(state.token, null);
  assert.equal(state.loginError, 'login.forbidden');
  assert.equal(boardVisible(state), false);
});

test('an error to the hello refuses the login; one to a command does not', () => {
  const waiting = helloSent(connectionChanged(initialState({ token: 'wrong' }), ConnState.OPEN));
  assert.deepEqual(helloRefusal(waiting, { type: 'error', code: 'forbidden' }), { key: 'login.forbidden', vars: null });
  const locked = errorReceived(waiting, { type: 'error', code: 'too_many_attempts', retry_after_s: 7.2 }, null);
  assert.equal(locked.loginError, 'login.too_many');
  assert.deepEqual(locked.loginErrorVars, { n: 8 });
  assert.equal(locked.token, null);

  let state = loggedIn([question(1, 'pending')]);
  state = commandSent(helloSent(state), 5, 'question.approve', 1);
  assert.equal(helloRefusal(state, { type: 'error', id: 5, code: 'forbidden' }), null);
  state = errorReceived(state, { type: 'error', id: 5, code: 'forbidden' }, '没有导播权限');
  assert.equal(state.loginError, null);
  assert.equal(state.requests.has(5), false);
});

test('questions.changed replaces questions by id and moves the question on air', () => {
  const before = loggedIn([question(1, 'on_air'), question(2, 'approved', { position: 1 })], question(1, 'on_air'));
  const after = questionsChanged(before, {
    type: 'questions.changed', action: 'on_air', by: '小王',
    questions: [question(1, 'approved', { position: 0 }), question(2, 'on_air')],
    on_air: question(2, 'on_air'),
  });
  assert.equal(after.onAir.id, 2);
  assert.deepEqual(columns(after).onAir.map((q) => q.id), [2]);
  assert.deepEqual(columns(after).approved.map((q) => q.id), [1]);
  assert.deepEqual(after.lastAction, { by: '小王', action: 'on_air', ids: [1, 2] });
  // The state it came from is unchanged.
  assert.equal(before.onAir.id, 1);
  assert.equal(before.questions.get(2).status, 'approved');
});

test('the question on air that changes status leaves the air even without on_air', () => {
  const state = questionsChanged(loggedIn([question(1, 'on_air')], question(1, 'on_air')),
                                 { type: 'questions.changed', action: 'answered', questions: [question(1, 'answered')] });
  assert.equal(state.onAir, null);
  assert.deepEqual(columns(state).onAir, []);
  assert.deepEqual(columns(state).recent.map((q) => q.id), [1]);
});

test('an editor closes when its action is no longer in question.actions', () => {
  let state = loggedIn([question(1, 'pending'), question(2, 'pending')]);
  state = modeOpened(state, state.questions.get(1), editMode(state.questions.get(1)));
  state = modeOpened(state, state.questions.get(2), rejectMode(state.questions.get(2)));
  assert.deepEqual([...state.modes.keys()], [1, 2]);
  // #1 merged (nothing but approve allowed); #2 approved (reject still allowed).
  state = questionsChanged(state, { type: 'questions.changed', action: 'merge',
                                    questions: [question(1, 'merged'), question(2, 'approved')] });
  assert.equal(state.modes.has(1), false);
  assert.equal(state.modes.get(2).kind, 'reject');
});

test('an editor opens only where its action is allowed, and selects the card', () => {
  const state = loggedIn([question(1, 'merged'), question(2, 'pending')]);
  assert.equal(modeOpened(state, state.questions.get(1), editMode(state.questions.get(1))), state);
  const opened = modeOpened(state, state.questions.get(2), mergeMode(state.questions.get(2)));
  assert.equal(opened.modes.get(2).kind, 'merge');
  assert.equal(opened.selectedId, 2);
  assert.equal(modeClosed(opened, 2).modes.has(2), false);
});

test('an editor starts from the question: its text, the duplicate it looks like', () => {
  const q = question(4, 'pending', { text: '原文', flags: ['duplicate'], duplicate_of: 2 });
  assert.deepEqual(editMode(q), { kind: 'edit', text: '原文' });
  assert.deepEqual(rejectMode(q), { kind: 'reject', reason: 'duplicate' });
  assert.deepEqual(rejectMode(question(5, 'pending')), { kind: 'reject', reason: 'other' });
  assert.deepEqual(mergeMode(q), { kind: 'merge', into: '2' });
});

test('the reply to an editor\'s command closes it; an error keeps it open with the reason', () => {
  let state = loggedIn([question(1, 'pending'), question(2, 'pending')]);
  state = modeOpened(state, state.questions.get(1), editMode(state.questions.get(1)));
  state = modeOpened(state, state.questions.get(2), editMode(state.questions.get(2)));
  state = commandSent(state, 7, 'question.edit', 1);
  state = commandSent(state, 8, 'question.edit', 2);
  state = replyReceived(state, { type: 'reply', id: 7, ok: true, command: 'question.edit',
                                 question: question(1, 'pending', { text: '改过', edited: true }) });
  assert.equal(state.modes.has(1), false);
  assert.equal(state.questions.get(1).text, '改过');
  state = errorReceived(state, { type: 'error', id: 8, code: 'busy' }, '数据库繁忙');
  assert.equal(state.modes.get(2).error, '数据库繁忙');
  assert.equal(state.requests.size, 0);
});

test('questions.list in a reply replaces the board', () => {
  let state = loggedIn([question(1, 'pending')]);
  state = replyReceived(state, { type: 'reply', ok: true, command: 'questions.list',
                                 questions: [question(9, 'on_air')], on_air: question(9, 'on_air') });
  assert.deepEqual([...state.questions.keys()], [9]);
  assert.equal(state.onAir.id, 9);
});

test('editor commands: empty or too long text, reasons, merge targets', () => {
  let state = loggedIn([question(1, 'pending'), question(2, 'pending'), question(3, 'pending')]);
  state = modeOpened(state, state.questions.get(1), editMode(state.questions.get(1)));
  state = modeChanged(state, 1, { text: '   ' });
  assert.deepEqual(modeCommand(state, 1), { problem: 'producer.error.empty', local: true });
  state = modeChanged(state, 1, { text: '字'.repeat(301) });
  assert.deepEqual(modeCommand(state, 1), { problem: 'producer.error.too_long', local: true });
  // 300 characters outside the BMP are 300, not 600.
  state = modeChanged(state, 1, { text: '😀'.repeat(300) });
  assert.deepEqual(modeCommand(state, 1),
                   { type: 'question.edit', fields: { question: 1, text: '😀'.repeat(300) } });

  state = modeOpened(state, state.questions.get(2), rejectMode(state.questions.get(2)));
  state = modeChanged(state, 2, { reason: 'made_up' });
  assert.deepEqual(modeCommand(state, 2), { type: 'question.reject', fields: { question: 2, reason: 'other' } });
  state = modeChanged(state, 2, { reason: 'spam' });
  assert.deepEqual(modeCommand(state, 2), { type: 'question.reject', fields: { question: 2, reason: 'spam' } });

  state = modeOpened(state, state.questions.get(3), mergeMode(state.questions.get(3)));
  for (const into of ['', '3', '-1', '1.5']) {
    state = modeChanged(state, 3, { into });
    assert.deepEqual(modeCommand(state, 3), { problem: 'producer.merge_bad_target', local: false }, into);
  }
  state = modeChanged(state, 3, { into: '1' });
  assert.deepEqual(modeCommand(state, 3), { type: 'question.merge', fields: { question: 3, into: 1 } });
  assert.equal(modeCommand(state, 99), null);
});

test('a reason found on the page goes once the text is fixed; the studio\'s stays', () => {
  let state = loggedIn([question(1, 'pending')]);
  state = modeOpened(state, state.questions.get(1), editMode(state.questions.get(1)));
  state = modeChanged(state, 1, { text: '' });
  state = modeError(state, 1, '内容不能为空', { local: true });
  state = modeChanged(state, 1, { text: ' ' });
  assert.equal(state.modes.get(1).error, '内容不能为空');
  state = modeChanged(state, 1, { text: '新的' });
  assert.equal(state.modes.get(1).error, null);
  assert.equal(state.modes.get(1).localProblem, false);

  state = modeError(state, 1, '当前状态下不能这样操作');
  state = modeChanged(state, 1, { text: '再改' });
  assert.equal(state.modes.get(1).error, '当前状态下不能这样操作');
});

test('votes update the count and nothing else', () => {
  const state = loggedIn([question(1, 'approved', { position: 0 })]);
  const after = votesReceived(state, { type: 'questions.votes', questions: [{ id: 1, votes: 8 }, { id: 44, votes: 2 }] });
  assert.equal(after.questions.get(1).votes, 8);
  assert.equal(after.questions.has(44), false);
  assert.equal(after.lastAction, null);
  assert.equal(state.questions.get(1).votes, 0);
  assert.equal(votesReceived(state, { type: 'questions.votes', questions: [{ id: 1, votes: 'x' }] }), state);
});

test('j/k walk pending, the queue, the one on air, then the recent ones', () => {
  let state = loggedIn([question(5, 'answered'), question(4, 'on_air'), question(3, 'approved', { position: 2 }),
                        question(2, 'approved', { position: 1 }), question(1, 'pending')], question(4, 'on_air'));
  const walked = [];
  for (let i = 0; i < 6; i += 1) {
    state = selected(state, steppedSelection(state, 1));
    walked.push(state.selectedId);
  }
  assert.deepEqual(walked, [1, 2, 3, 4, 5, 5]);
  assert.equal(steppedSelection(selected(state, null), -1), 5);
  assert.equal(steppedSelection(loggedIn([]), 1), null);
});

test('a selection the board no longer shows is dropped', () => {
  const answered = Array.from({ length: kRecentLimit + 1 }, (_, i) => question(i + 1, 'answered'));
  let state = selected(loggedIn(answered), 1);
  assert.equal(columns(state).recent.length, kRecentLimit);
  state = selectionShown(state);
  assert.equal(state.selectedId, null);
  const shown = selected(state, 2);
  assert.equal(selectionShown(shown), shown);
});

test('the recent column shows the latest change first', () => {
  let state = loggedIn([question(1, 'approved', { position: 0 }), question(2, 'approved', { position: 1 })]);
  state = questionsChanged(state, { type: 'questions.changed', action: 'answered', questions: [question(2, 'answered')] });
  state = questionsChanged(state, { type: 'questions.changed', action: 'reject', questions: [question(1, 'rejected')] });
  assert.deepEqual(columns(state).recent.map((q) => q.id), [1, 2]);
});

test('moving in the air queue: an index, only where the question may move', () => {
  const state = loggedIn([question(1, 'approved', { position: 10 }), question(2, 'approved', { position: 20 }),
                          question(3, 'approved', { position: 30 }), question(4, 'pending')]);
  const q = (id) => state.questions.get(id);
  assert.equal(moveIndex(state, q(2), -1), 0);
  assert.equal(moveIndex(state, q(2), 1), 2);
  assert.equal(moveIndex(state, q(1), -1), null);
  assert.equal(moveIndex(state, q(3), 1), null);
  assert.equal(moveIndex(state, q(4), -1), null);
});

test('a closed connection ends the login and forgets open requests; a logout clears the board', () => {
  let state = commandSent(loggedIn([question(1, 'pending')]), 3, 'question.approve', 1);
  state = connectionChanged(state, ConnState.CLOSED);
  assert.equal(state.loggedIn, false);
  assert.equal(state.requests.size, 0);
  assert.equal(maySend(state, 'question.undo'), false);
  assert.equal(state.questions.size, 1, 'the board stays until the studio sends it again');

  state = loggedOut(selected(loggedIn([question(1, 'pending')]), 1));
  assert.equal(state.token, null);
  assert.equal(state.questions.size, 0);
  assert.equal(state.selectedId, null);
  assert.equal(boardVisible(state), false);
});

test('a login keeps the name to 24 characters', () => {
  const state = loginSubmitted(initialState(), { token: 't', name: '导'.repeat(30) });
  assert.equal([...state.name].length, 24);
  assert.equal(state.token, 't');
  assert.equal(boardVisible(state), true);
});
