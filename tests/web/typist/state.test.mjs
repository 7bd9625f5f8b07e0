// The typist page's state (assets/web/typist/state.js): the login, the
// record, the text box with its timing, and corrections of lines.

import { test } from 'node:test';
import assert from 'node:assert/strict';

import { ConnState } from '../../../assets/web/common.js';
import {
  initialState, connectionChanged, helloSent, loginSubmitted, loggedOut, helloOk, helloRefusal, listReceived,
  lineReceived, replyReceived, editorAnswered, errorReceived, commandSent, speakerChosen, orderedLines, draftChanged,
  lineToPublish, commitSent, editorOpened, editorClosed, editTextChanged, deleteAsked, editToSave, deleteToSend,
  editSent, editorError, oneLine, deskVisible, maySend,
} from '../../../assets/web/typist/state.js';

const kSpeakers = [{ speaker: 'host', name: '王芳', title: '主持人' }, { speaker: 'guest1', name: '张三' },
                   { speaker: 'narration', name: '旁白' }];

function line(id, startMs, text, extra = {}) {
  return { id, speaker: 'guest1', speaker_name: '张三', text, original_text: text, start_ms: startMs, end_ms: startMs + 500,
           kind: 'typed', edits: 0, deleted: false, ...extra };
}

function signedIn(lines = []) {
  let state = helloSent(connectionChanged(initialState({ token: 'typist-token', name: '速记 1' }), ConnState.OPEN));
  state = helloOk(state, { type: 'hello.ok', role: 'typist', title: '议事厅', speakers: kSpeakers,
                           commands: ['hello', 'transcript.commit', 'transcript.delete', 'transcript.edit',
                                      'transcript.list'] });
  return listReceived(state, { type: 'transcript.list', lines, speakers: kSpeakers });
}

test('hello.ok signs in with the speakers; the first guest speaks first', () => {
  const state = signedIn();
  assert.equal(state.loggedIn, true);
  assert.equal(state.listLoaded, true);
  assert.equal(state.title, '议事厅');
  assert.equal(state.speaker, 'guest1');
  assert.equal(maySend(state, 'transcript.commit'), true);
  // The chosen speaker is kept when the list comes again.
  const chosen = speakerChosen(state, 'host');
  assert.equal(listReceived(chosen, { lines: [], speakers: kSpeakers }).speaker, 'host');
  assert.equal(speakerChosen(state, 'nobody'), state);
});

test('a refused token: forgotten, and the form says why', () => {
  const waiting = helloSent(initialState({ token: 'wrong' }));
  assert.deepEqual(helloRefusal(waiting, { type: 'error', code: 'forbidden' }), { key: 'typist.login.forbidden', vars: null });
  const refused = errorReceived(waiting, { type: 'error', code: 'rate_limited', retry_after_s: 20 });
  assert.equal(refused.token, null);
  assert.equal(refused.loginError, 'typist.login.too_many');
  assert.deepEqual(refused.loginErrorVars, { n: 20 });
  assert.equal(deskVisible(refused), false);
  const otherRole = helloOk(waiting, { type: 'hello.ok', role: 'viewer' });
  assert.equal(otherRole.loginError, 'typist.login.forbidden');
  assert.equal(deskVisible(loginSubmitted(refused, { token: 't', name: '名'.repeat(30) })), true);
  assert.equal([...loginSubmitted(refused, { token: 't', name: '名'.repeat(30) }).name].length, 24);
});

test('the record: lines by id in timeline order, deletions gone', () => {
  let state = signedIn([line(2, 5000, '二'), line(1, 1000, '一')]);
  assert.deepEqual(orderedLines(state).map((l) => l.id), [1, 2]);
  state = lineReceived(state, line(3, 3000, '三'));
  state = lineReceived(state, line(1, 1000, '一（改）', { edits: 1 }));
  assert.deepEqual(orderedLines(state).map((l) => l.text), ['一（改）', '三', '二']);
  state = lineReceived(state, { id: 2, deleted: true });
  assert.deepEqual(orderedLines(state).map((l) => l.id), [1, 3]);
});

test('a line is timed from its first keystroke and leaves the box once stored', () => {
  let state = signedIn();
  state = draftChanged(state, '大家', 1000);
  state = draftChanged(state, '大家好', 1800);
  assert.equal(state.typingStart, 1000);
  const line1 = lineToPublish(state, 3500);
  assert.deepEqual(line1, { type: 'transcript.commit', fields: { speaker: 'guest1', text: '大家好', typing_ms: 2500 } });
  state = commitSent(commandSent(state, 4, line1.type), 4);
  assert.equal(lineToPublish(state, 3600), null, 'one line at a time');
  // Typing on while it is stored: the next line, timed from then.
  state = draftChanged(state, '大家好 我是', 4000);
  state = replyReceived(state, { type: 'reply', id: 4, ok: true, command: 'transcript.commit', line: line(7, 0, '大家好') }, 4200);
  assert.equal(state.commit, null);
  assert.equal(state.draft, '我是');
  assert.equal(state.typingStart, 4000);
  assert.equal(state.lines.get(7).text, '大家好');
  assert.equal(state.followLatest, true);
  assert.equal(state.requests.size, 0);
});

test('what cannot be published says why and stays in the box', () => {
  let state = signedIn();
  state = draftChanged(state, '  ', 0);
  assert.deepEqual(lineToPublish(state, 0), { error: { key: 'typist.error.empty', vars: { max: 1000 } } });
  state = draftChanged(state, '长'.repeat(1001), 0);
  assert.equal(lineToPublish(state, 0).error.key, 'typist.error.too_long');
  state = draftChanged(state, '第一句\n第二句', 0);
  assert.equal(lineToPublish(state, 10).fields.text, '第一句 第二句');
  assert.equal(lineToPublish(state, 10 + 700000).fields.typing_ms, 600000);
  const offline = connectionChanged(state, ConnState.CLOSED);
  assert.deepEqual(lineToPublish(offline, 0), { error: { key: 'typist.error.offline' } });
  assert.deepEqual(commitSent(state, null).inputError, { key: 'typist.error.offline' });
  assert.equal(oneLine('a \r\n  b\n\nc'), 'a b c');
});

test('a refused line stays in the box with the reason; typing clears it', () => {
  let state = draftChanged(signedIn(), '一句话', 0);
  state = commitSent(commandSent(state, 9, 'transcript.commit'), 9);
  state = errorReceived(state, { type: 'error', id: 9, code: 'busy' });
  assert.equal(state.commit, null);
  assert.equal(state.draft, '一句话');
  assert.deepEqual(state.inputError, { key: 'typist.error.busy', vars: { max: 1000, code: 'busy' } });
  state = draftChanged(state, '一句话。', 10);
  assert.equal(state.inputError, null);
  assert.equal(errorReceived(state, { type: 'error', code: 'teapot' }).inputError.key, 'typist.error.unknown');
});

test('correcting a line: open, type, save, answered', () => {
  let state = signedIn([line(1, 1000, '原来的')]);
  state = editorOpened(state, 1);
  assert.deepEqual(state.editing, { id: 1, text: '原来的', confirmDelete: false, error: null, requestId: null });
  assert.equal(editorOpened(state, 1), state, 'already open');
  assert.equal(editorOpened(state, 99), state, 'no such line');
  assert.deepEqual(editToSave(state), { unchanged: true });
  state = editTextChanged(state, '改正\n以后的');
  const edit = editToSave(state);
  assert.deepEqual(edit, { type: 'transcript.edit', fields: { line: 1, text: '改正 以后的' } });
  state = editSent(commandSent(state, 5, edit.type, 1), 5);
  assert.equal(state.editing.requestId, 5);
  assert.equal(editToSave(state), null, 'one command at a time');
  assert.equal(deleteToSend(state), null);
  const reply = { type: 'reply', id: 5, ok: true, command: 'transcript.edit', line: line(1, 1000, '改正 以后的', { edits: 1 }) };
  state = replyReceived(state, reply, 0);
  assert.equal(editorAnswered(state, reply), true);
  assert.equal(editorAnswered(state, { type: 'reply', id: 6 }), false);
  state = editorClosed(state);
  assert.equal(state.editing, null);
  assert.equal(state.lines.get(1).edits, 1);
});

test('a correction that cannot be sent says why and stays open', () => {
  let state = editTextChanged(editorOpened(signedIn([line(1, 1000, '原来的')]), 1), ' ');
  const edit = editToSave(state);
  assert.deepEqual(edit, { error: { key: 'typist.error.empty', vars: { max: 1000 } } });
  state = editorError(state, edit.error);
  assert.equal(state.editing.error.key, 'typist.error.empty');
  assert.deepEqual(editSent(state, null).editing.error, { key: 'typist.error.offline' });
});

test('deleting a line: asked, confirmed, gone with its editor', () => {
  let state = editorOpened(signedIn([line(1, 1000, '删掉'), line(2, 2000, '留着')]), 1);
  state = deleteAsked(state, true);
  assert.equal(state.editing.confirmDelete, true);
  assert.equal(deleteAsked(state, false).editing.confirmDelete, false);
  const deletion = deleteToSend(state);
  assert.deepEqual(deletion, { type: 'transcript.delete', fields: { line: 1 } });
  state = editSent(commandSent(state, 8, deletion.type, 1), 8);
  state = replyReceived(state, { type: 'reply', id: 8, ok: true, command: 'transcript.delete',
                                 line: { ...line(1, 1000, '删掉'), deleted: true } }, 0);
  assert.equal(state.editing, null);
  assert.deepEqual(orderedLines(state).map((l) => l.id), [2]);
});

test('an editor closes when its line goes: deleted elsewhere, or missing from a new list', () => {
  const open = editorOpened(signedIn([line(1, 1000, '一'), line(2, 2000, '二')]), 1);
  assert.equal(lineReceived(open, { id: 2, deleted: true }).editing.id, 1, 'another line');
  assert.equal(lineReceived(open, { id: 1, deleted: true }).editing, null);
  assert.equal(listReceived(open, { lines: [line(2, 2000, '二')] }).editing, null);
  assert.equal(listReceived(open, { lines: [line(1, 1000, '一')] }).editing.id, 1);
});

test('a correction refused as not_found: the line was deleted meanwhile', () => {
  let state = editTextChanged(editorOpened(signedIn([line(1, 1000, '一')]), 1), '一！');
  state = editSent(commandSent(state, 3, 'transcript.edit', 1), 3);
  const busy = errorReceived(state, { type: 'error', id: 3, code: 'busy' });
  assert.equal(busy.editing.requestId, null);
  assert.equal(busy.editing.error.key, 'typist.error.busy');
  assert.equal(busy.editing.text, '一！', 'the correction is kept');
  const gone = errorReceived(state, { type: 'error', id: 3, code: 'not_found' });
  assert.equal(gone.editing, null);
  assert.equal(gone.lines.has(1), false);
  assert.equal(gone.inputError.key, 'typist.error.not_found');
});

test('a closed connection: what was on its way is forgotten, the texts are kept', () => {
  let state = draftChanged(signedIn([line(1, 1000, '一')]), '还没发', 0);
  state = commitSent(commandSent(state, 2, 'transcript.commit'), 2);
  state = editSent(editTextChanged(editorOpened(state, 1), '一（改）'), 3);
  state = connectionChanged(state, ConnState.CLOSED);
  assert.equal(state.loggedIn, false);
  assert.equal(state.commit, null);
  assert.equal(state.draft, '还没发');
  assert.equal(state.editing.requestId, null);
  assert.equal(state.editing.text, '一（改）');
  assert.equal(state.requests.size, 0);

  const out = loggedOut(state);
  assert.equal(out.token, null);
  assert.equal(out.lines.size, 0);
  assert.equal(out.editing, null);
});
