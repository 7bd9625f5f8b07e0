// The producer console's state and the pure functions that change it: each
// takes the state and a server message or a user action and returns a new
// state (the old one is left as it was). No DOM, no socket, no timers:
// producer.js does those and view.js draws the state.
//
// The studio is the single source of truth: hello.ok brings every question
// of the session; after that each `questions.changed` (from any producer,
// this one included) replaces the listed questions by id. Replies to our own
// commands carry the changed question too and are applied the same way. What
// a question allows now is its `actions`, from the studio; what this role
// may send at all is hello.ok's `commands`.

import { ConnState, codePoints, retrySeconds } from '../common.js';
import {
  Action, ErrorCode, Flag, Limits, Msg, Role, Status, actionCommand, kDefaultRejectReason, kRejectReasons, kStatuses,
} from '../protocol.js';

export const kRecentLimit = 40;

export function initialState({ token = null, name = '' } = {}) {
  return {
    token,
    name,
    loggedIn: false,
    helloPending: false,
    loginError: null, // i18n key
    loginErrorVars: null,
    connection: ConnState.CONNECTING,
    status: null,
    commands: [], // what hello.ok says this role may send
    questions: new Map(), // id → producer view
    onAir: null,
    touched: new Map(), // id → sequence number of the last change seen, for "recent"
    touchSeq: 0,
    selectedId: null,
    modes: new Map(), // id → {kind: 'edit'|'reject'|'merge', text?, reason?, into?, error?, localProblem?}
    requests: new Map(), // request id → {type, question}
    dragId: null,
    lastAction: null, // {by, action, ids} of the last questions.changed
  };
}

// ---------------------------------------------------------------------------
// Connection and login.

export function connectionChanged(state, connection) {
  if (connection === ConnState.OPEN) return { ...state, connection };
  return { ...state, connection, loggedIn: false, helloPending: false, commands: [], requests: new Map() };
}

export function helloSent(state) {
  return { ...state, helloPending: true };
}

// The login form was sent: name is cut to what the studio keeps.
export function loginSubmitted(state, { token, name }) {
  return { ...state, token, name: [...name].slice(0, Limits.STAFF_NAME_CHARS).join(''), loginError: null };
}

export function loginRefused(state, key = 'login.forbidden', vars = null) {
  return { ...state, loggedIn: false, helloPending: false, token: null, loginError: key, loginErrorVars: vars };
}

export function loggedOut(state) {
  return {
    ...state,
    token: null,
    loggedIn: false,
    commands: [],
    questions: new Map(),
    onAir: null,
    modes: new Map(),
    selectedId: null,
    lastAction: null,
  };
}

export function helloOk(state, message) {
  // A hello.ok for another role: the studio did not make us a producer.
  if (message.role !== Role.PRODUCER) return loginRefused(state);
  const questions = new Map();
  for (const question of Array.isArray(message.questions) ? message.questions : []) {
    questions.set(question.id, question);
  }
  // Modes for questions that are gone are dropped.
  const modes = new Map([...state.modes].filter(([id]) => questions.has(id)));
  return {
    ...state,
    helloPending: false,
    loggedIn: true,
    loginError: null,
    status: message.status || null,
    commands: Array.isArray(message.commands) ? message.commands : [],
    questions,
    onAir: message.on_air || null,
    modes,
  };
}

// Whether this role may send `type` (hello.ok's `commands`).
export function maySend(state, type) {
  return state.loggedIn && state.commands.includes(type);
}

// The board shows while there is a token that was not refused.
export function boardVisible(state) {
  return Boolean(state.token) && !state.loginError;
}

// ---------------------------------------------------------------------------
// Replies and errors.

export function requestFor(state, id) {
  return id !== undefined ? state.requests.get(id) : undefined;
}

export function commandSent(state, requestId, type, question) {
  const requests = new Map(state.requests);
  requests.set(requestId, { type, question });
  return { ...state, requests };
}

function withoutRequest(state, id) {
  if (!state.requests.has(id)) return state;
  const requests = new Map(state.requests);
  requests.delete(id);
  return { ...state, requests };
}

// The login error an error answer to our hello means, or null when it is
// not one: {key, vars}.
export function helloRefusal(state, message) {
  if (requestFor(state, message.id) || !state.helloPending) return null;
  if (message.code === ErrorCode.FORBIDDEN) return { key: 'login.forbidden', vars: null };
  if (message.code === ErrorCode.TOO_MANY_ATTEMPTS || message.code === ErrorCode.RATE_LIMITED) {
    // Too many wrong tokens from this address (or hellos on this
    // connection): the token was not looked at; try again after the wait.
    return { key: 'login.too_many', vars: { n: retrySeconds(message) } };
  }
  return null;
}

// An error answer; `text` is what it says to the producer, kept beside an
// editor that the failed command came from.
export function errorReceived(state, message, text) {
  const refusal = helloRefusal(state, message);
  if (refusal) return loginRefused(state, refusal.key, refusal.vars);
  const request = requestFor(state, message.id);
  const next = withoutRequest(state, message.id);
  if (request && request.question !== undefined && next.modes.has(request.question)) {
    return withMode(next, request.question, { ...next.modes.get(request.question), error: text });
  }
  return next;
}

export function replyReceived(state, message) {
  const request = requestFor(state, message.id);
  let next = withoutRequest(state, message.id);
  if (message.ok === false) return next;
  if (message.command === Msg.QUESTIONS_LIST && Array.isArray(message.questions)) {
    const questions = new Map();
    for (const question of message.questions) questions.set(question.id, question);
    next = { ...next, questions };
    if ('on_air' in message) next.onAir = message.on_air || null;
  }
  if (message.question && typeof message.question === 'object') next = upsert(next, message.question);
  if (request && request.question !== undefined) {
    const mode = next.modes.get(request.question);
    // The editor's command went through: it closes.
    if (mode && request.type === actionCommand(mode.kind)) next = withoutMode(next, request.question);
  }
  return next;
}

export function questionsChanged(state, message) {
  const listed = Array.isArray(message.questions) ? message.questions : [];
  let next = state;
  for (const question of listed) next = upsert(next, question);
  if ('on_air' in message) next = { ...next, onAir: message.on_air || null };
  if (message.action) {
    next = {
      ...next,
      lastAction: { by: message.by ? String(message.by) : '', action: String(message.action), ids: listed.map((q) => q.id) },
    };
  }
  return next;
}

// New vote counts (gathered by the studio); not an action of anyone's.
export function votesReceived(state, message) {
  let questions = null;
  for (const entry of Array.isArray(message.questions) ? message.questions : []) {
    const question = entry && (questions || state.questions).get(entry.id);
    if (!question || !Number.isFinite(entry.votes)) continue;
    questions = questions || new Map(state.questions);
    questions.set(entry.id, { ...question, votes: entry.votes });
  }
  return questions ? { ...state, questions } : state;
}

function upsert(state, question) {
  if (!question || question.id === undefined) return state;
  const before = state.questions.get(question.id);
  const questions = new Map(state.questions);
  questions.set(question.id, question);
  let next = { ...state, questions };
  if (!before || before.status !== question.status) {
    const touched = new Map(state.touched);
    touched.set(question.id, state.touchSeq + 1);
    next = { ...next, touched, touchSeq: state.touchSeq + 1 };
  }
  if (next.onAir && next.onAir.id === question.id) {
    next.onAir = question.status === Status.ON_AIR ? question : null;
  }
  // An editor whose command is no longer allowed closes. (A mode's kind,
  // 'edit' | 'reject' | 'merge', is also the name of its action.)
  const mode = next.modes.get(question.id);
  if (mode && !allowed(mode.kind, question)) next = withoutMode(next, question.id);
  return next;
}

// Whether the studio lets the producer do `action` with the question now:
// each question comes with its allowed actions (the studio's one table of
// moves, protocol "Producer commands"), and the studio checks again.
export function allowed(action, question) {
  return Boolean(question) && Array.isArray(question.actions) && question.actions.includes(action);
}

// ---------------------------------------------------------------------------
// Editors on a card: edit the text, reject with a reason, merge into another.

function withMode(state, id, mode) {
  const modes = new Map(state.modes);
  modes.set(id, mode);
  return { ...state, modes };
}

function withoutMode(state, id) {
  if (!state.modes.has(id)) return state;
  const modes = new Map(state.modes);
  modes.delete(id);
  return { ...state, modes };
}

export function editMode(q) {
  return { kind: Action.EDIT, text: q.text || '' };
}

export function rejectMode(q) {
  const flags = Array.isArray(q.flags) ? q.flags : [];
  return { kind: Action.REJECT, reason: flags.includes(Flag.DUPLICATE) ? 'duplicate' : kDefaultRejectReason };
}

export function mergeMode(q) {
  return { kind: Action.MERGE, into: q.duplicate_of != null ? String(q.duplicate_of) : '' };
}

// Opens an editor on the question, if its action is allowed now; the card
// is selected.
export function modeOpened(state, q, mode) {
  if (!allowed(mode.kind, q)) return state;
  return { ...withMode(state, q.id, mode), selectedId: q.id };
}

export function modeClosed(state, id) {
  return withoutMode(state, id);
}

// What the producer typed or picked in an open editor: {text}, {reason} or
// {into}. A problem found on this page goes once the text is fixed.
export function modeChanged(state, id, change) {
  const mode = state.modes.get(id);
  if (!mode) return state;
  const next = { ...mode, ...change };
  if (mode.localProblem && 'text' in change && !editProblem(next.text)) {
    next.error = null;
    next.localProblem = false;
  }
  return withMode(state, id, next);
}

// A reason shown beside the editor: `error` is its text (null clears it);
// `local` when this page found it (the text is empty or too long).
export function modeError(state, id, error, { local = false } = {}) {
  const mode = state.modes.get(id);
  if (!mode) return state;
  return withMode(state, id, local ? { ...mode, error, localProblem: true } : { ...mode, error });
}

// Why an edit cannot be sent ('empty', 'too_long'), or null.
export function editProblem(text) {
  if (text.trim() === '') return ErrorCode.EMPTY;
  if (codePoints(text) > Limits.QUESTION_CHARS) return ErrorCode.TOO_LONG;
  return null;
}

// The command an open editor sends: {type, fields}; or {problem, local}
// when it cannot be sent (problem: the i18n key of the reason; local: the
// text is at fault, and fixing it takes the reason away); or null without
// an editor.
export function modeCommand(state, id) {
  const mode = state.modes.get(id);
  if (!mode) return null;
  if (mode.kind === Action.EDIT) {
    const problem = editProblem(mode.text);
    if (problem) return { problem: `producer.error.${problem}`, local: true };
    return { type: actionCommand(Action.EDIT), fields: { question: id, text: mode.text } };
  }
  if (mode.kind === Action.REJECT) {
    const reason = kRejectReasons.includes(mode.reason) ? mode.reason : kDefaultRejectReason;
    return { type: actionCommand(Action.REJECT), fields: { question: id, reason } };
  }
  const into = Number(mode.into);
  if (!Number.isInteger(into) || into <= 0 || into === id) return { problem: 'producer.merge_bad_target', local: false };
  return { type: actionCommand(Action.MERGE), fields: { question: id, into } };
}

// ---------------------------------------------------------------------------
// Selection and dragging.

export function selected(state, id) {
  return { ...state, selectedId: id };
}

export function selectedQuestion(state) {
  return state.selectedId === null ? null : state.questions.get(state.selectedId) || null;
}

// The card `delta` steps away from the selected one in the order j/k walk
// (the first or the last when none is selected), or null on an empty board.
export function steppedSelection(state, delta) {
  const order = selectionOrder(state);
  if (order.length === 0) return null;
  const index = order.findIndex((q) => q.id === state.selectedId);
  const next = index < 0 ? (delta > 0 ? 0 : order.length - 1)
                         : Math.min(order.length - 1, Math.max(0, index + delta));
  return order[next].id;
}

// A selection the board no longer shows is dropped.
export function selectionShown(state) {
  if (state.selectedId === null) return state;
  return selectionOrder(state).some((q) => q.id === state.selectedId) ? state : { ...state, selectedId: null };
}

export function dragStarted(state, id) {
  return { ...state, dragId: id, selectedId: id };
}

export function dragEnded(state) {
  return { ...state, dragId: null };
}

// Where `question.move` should put the question to move it `delta` places
// in the air queue: its new index (0 = next to air; `position` on a question
// is only a sort key), or null when it cannot move that way.
export function moveIndex(state, q, delta) {
  if (!allowed(Action.MOVE, q)) return null;
  const queue = approvedQueue(state);
  const index = queue.findIndex((item) => item.id === q.id);
  const target = index + delta;
  if (index < 0 || target < 0 || target >= queue.length) return null;
  return target;
}

// ---------------------------------------------------------------------------
// Derived views.

export function approvedQueue(state) {
  return [...state.questions.values()]
    .filter((q) => q.status === Status.APPROVED)
    .sort((a, b) => posOf(a) - posOf(b) || a.id - b.id);
}

function posOf(q) {
  return Number.isFinite(q.position) ? q.position : Number.MAX_SAFE_INTEGER;
}

function receivedOrder(a, b) {
  return (a.received_ms ?? 0) - (b.received_ms ?? 0) || a.id - b.id;
}

// The board's four columns: pending (oldest first), the air queue, the
// question on air and the latest answered, rejected or merged ones.
export function columns(state) {
  const all = [...state.questions.values()];
  const pending = all.filter((q) => q.status === Status.PENDING).sort(receivedOrder);
  const approved = approvedQueue(state);
  // The studio's on_air names the question; the map holds its latest copy.
  const named = state.onAir ? state.questions.get(state.onAir.id) || state.onAir : null;
  const onAir = named && named.status === Status.ON_AIR ? named : all.find((q) => q.status === Status.ON_AIR) || null;
  const recent = all
    .filter((q) => q.status === Status.ANSWERED || q.status === Status.REJECTED || q.status === Status.MERGED)
    .sort((a, b) => (state.touched.get(b.id) ?? 0) - (state.touched.get(a.id) ?? 0) ||
                    (b.answered_ms ?? b.received_ms ?? 0) - (a.answered_ms ?? a.received_ms ?? 0) ||
                    b.id - a.id)
    .slice(0, kRecentLimit);
  return { pending, approved, onAir: onAir ? [onAir] : [], recent };
}

// Cards in the order j/k walks them.
function selectionOrder(state) {
  const { pending, approved, onAir, recent } = columns(state);
  return [...pending, ...approved, ...onAir, ...recent];
}

// Questions by status, for the counters.
export function counts(state) {
  const result = Object.fromEntries(kStatuses.map((s) => [s, 0]));
  for (const q of state.questions.values()) {
    if (q.status in result) result[q.status] += 1;
  }
  return result;
}
