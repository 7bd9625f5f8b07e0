// The viewer page's state (assets/web/viewer/state.js): the hello, the
// viewer's own questions, the public list and votes, errors and the live
// text.

import { test } from 'node:test';
import assert from 'node:assert/strict';

import { ConnState } from '../../../assets/web/common.js';
import {
  initialState, connectionChanged, helloMessage, helloSent, issuedViewerId, viewerIdChanged, helloOk, maySend,
  errorKind, errorReceived, rateLimitTicked, isRateLimited, errorKey, formProblem, canSubmit, submissionMessage,
  submitSent, submitOffline, draftEdited, questionReceived, questionUpdated, mineListed, publicChanged,
  publicDisplayOrder, canVote, voteSent, voteReceived, liveRequested, liveListed, liveLineReceived, kLiveTextLimit,
  feedStep, feedApplied, feedLost, studioStateChanged,
  makeClientId, resendsDue, resubmissionMessage, resubmitSent, outboxEntryFor, acknowledgedEntry, savedOutbox,
  restoreOutbox, unconfirmed, kOutboxLimit, kBusyRetryS,
} from '../../../assets/web/viewer/state.js';
import { kClientIdPattern } from '../../../assets/web/protocol.js';

const kViewerId = 'A'.repeat(44);
const kCommands = ['hello', 'question.submit', 'question.vote', 'questions.mine', 'transcript.list'];

function own(id, status, extra = {}) {
  return { id, status, text: `我的问题 ${id}`, nickname: '', category: 'question', votes: 0, received_utc: '', ...extra };
}

function helloed(extra = {}) {
  let state = connectionChanged(initialState({ viewerId: kViewerId }), ConnState.OPEN);
  state = helloSent(state, 'viewer');
  return helloOk(state, {
    type: 'hello.ok', role: 'viewer', viewer: kViewerId, observer: null,
    show: { title: '议事厅', host: { name: '王芳' }, guests: [] },
    limits: { max_chars: 120, max_nickname_chars: 10, question_interval_s: 10, question_burst: 3 },
    commands: kCommands,
    mine: [own(1, 'pending'), own(2, 'approved')],
    public: { questions: [{ id: 2, status: 'approved', text: '公开', votes: 1 }], on_air: null },
    ...extra,
  });
}

test('hello.ok brings the viewer\'s questions, the public list, the limits and the commands', () => {
  const state = helloed();
  assert.equal(state.helloRole, null);
  assert.deepEqual(state.mine.map((q) => q.id), [1, 2]);
  assert.deepEqual(state.publicQuestions.map((q) => q.id), [2]);
  assert.equal(state.limits.max_chars, 120);
  assert.equal(state.show.title, '议事厅');
  assert.equal(maySend(state, 'question.vote'), true);
  assert.equal(maySend(state, 'question.approve'), false);
  assert.equal(maySend(initialState(), 'question.submit'), true, 'before any hello.ok the studio decides');
});

test('the own-question list follows question.updated', () => {
  let state = helloed();
  state = questionUpdated(state, own(1, 'rejected'));
  assert.deepEqual(state.mine.map((q) => [q.id, q.status]), [[1, 'rejected'], [2, 'approved']]);
  state = questionUpdated(state, own(2, 'merged', { merged_into: 7 }));
  assert.equal(state.mine[1].merged_into, 7);
  state = questionUpdated(state, own(3, 'pending'));
  assert.deepEqual(state.mine.map((q) => q.id), [1, 2, 3]);
  assert.equal(questionUpdated(state, undefined), state);
  assert.deepEqual(mineListed(state, [own(9, 'answered')]).mine.map((q) => q.id), [9]);
  assert.equal(mineListed(state, 'nonsense'), state);
});

test('a question sent: waiting, then received into the own list', () => {
  let state = submitSent(helloed(), 4);
  assert.equal(canSubmit(state, 0), false);
  state = questionReceived(state, { type: 'question.received', question: own(5, 'pending') });
  assert.equal(state.submitRequest, null);
  assert.deepEqual(state.formMessage, { key: 'form.received', kind: 'ok' });
  assert.equal(state.mine.at(-1).id, 5);
  state = draftEdited(state);
  assert.equal(state.formMessage, null);
  assert.deepEqual(submitOffline(state).formMessage, { key: 'error.offline', kind: 'error' });
});

test('the form: text and nickname within the studio\'s limits', () => {
  const state = helloed();
  assert.equal(formProblem(state, '  \n', ''), 'empty');
  assert.equal(formProblem(state, '问'.repeat(121), ''), 'too_long');
  assert.equal(formProblem(state, '问'.repeat(120), ''), null);
  assert.equal(formProblem(state, '问题', '长'.repeat(11)), 'too_long');
  assert.equal(formProblem(state, '问题', ` ${'长'.repeat(10)} `), null);
  assert.deepEqual(submissionMessage('问题', '  小李 ', 'complaint'),
                   { type: 'question.submit', text: '问题', category: 'complaint', nickname: '小李' });
  assert.deepEqual(submissionMessage('问题', '  ', 'question'), { type: 'question.submit', text: '问题', category: 'question' });
  assert.equal(canSubmit(helloed({ commands: ['hello'] }), 0), false);
});

test('the hello: a viewer with the kept id, or an observer with the invitation', () => {
  assert.deepEqual(helloMessage(initialState()), { type: 'hello', role: 'viewer' });
  assert.deepEqual(helloMessage(initialState({ viewerId: kViewerId, observerToken: 'tok' })),
                   { type: 'hello', role: 'observer', viewer: kViewerId, token: 'tok' });
});

test('an id the studio issues replaces the kept one; the same or a malformed one does not', () => {
  const state = initialState({ viewerId: kViewerId, voted: [1] });
  const issued = 'b'.repeat(44);
  assert.equal(issuedViewerId(state, { viewer: issued }), issued);
  assert.equal(issuedViewerId(state, { viewer: kViewerId }), null);
  assert.equal(issuedViewerId(state, { viewer: 'short' }), null);
  assert.equal(issuedViewerId(state, {}), null);
  const changed = viewerIdChanged(state, issued, [3]);
  assert.equal(changed.viewerId, issued);
  assert.deepEqual([...changed.voted], [3]);
});

test('a refused invitation is forgotten; a locked-out one is kept for later', () => {
  const observer = helloSent(initialState({ observerToken: 'tok' }), 'observer');
  const refused = errorReceived(observer, { type: 'error', code: 'forbidden' }, 0);
  assert.equal(errorKind(observer, { type: 'error', code: 'forbidden' }), 'observer_refused');
  assert.equal(refused.observerToken, null);
  assert.equal(refused.noticeKey, 'observer.invalid');
  const later = errorReceived(observer, { type: 'error', code: 'too_many_attempts', retry_after_s: 30 }, 0);
  assert.equal(later.observerToken, 'tok');
  assert.deepEqual([later.noticeKey, later.noticeVars], ['observer.later', { n: 30 }]);
  assert.equal(errorKind(observer, { type: 'error', code: 'rate_limited' }), 'hello_rate_limited');
  assert.equal(errorReceived(observer, { type: 'error', code: 'identity_locked' }, 0).helloRole, null);
  // A forbidden to a viewer's hello is nothing of the observer's.
  assert.equal(errorKind(helloSent(initialState(), 'viewer'), { type: 'error', code: 'forbidden' }), null);
});

test('a rate-limited question counts the seconds down, then the message goes', () => {
  let state = submitSent(helloed(), 6);
  state = errorReceived(state, { type: 'error', id: 6, code: 'rate_limited', retry_after_s: 2.5 }, 1000);
  assert.equal(state.submitRequest, null);
  assert.equal(state.retryUntilMs, 4000);
  assert.deepEqual(state.formMessage, { key: 'error.rate_limited', vars: { n: 3 }, kind: 'error' });
  assert.equal(isRateLimited(state, 3999), true);
  assert.equal(canSubmit(state, 3999), false);
  state = rateLimitTicked(state, 3500);
  assert.deepEqual(state.formMessage.vars, { n: 1 });
  state = rateLimitTicked(state, 4000);
  assert.equal(state.retryUntilMs, 0);
  assert.equal(state.formMessage, null);
  assert.equal(canSubmit(state, 4000), true);
});

test('other refusals of a question say why, with the limits', () => {
  const state = errorReceived(submitSent(helloed(), 6), { type: 'error', id: 6, code: 'too_long' }, 0);
  assert.deepEqual(state.formMessage, { key: 'error.too_long', vars: { code: 'too_long', max: 120, nick: 10 }, kind: 'error' });
  assert.equal(errorKey('teapot'), 'error.unknown');
  assert.equal(errorKey('rate_limited'), 'error.rate_limited_plain');
  const flood = errorReceived(helloed(), { type: 'error', code: 'rate_limited' }, 0);
  assert.deepEqual(flood.formMessage, { key: 'error.rate_limited_plain', kind: 'error' });
});

test('votes: one pending per question, counted when the studio says so', () => {
  let state = voteSent(helloed(), 11, 2);
  assert.equal(canVote(state, state.publicQuestions[0]), false, 'a vote on its way');
  state = voteReceived(state, { type: 'vote', question: 2, votes: 8, voted: true });
  assert.equal(state.voteRequests.size, 0);
  assert.equal(state.voted.has(2), true);
  assert.equal(state.publicQuestions[0].votes, 8);
  assert.equal(canVote(state, state.publicQuestions[0]), false, 'voted already');

  const fresh = helloed();
  const q = fresh.publicQuestions[0];
  assert.equal(canVote(fresh, q), true);
  assert.equal(canVote(fresh, { ...q, status: 'answered' }), false);
  assert.equal(canVote(connectionChanged(fresh, ConnState.CLOSED), q), false);
  assert.equal(canVote(helloed({ commands: ['hello'] }), q), false);
});

test('a refused vote: already voted is remembered, too fast says when', () => {
  let state = voteSent(helloed(), 12, 2);
  state = errorReceived(state, { type: 'error', id: 12, code: 'already_voted' }, 0);
  assert.equal(state.voted.has(2), true);
  assert.equal(state.publicMessage.key, 'error.already_voted');
  state = voteSent(state, 13, 5);
  state = errorReceived(state, { type: 'error', id: 13, code: 'rate_limited', retry_after_s: 4 }, 0);
  assert.deepEqual(state.publicMessage, { key: 'error.vote_rate_limited', vars: { n: 4 } });
  assert.equal(state.voted.has(5), false);
});

test('questions.public replaces, removes and appends; on_air replaces the card on top', () => {
  let state = helloed();
  state = publicChanged(state, { type: 'questions.public', questions: [{ id: 2, status: 'on_air', text: '公开', votes: 3 },
                                                                     { id: 8, status: 'approved', text: '新' }],
                                 removed: [], on_air: { id: 2, text: '公开' } });
  assert.deepEqual(state.publicQuestions.map((q) => [q.id, q.status]), [[2, 'on_air'], [8, 'approved']]);
  assert.equal(state.onAir.id, 2);
  state = publicChanged(state, { type: 'questions.public', questions: [{ id: 8, status: 'approved' }], removed: [8] });
  assert.deepEqual(state.publicQuestions.map((q) => q.id), [2]);
  assert.equal(state.onAir.id, 2, 'on_air stays when the event does not name it');
  state = publicChanged(state, { type: 'questions.public', questions: [], removed: [2], on_air: null });
  assert.equal(state.onAir, null);
});

test('the public list shows the one on air, the queue by position, then the answered', () => {
  const state = { ...initialState(), publicQuestions: [
    { id: 1, status: 'answered' }, { id: 2, status: 'approved', position: 30 }, { id: 3, status: 'on_air' },
    { id: 4, status: 'approved', position: 10 },
  ] };
  assert.deepEqual(publicDisplayOrder(state).map((q) => q.id), [3, 4, 2, 1]);
  // Without a position on every queued one, the studio's order stands.
  const unordered = { ...state, publicQuestions: [{ id: 5, status: 'approved', position: 50 }, { id: 6, status: 'approved' },
                                                  { id: 7, status: 'approved', position: 1 }] };
  assert.deepEqual(publicDisplayOrder(unordered).map((q) => q.id), [5, 6, 7]);
});

test('the live text: newest first, corrections in place, deletions gone, the newest 200 kept', () => {
  let state = liveRequested(helloed(), 3);
  state = liveListed(state, { type: 'transcript.list', lines: [
    { id: 1, start_ms: 1000, text: '一' }, { id: 2, start_ms: 3000, text: '二' }, { id: 3, start_ms: 2000, text: '三' },
  ] });
  assert.equal(state.liveRequest, null);
  assert.equal(state.liveLoaded, true);
  assert.deepEqual(state.liveLines.map((l) => l.id), [2, 3, 1]);
  state = liveLineReceived(state, { id: 3, start_ms: 2000, text: '三（改）' });
  assert.equal(state.liveLines[1].text, '三（改）');
  state = liveLineReceived(state, { id: 2, deleted: true });
  assert.deepEqual(state.liveLines.map((l) => l.id), [3, 1]);
  assert.equal(liveLineReceived(state, null), state);
  for (let id = 10; id < 10 + kLiveTextLimit; id += 1) state = liveLineReceived(state, { id, start_ms: id * 1000 });
  assert.equal(state.liveLines.length, kLiveTextLimit);
  assert.equal(state.liveLines.some((l) => l.id === 1), false, 'the oldest went');
});

test('a closed connection forgets what it waited for; the live text is asked for again', () => {
  let state = voteSent(submitSent(liveListed(helloed(), { lines: [] }), 1), 2, 2);
  state = connectionChanged(state, ConnState.CLOSED);
  assert.equal(state.submitRequest, null);
  assert.equal(state.voteRequests.size, 0);
  assert.equal(state.liveLoaded, false);
  assert.deepEqual(state.commands, kCommands, 'kept until the next hello.ok');
});

test('the public feed: applied once and in order, resumed after a reconnect, a snapshot after a loss', () => {
  const q = (id) => ({ id, text: `问题 ${id}`, nickname: '', category: 'question', status: 'approved' });
  let state = helloed({ public: { questions: [q(1)], on_air: null }, feed: { epoch: 'run1', seq: 4 } });
  assert.deepEqual(state.feed, { epoch: 'run1', seq: 4 });
  const next = { type: 'questions.public', questions: [q(2)], removed: [], feed: { epoch: 'run1', seq: 5 } };
  assert.equal(feedStep(state, next), 'apply');
  state = feedApplied(publicChanged(state, next), next);
  assert.equal(feedStep(state, next), 'skip'); // a replay that overlaps
  assert.equal(feedStep(state, { ...next, feed: { epoch: 'run1', seq: 7 } }), 'resync'); // 6 was lost
  assert.equal(feedStep(state, { ...next, feed: { epoch: 'run2', seq: 1 } }), 'resync'); // the studio restarted
  assert.equal(feedStep(state, { type: 'questions.public', questions: [] }), 'apply'); // unnumbered (older studio)

  // A reconnect says where the page was; a resumed hello.ok keeps the lists.
  state = connectionChanged(state, ConnState.CLOSED);
  assert.deepEqual(helloMessage(state).since, { epoch: 'run1', seq: 5 });
  state = helloOk(helloSent(connectionChanged(state, ConnState.OPEN), 'viewer'), {
    type: 'hello.ok', role: 'viewer', viewer: kViewerId, commands: kCommands, mine: [], resumed: true,
    feed: { epoch: 'run1', seq: 5 },
  });
  assert.deepEqual(state.publicQuestions.map((x) => x.id), [1, 2]);
  assert.deepEqual(state.feed, { epoch: 'run1', seq: 5 });

  // A loss: the page forgets its place, and the next hello.ok's snapshot replaces the lists.
  state = feedLost(state);
  assert.equal(helloMessage(state).since, undefined);
  state = helloOk(helloSent(state, 'viewer'), {
    type: 'hello.ok', role: 'viewer', viewer: kViewerId, commands: kCommands, mine: [],
    public: { questions: [q(3)], on_air: null }, feed: { epoch: 'run2', seq: 9 },
  });
  assert.deepEqual(state.publicQuestions.map((x) => x.id), [3]);
  assert.deepEqual(state.feed, { epoch: 'run2', seq: 9 });
  // A malformed position is no position.
  assert.equal(helloOk(state, { type: 'hello.ok', feed: { epoch: 'x', seq: -1 } }).feed, null);
});

// ---------------------------------------------------------------------------
// Questions sent again after a reconnect, each with its client id.

const kClientA = 'AAAAAAAAAAAAAAAAAAAAAA';
const kClientB = 'BBBBBBBBBBBBBBBBBBBBBB';

// The form sends `text` with client id `clientId` as request `requestId`.
function sent(state, text, clientId, requestId) {
  return submitSent(state, requestId, submissionMessage(text, ' 小李 ', 'complaint', clientId));
}

test('a client id is 16 random bytes in base64url: 22 characters the protocol takes', () => {
  assert.equal(makeClientId(new Uint8Array(16)), 'AAAAAAAAAAAAAAAAAAAAAA');
  assert.equal(makeClientId(new Uint8Array(16).fill(255)), '_____________________w');
  const id = makeClientId(Uint8Array.from([0xfb, 0xef, 0xbe, 0x00, 0x10, 0x83, ...new Array(10).fill(7)]));
  assert.equal(id.slice(0, 8), '----ABCD');
  assert.match(id, kClientIdPattern);
  // The same as Node's own base64url, for any bytes.
  for (let i = 0; i < 50; i += 1) {
    const bytes = crypto.getRandomValues(new Uint8Array(16));
    assert.equal(makeClientId(bytes), Buffer.from(bytes).toString('base64url'));
  }
  assert.deepEqual(submissionMessage('问题', '', 'question', id),
                   { type: 'question.submit', text: '问题', category: 'question', client_id: id });
});

test('a question is kept until it is acknowledged; then it is one of mine', () => {
  let state = sent(helloed(), '医保卡怎么补办？', kClientA, 7);
  assert.deepEqual(state.outbox, [{ clientId: kClientA, text: '医保卡怎么补办？', nickname: '小李', category: 'complaint',
                                    requestId: 7, attempts: 1 }]);
  assert.deepEqual(unconfirmed(state), [], 'the form says 提交中 meanwhile; the list does not show it yet');
  assert.equal(outboxEntryFor(state, 7).clientId, kClientA);
  const ack = { type: 'question.received', id: 7, question: own(9, 'pending', { client_id: kClientA }) };
  assert.equal(acknowledgedEntry(state, ack).clientId, kClientA);
  state = questionReceived(state, ack);
  assert.deepEqual(state.outbox, []);
  assert.equal(state.submitRequest, null);
  assert.deepEqual(state.mine.map((q) => q.id), [1, 2, 9]);
});

test('the connection drops before the answer: 等待确认, then sent again after hello.ok, shown once', () => {
  let state = sent(helloed(), '医保卡怎么补办？', kClientA, 7);
  state = connectionChanged(state, ConnState.CLOSED);
  assert.equal(state.submitRequest, null);
  assert.equal(state.outbox[0].requestId, null);
  assert.deepEqual(unconfirmed(state).map((e) => e.clientId), [kClientA], 'shown as waiting');
  assert.deepEqual(resendsDue(state, 0).map((e) => e.clientId), [kClientA]);
  // Reconnected; hello.ok says nothing of it (it never reached the studio, or did).
  state = helloSent(connectionChanged(state, ConnState.OPEN), 'viewer');
  state = helloOk(state, { type: 'hello.ok', viewer: kViewerId, mine: [own(1, 'pending')], commands: kCommands });
  const due = resendsDue(state, 0);
  assert.equal(due.length, 1);
  assert.deepEqual(resubmissionMessage(due[0]), { type: 'question.submit', text: '医保卡怎么补办？', category: 'complaint',
                                                  nickname: '小李', client_id: kClientA });
  state = resubmitSent(state, kClientA, 3);
  assert.deepEqual([state.outbox[0].requestId, state.outbox[0].attempts], [3, 2]);
  assert.deepEqual(resendsDue(state, 0), [], 'on the wire: not sent twice');
  assert.equal(unconfirmed(state).length, 1, 'still 等待确认 until the answer');
  assert.equal(resubmitSent(state, kClientA, null), state, 'a closed socket sent nothing');
  // The studio stored it before the drop: the same question comes back.
  state = questionReceived(state, { type: 'question.received', id: 3, question: own(9, 'approved', { client_id: kClientA }) });
  assert.deepEqual(state.outbox, []);
  assert.deepEqual(state.mine.map((q) => [q.id, q.status]), [[1, 'pending'], [9, 'approved']]);
  assert.deepEqual(state.formMessage, { key: 'form.received', kind: 'ok' });
});

test('a question already in hello.ok\'s mine (its acknowledgement was lost) is not sent again', () => {
  let state = connectionChanged(sent(helloed(), '问题一', kClientA, 7), ConnState.CLOSED);
  state = sent(connectionChanged(state, ConnState.OPEN), '问题二', kClientB, 8);
  state = connectionChanged(state, ConnState.CLOSED);
  state = helloOk(helloSent(connectionChanged(state, ConnState.OPEN), 'viewer'), {
    type: 'hello.ok', viewer: kViewerId, commands: kCommands, mine: [own(9, 'pending', { client_id: kClientA })],
  });
  assert.deepEqual(state.outbox.map((e) => e.clientId), [kClientB]);
  assert.deepEqual(unconfirmed(state).map((e) => e.clientId), [kClientB]);
  // Nor shown twice when the list has it by other means (questions.mine).
  state = mineListed(state, [own(9, 'pending', { client_id: kClientA }), own(10, 'pending', { client_id: kClientB })]);
  assert.deepEqual(state.outbox, []);
  assert.deepEqual(unconfirmed({ ...state, outbox: [{ clientId: kClientB, requestId: null }] }), []);
});

test('a resent question refused for a while is kept and sent again later; a final refusal gives it up', () => {
  let state = connectionChanged(sent(helloed(), '问题一', kClientA, 7), ConnState.CLOSED);
  state = connectionChanged(state, ConnState.OPEN);
  state = resubmitSent(state, kClientA, 11);
  assert.equal(errorKind(state, { type: 'error', id: 11, code: 'rate_limited' }), 'resubmit');
  state = errorReceived(state, { type: 'error', id: 11, code: 'rate_limited', retry_after_s: 4 }, 1000);
  assert.equal(state.outbox.length, 1);
  assert.equal(state.outbox[0].requestId, null);
  assert.deepEqual(resendsDue(state, 4999), [], 'not before the wait is over');
  assert.equal(resendsDue(state, 5000).length, 1);
  assert.equal(state.formMessage, null, 'nothing to say: it is still on its way');
  state = errorReceived(resubmitSent(state, kClientA, 12), { type: 'error', id: 12, code: 'busy' }, 6000);
  assert.equal(state.resendAtMs, 6000 + kBusyRetryS * 1000);
  state = errorReceived(resubmitSent(state, kClientA, 13), { type: 'error', id: 13, code: 'conflict' }, 20000);
  assert.deepEqual(state.outbox, []);
  assert.deepEqual(state.formMessage.key, 'error.conflict');
});

test('the form\'s own question refused: dropped from the outbox, the text stays in the form', () => {
  let state = sent(helloed(), '太快的问题', kClientA, 7);
  state = errorReceived(state, { type: 'error', id: 7, code: 'rate_limited', retry_after_s: 3 }, 0);
  assert.deepEqual(state.outbox, []);
  assert.equal(state.retryUntilMs, 3000);
  state = errorReceived(sent(state, '太长', kClientB, 8), { type: 'error', id: 8, code: 'too_long' }, 0);
  assert.deepEqual(state.outbox, []);
  assert.equal(state.formMessage.key, 'error.too_long');
});

test('the outbox is kept across page loads: only well-formed entries, each once, at most the limit', () => {
  const state = connectionChanged(sent(sent(helloed(), '一', kClientA, 1), '二', kClientB, 2), ConnState.CLOSED);
  const saved = JSON.parse(JSON.stringify(savedOutbox(state)));
  assert.deepEqual(saved.map((e) => Object.keys(e).sort()), [['attempts', 'category', 'clientId', 'nickname', 'text'],
                                                             ['attempts', 'category', 'clientId', 'nickname', 'text']]);
  const restored = initialState({ outbox: [...saved, saved[0], null, 'x', { clientId: 'short', text: '问' },
                                           { clientId: 'C'.repeat(22), text: '   ' },
                                           { clientId: 'D'.repeat(22), text: '问', category: 'praise', attempts: -1 }] });
  assert.deepEqual(restored.outbox.map((e) => [e.clientId, e.requestId]), [[kClientA, null], [kClientB, null],
                                                                          ['D'.repeat(22), null]]);
  assert.deepEqual([restored.outbox[2].category, restored.outbox[2].attempts, restored.outbox[2].nickname],
                   ['question', 1, '']);
  assert.deepEqual(restoreOutbox({ not: 'a list' }), []);
  const many = Array.from({ length: kOutboxLimit + 5 }, (_, i) => ({ clientId: `client-${String(i).padStart(4, '0')}`,
                                                                    text: `问题 ${i}` }));
  const kept = restoreOutbox(many);
  assert.equal(kept.length, kOutboxLimit);
  assert.equal(kept.at(-1).text, `问题 ${kOutboxLimit + 4}`, 'the newest are kept');
  const full = { ...helloed(), outbox: kept };
  assert.equal(canSubmit(full, 0), false, 'the form waits while the outbox is full');
});

test('an acknowledgement of a resent question leaves the form\'s own sending alone', () => {
  let state = connectionChanged(sent(helloed(), '旧问题', kClientA, 1), ConnState.CLOSED);
  state = resubmitSent(connectionChanged(state, ConnState.OPEN), kClientA, 2);
  state = sent(state, '新问题', kClientB, 3);
  state = questionReceived(state, { type: 'question.received', id: 2, question: own(20, 'pending', { client_id: kClientA }) });
  assert.equal(state.submitRequest, 3, 'the form still waits for its own');
  assert.deepEqual(state.outbox.map((e) => e.clientId), [kClientB]);
  state = questionReceived(state, { type: 'question.received', id: 3, question: own(21, 'pending', { client_id: kClientB }) });
  assert.equal(state.submitRequest, null);
  assert.deepEqual(state.outbox, []);
});

test('at a public edge the page hears whether the studio is reachable', () => {
  let state = helloed({ studio: 'reconnecting' });
  assert.equal(state.studioReachable, false, 'hello.ok says so');
  state = studioStateChanged(state, { type: 'studio.state', state: 'live' });
  assert.equal(state.studioReachable, true);
  state = studioStateChanged(state, { type: 'studio.state', state: 'reconnecting' });
  assert.equal(state.studioReachable, false);
  assert.equal(studioStateChanged(state, { type: 'studio.state', state: 42 }), state, 'anything else: no change');
  assert.equal(helloed({}).studioReachable, true, 'the studio itself says nothing: reachable');
});
