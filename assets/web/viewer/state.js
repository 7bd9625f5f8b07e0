// The viewer page's state and the pure functions that change it: each takes
// the state and a server message or a viewer's action (and the time, where
// it matters) and returns a new state. No DOM, no socket, no storage, no
// timers: app.js does those and view.js draws the state.
//
// The studio is the single source of truth: every (re)connect says hello and
// the hello.ok rebuilds the lists (the live text comes with the
// transcript.list asked for right after); then the studio's events
// (question.updated, questions.public, transcript.public) are applied as they
// come. The protocol is assets/protocol.md, "Audience questions" and "Live
// transcript".
//
// A question sent is kept in the outbox (and by app.js in localStorage) with
// the client id made for it until its question.received or a refusal: a
// connection that drops before the answer leaves it there, and it is sent
// again, with the same client id, after the next hello.ok. The studio keeps
// one question per client id, so however often it is sent it is one
// question; the page shows it once, as 等待确认 until it is acknowledged.

import { ConnState, codePoints, retrySeconds } from '../common.js';
import {
  ErrorCode, Limits, Msg, Role, Status, kCategories, kClientIdPattern, kDefaultCategory, kViewerIdPattern,
} from '../protocol.js';

export const kLiveTextLimit = 200; // lines kept in the page, the newest
// Unacknowledged questions kept at most (each is one "sent, then the
// connection dropped"): the form waits while this many are.
export const kOutboxLimit = 20;
// A resent question refused with busy (which names no wait) is sent again after this.
export const kBusyRetryS = 5;

export function initialState({ viewerId = null, observerToken = null, voted = [], outbox = [] } = {}) {
  return {
    viewerId, // the studio's id for this viewer, kept for good; null before the first hello.ok
    observerToken, // an observer invitation, or null
    helloRole: null, // the role of the hello awaiting its hello.ok, or null
    observerName: null,
    show: null,
    limits: { max_chars: Limits.QUESTION_CHARS, max_nickname_chars: Limits.NICKNAME_CHARS },
    commands: null, // what the last hello.ok said this viewer may send; null before the first
    mine: [], // own questions, oldest first
    publicQuestions: [], // approved questions, in the studio's order
    onAir: null,
    voted: new Set(voted),
    submitRequest: null, // request id of the question being submitted from the form
    // Questions sent and not yet acknowledged, oldest first: {clientId, text,
    // nickname, category, requestId (null: not on the wire now), attempts}.
    outbox: restoreOutbox(outbox),
    resendAtMs: 0, // outbox entries not on the wire are sent again from then (Date.now())
    voteRequests: new Map(), // request id → question id
    liveRequest: null, // request id of the transcript.list asked for
    formMessage: null, // {key, vars, kind: 'ok' | 'error'}
    publicMessage: null, // {key, vars}
    retryUntilMs: 0, // questions are rate-limited until then (Date.now())
    connection: ConnState.CONNECTING,
    studioReachable: true, // false while a public edge cannot reach the studio
    noticeKey: null,
    noticeVars: null,
    liveLines: [], // public transcript lines, newest first, at most kLiveTextLimit
    liveLoaded: false, // the transcript.list of this connection has arrived
    feed: null, // {epoch, seq}: the last public message applied (protocol.md, "The public feed")
  };
}

// ---------------------------------------------------------------------------
// The connection and the hello.

export function connectionChanged(state, connection) {
  if (connection === ConnState.OPEN) return { ...state, connection };
  // Answers to requests on a closed socket never come; the live text is
  // asked for again after the next hello, unacknowledged questions sent
  // again then.
  const outbox = state.outbox.map((e) => (e.requestId === null ? e : { ...e, requestId: null }));
  return { ...state, connection, submitRequest: null, voteRequests: new Map(), helloRole: null, liveRequest: null,
           liveLoaded: false, outbox };
}

// The hello this page says: as an observer while it holds an invitation.
export function helloMessage(state) {
  const hello = { type: Msg.HELLO, role: Role.VIEWER };
  if (state.viewerId) hello.viewer = state.viewerId;
  // After a reconnect: what was missed is replayed instead of a snapshot.
  if (state.feed) hello.since = { epoch: state.feed.epoch, seq: state.feed.seq };
  if (state.observerToken) {
    hello.role = Role.OBSERVER;
    hello.token = state.observerToken;
  }
  return hello;
}

export function helloSent(state, role) {
  return { ...state, helloRole: role };
}

// The id hello.ok issues when it is not the one kept (the first visit, or
// one the studio did not sign), or null.
export function issuedViewerId(state, message) {
  const id = message.viewer;
  return typeof id === 'string' && kViewerIdPattern.test(id) && id !== state.viewerId ? id : null;
}

// The page uses a new viewer id from now on, with the votes kept under it.
export function viewerIdChanged(state, viewerId, voted) {
  return { ...state, viewerId, voted: new Set(voted) };
}

// {"type":"studio.state","state":"live"|"reconnecting"}: a public edge says
// whether it reaches the studio (the page stays connected to the edge).
export function studioStateChanged(state, message) {
  if (message.state !== 'live' && message.state !== 'reconnecting') return state;
  return { ...state, studioReachable: message.state === 'live' };
}

export function helloOk(state, message) {
  const feed = feedPosition(message);
  if (message.resumed === true && feed) {
    // The lists are still right up to `feed`; the missed messages follow.
    const resumed = helloOk({ ...state, feed: null }, { ...message, resumed: false, public: null });
    return { ...resumed, publicQuestions: state.publicQuestions, onAir: state.onAir, feed };
  }
  const publicPart = message.public || {};
  const mine = Array.isArray(message.mine) ? message.mine.slice() : [];
  return {
    ...state,
    feed,
    // A question whose acknowledgement was lost is in `mine` already: done.
    outbox: withoutAcknowledged(state.outbox, mine),
    helloRole: null,
    observerName: typeof message.observer === 'string' && message.observer ? message.observer : null,
    studioReachable: message.studio !== 'reconnecting',
    show: message.show || state.show,
    limits: message.limits ? { ...state.limits, ...message.limits } : state.limits,
    commands: Array.isArray(message.commands) ? message.commands : state.commands,
    mine,
    publicQuestions: Array.isArray(publicPart.questions) ? publicPart.questions.slice() : [],
    onAir: publicPart.on_air || null,
  };
}

// ---------------------------------------------------------------------------
// The public feed: the studio numbers its messages to viewers; a page applies
// each once and in order, and after a reconnect says where it was.

function feedPosition(message) {
  const feed = message.feed;
  if (!feed || typeof feed.epoch !== 'string' || !Number.isSafeInteger(feed.seq) || feed.seq < 0) return null;
  return { epoch: feed.epoch, seq: feed.seq };
}

// What to do with a public message: 'apply' it (the next one, or unnumbered),
// 'skip' it (already applied: replays can overlap what a page saw), or
// 'resync': a message was lost, or the studio started again (a new epoch);
// the page then says hello without `since` and gets a snapshot.
export function feedStep(state, message) {
  const feed = feedPosition(message);
  if (!feed || !state.feed) return 'apply';
  if (feed.epoch !== state.feed.epoch) return 'resync';
  if (feed.seq <= state.feed.seq) return 'skip';
  return feed.seq === state.feed.seq + 1 ? 'apply' : 'resync';
}

export function feedApplied(state, message) {
  const feed = feedPosition(message);
  return feed ? { ...state, feed } : state;
}

export function feedLost(state) {
  return { ...state, feed: null };
}

// Whether the viewer may send `type`: hello.ok's `commands`; before the
// first hello.ok the page offers it and the studio decides.
export function maySend(state, type) {
  return state.commands === null || state.commands.includes(type);
}

// ---------------------------------------------------------------------------
// Errors.

// What an error answers:
//   'observer_refused'   the invitation is not (or no longer) valid
//   'observer_later'     too many wrong tokens from this address: try later
//   'hello_rate_limited' say hello again after retry_after_s
//   'identity_locked'    the connection has another viewer id: open a new one
//   'live'               the transcript.list asked for
//   'submit'             the question being sent from the form
//   'resubmit'           a question sent again (after a reconnect)
//   'vote'               an up-vote
//   'flood'              rate_limited, tied to nothing of ours
// or null. The hello has no request id; the studio carries a refused
// observer on as a viewer (its hello.ok follows).
export function errorKind(state, message) {
  const { code } = message;
  if (message.id === undefined && state.helloRole !== null) {
    if (code === ErrorCode.FORBIDDEN && state.helloRole === Role.OBSERVER) return 'observer_refused';
    if (code === ErrorCode.TOO_MANY_ATTEMPTS && state.helloRole === Role.OBSERVER) return 'observer_later';
    if (code === ErrorCode.RATE_LIMITED) return 'hello_rate_limited';
    if (code === ErrorCode.IDENTITY_LOCKED) return 'identity_locked';
  }
  if (message.id !== undefined) {
    if (message.id === state.liveRequest) return 'live';
    if (message.id === state.submitRequest) return 'submit';
    if (outboxEntryFor(state, message.id)) return 'resubmit';
    if (state.voteRequests.has(message.id)) return 'vote';
  }
  return code === ErrorCode.RATE_LIMITED ? 'flood' : null;
}

export function errorReceived(state, message, nowMs) {
  const { code } = message;
  switch (errorKind(state, message)) {
    case 'observer_refused':
      return { ...state, observerToken: null, noticeKey: 'observer.invalid', noticeVars: null };
    case 'observer_later':
      // The invitation is kept and checked again at the next visit.
      return { ...state, noticeKey: 'observer.later', noticeVars: { n: retrySeconds(message) } };
    case 'identity_locked':
      return { ...state, helloRole: null };
    case 'live':
      return { ...state, liveRequest: null };
    case 'submit': {
      // Refused: nothing was stored, and the text is still in the form.
      const next = { ...state, submitRequest: null, outbox: state.outbox.filter((e) => e.requestId !== message.id) };
      if (code === ErrorCode.RATE_LIMITED) {
        return rateLimitTicked({ ...next, retryUntilMs: nowMs + retrySeconds(message) * 1000 }, nowMs);
      }
      return { ...next, formMessage: { key: errorKey(code), vars: errorVars(state, code), kind: 'error' } };
    }
    case 'resubmit': {
      // The viewer has moved on and the text is only here: a wait keeps it
      // for later, anything else is final (app.js gives the text back to an
      // empty form).
      if (code === ErrorCode.RATE_LIMITED || code === ErrorCode.BUSY) {
        const outbox = state.outbox.map((e) => (e.requestId === message.id ? { ...e, requestId: null } : e));
        const waitS = retrySeconds(message, kBusyRetryS);
        return { ...state, outbox, resendAtMs: Math.max(state.resendAtMs, nowMs + waitS * 1000) };
      }
      return {
        ...state,
        outbox: state.outbox.filter((e) => e.requestId !== message.id),
        formMessage: { key: errorKey(code), vars: errorVars(state, code), kind: 'error' },
      };
    }
    case 'vote': {
      const questionId = state.voteRequests.get(message.id);
      const voteRequests = new Map(state.voteRequests);
      voteRequests.delete(message.id);
      const voted = code === ErrorCode.ALREADY_VOTED ? withVote(state.voted, questionId) : state.voted;
      const publicMessage = code === ErrorCode.RATE_LIMITED
        ? { key: 'error.vote_rate_limited', vars: { n: retrySeconds(message) } }
        : { key: errorKey(code), vars: errorVars(state, code) };
      return { ...state, voteRequests, voted, publicMessage };
    }
    case 'flood':
      return { ...state, formMessage: { key: 'error.rate_limited_plain', kind: 'error' } };
    default:
      return state; // hello_rate_limited: app.js says hello again later
  }
}

const kErrorKeys = [ErrorCode.TOO_LONG, ErrorCode.EMPTY, ErrorCode.BUSY, ErrorCode.BAD_MESSAGE, ErrorCode.FORBIDDEN,
                    ErrorCode.NOT_FOUND, ErrorCode.ALREADY_VOTED, ErrorCode.INVALID, ErrorCode.CONFLICT];

// The i18n key that words an error code for viewers.
export function errorKey(code) {
  if (code === ErrorCode.RATE_LIMITED) return 'error.rate_limited_plain';
  return kErrorKeys.includes(code) ? `error.${code}` : 'error.unknown';
}

function errorVars(state, code) {
  return { code: String(code), max: state.limits.max_chars, nick: state.limits.max_nickname_chars };
}

// Once a second while questions are rate-limited: the seconds left, then
// the message goes.
export function rateLimitTicked(state, nowMs) {
  const left = Math.ceil((state.retryUntilMs - nowMs) / 1000);
  if (left > 0) return { ...state, formMessage: { key: 'error.rate_limited', vars: { n: left }, kind: 'error' } };
  const expired = state.formMessage && state.formMessage.key === 'error.rate_limited';
  return { ...state, retryUntilMs: 0, formMessage: expired ? null : state.formMessage };
}

export function isRateLimited(state, nowMs) {
  return nowMs < state.retryUntilMs;
}

// ---------------------------------------------------------------------------
// The viewer's questions.

// Why the form cannot be sent ('empty', 'too_long'), or null.
export function formProblem(state, text, nickname) {
  if (text.trim() === '') return ErrorCode.EMPTY;
  if (codePoints(text) > state.limits.max_chars) return ErrorCode.TOO_LONG;
  if (codePoints(nickname.trim()) > state.limits.max_nickname_chars) return ErrorCode.TOO_LONG;
  return null;
}

// Whether the form may be sent now (its text aside).
export function canSubmit(state, nowMs) {
  return state.submitRequest === null && !isRateLimited(state, nowMs) && maySend(state, Msg.QUESTION_SUBMIT) &&
    state.outbox.length < kOutboxLimit;
}

// A client id for a new question: `bytes` (16 random ones from
// crypto.getRandomValues, which unlike randomUUID works on plain http too)
// in base64url, 22 characters.
export function makeClientId(bytes) {
  const kAlphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  let out = '';
  let bits = 0;
  let value = 0;
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      out += kAlphabet[(value >> bits) & 63];
    }
    value &= (1 << bits) - 1;
  }
  if (bits > 0) out += kAlphabet[(value << (6 - bits)) & 63];
  return out;
}

// question.submit for the form's text (the client id made for it, when given).
export function submissionMessage(text, nickname, category, clientId) {
  const message = { type: Msg.QUESTION_SUBMIT, text, category };
  if (nickname.trim()) message.nickname = nickname.trim();
  if (clientId) message.client_id = clientId;
  return message;
}

// The form's question is on its way: kept in the outbox (with its client id)
// until it is acknowledged.
export function submitSent(state, requestId, message = null) {
  const next = { ...state, submitRequest: requestId, formMessage: null };
  if (!message || !message.client_id) return next;
  const entry = {
    clientId: message.client_id,
    text: message.text,
    nickname: message.nickname || '',
    category: message.category || kDefaultCategory,
    requestId,
    attempts: 1,
  };
  return { ...next, outbox: [...state.outbox.filter((e) => e.clientId !== entry.clientId), entry] };
}

// The outbox entries to send again now (after a hello.ok, or once the wait
// a refusal asked for is over): those not on the wire.
export function resendsDue(state, nowMs) {
  if (nowMs < state.resendAtMs || !maySend(state, Msg.QUESTION_SUBMIT)) return [];
  return state.outbox.filter((e) => e.requestId === null);
}

// question.submit for an entry of the outbox: what was sent the first time.
export function resubmissionMessage(entry) {
  return submissionMessage(entry.text, entry.nickname, entry.category, entry.clientId);
}

export function resubmitSent(state, clientId, requestId) {
  if (requestId === null) return state;
  const outbox = state.outbox.map((e) => (e.clientId === clientId ? { ...e, requestId, attempts: e.attempts + 1 } : e));
  return { ...state, outbox };
}

// The outbox entry an answer with this request id is for, or undefined.
export function outboxEntryFor(state, requestId) {
  return requestId === null || requestId === undefined
    ? undefined : state.outbox.find((e) => e.requestId === requestId);
}

// The outbox entry a question.received acknowledges (by its client id, or by
// the request), or undefined.
export function acknowledgedEntry(state, message) {
  const clientId = message.question && message.question.client_id;
  return (clientId && state.outbox.find((e) => e.clientId === clientId)) || outboxEntryFor(state, message.id);
}

// What app.js keeps in localStorage: enough to send each one again.
export function savedOutbox(state) {
  return state.outbox.map(({ clientId, text, nickname, category, attempts }) => ({
    clientId, text, nickname, category, attempts,
  }));
}

// The outbox from localStorage (another page load, another tab, an earlier
// version): only well-formed entries, each once, none on the wire.
export function restoreOutbox(saved) {
  if (!Array.isArray(saved)) return [];
  const seen = new Set();
  const outbox = [];
  for (const e of saved) {
    if (!e || typeof e !== 'object' || typeof e.clientId !== 'string' || !kClientIdPattern.test(e.clientId)) continue;
    if (typeof e.text !== 'string' || e.text.trim() === '' || seen.has(e.clientId)) continue;
    seen.add(e.clientId);
    outbox.push({
      clientId: e.clientId,
      text: e.text,
      nickname: typeof e.nickname === 'string' ? e.nickname : '',
      category: kCategories.includes(e.category) ? e.category : kDefaultCategory,
      requestId: null,
      // Sent at least once before (a refusal to wait is then not final).
      attempts: Number.isInteger(e.attempts) && e.attempts > 0 ? e.attempts : 1,
    });
  }
  return outbox.slice(-kOutboxLimit);
}

function withoutAcknowledged(outbox, questions) {
  const acknowledged = new Set(questions.map((q) => q && q.client_id).filter(Boolean));
  return acknowledged.size === 0 ? outbox : outbox.filter((e) => !acknowledged.has(e.clientId));
}

// The questions waiting for their acknowledgement as the list shows them
// (as 等待确认), oldest first: not the one the form is sending right now
// (its button says so), never one the list has already.
export function unconfirmed(state) {
  const mine = new Set(state.mine.map((q) => q.client_id).filter(Boolean));
  return state.outbox.filter((e) => !mine.has(e.clientId) &&
    (state.submitRequest === null || e.requestId !== state.submitRequest));
}

export function submitOffline(state) {
  return { ...state, formMessage: { key: 'error.offline', kind: 'error' } };
}

// The viewer types on: "received" from the last question goes.
export function draftEdited(state) {
  return state.formMessage && state.formMessage.kind === 'ok' ? { ...state, formMessage: null } : state;
}

export function questionReceived(state, message) {
  const entry = acknowledgedEntry(state, message);
  let next = entry ? { ...state, outbox: state.outbox.filter((e) => e !== entry) } : state;
  // The form's own question, or one sent again while the form is idle.
  const forForm = message.id === undefined || message.id === state.submitRequest ||
    (entry !== undefined && state.submitRequest !== null && entry.requestId === state.submitRequest);
  if (forForm || state.submitRequest === null) {
    next = { ...next, submitRequest: null, formMessage: { key: 'form.received', kind: 'ok' } };
  }
  return message.question ? withMine(next, message.question) : next;
}

export function questionUpdated(state, question) {
  return question ? withMine(state, question) : state;
}

export function mineListed(state, questions) {
  if (!Array.isArray(questions)) return state;
  return { ...state, mine: questions.slice(), outbox: withoutAcknowledged(state.outbox, questions) };
}

function withMine(state, question) {
  const mine = state.mine.slice();
  const index = mine.findIndex((q) => q.id === question.id);
  if (index >= 0) mine[index] = question;
  else mine.push(question);
  return { ...state, mine };
}

// ---------------------------------------------------------------------------
// The public list and votes.

// questions.public: replace changed entries by id, drop removed ones, append
// new ones; on_air (when present) replaces the card on top.
export function publicChanged(state, message) {
  const removed = new Set(Array.isArray(message.removed) ? message.removed : []);
  const list = state.publicQuestions.filter((q) => !removed.has(q.id));
  for (const question of Array.isArray(message.questions) ? message.questions : []) {
    if (removed.has(question.id)) continue;
    const index = list.findIndex((q) => q.id === question.id);
    if (index >= 0) list[index] = question;
    else list.push(question);
  }
  const next = { ...state, publicQuestions: list };
  if ('on_air' in message) next.onAir = message.on_air || null;
  return next;
}

// The order shown: the question on air, then the queue in air order, then
// the answered ones. Inside the queue the studio's order is kept, unless
// every entry carries a position, which then decides.
export function publicDisplayOrder(state) {
  const rank = { [Status.ON_AIR]: 0, [Status.APPROVED]: 1, [Status.ANSWERED]: 2 };
  const entries = state.publicQuestions.map((question, index) => ({ question, index }));
  const queue = entries.filter((e) => e.question.status === Status.APPROVED || !(e.question.status in rank));
  const byPosition = queue.length > 0 && queue.every((e) => Number.isFinite(e.question.position));
  entries.sort((a, b) => {
    const ra = rank[a.question.status] ?? 1;
    const rb = rank[b.question.status] ?? 1;
    if (ra !== rb) return ra - rb;
    if (ra === 1 && byPosition) return a.question.position - b.question.position || a.index - b.index;
    return a.index - b.index;
  });
  return entries.map((e) => e.question);
}

// Whether the viewer can up-vote the question now.
export function canVote(state, question) {
  if (state.connection !== ConnState.OPEN || !maySend(state, Msg.QUESTION_VOTE)) return false;
  if (state.voted.has(question.id) || question.status === Status.ANSWERED) return false;
  return ![...state.voteRequests.values()].includes(question.id);
}

export function voteSent(state, requestId, questionId) {
  const voteRequests = new Map(state.voteRequests);
  voteRequests.set(requestId, questionId);
  return { ...state, voteRequests };
}

export function voteReceived(state, message) {
  const questionId = message.question;
  const voteRequests = new Map([...state.voteRequests].filter(([, votedId]) => votedId !== questionId));
  const voted = message.voted !== false ? withVote(state.voted, questionId) : state.voted;
  const publicQuestions = Number.isFinite(message.votes)
    ? state.publicQuestions.map((q) => (q.id === questionId ? { ...q, votes: message.votes } : q))
    : state.publicQuestions;
  return { ...state, voteRequests, voted, publicQuestions, publicMessage: null };
}

function withVote(voted, questionId) {
  if (voted.has(questionId)) return voted;
  return new Set([...voted, questionId]);
}

// ---------------------------------------------------------------------------
// The live text (图文直播): what the typists type, plus a line of the studio's
// for every question that goes on air. A live blog reads newest first.

export function liveRequested(state, requestId) {
  return { ...state, liveRequest: requestId };
}

export function liveListed(state, message) {
  let next = { ...state, liveRequest: null, liveLines: [] };
  for (const line of Array.isArray(message.lines) ? message.lines : []) next = liveLineReceived(next, line);
  return { ...next, liveLoaded: true };
}

// Adds a line, replaces a corrected one (same id) or removes a deleted one;
// only the newest kLiveTextLimit stay.
export function liveLineReceived(state, line) {
  if (!line || typeof line !== 'object' || line.id === undefined) return state;
  const lines = state.liveLines.filter((l) => l.id !== line.id);
  if (!line.deleted) lines.push(line);
  lines.sort((a, b) => (b.start_ms ?? 0) - (a.start_ms ?? 0) || b.id - a.id);
  return { ...state, liveLines: lines.slice(0, kLiveTextLimit) };
}
